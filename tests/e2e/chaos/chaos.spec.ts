import { test, expect, devices, Browser } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server } from '../server';
import { PageGuard, Plan, serviceWorkerReady, signIn } from '../support';
import { cancelViaUi, drain, registerViaUi } from './app';
import { liveByPlan, readLocal } from './local';
import { FaultyNetwork } from './network';
import { Rng, scenarioSeed } from './prng';
import { confirmedByPlan, registrationsOf, seedWorld, World } from './world';

// Network chaos: seeded scenarios of register/cancel through the app's UI under injected faults,
// then the server's registrations are compared with what the student meant. Defaults keep CI
// short. The long run is 1,000 scenarios in five chunks of 200 (`scripts/long-runs.sh chaos`, run by
// `scripts/test.sh --long`): `KZ_CHAOS_FROM=<first index> KZ_CHAOS_SCENARIOS=<count>` runs one
// chunk, and `KZ_CHAOS_SEED` / `KZ_CHAOS_ONLY=<index>` replay a run or one of its scenarios.
const SEED = Number(process.env.KZ_CHAOS_SEED ?? 20261122) >>> 0;
const SCENARIOS = Number(process.env.KZ_CHAOS_SCENARIOS ?? 25);
const FROM = Number(process.env.KZ_CHAOS_FROM ?? 0);
const ONLY = process.env.KZ_CHAOS_ONLY === undefined ? undefined : Number(process.env.KZ_CHAOS_ONLY);
const PLANS = 6;
// New phones for the same students: later scenarios start from what earlier ones left on the server
// (each chunk starts from a fresh server). Scenario i is student i mod 30 in every chunking.
const STUDENTS = Math.min(FROM + SCENARIOS, 30);

const FAULTS = {
  none: 3,
  offline: 2,
  error500: 2,
  dropAfterCommit: 3,
  timeout: 2,
  reloadMidFlight: 2,
};
type Fault = keyof typeof FAULTS;

interface Totals {
  scenarios: number;
  actions: number;
  skipped: number;
  faults: Record<Fault, number>;
  injected: FaultyNetwork['injected'];
  lost: number;
  duplicated: number;
  mismatched: number;
  failures: string[];
}

const server = new Server();
let world: World;
test.beforeAll(async () => {
  await server.start();
  world = await seedWorld(server, { students: STUDENTS, plans: PLANS, prefix: 'CH' });
});
test.afterAll(async () => {
  await server.dispose();
});

const phone = {
  ...devices['Pixel 7'],
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
  serviceWorkers: 'allow' as const,
};

/** One scenario on a new phone; returns what it did and what it found. */
async function scenario(browser: Browser, index: number, totals: Totals) {
  const rng = new Rng(scenarioSeed(SEED, index));
  const student = world.students[index % world.students.length];
  // What the student means to hold: what the server holds at the start, then each action.
  const intended = new Set(
    [...confirmedByPlan(await registrationsOf(server, student)).keys()].filter((id) => world.plans.some((p) => p.id === id)),
  );
  const context = await browser.newContext(phone);
  // Nothing may wait forever: a hung step fails the scenario, not the whole run.
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(20_000);
  const guard = await new PageGuard().attach(context);
  const net = new FaultyNetwork(rng);
  await net.install(context);
  const page = await context.newPage();
  const log: string[] = [];
  // The app's own error reports (a panic prints here first), for a scenario that stops short.
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text().slice(0, 300));
  });
  const started = Date.now();
  try {
    await signIn(page, server, student);
    // Offline reloads need the service worker's shell.
    await serviceWorkerReady(page);
    const actions = 3 + rng.int(4);
    for (let a = 0; a < actions; a++) {
      const plan: Plan = rng.pick(world.plans);
      const fault = rng.weighted(FAULTS);
      totals.faults[fault]++;
      if (fault === 'offline') await context.setOffline(true);
      if (fault === 'error500') net.mode = 'error500';
      if (fault === 'dropAfterCommit') net.mode = 'drop-after-commit';
      if (fault === 'timeout') net.mode = 'timeout';
      if (fault === 'reloadMidFlight') net.mode = 'hold';
      const cancel = intended.has(plan.id);
      const outcome = cancel ? await cancelViaUi(page, plan) : await registerViaUi(page, plan);
      log.push(`${cancel ? 'cancel' : 'register'} ${plan.id} under ${fault}: ${outcome}`);
      if (outcome === 'done') {
        totals.actions++;
        if (cancel) intended.delete(plan.id);
        else intended.add(plan.id);
      } else {
        totals.skipped++;
      }
      // The app tries under the fault (or not, if the timing says so).
      await page.waitForTimeout(rng.int(600));
      if (fault === 'reloadMidFlight') {
        await expect.poll(() => net.holding, { timeout: 3_000 }).toBeGreaterThan(0).catch(() => {});
        net.mode = 'pass';
        await page.reload();
        await expect(page.getByTestId('sync-status')).toBeVisible();
        // A held request may arrive now, racing the reloaded page's own attempt.
        if (rng.chance(0.5)) await net.release();
      }
      net.mode = 'pass';
      if (fault === 'offline') {
        // Sometimes the phone stays offline through the next action too.
        if (rng.chance(0.7)) await context.setOffline(false);
      }
    }
    // Heal: the network comes back, late requests arrive, the app sends what waits.
    await context.setOffline(false);
    await net.release();
    await drain(page);

    const regs = await registrationsOf(server, student);
    const confirmed = confirmedByPlan(regs);
    let lost = 0;
    let duplicated = 0;
    for (const p of world.plans) {
      const n = confirmed.get(p.id) ?? 0;
      if (intended.has(p.id)) {
        if (n === 0) lost++;
        duplicated += Math.max(0, n - 1);
      } else {
        duplicated += n;
      }
    }
    // The phone must show what the server holds: intended plans live once, others not at all.
    const local = liveByPlan(await readLocal(page));
    const mismatched = world.plans.filter((p) => (local.get(p.id) ?? 0) !== (intended.has(p.id) ? 1 : 0)).length;
    totals.lost += lost;
    totals.duplicated += duplicated;
    totals.mismatched += mismatched;
    guard.expectClean();
    if (lost || duplicated || mismatched) {
      totals.failures.push(
        `scenario ${index} (seed ${scenarioSeed(SEED, index)}, ${student}): lost=${lost} duplicated=${duplicated} mismatched=${mismatched}; ` +
          `intended=[${[...intended].join(',')}] server=${JSON.stringify([...confirmed])}; ${log.join('; ')}`,
      );
    }
  } catch (e) {
    // What the phone showed when it stuck: enough to tell a missing plan from a missing verdict.
    const shown = await page
      .evaluate(() => `${location.pathname}: ${(document.querySelector('main') ?? document.body).textContent?.replace(/\s+/g, ' ').slice(0, 400)}`)
      .catch((err) => `page unreadable: ${err}`);
    totals.failures.push(
      `scenario ${index} (seed ${scenarioSeed(SEED, index)}, ${student}) did not finish: ${e}; ${log.join('; ')}; the page showed ${shown}; ` +
        `page errors ${JSON.stringify(guard.pageErrors)}; console errors ${JSON.stringify(consoleErrors.slice(-5))}`,
    );
  } finally {
    for (const k of Object.keys(net.injected) as (keyof Totals['injected'])[]) totals.injected[k] += net.injected[k];
    await net.release();
    await context.close();
  }
  if (process.env.KZ_CHAOS_VERBOSE) console.log(`scenario ${index}: ${log.join('; ')} (${Date.now() - started} ms)`);
}

test(`network chaos: ${ONLY === undefined ? SCENARIOS : 1} seeded scenarios, nothing lost or duplicated`, async ({ browser }) => {
  const indices = ONLY === undefined ? [...Array(SCENARIOS).keys()].map((i) => FROM + i) : [ONLY];
  test.setTimeout(120_000 + indices.length * 90_000);
  const totals: Totals = {
    scenarios: 0,
    actions: 0,
    skipped: 0,
    faults: { none: 0, offline: 0, error500: 0, dropAfterCommit: 0, timeout: 0, reloadMidFlight: 0 },
    injected: { error500: 0, dropAfterCommit: 0, timeout: 0, held: 0, lateArrivals: 0 },
    lost: 0,
    duplicated: 0,
    mismatched: 0,
    failures: [],
  };
  const started = Date.now();
  console.log(
    `chaos: seed=${SEED} scenarios=${indices.length} from index ${indices[0]} (replay: KZ_CHAOS_SEED=${SEED} KZ_CHAOS_ONLY=<index>)`,
  );
  for (const i of indices) {
    await scenario(browser, i, totals);
    totals.scenarios++;
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const faults = Object.entries(totals.faults)
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
  const injected = Object.entries(totals.injected)
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
  const line =
    `chaos: seed=${SEED} scenarios=${totals.scenarios} actions=${totals.actions} skipped=${totals.skipped} ` +
    `faults={${faults}} requests={${injected}} lost=${totals.lost} duplicated=${totals.duplicated} ` +
    `mismatched=${totals.mismatched} unfinished=${totals.failures.filter((f) => f.includes('did not finish')).length} time=${seconds}s`;
  console.log(line);
  for (const f of totals.failures) console.log(`  ${f}`);
  const out = join(__dirname, '..', '..', '..', 'test-results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `chaos-${SEED}-${indices[0]}-${totals.scenarios}.json`), JSON.stringify({ line, ...totals, seconds }, null, 2));
  expect(totals.failures, line).toEqual([]);
  expect(totals.lost).toBe(0);
  expect(totals.duplicated).toBe(0);
});
