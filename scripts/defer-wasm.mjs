// Rewrites Trunk's release dist/index.html so the WASM is fetched after the first paint instead of
// preloaded before it. The server renders the first screen into this page, so the student reads,
// browses and searches it from the HTML; a 500 KB preload that starts before that paint only
// competes with it on a weak network. A plain shell (no `kz-first` data, e.g. a portal's frame or an
// offline start) has nothing to show yet, so its loader fetches at once. The WASM stays pinned by
// the same sha384, now in the fetch's `integrity`. Usage: node scripts/defer-wasm.mjs dist/index.html
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
const html = readFileSync(file, 'utf8');
const fail = (why) => {
  console.error(`defer-wasm: ${file}: ${why}`);
  process.exit(1);
};

const preloads = [...html.matchAll(/<link\b[^>]*\brel="?preload"?[^>]*>/g)].filter((m) => /\.wasm\b/.test(m[0]));
if (preloads.length !== 1) fail(`expected one WASM preload link, found ${preloads.length}`);
const link = preloads[0][0];
const href = /\bhref="?([^"\s>]+)/.exec(link)?.[1];
const integrity = /\bintegrity="?([^"\s>]+)/.exec(link)?.[1];
if (!href || !integrity) fail(`the WASM preload has no href or integrity: ${link}`);

const call = `init({ module_or_path: '${href}' })`;
const calls = html.split(call).length - 1;
if (calls !== 1) fail(`expected one \`${call}\` in the loader, found ${calls}`);
// After the first contentful paint as the browser reports it (a frame's callback can run before the
// frame is on screen); a WebView without paint timing waits one frame instead.
const deferred =
  `init({ module_or_path: new Promise((r) => {` +
  ` const go = () => setTimeout(r, 0);` +
  ` if (!document.getElementById('kz-first')) r();` +
  ` else if (PerformanceObserver.supportedEntryTypes?.includes('paint'))` +
  ` new PerformanceObserver((l, o) => { if (l.getEntriesByName('first-contentful-paint').length) { o.disconnect(); go(); } })` +
  `.observe({ type: 'paint', buffered: true });` +
  ` else requestAnimationFrame(go); })` +
  `.then(() => fetch('${href}', { integrity: '${integrity}', credentials: 'same-origin' })) })`;

writeFileSync(file, html.replace(link, '').replace(call, deferred));
console.log(`defer-wasm: ${href} is fetched after the first paint (integrity ${integrity.slice(0, 15)}…)`);
