// Main-thread long tasks while the app takes over the rendered `/`, at 4x CPU: what Lighthouse's
// total blocking time is made of, measured directly and with several builds side by side, so a
// change can be compared with the build before it in the same minutes (Lighthouse moves several
// points an hour on this machine).
//
//   node bench/longtasks.mjs [--builds dist,target/dist-before] [--loads 6] [--rate 4] [--out FILE]
//
// Each load is a fresh phone (Pixel 7 context, zh-CN) opening `/`; the builds take turns, one load
// each, so a busy moment of the machine falls on all of them. A load counts the long tasks
// (`PerformanceObserver`, type `longtask`) from navigation until one second after the app marks
// `kz:app-mounted`. Printed per build: medians over the loads of the blocking time (each task's
// time over 50 ms, summed), of all long tasks' time, of their count, and of when the app took over.
import { chromium, devices } from '@playwright/test';
import { resolve } from 'node:path';
import { chromeFlags, chromePath, log, median, parseArgs, root, startServer, tempDir, writeJson } from './lib/common.mjs';

const args = parseArgs();
const builds = String(args.builds || 'dist').split(',').map((d) => resolve(root, d));
const loads = Number(args.loads || 6);
const rate = Number(args.rate || 4);

const servers = [];
for (const distDir of builds) servers.push(await startServer({ dataDir: tempDir('kz-longtasks-'), distDir }));
const browser = await chromium.launch({ executablePath: chromePath, args: chromeFlags });

async function load(url) {
  const context = await browser.newContext({ ...devices['Pixel 7'], locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await context.addInitScript(() => {
    window.__longtasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  await page.goto(`${url}/`, { waitUntil: 'commit' });
  await page.waitForFunction(() => performance.getEntriesByName('kz:app-mounted').length > 0, null, { timeout: 60_000 });
  await page.waitForTimeout(1000);
  const r = await page.evaluate(() => ({
    tasks: window.__longtasks,
    mounted: performance.getEntriesByName('kz:app-mounted')[0].startTime,
  }));
  await context.close();
  return {
    blocking: r.tasks.reduce((s, d) => s + Math.max(0, d - 50), 0),
    total: r.tasks.reduce((s, d) => s + d, 0),
    count: r.tasks.length,
    mounted: r.mounted,
  };
}

const runs = builds.map(() => []);
for (let i = 0; i < loads; i++) {
  for (let b = 0; b < builds.length; b++) runs[b].push(await load(servers[b].url));
}
await browser.close();
for (const s of servers) await s.stop();

const result = builds.map((build, b) => {
  const m = (k) => Math.round(median(runs[b].map((r) => r[k])));
  return { build, loads, rate, blocking_ms: m('blocking'), long_tasks_ms: m('total'), long_tasks: m('count'), app_mounted_ms: m('mounted'), runs: runs[b] };
});
for (const r of result) {
  log(`${r.build}: blocking ${r.blocking_ms} ms, long tasks ${r.long_tasks_ms} ms in ${r.long_tasks}, app took over at ${r.app_mounted_ms} ms (medians of ${loads} loads at ${rate}x CPU)`);
}
if (args.out) writeJson(args.out, result);
process.exit(0);
