import type { Browser, BrowserContext } from '@playwright/test';
import { test, expect } from './guarded';
import { api, signIn, token, serviceWorkerReady } from './support';
import { Server } from './server';

// After one visit, every page of the app opens with no network: the service worker keeps the plain
// shell and every file it names (the WASM the loader fetches after the first paint included), and
// the app draws each route from what it saved on the phone.
const server = new Server();
test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

test('every route opens offline after the first visit, signed in', async ({ page, context }) => {
  await page.goto(`${server.url}/`);
  await signIn(page, server, 'TJ2024001');
  await serviceWorkerReady(page);
  // The student's own records are on the phone (the registrations and results pages have drawn
  // them).
  await page.goto(`${server.url}/me/registrations`);
  await expect(page.getByTestId('ticket-no').first()).toBeVisible();
  // Results sync after registrations; the list is drawn from what is saved, so once it shows, the
  // phone holds them.
  await page.goto(`${server.url}/results`);
  await expect(page.getByTestId('results-list').locator('li').first()).toBeVisible();

  const t = await token(server, 'TJ2024001');
  const { certificates } = await api<{ certificates: { id: string }[] }>(server, '/catalog');
  const { plans } = await api<{ plans: { id: string }[] }>(server, '/plans');
  const { registrations } = await api<{ registrations: { client_id: string; status: string }[] }>(server, '/registrations', { token: t });
  const { results } = await api<{ results: { registration_id: string }[] }>(server, '/results', { token: t });
  const ticket = registrations.find((r) => r.status === 'confirmed')!.client_id;
  const routes = [
    '/',
    '/catalog',
    `/certificates/${certificates[0].id}`,
    '/verify',
    '/plans',
    '/grades',
    '/me',
    '/me/registrations',
    '/me/credits',
    `/register/${plans[0].id}`,
    `/tickets/${ticket}`,
    '/results',
    `/results/${results[0].registration_id}`,
  ];

  await server.stop();
  await context.setOffline(true);
  for (const route of routes) {
    await page.goto(`${server.url}${route}`);
    await expect(page.locator('#shell'), route).toHaveCount(0);
    const heading = page.locator('main h1').first();
    await expect(heading, route).toBeVisible();
    await expect(heading, route).not.toHaveText('页面不存在');
    await expect(page.getByTestId('network-state'), route).toHaveText('离线');
    // Drawn from the saved records: no "not found" for a plan, ticket, certificate or result.
    await expect(page.getByText(/没有找到/), route).toHaveCount(0);
  }
  await context.setOffline(false);
  await server.start();
});

/** A fresh context with a service worker, and how many times each path crossed the network. */
async function counted(browser: Browser): Promise<{ context: BrowserContext; fetched: Map<string, number> }> {
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  const fetched = new Map<string, number>();
  context.on('requestfinished', async (req) => {
    const res = await req.response();
    if (!res || res.fromServiceWorker()) return;
    const s = await req.sizes();
    // Only what crossed the network (a copy from the HTTP cache transfers nothing).
    if (s.responseHeadersSize + s.responseBodySize === 0) return;
    const path = new URL(req.url()).pathname;
    fetched.set(path, (fetched.get(path) ?? 0) + 1);
  });
  return { context, fetched };
}

test('a first visit downloads each built file once: the precache takes them from the HTTP cache', async ({ browser }) => {
  const { context, fetched } = await counted(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await expect
    .poll(() => page.evaluate(async () => (await (await caches.open('kz-shell-v1')).keys()).some((r) => r.url.endsWith('.wasm'))), { timeout: 30_000 })
    .toBe(true);
  await page.waitForLoadState('networkidle');
  const built = [...fetched].filter(([path]) => /-[0-9a-f]{12,}(_bg)?\.(wasm|js|css)$/.test(path));
  expect(built.map(([path]) => path.split('.').pop()).sort()).toEqual(['css', 'js', 'wasm']);
  for (const [path, times] of built) expect(times, `${path} was transferred ${times} times`).toBe(1);
  // The page icon too: the browser's request for it and the precache share one transfer.
  expect(fetched.get('/icon.svg') ?? 0, 'icon.svg transfers').toBeLessThanOrEqual(1);
  // The shell is complete once index.html is in (put after everything it references). What the
  // browser keeps itself when the app is installed (manifest, home-screen icons) is not in it, so a
  // weak network does not carry them for nothing; the page's own icon is.
  const cached = () => page.evaluate(async () => (await (await caches.open('kz-shell-v1')).keys()).map((r) => new URL(r.url).pathname));
  await expect.poll(cached, { timeout: 30_000 }).toContain('/index.html');
  const shell = await cached();
  expect(shell).toContain('/icon.svg');
  expect(shell.filter((p) => /manifest|icon-\d+\.png/.test(p))).toEqual([]);
  expect(fetched.has('/icon-512.png'), 'icon-512.png downloaded on a first visit').toBe(false);
  await context.close();
});

test('a first visit to an app route keeps the shell it was answered with: index.html is not downloaded again', async ({ browser }) => {
  const { context, fetched } = await counted(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/signin`);
  const cached = () => page.evaluate(async () => (await (await caches.open('kz-shell-v1')).keys()).map((r) => new URL(r.url).pathname));
  await expect.poll(cached, { timeout: 30_000 }).toContain('/index.html');
  await page.waitForLoadState('networkidle');
  expect(fetched.get('/signin'), 'the page itself').toBe(1);
  expect(fetched.has('/index.html'), 'index.html downloaded a second time').toBe(false);
  // What is kept is the plain shell, byte for byte what the server sends for index.html.
  const kept = await page.evaluate(async () => (await (await caches.open('kz-shell-v1')).match('/index.html'))!.text());
  expect(kept).toBe(await (await fetch(`${server.url}/index.html`)).text());
  // And it serves every app route offline, a page the server would have rendered included.
  await context.setOffline(true);
  for (const route of ['/me/registrations', '/catalog']) {
    await page.goto(`${server.url}${route}`);
    await expect(page.locator('main h1').first(), route).toBeVisible();
    await expect(page.getByTestId('network-state'), route).toHaveText('离线');
  }
  await context.close();
});
