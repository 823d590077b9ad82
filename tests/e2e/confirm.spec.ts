import { test as base, expect } from './guarded';
import { Server } from './server';
import { api, openPlans, openRegister, plans, recordShown, signIn, token } from './support';

// Full plans and the confirm page (issue 16, items 1 and 4): what a student saw that confused them, each tested as they met it.
const test = base.extend<{ server: Server }>({
  server: async ({}, use) => {
    const server = new Server();
    await server.start();
    await use(server);
    await server.dispose();
  },
});

test('a plan full at the last sync never looks bookable: no primary 报名, no green verdict, a queue to join', async ({ page, server }) => {
  const [full] = await openPlans(server, { full: true, secondary: true });
  await signIn(page, server, 'HA2024001');
  await page.goto(`${server.url}/certificates/${full.certificate_id}`);
  const card = page.locator('.plan-card', { hasText: full.name });
  await expect(card.getByTestId('seats')).toContainText('上次查看');
  await expect(card.getByTestId('seats')).toContainText('名额已满');
  await expect(card.getByTestId('plan-register')).toHaveCount(0);
  await expect(card.getByTestId('plan-queue')).toHaveText('加入排队');
  await expect(card.getByTestId('plan-queue')).toHaveClass(/button-secondary/);

  await openRegister(page, server, full.id);
  await expect(page.getByTestId('eligibility-full')).toContainText('你仍可以加入排队，是否报上由服务器决定');
  await expect(page.getByTestId('eligibility-ok')).toHaveCount(0);
  await expect(page.locator('.verdict-ok')).toHaveCount(0);
  await expect(page.getByTestId('confirm-register')).toHaveText('加入排队');
  await expect(page.getByTestId('confirm-register')).toHaveClass(/button-secondary/);
  // The register page has its one action; the plan card on it has none.
  await expect(page.locator('.plan-card .plan-register')).toHaveCount(0);
});

test('the confirm page is one summary: verdict, who pays, one button on the first screen; the state after it is the real one', async ({ page, server }) => {
  const [plan] = await openPlans(server, { secondary: true });
  await signIn(page, server, 'TJ2024002');
  await openRegister(page, server, plan.id);
  await expect(page.getByTestId('eligibility-ok')).toBeVisible();
  await expect(page.getByTestId('fee-student-pays')).toBeInViewport();
  await expect(page.getByTestId('confirm-register')).toBeInViewport();
  await expect(page.locator('button.button:not(.button-secondary)')).toHaveCount(1);
  // Online: it is sent now, not "saved on this phone, sent when online".
  await expect(page.getByTestId('send-note')).toHaveText('确认后立即发送到服务器，由服务器确定名额。');
  await page.getByTestId('confirm-register').click();
  const card = page.locator('.reg-card', { hasText: plan.name });
  await expect(card.getByTestId('registration-state')).toHaveText('已确认', { timeout: 20_000 });
  await expect(page.getByText('已保存在本机')).toHaveCount(0);

  // Back on the plan: one state, the real one (never "排队中 / 已确认" together).
  await page.goto(`${server.url}/register/${plan.id}`);
  const already = page.getByTestId('already-registered');
  await expect(already.getByTestId('registration-state')).toHaveText('已确认');
  await expect(already).not.toContainText('排队中');
  await expect(page.getByTestId('confirm-register')).toHaveCount(0);
});

test('offline, the confirm page says the registration waits on the phone', async ({ page, context, server }) => {
  const [plan] = await openPlans(server, { secondary: true });
  await signIn(page, server, 'TJ2024002');
  await openRegister(page, server, plan.id);
  await context.setOffline(true);
  await expect(page.getByTestId('send-note')).toHaveText('现在离线：确认后先保存在本机，联网后自动发送。');
  await context.setOffline(false);
});

test('a refused student is told why and where to go, never that it will use their school-paid exam', async ({ page, server }) => {
  // A pilot student whose funded exam is unused, on a plan whose window has not opened yet.
  const announced = (await plans(server)).find((p) => p.state === 'announced' && p.province === '天津');
  expect(announced, 'the demo has an announced Tianjin plan').toBeTruthy();
  await signIn(page, server, 'TJ2024002');
  await openRegister(page, server, announced!.id);
  await expect(page.getByTestId('eligibility-refusals')).toBeVisible();
  await expect(page.getByTestId('uses-school-paid')).toHaveCount(0);
  await expect(page.getByTestId('confirm-register')).toHaveCount(0);
  await expect(page.getByTestId('other-plans')).toBeVisible();
});

test('no verdict before the phone has read the student’s own registrations: a slow phone never offers an exam already registered', async ({ page, server }) => {
  const t = await token(server, 'TJ2024001');
  const { registrations } = await api<{ registrations: { client_id: string; plan_id: string; status: string }[] }>(server, '/registrations', { token: t });
  const held = registrations.find((r) => r.status === 'confirmed')!;
  expect(held, 'the demo student has a confirmed registration').toBeTruthy();
  await signIn(page, server, 'TJ2024001');
  // The phone holds the registration (its list is drawn from what is saved).
  await page.goto(`${server.url}/me/registrations`);
  await expect(page.locator(`li.reg-card[data-client-id="${held.client_id}"]`)).toBeVisible();
  // A slow phone: another connection holds the registrations store in a write for 1.5 s, so the
  // app reads its session long before its registrations. Any verdict shown meanwhile is recorded.
  await page.addInitScript(() => {
    const open = indexedDB.open('kaozheng');
    open.onsuccess = () => {
      const tx = open.result.transaction('registrations', 'readwrite');
      const store = tx.objectStore('registrations');
      const until = Date.now() + 1500;
      const spin = () => {
        if (Date.now() < until) store.count().onsuccess = spin;
      };
      spin();
      tx.oncomplete = () => open.result.close();
    };
  });
  const shown = await recordShown(page, '[data-testid^="eligibility-"], [data-testid="already-registered"]');
  await page.goto(`${server.url}/register/${held.plan_id}`);
  await expect(page.getByTestId('already-registered')).toBeVisible();
  expect(await shown()).toEqual(['already-registered']);
  await expect(page.getByTestId('confirm-register')).toHaveCount(0);
});

test('no verdict before a new phone has the fee and eligibility rules: eligible never shows without who pays', async ({ page, server }) => {
  const [plan] = await openPlans(server, { secondary: true });
  // A new phone on a slow network: the rules (the fee and eligibility ones among them) are held
  // back until released.
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  await page.route(/\/api\/v1\/rules$/, async (route) => {
    await released;
    await route.fulfill({ response: await route.fetch() });
  });
  const shown = await recordShown(page, '[data-testid^="eligibility-"], [data-testid="fee-note"]');
  await signIn(page, server, 'TJ2024002');
  await page.goto(`${server.url}/register/${plan.id}`);
  await expect(page.locator('.plan-card', { hasText: plan.name })).toBeVisible();
  await expect(page.getByTestId('verdict-loading')).toBeVisible();
  await page.waitForTimeout(1000);
  await expect(page.getByTestId('verdict-loading')).toBeVisible();
  expect(await shown()).toEqual([]);
  release();
  await expect(page.getByTestId('eligibility-ok')).toBeVisible();
  await expect(page.getByTestId('fee-note')).toBeVisible();
  // Both came in the same drawing: the verdict was never on screen without who pays.
  expect((await shown()).slice(0, 2).sort()).toEqual(['eligibility-ok', 'fee-note']);
});
