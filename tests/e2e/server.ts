import { spawn, execFileSync, ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

/** A real Kaozheng server on a free loopback port with its own fresh SQLite data dir. */
export class Server {
  url = '';
  private proc?: ChildProcess;
  private dataDir = mkdtempSync(join(tmpdir(), 'kz-e2e-'));
  private log = '';

  /** `extraArgs` are appended to `serve` (e.g. `--portals FILE`, `--frame-ancestor ORIGIN`);
   * `dist` is the built app to serve (default `KZ_DIST` or dist/). */
  constructor(
    private readonly extraArgs: string[] = [],
    private readonly dist?: string,
  ) {}

  async start(): Promise<string> {
    const bin = process.env.KZ_SERVER_BIN || join(root, 'target', 'release', 'kaozheng-server');
    const dist = this.dist || process.env.KZ_DIST || join(root, 'dist');
    // Restarts reuse the data dir and port, as a real restart would.
    const port = this.url ? new URL(this.url).port : '0';
    const args = ['serve', '--demo', '--port', port, '--data-dir', this.dataDir, '--dist', dist, ...this.extraArgs];
    this.proc = spawn(bin, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn,kaozheng_server=info' },
    });
    const proc = this.proc;
    // Only this start's output: after a restart the log still holds the last "serving on".
    const from = this.log.length;
    this.url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`server did not start:\n${this.log}`)), 30_000);
      const onData = (chunk: Buffer) => {
        this.log += chunk.toString();
        const m = this.log.slice(from).match(/serving on (http:\/\/[^\s/]+)/);
        if (m) {
          clearTimeout(timer);
          ok(m[1]);
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.on('exit', (code) => fail(new Error(`server exited with ${code}:\n${this.log}`)));
    });
    return this.url;
  }

  /** A new administrator token, made with the CLI against this server's database. */
  adminToken(name = 'e2e'): string {
    const bin = process.env.KZ_SERVER_BIN || join(root, 'target', 'release', 'kaozheng-server');
    const out = execFileSync(bin, ['admin-token', 'create', '--name', name, '--data-dir', this.dataDir], {
      encoding: 'utf8',
    });
    const token = out.split(/\s+/).find((w) => w.length >= 32);
    if (!token) throw new Error(`no token in: ${out}`);
    return token;
  }

  /** Kills the server: the network is gone as far as the app can tell. */
  async stop(): Promise<void> {
    const proc = this.proc;
    // Stopped already (by a test, which kills it: a signal leaves exitCode null).
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((ok) => {
      proc.on('exit', () => ok());
      proc.kill('SIGKILL');
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
