import { Browser, BrowserContext, Page, devices } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { test, expect } from './guarded';
import { Server } from './server';
import { DEMO_PASSWORD, PageGuard, openRegister, plans, signIn, serviceWorkerReady } from './support';

// The school's side in a browser: the staff page (/staff) is the server's own HTML, no script and
// nothing of the students' app. One exam session end to end without a command line, a refused
// import that changes nothing, axe in both languages, and the app's offline shell left alone.
const server = new Server();
test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

const desktop = { ...devices['Desktop Chrome'], locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

async function staffContext(browser: Browser, guard: PageGuard): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(desktop);
  await guard.attach(context);
  const page = await context.newPage();
  return { context, page };
}

async function staffSignIn(page: Page, username: string) {
  await page.goto(`${server.url}/staff`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('教务人员登录');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('who')).toBeVisible();
}

/** Uploads a file as `kind` and checks it: the report page. */
async function check(page: Page, kind: string, name: string, content: string | Buffer) {
  await page.goto(`${server.url}/staff`);
  await page.getByLabel('文件内容').selectOption(kind);
  await page.getByLabel('文件', { exact: true }).setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content) });
  await page.getByRole('button', { name: '检查（不写入）' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('检查结果');
}

/** Minimal CSV for the roster: quoted cells, doubled quotes, CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const toCsv = (rows: string[][]) =>
  rows.map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';

async function audit(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const problems = result.violations.map(
    (v) => `${what}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(problems).toEqual([]);
}

test('a school runs an exam session on the staff page: plan, registration, roster, results, 公示', async ({ browser, page, guard }) => {
  test.setTimeout(240_000);
  const { page: staff } = await staffContext(browser, guard);
  await staffSignIn(staff, 'demo-tianjin');
  await expect(staff.getByTestId('who')).toContainText('示例职业技术学院');

  // 1. The plan, imported as a draft at the school's own site (checked, then applied). The exam
  // starts 75 seconds from now, so the results can be entered in this test.
  const model = (await plans(server)).find((p) => (p as any).site_id === 'demo-site-tianjin')!;
  const now = Date.now();
  const exam = new Date(Math.ceil((now + 75_000) / 1000) * 1000);
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const planId = `e2e-${now}`;
  const planName = `E2E 考试计划 ${now}`;
  const planCsv =
    'id,name,certificate_id,level,province,site_id,phase,window_opens_at,window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen\n' +
    `${planId},${planName},${model.certificate_id},${model.level},天津,demo-site-tianjin,draft,${iso(now - 3_600_000)},${iso(exam.getTime())},${iso(exam.getTime())},${iso(exam.getTime() + 3_600_000)},30,${(model as any).fee_fen}\n`;
  await check(staff, 'plans', 'plan.csv', planCsv);
  await expect(staff.getByTestId('notice')).toContainText('文件没有问题');
  await expect(staff.getByTestId('applied')).toHaveText('1');
  await staff.getByRole('button', { name: '应用（写入数据库）' }).click();
  await expect(staff.getByTestId('notice')).toContainText('已应用');

  // 2. Published from the plan list.
  await staff.goto(`${server.url}/staff`);
  await expect(staff.getByTestId(`state-${planId}`)).toHaveText('草稿');
  await staff.getByTestId(`move-${planId}`).click();
  await expect(staff.getByTestId('notice')).toContainText(`${planName}：已发布`);
  await expect(staff.getByTestId(`state-${planId}`)).toHaveText('报名中');

  // 3. A student registers in the app.
  await signIn(page, server, 'TJ2024002');
  await openRegister(page, server, planId);
  await expect(page.getByTestId('eligibility-ok')).toBeVisible();
  await page.getByTestId('confirm-register').click();
  await expect(page).toHaveURL(/\/me\/registrations$/);
  // Saved on the phone first; confirmed once the server has it.
  await expect(page.locator('.reg-card', { hasText: planName }).getByTestId('registration-state')).toHaveText('已确认');
  await staff.reload();
  await expect(staff.getByTestId(`taken-${planId}`)).toHaveText('1 / 30');

  // 4. Registration closed early.
  await staff.getByTestId(`move-${planId}`).click();
  await expect(staff.getByTestId(`state-${planId}`)).toHaveText('报名截止');

  // 5. A refused import changes nothing: the report names the row, nothing is applied, and the
  // student it would have added does not exist.
  const students =
    'student_no,name,school,school_level,province,password\n' +
    'E2E0001,新同学,示例职业技术学院,高职,天津,password-123\n' +
    'E2E0002,外校生,河南示例中等职业学校,中职,河南,password-123\n';
  await check(staff, 'students', 'students.csv', students);
  await expect(staff.getByTestId('notice')).toContainText('未写入任何数据');
  await expect(staff.getByTestId('rejected')).toHaveText('1');
  const rejection = staff.getByTestId('rejections').locator('tbody tr');
  await expect(rejection).toHaveCount(1);
  await expect(rejection.locator('td').nth(0)).toHaveText('3');
  await expect(rejection.locator('td').nth(1)).toHaveText('school');
  await expect(staff.getByRole('button', { name: '应用（写入数据库）' })).toHaveCount(0);
  await audit(staff, 'refused report');
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ student_no: 'E2E0001', password: 'password-123' }),
  });
  expect(login.status, 'the refused file added no student').toBe(401);

  // 6. Once the exam has started: scoring, the roster downloaded and filled in, imported back.
  await staff.waitForTimeout(Math.max(0, exam.getTime() - Date.now() + 1_500));
  await staff.goto(`${server.url}/staff`);
  await staff.getByTestId(`move-${planId}`).click();
  await expect(staff.getByTestId(`state-${planId}`)).toHaveText('成绩登记中');
  await expect(staff.getByTestId(`awaiting-${planId}`)).toHaveText('1');
  const row = staff.locator(`tr[data-plan="${planId}"]`);
  const [download] = await Promise.all([staff.waitForEvent('download'), row.getByRole('link', { name: /^CSV/ }).click()]);
  expect(download.suggestedFilename()).toBe(`roster-${planId}.csv`);
  const roster = readFileSync(await download.path()).toString('utf8');
  expect(roster.startsWith('\ufeffticket_no,ticket_check,student_no,')).toBe(true);
  const rows = parseCsv(roster.slice(1));
  const header = rows[0];
  const col = (name: string) => header.indexOf(name);
  const body = rows.slice(1).filter((r) => r.length === header.length);
  expect(body).toHaveLength(1);
  expect(body[0][col('student_no')]).toBe('TJ2024002');
  expect(body[0][col('name')]).toBe('李静');
  body[0][col('theory_score')] = '88';
  body[0][col('theory_pass_mark')] = '60';
  body[0][col('practical_score')] = '91.5';
  body[0][col('practical_pass_mark')] = '60';
  await check(staff, 'results', '考生名单（已填成绩）.csv', toCsv([header, ...body]));
  await expect(staff.getByTestId('notice')).toContainText('文件没有问题');
  await expect(staff.getByTestId('applied')).toHaveText('1');
  await staff.getByRole('button', { name: '应用（写入数据库）' }).click();
  await expect(staff.getByTestId('notice')).toContainText('已应用');

  // 7. Not visible to the student until 公示.
  await page.goto(`${server.url}/results`);
  await expect(page.locator('main .empty')).toBeVisible();
  await expect(page.getByTestId('results-list')).toHaveCount(0);
  await staff.goto(`${server.url}/staff`);
  await expect(staff.getByTestId(`awaiting-${planId}`)).toHaveText('0');
  await staff.getByTestId(`move-${planId}`).click();
  await expect(staff.getByTestId('notice')).toContainText('成绩已公示');
  await expect(staff.getByTestId(`state-${planId}`)).toHaveText('成绩公示中');

  // 8. The student sees the result.
  await page.goto(`${server.url}/results`);
  const items = page.getByTestId('results-list').locator('li');
  await expect(items).toHaveCount(1);
  await items.first().getByRole('link').click();
  await expect(page.getByTestId('scores')).toContainText('91.5');
  await expect(page.getByTestId('scores')).toContainText('88');
});

test('the staff pages pass axe in Chinese and in English', async ({ browser, guard }) => {
  const { page } = await staffContext(browser, guard);
  await page.goto(`${server.url}/staff`);
  await audit(page, 'sign-in (zh)');
  await page.getByLabel('用户名').fill('demo-province');
  await page.getByLabel('密码').fill('wrong-password');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('notice')).toHaveText('用户名或密码错误');
  await audit(page, 'sign-in refused (zh)');
  await staffSignIn(page, 'demo-province');
  await audit(page, 'desk (zh)');
  await check(page, 'sites', 'sites.csv', 'id,name,province,city,address\nax-site,无障碍考点,天津,天津,示例路1号\n');
  await audit(page, 'report (zh)');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Staff desk');
  await audit(page, 'desk (en)');
  // The language stays with the browser.
  await page.goto(`${server.url}/staff`);
  await expect(page.getByRole('heading', { name: 'Import a file' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Staff sign-in');
  await audit(page, 'sign-in (en)');
  // Keyboard: the skip link comes first and lands on the main content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
});

test('on a 390-pixel phone the desk fits the screen: one card per plan, each figure under its heading', async ({ browser, guard }) => {
  const context = await browser.newContext({ ...devices['Pixel 5'], viewport: { width: 390, height: 844 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await guard.attach(context);
  const page = await context.newPage();
  await staffSignIn(page, 'demo-tianjin');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'no sideways scrolling').toBeLessThanOrEqual(0);
  const card = page.getByTestId('plans').locator('tbody tr').first();
  const box = await card.boundingBox();
  expect(box!.width).toBeLessThanOrEqual(390);
  // Each value sits under its own heading: the label is drawn from the cell's data-label.
  const taken = card.locator('td[data-testid^="taken-"]');
  await expect(taken).toHaveAttribute('data-label', '已报名 / 容量');
  const label = await taken.evaluate((td) => getComputedStyle(td, '::before').content);
  expect(label).toBe('"已报名 / 容量"');
  await audit(page, 'desk (phone)');
  await context.close();
});

test('visiting the staff page never replaces the app’s offline shell', async ({ page, context }) => {
  await page.goto(`${server.url}/catalog`);
  await expect(page.getByTestId('results').locator('li').first()).toBeVisible();
  await serviceWorkerReady(page);
  await page.goto(`${server.url}/staff`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('教务人员登录');
  await page.goto(`${server.url}/catalog`);
  await expect(page.getByTestId('results').locator('li').first()).toBeVisible();
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('results').locator('li').first()).toBeVisible();
  await expect(page.locator('h1', { hasText: '教务人员登录' })).toHaveCount(0);
  await context.setOffline(false);
});
