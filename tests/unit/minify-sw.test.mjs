// scripts/minify-sw.mjs: the service worker shrinks and still does what it did: the minified copy
// runs in a stand-in worker scope and registers the same event handlers with the same cache name;
// a worker that does not parse fails the build and is left as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';

const script = new URL('../../scripts/minify-sw.mjs', import.meta.url).pathname;
const worker = new URL('../../public/sw.js', import.meta.url).pathname;

/** Runs a worker's source in a scope that records what it registers; answers the event names. */
function handlers(source) {
  const events = [];
  const scope = {
    addEventListener: (name) => events.push(name),
    location: { origin: 'https://kz.example' },
    caches: {},
    clients: {},
    skipWaiting: () => Promise.resolve(),
  };
  scope.self = scope;
  vm.runInNewContext(source, scope);
  return events.sort();
}

test('the service worker shrinks and registers the same handlers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kz-sw-'));
  const file = join(dir, 'sw.js');
  copyFileSync(worker, file);
  const run = spawnSync(process.execPath, [script, file], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const before = readFileSync(worker, 'utf8');
  const after = readFileSync(file, 'utf8');
  assert.ok(after.length < before.length * 0.6, `${before.length} → ${after.length} B`);
  assert.ok(!after.includes('// '), 'comments are gone');
  assert.deepEqual(handlers(after), handlers(before));
  assert.ok(handlers(after).includes('fetch'));
  // The cache it keeps the shell in keeps its name, so an update finds the old one.
  const cache = before.match(/const CACHE = '([^']+)'/)[1];
  assert.ok(after.includes(`"${cache}"`) || after.includes(`'${cache}'`), cache);
});

test('a worker that does not parse fails the build and is left as written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kz-sw-'));
  const file = join(dir, 'sw.js');
  const broken = "self.addEventListener('fetch', (e) => {\n";
  writeFileSync(file, broken);
  const run = spawnSync(process.execPath, [script, file], { encoding: 'utf8' });
  assert.notEqual(run.status, 0);
  assert.equal(readFileSync(file, 'utf8'), broken);
});
