import { Page } from '@playwright/test';
import { test as base, expect } from './guarded';
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';
import { Server } from './server';
import { DEMO_PASSWORD, holdBack, inFlightTogether, openPlans, openRegister, personalRecords, scannedQr, serverRegistrations, signIn } from './support';

// Each test gets its own server and database, so registrations made by one never affect another.
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

test('register online: confirmed with a ticket number, the school funds a pilot student’s exam', async ({ page, server }) => {
  const [plan] = await openPlans(server, { secondary: true });
  await signIn(page, server, 'TJ2024002');
  await openRegister(page, server, plan.id);
  await expect(page.getByTestId('eligibility-ok')).toBeVisible();
  await expect(page.getByTestId('fee-payer')).toHaveText('学校经费保障');
  await page.getByTestId('confirm-register').click();
  await expect(page).toHaveURL(/\/me\/registrations$/);
  await expect(state(page, plan.name)).toHaveText('已确认');
  const ticket = await page.locator('.reg-card', { hasText: plan.name }).getByTestId('ticket-no').innerText();
  expect(ticket).toMatch(/^\d{10,20}$/);
  const regs = await serverRegistrations(server, 'TJ2024002');
  expect(regs.filter((r) => r.plan_id === plan.id && r.status === 'confirmed')).toHaveLength(1);
  expect(regs[0].ticket_no).toBe(ticket);
});

test('a wrong password is said in the chosen language with what to do, never as an error text', async ({ page, server }) => {
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('学号').fill('TJ2024002');
  await page.getByLabel('密码').fill('not-the-demo-password');
  await page.getByRole('button', { name: '登录' }).click();
  const error = page.getByTestId('sign-in-error');
  await expect(error).toHaveText('学号或密码错误，请检查后重试。');
  await expect(page).toHaveURL(/\/signin$/);
  expect(await error.innerText()).not.toMatch(/[A-Za-z]/);
  const developerText = /HTTP|answered|TypeError|Failed to fetch|invalid_credentials|401|登录失败：/;
  expect(await page.locator('body').innerText()).not.toMatch(developerText);
  // Switching the language rewords the same failure instead of keeping the Chinese text.
  await page.getByRole('button', { name: '切换到英文' }).click();
  await expect(error).toHaveText('The student number or password is wrong. Check them and try again.');
  expect(await page.locator('body').innerText()).not.toMatch(developerText);
});

test('a signed-out visitor starts without sync passes; signing in runs one', async ({ page, server }) => {
  // Every key the app writes into IndexedDB, per page load. A pass takes the sending lease first.
  await page.addInitScript(() => {
    const w = window as any;
    w.__puts = [];
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: any, key?: IDBValidKey) {
      w.__puts.push(String(key ?? ''));
      return key === undefined ? put.call(this, value) : put.call(this, value, key);
    };
  });
  await page.goto(`${server.url}/catalog`);
  await page.waitForFunction(() => performance.getEntriesByName('kz:app-mounted').length > 0);
  // Start-up has stored the catalog it was given (so the recording works), and taken no lease.
  await expect.poll(() => page.evaluate(() => (window as any).__puts.length)).toBeGreaterThan(0);
  await page.waitForTimeout(1_500);
  expect(await page.evaluate(() => (window as any).__puts)).not.toContain('outbox_lease');

  // Through the app's own link, so the page (and the recording) stays the same.
  await page.getByRole('link', { name: '登录' }).first().click();
  await page.getByLabel('学号').fill('TJ2024002');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('profile')).toBeVisible();
  await expect.poll(() => page.evaluate(() => (window as any).__puts)).toContain('outbox_lease');
});

test("a sync pass asks for the student's registrations, ratings and results together", async ({ page, server }) => {
  const pulls = ['/api/v1/registrations', '/api/v1/feedback', '/api/v1/results'];
  const calls = await holdBack(page, /\/api\/v1\/(registrations|feedback|results)$/);
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('学号').fill('TJ2024002');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('profile')).toBeVisible();
  await expect.poll(() => pulls.every((p) => calls.some((c) => c.path === p && c.end)), { timeout: 15_000 }).toBe(true);
  // The first pass's three; later passes may follow.
  expect(inFlightTogether(pulls.map((p) => calls.find((c) => c.path === p)!))).toBe(true);
});

test('signing in while the phone is still opening its database keeps the session', async ({ page, server }) => {
  // A slow phone: the database answers 2.5 s after the page asks, later than the student signs in.
  await page.addInitScript(() => {
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (this: IDBFactory, ...args: Parameters<IDBFactory['open']>) {
      const req = open.apply(this, args);
      const late = (f: any) => (f ? (e: Event) => setTimeout(() => f.call(req, e), 2_500) : f);
      const add = req.addEventListener.bind(req);
      req.addEventListener = ((type: string, f: any, o?: any) => add(type, type === 'success' ? late(f) : f, o)) as any;
      let handler: any = null;
      Object.defineProperty(req, 'onsuccess', {
        get: () => handler,
        set: (f) => {
          handler = f;
          add('success', late(f));
        },
      });
      return req;
    } as any;
  });
  const [plan] = await openPlans(server, { secondary: true });
  await signIn(page, server, 'TJ2024002');
  // Once the database is open, the session is still there, and it was stored: a reload keeps it.
  await page.waitForTimeout(3_500);
  await expect(page.getByTestId('profile')).toBeVisible();
  await openRegister(page, server, plan.id);
  await expect(page.getByTestId('eligibility-ok')).toBeVisible();
});

test('offline: register, reload, still queued; back online it is confirmed once', async ({ page, context, server }) => {
  const [plan] = await openPlans(server);
  await signIn(page, server, 'SX2024001');
  await openRegister(page, server, plan.id);
  // A 家庭经济困难 student in Shanxi: the fee is waived (晋教职成〔2020〕9号), and the phone
  // already knows it offline.
  await expect(page.getByTestId('fee-payer')).toHaveText('评价组织免收');
  await context.setOffline(true);
  await page.getByTestId('confirm-register').click();
  await expect(state(page, plan.name)).toHaveText('排队中');
  await page.reload();
  await expect(state(page, plan.name)).toHaveText('排队中');
  await expect(page.getByTestId('pending')).toContainText('1 项更改等待发送');
  expect(await serverRegistrations(server, 'SX2024001')).toHaveLength(0);
  await context.setOffline(false);
  await expect(state(page, plan.name)).toHaveText('已确认', { timeout: 20_000 });
  const regs = await serverRegistrations(server, 'SX2024001');
  expect(regs.filter((r) => r.plan_id === plan.id)).toHaveLength(1);
  expect(regs[0].fee.payer).toBe('waived');
});

test('a full plan: the server refuses and the reason is shown', async ({ page, server }) => {
  const [full] = await openPlans(server, { full: true, secondary: true });
  expect(full, 'the demo has a full open plan').toBeTruthy();
  await signIn(page, server, 'HA2024001');
  await openRegister(page, server, full.id);
  await page.getByTestId('confirm-register').click();
  const card = page.locator('.reg-card', { hasText: full.name });
  await expect(card.getByTestId('registration-state')).toHaveText('未通过', { timeout: 20_000 });
  await expect(card.getByTestId('refusal')).toContainText('名额已满');
  expect(await serverRegistrations(server, 'HA2024001')).toHaveLength(0);
});

test('double click and two tabs never make two registrations', async ({ page, context, server }) => {
  const [a, b] = await openPlans(server);
  await signIn(page, server, 'TJ2024003');
  await openRegister(page, server, a.id);
  await page.getByTestId('confirm-register').dblclick();
  await expect(state(page, a.name)).toHaveText('已确认', { timeout: 20_000 });

  const other = await context.newPage();
  await openRegister(page, server, b.id);
  await openRegister(other, server, b.id);
  await Promise.all([page.getByTestId('confirm-register').click(), other.getByTestId('confirm-register').click()]);
  await expect(state(page, b.name)).toHaveText('已确认', { timeout: 20_000 });
  const regs = await serverRegistrations(server, 'TJ2024003');
  expect(regs.filter((r) => r.plan_id === a.id && r.status === 'confirmed')).toHaveLength(1);
  expect(regs.filter((r) => r.plan_id === b.id && r.status === 'confirmed')).toHaveLength(1);
});

test('cancel frees the registration on the server', async ({ page, server }) => {
  const [plan] = await openPlans(server, { secondary: true });
  await signIn(page, server, 'TJ2024002');
  await openRegister(page, server, plan.id);
  await page.getByTestId('confirm-register').click();
  await expect(state(page, plan.name)).toHaveText('已确认');
  const card = page.locator('.reg-card', { hasText: plan.name });
  await card.getByRole('button', { name: '取消报名' }).click();
  await card.getByTestId('confirm-cancel').click();
  await expect(state(page, plan.name)).toHaveText('已取消', { timeout: 20_000 });
  const regs = await serverRegistrations(server, 'TJ2024002');
  expect(regs.find((r) => r.plan_id === plan.id)?.status).toBe('cancelled');
});

test('the admission ticket prints to a one-page PDF with the ticket number', async ({ page, server }) => {
  const [plan] = await openPlans(server, { secondary: true });
  await signIn(page, server, 'TJ2024002');
  await openRegister(page, server, plan.id);
  await page.getByTestId('confirm-register').click();
  await expect(state(page, plan.name)).toHaveText('已确认');
  await page.locator('.reg-card', { hasText: plan.name }).getByRole('link', { name: '查看准考证' }).click();
  const ticketNo = await page.getByTestId('ticket-no').innerText();
  await expect(page.getByTestId('ticket-name')).toHaveText('李静');
  await expect(page.getByTestId('ticket-qr')).toHaveAttribute('data-qr-text', new RegExp(`^KZT1\\|${ticketNo}\\|`));
  // The code on screen scans as the text it was drawn from.
  const qrText = await page.getByTestId('ticket-qr').getAttribute('data-qr-text');
  expect(await scannedQr(page.getByTestId('ticket-qr'))).toBe(qrText);
  const pdf = await page.pdf({ format: 'A4' });
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf) }).promise;
  expect(doc.numPages).toBe(1);
  const text = (await (await doc.getPage(1)).getTextContent()).items.map((i: any) => i.str).join('');
  expect(text).toContain(ticketNo);
  // Offline too: the ticket comes from the phone.
  await page.context().setOffline(true);
  await page.reload();
  await expect(page.getByTestId('ticket-no')).toHaveText(ticketNo);
});

test('results: published scores with pass marks; unpublished ones stay hidden', async ({ page, server }) => {
  await signIn(page, server, 'TJ2024001');
  await page.goto(`${server.url}/results`);
  const list = page.getByTestId('results-list').locator('li');
  await expect(list.first()).toBeVisible();
  await expect(page.getByTestId('new-result').first()).toBeVisible();
  const n = await list.count();
  await list.first().getByRole('link').click();
  await expect(page.getByTestId('scores').locator('tbody tr')).not.toHaveCount(0);
  await expect(page.getByTestId('scores')).toContainText('合格线');
  // The plan still in scoring has a result row on the server that must not reach the student.
  const t = await (await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ student_no: 'TJ2024001', password: 'kaozheng-demo' }),
  })).json();
  const results = await (await fetch(`${server.url}/api/v1/results`, { headers: { authorization: `Bearer ${t.token}` } })).json();
  expect(results.results.every((r: any) => r.state === 'publicized' || r.state === 'ended')).toBe(true);
  expect(results.results).toHaveLength(n);
});

test('sign out removes every personal record from the phone, after a warning about unsent changes', async ({ page, context, server }) => {
  const [plan] = await openPlans(server, { secondary: true });
  await signIn(page, server, 'TJ2024002');
  await openRegister(page, server, plan.id);
  await context.setOffline(true);
  await page.getByTestId('confirm-register').click();
  await expect(state(page, plan.name)).toHaveText('排队中');
  expect(await personalRecords(page)).toBeGreaterThan(1);
  await page.goto(`${server.url}/me`);
  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('sign-out-warning')).toContainText('1 项更改没有发送');
  await page.getByTestId('sign-out-anyway').click();
  await expect(page).toHaveURL(new RegExp(`${server.url}/$`));
  expect(await personalRecords(page)).toBe(0);
  await expect(page.getByRole('link', { name: '登录' })).toBeVisible();
});

test('calendar export: an .ics with the exam in Asia/Shanghai time and stable UIDs', async ({ page, server }) => {
  const [plan] = await openPlans(server, { secondary: true });
  await signIn(page, server, 'TJ2024002');
  await openRegister(page, server, plan.id);
  await page.getByTestId('confirm-register').click();
  await expect(state(page, plan.name)).toHaveText('已确认');
  await page.goto(`${server.url}/me`);
  const exportIcs = async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-ics').click()]);
    return readFileSync(await download.path(), 'utf8');
  };
  const first = await exportIcs();
  const cal = new ICAL.Component(ICAL.parse(first));
  for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const events = cal.getAllSubcomponents('vevent').map((v: any) => new ICAL.Event(v));
  const exam = events.find((e: any) => e.uid.startsWith('exam-'));
  expect(exam, 'the registered exam is in the file').toBeTruthy();
  expect(exam.startDate.zone.tzid).toBe('Asia/Shanghai');
  const starts = new Date(plan.exam_starts_at).getTime();
  expect(exam.startDate.toJSDate().getTime()).toBe(starts);
  expect(cal.getAllSubcomponents('vtimezone')).toHaveLength(1);
  const second = await exportIcs();
  const uids = (s: string) => [...s.matchAll(/^UID:(.*)$/gm)].map((m) => m[1].trim()).sort();
  expect(uids(second)).toEqual(uids(first));
});

test('a newly published result is marked new and, with permission, announced by a notification', async ({ page, context, server }) => {
  await context.grantPermissions(['notifications'], { origin: server.url });
  // Record notifications instead of showing them.
  await context.addInitScript(() => {
    const shown: string[] = [];
    (window as any).__notifications = shown;
    class Recorder {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      constructor(title: string, opts?: { body?: string }) {
        shown.push(`${title}: ${opts?.body ?? ''}`);
      }
    }
    (window as any).Notification = Recorder;
  });
  await signIn(page, server, 'TJ2024001');
  await page.goto(`${server.url}/results`);
  await expect(page.getByTestId('results-list').locator('li').first()).toBeVisible();
  const before = await page.getByTestId('results-list').locator('li').count();
  // Looked at once, the old results are no longer new.
  await page.reload();
  await expect(page.getByTestId('results-list').locator('li')).toHaveCount(before);
  await expect(page.getByTestId('new-result')).toHaveCount(0);
  // Old results on the first sync are not news.
  expect(await page.evaluate(() => (window as any).__notifications.length)).toBe(0);

  // The school publishes the plan that was still being scored.
  const scoring = (await (await fetch(`${server.url}/api/v1/plans`)).json()).plans.find((p: any) => p.state === 'scoring');
  expect(scoring, 'the demo has a plan in scoring').toBeTruthy();
  const { state: _state, ...plan } = scoring;
  const admin = server.adminToken();
  const res = await fetch(`${server.url}/api/v1/admin/import/plans`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify([{ ...plan, phase: 'publicized' }]),
  });
  const report = await res.text();
  expect(res.status, report).toBe(200);
  expect(JSON.parse(report).applied, report).toBe(1);
  const t = await (await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ student_no: 'TJ2024001', password: 'kaozheng-demo' }),
  })).json();
  const visible = (await (await fetch(`${server.url}/api/v1/results`, { headers: { authorization: `Bearer ${t.token}` } })).json()).results;
  expect(visible.length, 'the published result is now served').toBe(before + 1);

  // Coming back to the tab syncs: the result arrives, marked new, and a notification says so.
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
  await expect.poll(() => page.evaluate(() => (window as any).__notifications.length), { timeout: 20_000 }).toBe(1);
  expect(await page.evaluate(() => (window as any).__notifications[0])).toContain('成绩已公布');
  await expect(page.getByTestId('results-list').locator('li')).toHaveCount(before + 1);
  await expect(page.getByTestId('new-result')).toHaveCount(1);
  // Seen now: after a reload nothing is new any more.
  await page.reload();
  await expect(page.getByTestId('results-list').locator('li')).toHaveCount(before + 1);
  await expect(page.getByTestId('new-result')).toHaveCount(0);
});
