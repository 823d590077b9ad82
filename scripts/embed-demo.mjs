#!/usr/bin/env node
// Serves the demo portal page (tests/e2e/portal/portal.html) on its own loopback port, embedding
// the app from another origin as a school's portal would, with the README's script snippet.
//   node scripts/embed-demo.mjs --app http://127.0.0.1:8080 --port 8081
// scripts/run.sh --embed-demo starts it next to the server (which then allows that portal as a
// frame ancestor). Only portal.html is served; nothing else on disk is reachable.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const app = arg('--app', 'http://127.0.0.1:8080').replace(/\/$/, '');
const port = Number(arg('--port', '8081'));
const integrity = `sha384-${createHash('sha384').update(readFileSync(join(root, 'public', 'embed.js'))).digest('base64')}`;
const self = `http://127.0.0.1:${port}`;
const vars = { APP_ORIGIN: app, EMBED_INTEGRITY: integrity, FORGER_ORIGIN: self, SELF_ORIGIN: self };
const page = readFileSync(join(root, 'tests', 'e2e', 'portal', 'portal.html'), 'utf8').replace(
  /\{\{([A-Z_]+)\}\}/g,
  (_, k) => vars[k],
);

createServer((req, res) => {
  const path = new URL(req.url || '/', 'http://x').pathname;
  if (req.method !== 'GET' || (path !== '/' && path !== '/portal.html')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
}).listen(port, '127.0.0.1', () => console.log(`embed demo: the portal page is ${self}/ (the app embedded from ${app})`));
