// In the browser: load, offline start, search latency, IndexedDB import and memory, measured by the
// app's own performance marks (src/perf.rs) in Playwright on the release build served by the real
// server, phone viewport, at 1x and 4x CPU (CDP Emulation.setCPUThrottlingRate).
//
//   node bench/browser.mjs --out FILE --synthetic CATALOG.json [--quick]
//
// Two servers: the default catalog (`serve --demo`) and a 10,000-certificate synthetic catalog
// imported with `kaozheng-server import catalog` into a fresh database before `serve` starts (so
// the API serves it exactly as it would a real one). For each catalog and CPU rate:
//   cold     fresh browser context (empty storage, no service worker) -> /catalog, online (loopback,
//            no network throttling): the server renders the page with the catalog embedded, so
//            the results list is in the DOM from the first paint; time from navigation start to
//            `kz:app-mounted` (the app has taken the page over). `kz:catalog-painted-network` and
//            `kz:idb-save-catalog` only when the page came without its catalog (they are null
//            otherwise: the app stores the embedded catalog without that span).
//   heap     after the cold load, garbage collected: JS heap (CDP Runtime.getHeapUsage) and the WASM
//            linear memory (its ArrayBuffer is outside the JS heap figure).
//   warm     the same page offline (context.setOffline), reloaded with the service worker in
//            control: navigation start to `kz:catalog-painted-local` (the catalog read from
//            IndexedDB and painted).
//   search   a scripted typing session, one key at a time with a human delay: every `kz:search`
//            measure (the search itself), and keystroke to results-DOM-updated (input event
//            timestamp to the first DOM mutation after it, so queueing behind earlier work counts).
import { chromium, devices } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chromeFlags,
  loadAverage,
  chromePath,
  log,
  median,
  parseArgs,
  round,
  serverCli,
  startServer,
  summary,
  tempDir,
  writeJson,
} from './lib/common.mjs';

const args = parseArgs();
const quick = !!args.quick;
const COLD_RUNS = quick ? 1 : 3;
const WARM_RUNS = quick ? 2 : 5;
const TYPING_SESSIONS = quick ? 1 : 2;
// What a student types looking for certificates: pinyin, initials, Chinese, two words. Each key
// 150 ms apart (a quick phone typist), then a pause before the next query.
const QUERIES = ['wangluo', 'wqdkf', '前端开发', 'gongye jiqiren'];
const KEY_DELAY_MS = 150;
const RATES = [1, 4];
const phone = devices['Pixel 7'];

// Installed before any page script: keeps the WASM exports (for its memory size) and notes when
// the results list first has items, then the next frame after that (paint is not observable, the
// frame after the DOM change is the closest the page can see).
const initScript = () => {
  addEventListener('TrunkApplicationStarted', (e) => {
    window.__kzWasm = e.detail && e.detail.wasm;
  });
  const seen = () => document.querySelector('[data-testid="results"] li');
  const mo = new MutationObserver(() => {
    if (window.__kzResultsAt === undefined && seen()) {
      window.__kzResultsAt = performance.now();
      requestAnimationFrame(() => (window.__kzResultsFrameAt = performance.now()));
    }
  });
  mo.observe(document, { childList: true, subtree: true });
};

/** Waits inside the page for a performance mark and returns its startTime (ms after navigation). */
function waitMark(page, name, timeoutMs = 120_000) {
  return page.evaluate(
    ([n, limit]) =>
      new Promise((ok, fail) => {
        const t0 = performance.now();
        const check = () => {
          const e = performance.getEntriesByName(n, 'mark')[0];
          if (e) ok(e.startTime);
          else if (performance.now() - t0 > limit) fail(new Error(`no ${n} mark after ${limit} ms`));
          else setTimeout(check, 50);
        };
        check();
      }),
    [name, timeoutMs],
  );
}

async function newPage(browser, rate) {
  const context = await browser.newContext({ ...phone, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', serviceWorkers: 'allow' });
  await context.addInitScript(initScript);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  return { context, page, cdp };
}

async function coldLoad(browser, base, rate, withHeap) {
  const { context, page, cdp } = await newPage(browser, rate);
  await page.goto(`${base}/catalog`, { waitUntil: 'commit' });
  await waitMark(page, 'kz:app-mounted');
  await page.waitForSelector('[data-testid="results"] li', { timeout: 60_000 });
  const r = await page.evaluate(() => ({
    painted: performance.getEntriesByName('kz:catalog-painted-network', 'mark')[0]?.startTime ?? null,
    mounted: performance.getEntriesByName('kz:app-mounted', 'mark')[0]?.startTime ?? null,
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    idbSave: performance.getEntriesByName('kz:idb-save-catalog', 'measure')[0]?.duration ?? null,
    resultsDom: window.__kzResultsAt ?? null,
    resultsFrame: window.__kzResultsFrameAt ?? null,
    certificates: document.querySelectorAll('[data-testid="results"] li').length,
  }));
  const run = {
    painted_network_ms: round(r.painted),
    results_dom_ms: round(r.resultsDom),
    results_frame_ms: round(r.resultsFrame),
    app_mounted_ms: round(r.mounted),
    fcp_ms: round(r.fcp),
    idb_save_ms: round(r.idbSave),
  };
  if (withHeap) {
    // Let the start-up sync (plans, sites, rules) finish, then count only what stays alive.
    await page.waitForTimeout(1500);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    run.js_heap_used_bytes = heap.usedSize;
    run.wasm_memory_bytes = await page.evaluate(() => window.__kzWasm?.memory?.buffer?.byteLength ?? null);
  }
  return { context, page, cdp, run };
}

/** Reloads offline until the service worker serves the shell and IndexedDB the catalog. */
async function warmLoads(page, context, cdp, rate) {
  // The shell must be cached and the page controlled before going offline.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((ok) => navigator.serviceWorker.addEventListener('controllerchange', ok, { once: true }));
    }
  });
  await context.setOffline(true);
  const runs = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    await page.reload({ waitUntil: 'commit' });
    const painted = await waitMark(page, 'kz:catalog-painted-local');
    await page.waitForSelector('[data-testid="results"] li', { timeout: 60_000 });
    const r = await page.evaluate(() => ({
      dom: window.__kzResultsAt ?? null,
      frame: window.__kzResultsFrameAt ?? null,
      controlled: !!navigator.serviceWorker.controller,
      mounted: performance.getEntriesByName('kz:app-mounted', 'mark')[0]?.startTime ?? null,
    }));
    if (!r.controlled) throw new Error('offline reload was not served by the service worker');
    runs.push({ painted_local_ms: round(painted), results_dom_ms: round(r.dom), results_frame_ms: round(r.frame), app_mounted_ms: round(r.mounted) });
  }
  return runs;
}

async function typingSession(page) {
  const input = page.locator('#catalog-search');
  await page.evaluate(() => {
    window.__kzKeys = [];
    if (window.__kzKeyObserver) return;
    let pending = null;
    // Capture phase on the document: runs before the app's own (delegated) input handler.
    document.addEventListener(
      'input',
      (e) => {
        if (e.target && e.target.id === 'catalog-search' && window.__kzKeys) {
          pending = { at: e.timeStamp, dom: null };
          window.__kzKeys.push(pending);
        }
      },
      true,
    );
    window.__kzKeyObserver = new MutationObserver(() => {
      if (pending && pending.dom === null) pending.dom = performance.now() - pending.at;
    });
    window.__kzKeyObserver.observe(document.querySelector('main') || document.body, {
      childList: true,
      subtree: true,
      characterData: true,
    });
  });
  const search = [];
  const dom = [];
  let noDomChange = 0;
  for (const q of QUERIES) {
    await input.fill('');
    await page.waitForTimeout(400);
    await page.evaluate(() => {
      performance.clearMeasures('kz:search');
      window.__kzKeys = [];
    });
    await input.focus();
    await page.keyboard.type(q, { delay: KEY_DELAY_MS });
    await page.waitForTimeout(600);
    const r = await page.evaluate(() => ({
      search: performance.getEntriesByName('kz:search', 'measure').map((e) => e.duration),
      keys: window.__kzKeys.map((k) => k.dom),
    }));
    search.push(...r.search);
    for (const d of r.keys) {
      if (d === null) noDomChange++;
      else dom.push(d);
    }
  }
  return { search, dom, noDomChange };
}

async function measureCatalog(browser, base, label) {
  const out = {};
  for (const rate of RATES) {
    const cold = [];
    let last;
    for (let i = 0; i < COLD_RUNS; i++) {
      const r = await coldLoad(browser, base, rate, i === 0);
      cold.push(r.run);
      if (last) await last.context.close();
      last = r;
      log(`${label} ${rate}x cold ${i + 1}/${COLD_RUNS}: app mounted ${r.run.app_mounted_ms} ms, idb save ${r.run.idb_save_ms} ms`);
    }
    const warm = await warmLoads(last.page, last.context, last.cdp, rate);
    log(`${label} ${rate}x warm offline: ${warm.map((w) => w.painted_local_ms).join(', ')} ms`);
    const search = [];
    const dom = [];
    let noDomChange = 0;
    for (let s = 0; s < TYPING_SESSIONS; s++) {
      const r = await typingSession(last.page);
      search.push(...r.search);
      dom.push(...r.dom);
      noDomChange += r.noDomChange;
    }
    await last.context.close();
    const med = (list, k) => round(median(list.map((x) => x[k])));
    out[`cpu_${rate}x`] = {
      online_cold: {
        painted_network_ms: med(cold, 'painted_network_ms'),
        results_dom_ms: med(cold, 'results_dom_ms'),
        app_mounted_ms: med(cold, 'app_mounted_ms'),
        fcp_ms: med(cold, 'fcp_ms'),
        idb_save_ms: med(cold, 'idb_save_ms'),
        runs: cold.map(({ js_heap_used_bytes, wasm_memory_bytes, ...rest }) => rest),
      },
      memory: { js_heap_used_bytes: cold[0].js_heap_used_bytes, wasm_memory_bytes: cold[0].wasm_memory_bytes },
      offline_warm: {
        painted_local_ms: med(warm, 'painted_local_ms'),
        results_dom_ms: med(warm, 'results_dom_ms'),
        app_mounted_ms: med(warm, 'app_mounted_ms'),
        runs: warm.map((w) => w.painted_local_ms),
      },
      search: {
        keystrokes: dom.length + noDomChange,
        search_ms: summary(search),
        keystroke_to_dom_ms: { ...summary(dom), without_dom_change: noDomChange },
      },
    };
    log(
      `${label} ${rate}x search p50/p95 ${out[`cpu_${rate}x`].search.search_ms.p50}/${out[`cpu_${rate}x`].search.search_ms.p95} ms, ` +
        `keystroke->DOM ${out[`cpu_${rate}x`].search.keystroke_to_dom_ms.p50}/${out[`cpu_${rate}x`].search.keystroke_to_dom_ms.p95} ms`,
    );
  }
  return out;
}

if (!args.synthetic) throw new Error('--synthetic CATALOG.json is required (the 10,000-certificate catalog)');
const dir = tempDir('kz-bench-browser-');
const browser = await chromium.launch({ executablePath: chromePath, args: chromeFlags, headless: true });
const result = {
  chromium: browser.version(),
  device: 'Pixel 7 (Playwright descriptor)',
  network: 'loopback, not throttled',
  queries: QUERIES,
  key_delay_ms: KEY_DELAY_MS,
  runs: { cold: COLD_RUNS, warm: WARM_RUNS, typing_sessions: TYPING_SESSIONS },
  catalogs: {},
  load_average: { before: loadAverage() },
};
try {
  const def = await startServer({ dataDir: join(dir, 'default'), demo: true });
  result.catalogs.default = await measureCatalog(browser, def.url, 'default');
  await def.stop();

  const synDb = { dataDir: join(dir, 'synthetic') };
  serverCli(['import', 'catalog', args.synthetic], synDb);
  const certificates = JSON.parse(readFileSync(args.synthetic, 'utf8')).certificates.length;
  const syn = await startServer({ ...synDb, demo: false });
  result.catalogs.synthetic = { certificates, ...(await measureCatalog(browser, syn.url, 'synthetic')) };
  await syn.stop();
} finally {
  await browser.close();
}
result.load_average.after = loadAverage();
writeJson(args.out || '/dev/stdout', result);
