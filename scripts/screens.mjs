#!/usr/bin/env node
// Screenshots of every student page in Chinese, English and dark, at 390×844 and 320×640, into
// docs/screens/<variant>-<width>x<height>/<page>.png, so a reviewer sees the product without
// running it. Runs the server (KZ_SERVER_BIN, else target/debug or target/release) with the demo
// data on a throwaway data dir and the built app in dist/ (scripts/build-app.sh first).
//
//   node scripts/screens.mjs [--only zh-390x844]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'screens');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const bin =
  process.env.KZ_SERVER_BIN ||
  [join(root, 'target', 'debug', 'kaozheng-server'), join(root, 'target', 'release', 'kaozheng-server')].find(existsSync);
if (!bin) throw new Error('no server binary: cargo build -p kaozheng-server');

const dataDir = mkdtempSync(join(process.env.TMPDIR || tmpdir(), 'kz-screens-'));
const server = spawn(bin, ['serve', '--demo', '--port', '0', '--data-dir', dataDir, '--dist', join(root, 'dist')], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
const base = await new Promise((ok, fail) => {
  let log = '';
  const onData = (c) => {
    log += c;
    const m = log.match(/serving on (http:\/\/[^\s/]+)/);
    if (m) ok(m[1]);
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.on('exit', (code) => fail(new Error(`server exited ${code}: ${log}`)));
});

const plans = (await (await fetch(`${base}/api/v1/plans`)).json()).plans;
const openPlan = plans.find((p) => p.state === 'open' && p.seats_left > 1 && p.province === '天津');
const fullPlan = plans.find((p) => p.state === 'open' && p.seats_left === 0);

const variants = [
  { name: 'zh', locale: 'zh-CN', scheme: 'light' },
  { name: 'en', locale: 'en', scheme: 'light' },
  { name: 'dark', locale: 'zh-CN', scheme: 'dark' },
];
const sizes = [
  { width: 390, height: 844 },
  { width: 320, height: 640 },
];
// Signed out first, then as TJ2024001 (registrations, results, a clash), then TJ2024002 (the
// confirm page of a pilot student whose funded exam is unused).
const publicPages = [
  ['home', '/'],
  ['plans', '/plans'],
  ['catalog', '/catalog'],
  ['certificate', `/certificates/${openPlan.certificate_id}`],
  ['certificate-no-levels', '/certificates/ccd219fa249c8'],
  ['grades', '/grades'],
  ['verify', '/verify'],
  ['signin', '/signin'],
];
const studentPages = [
  ['home-signed-in', '/'],
  ['me', '/me'],
  ['registrations', '/me/registrations'],
  ['credits', '/me/credits'],
  ['results', '/results'],
  ['grades-signed-in', '/grades'],
  ['register-full', `/register/${fullPlan.id}`],
];
const pilotPages = [['register', `/register/${openPlan.id}`]];

const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});

async function signIn(page, studentNo) {
  await page.goto(`${base}/signin`);
  await page.locator('#student-no').fill(studentNo);
  await page.locator('#password').fill('kaozheng-demo');
  await page.locator('main form button[type=submit]').click();
  await page.waitForURL(/\/me$/);
  await page.waitForTimeout(1200);
}

async function shoot(page, dir, name, path) {
  await page.goto(`${base}${path}`);
  await page.locator('main h1').first().waitFor();
  await page.waitForTimeout(900);
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

try {
  for (const v of variants) {
    for (const size of sizes) {
      const id = `${v.name}-${size.width}x${size.height}`;
      if (only && only !== id) continue;
      const dir = join(out, id);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const [who, list] of [[null, publicPages], ['TJ2024001', studentPages], ['TJ2024002', pilotPages]]) {
        const ctx = await browser.newContext({
          viewport: size,
          deviceScaleFactor: 1,
          locale: v.locale,
          colorScheme: v.scheme,
          timezoneId: 'Asia/Shanghai',
        });
        await ctx.addInitScript((tag) => localStorage.setItem('kz.locale', tag), v.locale);
        const page = await ctx.newPage();
        if (who) await signIn(page, who);
        for (const [name, path] of list) await shoot(page, dir, name, path);
        await ctx.close();
      }
      console.log(`wrote ${dir}`);
    }
  }
} finally {
  await browser.close();
  server.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}
