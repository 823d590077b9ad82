import { test, expect, appStarted } from './guarded';
import { Page } from '@playwright/test';
import { api, deleteDatabase, holdBack, token } from './support';
import { Server } from './server';

// The public pages arrive rendered by the server: readable before the WASM, usable without it,
// and the app takes their place without anything moving.
const server = new Server();
test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

type Frame = { pages: number; cards: number; shell: boolean };

/**
 * Records every frame from when the server's page is whole: how many pages and catalog cards are
 * on screen, and whether the server's copy is still there. Call before `goto`; the returned
 * function reads the record.
 */
async function recordFrames(page: Page): Promise<() => Promise<Frame[]>> {
  await page.addInitScript(() => {
    const frames: Frame[] = [];
    (window as any).__frames = frames;
    const shown = (sel: string) => [...document.querySelectorAll(sel)].filter((e) => e.getClientRects().length > 0).length;
    const tick = () => {
      if (document.readyState !== 'loading') {
        frames.push({ pages: shown('main'), cards: shown('.cert-list > li'), shell: !!document.getElementById('shell') });
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return () => page.evaluate(() => (window as any).__frames as Frame[]);
}

/** The server's copy, then the app's, each frame one whole page with all `cards`. */
function expectWhole(frames: Frame[], cards: number) {
  expect(frames.filter((f) => f.shell).length).toBeGreaterThan(0);
  expect(frames.filter((f) => !f.shell).length).toBeGreaterThan(0);
  for (const f of frames) {
    expect(f.pages, JSON.stringify(f)).toBe(1);
    expect(f.cards, JSON.stringify(f)).toBe(cards);
  }
}

/** The catalog the phone says it holds (`kz-catalog`), or '' when it says none. */
async function catalogCookie(page: Page): Promise<string> {
  return (await page.context().cookies()).find((c) => c.name === 'kz-catalog')?.value ?? '';
}

test('without JavaScript the catalog, its search, a certificate and verification still work', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${server.url}/catalog`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('证书目录');
  await page.getByRole('searchbox', { name: /搜索证书/ }).fill('wlgl');
  await page.getByRole('searchbox', { name: /搜索证书/ }).press('Enter');
  await expect(page).toHaveURL(/\/catalog\?q=wlgl/);
  await expect(page.getByTestId('result-count')).toHaveText('共 1 个证书');
  await page.getByTestId('results').getByRole('link').first().click();
  await expect(page).toHaveURL(/\/certificates\//);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('物流管理');
  await expect(page.getByRole('region', { name: '等级' })).toBeVisible();
  await expect(page.getByRole('region', { name: '考核计划' })).toBeVisible();

  // 王晓明's certificate, checked by number and name through the plain form.
  const results = await api<{ results: { certificate_no?: string }[] }>(server, '/results', {
    token: await token(server, 'TJ2024001'),
  });
  const no = results.results.find((r) => r.certificate_no)!.certificate_no!;
  await page.goto(`${server.url}/verify`);
  await page.getByLabel('证书编号').fill(no);
  await page.getByLabel('持证人姓名').fill('王晓明');
  await page.getByRole('button', { name: '查验' }).click();
  await expect(page.getByTestId('verify-holder')).toHaveText('王**');
  await context.close();
});

test('when the app cannot load, the rendered page still browses and searches', async ({ page, guard }) => {
  await page.route(/\.wasm$/, (route) => route.abort());
  await page.goto(`${server.url}/`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.getByRole('searchbox').first().fill('前端');
  await page.getByRole('searchbox').first().press('Enter');
  await expect(page).toHaveURL(/\/catalog\?q=/);
  await expect(page.getByTestId('results').locator('li').first()).toContainText('Web前端开发');
  // The loader's failed downloads are the only errors, and they are the point of this test.
  expect(guard.pageErrors.every((e) => /Failed to fetch/.test(e))).toBe(true);
  guard.pageErrors.length = 0;
});

test('the app takes over the rendered page without a layout shift and keeps what was typed', async ({ page }) => {
  // Hold the WASM back until the page is on screen and the student has started typing.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(/\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.addInitScript(() => {
    (window as any).__shift = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as any[]) if (!e.hadRecentInput) (window as any).__shift += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  // The frame's own goto: the page's waits for the app, which is held back here.
  await page.mainFrame().goto(`${server.url}/catalog`, { waitUntil: 'domcontentloaded' });
  const box = page.getByRole('searchbox', { name: /搜索证书/ });
  await expect(box).toBeVisible();
  await expect(page.locator('#shell')).toHaveCount(1);
  await box.fill('wlgl');
  await box.focus();
  release();
  await appStarted(page);
  await expect(page.locator('#shell')).toHaveCount(0);
  // The app's search box has the text, the focus, and the app's answer to it.
  await expect(box).toHaveValue('wlgl');
  await expect(box).toBeFocused();
  await expect(page.getByTestId('result-count')).toHaveText('共 1 个证书');
  const shift = await page.evaluate(() => (window as any).__shift as number);
  expect(shift).toBeLessThanOrEqual(0.01);
});

test('after taking over a rendered page the app fetches only what the page did not embed: the five rule documents, in one request', async ({ page }) => {
  const calls = await holdBack(page, /\/api\/v1\//);
  await page.goto(`${server.url}/`);
  await expect.poll(() => calls.filter((c) => c.end).map((c) => c.path), { timeout: 15_000 }).toEqual(['/api/v1/rules']);
  // The catalog, plans and sites came in the page, read by the server a moment ago.
  await page.waitForTimeout(1000);
  expect(calls.map((c) => c.path)).toEqual(['/api/v1/rules']);
  await expect(page.getByTestId('sync-problem')).toHaveCount(0);
  // All five arrived: the grade checker answers, and the rules are on the phone for offline.
  const stored = await page.evaluate(
    () =>
      new Promise<string[]>((ok, fail) => {
        const open = indexedDB.open('kaozheng');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('rules').objectStore('rules').getAllKeys();
          req.onsuccess = () => ok((req.result as IDBValidKey[]).map(String).sort());
          req.onerror = () => fail(req.error);
        };
      }),
  );
  expect(stored).toEqual(['credits', 'eligibility', 'fees', 'grades', 'graduation']);
});

test('the app is drawn behind the rendered page and shown whole: no frame shows both, neither or a part', async ({ page }) => {
  // A slow phone, so the app's start-up steps (src/state/startup.rs) span several frames.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const frames = await recordFrames(page);
  await page.goto(`${server.url}/catalog`);
  await expect(page.locator('#shell')).toHaveCount(0);
  const cards = await page.locator('.cert-list > li').count();
  expect(cards).toBeGreaterThan(4);
  expectWhole(await frames(), cards);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
});

test('a phone that holds the catalog is not sent it again, and the app takes over with the same list', async ({ page }) => {
  await page.goto(`${server.url}/catalog`);
  const cards = await page.locator('.cert-list > li').count();
  expect(cards).toBeGreaterThan(4);
  // Once the catalog is in IndexedDB, the phone says which one it holds.
  await expect.poll(() => catalogCookie(page)).toContain('W%2F');

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const frames = await recordFrames(page);
  const html = page.waitForResponse((r) => r.url().endsWith('/catalog') && r.request().resourceType() === 'document');
  await page.reload();
  const body = await (await html).text();
  const data = JSON.parse(body.split('id="kz-first">')[1].split('</script>')[0]);
  expect(data.catalog).toBeUndefined();
  expect(data.plans).toBeDefined();
  await expect(page.locator('#shell')).toHaveCount(0);
  // Every frame, the server's copy and then the app's, shows the whole list: the app waited for
  // the catalog it read from IndexedDB before taking over.
  expectWhole(await frames(), cards);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await page.getByRole('searchbox', { name: /搜索证书/ }).fill('wlgl');
  await expect(page.getByTestId('result-count')).toHaveText('共 1 个证书');
});

test('a phone that lost the catalog it named (storage evicted, cookie kept) keeps the rendered page until it has it again', async ({ page }) => {
  await page.goto(`${server.url}/catalog`);
  const cards = await page.locator('.cert-list > li').count();
  await expect.poll(() => catalogCookie(page)).not.toBe('');
  // Evicted as the browser evicts site data: the database goes, the cookie stays. From a page of
  // the same origin that is not the app, so no connection holds the database open.
  await page.goto(`${server.url}/api/v1/catalog`);
  await deleteDatabase(page);
  const frames = await recordFrames(page);
  const html = page.waitForResponse((r) => r.url().endsWith('/catalog') && r.request().resourceType() === 'document');
  await page.goto(`${server.url}/catalog`);
  expect(await (await html).text()).not.toContain('"catalog":');
  await expect(page.locator('#shell')).toHaveCount(0);
  // The app downloaded the catalog again and showed the list in every frame meanwhile.
  expectWhole(await frames(), cards);
  await expect(page.getByTestId('sync-problem')).toHaveCount(0);
});

test('the WASM is fetched only after the rendered page has painted, and a tampered one never runs', async ({ browser }) => {
  const context = await browser.newContext({ serviceWorkers: 'block', locale: 'zh-CN' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  let paintedBeforeFetch: boolean | undefined;
  await page.route(/\.wasm$/, async (route) => {
    paintedBeforeFetch = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint').length === 1,
    );
    const res = await route.fetch();
    const body = Buffer.concat([await res.body(), Buffer.from([0])]);
    await route.fulfill({ response: res, body });
  });
  await page.goto(`${server.url}/catalog`);
  await expect.poll(() => errors.join('\n'), { timeout: 10_000 }).toMatch(/integrity/i);
  expect(paintedBeforeFetch).toBe(true);
  // The server's page stays, usable, and the app never replaced it.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('证书目录');
  await expect(page.locator('#shell')).toHaveCount(1);
  await context.close();
});

test('without JavaScript the language and theme buttons still work, and the next page keeps them', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${server.url}/catalog`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('证书目录');
  await page.getByRole('button', { name: '切换到英文' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Certificate catalog');
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  // A link without the query: the cookies the server set keep both.
  await page.getByTestId('results').getByRole('link').first().click();
  await expect(page).toHaveURL(/\/certificates\//);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await context.close();
});
