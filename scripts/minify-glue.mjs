// Minifies the wasm-bindgen JS glue of Trunk's release dist/ and re-pins it: Trunk's own JS
// minifier gives up on the glue (it leaves all 78 KB as written), and the glue is fetched on every
// first visit and after every release, before the WASM can start. The file keeps its name (Trunk
// derives it from the build) and index.html gets the new sha384 for its `integrity`.
// Usage: node scripts/minify-glue.mjs dist/index.html
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { minify } from 'terser';

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

// An ES module: top-level names may be mangled, exported names stay (the loader imports them).
const { code } = await minify(source, { module: true, compress: { passes: 2 }, mangle: true, format: { comments: false } });
const pinned = sha384(code);
const uses = html.split(integrity).length - 1;
if (uses < 1) fail('the glue integrity is not in the page');
writeFileSync(path, code);
writeFileSync(file, html.split(integrity).join(pinned));
console.log(`minify-glue: ${href} ${source.length} → ${code.length} B (integrity ${pinned.slice(0, 15)}…)`);
