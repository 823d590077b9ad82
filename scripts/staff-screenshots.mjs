#!/usr/bin/env node
// The README's pictures of the staff page (docs/staff-*.png): headless Debian Chromium at a desktop
// width and at a phone's (390×844), signed in as the demo's Tianjin school staff on a fresh
// `serve --demo`.
//   node scripts/staff-screenshots.mjs
// KZ_SERVER_BIN picks the server binary (default target/debug/kaozheng-server, built with
// `cargo build -p kaozheng-server`). The staff page needs no built app.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.KZ_SERVER_BIN || join(root, 'target', 'debug', 'kaozheng-server');
const data = mkdtempSync(join(process.env.TMPDIR || tmpdir(), 'kz-shots-'));

const server = spawn(bin, ['serve', '--demo', '--port', '0', '--data-dir', join(data, 'var'), '--dist', join(data, 'dist')], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, RUST_LOG: 'warn' },
});
const url = await new Promise((ok, fail) => {
  let out = '';
  const timer = setTimeout(() => fail(new Error(`the server did not start: ${out}`)), 60_000);
  server.stdout.on('data', (chunk) => {
    out += chunk;
    const m = out.match(/serving on (http:\/\/[^\s/]+)/);
    if (m) {
      clearTimeout(timer);
      ok(m[1]);
    }
  });
  server.on('exit', (code) => fail(new Error(`the server exited with ${code}`)));
});

const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
try {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  const shot = async (name, options = {}) => {
    const path = join(root, 'docs', name);
    await page.screenshot({ path, ...options });
    console.log(`wrote ${path}`);
  };

  await page.goto(`${url}/staff`);
  await page.getByLabel('用户名').fill('demo-tianjin');
  await page.getByLabel('密码').fill('kaozheng-demo');
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('plans').waitFor();
  await shot('staff-desk.png', { fullPage: true });

  // A roster filled in with one mistake: the check names the row and writes nothing.
  const check = async (kind, name, text) => {
    await page.goto(`${url}/staff`);
    await page.getByLabel('文件内容').selectOption(kind);
    await page.getByLabel('文件', { exact: true }).setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
    await page.getByRole('button', { name: '检查（不写入）' }).click();
    await page.getByTestId('counts').waitFor();
  };
  await check(
    'students',
    '新生名册.csv',
    'student_no,name,school,school_level,province,password\n' +
      'TJ2025001,孙小雨,示例职业技术学院,高职,天津,initial-pass-1\n' +
      'TJ2025002,周子涵,示例职业技术学院,博士,天津,initial-pass-2\n' +
      'HA2025001,吴浩然,河南示例中等职业学校,中职,河南,initial-pass-3\n',
  );
  await shot('staff-check-refused.png');
  await check(
    'students',
    '新生名册.csv',
    'student_no,name,school,school_level,province,password\n' +
      'TJ2025001,孙小雨,示例职业技术学院,高职,天津,initial-pass-1\n' +
      'TJ2025002,周子涵,示例职业技术学院,中职,天津,initial-pass-2\n',
  );
  await shot('staff-check-ok.png');

  // The same desk on a phone: 390×844 CSS pixels, as a school's staff might check it on the way.
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const mobile = await phone.newPage();
  await mobile.goto(`${url}/staff`);
  await mobile.getByLabel('用户名').fill('demo-tianjin');
  await mobile.getByLabel('密码').fill('kaozheng-demo');
  await mobile.getByRole('button', { name: '登录' }).click();
  await mobile.getByTestId('plans').waitFor();
  const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) throw new Error(`the staff desk is ${overflow}px wider than a 390px phone`);
  const phoneShot = join(root, 'docs', 'staff-desk-phone.png');
  await mobile.screenshot({ path: phoneShot });
  console.log(`wrote ${phoneShot}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(data, { recursive: true, force: true });
}
