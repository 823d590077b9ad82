// Bytes a student's phone actually transfers, counted by the browser: headers and bodies as sent
// (brotli), every request of the page and of its service worker (the precache included), nothing
// answered from the service worker's cache counted twice.
//
//   node bench/visits.mjs [--out FILE] [--verbose]   (--verbose lists every request)
//
//   first-visit   a new phone opens `/`, the app takes over (`kz:app-mounted`) and the service
//                 worker has precached what the app needs offline
//   signed-in     a new phone opens `/signin`, signs in and follows the link to its registrations
//                 until they are on screen, precache included (issue target: no more than 492 KB)
//   page-open     a returning phone (same release) opens `/catalog`: the rendered page, and the
//                 API's revalidation; once as it is (the phone holds the catalog and says so in
//                 the `kz-catalog` cookie, so the page leaves it out) and once with that cookie
//                 removed (the page embeds the catalog, as every page did before)
//   returning     a returning phone after a release that changes one page's code: with one WASM
//                 module, every code change renames the WASM and its JS glue, so the phone fetches
//                 them again with the shell and the service worker (brotli sizes from dist/);
//                 with the WASM as a delta from the release before (`dcz`, written by
//                 scripts/build-app.sh when an earlier release was built here), for browsers that
//                 support Compression Dictionary Transport
import { chromium, devices } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PASSWORD, chromeFlags, chromePath, dist, log, parseArgs, startServer, tempDir, writeJson } from './lib/common.mjs';

const args = parseArgs();
const phone = devices['Pixel 7'];

/**
 * Runs `visit` in a fresh context and sums what crossed the network, once the network is quiet;
 * `warm` runs first, uncounted (a phone that has been here before).
 */
async function transferred(browser, visit, warm) {
  const context = await browser.newContext({ ...phone, serviceWorkers: 'allow' });
  const sizes = [];
  let counting = !warm;
  context.on('requestfinished', async (req) => {
    if (!counting) return;
    const res = await req.response();
    if (!res || res.fromServiceWorker()) return;
    const s = await req.sizes();
    // Nothing crossed the network: answered from the HTTP cache.
    if (s.responseHeadersSize + s.responseBodySize === 0) return;
    // The service worker's script is fetched by the browser, not the page: Playwright reports its
    // headers but a body of 0. Its Content-Length is what crossed the network (brotli).
    let body = s.responseBodySize;
    if (body === 0 && res.status() === 200) body = Number((await res.allHeaders())['content-length'] ?? 0);
    sizes.push({ url: req.url(), bytes: s.responseHeadersSize + body });
  });
  const page = await context.newPage();
  if (warm) {
    await warm(page);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(2000);
    counting = true;
  }
  await visit(page);
  await page.waitForLoadState('networkidle');
  // The service worker's precache runs after the page is idle.
  await page.waitForTimeout(2000);
  // Requests of a page the service worker controls that it lets through (the API) reach the
  // network without a `requestfinished` here; the page's own resource timing has them.
  const seen = new Set(sizes.map((s) => s.url));
  const passed = await page.evaluate(() =>
    performance.getEntriesByType('resource').filter((e) => e.transferSize > 0).map((e) => ({ url: e.name, bytes: e.transferSize })),
  );
  for (const r of passed) if (!seen.has(r.url)) sizes.push(r);
  await context.close();
  const total = sizes.reduce((a, s) => a + s.bytes, 0);
  const wasm = sizes.filter((s) => s.url.endsWith('.wasm')).reduce((a, s) => a + s.bytes, 0);
  if (args.verbose) for (const s of sizes) log(`  ${String(s.bytes).padStart(8)}  ${s.url.replace(/^https?:\/\/[^/]+/, '')}`);
  return { bytes: total, requests: sizes.length, wasm_bytes: wasm };
}

const mounted = (page) => page.waitForFunction(() => performance.getEntriesByName('kz:app-mounted').length > 0);

const server = await startServer({ dataDir: join(tempDir(), 'var'), demo: true });
const browser = await chromium.launch({ executablePath: chromePath, args: chromeFlags });
try {
  const firstVisit = await transferred(browser, async (page) => {
    await page.goto(`${server.url}/`);
    await mounted(page);
  });
  const signedIn = await transferred(browser, async (page) => {
    await page.goto(`${server.url}/signin`);
    await mounted(page);
    await page.getByLabel('学号').fill('TJ2024001');
    await page.getByLabel('密码').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/me$/);
    await page.locator('a[href="/me/registrations"]').first().click();
    await page.locator('li.reg-card').first().waitFor();
  });
  const beenHere = async (page) => {
    await page.goto(`${server.url}/`);
    await mounted(page);
  };
  const openCatalog = async (page) => {
    await page.goto(`${server.url}/catalog`);
    await mounted(page);
  };
  const pageOpen = await transferred(browser, openCatalog, beenHere);
  // The cookie goes right before the page is opened: the app on `/` sets it again whenever it
  // stores the catalog, which it may still be doing while the network settles.
  const pageOpenEmbedded = await transferred(
    browser,
    async (page) => {
      await page.context().clearCookies({ name: 'kz-catalog' });
      await openCatalog(page);
    },
    beenHere,
  );
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const glue = (html.match(/from\s+'\/([^']+\.js)'/) || html.match(/\/(kaozheng-[0-9a-f]+\.js)/) || [])[1];
  const changed = readdirSync(dist).filter((f) => f.endsWith('.wasm') || f === glue || f === 'index.html' || f === 'sw.js');
  const brotli = (f) => execFileSync('brotli', ['-q', '11', '-c', join(dist, f)], { maxBuffer: 1 << 30 }).length;
  const returning = { bytes: changed.reduce((a, f) => a + brotli(f), 0), files: changed };
  // The delta from the most recent earlier release (the smallest, when several were kept).
  const wasm = changed.find((f) => f.endsWith('.wasm'));
  const deltas = readdirSync(dist).filter((f) => f.startsWith(`${wasm}.`) && f.endsWith('.dcz'));
  const smallest = deltas.map((f) => statSync(join(dist, f)).size).sort((a, b) => a - b)[0];
  const withDelta = smallest === undefined ? null : { bytes: returning.bytes - brotli(wasm) + smallest, wasm_delta_bytes: smallest };
  const out = {
    first_visit: firstVisit,
    signed_in_first_visit: signedIn,
    page_open: pageOpen,
    page_open_catalog_embedded: pageOpenEmbedded,
    returning_after_release: returning,
    returning_with_delta: withDelta,
  };
  log(`first visit to /:            ${firstVisit.bytes} B in ${firstVisit.requests} requests (WASM ${firstVisit.wasm_bytes} B)`);
  log(`signed-in first visit:       ${signedIn.bytes} B in ${signedIn.requests} requests (WASM ${signedIn.wasm_bytes} B); target 492,000 B ${signedIn.bytes <= 492_000 ? 'met' : 'not met'}`);
  log(`returning, opens /catalog:   ${pageOpen.bytes} B in ${pageOpen.requests} requests (${pageOpenEmbedded.bytes} B with the catalog embedded, without the kz-catalog cookie)`);
  log(`returning after a release:   ${returning.bytes} B (${changed.join(', ')}, brotli)`);
  log(withDelta
    ? `  with the WASM as a delta:   ${withDelta.bytes} B (the WASM ${withDelta.wasm_delta_bytes} B as dcz from the release before)`
    : '  with the WASM as a delta:   no earlier release was built here (scripts/build-app.sh keeps them in target/app-releases)');
  if (args.out) writeJson(args.out, out);
} finally {
  await browser.close();
  await server.stop();
}
