// A returning phone after a release: the new WASM arrives as a delta from the one it holds
// (Content-Encoding: dcz, crates/server/src/delta.rs), and the app starts from it.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { Server } from './server';

const root = resolve(__dirname, '..', '..');
const bin = process.env.KZ_SERVER_BIN || join(root, 'target', 'release', 'kaozheng-server');
const work = mkdtempSync(join(tmpdir(), 'kz-release-'));
const dist = join(work, 'dist');
const releases = join(work, 'releases');
const server = new Server([], dist);

test.beforeAll(async () => {
  cpSync(process.env.KZ_DIST || join(root, 'dist'), dist, { recursive: true, filter: (f) => !f.endsWith('.dcz') });
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
  rmSync(work, { recursive: true, force: true });
});

const sri = (b: Buffer) => `sha384-${createHash('sha384').update(b).digest('base64')}`;

/** Deploys the next release into the served dist/ as a build would leave it: the same app with new
 * WASM bytes (one more custom section) under a new name, the page pointing at it with its new
 * integrity, and its deltas from the kept releases (`wasm-deltas`, as scripts/build-app.sh runs it). */
function deployNextRelease(): { name: string; brotli: number } {
  // The build of the release on the phone kept its WASM.
  execFileSync(bin, ['wasm-deltas', dist, releases], { stdio: 'pipe' });
  const old = readdirSync(dist).find((f) => f.endsWith('_bg.wasm'))!;
  const before = readFileSync(join(dist, old));
  const label = Buffer.from('kz-release');
  const content = Buffer.concat([Buffer.from([label.length]), label, Buffer.from('the next release')]);
  const after = Buffer.concat([before, Buffer.from([0, content.length]), content]);
  const name = old.replace(/-[0-9a-f]+_bg\.wasm$/, `-${createHash('sha256').update(after).digest('hex').slice(0, 16)}_bg.wasm`);
  for (const f of readdirSync(dist)) if (f.startsWith(old)) rmSync(join(dist, f));
  writeFileSync(join(dist, name), after);
  writeFileSync(join(dist, `${name}.br`), brotliCompressSync(after, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(join(dist, `${name}.gz`), gzipSync(after, { level: 9 }));
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  expect(html).toContain(sri(before));
  for (const f of ['index.html.br', 'index.html.gz']) rmSync(join(dist, f), { force: true });
  writeFileSync(join(dist, 'index.html'), html.split(old).join(name).split(sri(before)).join(sri(after)));
  execFileSync(bin, ['wasm-deltas', dist, releases], { stdio: 'pipe' });
  return { name, brotli: statSync(join(dist, `${name}.br`)).size };
}

test('after a release, a returning phone downloads the new WASM as a delta from the one it holds, and the app starts', async ({ browser }) => {
  const context = await browser.newContext({ serviceWorkers: 'allow', locale: 'zh-CN' });
  type Got = { path: string; encoding?: string; dictionary?: string; offered?: string; bytes: number };
  const got: Got[] = [];
  context.on('requestfinished', async (req) => {
    if (!req.url().endsWith('.wasm')) return;
    const res = await req.response();
    if (!res || res.fromServiceWorker()) return;
    const [headers, sent, sizes] = await Promise.all([res.allHeaders(), req.allHeaders(), req.sizes()]);
    if (sizes.responseBodySize === 0) return;
    got.push({
      path: new URL(req.url()).pathname,
      encoding: headers['content-encoding'],
      dictionary: headers['use-as-dictionary'],
      offered: sent['available-dictionary'],
      bytes: sizes.responseBodySize,
    });
  });
  const errors: string[] = [];
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/catalog`);
  await expect(page.locator('#shell')).toHaveCount(0, { timeout: 30_000 });
  await expect.poll(() => got.length).toBeGreaterThan(0);
  // The first visit gets the whole WASM, marked as the dictionary for the next release's.
  expect(got[0].encoding).toBe('br');
  expect(got[0].dictionary).toBe('match="/kaozheng-*_bg.wasm"');

  // Kept for offline use too, as on a phone that comes back after the release.
  await expect
    .poll(() => page.evaluate(async () => (await (await caches.open('kz-shell-v1')).keys()).some((r) => r.url.endsWith('.wasm'))), { timeout: 30_000 })
    .toBe(true);
  await page.waitForLoadState('networkidle');
  const firstVisit = got.length;
  const next = deployNextRelease();
  await page.reload();
  await expect.poll(() => got.filter((g) => g.path === `/${next.name}`).length, { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(page.locator('#shell')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('证书目录');
  const delivered = got.filter((g) => g.path === `/${next.name}`);
  console.log(`the next release's WASM: ${next.brotli} B as brotli, sent as ${delivered.map((g) => `${g.bytes} B ${g.encoding}`).join(', ')}`);
  for (const g of delivered) {
    expect(g.offered).toMatch(/^:[A-Za-z0-9+/]+=*:$/);
    expect(g.encoding).toBe('dcz');
    // A release that changed nothing but a section: the delta is a few hundred bytes.
    expect(g.bytes).toBeLessThan(next.brotli / 20);
  }
  // The page ran the new release: it asked for no other WASM and nothing failed.
  expect(new Set(got.slice(firstVisit).map((g) => g.path))).toEqual(new Set([`/${next.name}`]));
  expect(errors).toEqual([]);
  await context.close();
});
