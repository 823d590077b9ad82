// Minifies the wasm-bindgen JS glue of Trunk's release dist/ and re-pins it: Trunk's own JS
// minifier gives up on the glue (it leaves all 78 KB as written), and the glue is fetched on every
// first visit and after every release, before the WASM can start. The file keeps its name (Trunk
// derives it from the build) and index.html gets the new sha384 for its `integrity`. Exported
// classes that call functions the WASM no longer exports are left out first (dead once wasm-opt
// has removed those exports).
//
// Then it shortens the names of the JS functions the WASM imports, in both files: wasm-bindgen
// names each `__wbg_<what>_<16 hex digits>`, and the WASM's import section and the glue's import
// object each carry all of them (289 names; the hex digits do not compress). They become `a`, `b`,
// …, `aa`, … in both, and the WASM is re-pinned too: about 7 KB less brotli on every first visit.
// Usage: node scripts/minify-glue.mjs dist/index.html
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { minify } from 'terser';
import { dropOrphanClasses, exportNames, shortenImports } from './wasm-imports.mjs';

const file = process.argv[2];
const html = readFileSync(file, 'utf8');
const fail = (why) => {
  console.error(`minify-glue: ${file}: ${why}`);
  process.exit(1);
};

const links = [...html.matchAll(/<link\b[^>]*\brel="?modulepreload"?[^>]*>/g)].map((m) => m[0]);
if (links.length !== 1) fail(`expected one modulepreload link (the glue), found ${links.length}`);
const link = links[0];
const href = /\bhref="?([^"\s>]+)/.exec(link)?.[1];
const integrity = /\bintegrity="?([^"\s>]+)/.exec(link)?.[1];
if (!href || !integrity) fail(`the glue link has no href or integrity: ${link}`);

const path = join(dirname(file), href);
const source = readFileSync(path, 'utf8');
const sha384 = (text) => `sha384-${createHash('sha384').update(text).digest('base64')}`;
if (sha384(source) !== integrity) fail(`${href} does not match its integrity (minified twice?)`);

const wasmLinks = [...html.matchAll(/<link\b[^>]*\brel="?preload"?[^>]*>/g)].map((m) => m[0]).filter((l) => /\.wasm\b/.test(l));
if (wasmLinks.length !== 1) fail(`expected one WASM preload link, found ${wasmLinks.length}`);
const wasmHref = /\bhref="?([^"\s>]+)/.exec(wasmLinks[0])?.[1];
const wasmIntegrity = /\bintegrity="?([^"\s>]+)/.exec(wasmLinks[0])?.[1];
if (!wasmHref || !wasmIntegrity) fail(`the WASM preload has no href or integrity: ${wasmLinks[0]}`);
const wasmPath = join(dirname(file), wasmHref);
const wasm = readFileSync(wasmPath);
if (sha384(wasm) !== wasmIntegrity) fail(`${wasmHref} does not match its integrity`);

// The classes whose exports wasm-opt removed go too (index.html says which and why).
let pruned;
try {
  pruned = dropOrphanClasses(source, exportNames(wasm));
} catch (e) {
  fail(e.message);
}
// An ES module: top-level names may be mangled, exported names stay (the loader imports them).
const { code: minified } = await minify(pruned.glue, { module: true, compress: { passes: 2 }, mangle: true, format: { comments: false } });

let shortened;
try {
  shortened = shortenImports(wasm, minified);
} catch (e) {
  fail(e.message);
}
const { wasm: newWasm, glue: code, renamed } = shortened;

const pinned = sha384(code);
const wasmPinned = sha384(newWasm);
const uses = html.split(integrity).length - 1;
if (uses < 1) fail('the glue integrity is not in the page');
writeFileSync(path, code);
writeFileSync(wasmPath, newWasm);
writeFileSync(file, html.split(integrity).join(pinned).split(wasmIntegrity).join(wasmPinned));
const dropped = pruned.removed.length ? `, without ${pruned.removed.join(', ')}` : '';
console.log(`minify-glue: ${href} ${source.length} → ${code.length} B${dropped} (integrity ${pinned.slice(0, 15)}…)`);
console.log(`minify-glue: ${wasmHref} ${wasm.length} → ${newWasm.length} B, ${renamed} import names shortened (integrity ${wasmPinned.slice(0, 15)}…)`);
