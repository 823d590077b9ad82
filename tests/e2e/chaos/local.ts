import { Page } from '@playwright/test';

/** A registration as the app stores it (`LocalRegistration`). */
export interface LocalRegistration {
  client_id: string;
  plan_id: string;
  state: 'queued' | 'confirmed' | 'rejected' | 'cancel_queued' | 'cancelled';
}

/** An outbox entry as the app stores it (`OutboxEntry`). */
export interface OutboxEntry {
  id: string;
  action: { kind: 'register'; plan_id: string } | { kind: 'cancel'; client_id: string; registration_id: string } | { kind: string };
  attempts: number;
}

export interface LocalData {
  exists: boolean;
  registrations: LocalRegistration[];
  outbox: OutboxEntry[];
}

/**
 * Reads the app's registrations and outbox straight from IndexedDB (envelopes `{order, json}`).
 * Never creates the database: opening a missing one would leave an empty v1 database the app
 * cannot upgrade. Closes at once when the app asks for a version change.
 */
export async function readLocal(page: Page): Promise<LocalData> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes('kaozheng')) return { exists: false, registrations: [], outbox: [] };
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const req = indexedDB.open('kaozheng');
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    db.onversionchange = () => db.close();
    try {
      if (!db.objectStoreNames.contains('outbox')) return { exists: true, registrations: [], outbox: [] };
      const tx = db.transaction(['registrations', 'outbox'], 'readonly');
      const all = (store: string) =>
        new Promise<any[]>((ok, fail) => {
          const req = tx.objectStore(store).getAll();
          req.onsuccess = () => ok(req.result.map((v: { json: string }) => JSON.parse(v.json)));
          req.onerror = () => fail(req.error);
        });
      const [registrations, outbox] = await Promise.all([all('registrations'), all('outbox')]);
      return { exists: true, registrations, outbox };
    } finally {
      db.close();
    }
  });
}

/** Live registrations (queued, confirmed, cancel queued) per plan. */
export function liveByPlan(data: LocalData): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of data.registrations) {
    if (r.state === 'queued' || r.state === 'confirmed' || r.state === 'cancel_queued') m.set(r.plan_id, (m.get(r.plan_id) ?? 0) + 1);
  }
  return m;
}
