// Kaozheng service worker: keeps the app shell (index.html, the hashed JS/WASM/CSS it references,
// the page icon) available offline. Data does not go through here: the app keeps it in IndexedDB
// and asks the API itself, so API requests pass straight to the network.
'use strict';

const CACHE = 'kz-shell-v1';
// A navigation waits this long for the network before answering from the cache (weak networks).
const NAVIGATION_TIMEOUT_MS = 4000;
const STATIC = ['/icon.svg'];
// What the browser itself keeps when the app is installed (the manifest and the home-screen
// icons): not precached, so a first visit on a weak network does not download them for nothing.
const INSTALL_ONLY = new Set(['/manifest.webmanifest', '/icon-192.png', '/icon-512.png']);

// Same-origin files index.html references (hashed by Trunk, so a new build means new names). Links
// to app routes (no file extension, e.g. `/catalog`) are pages, not files of the shell.
function referencedAssets(html) {
  const urls = new Set();
  // Quoted or not: the release index.html is minified (`href=/main-….css`).
  for (const m of html.matchAll(/\b(?:href|src)=("?)(\/[^"\s>]+)\1/g)) {
    if (!m[2].startsWith('//') && /\.[a-z0-9]+$/i.test(m[2].split(/[?#]/)[0])) urls.add(m[2]);
  }
  for (const m of html.matchAll(/from\s+'(\/[^']+)'/g)) urls.add(m[1]);
  for (const m of html.matchAll(/module_or_path:\s*'(\/[^']+)'/g)) urls.add(m[1]);
  // The release loader fetches the WASM itself after the first paint (scripts/defer-wasm.mjs).
  for (const m of html.matchAll(/fetch\('(\/[^']+)'/g)) urls.add(m[1]);
  return [...urls].filter((u) => !INSTALL_ONLY.has(u));
}

// Fetches index.html and everything it references into the cache, then drops what the new
// index.html no longer references. Throws if index.html cannot be fetched. `fresh` is an index.html
// response already in hand (a navigation), saving a second request.
async function cacheShell(fresh) {
  const cache = await caches.open(CACHE);
  const res = fresh || (await fetch('/index.html', { cache: 'no-cache' }));
  if (!res.ok) throw new Error(`index.html: HTTP ${res.status}`);
  const html = await res.clone().text();
  const assets = [...new Set(referencedAssets(html).concat(STATIC))];
  await Promise.all(
    assets.map(async (url) => {
      if (await cache.match(url)) return;
      // From the HTTP cache when the page has just loaded it, not the network again: Trunk names
      // the files it builds after their content (`main-<hash>.css`), so a copy is that very file;
      // the page icon is kept an hour (`max-age=3600`), the server's word on how fresh it must be.
      const r = await fetch(url, { cache: 'default' });
      if (r.ok) await cache.put(url, r);
    }),
  );
  await cache.put('/index.html', res);
  const keep = new Set(assets.concat('/index.html').map((u) => new URL(u, self.location.origin).href));
  for (const req of await cache.keys()) {
    if (!keep.has(req.url)) await cache.delete(req);
  }
}

// A plain shell is cached as it is; a page the server rendered (it embeds `kz-first`) only tells
// whether the build changed: if it references files the cache lacks, the plain shell is fetched.
async function refreshShell(res) {
  const html = await res.clone().text();
  if (!html.includes('id="kz-first"')) return cacheShell(res);
  const cache = await caches.open(CACHE);
  for (const url of referencedAssets(html)) {
    if (!(await cache.match(url))) return cacheShell(null);
  }
  if (!(await cache.match('/index.html'))) return cacheShell(null);
}

// A first visit that landed on an app route (`/signin`, `/registrations`, …) was answered with
// index.html itself, and the HTTP cache holds that answer: the shell is taken from there rather
// than downloaded again (1.8 KB on a weak network). Only from the cache, never the network; a page
// the server rendered is not the shell, so then index.html is fetched as before. Only on the first
// install: when a new release installs, the open pages are the old release's.
async function shellInHand() {
  if (self.registration.active) return null;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const w of windows) {
    const url = new URL(w.url);
    if (url.origin !== self.location.origin || url.pathname.startsWith('/staff')) continue;
    try {
      const res = await fetch(url.href, { cache: 'only-if-cached', mode: 'same-origin' });
      const html = res.ok && (res.headers.get('content-type') || '').includes('text/html');
      if (html && !(await res.clone().text()).includes('id="kz-first"')) return res;
    } catch {
      // Not in the HTTP cache: look at the next window, or fetch index.html.
    }
  }
  return null;
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    shellInHand()
      .then((res) => cacheShell(res))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms));
}

async function navigate(request) {
  const cache = await caches.open(CACHE);
  try {
    const res = await Promise.race([fetch(request), timeout(NAVIGATION_TIMEOUT_MS)]);
    // Every app route is index.html, some with their first screen rendered in: keep the shell
    // current in the background (a rendered page is never cached as the shell).
    if (res.ok && (res.headers.get('content-type') || '').includes('text/html')) {
      refreshShell(res.clone()).catch(() => {});
      return res;
    }
    if (res.status < 500) return res;
    throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    const cached = await cache.match('/index.html');
    if (cached) return cached;
    throw err;
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const res = await fetch(request);
  if (res.ok && res.type === 'basic') cache.put(request, res.clone());
  return res;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return;
  // The staff page is the server's own, not the app: its pages must never become the app shell.
  if (url.pathname === '/staff' || url.pathname.startsWith('/staff/')) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request));
  } else if (url.pathname !== '/sw.js') {
    event.respondWith(asset(request));
  }
});
