import { test, expect } from './guarded';
import { api, openRegister, signIn, token } from './support';
import { Server } from './server';

// Money, explained: how, where and by when a fee is paid (as the plan says), and whether the
// school has recorded the payment; registering is not paying.
const server = new Server();
test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

type Reg = { client_id: string; plan_id: string; status: string; ticket_no: string; fee: { student_pays_fen: number }; fee_paid_at?: string; exam_starts_at: string };
type Plan = { id: string; state: string; province: string; payment?: { method: string; place?: string; due_at?: string } };

test('a registration says whether its fee is paid, and a payment the school records shows up', async ({ page }) => {
  const t = await token(server, 'TJ2024001');
  const { registrations } = await api<{ registrations: Reg[] }>(server, '/registrations', { token: t });
  const owed = registrations.filter((r) => r.status === 'confirmed' && r.fee.student_pays_fen > 0);
  const paid = owed.find((r) => r.fee_paid_at)!;
  const unpaid = owed.find((r) => !r.fee_paid_at)!;
  expect(paid && unpaid, 'the demo student has a paid and an unpaid fee').toBeTruthy();
  const { plans } = await api<{ plans: Plan[] }>(server, '/plans');
  const planOf = (r: Reg) => plans.find((p) => p.id === r.plan_id)!;

  await signIn(page, server, 'TJ2024001');
  await page.goto(`${server.url}/me/registrations`);
  const card = (r: Reg) => page.locator(`li.reg-card[data-client-id="${r.client_id}"]`);
  await expect(card(paid).getByTestId('fee-paid')).toHaveText('已缴费');
  await expect(card(paid).getByTestId('fee-unpaid')).toHaveCount(0);
  await expect(card(unpaid).getByTestId('fee-unpaid')).toHaveText('待缴费');
  // How to pay: what the plan says, or, when it says nothing, who to ask.
  if (planOf(unpaid).payment) {
    await expect(card(unpaid).getByTestId('pay-method')).toBeVisible();
  } else {
    await expect(card(unpaid).getByTestId('pay-unknown')).toContainText('请向学校负责 1+X 的老师确认');
  }

  // The school records the payment (its finance office's list); the student sees it.
  const admin = server.adminToken();
  const res = await fetch(`${server.url}/api/v1/admin/import/payments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
    body: `ticket_no,paid_at\n${unpaid.ticket_no},2026-11-20 10:30\n`,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  expect((await res.json()).rejected).toEqual([]);
  await page.reload();
  await expect(card(unpaid).getByTestId('fee-paid')).toHaveText('已缴费');
  await expect(card(unpaid)).toContainText('2026-11-20 10:30');
});

test('the confirm page says how, where and by when to pay, and that registering is not paying', async ({ page }) => {
  const t = await token(server, 'TJ2024001');
  const me = await api<{ province?: string; school: string }>(server, '/me', { token: t });
  const { plans } = await api<{ plans: Plan[] }>(server, '/plans');
  await signIn(page, server, 'TJ2024001');
  // An open plan whose data says how to pay, for which this student pays the fee.
  for (const plan of plans.filter((p) => p.state === 'open' && p.payment?.due_at)) {
    await openRegister(page, server, plan.id);
    // An eligible verdict comes with who pays (the page waits for the fee rules before either).
    if ((await page.getByTestId('eligibility-ok').count()) > 0) expect(await page.getByTestId('fee-note').count()).toBe(1);
    const note = page.getByTestId('payment-note');
    if ((await page.getByTestId('fee-student-pays').count()) === 0 || (await note.count()) === 0) continue;
    await expect(note.getByTestId('pay-method')).toHaveText(plan.payment!.method === 'online' ? '网上缴费' : plan.payment!.method === 'at_site' ? '考点现场缴费' : '学校统一收取');
    await expect(note.getByTestId('pay-place')).toHaveText(plan.payment!.place!);
    await expect(note.getByTestId('pay-due')).toBeVisible();
    await expect(note).toContainText('报名不等于缴费');
    // Not registered yet: no paid or unpaid status.
    await expect(note.getByTestId('fee-unpaid')).toHaveCount(0);
    return;
  }
  throw new Error(`no open plan with payment details that ${me.school}'s student pays for`);
});
