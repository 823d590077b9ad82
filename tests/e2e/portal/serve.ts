import { createServer, IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * A tiny web server for the demo portal's pages (tests/e2e/portal/*.html) on its own loopback port,
 * so they come from another origin than the app. `{{NAME}}` in a page is replaced by `vars.NAME`
 * when it is served (the app's origin and the loader's integrity hash are known only at run time).
 */
export class PortalServer {
  origin = '';
  readonly vars: Record<string, string> = {};
  private http?: HttpServer;

  /** `host` names the origin: `localhost` and `127.0.0.1` are different origins and sites. */
  constructor(private readonly host: 'localhost' | '127.0.0.1') {}

  async start(): Promise<string> {
    const http = createServer((req, res) => this.answer(req, res));
    this.http = http;
    await new Promise<void>((ok, fail) => {
      http.once('error', fail);
      // Chromium resolves `localhost` to loopback itself; IPv4 loopback serves both names.
      http.listen(0, '127.0.0.1', () => ok());
    });
    this.origin = `http://${this.host}:${(http.address() as AddressInfo).port}`;
    this.vars.SELF_ORIGIN = this.origin;
    return this.origin;
  }

  private answer(req: IncomingMessage, res: ServerResponse) {
    const name = new URL(req.url || '/', 'http://x').pathname.slice(1);
    // Only this directory's pages, by plain names: nothing else on disk is reachable.
    if (req.method !== 'GET' || !/^[a-z-]+\.html$/.test(name)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    let html: string;
    try {
      html = readFileSync(join(__dirname, name), 'utf8');
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const missing = [...html.matchAll(/\{\{([A-Z_]+)\}\}/g)].map((m) => m[1]).filter((k) => !(k in this.vars));
    if (missing.length) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`${name}: no value for ${missing.join(', ')}\n`);
      return;
    }
    html = html.replace(/\{\{([A-Z_]+)\}\}/g, (_, k: string) => this.vars[k]);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  }

  async close(): Promise<void> {
    const http = this.http;
    if (!http) return;
    http.closeAllConnections();
    await new Promise<void>((ok) => http.close(() => ok()));
  }
}
