import { Page } from '@playwright/test';
import { appStarted, test as base, expect } from './guarded';
import { Server } from './server';
import { api, openPlans, openRegister, scannedQr, signIn, token } from './support';

// Each test gets its own server, so ratings and registrations never leak between tests.
const test = base.extend<{ server: Server }>({
  server: async ({}, use) => {
    const server = new Server();
    await server.start();
    await use(server);
    await server.dispose();
  },
});

const state = (page: Page, planName: string) =>
  page.locator('.reg-card', { hasText: planName }).getByTestId('registration-state');

test('home shows progress towards the graduation expectation and the funded exam (seeds 001, 002)', async ({ page, server }) => {
  await signIn(page, server, 'TJ2024002');
  await page.goto(server.url);
  const panel = page.getByTestId('graduation');
  // The demo school's own (example) rule, “原则上” like Henan's: an expectation, not a hard condition.
  await expect(panel.getByTestId('grad-required')).toHaveText('原则上，毕业时至少取得 1 个职业技能证书（不是毕业的硬性条件）');
  await expect(panel.getByTestId('grad-counts')).toContainText('国家职业资格证书');
  await expect(panel.getByTestId('grad-held')).toHaveText('0');
  await expect(panel.getByTestId('grad-registered')).toHaveText('0');
  await expect(panel.getByTestId('grad-needed')).toHaveText('1');
  await expect(panel.getByTestId('grad-days')).toContainText('距毕业还有');
  await expect(panel.getByTestId('school-paid')).toHaveText('学校经费保障的考核（试点学生至少一次）：尚未使用');

  // Registering says the school funds it, then the home page counts it.
  const [plan] = await openPlans(server, { secondary: true });
  await openRegister(page, server, plan.id);
  await expect(page.getByTestId('uses-school-paid')).toBeVisible();
  await page.getByTestId('confirm-register').click();
  await expect(state(page, plan.name)).toHaveText('已确认');
  await page.goto(server.url);
  await expect(panel.getByTestId('grad-registered')).toHaveText('1');
  await expect(panel.getByTestId('grad-needed')).toHaveText('0');
  await expect(panel.getByTestId('school-paid')).toHaveText('学校经费保障的考核（试点学生至少一次）：已使用；是否再保障由学校决定');
});

async function openResult(page: Page, server: Server, name: RegExp) {
  await page.goto(`${server.url}/results`);
  await page.getByTestId('results-list').getByRole('link', { name }).click();
  await expect(page.getByTestId('feedback-form')).toBeVisible();
}

async function rate(page: Page, c: number, j: number, e: number) {
  for (const [dim, v] of [['content_quality', c], ['social_recognition', j], ['learning_effect', e]] as const) {
    // The ends are labelled with what they mean (“1 很差”, “5 很好”).
    await page.getByTestId(`rating-${dim}`).getByLabel(new RegExp(`^${v}`)).check();
  }
}

test('feedback written offline is sent once back online', async ({ page, context, server }) => {
  await signIn(page, server, 'TJ2024001');
  await openResult(page, server, /移动应用软件测试/);
  await rate(page, 5, 4, 3);
  await page.getByLabel('意见（可选，最多 500 字）').fill('实操环节组织得很好');
  await context.setOffline(true);
  await page.getByTestId('submit-feedback').click();
  await expect(page.getByTestId('feedback-state')).toHaveText('已保存，联网后发送。');
  await page.reload();
  await expect(page.getByTestId('feedback-state')).toHaveText('已保存，联网后发送。');
  await context.setOffline(false);
  await expect(page.getByTestId('feedback-state')).toHaveText('已提交。', { timeout: 20_000 });
  const mine = await api<{ feedback: any[] }>(server, '/feedback', { token: await token(server, 'TJ2024001') });
  expect(mine.feedback).toHaveLength(1);
  expect(mine.feedback[0].ratings).toEqual({ content_quality: 5, social_recognition: 4, learning_effect: 3 });
  expect(mine.feedback[0].comment).toBe('实操环节组织得很好');
});

test('ratings show as aggregates only from the fifth student on', async ({ page, server }) => {
  // The level 王晓明 failed has four ratings in the demo: hidden; his is the fifth.
  const t = await token(server, 'TJ2024001');
  const results = (await api<{ results: any[] }>(server, '/results', { token: t })).results;
  const failed = results.find((r) => !r.passed);
  const before = await api<any>(server, `/feedback/aggregates?certificate_id=${failed.certificate_id}`);
  expect(before.levels.find((l: any) => l.level === failed.level)).toBeUndefined();

  await signIn(page, server, 'TJ2024001');
  await page.goto(`${server.url}/certificates/${failed.certificate_id}`);
  const level = page.getByTestId('feedback-summary').locator(`li[data-level="${failed.level}"]`);
  await expect(level.getByTestId('feedback-hidden')).toContainText('至少 5 名学生');

  await page.goto(`${server.url}/results/${failed.registration_id}`);
  await rate(page, 4, 4, 4);
  await page.getByTestId('submit-feedback').click();
  await expect(page.getByTestId('feedback-state')).toHaveText('已提交。', { timeout: 20_000 });

  await page.goto(`${server.url}/certificates/${failed.certificate_id}`);
  await expect(level).toContainText('5 名学生');
  await expect(level.getByTestId('feedback-means').locator('li')).toHaveCount(3);
  await expect(level.getByTestId('feedback-hidden')).toHaveCount(0);
});

test('an employer checks a certificate from the QR link, without signing in', async ({ page, browser, server }) => {
  await signIn(page, server, 'TJ2024001');
  await page.goto(`${server.url}/results`);
  await page.getByTestId('results-list').getByRole('link', { name: /移动应用软件测试/ }).click();
  const url = await page.getByTestId('verify-url').innerText();
  const no = await page.getByTestId('certificate-no').innerText();
  expect(url).toContain(`/verify?no=${encodeURIComponent(no)}&check=`);
  // The employer's phone scans the code on screen and gets the same link.
  expect(await scannedQr(page.getByTestId('ticket-qr'))).toBe(url);

  // The plan's results are in public notice (公示): the student is told they may still change.
  await expect(page.getByTestId('result-provisional')).toHaveText('成绩公示中，结果可能调整；公示结束后为最终成绩。');

  // The employer's own browser: not the fixture's context, so its pages wait for the app to take
  // over the server's page here (until then the server's copy and the app's are both there).
  const employer = await browser.newContext();
  const p = await employer.newPage();
  await p.goto(url);
  await appStarted(p);
  // Genuine, but not “valid” until the notice period ends.
  await expect(p.getByTestId('verify-public-notice')).toBeVisible();
  await expect(p.getByTestId('verify-valid')).toHaveCount(0);
  await expect(p.getByTestId('verify-holder')).toHaveText('王**');
  await expect(p.getByTestId('verify-public-notice')).toContainText('移动应用软件测试职业技能等级证书');

  // Typed in: the number alone is not enough; a wrong name gets the same neutral answer as an
  // unknown number, the right name confirms it.
  await p.goto(`${server.url}/verify`);
  await appStarted(p);
  await p.getByLabel('证书编号').fill(no);
  await p.getByLabel('持证人姓名').fill('李四');
  await p.getByRole('button', { name: '查验' }).click();
  await expect(p.getByTestId('verify-unknown')).toBeVisible();
  await p.getByLabel('持证人姓名').fill('王晓明');
  await p.getByRole('button', { name: '查验' }).click();
  await expect(p.getByTestId('verify-public-notice')).toBeVisible();
  await employer.close();
});

test('a sync while the student is rating keeps what they chose', async ({ page, server }) => {
  await signIn(page, server, 'TJ2024001');
  await openResult(page, server, /移动应用软件测试/);
  await page.getByTestId('rating-content_quality').getByLabel('2', { exact: true }).check();
  await page.getByTestId('rating-social_recognition').getByLabel('3', { exact: true }).check();
  // Coming back to the tab syncs results again, which arrive unchanged.
  const synced = page.waitForResponse((r) => r.url().includes('/api/v1/results'));
  await page.evaluate(() => window.dispatchEvent(new Event('visibilitychange')));
  await synced;
  await page.waitForTimeout(300);
  await expect(page.getByTestId('rating-content_quality').getByLabel('2', { exact: true })).toBeChecked();
  await expect(page.getByTestId('rating-social_recognition').getByLabel('3', { exact: true })).toBeChecked();
});
