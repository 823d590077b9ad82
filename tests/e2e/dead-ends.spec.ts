import { test as base, expect } from './guarded';
import { Server } from './server';
import { signIn } from './support';

// The grade checker, the credit bank and dead ends (issue 16, items 6, 7 and 8).
const test = base.extend<{ server: Server }>({
  server: async ({}, use) => {
    const server = new Server();
    await server.start();
    await use(server);
    await server.dispose();
  },
});

test('signed in, the grade checker starts from the student, answer first, the selectors for “what if”', async ({ page, server }) => {
  await signIn(page, server, 'TJ2024001');
  await page.goto(`${server.url}/grades`);
  await expect(page.getByTestId('grades-for-you')).toContainText('天津');
  // Their passed certificate and level, their province and school level.
  await expect(page.locator('#g-cert')).toHaveValue('c547ce207f9bd');
  await expect(page.getByTestId('grade-level')).toHaveValue('intermediate');
  await expect(page.getByTestId('grade-province')).toHaveValue('天津');
  await expect(page.getByTestId('grade-school')).toHaveValue('higher');
  await expect(page.getByTestId('grade-answer')).toBeInViewport();
  const what = page.locator('details.what-if');
  await expect(what).not.toHaveAttribute('open', '');
  await what.locator('summary').click();
  await page.getByTestId('grade-province').selectOption('河南');
  await expect(page.getByTestId('grade-answer').getByTestId('citation').first()).toContainText('河南省教育厅');
});

test('a passed certificate converting 0 credits says why and what to do', async ({ page, server }) => {
  await signIn(page, server, 'TJ2024001');
  await page.goto(`${server.url}/me/credits`);
  const why = page.getByTestId('per-certificate').getByTestId('credit-why');
  await expect(why).toContainText('你的学校还没有规定这个证书可以换算哪些课程的学分');
  await expect(why).toContainText('问学校教务处');
});

test('dead ends get a next step: no plans, a failed result, a verification link to share', async ({ page, context, server }) => {
  // The README's showcase: no levels, no plans.
  await page.goto(`${server.url}/certificates/ccd219fa249c8`);
  await expect(page.getByTestId('no-plans')).toContainText('考核计划公布后会显示在这里');
  await page.getByTestId('certificate-plans').getByRole('link', { name: '全部考核计划' }).click();
  await expect(page).toHaveURL(/\/plans$/);

  await signIn(page, server, 'TJ2024001');
  await page.goto(`${server.url}/results`);
  const failed = page.getByTestId('results-list').locator('li', { hasText: '未通过' }).getByRole('link').first();
  await failed.click();
  await page.getByTestId('failed-next').click();
  await expect(page).toHaveURL(/\/certificates\//);
  await expect(page.getByTestId('certificate-plans')).toBeVisible();

  // The share sheet where the phone has one …
  await page.goto(`${server.url}/results`);
  await page.getByTestId('results-list').locator('li', { hasText: '通过' }).filter({ hasNotText: '未通过' }).getByRole('link').first().click();
  await expect(page.getByTestId('rating-content_quality')).toContainText('很差');
  await expect(page.getByTestId('rating-content_quality')).toContainText('很好');
  const url = await page.getByTestId('verify-url').innerText();
  await page.evaluate(() => {
    (navigator as any).share = async (d: ShareData) => ((window as any).__shared = d.url);
  });
  await page.getByTestId('share-verify').click();
  await expect.poll(() => page.evaluate(() => (window as any).__shared)).toBe(url);
  // … else the link is copied.
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate(() => {
    (navigator as any).share = undefined;
  });
  await page.getByTestId('share-verify').click();
  await expect(page.getByTestId('share-state')).toHaveText('链接已复制，可以粘贴发给用人单位。');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
});

test('a certificate without plans offers a reminder, and home says when its plans are announced', async ({ page, server }) => {
  type Cert = { id: string; name: string; levels: { level: string }[] };
  const { certificates } = await (await fetch(`${server.url}/api/v1/catalog`)).json() as { certificates: Cert[] };
  const { plans } = await (await fetch(`${server.url}/api/v1/plans`)).json() as { plans: { certificate_id: string }[] };
  const { sites } = await (await fetch(`${server.url}/api/v1/sites`)).json() as { sites: { id: string; province: string }[] };
  const cert = certificates.find((c) => c.levels.length > 0 && !plans.some((p) => p.certificate_id === c.id))!;
  await page.goto(`${server.url}/certificates/${cert.id}`);
  await expect(page.getByTestId('no-plans')).toBeVisible();
  await page.getByTestId('watch-toggle').click();
  await expect(page.getByTestId('watching')).toContainText('有考核计划时');
  await page.reload();
  await expect(page.getByTestId('watching')).toBeVisible();
  await expect(page.getByTestId('watch-toggle')).toHaveText('取消提醒');
  await page.goto(`${server.url}/`);
  await expect(page.getByTestId('watch-notice')).toHaveCount(0);

  // The school announces a plan for it.
  const site = sites[0];
  const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
  const csv =
    'id,name,certificate_id,level,province,site_id,phase,window_opens_at,window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen\n' +
    `watch-plan,提醒测试计划,${cert.id},${cert.levels[0].level},${site.province},${site.id},published,${day(-1)} 09:00,${day(10)} 17:00,${day(20)} 09:00,${day(20)} 11:00,30,30000\n`;
  const res = await fetch(`${server.url}/api/v1/admin/import/plans`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminToken()}`, 'content-type': 'text/csv' },
    body: csv,
  });
  expect((await res.json()).rejected).toEqual([]);

  await page.goto(`${server.url}/`);
  const notice = page.getByTestId('watch-notice');
  await expect(notice).toHaveCount(1);
  await expect(notice).toContainText('有考核计划了');
  await notice.getByRole('link', { name: '查看考核计划' }).click();
  await expect(page).toHaveURL(new RegExp(`/certificates/${cert.id}$`));
  await expect(page.getByTestId('certificate-plans').locator('.plan-card')).toHaveCount(1);
  await page.goto(`${server.url}/`);
  await page.getByTestId('watch-notice').getByRole('button', { name: '知道了' }).click();
  await expect(page.getByTestId('watch-notice')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('plans-province').or(page.getByRole('heading', { level: 1 })).first()).toBeVisible();
  await expect(page.getByTestId('watch-notice')).toHaveCount(0);
});
