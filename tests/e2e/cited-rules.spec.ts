import { Page } from '@playwright/test';
import { test as base, expect } from './guarded';
import { Server } from './server';
import { api, openPlans, openRegister, serverRegistrations, signIn } from './support';

// Rules say exactly what their notices say: no level refused without a cited rule (seed 004), no
// province borrowing another's fee rule, a province found by any of its names, and every fee note
// showing the sentence it rests on.
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

test('a 中职 student registers for a 高级 plan (seed 004: 中等职业学校…可结合初级、中级、高级)', async ({ page, server }) => {
  const advanced = (await openPlans(server)).find((p) => p.level === 'advanced');
  expect(advanced, 'the demo has an open 高级 plan with seats').toBeTruthy();
  await signIn(page, server, 'TJ2024002');
  await openRegister(page, server, advanced!.id);
  await expect(page.getByTestId('eligibility-ok')).toBeVisible();
  await expect(page.getByTestId('eligibility-refusals')).toHaveCount(0);
  await page.getByTestId('confirm-register').click();
  await expect(state(page, advanced!.name)).toHaveText('已确认', { timeout: 20_000 });
  const regs = await serverRegistrations(server, 'TJ2024002');
  expect(regs.filter((r) => r.plan_id === advanced!.id && r.status === 'confirmed')).toHaveLength(1);
});

test('a student stored as 河南省 is not charged and sees the Henan grade rule', async ({ page, server }) => {
  const admin = server.adminToken();
  const csv =
    'student_no,name,school,school_level,province,password\n' +
    'HA2026009,周敏,河南示例中等职业学校,中职,河南省,e2e-henan-pass-1\n';
  const res = await fetch(`${server.url}/api/v1/admin/import/students`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
    body: csv,
  });
  expect(res.status, await res.clone().text()).toBe(200);

  const [plan] = await openPlans(server, { secondary: true });
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('学号').fill('HA2026009');
  await page.getByLabel('密码').fill('e2e-henan-pass-1');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('profile')).toBeVisible();

  await openRegister(page, server, plan.id);
  await expect(page.getByTestId('fee-payer')).toHaveText('不向你收取');
  await expect(page.getByTestId('fee-student-pays')).toHaveText('¥0');
  await expect(page.getByTestId('fee-reason')).toHaveText('学校不得以考证、取证的名义向在校生收取任何费用');
  await expect(page.getByTestId('fee-citation')).toContainText('不得以技能培训、考证、取证的名义向在校学生收取任何费用');
  await page.getByTestId('confirm-register').click();
  await expect(state(page, plan.name)).toHaveText('已确认', { timeout: 20_000 });
  const login = await api<{ token: string }>(server, '/auth/login', {
    method: 'POST',
    body: JSON.stringify({ student_no: 'HA2026009', password: 'e2e-henan-pass-1' }),
  });
  const me = await api<{ province: string }>(server, '/me', { token: login.token });
  expect(me.province).toBe('河南');
  const { registrations } = await api<{ registrations: any[] }>(server, '/registrations', { token: login.token });
  expect(registrations[0].fee).toMatchObject({ payer: 'not_charged', reason: 'in_school_free', student_pays_fen: 0 });

  // The grade checker starts from the student's province: Henan's rule answers.
  await page.goto(`${server.url}/grades`);
  await expect(page.getByTestId('grade-province')).toHaveValue('河南');
  await expect(page.getByTestId('grade-answer').getByTestId('citation').first()).toContainText('河南省教育厅');
});

test('each fee note shows the rule of the student’s own province with its source', async ({ browser, server }) => {
  const [plan] = await openPlans(server, { secondary: true });
  const cases: [string, string, string][] = [
    // Tianjin pilot student: the school funds at least one exam (津教职函〔2021〕46号).
    ['TJ2024002', '学校经费保障', '津教职函〔2021〕46号'],
    // Shanxi 家庭经济困难学生: waived by the evaluation organisation (晋教职成〔2020〕9号), “等” kept.
    ['SX2024001', '评价组织免收', '建档立卡等家庭经济困难学生'],
    // Henan in-school student: may not be charged (seed 001).
    ['HA2024001', '不向你收取', '不得以技能培训、考证、取证的名义向在校学生收取任何费用'],
    // Not a pilot student in Tianjin: pays, and is told why, with the same source.
    ['TJ2024003', '由你缴纳', '保障试点学生至少参与一个 X 证书的考核'],
  ];
  // A Tianjin hardship student: Shanxi's waiver is not borrowed; the funded exam applies.
  cases.push(['TJ2024004', '学校经费保障', '津教职函〔2021〕46号']);
  for (const [student, payer, quote] of cases) {
    // One phone per student: each signs in on their own.
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signIn(page, server, student);
    await openRegister(page, server, plan.id);
    await expect(page.getByTestId('fee-payer'), student).toHaveText(payer);
    await expect(page.getByTestId('fee-citation'), student).toContainText(quote);
    if (student === 'TJ2024004') await expect(page.getByTestId('fee-citation')).not.toContainText('晋教职成');
    await ctx.close();
  }
});
