import { Page } from '@playwright/test';
import { test, expect } from './guarded';
import AxeBuilder from '@axe-core/playwright';
import { Server } from './server';
import { openPlans, signIn } from './support';

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

for (const scheme of ['light', 'dark'] as const) {
  test(`signed-in pages pass axe in the ${scheme} scheme`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await signIn(page, server, 'TJ2024001');
    await audit(page, `account (${scheme})`);
    const [plan] = await openPlans(server);
    await page.goto(`${server.url}/register/${plan.id}`);
    await expect(page.getByTestId('eligibility-ok').or(page.getByTestId('eligibility-refusals'))).toBeVisible();
    await audit(page, `register (${scheme})`);
    await page.goto(`${server.url}/me/registrations`);
    await expect(page.getByTestId('registrations')).toBeVisible();
    await audit(page, `registrations (${scheme})`);
    await page.getByRole('link', { name: '查看准考证' }).first().click();
    await expect(page.getByTestId('ticket')).toBeVisible();
    await audit(page, `ticket (${scheme})`);
    await page.goto(`${server.url}/results`);
    await expect(page.getByTestId('results-list')).toBeVisible();
    await audit(page, `results (${scheme})`);
    await page.getByTestId('results-list').getByRole('link').first().click();
    await expect(page.getByTestId('feedback-form')).toBeVisible();
    await audit(page, `result (${scheme})`);
    await page.goto(`${server.url}/me/credits`);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await audit(page, `credits (${scheme})`);
    await page.goto(`${server.url}/grades`);
    await expect(page.getByTestId('grade-answer')).toBeVisible();
    await audit(page, `grades (${scheme})`);
    await page.goto(`${server.url}/verify`);
    await audit(page, `verify (${scheme})`);
    await page.goto(`${server.url}/signin`);
    await audit(page, `sign-in (${scheme})`);
  });
}
