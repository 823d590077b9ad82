// Results: merges a run's parts into bench/results/<name>.json and renders bench/RESULTS.md from it.
//
//   node bench/report.mjs merge --parts DIR --name 2026-11-22 [--quick 0|1] [--started EPOCH]
//        [--build-seconds N] [--group-seconds a=1,b=2] [--failed "a b"]     prints the file written
//   node bench/report.mjs render [FILE]      FILE defaults to the newest bench/results/*.json
//
// A results file keeps the groups a run did not measure (`--only`) from the same file, each group
// with its own date and commit, so a partial rerun never passes old figures off as new ones.
// RESULTS.md is generated: edit the text between the notes markers only, which is kept.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs, root, writeJson } from './lib/common.mjs';

const resultsDir = join(root, 'bench', 'results');
const resultsMd = join(root, 'bench', 'RESULTS.md');
const NOTES_BEGIN = '<!-- notes:begin (kept when RESULTS.md is regenerated) -->';
const NOTES_END = '<!-- notes:end -->';

const [command, ...rest] = process.argv.slice(2);
const args = parseArgs(rest);
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));

function sh(cmd, argv) {
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    // Some tools print their version to stderr (wrk) or exit non-zero after printing it.
    const out = `${e.stdout || ''}${e.stderr || ''}`.trim();
    return out || null;
  }
}

function firstLine(s, re) {
  if (!s) return null;
  const line = s.split('\n').find((l) => !re || re.test(l));
  return line ? line.trim() : null;
}

function pkgVersion(name) {
  try {
    return readJson(join(root, 'node_modules', name, 'package.json')).version;
  } catch {
    return null;
  }
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  const pgBin = sh('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1']);
  return {
    nproc: Number(sh('nproc', [])) || os.cpus().length,
    cpu_model: (cpuinfo.match(/^model name\s*:\s*(.+)$/m) || [])[1] || null,
    memory_bytes: os.totalmem(),
    kernel: os.release(),
    os: (osRelease.match(/^PRETTY_NAME="?([^"\n]+)"?/m) || [])[1] || null,
    versions: {
      // Debian's chromium wrapper prints shell noise before the version.
      chromium: firstLine(sh(process.env.CHROME_PATH || '/usr/bin/chromium', ['--version']), /Chromium|Chrome/),
      node: process.version,
      rustc: sh('rustc', ['--version']),
      wrk: firstLine(sh('wrk', ['-v']), /^wrk/),
      lighthouse: pkgVersion('lighthouse'),
      playwright: pkgVersion('@playwright/test'),
      postgresql: pgBin ? sh(`${pgBin}/postgres`, ['--version']) : null,
    },
  };
}

function commit() {
  const sha = sh('git', ['-C', root, 'rev-parse', 'HEAD']);
  let status = '';
  try {
    // Not through sh(): its trim() would eat the first line's leading status column.
    status = execFileSync('git', ['-C', root, 'status', '--porcelain'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    /* not a git checkout */
  }
  // Uncommitted bench files do not change what is measured; anything else does.
  const changed = status
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3))
    .filter((p) => !p.startsWith('bench/') && p !== 'README.md' && p !== '.gitignore' && !p.startsWith('package'));
  return { sha: sha && /^[0-9a-f]{40}$/.test(sha) ? sha : null, uncommitted_changes: changed.slice(0, 20) };
}

function merge() {
  const name = args.name;
  if (!name) throw new Error('--name is required');
  const file = join(resultsDir, `${name}.json`);
  const prev = existsSync(file) ? readJson(file) : null;
  const now = new Date();
  const started = args.started ? new Date(Number(args.started) * 1000) : now;
  const groupSeconds = Object.fromEntries(
    String(args['group-seconds'] || '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=')),
  );
  const c = commit();
  const quick = String(args.quick) === '1';
  const part = (f) => (existsSync(join(args.parts, f)) ? readJson(join(args.parts, f)) : null);
  const stamp = (data, seconds) => ({ measured_at: now.toISOString(), commit: c.sha, quick, seconds: Number(seconds) || null, data });

  const groups = { ...(prev?.groups || {}) };
  for (const g of ['bytes', 'lighthouse', 'browser']) {
    const d = part(`${g}.json`);
    if (d) groups[g] = stamp(d, groupSeconds[g]);
  }
  const sqlite = part('server-sqlite.json');
  const postgres = part('server-postgres.json');
  if (sqlite || postgres) {
    groups.server = { ...(groups.server || {}) };
    if (sqlite) groups.server.sqlite = stamp(sqlite, groupSeconds['server-sqlite']);
    if (postgres) groups.server.postgres = stamp(postgres, groupSeconds['server-postgres']);
  }
  const failed = String(args.failed || '').split(/\s+/).filter(Boolean);
  const out = {
    schema: 1,
    name,
    started_at: started.toISOString(),
    finished_at: now.toISOString(),
    duration_s: Math.round((now - started) / 1000),
    build_s: Number(args['build-seconds']) || 0,
    command: `bench/run.sh${process.env.KZ_BENCH_ARGS ? ' ' + process.env.KZ_BENCH_ARGS : ''}`,
    quick,
    failed_groups: failed,
    machine: machine(),
    commit: c,
    budgets: readJson(join(root, 'bench', 'budgets.json')),
    groups,
  };
  writeJson(file, out);
  console.log(file);
}

// ---- rendering ----

const fmt = (n, digits = 0) =>
  n == null || Number.isNaN(n) ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
const ms = (n) => (n == null ? '–' : `${fmt(n, n < 10 ? 2 : n < 100 ? 1 : 0)} ms`);
const bytes = (n) => (n == null ? '–' : `${fmt(n)} B`);
const kb = (n) => (n == null ? '–' : `${fmt(n / 1000, 1)} KB`);
const mib = (n) => (n == null ? '–' : `${fmt(n / 1048576, 1)} MiB`);
const pct = (x) => (x == null ? '–' : `${fmt(x * 100, 0)} %`);
// Columns of figures are right-aligned, columns of words left-aligned.
const numeric = (rows, i) => rows.every((r) => /^(\*\*)?[-–≤≥\d]/.test(String(r[i] ?? '')));
const table = (head, rows) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map((h, i) => (i > 0 && numeric(rows, i) ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

const at = (points, conns) => (points || []).find((p) => p.connections === conns);

/** Each target: how to read its figure from a results file, and what meets it. */
function targets(r) {
  const lh = r.groups.lighthouse?.data;
  const br = r.groups.browser?.data?.catalogs;
  const sq = r.groups.server?.sqlite?.data;
  const by = r.groups.bytes?.data;
  const reg16 = at(sq?.endpoints?.registrations, 16);
  const c304 = at(sq?.endpoints?.catalog_304, 16);
  const ceil16 = at(sq?.ceiling?.points, 16);
  const searchWhy = (cpu) => {
    const s = br?.synthetic?.[cpu]?.search;
    return s ? `p50 ${ms(s.search_ms.p50)}, max ${ms(s.search_ms.max)} over ${s.search_ms.n} keystrokes; keystroke to results DOM p95 ${ms(s.keystroke_to_dom_ms.p95)}` : '';
  };
  const lhWhy = (cat) => (lh?.simulate?.failing_audits || []).filter((a) => a.startsWith(cat)).map((a) => a.slice(cat.length + 2)).join('; ');
  return [
    {
      id: 'lighthouse-performance',
      what: 'Lighthouse performance, median of simulated mobile runs',
      figure: lh?.simulate?.median?.performance,
      target: 95,
      higher: true,
      show: (v) => fmt(v),
      why: () => `LCP ${ms(lh?.simulate?.median?.lcp_ms)}, FCP ${ms(lh?.simulate?.median?.fcp_ms)}, TBT ${ms(lh?.simulate?.median?.tbt_ms)}; top opportunities: ${(lh?.simulate?.top_opportunities || []).join(', ') || 'none'}`,
    },
    { id: 'lighthouse-accessibility', what: 'Lighthouse accessibility (simulated, median)', figure: lh?.simulate?.median?.accessibility, target: 100, higher: true, show: (v) => fmt(v), why: () => lhWhy('accessibility') },
    { id: 'lighthouse-best-practices', what: 'Lighthouse best practices (simulated, median)', figure: lh?.simulate?.median?.best_practices, target: 100, higher: true, show: (v) => fmt(v), why: () => lhWhy('best-practices') },
    {
      id: 'offline-warm-4x',
      what: 'Offline warm start to painted catalog, 4× CPU (default catalog, `kz:catalog-painted-local`)',
      figure: br?.default?.cpu_4x?.offline_warm?.painted_local_ms,
      target: 300,
      higher: false,
      show: ms,
      why: () => `app mounted at ${ms(br?.default?.cpu_4x?.offline_warm?.app_mounted_ms)}; 10,000 certificates: ${ms(br?.synthetic?.cpu_4x?.offline_warm?.painted_local_ms)}`,
    },
    { id: 'search-10k-1x', what: 'Search p95 per keystroke, 10,000 certificates, 1× CPU (`kz:search`)', figure: br?.synthetic?.cpu_1x?.search?.search_ms?.p95, target: 16, higher: false, show: ms, why: () => searchWhy('cpu_1x') },
    { id: 'search-10k-4x', what: 'Search p95 per keystroke, 10,000 certificates, 4× CPU (`kz:search`)', figure: br?.synthetic?.cpu_4x?.search?.search_ms?.p95, target: 50, higher: false, show: ms, why: () => searchWhy('cpu_4x') },
    {
      id: 'registrations-rate',
      what: 'Registration POST on SQLite, 16 clients: confirmed (201) per second',
      figure: reg16?.ok_rps,
      target: 1000,
      higher: true,
      show: (v) => `${fmt(v)}/s`,
      why: () => (reg16 ? `statuses ${JSON.stringify(reg16.statuses)}; wrk shares the 2 cores` : ''),
    },
    { id: 'registrations-p99', what: 'Registration POST on SQLite, 16 clients: p99 latency', figure: reg16?.latency_ms?.p99, target: 50, higher: false, show: ms, why: () => (reg16 ? `p50 ${ms(reg16.latency_ms.p50)}` : '') },
    {
      id: 'catalog-304-ceiling',
      what: 'Catalog 304 rate as a share of the fixed-body ceiling, 16 connections (SQLite)',
      figure: c304 && ceil16 ? c304.rps / ceil16.rps : null,
      target: 0.5,
      higher: true,
      show: pct,
      why: () => (c304 && ceil16 ? `${fmt(c304.rps)}/s against ${fmt(ceil16.rps)}/s` : ''),
    },
    { id: 'wasm-brotli', what: 'Release WASM, brotli -q 11 (200 KB = 200,000 B)', figure: by?.first_load?.wasm, target: 200_000, higher: false, show: bytes, why: () => 'CI enforces the budget in bench/budgets.json, not this target' },
    {
      id: 'first-load-brotli',
      what: 'First-load total, brotli (300 KB = 300,000 B; defined under Bytes)',
      figure: by?.first_load?.total,
      target: 300_000,
      higher: false,
      show: bytes,
      why: () => (by ? `WASM ${bytes(by.first_load.wasm)} is ${pct(by.first_load.wasm / by.first_load.total)} of it` : ''),
    },
  ].map((t) => {
    const measured = t.figure != null && Number.isFinite(t.figure);
    const met = measured ? (t.higher ? t.figure >= t.target : t.figure <= t.target) : null;
    // How far off: 1 = on target; 2 = twice too slow / half the rate.
    const miss = !measured ? null : t.higher ? (t.figure > 0 ? t.target / t.figure : Infinity) : t.figure / t.target;
    return { ...t, measured, met, miss };
  });
}

/** 5xx answers and failed oversell checks in the server group, one line each. */
function serverProblems(r) {
  const out = [];
  for (const [db, grp] of Object.entries(r.groups.server || {})) {
    const s = grp.data;
    for (const [name, points] of Object.entries(s.endpoints)) {
      for (const pt of points) {
        const bad = Object.entries(pt.statuses).filter(([k]) => Number(k) >= 500);
        const probeBad = Object.entries(pt.probe_after || {}).filter(([k]) => Number(k) >= 500);
        if (bad.length || probeBad.length) {
          out.push(
            `${db} ${name} at ${pt.connections} connections: ${bad.map(([k, v]) => `${fmt(v)} × ${k}`).join(', ') || 'no 5xx'} of ${fmt(pt.requests)}` +
              (probeBad.length ? `; afterwards ${probeBad.map(([k, v]) => `${v} × ${k}`).join(', ')} of 20 single requests` : ''),
          );
        }
      }
    }
    const o = s.oversell_check;
    const ob = Object.entries(o.oversubscribed_plan.statuses).filter(([k]) => Number(k) >= 500);
    if (ob.length) out.push(`${db} oversubscribed plan: ${ob.map(([k, v]) => `${fmt(v)} × ${k}`).join(', ')}`);
    if (!o.ok) out.push(`${db}: the no-oversell check failed (see Server)`);
    if (out.length && s.server_errors?.length) out.push(`${db} server log: ${s.server_errors.slice(0, 2).map((e) => `${fmt(e.count)} × \`${e.message.replace(/`/g, "'").slice(0, 160)}\``).join('; ')}`);
  }
  return out;
}

function previousFile(current) {
  const files = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(resultsDir, f))
    .filter((f) => f !== current)
    .map((f) => ({ f, r: readJson(f) }))
    .filter(({ r }) => r.finished_at < readJson(current).finished_at)
    .sort((a, b) => (a.r.finished_at < b.r.finished_at ? 1 : -1));
  return files[0] || null;
}

function render(file) {
  const r = readJson(file);
  const m = r.machine;
  const g = r.groups;
  const ts = targets(r);
  const prev = previousFile(file);
  const prevTargets = prev ? targets(prev.r) : null;
  const out = [];
  const p = (...lines) => out.push(...lines);

  p('# Kaozheng benchmark results', '');
  p(
    `Generated by \`bench/run.sh\` (then \`node bench/report.mjs render\`) from [\`bench/results/${basename(file)}\`](results/${basename(file)}). ` +
      'Do not edit by hand except between the notes markers; rerun the command instead.',
    '',
  );
  p(`- **Last run**: \`${r.command}\`, finished ${r.finished_at.replace('T', ' ').slice(0, 16)} UTC, ${r.duration_s >= 60 ? `${Math.floor(r.duration_s / 60)} min ${r.duration_s % 60} s` : `${r.duration_s} s`} in all (builds ${r.build_s} s)${r.quick ? ', **--quick**' : ''}`);
  p(`- **Commit**: \`${r.commit.sha || 'unknown'}\`${r.commit.uncommitted_changes.length ? ` with uncommitted changes in ${r.commit.uncommitted_changes.length} files` : ''}`);
  p(`- **Machine**: ${m.nproc} × ${m.cpu_model}, ${fmt(m.memory_bytes / 2 ** 30, 1)} GiB RAM, ${m.os}, Linux ${m.kernel}`);
  p(`- **Versions**: ${Object.entries(m.versions).map(([k, v]) => `${k} ${v ?? '–'}`).join('; ')}`);
  const groupDates = [];
  // The load average before → after each group: anything well above 0 means other work shared the
  // cores and the figures are pessimistic.
  const load = (d) => (d?.load_average?.before ? `, load ${d.load_average.before[0]} → ${d.load_average.after?.[0] ?? '?'}` : '');
  for (const [k, v] of Object.entries(g)) {
    if (k === 'server') for (const [db, s] of Object.entries(v)) groupDates.push(`server/${db} ${s.measured_at.slice(0, 16)}${s.quick ? ' (quick)' : ''} (${s.seconds ?? '?'} s${load(s.data)})`);
    else groupDates.push(`${k} ${v.measured_at.slice(0, 16)}${v.quick ? ' (quick)' : ''} (${v.seconds ?? '?'} s${load(v.data)})`);
  }
  p(`- **Groups measured**: ${groupDates.join('; ')}${r.failed_groups.length ? `; **failed: ${r.failed_groups.join(', ')}**` : ''}`, '');

  // ---- targets ----
  p('## Targets', '');
  p(
    table(
      ['target', 'wanted', 'measured', 'met?', ...(prevTargets ? [`previous (${prev.r.name})`] : []), 'detail'],
      ts.map((t, i) => [
        t.what,
        `${t.higher ? '≥' : '≤'} ${t.show(t.target)}`,
        t.measured ? `**${t.show(t.figure)}**` : 'not measured',
        t.met == null ? '–' : t.met ? 'met' : `**not met** (${t.higher ? `${fmt(t.miss, 2)}× short` : `${fmt(t.miss, 2)}× over`})`,
        ...(prevTargets ? [prevTargets[i].measured ? prevTargets[i].show(prevTargets[i].figure) : '–'] : []),
        t.measured ? t.why() : '',
      ]),
    ),
    '',
  );

  // ---- findings ----
  const missed = ts.filter((t) => t.met === false).sort((a, b) => b.miss - a.miss);
  p('## Findings, worst miss first', '');
  // Wrong answers come before slow ones: any 5xx or a failed oversell check is listed first.
  const problems = serverProblems(r);
  if (problems.length) {
    p('**Errors under load** (not a target, but they come first):', '');
    for (const x of problems) p(`- ${x}`);
    p('');
  }
  if (!missed.length) p('Every measured target is met.', '');
  missed.forEach((t, i) => p(`${i + 1}. **${t.what}**: ${t.show(t.figure)} against ${t.higher ? '≥' : '≤'} ${t.show(t.target)} (${fmt(t.miss, 2)}×). ${t.why()}`));
  p('');
  p(notes(), '');

  // ---- budgets ----
  p('## Byte budgets (enforced by CI)', '');
  p('`bench/budgets.sh` runs in `scripts/test.sh` (step `byte-budgets`) and fails the build when a figure is over its `max_bytes` in `bench/budgets.json`.', '');
  const budgets = readJson(join(root, 'bench', 'budgets.json')).budgets;
  const measuredBudget = { wasm: g.bytes?.data?.first_load?.wasm, 'first-load': g.bytes?.data?.first_load?.total };
  p(
    table(
      ['budget', 'enforced max', 'target', 'this run', 'note'],
      budgets.map((b) => [b.name, bytes(b.max_bytes), bytes(b.target_bytes), bytes(measuredBudget[b.name]), b.note]),
    ),
    '',
  );

  // ---- bytes ----
  if (g.bytes) {
    const d = g.bytes.data;
    const fl = d.first_load;
    p('## Bytes', '');
    p(
      '**First-load total** = what a first visit to `/` downloads before the catalog can be shown: `index.html` + the wasm-bindgen JS glue + the WASM + the CSS, each as the precompressed `.br` file the server sends (brotli -q 11), + the body of `GET /api/v1/catalog` as the server sends it to `Accept-Encoding: br` (compressed on the fly). Not counted: HTTP headers, `sw.js`, the manifest and icons, and the other start-up API calls (plans, sites, rules); Lighthouse\'s total byte weight below counts everything.',
      '',
    );
    p(
      table(
        ['part', 'brotli'],
        [
          ['index.html', bytes(fl.html)],
          ['JS glue', bytes(fl.js)],
          ['WASM', bytes(fl.wasm)],
          ['CSS', bytes(fl.css)],
          [`catalog API (${d.catalog_api.served_br_encoding})`, bytes(fl.catalog)],
          ['**total**', `**${bytes(fl.total)}**`],
          ['same, uncompressed', bytes(fl.raw_total)],
        ],
      ),
      '',
    );
    const c = d.catalog_api;
    p(
      `The catalog JSON is ${bytes(c.raw)}; the server sends ${bytes(c.served_br)} for br and ${bytes(c.served_gzip)} for gzip. ` +
        `Compressed once at brotli -q 11 it would be ${bytes(c.brotli_q11)}.` +
        (d.synthetic_catalog_file ? ` The 10,000-certificate synthetic catalog file: ${bytes(d.synthetic_catalog_file.raw)} raw, ${bytes(d.synthetic_catalog_file.gzip)} gzip -9, ${bytes(d.synthetic_catalog_file.brotli)} brotli -q 11.` : ''),
      '',
    );
    p('Every asset of the release `dist/`:', '');
    p(table(['file', 'kind', 'raw', 'gzip -9', 'brotli -q 11'], d.assets.map((a) => [`\`${a.name}\``, a.kind, bytes(a.raw), bytes(a.gzip), bytes(a.brotli)])), '');
  }

  // ---- lighthouse ----
  if (g.lighthouse) {
    const d = g.lighthouse.data;
    p('## Lighthouse', '');
    p(
      `Lighthouse ${d.version}, mobile, \`${d.url_path}\` of the release build served by \`kaozheng-server serve --demo\`, headless Debian Chromium; median of ${d.runs_per_method} runs per throttling method, each from a fresh profile (a first visit).`,
      '',
    );
    const rows = [
      ['performance', 'performance', fmt],
      ['accessibility', 'accessibility', fmt],
      ['best practices', 'best_practices', fmt],
      ['First Contentful Paint', 'fcp_ms', ms],
      ['Largest Contentful Paint', 'lcp_ms', ms],
      ['Total Blocking Time', 'tbt_ms', ms],
      ['Cumulative Layout Shift', 'cls', (v) => fmt(v, 3)],
      ['Speed Index', 'speed_index_ms', ms],
      ['Time to Interactive', 'interactive_ms', ms],
      ['total byte weight', 'total_bytes', bytes],
    ];
    p(table(['median', 'simulated throttling', 'DevTools throttling'], rows.map(([label, k, f]) => [label, f(d.simulate?.median?.[k]), f(d.devtools?.median?.[k])])), '');
    for (const method of ['simulate', 'devtools']) {
      const x = d[method];
      if (!x) continue;
      p(`- ${method}: performance per run ${x.runs.map((r) => r.performance).join(', ')}; LCP per run ${x.runs.map((r) => fmt(r.lcp_ms)).join(', ')} ms`);
      if (x.failing_audits.length) p(`  - audits below 100: ${x.failing_audits.join('; ')}`);
      if (x.top_opportunities.length) p(`  - top opportunities: ${x.top_opportunities.join(', ')}`);
      if (x.lcp_element) p(`  - LCP element: \`${x.lcp_element.replace(/`/g, "'")}\``);
      if (x.layout_shifts?.length) p(`  - layout shifts: ${x.layout_shifts.map((l) => `\`${l.replace(/`/g, "'")}\``).join(', ')}`);
    }
    p('');
  }

  // ---- browser ----
  if (g.browser) {
    const d = g.browser.data;
    const cols = [];
    for (const cat of ['default', 'synthetic']) for (const cpu of ['cpu_1x', 'cpu_4x']) if (d.catalogs[cat]?.[cpu]) cols.push([cat, cpu]);
    const head = cols.map(([cat, cpu]) => `${cat === 'default' ? 'default catalog' : '10,000 certificates'} ${cpu.slice(4)}`);
    const row = (label, get, f = ms) => [label, ...cols.map(([cat, cpu]) => f(get(d.catalogs[cat][cpu])))];
    p('## In the browser', '');
    p(
      `Playwright ${m.versions.playwright} driving Debian Chromium (${d.chromium}), ${d.device}, network ${d.network}; CPU slowed with CDP \`Emulation.setCPUThrottlingRate\`. ` +
        `Times are from navigation start and come from the app's own marks (\`src/perf.rs\`) unless they say DOM. Medians of ${d.runs.cold} cold loads and ${d.runs.warm} warm reloads; ` +
        `search over ${d.runs.typing_sessions} typing session(s) of ${d.queries.map((q) => `“${q}”`).join(', ')}, one key every ${d.key_delay_ms} ms.`,
      '',
    );
    p(
      table(
        ['', ...head],
        [
          row('online cold: `kz:catalog-painted-network` (a page without its catalog)', (x) => x.online_cold.painted_network_ms),
          row('online cold: results list in the DOM', (x) => x.online_cold.results_dom_ms),
          row('online cold: `kz:app-mounted`', (x) => x.online_cold.app_mounted_ms),
          row('online cold: first contentful paint (the rendered page)', (x) => x.online_cold.fcp_ms),
          row('IndexedDB save of the catalog (`kz:idb-save-catalog`)', (x) => x.online_cold.idb_save_ms),
          row('offline warm: `kz:catalog-painted-local`', (x) => x.offline_warm.painted_local_ms),
          row('offline warm: results list in the DOM', (x) => x.offline_warm.results_dom_ms),
          row('offline warm: `kz:app-mounted`', (x) => x.offline_warm.app_mounted_ms),
          row('search `kz:search` p50', (x) => x.search.search_ms.p50),
          row('search `kz:search` p95', (x) => x.search.search_ms.p95),
          row('search `kz:search` max', (x) => x.search.search_ms.max),
          row('keystroke → results DOM updated p50', (x) => x.search.keystroke_to_dom_ms.p50),
          row('keystroke → results DOM updated p95', (x) => x.search.keystroke_to_dom_ms.p95),
          row('JS heap after load (GC\'d)', (x) => x.memory.js_heap_used_bytes, mib),
          row('WASM linear memory after load', (x) => x.memory.wasm_memory_bytes, mib),
        ],
      ),
      '',
    );
    p(
      'Keystroke → DOM is the input event\'s timestamp to the first DOM mutation under `<main>` after it, so it includes waiting behind earlier work; keystrokes that changed nothing on the page are left out of it. `kz:catalog-painted-*` marks are set when the catalog signal is set, the DOM figures when the list actually has items.',
      '',
    );
  }

  // ---- server ----
  if (g.server) {
    p('## Server', '');
    const anyDb = g.server.sqlite?.data || g.server.postgres?.data;
    p(
      `wrk (${m.versions.wrk}) on loopback against the release \`kaozheng-server serve --demo\`, ${anyDb?.duration_s} s per point, 1 thread per connection up to 2 threads; wrk and the server share the machine's ${m.nproc} cores. ` +
        'req/s counts every answer; ok/s only 2xx/3xx. Logins: 200 students with argon2id at the server\'s default cost, each request the next student (the per-address limit of the login rate limiter applies, as it would behind one school NAT; 429s are counted). Registrations: every request a new client_id and a new (student, plan) pair over 20 open plans with room, students signed in beforehand.',
      '',
    );
    const ceil = g.server.sqlite?.data?.ceiling;
    for (const db of ['sqlite', 'postgres']) {
      const s = g.server[db]?.data;
      if (!s) continue;
      p(`### ${db === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, '');
      const rows = [];
      for (const [name, points] of Object.entries(s.endpoints)) {
        for (const pt of points) {
          rows.push([
            name.replace('_', ' '),
            fmt(pt.connections),
            fmt(pt.rps),
            fmt(pt.ok_rps),
            ms(pt.latency_ms.p50),
            ms(pt.latency_ms.p99),
            Object.entries(pt.statuses).map(([k, v]) => `${k}: ${fmt(v)}`).join(', ') +
              (pt.socket_errors.timeout ? `, timeouts: ${pt.socket_errors.timeout}` : '') +
              (pt.probe_after ? `; then 20 one at a time: ${Object.entries(pt.probe_after).map(([k, v]) => `${k}: ${v}`).join(', ')}` : ''),
            mib(pt.server_rss_max),
          ]);
        }
      }
      p(table(['endpoint', 'connections', 'req/s', 'ok/s', 'p50', 'p99', 'statuses', 'server RSS max'], rows), '');
      p(`Server RSS: ${mib(s.server_rss.idle)} idle after start, ${mib(s.server_rss.peak_hwm)} peak (VmHWM) over the whole run. Bodies: catalog ${bytes(s.bodies.catalog_br)} br, plans ${bytes(s.bodies.plans_br)} br (${s.bodies.plans_count} plans).`, '');
      if (s.server_errors?.length) {
        p('Server log errors and warnings (rate-limited logins left out):', '');
        for (const e of s.server_errors) p(`- ${fmt(e.count)} × \`${e.message.replace(/`/g, "'")}\``);
        p('');
      }
      const o = s.oversell_check;
      p(
        `**No oversell** (${o.ok ? 'holds' : '**FAILED**'}): ${fmt(o.registrations_stored)} bench registrations stored, ${fmt(o.confirmed_responses)} 201 responses seen, ${o.confirmed_but_missing} confirmed but missing, ` +
          `${o.stored_without_response_seen} committed after wrk stopped reading at the end of a timed run (at most one per open connection); seat counters ${o.seats_counter_mismatch.length ? `wrong for ${o.seats_counter_mismatch.join(', ')}` : 'equal to the stored registrations on every plan'}; ` +
          `a plan with ${o.oversubscribed_plan.capacity} seats hit by 128 connections for 3 s: ${fmt(o.oversubscribed_plan.requests)} requests, ${JSON.stringify(o.oversubscribed_plan.statuses)}, ${o.oversubscribed_plan.stored} stored, ${o.oversubscribed_plan.seats_left} seats left.` +
          (s.registration_pairs?.wrapped ? ' (The run used more requests than (student, plan) pairs, so some registrations were refused as duplicates.)' : ''),
        '',
      );
    }
    if (ceil) {
      p('### Ceiling', '');
      p(`\`bench/ceiling\`: one axum ${'0.8.9'} handler returning a fixed ${bytes(ceil.body_bytes)} body (the catalog as sent for br), no middleware, no database, same tokio runtime; measured in the SQLite run.`, '');
      const rows = ceil.points.map((pt) => {
        const cells = [fmt(pt.connections), `${fmt(pt.rps)}/s`, ms(pt.latency_ms.p99)];
        for (const db of ['sqlite', 'postgres']) {
          const s = g.server[db]?.data;
          const c200 = at(s?.endpoints?.catalog_200, pt.connections);
          const c304 = at(s?.endpoints?.catalog_304, pt.connections);
          cells.push(c304 ? pct(c304.rps / pt.rps) : '–', c200 ? pct(c200.rps / pt.rps) : '–');
        }
        return cells;
      });
      p(table(['connections', 'ceiling', 'ceiling p99', 'SQLite 304 / ceiling', 'SQLite 200 / ceiling', 'PostgreSQL 304 / ceiling', 'PostgreSQL 200 / ceiling'], rows), '');
    }
  }

  // ---- history ----
  const history = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ f, r: readJson(join(resultsDir, f)) }))
    .sort((a, b) => (a.r.finished_at < b.r.finished_at ? -1 : 1));
  if (history.length > 1) {
    p('## Every recorded run', '');
    const ids = ts.map((t) => t.id);
    p(
      table(
        ['run', 'commit', ...ts.map((t) => t.id)],
        history.map(({ f, r: h }) => {
          const ht = targets(h);
          return [`[${h.name}](results/${f})${h.quick ? ' (quick)' : ''}`, `\`${(h.commit.sha || '').slice(0, 8)}\``, ...ids.map((id) => {
            const t = ht.find((x) => x.id === id);
            return t.measured ? t.show(t.figure) : '–';
          })];
        }),
      ),
      '',
    );
  }
  writeFileSync(resultsMd, out.join('\n').replace(/\n{3,}/g, '\n\n'));
  console.error(`wrote ${resultsMd}`);
}

/** The hand-written notes of the current RESULTS.md, kept across regenerations. */
function notes() {
  let kept = '';
  if (existsSync(resultsMd)) {
    const md = readFileSync(resultsMd, 'utf8');
    const a = md.indexOf(NOTES_BEGIN);
    const b = md.indexOf(NOTES_END);
    if (a >= 0 && b > a) kept = md.slice(a + NOTES_BEGIN.length, b).trim();
  }
  return [NOTES_BEGIN, kept || '_Analysis, profiles and before/after notes go here._', NOTES_END].join('\n');
}

if (command === 'merge') merge();
else if (command === 'render') {
  let file = rest.find((a) => !a.startsWith('--'));
  if (!file) {
    const all = readdirSync(resultsDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(resultsDir, f))
      .sort((a, b) => (readJson(a).finished_at < readJson(b).finished_at ? 1 : -1));
    file = all[0];
  }
  if (!file) throw new Error('no results in bench/results');
  render(file);
} else {
  console.error('usage: node bench/report.mjs merge|render …');
  process.exit(2);
}
