import { BrowserContext, Request, Route } from '@playwright/test';
import { Rng } from './prng';

/** What happens to the app's next requests to `/api/v1/registrations…`. */
export type Mode = 'pass' | 'error500' | 'drop-after-commit' | 'timeout' | 'hold';

interface Held {
  route: Route;
  /** Forwarded to the server when released (it arrives late), or dropped. */
  forward: boolean;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

/**
 * Fault injection on loopback by route interception (the API does not go through the service
 * worker, so every app request to it passes here):
 * - `error500`: answered 500 before the server sees it;
 * - `drop-after-commit`: sent to the server, which commits and answers, then the connection
 *   fails so the app never sees the answer;
 * - `timeout`: fails as a timed-out request, server not reached;
 * - `hold`: kept pending (the page reloads meanwhile); released later, either forwarded to the
 *   server (arriving late, after the page sent it again) or dropped.
 */
export class FaultyNetwork {
  mode: Mode = 'pass';
  readonly injected = { error500: 0, dropAfterCommit: 0, timeout: 0, held: 0, lateArrivals: 0 };
  private held: Held[] = [];

  constructor(private readonly rng: Rng) {}

  async install(context: BrowserContext) {
    await context.route('**/api/v1/registrations**', (route) => this.handle(route));
  }

  get holding(): number {
    return this.held.length;
  }

  private async handle(route: Route) {
    const mode = this.mode;
    if (mode === 'pass') return route.continue();
    if (mode === 'error500') {
      this.injected.error500++;
      return route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: '{"error":{"code":"internal","message":"injected fault","message_zh":"注入的故障"}}',
      });
    }
    if (mode === 'timeout') {
      this.injected.timeout++;
      return route.abort('timedout');
    }
    if (mode === 'drop-after-commit') {
      this.injected.dropAfterCommit++;
      try {
        await route.fetch();
      } finally {
        await route.abort('connectionreset').catch(() => {});
      }
      return;
    }
    this.injected.held++;
    this.held.push({ route, forward: this.rng.chance(0.5), ...(await copy(route.request())) });
  }

  /** Forwards or drops every held request (each as decided when it was held). */
  async release() {
    const held = this.held.splice(0);
    for (const h of held) {
      if (h.forward) {
        this.injected.lateArrivals++;
        await fetch(h.url, { method: h.method, headers: h.headers, body: h.body ?? undefined }).catch(() => {});
      }
      await h.route.abort('connectionreset').catch(() => {});
    }
  }
}

/** What the server needs to receive the request again from here (the page may be gone). */
async function copy(req: Request) {
  const all = await req.allHeaders();
  const headers: Record<string, string> = {};
  for (const k of ['authorization', 'content-type', 'accept']) if (all[k]) headers[k] = all[k];
  return { method: req.method(), url: req.url(), headers, body: req.postData() };
}
