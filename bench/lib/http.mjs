// Plain HTTP requests that see the bytes on the wire: fetch() would decode br/gzip and hide the
// size a phone actually downloads.
import http from 'node:http';

/** GET (or another method) and return { status, headers, body: Buffer } with the body as sent. */
export function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((ok, fail) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    if (body !== undefined) req.write(typeof body === 'string' ? body : JSON.stringify(body));
    req.end();
  });
}

/** A JSON API call; throws on an unexpected status. */
export async function api(base, path, { method = 'GET', token, body, expect = [200, 201] } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await request(`${base}/api/v1${path}`, { method, headers, body });
  if (!expect.includes(res.status)) {
    throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
  }
  return { status: res.status, json: res.body.length ? JSON.parse(res.body.toString()) : null };
}

/** Runs `fn` over `items` with at most `n` at once. */
export async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}
