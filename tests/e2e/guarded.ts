import { test as base, Page } from '@playwright/test';
import { PageGuard } from './support';

// The specs' `test`: every page of every test is watched by a PageGuard, so the run fails on any
// Content-Security-Policy violation, uncaught page error or dialog. (The embed spec keeps the
// plain `test`: framing from a disallowed origin is a violation it provokes on purpose.)
//
// Public pages arrive rendered by the server and the app takes their place when its WASM has
// started (the server's copy, `#shell`, is then removed). A test acts on the live app, so `goto`
// and `reload` wait for that; a page whose app never starts is left as it is after 15 s.
export async function appStarted(page: Page): Promise<void> {
  await page
    .waitForFunction(() => !document.getElementById('shell'), null, { timeout: 15_000 })
    .catch(() => {});
}

function waitForApp(page: Page): void {
  const goto = page.goto.bind(page);
  page.goto = async (url, options) => {
    const res = await goto(url, options);
    await appStarted(page);
    return res;
  };
  const reload = page.reload.bind(page);
  page.reload = async (options) => {
    const res = await reload(options);
    await appStarted(page);
    return res;
  };
}

export const test = base.extend<{ guard: PageGuard }>({
  context: async ({ context }, use) => {
    context.pages().forEach(waitForApp);
    context.on('page', waitForApp);
    await use(context);
  },
  guard: [
    async ({ context }, use) => {
      const guard = await new PageGuard().attach(context);
      await use(guard);
      guard.expectClean();
    },
    { auto: true },
  ],
});
export { expect } from '@playwright/test';
