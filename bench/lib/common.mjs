// Shared pieces of the bench scripts: where things are, starting and always stopping real servers,
// temporary directories that disappear, and the statistics every group reports.
//
// Every process a bench script starts is registered here and killed when the script exits, however
// it exits (normal end, exception, Ctrl-C, SIGTERM from bench/run.sh), so no run leaves a server,
// a load generator or a temporary directory behind.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, closeSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, 'target');
export const serverBin = process.env.KZ_SERVER_BIN || join(targetDir, 'release', 'kaozheng-server');
export const dist = process.env.KZ_DIST || join(root, 'dist');
export const DEMO_PASSWORD = 'kaozheng-demo';

// Chromium as the project runs it everywhere (tests/e2e, Lighthouse): Debian's, never a download,
// and kept from calling home, which this machine's closed network refuses.
export const chromePath = process.env.CHROME_PATH || '/usr/bin/chromium';
export const chromeFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

const children = new Set();
const tmpDirs = new Set();

function cleanup() {
  for (const p of children) {
    if (p.exitCode === null && p.signalCode === null) {
      try {
        p.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  children.clear();
  // KZ_BENCH_KEEP=1 keeps them (server logs, generated data) to look into a failure.
  if (!process.env.KZ_BENCH_KEEP) for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
  else if (tmpDirs.size) console.error(`[bench] kept ${[...tmpDirs].join(' ')}`);
  tmpDirs.clear();
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

/** A temporary directory removed when the script exits. */
export function tempDir(prefix = 'kz-bench-') {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.add(d);
  return d;
}

export function removeDir(d) {
  rmSync(d, { recursive: true, force: true });
  tmpDirs.delete(d);
}

/** Starts a child process that is killed when the script exits. */
export function track(proc) {
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  return proc;
}

export function log(...args) {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);
}

/** The 1, 5 and 15 minute load averages: other work on the machine during a group shows here. */
export const loadAverage = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** `--database-url URL` when given, else `--data-dir DIR`: the same flags on every subcommand. */
function dbArgs({ dataDir, databaseUrl }) {
  return databaseUrl ? ['--data-dir', dataDir, '--database-url', databaseUrl] : ['--data-dir', dataDir];
}

/** Runs a kaozheng-server subcommand (import, admin-token) against a database and returns stdout. */
export function serverCli(args, db, extra = []) {
  return execFileSync(serverBin, [...args, ...dbArgs(db), ...extra], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * A real kaozheng-server on a free loopback port: `serve [--demo] --port 0`, serving `distDir`
 * (default: `dist`, or KZ_DIST). Logs go to a file in the data dir (a pipe nobody reads would
 * eventually block the server under load).
 * Returns { url, pid, stop() }.
 */
export async function startServer({ dataDir, databaseUrl, demo = true, extra = [], logName = 'server.log', distDir = dist }) {
  mkdirSync(dataDir, { recursive: true });
  const logPath = join(dataDir, logName);
  const logFd = openSync(logPath, 'a');
  const args = ['serve', '--port', '0', '--dist', distDir, ...dbArgs({ dataDir, databaseUrl }), ...extra];
  if (demo) args.splice(1, 0, '--demo');
  const proc = track(
    spawn(serverBin, args, {
      stdio: ['ignore', 'pipe', logFd],
      // The server's own default log filter (what production runs), not a quieter one.
      env: { ...process.env },
    }),
  );
  closeSync(logFd);
  let out = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}\n${tail(logPath)}`)), 60_000);
    proc.stdout.on('data', (chunk) => {
      out += chunk.toString();
      const m = out.match(/serving on (http:\/\/[^\s/]+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code}:\n${out}\n${tail(logPath)}`));
    });
  });
  // Keep draining stdout (the demo accounts and any later line).
  proc.stdout.resume();
  return {
    url,
    pid: proc.pid,
    logPath,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise((ok) => {
        proc.once('exit', ok);
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
      });
    },
  };
}

function tail(path, n = 30) {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/** Resident memory of a process from /proc: { rss, hwm } in bytes (null when gone). */
export function procMemory(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((s.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm')) || [])[1] || 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

// ---- statistics ----

export function quantile(values, q) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  // Nearest rank: p95 of 30 samples is the 29th, an actually observed value.
  const i = Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1));
  return v[i];
}

export const median = (values) => {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

export const round = (x, digits = 1) => (x == null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** p50/p95/max/count of a list of milliseconds, rounded to 0.1 ms. */
export function summary(ms) {
  return {
    n: ms.length,
    p50: round(quantile(ms, 0.5), 2),
    p95: round(quantile(ms, 0.95), 2),
    max: round(ms.length ? Math.max(...ms) : null, 2),
  };
}

// ---- command line and output ----

/** `--name value` and `--flag` options. */
export function parseArgs(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const key = a.slice(2);
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out[key] = next;
      i++;
    } else {
      out[key] = true;
    }
  }
  return out;
}

export function writeJson(path, value) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}
