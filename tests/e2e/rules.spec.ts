import { Page } from '@playwright/test';
import { test, expect } from './guarded';
import { Server } from './server';
import { signIn, serviceWorkerReady } from './support';

const server = new Server();
test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

async function ask(page: Page, level: string, school: string, province: string, route: string) {
  await page.getByTestId('grade-level').selectOption(level);
  await page.getByTestId('grade-school').selectOption(school);
  await page.getByTestId('grade-province').selectOption(province);
  await page.getByTestId('grade-route').selectOption(route);
}

test('the grade checker answers the Henan rules of seed 001 offline, without signing in', async ({ page, context }) => {
  await page.goto(`${server.url}/grades`);
  await expect(page.getByTestId('grade-answer')).toBeVisible();
  await serviceWorkerReady(page);
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('grade-answer')).toBeVisible();

  // Direct recognition: 1+X 高级 or 中级 → 三级/高级工; 初级 → 四级/中级工.
  for (const [level, grade] of [['advanced', '三级 / 高级工'], ['intermediate', '三级 / 高级工'], ['primary', '四级 / 中级工']]) {
    await ask(page, level, 'higher', '河南', 'direct_recognition');
    await expect(page.getByTestId('grade'), level).toHaveText(grade);
  }
  await expect(page.getByTestId('citation').first()).toContainText('河南省教育厅');
  await expect(page.getByTestId('citation').first()).toContainText('取得1+X高级、中级证书的认定高级工');
  // Seed 001 二(一): the school's own evaluation body, filed with the human-resources department;
  // the plan runs “到2025年”, so after it the student is asked to confirm with the school.
  await expect(page.getByTestId('prerequisites')).toContainText('人力资源社会保障部门备案');
  await expect(page.getByTestId('period-over')).toContainText('2025-12-31');

  // Process assessment (课证融通): 本科/专科 → 高级工; 中职 → 中级工.
  await ask(page, 'intermediate', 'undergraduate', '河南', 'process_assessment');
  await expect(page.getByTestId('grade')).toHaveText('三级 / 高级工');
  await ask(page, 'intermediate', 'secondary', '河南', 'process_assessment');
  await expect(page.getByTestId('grade')).toHaveText('四级 / 中级工');

  // The exam route is described, not given a grade; 中职 students hear about the 高级工 exam.
  await ask(page, 'intermediate', 'secondary', '河南', 'exam');
  await expect(page.getByTestId('grade')).toHaveCount(0);
  await expect(page.getByTestId('grade-summary')).toContainText('考试考核');

  // No rule for Tianjin: said plainly, with the national ladder instead of a guess.
  await ask(page, 'intermediate', 'higher', '天津', 'direct_recognition');
  await expect(page.getByTestId('grade-summary')).toContainText('暂无天津');
  await expect(page.getByTestId('grade')).toHaveCount(0);
  await expect(page.getByTestId('ladder').locator('> li')).toHaveCount(5);
});

test('my credit bank shows the demo student’s conversions, refusals and caps', async ({ page }) => {
  await signIn(page, server, 'TJ2024003');
  await page.goto(`${server.url}/me/credits`);
  await expect(page.getByTestId('credit-total')).toContainText('6.5 / 70');
  await expect(page.getByTestId('applied').locator('li')).toHaveCount(2);
  await expect(page.getByTestId('refused').locator('li[data-code="course_already_passed"]')).toHaveCount(1);
  await expect(page.getByTestId('per-certificate')).toContainText('/ 8');
  // The same account as the server computes.
  const login = await (await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ student_no: 'TJ2024003', password: 'kaozheng-demo' }),
  })).json();
  const account = await (await fetch(`${server.url}/api/v1/credits`, { headers: { authorization: `Bearer ${login.token}` } })).json();
  expect(account.total_credits).toBe(6.5);
  expect(account.applied).toHaveLength(2);
});

test('a certificate page says what each level converts to at the student’s school', async ({ page }) => {
  await signIn(page, server, 'TJ2024002');
  await page.goto(`${server.url}/catalog?q=BIM`);
  await page.getByTestId('results').locator('.cert-link').first().click();
  await expect(page.getByTestId('certificate-name')).toContainText('BIM');
  const conv = page.getByTestId('level-conversions');
  await expect(conv.first()).toContainText('增加');
  await expect(conv.first()).toContainText('学分');
});
