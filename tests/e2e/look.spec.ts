import { Page } from '@playwright/test';
import { test as base, expect } from './guarded';
import { Server } from './server';
import { openPlans, signIn } from './support';

// The look, measured: on every student page at both phone sizes, no text is smaller than 12 px and
// every control a thumb must hit is at least 44 px high (and wide), and no developer's text shows.
const test = base.extend<{ server: Server }>({
  server: async ({}, use) => {
    const server = new Server();
    await server.start();
    await use(server);
    await server.dispose();
  },
});

const SIZES = [
  { width: 390, height: 844 },
  { width: 320, height: 640 },
];

/** What breaks the rules on the page now: tiny text and small controls, described. */
async function offences(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !el.closest('.visually-hidden, [hidden], details:not([open]) > :not(summary)');
    };
    const name = (el: Element) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent || '').trim().slice(0, 30)}"`;
    for (const el of document.querySelectorAll('body *')) {
      const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent || '').trim());
      if (!own || !visible(el)) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 12) out.push(`text ${size}px: ${name(el)}`);
    }
    const controls = 'button, a.button, .main-nav a, .embed-nav a, input:not([type=checkbox]):not([type=radio]), select, summary, .link-button';
    for (const el of document.querySelectorAll(controls)) {
      if (!visible(el) || el.closest('.skip-link')) continue;
      const r = el.getBoundingClientRect();
      if (r.height < 44 - 0.5 || r.width < 44 - 0.5) out.push(`target ${Math.round(r.width)}×${Math.round(r.height)}: ${name(el)}`);
    }
    return out;
  });
}

for (const size of SIZES) {
  test(`text ≥ 12 px and tap targets ≥ 44 px on every page at ${size.width}×${size.height}`, async ({ page, server }) => {
    test.setTimeout(120_000);
    await page.setViewportSize(size);
    const [plan] = await openPlans(server, { secondary: true });
    const pages = ['/', '/plans', '/catalog', `/certificates/${plan.certificate_id}`, '/grades', '/verify', '/signin'];
    const signedIn = ['/', '/me', '/me/registrations', '/me/credits', '/results', `/register/${plan.id}`];
    const found: string[] = [];
    const check = async (path: string) => {
      await page.goto(`${server.url}${path}`);
      await expect(page.locator('main h1').first()).toBeVisible();
      await page.waitForTimeout(300);
      for (const o of await offences(page)) found.push(`${path}: ${o}`);
      // And no developer's text anywhere a student reads (issue 16, item 3).
      const text = await page.locator('body').innerText();
      const raw = text.match(/TypeError|Failed to fetch|HTTP \d|answered \d|undefined|NaN|\[object |DOMException|panicked/);
      if (raw) found.push(`${path}: developer text "${raw[0]}"`);
    };
    for (const path of pages) await check(path);
    await signIn(page, server, 'TJ2024001');
    for (const path of signedIn) await check(path);
    expect(found).toEqual([]);
  });
}
