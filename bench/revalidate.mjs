// What a phone on a weak network fetches after the app has taken over a rendered page, and how long
// until the last of it has arrived: the app's start-up revalidation of the catalog, plans, sites and
// rule documents, counted by the page's own resource timing.
//
//   node bench/revalidate.mjs [--out FILE] [--quick] [--verbose]   (KZ_DIST picks the build)
//
// A new phone (fresh context, no service worker, so its precache does not share the line) opens
// `/` and `/catalog` on an emulated weak mobile network (CDP Network.emulateNetworkConditions:
// 400 ms added to each response, 400 kbit/s each way) at 4x CPU. For each load: the API requests
// made after `kz:app-mounted`, the bytes they transferred, and the time from `kz:app-mounted` to
// the end of the last response. Then a student signs in on `/signin` (once that page's own start-up
// requests are over): the requests of the first sync pass and the time from the sign-in's answer to
// the end of the last of them (their registrations, ratings and results are on screen then).
// Reported as medians; timings vary with the machine.
import { chromium, devices } from '@playwright/test';
import { join } from 'node:path';
import { DEMO_PASSWORD, chromeFlags, chromePath, log, median, parseArgs, startServer, tempDir, writeJson } from './lib/common.mjs';

const args = parseArgs();
const RUNS = args.quick ? 1 : 3;
const PATHS = ['/', '/catalog'];
const WEAK = { offline: false, latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 };
// No new API request for this long after the last one ended: the start-up revalidation is over.
const QUIET_MS = 3000;

/** A new phone on the weak network at 4x CPU, on `url`, once the app has taken over. */
async function open(browser, url) {
  const context = await browser.newContext({ ...devices['Pixel 7'], serviceWorkers: 'block' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', WEAK);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.goto(url, { timeout: 120_000 });
  await page.waitForFunction(() => performance.getEntriesByName('kz:app-mounted').length > 0, null, {
    timeout: 120_000,
  });
  return { context, page };
}

/** The API requests that started at or after `since` (a page time, or a mark's name), once no new
 * one has started for QUIET_MS and none is pending; and what they add up to. */
async function settled(page, since) {
  const api = () =>
    page.evaluate((since) => {
      const from = typeof since === 'number' ? since : performance.getEntriesByName(since)[0].startTime;
      const all = performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/v1/'));
      return {
        from,
        pending: all.some((r) => r.responseEnd === 0),
        requests: all
          .filter((r) => r.startTime >= from)
          .map((r) => ({ path: new URL(r.name).pathname, start: r.startTime, end: r.responseEnd, bytes: r.transferSize })),
      };
    }, since);
  let seen = await api();
  for (let quiet = 0; quiet < QUIET_MS; ) {
    await page.waitForTimeout(500);
    const now = await api();
    quiet = now.requests.length === seen.requests.length && !now.pending ? quiet + 500 : 0;
    seen = now;
  }
  const last = Math.max(seen.from, ...seen.requests.map((r) => r.end));
  return {
    requests: seen.requests.length,
    bytes: seen.requests.reduce((a, r) => a + r.bytes, 0),
    done_ms: Math.round(last - seen.from),
    paths: seen.requests.map((r) => `${r.path} ${Math.round(r.start - seen.from)}–${Math.round(r.end - seen.from)} ms`),
  };
}

async function load(browser, url) {
  const { context, page } = await open(browser, url);
  const r = await settled(page, 'kz:app-mounted');
  await context.close();
  return r;
}

/** Signs in on `/signin` once its start-up requests are over; measured from the sign-in's answer. */
async function signIn(browser, base) {
  const { context, page } = await open(browser, `${base}/signin`);
  await settled(page, 'kz:app-mounted');
  await page.getByLabel('学号').fill('TJ2024001');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
  await page.getByRole('button', { name: '登录' }).click();
  await answered;
  await page.waitForURL(/\/me$/, { timeout: 120_000 });
  const login = await page.evaluate(
    () => performance.getEntriesByType('resource').find((r) => r.name.endsWith('/api/v1/auth/login')).responseEnd,
  );
  const r = await settled(page, login);
  await context.close();
  return r;
}

const server = await startServer({ dataDir: join(tempDir(), 'var'), demo: true });
const browser = await chromium.launch({ executablePath: chromePath, args: chromeFlags });
const out = {};
try {
  const scenarios = [
    ...PATHS.map((path) => [path, () => load(browser, server.url + path), 'after the app took over']),
    ['sign-in', () => signIn(browser, server.url), "after the sign-in's answer"],
  ];
  for (const [name, measure, from] of scenarios) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await measure();
      if (args.verbose) for (const p of r.paths) log(`  ${name} ${p}`);
      runs.push(r);
    }
    out[name] = {
      requests: median(runs.map((r) => r.requests)),
      bytes: median(runs.map((r) => r.bytes)),
      done_ms: median(runs.map((r) => r.done_ms)),
      runs: runs.map(({ paths, ...r }) => r),
    };
    log(
      `${name}: ${out[name].requests} API requests, ${out[name].bytes} B, the last one done ` +
        `${out[name].done_ms} ms ${from} (median of ${RUNS}; runs ${runs.map((r) => r.done_ms).join(', ')} ms)`,
    );
  }
} finally {
  await browser.close();
  await server.stop();
}
if (args.out) writeJson(args.out, { network: WEAK, cpu_rate: 4, paths: out });
