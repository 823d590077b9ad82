//! The signed-in student's own data: session, registrations (with the outbox that carries offline
//! changes to the server) and results.
//!
//! Every change is written to IndexedDB together with its outbox entry before the screen calls it
//! "queued", and the outbox entry's id is the idempotency key the server deduplicates on, so nothing
//! a student did is lost or done twice: not by reloads, lost answers, double clicks or two tabs.

use std::rc::Rc;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use kaozheng_core::feedback::{Feedback, Ratings};
use kaozheng_core::outbox::{self, Action, LocalRegistration, LocalState, OutboxEntry, Outcome};
use kaozheng_core::rules::Refusal;
use kaozheng_core::{ExamPlan, ExamResult, Registration, Student};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::notify;
use crate::problem::Problem;
use crate::state::catalog::CatalogState;
use crate::state::network::Network;
use crate::storage::{Db, Session, StorageError};

/// How long one tab may hold the right to send the outbox before another may take over.
const LEASE_SECONDS: i64 = 15;

#[derive(Clone, Copy)]
pub struct Account {
    /// The signed-in student, if any (kept after expiry so queued work stays visible).
    pub session: RwSignal<Option<Arc<Session>>>,
    /// The server said the session is no longer valid; the student must sign in again.
    pub expired: RwSignal<bool>,
    pub registrations: RwSignal<Arc<Vec<LocalRegistration>>>,
    pub outbox: RwSignal<Arc<Vec<OutboxEntry>>>,
    /// The entry being sent right now.
    pub sending: RwSignal<Option<String>>,
    pub results: RwSignal<Arc<Vec<(ExamResult, bool)>>>,
    /// The student's feedback as the server holds it (edits still queued are in `outbox`).
    pub feedback: RwSignal<Arc<Vec<Feedback>>>,
    /// Why the server refused the last feedback edit.
    pub feedback_problem: RwSignal<Option<Problem>>,
    /// The last problem reaching the server for personal data, shown on the account pages.
    pub problem: RwSignal<Option<Problem>>,
    pub loaded: RwSignal<bool>,
    /// What became of unsent changes when the browser deleted the database under the page.
    pub restored: RwSignal<Option<Restored>>,
    /// Whether the browser keeps this site's storage until the student clears it (`None`: not
    /// asked or not supported).
    pub persisted: RwSignal<Option<bool>>,
    catalog: CatalogState,
    tab_id: StoredValue<String>,
    flushing: StoredValue<bool>,
    /// A sync was asked for while one ran: run once more when it ends (manually if any of the
    /// requests was manual), so nothing waits for the next trigger.
    again: StoredValue<Option<bool>>,
    /// Results were synced before on this phone, so new ones are news.
    results_synced: StoredValue<bool>,
    timer: StoredValue<Option<gloo_timers::callback::Timeout>, LocalStorage>,
}

/// The outcome of writing the page's unsent changes back into a recreated database.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    /// Unsent changes stored again (they will be sent as usual).
    pub kept: usize,
    /// Unsent changes that could not be stored again: they are gone, and the student is told
    /// which.
    pub lost: Vec<OutboxEntry>,
}

/// The registrations the phone believes in, as core records for the eligibility rules: the server's
/// record where there is one, else the queued request shaped like one (so a queued registration
/// already blocks a duplicate or a clash).
pub fn phone_registrations(locals: &[LocalRegistration], plans: &[ExamPlan]) -> Vec<Registration> {
    locals
        .iter()
        .filter(|l| l.state.is_live())
        .filter_map(|l| {
            if let Some(r) = &l.registration {
                return Some(r.clone());
            }
            let plan = plans.iter().find(|p| p.id == l.plan_id)?;
            Some(Registration {
                id: l.client_id.clone(),
                client_id: l.client_id.clone(),
                plan_id: l.plan_id.clone(),
                certificate_id: l.certificate_id.clone(),
                level: l.level,
                status: kaozheng_core::RegistrationStatus::Confirmed,
                ticket_no: String::new(),
                ticket_check: String::new(),
                fee: l.fee_preview.clone().unwrap_or(kaozheng_core::FeeDecision {
                    fee_fen: plan.fee_fen,
                    student_pays_fen: plan.fee_fen,
                    payer: kaozheng_core::Payer::Student,
                    reason: kaozheng_core::FeeReason::Standard,
                    policy: None,
                }),
                exam_starts_at: plan.exam_starts_at,
                exam_ends_at: plan.exam_ends_at,
                created_at: l.created_at,
                cancelled_at: None,
            })
        })
        .collect()
}

pub fn use_account() -> Account {
    expect_context::<Account>()
}

/// This tab's id for the outbox lease. Kept in `sessionStorage`, so a reload of the same tab takes
/// its own lease back at once instead of waiting for it to expire, while other tabs get other ids.
fn tab_id() -> String {
    let store = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    if let Some(id) = store
        .as_ref()
        .and_then(|s| s.get_item("kz.tab").ok().flatten())
    {
        return id;
    }
    let id = new_uuid();
    if let Some(s) = store {
        let _ = s.set_item("kz.tab", &id);
    }
    id
}

fn new_uuid() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("t{}", js_sys::Date::now() as u64))
}

pub fn provide_account(catalog: CatalogState, network: Network) -> Account {
    let acc = Account {
        session: RwSignal::new(None),
        expired: RwSignal::new(false),
        registrations: RwSignal::new(Arc::new(Vec::new())),
        outbox: RwSignal::new(Arc::new(Vec::new())),
        sending: RwSignal::new(None),
        results: RwSignal::new(Arc::new(Vec::new())),
        feedback: RwSignal::new(Arc::new(Vec::new())),
        feedback_problem: RwSignal::new(None),
        problem: RwSignal::new(None),
        loaded: RwSignal::new(false),
        restored: RwSignal::new(None),
        persisted: RwSignal::new(None),
        catalog,
        tab_id: StoredValue::new(tab_id()),
        flushing: StoredValue::new(false),
        again: StoredValue::new(None),
        results_synced: StoredValue::new(false),
        timer: StoredValue::new_local(None),
    };
    provide_context(acc);

    // Once the database is open: load, then send what is waiting and catch up.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) || !catalog.db_ready.get() {
            return done.unwrap_or(false);
        }
        spawn_local(async move {
            acc.load().await;
            acc.sync(false).await;
        });
        true
    });
    Effect::new(move |prev: Option<bool>| {
        let online = network.online.get();
        if prev == Some(false) && online {
            spawn_local(acc.sync(false));
        }
        online
    });
    catalog.on_recreated(Rc::new(move |db| {
        Box::pin(async move { acc.restore(&db).await })
    }));
    Effect::new(move |prev: Option<u32>| {
        let n = catalog.reconnected.get();
        if prev.is_some_and(|p| p != n) {
            spawn_local(acc.sync(false));
        }
        n
    });
    let visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if !document().hidden() {
            spawn_local(acc.sync(false));
        }
    });
    std::mem::forget(visible);
    acc
}

impl Account {
    fn db(&self) -> Option<Rc<Db>> {
        self.catalog.db()
    }

    /// The open database, for pages that update personal records directly.
    pub fn db_handle(&self) -> Option<Rc<Db>> {
        self.db()
    }

    fn storage_failed(&self, e: StorageError) {
        self.catalog.storage_failed(e);
    }

    /// The database was deleted underneath the page (see [`CatalogState::reopen`]): stores the
    /// session, registrations and unsent changes this page holds into the new one, all or none.
    /// When they cannot be stored, each unsent change is reported as lost; the lists then show
    /// what the server has.
    async fn restore(self, db: &Db) {
        let session = self.session.get_untracked();
        let regs = self.registrations.get_untracked();
        let entries = self.outbox.get_untracked();
        let restored = db
            .restore_personal(session.as_deref(), &regs, &entries)
            .await;
        if let Err(e) = &restored {
            self.storage_failed(e.clone());
            // The session alone is small and lets the student go on online.
            if let Some(s) = &session {
                let _ = db.save_session(s).await;
            }
        }
        if !entries.is_empty() {
            let lost = match restored {
                Ok(()) => Vec::new(),
                Err(_) => entries.to_vec(),
            };
            self.restored.set(Some(Restored {
                kept: entries.len() - lost.len(),
                lost,
            }));
        }
        self.reload_local(db).await;
    }

    /// Asks the browser to keep this site's data until the student clears it (else it may evict
    /// it under storage pressure, or after 7 days without a visit in Safari, with unsent changes
    /// in it). Asked once the student has something worth keeping, never at first paint.
    fn keep_storage(self, ask: bool) {
        if self.persisted.get_untracked() == Some(true) {
            return;
        }
        spawn_local(async move {
            if let Some(granted) = crate::state::persistence::persist(ask).await {
                self.persisted.set(Some(granted));
            }
        });
    }

    pub fn student(&self) -> Option<Student> {
        self.session.with(|s| s.as_ref().map(|s| s.student.clone()))
    }

    pub fn token(&self) -> Option<String> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    }

    /// Signed in with a session the server has not refused.
    pub fn signed_in(&self) -> bool {
        self.session.with(Option::is_some) && !self.expired.get()
    }

    /// Reads everything personal from IndexedDB into the signals.
    async fn load(self) {
        let Some(db) = self.db() else {
            self.loaded.set(true);
            return;
        };
        // A sign-in that finished while the database was still opening is newer than anything
        // stored: keep it and store it now, instead of putting back what the database held.
        if let Some(current) = self.session.get_untracked() {
            if let Err(e) = db.save_session(&current).await {
                self.storage_failed(e);
            }
        } else {
            match db.load_session().await {
                Ok(s) => {
                    let now = Utc::now();
                    if let Some(s) = &s {
                        self.expired.set(s.expires_at <= now);
                        self.keep_storage(false);
                    }
                    // Signed in while this read ran: that session wins.
                    if self.session.with_untracked(Option::is_none) {
                        self.session.set(s.map(Arc::new));
                    }
                }
                Err(e) => self.storage_failed(e),
            }
        }
        self.reload_local(&db).await;
        self.loaded.set(true);
    }

    async fn reload_local(&self, db: &Db) {
        match db.local_registrations().await {
            Ok(l) => {
                self.catalog.skipped.update(|n| *n += l.skipped.len());
                self.registrations.set(Arc::new(l.value));
            }
            Err(e) => self.storage_failed(e),
        }
        match db.outbox().await {
            Ok(o) => {
                self.catalog.skipped.update(|n| *n += o.skipped.len());
                self.outbox.set(Arc::new(o.value));
            }
            Err(e) => self.storage_failed(e),
        }
        match db.own_feedback().await {
            Ok(f) => self.feedback.set(Arc::new(f)),
            Err(e) => self.storage_failed(e),
        }
        match db.load_results().await {
            Ok(r) => {
                self.catalog.skipped.update(|n| *n += r.skipped.len());
                self.results_synced.set_value(r.meta.is_some());
                self.results.set(Arc::new(r.value));
            }
            Err(e) => self.storage_failed(e),
        }
    }

    /// Signs in and keeps the session on the phone.
    pub async fn sign_in(self, signed: api::SignedIn) -> Result<(), StorageError> {
        let session = Session {
            token: signed.token,
            expires_at: signed.expires_at,
            student: signed.student,
        };
        if let Some(db) = self.db() {
            db.save_session(&session).await?;
        }
        self.session.set(Some(Arc::new(session)));
        self.expired.set(false);
        self.keep_storage(true);
        spawn_local(self.sync(false));
        Ok(())
    }

    /// Removes every personal record from the phone (it may be shared), and revokes the token.
    pub async fn sign_out(self) -> Result<usize, StorageError> {
        let token = self.token();
        let dropped = match self.db() {
            Some(db) => db.wipe_personal().await?,
            None => 0,
        };
        self.session.set(None);
        self.expired.set(false);
        self.registrations.set(Arc::new(Vec::new()));
        self.outbox.set(Arc::new(Vec::new()));
        self.results.set(Arc::new(Vec::new()));
        self.feedback.set(Arc::new(Vec::new()));
        if let Some(t) = token {
            // Revoking is a courtesy to the server; the phone is already clean.
            let _ = api::logout(&t).await;
        }
        Ok(dropped)
    }

    /// Queues a registration for `plan`. Returns the local record, or `None` when this plan already
    /// has a live registration on the phone (a double click, another tab).
    pub async fn register(
        self,
        plan: &ExamPlan,
    ) -> Result<Option<LocalRegistration>, StorageError> {
        let db = self.db().ok_or(StorageError::Closed)?;
        let now = Utc::now();
        let id = new_uuid();
        let plans = self.catalog.plans.get_untracked();
        let preview = self.fee_preview(plan, &plans);
        let local = LocalRegistration::queued(id.clone(), plan, preview, now);
        let entry = OutboxEntry::new(
            id,
            Action::Register {
                plan_id: plan.id.clone(),
            },
            now,
        );
        let queued = db.enqueue(&local, &entry).await?;
        if queued {
            // In memory at once: if the database is deleted before the reload below reads it
            // back, this copy is what gets restored.
            self.registrations
                .update(|r| Arc::make_mut(r).push(local.clone()));
            self.outbox.update(|o| Arc::make_mut(o).push(entry));
        }
        self.reload_local(&db).await;
        if queued {
            self.keep_storage(true);
            spawn_local(self.sync(false));
        }
        Ok(queued.then_some(local))
    }

    /// Queues cancelling a registration.
    pub async fn cancel(self, client_id: &str) -> Result<(), StorageError> {
        let db = self.db().ok_or(StorageError::Closed)?;
        let Some(local) = self
            .registrations
            .with_untracked(|r| r.iter().find(|r| r.client_id == client_id).cloned())
        else {
            return Ok(());
        };
        // A registration that has not reached the server yet has no server id: the flusher looks
        // it up once its register entry is answered (see `late_cancel`).
        let registration_id = local
            .registration
            .as_ref()
            .map(|r| r.id.clone())
            .unwrap_or_default();
        let now = Utc::now();
        let entry = OutboxEntry::new(
            new_uuid(),
            Action::Cancel {
                client_id: client_id.to_string(),
                registration_id,
            },
            now,
        );
        if db.enqueue_cancel(client_id, &entry).await? {
            // In memory at once, as in `register`.
            self.registrations.update(|r| {
                if let Some(r) = Arc::make_mut(r)
                    .iter_mut()
                    .find(|r| r.client_id == client_id)
                {
                    r.state = LocalState::CancelQueued;
                    r.updated_at = now;
                }
            });
            self.outbox.update(|o| Arc::make_mut(o).push(entry));
        }
        self.reload_local(&db).await;
        spawn_local(self.sync(false));
        Ok(())
    }

    /// Queues the student's feedback on a certificate level (validated by core first); it replaces
    /// an earlier edit still waiting and is sent like registrations.
    pub async fn give_feedback(
        self,
        certificate_id: &str,
        level: kaozheng_core::XLevel,
        ratings: Ratings,
        comment: Option<&str>,
    ) -> Result<(), Problem> {
        ratings.validate()?;
        let comment = kaozheng_core::feedback::normalize_comment(comment)?;
        let db = self.db().ok_or(StorageError::Closed)?;
        let entry = OutboxEntry::new(
            new_uuid(),
            Action::Feedback {
                certificate_id: certificate_id.to_string(),
                level,
                ratings,
                comment,
            },
            Utc::now(),
        );
        db.enqueue_feedback(&entry).await?;
        self.feedback_problem.set(None);
        self.reload_local(&db).await;
        spawn_local(self.sync(false));
        Ok(())
    }

    /// The fee as the rules on the phone decide it: the same core rule the server applies, over
    /// the registrations the phone believes in (queued ones included, so a queued funded exam
    /// counts as used).
    pub fn fee_preview(
        &self,
        plan: &ExamPlan,
        plans: &[ExamPlan],
    ) -> Option<kaozheng_core::FeeDecision> {
        let student = self
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.student.clone()))?;
        let rules = self.catalog.fee_rules.get_untracked();
        let regs = self
            .registrations
            .with_untracked(|r| phone_registrations(r, plans));
        Some(kaozheng_core::rules::fee_for(
            plan,
            &student,
            rules.as_deref(),
            &regs,
            Utc::now(),
        ))
    }

    /// Sends what is waiting (all of it when `manual`), then refreshes registrations, results and
    /// fee rules from the server. Only one tab sends at a time.
    pub async fn sync(self, manual: bool) {
        if self.flushing.get_value() {
            let manual = manual || self.again.get_value() == Some(true);
            self.again.set_value(Some(manual));
            return;
        }
        let Some(db) = self.db() else {
            // No IndexedDB (blocked third-party storage, private mode): read-only, in memory.
            self.pull_into_memory().await;
            return;
        };
        self.flushing.set_value(true);
        let tab = self.tab_id.get_value();
        let now = Utc::now();
        match db
            .try_lease(&tab, now, chrono::Duration::seconds(LEASE_SECONDS))
            .await
        {
            Ok(true) => {
                self.flush(&db, manual).await;
                if let Err(e) = db.release_lease(&tab).await {
                    self.storage_failed(e);
                }
            }
            Ok(false) => {}
            Err(e) => self.storage_failed(e),
        }
        self.pull(&db).await;
        self.reload_local(&db).await;
        self.flushing.set_value(false);
        if let Some(manual) = self.again.get_value() {
            self.again.set_value(None);
            spawn_local(self.sync(manual));
            return;
        }
        self.schedule_next();
    }

    async fn flush(&self, db: &Db, manual: bool) {
        let entries = match db.outbox().await {
            Ok(e) => e.value,
            Err(e) => return self.storage_failed(e),
        };
        // Registrations whose register entry waits (backing off): their cancels wait too, or a
        // cancel could settle locally while the registration still reaches the server after it.
        let mut waiting: Vec<String> = Vec::new();
        for mut entry in entries {
            let now = Utc::now();
            let blocked = matches!(&entry.action, Action::Cancel { client_id, .. } if waiting.contains(client_id));
            if blocked || (!manual && !entry.is_due(now)) {
                if let Action::Register { .. } = entry.action {
                    waiting.push(entry.id.clone());
                }
                continue;
            }
            let Some(token) = self.token().filter(|_| !self.expired.get_untracked()) else {
                return;
            };
            self.sending.set(Some(entry.id.clone()));
            let answer = match &entry.action {
                Action::Register { plan_id } => api::register(&token, &entry.id, plan_id).await,
                Action::Cancel {
                    registration_id, ..
                } if registration_id.is_empty() => self.late_cancel(&entry, &token).await,
                Action::Cancel {
                    registration_id, ..
                } => api::cancel(&token, registration_id).await,
                Action::Feedback {
                    certificate_id,
                    level,
                    ratings,
                    comment,
                } => {
                    api::put_feedback(
                        &token,
                        &entry.id,
                        certificate_id,
                        *level,
                        ratings,
                        comment.as_deref(),
                    )
                    .await
                }
            };
            self.sending.set(None);
            let (status, body) = match answer {
                Ok(a) => (Some(a.status), a.body),
                // An error status from a lookup before the request (`late_cancel`) counts as its answer.
                Err(ApiError::Status { status, .. }) => (Some(status), String::new()),
                Err(e) => (None, e.to_string()),
            };
            match outbox::classify(status) {
                Outcome::Done | Outcome::Rejected => {
                    let done = status.is_some_and(|s| (200..300).contains(&s));
                    if let Err(e) = self.settle(db, &entry, done, &body).await {
                        return self.storage_failed(e);
                    }
                }
                Outcome::NeedsSignIn => {
                    self.expired.set(true);
                    return;
                }
                Outcome::Retry => {
                    let why = status.map_or(body, |s| format!("HTTP {s}"));
                    entry.failed(Utc::now(), why, js_sys::Math::random());
                    if let Err(e) = db.reschedule(&entry).await {
                        return self.storage_failed(e);
                    }
                    // The network is down or the server unwell: later entries would fail the same way.
                    return;
                }
            }
        }
    }

    /// A cancel queued before its registration was confirmed. Its register entry has been
    /// answered by now (a cancel never overtakes it), but that answer may have been lost, or
    /// settled by another tab: only the server knows whether the registration exists, so it is
    /// asked when this page does not know the server's id. A confirmed one is cancelled; one the
    /// server does not hold needs nothing more.
    async fn late_cancel(&self, entry: &OutboxEntry, token: &str) -> Result<api::Answer, ApiError> {
        let Action::Cancel { client_id, .. } = &entry.action else {
            unreachable!("late_cancel is only called for cancels")
        };
        let known = self.registrations.with_untracked(|r| {
            r.iter()
                .find(|r| &r.client_id == client_id)
                .and_then(|r| r.registration.as_ref().map(|s| s.id.clone()))
        });
        let server_id = match known {
            Some(id) => Some(id),
            None => api::registrations(token)
                .await?
                .into_iter()
                .find(|r| &r.client_id == client_id && r.is_confirmed())
                .map(|r| r.id),
        };
        match server_id {
            Some(id) => api::cancel(token, &id).await,
            None => Ok(api::Answer {
                status: 200,
                body: String::new(),
            }),
        }
    }

    async fn settle(
        &self,
        db: &Db,
        entry: &OutboxEntry,
        done: bool,
        body: &str,
    ) -> Result<(), StorageError> {
        let now = Utc::now();
        let client_id = match &entry.action {
            Action::Register { .. } => entry.id.clone(),
            Action::Cancel { client_id, .. } => client_id.clone(),
            Action::Feedback { .. } => return self.settle_feedback(db, entry, done, body).await,
        };
        let Some(mut local) = self
            .registrations
            .with_untracked(|r| r.iter().find(|r| r.client_id == client_id).cloned())
        else {
            return db.settle_orphan(&entry.id).await.map(|_| ());
        };
        let server: Option<Registration> = if done {
            serde_json::from_str(body).ok()
        } else {
            None
        };
        match (&entry.action, done) {
            (Action::Register { .. }, true) => match server {
                Some(r) => local.confirm(r, now),
                None => local.reject(Vec::new(), Some("invalid_answer".into()), now),
            },
            (Action::Register { .. }, false) => {
                let detail = api::error_detail(body);
                let refusals: Vec<Refusal> = detail
                    .as_ref()
                    .map(|d| d.refusals.clone())
                    .unwrap_or_default();
                local.reject(refusals, detail.map(|d| d.code), now);
            }
            (Action::Cancel { .. }, true) => match server {
                Some(r) => local.confirm(r, now),
                None => {
                    local.state = LocalState::Cancelled;
                    local.updated_at = now;
                }
            },
            (Action::Feedback { .. }, _) => {}
            (Action::Cancel { .. }, false) => {
                // The cancel was refused (e.g. the window closed): the registration still stands.
                local.state = if local.registration.is_some() {
                    LocalState::Confirmed
                } else {
                    LocalState::Queued
                };
                local.refusal_code = api::error_detail(body).map(|d| d.code);
                local.updated_at = now;
            }
        }
        if !db.settle(&entry.id, &local).await? {
            // Another tab settled this entry first; its result is already stored.
            return Ok(());
        }
        // Later entries of this flush (a cancel after its registration) must see the new state.
        self.registrations.update(|regs| {
            let regs = Arc::make_mut(regs);
            match regs.iter_mut().find(|r| r.client_id == local.client_id) {
                Some(r) => *r = local,
                None => regs.push(local),
            }
        });
        Ok(())
    }

    /// A feedback edit was answered: stored on the server (keep its record) or refused (say why).
    async fn settle_feedback(
        &self,
        db: &Db,
        entry: &OutboxEntry,
        done: bool,
        body: &str,
    ) -> Result<(), StorageError> {
        if done {
            if let Ok(saved) = serde_json::from_str::<Feedback>(body) {
                self.feedback
                    .update(|list| kaozheng_core::feedback::upsert(Arc::make_mut(list), saved));
                db.save_own_feedback(&self.feedback.get_untracked()).await?;
            }
        } else {
            let code = api::error_detail(body).map(|d| d.code);
            self.feedback_problem
                .set(Some(Problem::Refused(code.unwrap_or_default())));
        }
        db.settle_orphan(&entry.id).await.map(|_| ())
    }

    /// Pulls the student's registrations, results and the fee rules.
    async fn pull(&self, db: &Db) {
        let Some(token) = self.token().filter(|_| !self.expired.get_untracked()) else {
            return;
        };
        match api::registrations(&token).await {
            Ok(list) => {
                if let Err(e) = db.merge_server_registrations(&list, Utc::now()).await {
                    self.storage_failed(e);
                }
                self.problem.set(None);
            }
            Err(ApiError::Status { status: 401, .. }) => {
                self.expired.set(true);
                return;
            }
            Err(e) => {
                self.problem.set(Some(e.into()));
                return;
            }
        }
        match api::my_feedback(&token).await {
            Ok(list) => match db.save_own_feedback(&list).await {
                Ok(()) => self.feedback.set(Arc::new(list)),
                Err(e) => self.storage_failed(e),
            },
            Err(e) => self.problem.set(Some(e.into())),
        }
        match api::results(&token).await {
            Ok(list) => match db.save_results(&list, Utc::now()).await {
                // The first sync on this phone brings every old result: they are marked new in the
                // list, but a notification per old result would be noise.
                Ok(new_ids) if self.results_synced.get_value() => self.announce(&list, &new_ids),
                Ok(_) => self.results_synced.set_value(true),
                Err(e) => self.storage_failed(e),
            },
            Err(e) => self.problem.set(Some(e.into())),
        }
    }

    /// Without IndexedDB the student can still see their registrations, results and feedback for
    /// this visit; nothing is kept and nothing can be queued (the pages say storage is unavailable).
    async fn pull_into_memory(&self) {
        let Some(token) = self.token().filter(|_| !self.expired.get_untracked()) else {
            return;
        };
        match api::registrations(&token).await {
            Ok(list) => {
                let now = Utc::now();
                let locals: Vec<LocalRegistration> = list
                    .into_iter()
                    .map(|r| {
                        let plan = self
                            .catalog
                            .plans
                            .with_untracked(|p| p.iter().find(|p| p.id == r.plan_id).cloned());
                        let mut local = match plan {
                            Some(p) => LocalRegistration::queued(
                                r.client_id.clone(),
                                &p,
                                None,
                                r.created_at,
                            ),
                            None => LocalRegistration {
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
                                updated_at: r.created_at,
                            },
                        };
                        local.confirm(r, now);
                        local
                    })
                    .collect();
                self.registrations.set(Arc::new(locals));
            }
            Err(ApiError::Status { status: 401, .. }) => {
                self.expired.set(true);
                return;
            }
            Err(e) => self.problem.set(Some(e.into())),
        }
        if let Ok(list) = api::results(&token).await {
            self.results
                .set(Arc::new(list.into_iter().map(|r| (r, true)).collect()));
        }
        if let Ok(list) = api::my_feedback(&token).await {
            self.feedback.set(Arc::new(list));
        }
    }

    /// A browser notification per newly published result, if the student allowed them.
    fn announce(&self, results: &[ExamResult], new_ids: &[String]) {
        let names = self.catalog.catalog.with_untracked(|c| {
            results
                .iter()
                .filter(|r| new_ids.contains(&r.registration_id))
                .map(|r| {
                    let cert = c
                        .as_ref()
                        .and_then(|l| l.catalog.certificate(&r.certificate_id))
                        .map(|c| c.short_name().to_string())
                        .unwrap_or_else(|| r.plan_name.clone());
                    format!("{cert}（{}）", r.level.zh())
                })
                .collect::<Vec<_>>()
        });
        for name in names {
            notify::result_published(&name);
        }
    }

    /// Wakes up when the next backed-off entry is due.
    fn schedule_next(self) {
        let now = Utc::now();
        // An entry still due now was not sent: another tab holds the lease, or the session needs
        // signing in again. Look again shortly rather than waiting for the next event.
        let next: Option<DateTime<Utc>> = self.outbox.with_untracked(|o| {
            o.iter()
                .map(|e| match e.next_attempt_at {
                    Some(t) if t > now => t,
                    _ => now + chrono::Duration::seconds(3),
                })
                .min()
        });
        if self.expired.get_untracked() {
            self.timer.set_value(None);
            return;
        }
        let timer = next.map(|at| {
            let ms = (at - now).num_milliseconds().clamp(500, 300_000) as u32;
            gloo_timers::callback::Timeout::new(ms, move || spawn_local(self.sync(false)))
        });
        self.timer.set_value(timer);
    }

    /// The local registration for a plan that still holds (or may hold) a seat.
    pub fn live_for_plan(&self, plan_id: &str) -> Option<LocalRegistration> {
        self.registrations.with(|r| {
            r.iter()
                .find(|r| r.plan_id == plan_id && r.state.is_live())
                .cloned()
        })
    }

    /// `(certificate_id, level)` the student holds: passed results.
    pub fn certified(&self) -> Vec<(String, kaozheng_core::XLevel)> {
        self.results.with(|r| {
            r.iter()
                .filter(|(r, _)| r.passed)
                .map(|(r, _)| (r.certificate_id.clone(), r.level))
                .collect()
        })
    }
}
