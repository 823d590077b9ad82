import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { test, expect } from '@playwright/test';
import { Server } from './server';

// The embed demo (issue 16, item 10): `scripts/run.sh --embed-demo` serves the demo school portal on
// a second loopback port; the app shows inside it, from its own origin.
async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

test('the demo portal embeds the app from another origin', async ({ page }) => {
  const port = await freePort();
  const server = new Server(['--frame-ancestor', `http://127.0.0.1:${port}`]);
  await server.start();
  const demo = spawn('node', [resolve(__dirname, '..', '..', 'scripts', 'embed-demo.mjs'), '--app', server.url, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((ok) => demo.stdout!.once('data', () => ok()));
    await page.goto(`http://127.0.0.1:${port}/`);
    await expect(page.getByRole('heading', { name: 'Certificates' })).toBeVisible();
    const widget = page.frameLocator('#kaozheng iframe');
    await expect(widget.getByTestId('embed-nav')).toBeVisible();
    await expect(widget.getByRole('searchbox')).toBeVisible();
  } finally {
    demo.kill();
    await server.dispose();
  }
});
