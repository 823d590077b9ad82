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
// the end of the last response. Reported as medians; timings vary with the machine.
import { chromium, devices } from '@playwright/test';
import { join } from 'node:path';
import { chromeFlags, chromePath, log, median, parseArgs, startServer, tempDir, writeJson } from './lib/common.mjs';

const args = parseArgs();
const RUNS = args.quick ? 1 : 3;
const PATHS = ['/', '/catalog'];
const WEAK = { offline: false, latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 };
// No new API request for this long after the last one ended: the start-up revalidation is over.
const QUIET_MS = 3000;

async function load(browser, url) {
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
  const api = () =>
    page.evaluate(() => {
      const mounted = performance.getEntriesByName('kz:app-mounted')[0].startTime;
      const all = performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/v1/'));
      return {
        mounted,
        pending: all.some((r) => r.responseEnd === 0),
        requests: all
          .filter((r) => r.startTime >= mounted)
          .map((r) => ({ path: new URL(r.name).pathname, start: r.startTime, end: r.responseEnd, bytes: r.transferSize })),
      };
    });
  let seen = await api();
  for (let quiet = 0; quiet < QUIET_MS; ) {
    await page.waitForTimeout(500);
    const now = await api();
    quiet = now.requests.length === seen.requests.length && !now.pending ? quiet + 500 : 0;
    seen = now;
  }
  await context.close();
  const last = Math.max(seen.mounted, ...seen.requests.map((r) => r.end));
  return {
    requests: seen.requests.length,
    bytes: seen.requests.reduce((a, r) => a + r.bytes, 0),
    done_after_mount_ms: Math.round(last - seen.mounted),
    paths: seen.requests.map((r) => `${r.path} ${Math.round(r.start - seen.mounted)}–${Math.round(r.end - seen.mounted)} ms`),
  };
}

const server = await startServer({ dataDir: join(tempDir(), 'var'), demo: true });
const browser = await chromium.launch({ executablePath: chromePath, args: chromeFlags });
const out = {};
try {
  for (const path of PATHS) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await load(browser, server.url + path);
      if (args.verbose) for (const p of r.paths) log(`  ${path} ${p}`);
      runs.push(r);
    }
    out[path] = {
      requests: median(runs.map((r) => r.requests)),
      bytes: median(runs.map((r) => r.bytes)),
      done_after_mount_ms: median(runs.map((r) => r.done_after_mount_ms)),
      runs: runs.map(({ paths, ...r }) => r),
    };
    log(
      `${path}: ${out[path].requests} API requests after the app took over, ${out[path].bytes} B, ` +
        `the last one done ${out[path].done_after_mount_ms} ms after it (median of ${RUNS}; ` +
        `runs ${runs.map((r) => r.done_after_mount_ms).join(', ')} ms)`,
    );
  }
} finally {
  await browser.close();
  await server.stop();
}
if (args.out) writeJson(args.out, { network: WEAK, cpu_rate: 4, paths: out });
