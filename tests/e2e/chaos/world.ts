import { Server } from '../server';
import { api, DEMO_PASSWORD, Plan, ServerRegistration } from '../support';

/** Exam plans and students made for the reliability specs, on top of the demo data. */
export interface World {
  admin: string;
  plans: Plan[];
  students: string[];
}

/** CSV with RFC 4180 quoting. */
export function csv(rows: string[][]): string {
  const cell = (c: string) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  return rows.map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/** `POST /api/v1/admin/import/{kind}`; returns the status and the report (or error) body. */
export async function adminImport(
  server: Server,
  admin: string,
  kind: string,
  body: string,
  type = 'text/csv',
): Promise<{ status: number; report: any }> {
  const res = await fetch(`${server.url}/api/v1/admin/import/${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': type },
    body,
  });
  const text = await res.text();
  let report: any = text;
  try {
    report = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the failure message.
  }
  return { status: res.status, report };
}

/**
 * Imports `students` 高职 students in 天津 (`<prefix>0001`…, demo password) and `plans` open plans
 * at the demo 天津 site, each on its own certificate (no `duplicate` refusal) with its own exam day
 * (no `clash`), with seats to spare: every registration the specs make is one the server accepts,
 * so whatever is missing or extra afterwards is the app's doing.
 */
export async function seedWorld(server: Server, opts: { students: number; plans: number; prefix: string }): Promise<World> {
  const admin = server.adminToken(`${opts.prefix.toLowerCase()}-admin`);
  const students = Array.from({ length: opts.students }, (_, i) => `${opts.prefix}${String(i + 1).padStart(4, '0')}`);
  const st = await adminImport(
    server,
    admin,
    'students',
    csv([
      ['student_no', 'name', 'school', 'school_level', 'province', 'password'],
      ...students.map((no, i) => [no, `测试学生${i + 1}`, '示例职业技术学院', 'higher', '天津', DEMO_PASSWORD]),
    ]),
  );
  if (st.status !== 200) throw new Error(`students import: ${st.status} ${JSON.stringify(st.report)}`);

  const catalog = await api<{ certificates: { id: string; name: string; levels: { level: string }[] }[] }>(server, '/catalog');
  const certs = catalog.certificates.filter((c) => c.levels.some((l) => l.level === 'primary')).slice(0, opts.plans);
  if (certs.length < opts.plans) throw new Error(`only ${certs.length} certificates have a 初级 level`);
  const day = 24 * 3600 * 1000;
  const now = Date.now();
  const at = (ms: number) => new Date(ms).toISOString();
  // Tianjin sets one fee per certificate level (津教职函〔2021〕46号): reuse a demo plan's fee.
  const existing = (await api<{ plans: Plan[] }>(server, '/plans')).plans;
  const feeOf = (certificate: string) =>
    String((existing.find((p) => p.certificate_id === certificate && p.level === 'primary') as any)?.fee_fen ?? 30000);
  const rows = certs.map((c, i) => {
    const exam = now + (70 + 2 * i) * day;
    return [
      `${opts.prefix.toLowerCase()}-p${String(i + 1).padStart(2, '0')}`,
      `${opts.prefix}计划${String(i + 1).padStart(2, '0')}·${c.name.replace('职业技能等级证书', '')}（初级）`,
      c.id,
      'primary',
      '天津',
      'demo-site-tianjin',
      'published',
      at(now - day),
      at(now + 60 * day),
      at(exam),
      at(exam + 2 * 3600 * 1000),
      '100000',
      feeOf(c.id),
    ];
  });
  const pl = await adminImport(
    server,
    admin,
    'plans',
    csv([
      ['id', 'name', 'certificate_id', 'level', 'province', 'site_id', 'phase', 'window_opens_at', 'window_closes_at', 'exam_starts_at', 'exam_ends_at', 'capacity', 'fee_fen'],
      ...rows,
    ]),
  );
  if (pl.status !== 200) throw new Error(`plans import: ${pl.status} ${JSON.stringify(pl.report)}`);
  const ids = new Set(rows.map((r) => r[0]));
  const all = (await api<{ plans: Plan[] }>(server, '/plans')).plans;
  const plans = all.filter((p) => ids.has(p.id));
  if (plans.length !== rows.length || plans.some((p) => p.state !== 'open')) {
    throw new Error(`imported plans are not all open: ${JSON.stringify(plans.map((p) => [p.id, p.state]))}`);
  }
  return { admin, plans, students };
}

/** The student's registrations as the server holds them (a fresh API session, not the app's). */
export async function registrationsOf(server: Server, studentNo: string): Promise<ServerRegistration[]> {
  const { token } = await api<{ token: string }>(server, '/auth/login', {
    method: 'POST',
    body: JSON.stringify({ student_no: studentNo, password: DEMO_PASSWORD }),
  });
  const list = await api<{ registrations: ServerRegistration[] }>(server, '/registrations', { token });
  await fetch(`${server.url}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  return list.registrations;
}

/** Confirmed registrations per plan id. */
export function confirmedByPlan(regs: ServerRegistration[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of regs) if (r.status === 'confirmed') m.set(r.plan_id, (m.get(r.plan_id) ?? 0) + 1);
  return m;
}
