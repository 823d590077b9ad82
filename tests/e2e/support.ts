import { expect, BrowserContext, Locator, Page } from '@playwright/test';
import jsQR from 'jsqr';
import { Server } from './server';

/** Every demo account's password (printed by `serve --demo`, documented in the README). */
export const DEMO_PASSWORD = 'kaozheng-demo';

export interface Plan {
  id: string;
  name: string;
  certificate_id: string;
  level: 'primary' | 'intermediate' | 'advanced';
  province: string;
  state: string;
  seats_left: number;
  capacity: number;
  exam_starts_at: string;
  exam_ends_at: string;
}

export interface ServerRegistration {
  id: string;
  client_id: string;
  plan_id: string;
  status: 'confirmed' | 'cancelled';
  ticket_no: string;
  fee: { payer: string; reason: string; student_pays_fen: number };
}

/** A JSON API call from the test itself (not through the app). */
export async function api<T>(server: Server, path: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(`${server.url}/api/v1${path}`, { ...init, headers: { ...headers, ...(init.headers as object) } });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export async function token(server: Server, studentNo: string): Promise<string> {
  const r = await api<{ token: string }>(server, '/auth/login', {
    method: 'POST',
    body: JSON.stringify({ student_no: studentNo, password: DEMO_PASSWORD }),
  });
  return r.token;
}

export async function plans(server: Server): Promise<Plan[]> {
  return (await api<{ plans: Plan[] }>(server, '/plans')).plans;
}

export async function serverRegistrations(server: Server, studentNo: string): Promise<ServerRegistration[]> {
  const t = await token(server, studentNo);
  return (await api<{ registrations: ServerRegistration[] }>(server, '/registrations', { token: t })).registrations;
}

/** Open plans with seats, at levels a 中职 student may take (初级/中级), in the given province if any. */
export async function openPlans(server: Server, opts: { full?: boolean; secondary?: boolean } = {}): Promise<Plan[]> {
  return (await plans(server)).filter(
    (p) =>
      p.state === 'open' &&
      (opts.full ? p.seats_left === 0 : p.seats_left > 1) &&
      (!opts.secondary || p.level !== 'advanced'),
  );
}

/** Signs in through the app's own form. */
export async function signIn(page: Page, server: Server, studentNo: string) {
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('学号').fill(studentNo);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.getByTestId('profile')).toBeVisible();
}

/** A GET the test held back, with when it was asked for and when its answer was given. */
export interface HeldCall {
  path: string;
  start: number;
  end?: number;
}

/**
 * Holds each GET matching `pattern` back 400 ms before answering it, as on a weak network, and
 * records it: requests sent one after another are then never in flight together.
 */
export async function holdBack(page: Page, pattern: RegExp): Promise<HeldCall[]> {
  const calls: HeldCall[] = [];
  await page.route(pattern, async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const call: HeldCall = { path: new URL(route.request().url()).pathname, start: Date.now() };
    calls.push(call);
    await new Promise((r) => setTimeout(r, 400));
    await route.fulfill({ response: await route.fetch() });
    call.end = Date.now();
  });
  return calls;
}

/** Every call was asked for before any was answered. */
export function inFlightTogether(calls: HeldCall[]): boolean {
  return Math.max(...calls.map((c) => c.start)) < Math.min(...calls.map((c) => c.end ?? Infinity));
}

/**
 * Records, in order, the `data-testid` of each element matching `selector` the first time it is on
 * the page, from the page's first script on: a test can then tell what was ever shown, however
 * briefly. Call before `goto`; the returned function reads the record.
 */
export async function recordShown(page: Page, selector: string): Promise<() => Promise<string[]>> {
  await page.addInitScript((sel) => {
    const seen: string[] = [];
    (window as unknown as { shown: string[] }).shown = seen;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll(sel)) {
        const id = el.getAttribute('data-testid')!;
        if (!seen.includes(id)) seen.push(id);
      }
    }).observe(document, { childList: true, subtree: true });
  }, selector);
  return () => page.evaluate(() => (window as unknown as { shown: string[] }).shown);
}

/** Deletes the app's database from the page, as the browser does when it evicts site data. */
export async function deleteDatabase(page: Page) {
  await page.evaluate(
    () =>
      new Promise<void>((ok, fail) => {
        const req = indexedDB.deleteDatabase('kaozheng');
        req.onsuccess = () => ok();
        req.onerror = () => fail(req.error);
      }),
  );
}

/**
 * Waits until the service worker has finished its install (the shell and every file it names are
 * cached) and is active, so the next navigation or reload opens offline. Not `controller`: a page
 * whose navigation was under way when the worker claimed its clients can stay uncontrolled in
 * Chromium, while every later navigation is controlled.
 */
export async function serviceWorkerReady(page: Page) {
  // `waitForFunction` does not await a promise its predicate returns (a promise is truthy), so the
  // wait runs in the page: `ready` settles once the registration has an active worker, which may
  // still be activating.
  await page.evaluate(async () => {
    const worker = (await navigator.serviceWorker.ready).active!;
    if (worker.state === 'activated') return;
    await new Promise<void>((resolve) =>
      worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()),
    );
  });
}

/** Opens a plan's registration page and waits for the offline eligibility verdict. */
/**
 * What a phone's camera reads from a QR code on screen: the element as the browser drew it,
 * decoded by jsQR (its pixels are read in a blank page of the same context). `null` if it does not
 * decode.
 */
export async function scannedQr(code: Locator): Promise<string | null> {
  const png = await code.screenshot();
  const scratch = await code.page().context().newPage();
  try {
    const { data, width, height } = await scratch.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const g = canvas.getContext('2d')!;
      g.drawImage(img, 0, 0);
      return { data: Array.from(g.getImageData(0, 0, img.width, img.height).data), width: img.width, height: img.height };
    }, png.toString('base64'));
    return jsQR(Uint8ClampedArray.from(data), width, height)?.data ?? null;
  } finally {
    await scratch.close();
  }
}

export async function openRegister(page: Page, server: Server, planId: string) {
  await page.goto(`${server.url}/register/${planId}`);
  await expect(
    page.getByTestId('eligibility-ok').or(page.getByTestId('eligibility-full')).or(page.getByTestId('eligibility-refusals')),
  ).toBeVisible();
}

/** Counts personal records left in IndexedDB (session, registrations, outbox, results). */
export async function personalRecords(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const req = indexedDB.open('kaozheng');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const stores = ['session', 'registrations', 'outbox', 'results'];
          const tx = db.transaction(stores, 'readonly');
          let total = 0;
          let pending = stores.length;
          for (const s of stores) {
            const c = tx.objectStore(s).count();
            c.onsuccess = () => {
              total += c.result;
              if (--pending === 0) {
                db.close();
                resolve(total);
              }
            };
          }
        };
      }),
  );
}

/**
 * Opt-in watch over every page of a context: Content-Security-Policy violations (the
 * `securitypolicyviolation` event and Chromium's "Refused to …" console errors), uncaught page
 * errors and dialogs (`alert`, `confirm`: the app never opens one, injected script would). A spec
 * attaches it to its contexts and calls `expectClean()` at the end, so a violation anywhere in the
 * run fails the test that caused it.
 */
export class PageGuard {
  readonly violations: string[] = [];
  readonly pageErrors: string[] = [];
  readonly dialogs: string[] = [];

  async attach(context: BrowserContext): Promise<this> {
    await context.exposeBinding('__kzCspViolation', (_source, text: string) => {
      this.violations.push(text);
    });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as any).__kzCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    for (const page of context.pages()) this.watch(page);
    context.on('page', (page) => this.watch(page));
    return this;
  }

  private watch(page: Page) {
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to (execute|load|apply|connect|frame|evaluate)/.test(m.text())) {
        this.violations.push(m.text());
      }
    });
    page.on('pageerror', (e) => this.pageErrors.push(String(e)));
    page.on('dialog', (d) => {
      this.dialogs.push(`${d.type()}: ${d.message()}`);
      d.dismiss().catch(() => {});
    });
  }

  expectClean() {
    expect(this.violations, 'CSP violations').toEqual([]);
    expect(this.pageErrors, 'uncaught page errors').toEqual([]);
    expect(this.dialogs, 'dialogs opened').toEqual([]);
  }
}
