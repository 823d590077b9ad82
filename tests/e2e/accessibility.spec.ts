import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { Server } from './server';

// axe-core (WCAG 2.1 A/AA rules: labels, landmarks, contrast, names, ARIA) on every page, in both
// colour schemes and both languages.
const server = new Server();
test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

async function audit(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const problems = result.violations.map(
    (v) => `${what}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(problems).toEqual([]);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`pages pass axe in the ${scheme} scheme`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(server.url);
    await expect(page.locator('.plan-card').first()).toBeVisible();
    await audit(page, `home (${scheme})`);

    await page.goto(`${server.url}/catalog?q=yun`);
    await expect(page.getByTestId('results').locator('li').first()).toBeVisible();
    await audit(page, `catalog (${scheme})`);

    await page.getByTestId('results').locator('.cert-link').first().click();
    await expect(page.getByTestId('certificate-name')).toBeVisible();
    await audit(page, `certificate (${scheme})`);

    await page.goto(`${server.url}/no-such-page`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('页面不存在');
    await audit(page, `not found (${scheme})`);
  });
}

test('English pages pass axe and name the language', async ({ page }) => {
  await page.goto(`${server.url}/catalog?lang=en`);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('results').locator('li').first()).toBeVisible();
  await audit(page, 'catalog (en)');
});

test('keyboard: skip link first, then the main landmark receives focus on navigation', async ({ page }) => {
  await page.goto(`${server.url}/catalog`);
  await expect(page.getByTestId('results').locator('li').first()).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: '跳到主要内容' })).toBeFocused();
  await page.getByTestId('results').locator('.cert-link').first().click();
  await expect(page.getByTestId('certificate-name')).toBeVisible();
  await expect(page.locator('main')).toBeFocused();
});
