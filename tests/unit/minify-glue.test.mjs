// scripts/minify-glue.mjs: the glue shrinks, still exports what the loader imports, and the page
// pins the minified file; a glue that no longer matches its pin is refused, not re-pinned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = new URL('../../scripts/minify-glue.mjs', import.meta.url).pathname;
const sha384 = (text) => `sha384-${createHash('sha384').update(text).digest('base64')}`;
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
`;

function dist(js, pin = sha384(js)) {
  const dir = mkdtempSync(join(tmpdir(), 'kz-glue-'));
  writeFileSync(join(dir, 'app-1.js'), js);
  const html = `<link crossorigin href=/app-1.js integrity=${pin} rel=modulepreload><script type=module>import init from '/app-1.js'</script>`;
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
});

test('a glue that does not match its pin is refused and left as it was', () => {
  const dir = dist(glue, sha384('something else'));
  const run = spawnSync('node', [script, join(dir, 'index.html')], { encoding: 'utf8' });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /does not match its integrity/);
  assert.equal(readFileSync(join(dir, 'app-1.js'), 'utf8'), glue);
});
