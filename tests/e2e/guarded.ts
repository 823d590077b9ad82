import { test as base } from '@playwright/test';
import { PageGuard } from './support';

// The specs' `test`: every page of every test is watched by a PageGuard, so the run fails on any
// Content-Security-Policy violation, uncaught page error or dialog. (The embed spec keeps the
// plain `test`: framing from a disallowed origin is a violation it provokes on purpose.)
export const test = base.extend<{ guard: PageGuard }>({
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
