import { test as base, expect } from './guarded';
import { Server } from './server';
import { openPlans, plans, signIn } from './support';

// Home leads with the signed-in student's next step (issue 16, item 2).
const test = base.extend<{ server: Server }>({
  server: async ({}, use) => {
    const server = new Server();
    await server.start();
    await use(server);
    await server.dispose();
  },
});

test('signed in, home leads with the student’s next step, then their province’s plans marked for them', async ({ page, server }) => {
  await signIn(page, server, 'TJ2024001');
  await page.goto(server.url);
  const next = page.getByTestId('next-step');
  await expect(next).toBeVisible();
  await expect(next).toBeInViewport();
  // Their exam still ahead, with a countdown and the ticket.
  const exam = next.getByTestId('my-exams').locator('li').first();
  await expect(exam.getByTestId('countdown')).toHaveText(/^(还有 \d+ 天考试|明天考试|今天考试)$/);
  await expect(exam.getByTestId('next-ticket')).toHaveAttribute('href', /\/tickets\//);
  await expect(next.getByTestId('graduation')).toBeVisible();
  // Next step first, plans after.
  const nextBox = (await next.boundingBox())!;
  const plansBox = (await page.getByTestId('open-windows').boundingBox())!;
  expect(nextBox.y).toBeLessThan(plansBox.y);

  await expect(page.getByTestId('plans-province')).toHaveText('天津的考核计划');
  const all = await plans(server);
  const cards = page.getByTestId('open-windows').locator('.plan-card');
  await expect(cards.first()).toBeVisible();
  for (const name of await cards.locator('.plan-name').allInnerTexts()) {
    expect(all.find((p) => p.name === name)?.province, name).toBe('天津');
  }
  // The Tianjin plan whose exam clashes with the Henan exam they registered for: marked, no 报名.
  const clash = cards.filter({ has: page.getByTestId('plan-mark').filter({ hasText: '时间冲突' }) });
  await expect(clash).toHaveCount(1);
  await expect(clash.getByTestId('plan-register')).toHaveCount(0);
  await expect(clash.getByTestId('plan-why')).toHaveText('查看原因');
});

test('signed out, home lists every province’s plans and no next step', async ({ page, server }) => {
  await page.goto(server.url);
  await expect(page.getByTestId('open-windows').locator('.plan-card').first()).toBeVisible();
  await expect(page.getByTestId('next-step')).toHaveCount(0);
  const provinces = new Set((await openPlans(server)).map((p) => p.province));
  expect(provinces.size).toBeGreaterThan(1);
});
