import { Page } from '@playwright/test';
import { test, expect } from './guarded';
import { Server } from './server';
import { serviceWorkerReady } from './support';

// One server for the file: the tests run in order and share its demo data.
const server = new Server();
test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

const results = (page: Page) => page.getByTestId('results').locator('li');
const firstName = (page: Page) => results(page).first().locator('.cert-name');

async function openCatalog(page: Page) {
  await page.goto(`${server.url}/catalog`);
  await expect(results(page).first()).toBeVisible();
}

async function search(page: Page, text: string) {
  const box = page.getByRole('searchbox', { name: /搜索证书/ });
  await box.fill(text);
}

test('search finds certificates by Chinese, full pinyin and initials', async ({ page }) => {
  await openCatalog(page);
  const all = await results(page).count();
  expect(all).toBeGreaterThan(30);

  for (const q of ['前端', 'webqianduan', 'wqdkf', 'web前端kf']) {
    await search(page, q);
    await expect(firstName(page), `query ${q}`).toHaveText('Web前端开发');
  }
  await search(page, 'wlgl');
  await expect(firstName(page)).toHaveText('物流管理');
  // An organisation's name finds its certificates.
  await search(page, '科大讯飞');
  await expect(results(page)).toHaveCount(2);
  await expect(page.getByTestId('result-count')).toHaveText('共 2 个证书');
  // The query is kept in the address, so it survives a reload.
  await expect(page).toHaveURL(/q=%E7%A7%91/);
  await page.reload();
  await expect(results(page)).toHaveCount(2);
  await search(page, 'zzzzqqq');
  await expect(results(page)).toHaveCount(0);
  await expect(page.getByText('没有找到匹配的证书')).toBeVisible();
});

test('filters narrow the list by batch and level', async ({ page }) => {
  await openCatalog(page);
  await page.getByTestId('filter-batch').selectOption('1');
  await expect(page.getByTestId('result-count')).toHaveText('共 6 个证书');
  await page.getByTestId('filter-level').selectOption('3');
  const n = await results(page).count();
  expect(n).toBeLessThan(6);
  await page.getByRole('button', { name: '清除筛选' }).click();
  expect(await results(page).count()).toBeGreaterThan(30);
});

test('certificate detail shows levels, organisation and exam plans; deep link survives reload', async ({ page }) => {
  await openCatalog(page);
  await search(page, 'yunjisuanpingtai');
  await expect(firstName(page)).toHaveText('云计算平台运维与开发');
  await firstName(page).click();
  await expect(page).toHaveURL(/\/certificates\/c[0-9a-f]{12}$/);
  await expect(page.getByTestId('certificate-name')).toHaveText('云计算平台运维与开发职业技能等级证书');
  await expect(page.getByTestId('certificate-org')).toHaveText('南京第五十五所技术开发有限公司');
  for (const level of ['初级', '中级', '高级']) {
    await expect(page.getByRole('heading', { name: level, exact: true })).toBeVisible();
  }
  // Its demo exam plans, with window, site, fee and seats.
  const plans = page.getByTestId('certificate-plans').locator('.plan-card');
  await expect(plans.first()).toContainText('云计算平台运维与开发职业技能等级证书');
  await expect(plans.first()).toContainText('示例');
  await expect(plans.first()).toContainText('¥');
  await page.reload();
  await expect(page.getByTestId('certificate-name')).toHaveText('云计算平台运维与开发职业技能等级证书');
});

test('home lists open registration windows from the demo plans', async ({ page }) => {
  await page.goto(server.url);
  const open = page.getByTestId('open-windows');
  await expect(open.locator('.plan-card').first()).toBeVisible();
  await expect(open.locator('.plan-card').first()).toContainText('报名中');
  // Opening a plan's certificate shows that plan on the certificate page.
  const planName = await open.locator('.plan-name').first().innerText();
  await open.locator('.plan-cert').first().click();
  await expect(page.getByTestId('certificate-plans')).toContainText(planName);
});

test('English and dark mode can be switched and are remembered', async ({ page }) => {
  await openCatalog(page);
  await page.getByRole('button', { name: '切换到英文' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Certificate catalog');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  // The button says what a tap does, and the first tap changes what the student sees.
  await page.getByRole('button', { name: 'Switch to dark mode' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByRole('button', { name: 'Switch to light mode' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByRole('button', { name: 'Switch to dark mode' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Certificate catalog');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('a malformed catalog from the server is rejected and the last good one stays', async ({ page }) => {
  await openCatalog(page);
  const before = await results(page).count();
  await page.route('**/api/v1/catalog', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: '{"format": 1, "version": "x", "certificates": 7}' }),
  );
  // A rendered page brings its own catalog; a page the server does not render (报名) starts from the
  // phone's copy and asks the API for a newer one.
  await page.goto(`${server.url}/plans`);
  await expect(page.getByTestId('sync-problem')).toContainText('收到的证书目录有误');
  await page.getByRole('link', { name: '证书目录' }).first().click();
  await expect(page).toHaveURL(/\/catalog$/);
  await expect(results(page)).toHaveCount(before);
});

test('offline: with the server gone, a reload still shows the whole catalog', async ({ page, context }) => {
  await openCatalog(page);
  const before = await results(page).count();
  // The service worker must be active before the network goes away.
  await serviceWorkerReady(page);
  await server.stop();
  await context.setOffline(true);
  await page.reload();
  await expect(results(page)).toHaveCount(before);
  await expect(page.getByTestId('network-state')).toHaveText('离线');
  await expect(page.getByTestId('sync-problem')).toContainText('离线中');
  await search(page, 'wqdkf');
  await expect(firstName(page)).toHaveText('Web前端开发');
  // A deep link never visited before is answered by the cached shell too.
  await page.goto(`${server.url}/catalog?q=wlgl`);
  await expect(firstName(page)).toHaveText('物流管理');
  await context.setOffline(false);
  await server.start();
});
