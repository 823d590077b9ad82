//! The student's registrations and the outbox that carries them to the server (schema v3).
//!
//! DESIGN §1: a change is written to IndexedDB and to the outbox in one transaction, then the outbox
//! flushes with the entry id as idempotency key. Every method here that touches a registration and
//! an entry does both in one readwrite transaction over `registrations` and `outbox`, so a crash, a
//! closed tab or a failed write leaves both or neither. IndexedDB runs readwrite transactions over
//! the same stores one after the other, even across tabs, so what a method checks inside its
//! transaction ("is a registration for this plan live?", "is this entry still waiting?") still
//! holds when its writes land: a double tap or a second tab cannot queue or settle twice.

use chrono::{DateTime, Duration, Utc};
use indexed_db_futures::transaction::TransactionMode;
use kaozheng_core::model::Registration;
use kaozheng_core::outbox::{Action, LocalRegistration, LocalState, OutboxEntry, send_order};
use serde::{Deserialize, Serialize};

use super::codec::Record;
use super::schema::{BY_PLAN, META, OUTBOX, REGISTRATIONS};
use super::{Db, LEASE_KEY, Loaded, RecordsRequest, SkippedRecord, StorageError, add, delete, put};

/// Who may flush the outbox until when. Tabs of one phone share one clock, so comparing times
/// written by different tabs is sound.
#[derive(Serialize, Deserialize)]
struct Lease {
    tab_id: String,
    #[serde(with = "kaozheng_core::time::cst")]
    expires_at: DateTime<Utc>,
}

/// Single records in these stores have no set to be ordered in: their position is always 0 and
/// loads sort by time instead.
const NO_ORDER: u32 = 0;

impl Db {
    /// Queues a registration: writes `reg` and its `Register` entry in one transaction, both with
    /// `add`, so a client id or entry id that already exists aborts it and writes neither.
    ///
    /// Returns `false`, writing nothing, when a live registration (queued, confirmed or with a
    /// cancel queued) of the same plan is stored, checked through `by_plan` inside the same
    /// transaction. A record of the plan that no longer decodes does not block (it is reported by
    /// [`Db::local_registrations`]): the server refuses a real duplicate anyway.
    ///
    /// `entry` must register `reg`: same id as its client id, same plan, and `reg` queued.
    pub async fn enqueue(
        &self,
        reg: &LocalRegistration,
        entry: &OutboxEntry,
    ) -> Result<bool, StorageError> {
        let registers_reg =
            matches!(&entry.action, Action::Register { plan_id } if *plan_id == reg.plan_id);
        if !registers_reg || entry.id != reg.client_id || reg.state != LocalState::Queued {
            return Err(StorageError::Other(format!(
                "outbox entry {} does not register the queued registration {} of plan {}",
                entry.id, reg.client_id, reg.plan_id
            )));
        }
        let codec = self.codec();
        let reg_value = codec.encode(NO_ORDER, reg)?;
        let entry_value = codec.encode(NO_ORDER, entry)?;
        let tx = self.transaction_v3(&[REGISTRATIONS, OUTBOX], TransactionMode::Readwrite)?;
        let registrations = self.store(&tx, REGISTRATIONS)?;
        let same_plan =
            RecordsRequest::<LocalRegistration>::start_where(&registrations, BY_PLAN, &reg.plan_id)
                .map_err(|e| self.fail(e))?
                .finish(&codec, &mut Vec::new())
                .await
                .map_err(|e| self.fail(e))?;
        if same_plan.iter().any(|r| r.state.is_live()) {
            // Dropping the transaction aborts it; it wrote nothing anyway.
            return Ok(false);
        }
        add(&registrations, reg_value, reg.key()).map_err(|e| self.fail(e))?;
        add(&self.store(&tx, OUTBOX)?, entry_value, &entry.id).map_err(|e| self.fail(e))?;
        self.commit(tx).await?;
        Ok(true)
    }

    /// Queues cancelling registration `client_id`: it becomes [`LocalState::CancelQueued`] and
    /// `entry` (a `Cancel` of that registration) is added with `add`, in one transaction.
    ///
    /// Returns `false`, writing nothing, unless the registration is stored as queued or confirmed:
    /// a second tap finds it `CancelQueued`, a settled one has nothing left to cancel. A queued one
    /// has no server id yet; its entry's `registration_id` may be empty, for the flusher to fill
    /// in once the registration is confirmed.
    pub async fn enqueue_cancel(
        &self,
        client_id: &str,
        entry: &OutboxEntry,
    ) -> Result<bool, StorageError> {
        if !matches!(&entry.action, Action::Cancel { client_id: c, .. } if c == client_id) {
            return Err(StorageError::Other(format!(
                "outbox entry {} does not cancel registration {client_id}",
                entry.id
            )));
        }
        let codec = self.codec();
        let entry_value = codec.encode(NO_ORDER, entry)?;
        let tx = self.transaction_v3(&[REGISTRATIONS, OUTBOX], TransactionMode::Readwrite)?;
        let registrations = self.store(&tx, REGISTRATIONS)?;
        let Some((order, mut reg)) = self
            .read_record::<LocalRegistration>(&registrations, &codec, client_id)
            .await?
        else {
            return Ok(false);
        };
        if !matches!(reg.state, LocalState::Queued | LocalState::Confirmed) {
            return Ok(false);
        }
        reg.state = LocalState::CancelQueued;
        reg.updated_at = entry.created_at;
        put(&registrations, codec.encode(order, &reg)?, client_id).map_err(|e| self.fail(e))?;
        add(&self.store(&tx, OUTBOX)?, entry_value, &entry.id).map_err(|e| self.fail(e))?;
        self.commit(tx).await?;
        Ok(true)
    }

    /// Writes back registrations and outbox entries a page still holds in memory after the
    /// database was deleted underneath it (see [`Db::created`]), with the session when given, in
    /// one transaction: all of them are stored again, or none (and the caller warns about each
    /// entry). Records already stored under the same keys are replaced by the page's copy.
    pub async fn restore_personal(
        &self,
        session: Option<&super::Session>,
        registrations: &[LocalRegistration],
        entries: &[OutboxEntry],
    ) -> Result<(), StorageError> {
        let codec = self.codec();
        let tx = self.transaction_v3(
            &[super::SESSION, REGISTRATIONS, OUTBOX],
            TransactionMode::Readwrite,
        )?;
        if let Some(session) = session {
            self.put_text(&tx, super::SESSION, super::personal::SESSION_KEY, session)?;
        }
        let store = self.store(&tx, REGISTRATIONS)?;
        for reg in registrations {
            put(&store, codec.encode(NO_ORDER, reg)?, reg.key()).map_err(|e| self.fail(e))?;
        }
        let store = self.store(&tx, OUTBOX)?;
        for entry in entries {
            put(&store, codec.encode(NO_ORDER, entry)?, &entry.id).map_err(|e| self.fail(e))?;
        }
        self.commit(tx).await
    }

    /// The entries waiting to be sent, in sending order (oldest first, so a cancel never overtakes
    /// its registration). An entry that no longer decodes is reported in `skipped`: it will never
    /// be sent, and the student should be told.
    pub async fn outbox(&self) -> Result<Loaded<Vec<OutboxEntry>>, StorageError> {
        let tx = self.transaction_v3(&[OUTBOX], TransactionMode::Readonly)?;
        let mut skipped = Vec::new();
        let mut entries = RecordsRequest::<OutboxEntry>::start(&tx)
            .map_err(|e| self.fail(e))?
            .finish(&self.codec(), &mut skipped)
            .await
            .map_err(|e| self.fail(e))?;
        send_order(&mut entries);
        Ok(Loaded {
            value: entries,
            meta: (),
            skipped,
        })
    }

    /// How many entries wait, without decoding them (for a badge, and the sign-out warning).
    pub async fn pending_count(&self) -> Result<usize, StorageError> {
        let tx = self.transaction_v3(&[OUTBOX], TransactionMode::Readonly)?;
        let outbox = self.store(&tx, OUTBOX)?;
        Ok(self.count(&outbox, None).await? as usize)
    }

    /// After a definite answer (done or rejected): deletes entry `entry_id` and stores the
    /// registration's new state, in one transaction.
    ///
    /// Returns `false`, writing nothing, if the entry is already gone: another tab settled it (its
    /// lease ran out mid-request) or the student signed out. Writing `updated` then could undo a
    /// change made since, such as a cancel queued after the first settle.
    pub async fn settle(
        &self,
        entry_id: &str,
        updated: &LocalRegistration,
    ) -> Result<bool, StorageError> {
        self.settle_entry(entry_id, Some(updated)).await
    }

    /// [`Db::settle`] for an entry whose registration is not on the phone (nothing to update):
    /// deletes the entry if it is still there.
    pub async fn settle_orphan(&self, entry_id: &str) -> Result<bool, StorageError> {
        self.settle_entry(entry_id, None).await
    }

    async fn settle_entry(
        &self,
        entry_id: &str,
        updated: Option<&LocalRegistration>,
    ) -> Result<bool, StorageError> {
        let value = updated
            .map(|r| self.codec().encode(NO_ORDER, r))
            .transpose()?;
        let tx = self.transaction_v3(&[REGISTRATIONS, OUTBOX], TransactionMode::Readwrite)?;
        let outbox = self.store(&tx, OUTBOX)?;
        if self.count(&outbox, Some(entry_id)).await? == 0 {
            return Ok(false);
        }
        delete(&outbox, entry_id).map_err(|e| self.fail(e))?;
        if let (Some(value), Some(reg)) = (value, updated) {
            put(&self.store(&tx, REGISTRATIONS)?, value, reg.key()).map_err(|e| self.fail(e))?;
        }
        self.commit(tx).await?;
        Ok(true)
    }

    /// After a transient failure: stores the entry with its new attempt count and next time
    /// ([`OutboxEntry::failed`]). Returns `false`, writing nothing, if the entry was settled
    /// meanwhile, so a late retry cannot bring a settled entry back.
    pub async fn reschedule(&self, entry: &OutboxEntry) -> Result<bool, StorageError> {
        let value = self.codec().encode(NO_ORDER, entry)?;
        let tx = self.transaction_v3(&[OUTBOX], TransactionMode::Readwrite)?;
        let outbox = self.store(&tx, OUTBOX)?;
        if self.count(&outbox, Some(&entry.id)).await? == 0 {
            return Ok(false);
        }
        put(&outbox, value, &entry.id).map_err(|e| self.fail(e))?;
        self.commit(tx).await?;
        Ok(true)
    }

    /// Every registration on the phone, oldest first; records that no longer decode are skipped
    /// and reported, as in the catalog.
    pub async fn local_registrations(
        &self,
    ) -> Result<Loaded<Vec<LocalRegistration>>, StorageError> {
        let tx = self.transaction_v3(&[REGISTRATIONS], TransactionMode::Readonly)?;
        let mut skipped = Vec::new();
        let mut value = RecordsRequest::<LocalRegistration>::start(&tx)
            .map_err(|e| self.fail(e))?
            .finish(&self.codec(), &mut skipped)
            .await
            .map_err(|e| self.fail(e))?;
        by_age(&mut value);
        Ok(Loaded {
            value,
            meta: (),
            skipped,
        })
    }

    /// Reconciles the server's list of the student's registrations (`GET /registrations`) with
    /// the phone's, in one transaction, and returns the result (as [`Db::local_registrations`]).
    ///
    /// The server is authoritative for what it lists; the phone for what it has not sent yet:
    /// - a server registration with the `client_id` of a local one updates it through
    ///   [`LocalRegistration::confirm`]: it takes the server's record and status, except that a
    ///   local `CancelQueued` stays `CancelQueued` while the server still says confirmed (the cancel
    ///   is in the outbox and has not reached the server yet);
    /// - a server registration unknown here (made on another device, or stored here in a record
    ///   that no longer decodes) is added as `Confirmed` or `Cancelled`, per its status;
    /// - a local `Queued` the server does not list stays queued: it has not been sent, or its
    ///   answer has not come back;
    /// - a local `Confirmed` the server no longer lists is marked `Cancelled` (cancelled on another
    ///   device or by the school). Its `registration` keeps the server's last record, so `state`,
    ///   not `registration.status`, is what to show;
    /// - anything else (`CancelQueued`, `Rejected`, `Cancelled` not listed) is left as it is; the
    ///   outbox settles a queued cancel.
    ///
    /// Only records that change are written, so `updated_at` says when a record last changed. The
    /// outbox is not touched: a listed registration whose `Register` entry is still waiting is
    /// confirmed here, and the entry's own answer (the same record, idempotent) settles it later.
    pub async fn merge_server_registrations(
        &self,
        server: &[Registration],
        now: DateTime<Utc>,
    ) -> Result<Loaded<Vec<LocalRegistration>>, StorageError> {
        let codec = self.codec();
        let tx = self.transaction_v3(&[REGISTRATIONS], TransactionMode::Readwrite)?;
        let store = self.store(&tx, REGISTRATIONS)?;
        let mut skipped: Vec<SkippedRecord> = Vec::new();
        let mut local = RecordsRequest::<LocalRegistration>::start_on(&store)
            .map_err(|e| self.fail(e))?
            .finish(&codec, &mut skipped)
            .await
            .map_err(|e| self.fail(e))?;
        let mut changed = vec![false; local.len()];
        for r in server {
            match local.iter().position(|l| l.client_id == r.client_id) {
                Some(i) => {
                    let mut next = local[i].clone();
                    next.confirm(r.clone(), now);
                    if next.state != local[i].state || next.registration != local[i].registration {
                        local[i] = next;
                        changed[i] = true;
                    }
                }
                None => {
                    local.push(from_server(r, now));
                    changed.push(true);
                    // Overwriting an unreadable record with the server's repairs it.
                    skipped.retain(|s| s.key != r.client_id);
                }
            }
        }
        for (reg, changed) in local.iter_mut().zip(changed.iter_mut()) {
            let listed = server.iter().any(|r| r.client_id == reg.client_id);
            if reg.state == LocalState::Confirmed && !listed {
                reg.state = LocalState::Cancelled;
                reg.updated_at = now;
                *changed = true;
            }
        }
        for (reg, _) in local.iter().zip(&changed).filter(|(_, c)| **c) {
            put(&store, codec.encode(NO_ORDER, reg)?, reg.key()).map_err(|e| self.fail(e))?;
        }
        self.commit(tx).await?;
        by_age(&mut local);
        Ok(Loaded {
            value: local,
            meta: (),
            skipped,
        })
    }

    /// Takes or renews the right to flush the outbox, so that only one tab sends at a time: a
    /// compare-and-set in one readwrite transaction. Succeeds if no tab holds the lease, if the
    /// holder's lease expired (a closed or frozen tab), or if `tab_id` already holds it; then the
    /// lease runs until `now + ttl`. The holder renews it while flushing, with a `ttl` longer than
    /// one request's timeout.
    ///
    /// A lease record that no longer decodes is taken over rather than reported: it grants nothing
    /// to anyone, and refusing would stop every tab from sending until sign-out.
    pub async fn try_lease(
        &self,
        tab_id: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<bool, StorageError> {
        let tx = self.transaction_v3(&[META], TransactionMode::Readwrite)?;
        let free = match self.read_text::<Lease>(&tx, META, LEASE_KEY).await {
            Ok(None) | Err(StorageError::Corrupt { .. }) => true,
            Ok(Some(lease)) => lease.tab_id == tab_id || lease.expires_at <= now,
            Err(e) => return Err(e),
        };
        if !free {
            return Ok(false);
        }
        let lease = Lease {
            tab_id: tab_id.to_owned(),
            expires_at: now + ttl,
        };
        self.put_text(&tx, META, LEASE_KEY, &lease)?;
        self.commit(tx).await?;
        Ok(true)
    }

    /// Gives the lease up when `tab_id` holds it (flush finished, tab hidden or closing), so
    /// another tab need not wait for it to expire. Returns whether it was held by `tab_id`.
    pub async fn release_lease(&self, tab_id: &str) -> Result<bool, StorageError> {
        let tx = self.transaction_v3(&[META], TransactionMode::Readwrite)?;
        let held = self
            .read_text::<Lease>(&tx, META, LEASE_KEY)
            .await?
            .is_some_and(|lease| lease.tab_id == tab_id);
        if !held {
            return Ok(false);
        }
        delete(&self.store(&tx, META)?, LEASE_KEY).map_err(|e| self.fail(e))?;
        self.commit(tx).await?;
        Ok(true)
    }
}

/// A registration the phone did not know, as the server has it.
fn from_server(r: &Registration, now: DateTime<Utc>) -> LocalRegistration {
    let mut reg = LocalRegistration {
        client_id: r.client_id.clone(),
        plan_id: r.plan_id.clone(),
        certificate_id: r.certificate_id.clone(),
        level: r.level,
        state: LocalState::Queued,
        registration: None,
        refusals: Vec::new(),
        refusal_code: None,
        fee_preview: None,
        created_at: r.created_at,
        updated_at: now,
    };
    // The same status mapping as a confirmation of a local one.
    reg.confirm(r.clone(), now);
    reg
}

fn by_age(regs: &mut [LocalRegistration]) {
    regs.sort_unstable_by(|a, b| (a.created_at, &a.client_id).cmp(&(b.created_at, &b.client_id)));
}
