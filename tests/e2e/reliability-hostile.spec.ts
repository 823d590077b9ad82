import { Page } from '@playwright/test';
import { test, expect } from './guarded';
import { createHash } from 'node:crypto';
import { Server } from './server';
import { api } from './support';
import { adminImport, csv } from './chaos/world';

// Hostile data and the browser's own defences: catalog text that looks like markup or links
// renders as inert text, the page keeps its shape, no script runs, and the Content-Security-Policy
// is never violated; every script and WASM file is pinned by an integrity hash.
const server = new Server();
test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

/** Pinyin the catalog accepts for `name`: ASCII runs as they are, each Chinese character read "x". */
function pinyin(name: string): string {
  const tokens: string[] = [];
  let word = '';
  for (const ch of name) {
    const c = ch.toLowerCase();
    if (/^[a-z0-9]$/.test(c)) {
      word += c;
      continue;
    }
    if (word) tokens.push(word), (word = '');
    if (/\p{Script=Han}/u.test(ch)) tokens.push('x');
  }
  if (word) tokens.push(word);
  return tokens.join(' ');
}

const SCRIPT = '<script>window.__pwned=1</script>脚本注入证书';
const ORG = '<img src=x onerror="window.__pwned=1;alert(1)">恶意组织\u202Elivé';
const RTL = '\u202Etxt.exe 反向文字证书';
const LONG = '长名称证书' + 'W'.repeat(195);
const DESCRIPTION =
  'javascript:alert(1) <a href="javascript:alert(1)">点我</a> <iframe src="javascript:alert(1)"></iframe> ' +
  '很长的证书说明，'.repeat(1100) +
  'X'.repeat(1000);
const PLAN = '<img src=x onerror=window.__pwned=1>恶意计划';
const SITE = '<svg onload=window.__pwned=1>恶意考点';

type Cert = { id: string; name: string; org_id: string; levels: any[]; pinyin: string; description?: string };

function cert(id: string, name: string, extra: Partial<Cert> = {}): Cert {
  return { id, name, org_id: 'o-hostile', levels: [{ level: 'primary' }], pinyin: pinyin(name), ...extra };
}

async function catalogWith(orgUrl: string | undefined, certs: Cert[]) {
  const base = await api<any>(server, '/catalog');
  const org = { id: 'o-hostile', name: ORG, pinyin: pinyin(ORG), ...(orgUrl ? { url: orgUrl } : {}) };
  return JSON.stringify({ ...base, orgs: [...base.orgs, org], certificates: [...base.certificates, ...certs] });
}

/** What a page must never show after rendering hostile text. */
async function expectInert(page: Page) {
  expect(await page.evaluate(() => (window as any).__pwned), 'no injected script ran').toBeUndefined();
  const injected = await page.evaluate(
    () => document.querySelectorAll('img[src="x"], img[onerror], svg[onload], iframe, a[href^="javascript:" i]').length,
  );
  expect(injected, 'no element was made from catalog text').toBe(0);
  // Only the app's own loader script is in the document.
  expect(await page.evaluate(() => [...document.scripts].filter((s) => !s.src && s.type !== 'module').length)).toBe(0);
  // Nothing is wider than the phone: long words wrap.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'horizontal overflow in px').toBeLessThanOrEqual(0);
}

test('hostile catalog text is refused where it could act and inert where it is shown', async ({ page }) => {
  test.setTimeout(120_000);
  const admin = server.adminToken('hostile');
  const importCatalog = (body: string) => adminImport(server, admin, 'catalog', body, 'application/json');

  // Links that are not https:// never get in, nor do names beyond 200 characters (10 KB here).
  const jsStandard = await importCatalog(
    await catalogWith(undefined, [cert('c-hostile-js', '链接证书', { levels: [{ level: 'primary', standard_url: 'javascript:alert(1)' }] })]),
  );
  expect(jsStandard.status, JSON.stringify(jsStandard.report)).toBe(422);
  expect(JSON.stringify(jsStandard.report)).toMatch(/standard_url.*https:\/\//);
  const jsOrg = await importCatalog(await catalogWith('javascript:alert(1)', [cert('c-hostile-js', '链接证书')]));
  expect(jsOrg.status).toBe(422);
  expect(JSON.stringify(jsOrg.report)).toMatch(/url.*https:\/\//);
  const huge = await importCatalog(await catalogWith(undefined, [cert('c-hostile-huge', '超长'.repeat(5000))]));
  expect(huge.status).toBe(422);
  expect(JSON.stringify(huge.report)).toMatch(/name.*longer than 200/);

  // Markup, an RTL override, a 200-character word and a 10 KB description are only text.
  const accepted = await importCatalog(
    await catalogWith('https://example.org/hostile', [
      cert('c-hostile-script', SCRIPT),
      cert('c-hostile-rtl', RTL),
      cert('c-hostile-long', LONG, { description: DESCRIPTION }),
    ]),
  );
  expect(accepted.status, JSON.stringify(accepted.report)).toBe(200);
  expect(new TextEncoder().encode(DESCRIPTION).length, "a description over 10 KB").toBeGreaterThan(10_000);
  const sites = await adminImport(
    server,
    admin,
    'sites',
    csv([['id', 'name', 'province', 'city', 'address'], ['site-hostile', SITE, '天津', '天津', 'javascript:alert(1) \u202E路1号']]),
  );
  expect(sites.status, JSON.stringify(sites.report)).toBe(200);
  const day = 24 * 3600 * 1000;
  const at = (d: number) => new Date(Date.now() + d * day).toISOString();
  const plans = await adminImport(
    server,
    admin,
    'plans',
    csv([
      ['id', 'name', 'certificate_id', 'level', 'province', 'site_id', 'phase', 'window_opens_at', 'window_closes_at', 'exam_starts_at', 'exam_ends_at', 'capacity', 'fee_fen'],
      ['plan-hostile', PLAN, 'c-hostile-script', 'primary', '天津', 'site-hostile', 'published', at(-1), at(30), at(40), at(40.1), '50', '30000'],
    ]),
  );
  expect(plans.status, JSON.stringify(plans.report)).toBe(200);

  const text = (sel: string) => page.locator(sel).first().evaluate((e) => e.textContent ?? '');

  // Search results: the names as typed, not as markup.
  await page.goto(`${server.url}/catalog?q=pwned`);
  const card = page.getByTestId('results').locator('li', { hasText: '脚本注入证书' });
  await expect(card).toHaveCount(1);
  expect(await card.locator('.cert-name').evaluate((e) => e.textContent)).toContain(SCRIPT);
  expect(await card.locator('.cert-org').evaluate((e) => e.textContent)).toContain(ORG);
  await expectInert(page);

  // The certificate page with its exam plan and site.
  await card.locator('.cert-name').click();
  await expect(page.getByTestId('certificate-name')).toBeVisible();
  expect(await text('[data-testid="certificate-name"]')).toBe(SCRIPT);
  expect(await text('[data-testid="certificate-org"]')).toContain(ORG);
  const plan = page.getByTestId('certificate-plans').locator('.plan-card', { hasText: '恶意计划' });
  await expect(plan).toHaveCount(1);
  expect(await plan.evaluate((e) => e.textContent)).toContain(PLAN);
  expect(await plan.evaluate((e) => e.textContent)).toContain(SITE);
  await expectInert(page);

  // The RTL override stays a character of the name.
  await page.goto(`${server.url}/certificates/c-hostile-rtl`);
  await expect(page.getByTestId('certificate-name')).toBeVisible();
  expect(await text('[data-testid="certificate-name"]')).toBe(RTL);
  await expectInert(page);

  // 200 characters without a break and 10 KB of description wrap inside the phone's width.
  await page.goto(`${server.url}/certificates/c-hostile-long`);
  await expect(page.getByTestId('certificate-name')).toBeVisible();
  expect(await text('[data-testid="certificate-name"]')).toBe(LONG);
  expect(await text('.description')).toBe(DESCRIPTION);
  await expectInert(page);

  // Home lists the open plan, with its hostile name as text.
  await page.goto(server.url);
  const open = page.getByTestId('open-windows').locator('.plan-card', { hasText: '恶意计划' });
  await expect(open).toHaveCount(1);
  expect(await open.evaluate((e) => e.textContent)).toContain(PLAN);
  await expectInert(page);
});

/** The `integrity` of every script, module preload, preload and loader fetch (JS, WASM, CSS) in index.html. */
function pinned(html: string): { tag: string; url: string; integrity: string | undefined }[] {
  const out = [];
  for (const m of html.matchAll(/<(script|link)\b([^>]*)>/g)) {
    const attrs = m[2];
    const url = /\b(?:src|href)=("?)([^"\s>]+)\1/.exec(attrs)?.[2];
    if (!url || !/\.(js|wasm|css)$/.test(url)) continue;
    const integrity = /\bintegrity=("?)([^"\s>]+)\1/.exec(attrs)?.[2];
    out.push({ tag: `${m[1]} ${/\brel=("?)([^"\s>]+)\1/.exec(attrs)?.[2] ?? ''}`.trim(), url, integrity });
  }
  // The loader fetches the WASM after the first paint (scripts/defer-wasm.mjs), pinned the same way.
  for (const m of html.matchAll(/fetch\('([^']+)'(, \{ integrity: '([^']+)')?/g)) {
    out.push({ tag: 'loader fetch', url: m[1], integrity: m[3] });
  }
  return out;
}

test('every script and WASM file is pinned by its sha384, and the page carries the security headers', async ({ page }) => {
  const res = await fetch(`${server.url}/`);
  const html = await res.text();
  const files = pinned(html);
  expect(files.map((f) => f.url).some((u) => u.endsWith('.wasm')), 'the WASM is pinned').toBe(true);
  // The rendered first screen does not wait for the WASM: nothing preloads it before the first paint.
  expect(html).not.toMatch(/<link\b[^>]*\.wasm/);
  expect(files.map((f) => f.url).some((u) => u.endsWith('.js')), 'the JS glue is preloaded').toBe(true);
  for (const f of files) {
    expect(f.integrity, `${f.tag} ${f.url}`).toMatch(/^sha384-[A-Za-z0-9+/]+=*$/);
    const body = Buffer.from(await (await fetch(`${server.url}${f.url}`)).arrayBuffer());
    expect(`sha384-${createHash('sha384').update(body).digest('base64')}`, f.url).toBe(f.integrity);
  }
  // The inline loader is allowed by its hash, and nothing else inline is.
  const csp = res.headers.get('content-security-policy') ?? '';
  const directive = (name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';
  const scriptSrc = directive('script-src');
  expect(scriptSrc).toContain("'self'");
  expect(scriptSrc).toContain("'wasm-unsafe-eval'");
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  expect(scriptSrc).not.toContain("'unsafe-eval'");
  // (The first screen's embedded data is a JSON data block, which never runs.)
  expect(html).toContain('<script type="application/json" id="kz-first">');
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)(?![^>]*type="application\/json")[^>]*>([\s\S]*?)<\/script>/g)) {
    expect(scriptSrc).toContain(`'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
  }
  expect(directive('frame-ancestors')).toMatch(/^frame-ancestors 'self'/);
  expect(directive('object-src')).toBe("object-src 'none'");
  expect(directive('base-uri')).toBe("base-uri 'self'");
  // Pages and the service worker carry the app's policy; what never runs under a policy of its
  // own (API answers, the WASM, the style sheet, the JS glue, which runs under its page's) may load
  // nothing and be framed by no one.
  const inert = "default-src 'none'; frame-ancestors 'none'";
  const kinds = (re: RegExp, policy: string) => files.filter((f) => re.test(f.url)).map((f) => [f.url, policy]);
  expect(kinds(/\.(wasm|css)$/, inert).length, 'the WASM and the style sheet').toBeGreaterThanOrEqual(2);
  // A referrer policy only where the browser sends requests under it (pages, scripts, the style
  // sheet's url() loads), not on the API's JSON or the WASM.
  const refers = 'strict-origin-when-cross-origin';
  for (const [path, policy, referrer] of [
    ['/', csp, refers],
    ['/catalog', csp, refers],
    ...kinds(/\.js$/, inert).map(([u, p]) => [u, p, refers]),
    ['/sw.js', csp, refers],
    ['/api/v1/catalog', inert, null],
    ...kinds(/\.wasm$/, inert).map(([u, p]) => [u, p, null]),
    ...kinds(/\.css$/, inert).map(([u, p]) => [u, p, refers]),
  ]) {
    const r = await fetch(`${server.url}${path}`);
    expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
    expect(r.headers.get('referrer-policy'), path).toBe(referrer);
    expect(r.headers.get('content-security-policy'), path).toBe(policy);
  }
  // The browser loads all of it under this policy (the guard fails on any violation).
  await page.goto(`${server.url}/catalog`);
  await expect(page.getByTestId('results').locator('li').first()).toBeVisible();
});

test('a tampered JS file does not run: its integrity check fails and the app never starts', async ({ browser }) => {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') failures.push(m.text());
  });
  await page.route(/\/kaozheng-[0-9a-f]+\.js$/, async (route) => {
    const res = await route.fetch();
    const body = (await res.text()) + '\nwindow.__tampered = 1;\n';
    await route.fulfill({ response: res, body });
  });
  await page.goto(`${server.url}/catalog`);
  await expect.poll(() => failures.join('\n'), { timeout: 10_000 }).toMatch(/integrity/i);
  expect(await page.evaluate(() => (window as any).__tampered)).toBeUndefined();
  // The page the server rendered stays, and the app never replaced it.
  await expect(page.getByRole('heading', { name: '证书目录' })).toBeVisible();
  await expect(page.locator('#shell')).toHaveCount(1);
  await context.close();
});
