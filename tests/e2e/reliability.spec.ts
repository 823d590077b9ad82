import { devices, BrowserContext, Page } from '@playwright/test';
import { test as base, expect } from './guarded';
import { Server } from './server';
import { Plan, deleteDatabase, signIn, serviceWorkerReady } from './support';
import { drain, registerViaUi, spaGo } from './chaos/app';
import { readLocal } from './chaos/local';
import { confirmedByPlan, registrationsOf, seedWorld, World } from './chaos/world';

// Offline machinery under faults a phone really meets: a tab killed in the middle of a write, a
// newer version opened in another tab, a full disk, and the browser deleting the database.
// Each test gets its own server, phone (browser context) and students.
const test = base.extend<{ server: Server; world: World }>({
  server: async ({}, use) => {
    const server = new Server();
    await server.start();
    await use(server);
    await server.dispose();
  },
  world: async ({ server }, use) => {
    await use(await seedWorld(server, { students: 2, plans: 24, prefix: 'RL' }));
  },
});

/** Signs in and waits for the service worker, so offline navigations still open the app. */
async function phoneReady(page: Page, server: Server, student: string) {
  await signIn(page, server, student);
  await serviceWorkerReady(page);
}

/** Registration records and register entries of one plan, as stored. */
async function forPlan(page: Page, plan: Plan) {
  const local = await readLocal(page);
  const regs = local.registrations.filter((r) => r.plan_id === plan.id);
  const entries = local.outbox.filter((e) => e.action.kind === 'register' && (e.action as { plan_id: string }).plan_id === plan.id);
  return { regs, entries };
}

/**
 * Makes the next IndexedDB writes to `stores` fail with QuotaExceededError, as a full disk does
 * (`window.__kzQuota.stores = [...]` arms it, `[]` disarms it).
 */
async function simulateQuota(context: BrowserContext) {
  await context.addInitScript(() => {
    const quota = { stores: [] as string[], hits: 0 };
    (window as any).__kzQuota = quota;
    for (const method of ['add', 'put'] as const) {
      const original = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: any[]) {
        if (quota.stores.includes(this.name)) {
          quota.hits++;
          throw new DOMException('simulated: the storage quota is exceeded', 'QuotaExceededError');
        }
        return (original as any).apply(this, args);
      } as any;
    }
  });
}

const armQuota = (page: Page, stores: string[]) => page.evaluate((s) => ((window as any).__kzQuota.stores = s), stores);

test('a tab closed or crashed mid-write leaves the registration and its outbox entry both or neither; the queue drains once', async ({
  page,
  context,
  server,
  world,
}) => {
  test.setTimeout(180_000);
  const student = world.students[0];
  await phoneReady(page, server, student);
  await context.setOffline(true);
  // Kills land at varied moments around the write: a crash sent right behind the click (often
  // before the page handled it), a few ms after (while the transaction runs), or a close after
  // the click was handled (usually committed by then).
  const kills: { how: 'crash' | 'close'; delay: number }[] = [];
  for (const delay of [0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 8, 10]) kills.push({ how: 'crash', delay });
  for (const delay of [0, 0, 1, 2, 5, 10, 20, 50]) kills.push({ how: 'close', delay });
  const tally = { both: 0, neither: 0 };
  const outcomes: string[] = [];
  let tab = page;
  for (const [i, { how, delay }] of kills.entries()) {
    const plan = world.plans[i];
    await tab.goto(`${server.url}/register/${plan.id}`);
    const button = tab.getByTestId('confirm-register');
    await expect(tab.getByTestId('eligibility-ok')).toBeVisible();
    await expect(button).toBeEnabled();
    await button.scrollIntoViewIfNeeded();
    const box = (await button.boundingBox())!;
    const at = { x: box.x + box.width / 2, y: box.y + box.height / 2, button: 'left' as const, clickCount: 1 };
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...at });
    const released = cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at }).catch(() => {});
    if (how === 'close') await released;
    if (delay) await new Promise((r) => setTimeout(r, delay));
    if (how === 'crash') {
      // Crashes the renderer on its IO thread: no unload, nothing gets to finish.
      cdp.send('Page.crash').catch(() => {});
      await tab.waitForEvent('crash', { timeout: 5_000 }).catch(() => {});
    }
    await tab.close({ runBeforeUnload: false });
    tab = await context.newPage();
    await tab.goto(`${server.url}/me/registrations`);
    await expect(tab.getByTestId('sync-status')).toBeVisible();
    const { regs, entries } = await forPlan(tab, plan);
    const both = regs.length === 1 && entries.length === 1 && entries[0].id === regs[0].client_id && regs[0].state === 'queued';
    const neither = regs.length === 0 && entries.length === 0;
    expect(both || neither, `plan ${plan.id} after a ${how} at ${delay} ms: ${JSON.stringify({ regs, entries })}`).toBe(true);
    tally[both ? 'both' : 'neither']++;
    outcomes.push(`${how}@${delay}ms:${both ? 'both' : 'neither'}`);
  }
  console.log(`tab-kill: iterations=${kills.length} both=${tally.both} neither=${tally.neither} half-written=0 (${outcomes.join(' ')})`);

  await context.setOffline(false);
  await drain(tab);
  const local = await readLocal(tab);
  expect(local.outbox).toEqual([]);
  const queued = new Set(local.registrations.map((r) => r.plan_id));
  expect(local.registrations.every((r) => r.state === 'confirmed')).toBe(true);
  const confirmed = confirmedByPlan(await registrationsOf(server, student));
  for (const plan of world.plans.slice(0, kills.length)) {
    expect(confirmed.get(plan.id) ?? 0, plan.id).toBe(queued.has(plan.id) ? 1 : 0);
  }
});

test('a newer version opened in another tab: this tab lets go and asks for a reload, the new one upgrades at once', async ({
  page,
  context,
  server,
}) => {
  await page.goto(`${server.url}/catalog`);
  await expect(page.getByTestId('results').locator('li').first()).toBeVisible();
  await expect.poll(async () => (await readLocal(page)).exists).toBe(true);
  // The new version: another tab opening the database at a higher schema version.
  const other = await context.newPage();
  await other.goto(`${server.url}/icon.svg`);
  const upgrade = await other.evaluate(
    () =>
      new Promise<{ version: number; certificates: number; blocked: boolean }>((ok, fail) => {
        let blocked = false;
        const req = indexedDB.open('kaozheng', 4);
        req.onblocked = () => (blocked = true);
        req.onupgradeneeded = () => req.result.createObjectStore('added_in_v4');
        req.onerror = () => fail(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const count = db.transaction('certificates').objectStore('certificates').count();
          count.onsuccess = () => ok({ version: db.version, certificates: count.result, blocked });
        };
        setTimeout(() => fail(new Error(`the upgrade waited 10 s (blocked: ${blocked})`)), 10_000);
      }),
  );
  expect(upgrade.blocked, 'the old tab never blocks the upgrade').toBe(false);
  expect(upgrade.version).toBe(4);
  expect(upgrade.certificates, 'the data survives the upgrade').toBeGreaterThan(30);
  const error = page.getByTestId('storage-error');
  await expect(error).toContainText('考证已在另一个标签页中更新，请刷新本页。');
  await expect(error.getByTestId('reload-app')).toBeVisible();
  // The old tab keeps showing what it has.
  await expect(page.getByTestId('results').locator('li').first()).toBeVisible();
});

test('storage full: the registration is refused with a clear message, nothing half-written, the waiting change still goes', async ({
  page,
  context,
  server,
  world,
}) => {
  await simulateQuota(context);
  const student = world.students[0];
  const [a, b] = world.plans;
  await phoneReady(page, server, student);
  await context.setOffline(true);
  expect(await registerViaUi(page, a)).toBe('done');
  await expect(page.getByTestId('pending-count')).toHaveText('1 项更改等待发送');
  // The outbox write fails after the registration record was written in the same transaction.
  await armQuota(page, ['outbox']);
  await spaGo(page, `/register/${b.id}`);
  await page.getByTestId('confirm-register').click();
  const error = page.getByTestId('register-error');
  await expect(error).toContainText('设备存储空间不足');
  await expect(error).toContainText('这次报名没有保存');
  await expect(page).toHaveURL(new RegExp(`/register/${b.id}$`));
  expect(await page.evaluate(() => (window as any).__kzQuota.hits)).toBeGreaterThan(0);
  const kept = await forPlan(page, a);
  expect(kept.regs).toHaveLength(1);
  expect(kept.entries).toHaveLength(1);
  const refused = await forPlan(page, b);
  expect(refused, 'no record without its entry').toEqual({ regs: [], entries: [] });
  await expect(page.getByTestId('pending-count')).toHaveText('1 项更改等待发送');

  await armQuota(page, []);
  await context.setOffline(false);
  await drain(page);
  const confirmed = confirmedByPlan(await registrationsOf(server, student));
  expect(confirmed.get(a.id)).toBe(1);
  expect(confirmed.get(b.id)).toBeUndefined();
});

test('database deleted under the running app: unsent changes are saved again from the page and sent once', async ({
  page,
  context,
  server,
  world,
}) => {
  const student = world.students[0];
  const [a, b] = world.plans;
  await phoneReady(page, server, student);
  expect(await registerViaUi(page, a)).toBe('done');
  await expect(page.locator('.reg-card', { hasText: a.name }).getByTestId('registration-state')).toHaveText('已确认');
  await context.setOffline(true);
  expect(await registerViaUi(page, b)).toBe('done');
  await deleteDatabase(page);
  await expect(page.getByTestId('storage-restored')).toContainText('1 项未发送的更改已重新保存');
  const restored = await forPlan(page, b);
  expect(restored.regs).toHaveLength(1);
  expect(restored.entries).toHaveLength(1);
  await expect(page.getByTestId('storage-error')).toHaveCount(0);
  // Everything the app needs offline is back: a reload offline shows the catalog and the queue.
  await page.reload();
  await expect(page.locator('.reg-card', { hasText: b.name }).getByTestId('registration-state')).toHaveText('排队中');
  await expect(page.locator('.reg-card', { hasText: a.name }).getByTestId('registration-state')).toHaveText('已确认');
  await spaGo(page, '/catalog');
  await expect(page.getByTestId('results').locator('li').first()).toBeVisible();

  await context.setOffline(false);
  await drain(page);
  const confirmed = confirmedByPlan(await registrationsOf(server, student));
  expect(confirmed.get(a.id)).toBe(1);
  expect(confirmed.get(b.id)).toBe(1);
});

test('database deleted and the changes cannot be saved again: each lost change is named, none is sent', async ({
  page,
  context,
  server,
  world,
}) => {
  await simulateQuota(context);
  const student = world.students[1];
  const [a, b] = world.plans;
  await phoneReady(page, server, student);
  await context.setOffline(true);
  expect(await registerViaUi(page, a)).toBe('done');
  expect(await registerViaUi(page, b)).toBe('done');
  await armQuota(page, ['registrations', 'outbox']);
  await deleteDatabase(page);
  const lost = page.getByTestId('lost-changes');
  await expect(lost).toContainText('以下更改没能重新保存');
  await expect(lost.locator('li')).toHaveCount(2);
  await expect(lost).toContainText(`报名：${a.name}`);
  await expect(lost).toContainText(`报名：${b.name}`);
  await expect(page.getByTestId('storage-error')).toContainText('设备存储空间不足');
  await armQuota(page, []);
  await context.setOffline(false);
  // Still signed in (the session was saved on its own); the list is what the server holds: nothing.
  await spaGo(page, '/me/registrations');
  await expect(page.getByText('还没有报名')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('pending-count')).toHaveCount(0);
  expect(await registrationsOf(server, student)).toEqual([]);
});

test('database deleted while the app was closed: it starts clean and syncs the registrations back from the server', async ({
  page,
  context,
  server,
  world,
}) => {
  const student = world.students[0];
  const [a] = world.plans;
  await phoneReady(page, server, student);
  expect(await registerViaUi(page, a)).toBe('done');
  const card = page.locator('.reg-card', { hasText: a.name });
  await expect(card.getByTestId('registration-state')).toHaveText('已确认');
  const ticket = await card.getByTestId('ticket-no').innerText();
  await page.close();
  // Safari's 7-day eviction: all site data goes while no page is open.
  const other = await context.newPage();
  await other.goto(`${server.url}/icon.svg`);
  await deleteDatabase(other);
  await other.goto(`${server.url}/me/registrations`);
  await expect(other.getByRole('link', { name: '登录' }).first()).toBeVisible();
  await signIn(other, server, student);
  await spaGo(other, '/me/registrations');
  const back = other.locator('.reg-card', { hasText: a.name });
  await expect(back.getByTestId('registration-state')).toHaveText('已确认');
  await expect(back.getByTestId('ticket-no')).toHaveText(ticket);
});

test('persistent storage is asked for after sign-in, not at first paint, and shown with the waiting changes', async ({
  page,
  context,
  server,
  world,
}) => {
  // Records the calls and answers as a browser that grants (here) or refuses (below) would.
  const stub = (grant: boolean) => {
    const calls: string[] = [];
    (window as any).__kzPersistCalls = calls;
    let persisted = false;
    Object.defineProperty(navigator.storage, 'persisted', { value: async () => (calls.push('persisted'), persisted) });
    Object.defineProperty(navigator.storage, 'persist', {
      value: async () => {
        calls.push('persist');
        persisted = (window as any).__kzGrant;
        return persisted;
      },
    });
    (window as any).__kzGrant = grant;
  };
  await context.addInitScript(stub, true);
  await page.goto(`${server.url}/`);
  await expect(page.getByTestId('open-windows')).toBeVisible();
  expect(await page.evaluate(() => (window as any).__kzPersistCalls), 'nothing asked at first paint').not.toContain('persist');
  await signIn(page, server, world.students[0]);
  await expect.poll(() => page.evaluate(() => (window as any).__kzPersistCalls)).toContain('persist');
  await expect(page.getByTestId('storage-persisted')).toHaveAttribute('data-state', 'granted');
  await expect(page.getByTestId('storage-persisted')).toContainText('持久保存');

  // The waiting changes are counted on every page, and the count goes once they are sent.
  await context.setOffline(true);
  expect(await registerViaUi(page, world.plans[0])).toBe('done');
  expect(await registerViaUi(page, world.plans[1])).toBe('done');
  await spaGo(page, '/catalog');
  await expect(page.getByTestId('pending-count')).toHaveText('2 项更改等待发送');
  await context.setOffline(false);
  await expect(page.getByTestId('pending-count')).toHaveCount(0, { timeout: 20_000 });

  // A browser that refuses says so on the account page.
  const refusing = await context.browser()!.newContext({ ...devices['Pixel 7'], locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await refusing.addInitScript(stub, false);
  const second = await refusing.newPage();
  await signIn(second, server, world.students[1]);
  // Nothing waits to be sent, so there is nothing to warn about (design.spec.ts shows the warning).
  await expect(second.getByTestId('profile')).toBeVisible();
  await expect(second.getByTestId('storage-persisted')).toHaveCount(0);
  await refusing.close();
});
