import { expect, Page } from '@playwright/test';
import { Plan } from '../support';
import { readLocal } from './local';

/**
 * Client-side navigation, as a link inside the app does it (the router handles clicks on any
 * same-origin anchor): no reload, the running app and its memory stay.
 */
export async function spaGo(page: Page, path: string) {
  await page.evaluate((p) => {
    const a = document.createElement('a');
    a.href = p;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }, path);
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[/.]/g, '\\$&')}$`));
}

export type Outcome = 'done' | 'skipped';

/**
 * Registers for `plan` through the register page's button. `done` once the app has queued it
 * (it moves on to the registrations list); `skipped` when the page does not offer it, which is
 * right while a cancel of the same plan is still queued.
 */
export async function registerViaUi(page: Page, plan: Plan): Promise<Outcome> {
  await spaGo(page, `/register/${plan.id}`);
  const ok = page.getByTestId('eligibility-ok');
  const already = page.getByTestId('already-registered');
  const refused = page.getByTestId('eligibility-refusals');
  await expect(ok.or(already).or(refused)).toBeVisible({ timeout: 15_000 });
  if (await refused.isVisible()) {
    throw new Error(`plan ${plan.id} refused on the phone: ${await refused.innerText()}`);
  }
  if (await already.isVisible()) return 'skipped';
  await page.getByTestId('confirm-register').click();
  const error = page.getByTestId('register-error');
  await expect(page.getByTestId('registrations').or(error)).toBeVisible({ timeout: 15_000 });
  if (await error.isVisible()) throw new Error(`registering ${plan.id} failed: ${await error.innerText()}`);
  return 'done';
}

/** The list card of the plan's registration that can still be cancelled. */
function cancellable(page: Page, plan: Plan) {
  return page
    .locator('.reg-card', { hasText: plan.name })
    .filter({ has: page.getByRole('button', { name: '取消报名', exact: true }) });
}

/**
 * Cancels the plan's live registration through the list's cancel and confirm buttons. `done`
 * once the phone has stored the cancel; `skipped` when no card offers to cancel (the
 * server's list has not reached a new phone yet).
 */
export async function cancelViaUi(page: Page, plan: Plan): Promise<Outcome> {
  await spaGo(page, '/me/registrations');
  const card = cancellable(page, plan);
  try {
    await expect(card).toHaveCount(1, { timeout: 10_000 });
  } catch {
    return 'skipped';
  }
  const clientId = await card.getAttribute('data-client-id');
  const same = page.locator(`.reg-card[data-client-id="${clientId}"]`);
  // Done when the phone has stored the cancel (the card's badge may show "sending" either way).
  const stored = async () => {
    const reg = (await readLocal(page)).registrations.find((r) => r.client_id === clientId);
    return reg?.state === 'cancel_queued' || reg?.state === 'cancelled';
  };
  // A sync landing meanwhile redraws the list and closes the confirmation: ask again.
  for (let attempt = 0; attempt < 5 && !(await stored()); attempt++) {
    try {
      await same.getByRole('button', { name: '取消报名', exact: true }).first().click({ timeout: 3_000 });
      await same.getByTestId('confirm-cancel').click({ timeout: 3_000 });
      await expect.poll(stored, { timeout: 3_000 }).toBe(true);
    } catch {
      // Redrawn between the clicks; the loop looks again.
    }
  }
  await expect.poll(stored, { timeout: 5_000 }).toBe(true);
  return 'done';
}

/**
 * Lets the outbox drain: the registrations page's "send now" (which ignores the back-off after
 * failures) until nothing waits and no card is queued or being sent.
 */
export async function drain(page: Page, timeout = 60_000) {
  await spaGo(page, '/me/registrations');
  const pending = page.getByTestId('pending');
  await expect
    .poll(
      async () => {
        if (await pending.isVisible()) {
          await pending.getByRole('button', { name: '立即发送' }).click({ timeout: 2_000 }).catch(() => {});
          return 'waiting';
        }
        return (await page.locator('.reg-queued, .reg-cancel_queued, .reg-sending').count()) === 0 ? 'drained' : 'settling';
      },
      { timeout, intervals: [300, 700, 1_000, 2_000] },
    )
    .toBe('drained');
}
