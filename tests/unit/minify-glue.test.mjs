// scripts/minify-glue.mjs: the glue shrinks, still exports what the loader imports, the names of
// the functions the WASM imports from it are shortened in both and they still start together, and
// the page pins both new files; a file that no longer matches its pin, or a glue that does not
// define an import the WASM asks for, is refused and nothing is rewritten. Exported classes whose
// functions the WASM no longer exports are left out, and a glue that would still call one is
// refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropOrphanClasses, exportNames } from '../../scripts/wasm-imports.mjs';

const script = new URL('../../scripts/minify-glue.mjs', import.meta.url).pathname;
const sha384 = (text) => `sha384-${createHash('sha384').update(text).digest('base64')}`;
const IMPORT = '__wbg_answer_0123456789abcdef';
// A class as wasm-bindgen writes it, with its dispose line and its finalization registry.
const streamClass = (name, free) => `export class ${name} {
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.${free}(ptr, 0);
    }
}
if (Symbol.dispose) ${name}.prototype[Symbol.dispose] = ${name}.prototype.free;
const ${name}Finalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.${free}(ptr, 1));
`;
const STREAM_CLASS = streamClass('IntoUnderlyingSink', '__wbg_intounderlyingsink_free');
const glue = `
/** The start function the loader calls. */
export default async function initialise(options) {
    const verboseName = { value: options.module_or_path };
    return verboseName.value;
}
export function add_numbers(first, second) {
    // comment
    return first + second;
}
function getImports() {
    const import0 = {
        __proto__: null,
        ${IMPORT}: function() {
            return 42;
        },
    };
    return { __proto__: null, './app_bg.js': import0 };
}
${STREAM_CLASS}
export async function run(bytes) {
    const { instance } = await WebAssembly.instantiate(bytes, getImports());
    return instance.exports.answer();
}
`;

/** A WASM module that imports `name` from `./app_bg.js` and exports `answer`, which calls it. */
function wasmImporting(name) {
  const str = (s) => [s.length, ...Buffer.from(s)];
  const section = (id, bytes) => [id, bytes.length, ...bytes];
  return Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 0, 1, 0x7f]),
    ...section(2, [1, ...str('./app_bg.js'), ...str(name), 0, 0]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('answer'), 0, 1]),
    ...section(10, [1, 4, 0, 0x10, 0, 0x0b]),
  ]);
}

function dist(js, { pin = sha384(js), wasm = wasmImporting(IMPORT) } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kz-glue-'));
  writeFileSync(join(dir, 'app-1.js'), js);
  writeFileSync(join(dir, 'app-1_bg.wasm'), wasm);
  const html =
    `<link crossorigin href=/app-1.js integrity=${pin} rel=modulepreload>` +
    `<link as=fetch crossorigin href=/app-1_bg.wasm integrity=${sha384(wasm)} rel=preload type=application/wasm>` +
    `<script type=module>import init from '/app-1.js'</script>`;
  writeFileSync(join(dir, 'index.html'), html);
  return dir;
}

test('the glue is minified, keeps its exports and is pinned by its new sha384', async () => {
  const dir = dist(glue);
  execFileSync('node', [script, join(dir, 'index.html')]);
  const out = readFileSync(join(dir, 'app-1.js'), 'utf8');
  assert.ok(out.length < glue.length / 2, `minified to ${out.length} of ${glue.length} chars`);
  assert.ok(!out.includes('verboseName') && !out.includes('comment'));
  const mod = await import(`data:text/javascript,${encodeURIComponent(out)}`);
  assert.equal(mod.add_numbers(2, 3), 5);
  assert.equal(await mod.default({ module_or_path: 'x.wasm' }), 'x.wasm');
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  assert.ok(html.includes(`integrity=${sha384(out)} `), html);
  assert.ok(!html.includes(sha384(glue)));
  // The import is renamed in both files: the WASM still starts with the glue's functions.
  const wasm = readFileSync(join(dir, 'app-1_bg.wasm'));
  assert.ok(!out.includes(IMPORT) && !wasm.includes(IMPORT));
  assert.ok(wasm.length < wasmImporting(IMPORT).length);
  assert.equal(await mod.run(wasm), 42);
  assert.ok(html.includes(`integrity=${sha384(wasm)} `), html);
});

test('a WASM that imports what the glue does not define is refused and nothing is rewritten', () => {
  const wasm = wasmImporting('__wbg_missing_fedcba9876543210');
  const dir = dist(glue, { wasm });
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const run = spawnSync('node', [script, join(dir, 'index.html')], { encoding: 'utf8' });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /__wbg_missing_fedcba9876543210 is defined 0 times/);
  assert.equal(readFileSync(join(dir, 'app-1.js'), 'utf8'), glue);
  assert.deepEqual(readFileSync(join(dir, 'app-1_bg.wasm')), wasm);
  assert.equal(readFileSync(join(dir, 'index.html'), 'utf8'), html);
});

test('a glue that does not match its pin is refused and left as it was', () => {
  const dir = dist(glue, { pin: sha384('something else') });
  const run = spawnSync('node', [script, join(dir, 'index.html')], { encoding: 'utf8' });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /does not match its integrity/);
  assert.equal(readFileSync(join(dir, 'app-1.js'), 'utf8'), glue);
});

test('a class calling functions the WASM does not export is left out, the others stay', async () => {
  const dir = dist(glue);
  const run = spawnSync('node', [script, join(dir, 'index.html')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /without IntoUnderlyingSink/);
  const out = readFileSync(join(dir, 'app-1.js'), 'utf8');
  assert.ok(!/IntoUnderlyingSink|intounderlyingsink/.test(out), out);
  const mod = await import(`data:text/javascript,${encodeURIComponent(out)}`);
  assert.equal(mod.add_numbers(2, 3), 5);

  const kept = streamClass('Answer', 'answer');
  assert.deepEqual(dropOrphanClasses(kept, exportNames(wasmImporting(IMPORT))), { glue: kept, removed: [] });
});

test('a glue that would still call a function the WASM does not export is refused', () => {
  const stray = `${glue}\nexport function stray() { wasm.__wbg_gone_free(1); }\n`;
  assert.throws(() => dropOrphanClasses(stray, exportNames(wasmImporting(IMPORT))), /calls __wbg_gone_free, which the WASM does not export/);
  const dir = dist(stray);
  const run = spawnSync('node', [script, join(dir, 'index.html')], { encoding: 'utf8' });
  assert.notEqual(run.status, 0);
  assert.equal(readFileSync(join(dir, 'app-1.js'), 'utf8'), stray);
});
