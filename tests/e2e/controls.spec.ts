import { test as base, expect } from './guarded';
import { Server } from './server';
import { openPlans, openRegister, signIn } from './support';

// Controls and navigation (issue 16, items 9 and 10): the bottom tab bar with plans and certificate
// verification, the theme button, the storage warning, portal tabs and the search placeholder at 320 px.
const test = base.extend<{ server: Server }>({
  server: async ({}, use) => {
    const server = new Server();
    await server.start();
    await use(server);
    await server.dispose();
  },
});

test('the theme button says what it does and the first tap changes what the student sees', async ({ page, server }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(server.url);
  const button = page.getByRole('button', { name: '切换到深色模式' });
  await expect(button).toContainText('深色');
  const before = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await button.click();
  await expect.poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(before);
  await expect(page.getByRole('button', { name: '切换到浅色模式' })).toContainText('浅色');
  // A system already dark: the first tap goes light.
  await page.evaluate(() => localStorage.removeItem('kz.theme'));
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload();
  await page.getByRole('button', { name: '切换到浅色模式' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
});

test('the storage warning on 我的 shows only while something waits to be sent', async ({ page, context, server }) => {
  await context.addInitScript(() => {
    Object.defineProperty(navigator.storage, 'persisted', { value: async () => false });
    Object.defineProperty(navigator.storage, 'persist', { value: async () => false });
  });
  const [plan] = await openPlans(server, { secondary: true });
  await signIn(page, server, 'TJ2024002');
  await expect(page.getByTestId('profile')).toBeVisible();
  await page.waitForTimeout(500);
  await expect(page.getByTestId('storage-persisted')).toHaveCount(0);
  await openRegister(page, server, plan.id);
  await context.setOffline(true);
  await page.getByTestId('confirm-register').click();
  await expect(page.getByTestId('registrations')).toBeVisible();
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的' }).click();
  await expect(page.getByTestId('storage-persisted')).toHaveAttribute('data-state', 'denied');
  await context.setOffline(false);
  await expect(page.getByTestId('storage-persisted')).toHaveCount(0, { timeout: 20_000 });
});

test('the bottom tab bar holds every section on one line at 320 px and stays on screen', async ({ page, server }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto(`${server.url}/catalog`);
  const nav = page.getByRole('navigation', { name: '主导航' });
  for (const name of ['首页', '报名', '证书目录', '等级对应', '查验', '登录']) {
    await expect(nav.getByRole('link', { name })).toBeInViewport();
  }
  const tops = await nav.getByRole('link').evaluateAll((links) => links.map((l) => Math.round(l.getBoundingClientRect().top)));
  expect(new Set(tops).size, 'one row').toBe(1);
  await page.mouse.wheel(0, 5000);
  await expect(nav.getByRole('link', { name: '查验' })).toBeInViewport();
  await nav.getByRole('link', { name: '报名' }).click();
  await expect(page).toHaveURL(/\/plans$/);
  await nav.getByRole('link', { name: '查验' }).click();
  await expect(page).toHaveURL(/\/verify$/);
});

test('the search placeholder fits its box at 320 px', async ({ page, server }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of ['/', '/catalog']) {
    await page.goto(`${server.url}${path}`);
    const input = page.locator('input[type=search]').first();
    await expect(input).toBeVisible();
    const fits = await input.evaluate((el: HTMLInputElement) => {
      const s = getComputedStyle(el);
      const c = document.createElement('canvas').getContext('2d')!;
      c.font = `${s.fontSize} ${s.fontFamily}`;
      const room = el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
      return c.measureText(el.placeholder).width <= room;
    });
    expect(fits, path).toBe(true);
  }
});

test('the portal tabs fit one line at 320 px, in Chinese and English', async ({ page, server }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  for (const locale of ['zh-CN', 'en']) {
    await page.goto(`${server.url}/embed?locale=${locale}`);
    const nav = page.getByTestId('embed-nav');
    await expect(nav.getByRole('link')).toHaveCount(5);
    const fit = await nav.evaluate((n) => ({
      row: new Set([...n.querySelectorAll('a')].map((a) => Math.round(a.getBoundingClientRect().top))).size,
      overflow: n.scrollWidth > n.clientWidth || [...n.querySelectorAll('a')].some((a) => a.scrollWidth > a.clientWidth),
    }));
    expect(fit, locale).toEqual({ row: 1, overflow: false });
  }
});
