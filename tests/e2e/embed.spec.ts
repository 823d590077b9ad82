import { chromium, test, expect, Frame, FrameLocator, Page, Request } from '@playwright/test';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Server } from './server';
import { appStarted } from './guarded';
import { PortalServer } from './portal/serve';
import { serverRegistrations } from './support';

// The app on 127.0.0.1:<port>; an allowed portal on another port of the same host (another origin,
// the same site, so the widget keeps its storage); an allowed portal on another site (localhost:
// <port>), where the widget is a third-party frame; and pages on an origin on no allowlist.
const ISS = 'demo-portal';
const AUD = 'kaozheng';
const SECRET = 'demo-portal-secret-0123456789abcdef';
const BRAND = '#8a1538';
const RADIUS = '4px';

const loader = readFileSync(resolve(__dirname, '..', '..', 'public', 'embed.js'));
const INTEGRITY = `sha384-${createHash('sha384').update(loader).digest('base64')}`;

const portal = new PortalServer('127.0.0.1');
const crossSite = new PortalServer('localhost');
const intruder = new PortalServer('localhost');
let server: Server;
let configDir: string;

test.beforeAll(async () => {
  await portal.start();
  await crossSite.start();
  await intruder.start();
  configDir = mkdtempSync(join(tmpdir(), 'kz-portals-'));
  const portals = join(configDir, 'portals.json');
  const origins = [portal.origin, crossSite.origin];
  writeFileSync(portals, JSON.stringify([{ iss: ISS, secret: SECRET, aud: AUD, origins }]));
  server = new Server(['--portals', portals, '--frame-ancestor', portal.origin]);
  await server.start();
  // The portal pages include the loader with the integrity hash of public/embed.js, as the README
  // snippet does; a stale dist/ would make the browser refuse it, so say so here instead.
  const served = Buffer.from(await (await fetch(`${server.url}/embed.js`)).arrayBuffer());
  expect(served.equals(loader), 'dist/embed.js differs from public/embed.js: run scripts/build-app.sh').toBe(true);
  for (const p of [portal, crossSite]) {
    Object.assign(p.vars, { APP_ORIGIN: server.url, EMBED_INTEGRITY: INTEGRITY, FORGER_ORIGIN: intruder.origin });
  }
  Object.assign(intruder.vars, { APP_ORIGIN: server.url });
});

test.afterAll(async () => {
  await server?.dispose();
  await portal.close();
  await crossSite.close();
  await intruder.close();
  rmSync(configDir, { recursive: true, force: true });
});

/** An HS256 JWT as a portal backend signs it: iss, sub = student number, aud, exp, jti. */
function assertion(opts: { sub?: string; exp?: number; secret?: string; jti?: string } = {}): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const claims = {
    iss: ISS,
    sub: opts.sub ?? 'TJ2024001',
    aud: AUD,
    exp: opts.exp ?? Math.floor(Date.now() / 1000) + 120,
    jti: opts.jti ?? randomUUID(),
  };
  const data = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${data}.${createHmac('sha256', opts.secret ?? SECRET).update(data).digest('base64url')}`;
}

/** Exchanges an assertion directly with the server, as if it had been intercepted. */
async function exchange(token: string): Promise<number> {
  const res = await fetch(`${server.url}/api/v1/auth/embed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ assertion: token }),
  });
  return res.status;
}

const widget = (page: Page): FrameLocator => page.frameLocator('#kaozheng iframe');
const widgetElement = (page: Page) => page.locator('#kaozheng iframe');
const results = (w: FrameLocator) => w.getByTestId('results').locator('li');

async function widgetFrame(page: Page): Promise<Frame> {
  const frame = await (await widgetElement(page).elementHandle())!.contentFrame();
  if (!frame) throw new Error('the widget iframe has no frame');
  return frame;
}

/** Opens the demo portal and waits until the widget shows the catalog. */
async function openPortal(page: Page, hash = '', on: PortalServer = portal) {
  await page.goto(`${on.origin}/portal.html${hash}`);
  await expect(results(widget(page)).first()).toBeVisible({ timeout: 20_000 });
}

type PortalEvent = { type: string; detail: { student_no?: string; code?: string } };
const portalEvents = (page: Page) => page.evaluate(() => (window as unknown as { portalEvents: PortalEvent[] }).portalEvents);

async function signIn(page: Page, token: string) {
  expect(await page.evaluate((t) => (window as any).Kaozheng.signIn(t), token)).toBe(true);
}

/** Session records in the IndexedDB a page or the widget's frame sees. */
async function sessionRecords(frame: Frame): Promise<number> {
  return frame.evaluate(
    () =>
      new Promise<number>((ok, fail) => {
        const req = indexedDB.open('kaozheng');
        req.onerror = () => fail(req.error);
        req.onsuccess = () => {
          const db = req.result;
          try {
            // The signed-in session is the `current` record (the store also keeps the student's own
            // feedback once synced).
            const count = db.transaction('session', 'readonly').objectStore('session').count('current');
            count.onsuccess = () => {
              db.close();
              ok(count.result);
            };
            count.onerror = () => fail(count.error);
          } catch (e) {
            // No session store: the app never opened its database here.
            db.close();
            fail(e);
          }
        };
      }),
  );
}

/** Every assertion exchange the page (any of its frames) asks the server for. */
function exchanges(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url() === `${server.url}/api/v1/auth/embed`) seen.push(r);
  });
  return seen;
}

test('the widget loads inside the portal: catalog, English, no app chrome', async ({ page }) => {
  await openPortal(page);
  const w = widget(page);
  expect(await results(w).count()).toBeGreaterThan(1);
  await expect(w.getByRole('searchbox', { name: /Search certificates/ })).toBeVisible();
  await expect(w.locator('html')).toHaveAttribute('lang', 'en');
  await expect(w.locator('.app-header')).toHaveCount(0);
  await expect(w.locator('.app-footer')).toHaveCount(0);
  // Loaded through the documented snippet: the integrity-checked loader made exactly one frame,
  // titled as asked, pointing at the embed route with this portal as its parent.
  await expect(widgetElement(page)).toHaveCount(1);
  await expect(widgetElement(page)).toHaveAttribute('title', 'Kaozheng certificates');
  const src = new URL((await widgetElement(page).getAttribute('src'))!);
  expect(src.origin + src.pathname).toBe(`${server.url}/embed`);
  expect(src.searchParams.get('parent')).toBe(portal.origin);
  expect(src.searchParams.get('sections')).toBe('catalog,registration,grades');
  expect((await portalEvents(page)).map((e) => e.type)).toContain('kaozheng:ready');
});

test('the theme reaches the widget as CSS custom properties', async ({ page }) => {
  await openPortal(page);
  const first = results(widget(page)).first();
  const prop = (name: string) => first.evaluate((el, n) => getComputedStyle(el).getPropertyValue(n).trim(), name);
  await expect.poll(() => prop('--kz-brand')).toBe(BRAND);
  expect(await prop('--kz-radius')).toBe(RADIUS);
  expect(await prop('--kz-font')).toContain('Georgia');
});

test('the frame follows its content height, with no scrollbar inside', async ({ page }) => {
  await openPortal(page);
  const w = widget(page);
  const frame = await widgetFrame(page);
  const height = async () => (await widgetElement(page).boundingBox())!.height;
  const innerOverflow = () =>
    frame.evaluate(() => document.documentElement.scrollHeight - document.documentElement.clientHeight);

  // The whole first page of the catalog is taller than the portal's minimum of 200 px.
  await expect.poll(height).toBeGreaterThan(600);
  await expect.poll(innerOverflow).toBeLessThanOrEqual(1);
  const full = await height();

  await w.getByRole('searchbox', { name: /Search certificates/ }).fill('wqdkf');
  await expect(results(w)).toHaveCount(1);
  await expect.poll(height).toBeLessThan(full);
  await expect.poll(innerOverflow).toBeLessThanOrEqual(1);
  const one = await height();

  await w.getByRole('searchbox', { name: /Search certificates/ }).fill('');
  await expect.poll(() => results(w).count()).toBeGreaterThan(1);
  await expect.poll(height).toBeGreaterThan(one);
  await expect.poll(innerOverflow).toBeLessThanOrEqual(1);
});

test('portal sign-on: the assertion becomes a session and the registrations show', async ({ page }) => {
  const seen = exchanges(page);
  await openPortal(page);
  const frame = await widgetFrame(page);
  expect(await sessionRecords(frame)).toBe(0);

  await signIn(page, assertion());
  await expect(page.locator('#sso-status')).toHaveText('Signed in to Kaozheng as TJ2024001.');
  expect((await portalEvents(page)).filter((e) => e.type === 'kaozheng:signed-in')).toEqual([
    { type: 'kaozheng:signed-in', detail: { type: 'kz:signed-in', student_no: 'TJ2024001' } },
  ]);
  expect(seen).toHaveLength(1);
  await expect.poll(() => sessionRecords(frame)).toBe(1);

  // The student's registrations, reached through the widget's own tabs.
  const w = widget(page);
  await w
    .getByRole('link', { name: /^(my )?registrations$/i })
    .or(w.getByRole('tab', { name: /^(my )?registrations$/i }))
    .first()
    .click();
  const confirmed = (await serverRegistrations(server, 'TJ2024001')).filter((r) => r.status === 'confirmed');
  expect(confirmed.length).toBeGreaterThan(0);
  await expect(w.getByTestId('registrations').locator('.reg-card').first()).toBeVisible();
  for (const r of confirmed) {
    await expect(w.getByTestId('ticket-no').filter({ hasText: r.ticket_no })).toHaveCount(1);
  }
});

test('expired, wrongly signed and replayed assertions fail and start no session', async ({ page }) => {
  const seen = exchanges(page);
  await openPortal(page);
  const frame = await widgetFrame(page);
  const failures = async () => (await portalEvents(page)).filter((e) => e.type === 'kaozheng:sign-in-failed');

  await signIn(page, assertion({ exp: Math.floor(Date.now() / 1000) - 30 }));
  await expect.poll(async () => (await failures()).length).toBe(1);
  await signIn(page, assertion({ secret: 'another-portal-secret-0123456789ab' }));
  await expect.poll(async () => (await failures()).length).toBe(2);
  // An assertion someone already exchanged (its jti is spent) fails in the widget too.
  const replayed = assertion();
  expect(await exchange(replayed)).toBe(200);
  await signIn(page, replayed);
  await expect.poll(async () => (await failures()).length).toBe(3);

  for (const f of await failures()) expect(f.detail.code).toMatch(/^\w+$/);
  expect((await portalEvents(page)).some((e) => e.type === 'kaozheng:signed-in')).toBe(false);
  await expect(page.locator('#sso-status')).toHaveText(/^Kaozheng sign-in failed/);
  expect(seen).toHaveLength(3);
  for (const r of seen) expect((await r.response())!.status()).toBe(401);
  expect(await sessionRecords(frame)).toBe(0);
});

test('messages from a disallowed origin or of the wrong shape are ignored', async ({ page }) => {
  const seen = exchanges(page);
  const widgetWarnings: string[] = [];
  page.on('console', (m) => {
    // The widget's own warnings: from the app's origin, but not from the loader in the portal.
    const from = m.location().url;
    if (m.type() === 'warning' && from.startsWith(server.url) && !from.endsWith('/embed.js')) widgetWarnings.push(m.text());
  });
  const forged = assertion();
  // A frame from the disallowed origin, inside the allowed portal, hands the widget a valid
  // assertion and the portal fake widget messages (tests/e2e/portal/forger.html).
  await openPortal(page, `#forge=${encodeURIComponent(forged)}`);
  await page.waitForFunction(() => (window as any).forgerDone === true);
  const frame = await widgetFrame(page);
  expect(seen).toHaveLength(0);
  expect(await sessionRecords(frame)).toBe(0);
  expect((await portalEvents(page)).some((e) => e.type === 'kaozheng:signed-in')).toBe(false);
  // The forged 7 px height was not applied either.
  expect((await widgetElement(page).boundingBox())!.height).toBeGreaterThan(100);
  expect(widgetWarnings.length, 'the widget logs what it ignores').toBeGreaterThan(0);

  // The allowed portal itself, but not an assertion: a wrong shape is ignored and logged too.
  const before = widgetWarnings.length;
  await page.evaluate((app) => {
    const win = document.querySelector<HTMLIFrameElement>('#kaozheng iframe')!.contentWindow!;
    win.postMessage({ type: 'kz:assertion', assertion: 'not-a-jwt' }, app);
    win.postMessage({ type: 'kz:assertion', assertion: `${'a'.repeat(4100)}.b.c` }, app);
    win.postMessage({ type: 'kz:assertion' }, app);
  }, server.url);
  await expect.poll(() => widgetWarnings.length).toBeGreaterThanOrEqual(before + 3);
  expect(seen).toHaveLength(0);

  // The forged assertion was never spent: the widget did not exchange it...
  expect(await exchange(forged)).toBe(200);
  // ...and the widget was listening all along: the portal's own assertion works.
  await signIn(page, assertion());
  await expect(page.locator('#sso-status')).toHaveText('Signed in to Kaozheng as TJ2024001.');
  await expect.poll(() => sessionRecords(frame)).toBe(1);
});

test('a page on no allowlist cannot frame the app, and its messages go nowhere', async ({ page }) => {
  const seen = exchanges(page);
  const embedResponse = page.waitForResponse((r) => r.url().startsWith(`${server.url}/embed`));
  const token = assertion();
  await page.goto(`${intruder.origin}/intruder.html#${encodeURIComponent(token)}`);
  const res = await embedResponse;
  // The server answered, but its policy names only itself and the configured portals...
  const policy = (await res.headerValue('content-security-policy')) || '';
  const ancestors = policy.split(';').map((d) => d.trim()).find((d) => d.startsWith('frame-ancestors '));
  expect(ancestors!.split(' ').slice(1).sort()).toEqual(["'self'", portal.origin, crossSite.origin].sort());
  // ...so the browser shows no app in the frame.
  await page.waitForFunction(() => (window as any).frameLoaded === true);
  const frame = await (await page.locator('#kz').elementHandle())!.contentFrame();
  expect(frame!.url().startsWith(server.url)).toBe(false);
  await expect(page.frameLocator('#kz').locator('#shell, .app-header, [data-testid="results"]')).toHaveCount(0);
  // Given time to start, a framed widget would have said kz:ready or kz:height: nothing came.
  await page.waitForTimeout(2_000);
  const received = await page.evaluate(() => (window as any).received as { origin: string; data: unknown }[]);
  expect(received.filter((m) => m.origin === server.url)).toEqual([]);
  expect(seen).toHaveLength(0);
  expect(await exchange(token)).toBe(200);
  // The widget's allowlist is the same two portals, without this page.
  const config = await (await fetch(`${server.url}/api/v1/embed/config`)).json();
  expect(config).toEqual({ portal_origins: [portal.origin, crossSite.origin].sort() });
});

test('in a portal on another site, with third-party storage blocked, the widget still signs in', async ({ page }) => {
  await openPortal(page, '', crossSite);
  const frame = await widgetFrame(page);
  // Playwright's browser contexts, like Chrome's incognito windows, block third-party cookies and
  // with them the framed app's storage: the widget has none here.
  const storage = await frame.evaluate(
    () =>
      new Promise<string>((ok) => {
        const req = indexedDB.open('kz-probe');
        req.onsuccess = () => ok('available');
        req.onerror = () => ok('blocked');
      }),
  );
  expect(storage, 'precondition: Chromium denies a cross-site frame its storage').toBe('blocked');
  await expect(widget(page).getByRole('searchbox', { name: /Search certificates/ })).toBeVisible();

  await signIn(page, assertion());
  await expect(page.locator('#sso-status')).toHaveText('Signed in to Kaozheng as TJ2024001.');
  const w = widget(page);
  await w
    .getByRole('link', { name: /^(my )?registrations$/i })
    .or(w.getByRole('tab', { name: /^(my )?registrations$/i }))
    .first()
    .click();
  const confirmed = (await serverRegistrations(server, 'TJ2024001')).filter((r) => r.status === 'confirmed');
  await expect(w.getByTestId('ticket-no').filter({ hasText: confirmed[0].ticket_no })).toHaveCount(1);
});

test('in a portal on another site, the widget keeps its storage and session apart from the app', async () => {
  // A browser as students mostly have it: a profile that allows third-party cookies, where the
  // framed app gets storage partitioned by the portal's site (Playwright's contexts block
  // third-party cookies, and it launches Chromium with partitioning off: the last
  // --disable-features wins, so this list is Playwright's without ThirdPartyStoragePartitioning).
  const profile = mkdtempSync(join(tmpdir(), 'kz-profile-'));
  mkdirSync(join(profile, 'Default'));
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
  const { launchOptions, locale, timezoneId } = test.info().project.use;
  const args = [
    ...(launchOptions?.args ?? []),
    '--disable-features=AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,HttpsUpgrades,' +
      'HttpsFirstBalancedModeAutoEnable,MediaRouter,PaintHolding,AvoidCorsURLLoaderRestartOnRedirect,' +
      'OptimizationHints,NetworkTimeServiceQuerying,PreconnectToSearch',
  ];
  const context = await chromium.launchPersistentContext(profile, { ...launchOptions, args, locale, timezoneId });
  try {
    const page = await context.newPage();
    await openPortal(page, '', crossSite);
    const frame = await widgetFrame(page);
    await signIn(page, assertion());
    await expect(page.locator('#sso-status')).toHaveText('Signed in to Kaozheng as TJ2024001.');
    await expect.poll(() => sessionRecords(frame)).toBe(1);
    // Its service worker runs in that partition too, keeping the shell for offline use there.
    await expect
      .poll(() => frame.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.active)))
      .toBe(true);

    // Kaozheng at its own address, in the same browser: another partition, not signed in.
    const app = await context.newPage();
    await app.goto(`${server.url}/catalog`);
    await expect(app.getByTestId('results').locator('li').first()).toBeVisible();
    // The server's page is readable before the app runs; the app's database exists once it has.
    await appStarted(app);
    await expect(app.locator('#shell')).toHaveCount(0);
    expect(await sessionRecords(app.mainFrame())).toBe(0);
    // And the widget kept its session.
    expect(await sessionRecords(frame)).toBe(1);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
