// Bytes: every asset of the release dist/ raw, gzip -9 and brotli -q 11, and the first-load total.
//
//   node bench/bytes.mjs --out FILE [--synthetic CATALOG.json]
//
// First-load total = what a first visit to `/` must download before the catalog can be shown:
// index.html + the wasm-bindgen JS glue + the WASM + the CSS, each as brotli -q 11 (the server sends
// the precompressed .br siblings scripts/build-app.sh writes), + the body of GET /api/v1/catalog as
// a running server sends it to `Accept-Encoding: br` (compressed on the fly by the server). Not
// counted: HTTP headers, sw.js, the manifest and icons, and the other API calls (plans, sites,
// rules); Lighthouse's total byte weight covers everything.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dist, log, parseArgs, startServer, tempDir, writeJson } from './lib/common.mjs';
import { request } from './lib/http.mjs';

const args = parseArgs();

// The CLI tools on files, not Node's zlib and not stdin: the budgets and the README speak of
// `gzip -9` and `brotli -q 11`, and brotli tunes itself to a file's size, so only the file form
// gives the bytes of the .br files the server sends (and bench/budgets.sh counts).
const gzipSize = (path) => execFileSync('gzip', ['-9', '-n', '-c', path], { maxBuffer: 1 << 30 }).length;
const brotliSize = (path) => execFileSync('brotli', ['-q', '11', '-c', path], { maxBuffer: 1 << 30 }).length;

function sizes(path) {
  return { raw: statSync(path).size, gzip: gzipSize(path), brotli: brotliSize(path) };
}

function kindOf(name) {
  if (name === 'index.html') return 'html';
  if (name.endsWith('.wasm')) return 'wasm';
  if (name === 'sw.js') return 'service-worker';
  if (name.endsWith('.js')) return 'js';
  if (name.endsWith('.css')) return 'css';
  return 'other';
}

const assets = readdirSync(dist)
  .filter((f) => !/\.(br|gz|dcz)$/.test(f) && statSync(join(dist, f)).isFile())
  .sort()
  .map((name) => ({ name, kind: kindOf(name), ...sizes(join(dist, name)) }));

// Which JS is the app's glue: the module index.html imports (embed.js and sw.js are not).
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const glue = (html.match(/from\s+'\/([^']+\.js)'/) || [])[1];
for (const a of assets) if (a.kind === 'js' && a.name !== glue) a.kind = 'other-js';

// The catalog as the API sends it, from a real server with the default catalog.
const dir = tempDir();
const server = await startServer({ dataDir: join(dir, 'var'), demo: false });
const catalog = {};
for (const enc of ['br', 'gzip', 'identity']) {
  const res = await request(`${server.url}/api/v1/catalog`, { headers: { 'accept-encoding': enc } });
  if (res.status !== 200) throw new Error(`GET /api/v1/catalog: HTTP ${res.status}`);
  catalog[enc] = { bytes: res.body.length, content_encoding: res.headers['content-encoding'] || 'identity' };
  if (enc === 'identity') catalog.json = res.body;
}
await server.stop();
const catalogFile = join(dir, 'catalog.json');
writeFileSync(catalogFile, catalog.json);
delete catalog.json;
const catalogApi = {
  served_br: catalog.br.bytes,
  served_br_encoding: catalog.br.content_encoding,
  served_gzip: catalog.gzip.bytes,
  raw: catalog.identity.bytes,
  // What the same JSON would weigh precompressed once at -q 11, for comparison with on-the-fly.
  brotli_q11: brotliSize(catalogFile),
  gzip_9: gzipSize(catalogFile),
};

const pick = (kind) => assets.filter((a) => a.kind === kind);
const parts = {
  html: pick('html'),
  js: pick('js'),
  wasm: pick('wasm'),
  css: pick('css'),
};
const sum = (list, k) => list.reduce((s, a) => s + a[k], 0);
const firstLoad = {
  definition:
    'index.html + JS glue + WASM + CSS as brotli -q 11 (the precompressed .br files the server sends) + GET /api/v1/catalog body as sent for Accept-Encoding: br; headers, sw.js, manifest, icons and the other API calls not counted',
  html: sum(parts.html, 'brotli'),
  js: sum(parts.js, 'brotli'),
  wasm: sum(parts.wasm, 'brotli'),
  css: sum(parts.css, 'brotli'),
  catalog: catalogApi.served_br,
};
firstLoad.total = firstLoad.html + firstLoad.js + firstLoad.wasm + firstLoad.css + firstLoad.catalog;
firstLoad.raw_total =
  sum(parts.html, 'raw') + sum(parts.js, 'raw') + sum(parts.wasm, 'raw') + sum(parts.css, 'raw') + catalogApi.raw;

// The .br files the server actually sends should be what brotli -q 11 makes now; a stale dist/
// would show here.
for (const a of assets) {
  try {
    a.served_br = statSync(join(dist, `${a.name}.br`)).size;
  } catch {
    /* not precompressed (png) */
  }
}

const out = { assets, catalog_api: catalogApi, first_load: firstLoad };
if (args.synthetic) {
  const s = sizes(args.synthetic);
  out.synthetic_catalog_file = { certificates: Number(args['synthetic-count'] || 10000), ...s };
}
log(`first load ${firstLoad.total} B brotli (wasm ${firstLoad.wasm} B, catalog ${firstLoad.catalog} B)`);
writeJson(args.out || '/dev/stdout', out);
