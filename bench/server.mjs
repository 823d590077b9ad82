// Server: throughput and latency of the hot endpoints under wrk on loopback, one database per run.
//
//   node bench/server.mjs --db sqlite   --out FILE [--quick] [--ceiling BIN]
//   scripts/with-postgres.sh node bench/server.mjs --db postgres --out FILE [--quick]
//
// Each endpoint at 1, 16 and 128 connections for a bounded time (10 s, --quick 3 s): requests/s,
// p50/p90/p99 latency, status counts, and the server's resident memory sampled from /proc while
// it runs. wrk runs on the same 2 cores as the server, so every figure here is a floor of what the
// server does alone; the ceiling (bench/ceiling: a bare axum handler with a fixed body the size of
// the catalog as sent) runs under the same conditions, which is why our rates are reported as a
// share of it.
//
// The data: the demo school (`serve --demo`) plus, imported with the CLI before the server starts,
// one bench exam site, BENCH_PLANS open plans with room for every request (distinct certificate
// levels, exams on distinct days, so no registration is refused as a duplicate or a clash), one
// small plan that the last phase oversubscribes on purpose, students for the login runs (argon2id
// at the server's default cost: logins cost what they cost in production) and students for the
// registration runs (argon2id at the minimum cost: only their sessions are needed, made by logging
// each in once before the runs).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadAverage,
  log,
  parseArgs,
  procMemory,
  root,
  serverCli,
  sleep,
  startServer,
  tempDir,
  track,
  writeJson,
} from './lib/common.mjs';
import { api, pool, request } from './lib/http.mjs';

const args = parseArgs();
const quick = !!args.quick;
const dbKind = args.db || 'sqlite';
const databaseUrl = dbKind === 'postgres' ? process.env.KAOZHENG_TEST_POSTGRES_URL : undefined;
if (dbKind === 'postgres' && !databaseUrl) throw new Error('--db postgres needs KAOZHENG_TEST_POSTGRES_URL (scripts/with-postgres.sh)');
const duration = Number(args.duration || (quick ? 3 : 10));
const connections = String(args.conns || '1,16,128').split(',').map(Number);
const BENCH_PLANS = 20;
const REG_STUDENTS = quick ? 1000 : 3000;
const LOGIN_STUDENTS = 200;
const OVERSELL_CAPACITY = 200;
const PASSWORD = 'bench-password-2024';
const wrkDir = join(root, 'bench', 'wrk');

const dir = tempDir('kz-bench-server-');
const dataDir = join(dir, 'var');
const db = { dataDir, databaseUrl };

// ---- data ----

const catalog = JSON.parse(readFileSync(join(root, 'data', 'catalog.json'), 'utf8'));
// Certificate levels an undergraduate may take (no `suitable_for` list, or one naming them).
const levels = [];
for (const c of catalog.certificates) {
  for (const l of c.levels) {
    if (!l.suitable_for || l.suitable_for.includes('undergraduate')) levels.push({ cert: c.id, level: l.level });
  }
}
if (levels.length < BENCH_PLANS + 1) throw new Error(`only ${levels.length} certificate levels to plan on`);

const now = Date.now();
const day = 24 * 3600 * 1000;
const iso = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const planRows = [];
const plan = (id, i, capacity) => {
  const { cert, level } = levels[i];
  // Exams on distinct days (09:00-11:00 UTC+8), so no two of one student's registrations clash.
  const exam = Math.floor(now / day) * day + (40 + i) * day + 1 * 3600 * 1000;
  planRows.push(
    [id, `压测考核计划${i + 1}`, cert, level, '天津', 'bench-site', 'published', iso(now - day), iso(now + 20 * day), iso(exam), iso(exam + 2 * 3600 * 1000), capacity, 10000].join(','),
  );
  return id;
};
const benchPlans = Array.from({ length: BENCH_PLANS }, (_, i) => plan(`bench-plan-${i + 1}`, i, 999_999));
const oversellPlan = plan('bench-plan-oversell', BENCH_PLANS, OVERSELL_CAPACITY);

const pad = (n) => String(n).padStart(5, '0');
const loginStudents = Array.from({ length: LOGIN_STUDENTS }, (_, i) => `BL${pad(i + 1)}`);
const regStudents = Array.from({ length: REG_STUDENTS }, (_, i) => `BR${pad(i + 1)}`);
const studentsCsv = (nos) =>
  ['student_no,name,school,school_level,province,password', ...nos.map((no) => `${no},压测学生,压测职业技术学院,undergraduate,天津,${PASSWORD}`)].join('\n') + '\n';

writeFileSync(join(dir, 'sites.csv'), 'id,name,province,city,address\nbench-site,压测考点（示例）,天津,天津,示例路1号\n');
writeFileSync(
  join(dir, 'plans.csv'),
  ['id,name,certificate_id,level,province,site_id,phase,window_opens_at,window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen', ...planRows].join('\n') + '\n',
);
writeFileSync(join(dir, 'students-login.csv'), studentsCsv(loginStudents));
writeFileSync(join(dir, 'students-reg.csv'), studentsCsv(regStudents));
writeFileSync(join(dir, 'login-students.txt'), loginStudents.join('\n') + '\n');
writeFileSync(join(dir, 'plans.txt'), benchPlans.join('\n') + '\n');
writeFileSync(join(dir, 'oversell-plan.txt'), oversellPlan + '\n');

log(`${dbKind}: importing bench data`);
let t0 = Date.now();
serverCli(['import', 'sites', join(dir, 'sites.csv')], db);
serverCli(['import', 'plans', join(dir, 'plans.csv')], db);
serverCli(['import', 'students', join(dir, 'students-login.csv')], db);
serverCli(['import', 'students', join(dir, 'students-reg.csv')], db, ['--argon2-memory-kib', '8', '--argon2-iterations', '1']);
log(`${dbKind}: imported in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

/** The server's errors and unexpected warnings, counted by message (timestamps stripped): a 5xx in
 * the figures comes with its reason. Rate-limited logins are expected here and left out. */
function serverErrors(paths) {
  const counts = new Map();
  for (const line of paths.flatMap((p) => readFileSync(p, 'utf8').split('\n'))) {
    if (!/\b(ERROR|WARN)\b/.test(line) || line.includes('login rate-limited')) continue;
    // Drop the timestamp and the fields that differ per request (ids, students, addresses).
    const key = line.replace(/^\S+\s+/, '').replace(/\b(student|addr|plan|client_id|id)=\S+/g, '$1=…').slice(0, 300);
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([message, count]) => ({ count, message }));
}

// ---- wrk ----

/** Runs wrk and samples the server's memory meanwhile; returns the parsed figures. */
async function wrk({ url, conns, script, scriptArgs = [], headers = [], pid, seconds = duration }) {
  const threads = Math.min(conns, 2);
  const argv = ['-t', String(threads), '-c', String(conns), '-d', `${seconds}s`, '--timeout', '10s', '-s', join(wrkDir, script)];
  for (const h of headers) argv.push('-H', h);
  argv.push(url);
  if (scriptArgs.length) argv.push('--', ...scriptArgs);
  const proc = track(spawn('wrk', argv, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  let err = '';
  proc.stdout.on('data', (c) => (out += c));
  proc.stderr.on('data', (c) => (err += c));
  let rssMax = 0;
  const sampler = setInterval(() => {
    const m = procMemory(pid);
    if (m) rssMax = Math.max(rssMax, m.rss);
  }, 200);
  const code = await new Promise((ok) => proc.on('exit', ok));
  clearInterval(sampler);
  const line = out.split('\n').find((l) => l.startsWith('KZ_JSON '));
  if (code !== 0 || !line) throw new Error(`wrk exited ${code}:\n${out}\n${err}`);
  const r = JSON.parse(line.slice(8));
  const secs = r.duration_us / 1e6;
  const ok2xx3xx = Object.entries(r.statuses)
    .filter(([s]) => Number(s) < 400)
    .reduce((a, [, n]) => a + n, 0);
  return {
    connections: conns,
    threads,
    seconds: Math.round(secs * 100) / 100,
    requests: r.requests,
    rps: Math.round(r.requests / secs),
    // The rate of answers that did what was asked (2xx/3xx), which is what a target speaks of.
    ok_rps: Math.round(ok2xx3xx / secs),
    latency_ms: {
      p50: r.latency_us.p50 / 1000,
      p90: r.latency_us.p90 / 1000,
      p99: r.latency_us.p99 / 1000,
      max: r.latency_us.max / 1000,
    },
    statuses: r.statuses,
    socket_errors: r.errors,
    bytes_per_response: r.requests ? Math.round(r.bytes / r.requests) : 0,
    server_rss_max: rssMax || null,
    ...(r.next_offset !== undefined ? { next_offset: r.next_offset } : {}),
  };
}

const loadBefore = loadAverage();
const result = { database: dbKind, duration_s: duration, connections, endpoints: {} };

// ---- the ceiling (only in the run that was given its binary) ----

let catalogBrBytes = null;
async function ceiling(bin) {
  const proc = track(spawn(bin, [String(catalogBrBytes)], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const url = await new Promise((ok, fail) => {
    let out = '';
    proc.stdout.on('data', (c) => {
      out += c;
      const m = out.match(/serving on (http:\/\/\S+)/);
      if (m) ok(m[1]);
    });
    proc.on('exit', (code) => fail(new Error(`ceiling exited with ${code}`)));
  });
  const points = [];
  for (const conns of connections) {
    points.push(await wrk({ url: `${url}/`, conns, script: 'get.lua', pid: proc.pid }));
    log(`ceiling c=${conns}: ${points.at(-1).rps}/s`);
  }
  proc.kill('SIGTERM');
  return { body_bytes: catalogBrBytes, points };
}

// ---- the server ----

// `server` and `base` change when the server is restarted on the same database (see restart()).
let server = await startServer({ ...db, demo: true });
let base = server.url;
log(`${dbKind}: server on ${base} (pid ${server.pid})`);
const rssIdle = procMemory(server.pid);
let peakHwm = 0;
const errorLogs = [];

/** A fresh server process on the same database: what a registration run finds is then its own
 * doing, not the previous run's (see the probe below). */
async function restart() {
  peakHwm = Math.max(peakHwm, procMemory(server.pid)?.hwm || 0);
  await server.stop();
  errorLogs.push(server.logPath);
  server = await startServer({ ...db, demo: true, logName: `server-${errorLogs.length}.log` });
  base = server.url;
}

const cat = await request(`${base}/api/v1/catalog`, { headers: { 'accept-encoding': 'br' } });
const etag = cat.headers.etag;
catalogBrBytes = cat.body.length;
const plansRes = await request(`${base}/api/v1/plans`, { headers: { 'accept-encoding': 'br' } });
result.bodies = { catalog_br: catalogBrBytes, plans_br: plansRes.body.length, plans_count: null };
result.bodies.plans_count = (await api(base, '/plans')).json.plans.length;

if (args.ceiling) result.ceiling = await ceiling(args.ceiling);

// Sessions for the registration students (cheap hashes: this is set-up, not a measured login).
t0 = Date.now();
const tokens = await pool(regStudents, 8, async (no) => {
  const r = await api(base, '/auth/login', { method: 'POST', body: { student_no: no, password: PASSWORD } });
  return r.json.token;
});
writeFileSync(join(dir, 'tokens.txt'), regStudents.map((no, i) => `${no} ${tokens[i]}`).join('\n') + '\n');
log(`${dbKind}: ${tokens.length} sessions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const gets = {
  catalog_200: { path: '/api/v1/catalog', headers: ['Accept-Encoding: br'] },
  catalog_304: { path: '/api/v1/catalog', headers: ['Accept-Encoding: br', `If-None-Match: ${etag}`] },
  plans: { path: '/api/v1/plans', headers: ['Accept-Encoding: br'] },
};
for (const [name, g] of Object.entries(gets)) {
  result.endpoints[name] = [];
  for (const conns of connections) {
    const p = await wrk({ url: base + g.path, conns, script: 'get.lua', headers: g.headers, pid: server.pid });
    result.endpoints[name].push(p);
    log(`${dbKind} ${name} c=${conns}: ${p.rps}/s p99 ${p.latency_ms.p99} ms ${JSON.stringify(p.statuses)}`);
  }
}

// Logins last among the reads: 128 at once from one address trip the per-address limit, whose
// window then outlasts the run (that is the limiter working, and is reported as the 429 share).
result.endpoints.login = [];
for (const conns of connections) {
  const p = await wrk({
    url: base,
    conns,
    script: 'post.lua',
    scriptArgs: ['login', join(dir, 'login-students.txt'), PASSWORD, String(Math.min(conns, 2))],
    pid: server.pid,
  });
  result.endpoints.login.push(p);
  log(`${dbKind} login c=${conns}: ${p.rps}/s p99 ${p.latency_ms.p99} ms ${JSON.stringify(p.statuses)}`);
}

// Registrations: every request a new (student, plan) pair and a new client_id. Each run starts on
// a freshly started server: when wrk stops at the end of a run it drops the requests in flight, and
// a dropped request can leave a pooled connection unusable for later ones (the probe after each run
// measures exactly that), which must not be charged to the next run.
const pairOf = (n) => ({ student: n % REG_STUDENTS, plan: Math.floor(n / REG_STUDENTS) % BENCH_PLANS });
/** After a run: 20 registrations one at a time on unused pairs; 5xx here means the run's aborted
 * requests broke the server for the requests after them. */
async function probe(from, tag) {
  const statuses = {};
  for (let i = 0; i < 20; i++) {
    const { student, plan } = pairOf(from + i);
    const res = await request(`${base}/api/v1/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[student]}` },
      body: { client_id: `${tag}-${from + i}`, plan_id: benchPlans[plan] },
    });
    statuses[res.status] = (statuses[res.status] || 0) + 1;
    if (res.status === 201) probeConfirmed.add(`${tag}-${from + i}`);
  }
  return statuses;
}
const probeConfirmed = new Set();
result.endpoints.registrations = [];
let offset = 0;
let runNo = 0;
for (const conns of connections) {
  runNo++;
  await restart();
  const p = await wrk({
    url: base,
    conns,
    script: 'post.lua',
    scriptArgs: ['register', join(dir, 'tokens.txt'), join(dir, 'plans.txt'), String(Math.min(conns, 2)), String(offset), `bench${runNo}`, join(dir, `confirmed-${runNo}`)],
    pid: server.pid,
  });
  offset = p.next_offset;
  delete p.next_offset;
  await sleep(500);
  p.probe_after = await probe(offset, `probe${runNo}`);
  offset += 20;
  result.endpoints.registrations.push(p);
  log(`${dbKind} registrations c=${conns}: ${p.rps}/s p99 ${p.latency_ms.p99} ms ${JSON.stringify(p.statuses)}; then one at a time: ${JSON.stringify(p.probe_after)}`);
}
const pairs = REG_STUDENTS * BENCH_PLANS;
result.registration_pairs = { available: pairs, used: offset, wrapped: offset > pairs };

// Oversell: 128 connections for 3 s on one plan with OVERSELL_CAPACITY seats.
await restart();
const oversell = await wrk({
  url: base,
  conns: 128,
  seconds: 3,
  script: 'post.lua',
  scriptArgs: ['register', join(dir, 'tokens.txt'), join(dir, 'oversell-plan.txt'), '2', '0', 'oversell', join(dir, 'confirmed-oversell')],
  pid: server.pid,
});
delete oversell.next_offset;
log(`${dbKind} oversell: ${JSON.stringify(oversell.statuses)}`);
// The checks below read through a server whose pool no aborted request has touched.
await restart();

result.server_rss = { idle: rssIdle?.rss ?? null, peak_hwm: peakHwm || null };

// ---- no oversell: the database against the confirmed responses ----

const confirmedFiles = readdirSync(dir).filter((f) => f.startsWith('confirmed-'));
const confirmed = new Set();
for (const f of confirmedFiles) {
  for (const id of readFileSync(join(dir, f), 'utf8').split('\n')) if (id) confirmed.add(id);
}
for (const id of probeConfirmed) confirmed.add(id);
const stored = new Map(); // client_id -> plan_id, confirmed registrations of the bench students
await pool(regStudents, 16, async (no, i) => {
  const r = await api(base, '/registrations', { token: tokens[i] });
  for (const reg of r.json.registrations) {
    if (reg.status === 'confirmed' && reg.plan_id.startsWith('bench-plan-')) stored.set(reg.client_id, reg.plan_id);
  }
});
const plansNow = (await api(base, '/plans')).json.plans.filter((p) => p.id.startsWith('bench-plan-'));
const perPlan = {};
for (const planId of stored.values()) perPlan[planId] = (perPlan[planId] || 0) + 1;
const seatMismatch = plansNow.filter((p) => p.capacity - p.seats_left !== (perPlan[p.id] || 0)).map((p) => p.id);
const overCapacity = plansNow.filter((p) => (perPlan[p.id] || 0) > p.capacity).map((p) => p.id);
const sum201 = (points) => points.reduce((a, p) => a + (p.statuses['201'] || 0), 0);
const responses201 = sum201(result.endpoints.registrations) + (oversell.statuses['201'] || 0) + probeConfirmed.size;
const lost = [...confirmed].filter((id) => !stored.has(id)).length;
const unseen = [...stored.keys()].filter((id) => !confirmed.has(id)).length;
const oversellStored = perPlan[oversellPlan] || 0;
const oversellPlanNow = plansNow.find((p) => p.id === oversellPlan);
result.oversell_check = {
  // Every 201 the load generator saw is in the database...
  confirmed_responses: responses201,
  client_ids_seen: confirmed.size,
  registrations_stored: stored.size,
  confirmed_but_missing: lost,
  // ...and the database holds a few more only when a request was committed after wrk stopped
  // reading at the end of a timed run (at most one per open connection).
  stored_without_response_seen: unseen,
  seats_counter_mismatch: seatMismatch,
  over_capacity: overCapacity,
  oversubscribed_plan: {
    capacity: OVERSELL_CAPACITY,
    requests: oversell.requests,
    statuses: oversell.statuses,
    stored: oversellStored,
    seats_left: oversellPlanNow?.seats_left ?? null,
  },
};
const oversellExact = (oversell.statuses['201'] || 0) === oversellStored && oversellStored <= OVERSELL_CAPACITY;
result.oversell_check.ok =
  lost === 0 && seatMismatch.length === 0 && overCapacity.length === 0 && oversellExact && unseen <= connections.reduce((a, c) => a + c, 0) + 128;
result.oversell_check.equal = responses201 === stored.size;
log(`${dbKind}: ${stored.size} registrations stored, ${responses201} confirmed responses, ${unseen} committed after wrk stopped, oversold plan ${oversellStored}/${OVERSELL_CAPACITY}`);

await server.stop();
errorLogs.push(server.logPath);
result.server_errors = serverErrors(errorLogs);
result.load_average = { before: loadBefore, after: loadAverage() };
writeJson(args.out || '/dev/stdout', result);
