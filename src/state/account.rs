//! The signed-in student: session state and what the pages show of their own data (registrations,
//! waiting changes, results, ratings). The sync engine ([`crate::sync`]) does the work of sending
//! and settling; this state starts it at the right moments and applies what it reports.
//!
//! Every change is written to IndexedDB together with its outbox entry before the screen calls it
//! "queued", and the outbox entry's id is the idempotency key the server deduplicates on, so nothing
//! a student did is lost or done twice: not by reloads, lost answers, double clicks or two tabs.

mod local;
mod syncing;

use std::rc::Rc;
use std::sync::Arc;

use kaozheng_core::feedback::{Feedback, Ratings};
use kaozheng_core::outbox::{LocalRegistration, OutboxEntry};
use kaozheng_core::{ExamPlan, ExamResult, FeeDecision, Student, XLevel};
use leptos::prelude::*;
use leptos::task::spawn_local;

pub use kaozheng_core::outbox::phone_registrations;
pub use local::Restored;

use crate::api;
use crate::problem::Problem;
use crate::state::catalog::CatalogState;
use crate::state::clock;
use crate::state::connection::Connection;
use crate::state::network::Network;
use crate::storage::{Db, Session, StorageError};
use crate::sync::{Engine, Http};

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
    conn: Connection,
    tab_id: StoredValue<String>,
    flushing: StoredValue<bool>,
    /// A sync was asked for while one ran: run once more when it ends (manually if any of the
    /// requests was manual), so nothing waits for the next trigger.
    again: StoredValue<Option<bool>>,
    /// Results were synced before on this phone, so new ones are news.
    results_synced: StoredValue<bool>,
    timer: StoredValue<Option<gloo_timers::callback::Timeout>, LocalStorage>,
}

pub fn use_account() -> Account {
    expect_context::<Account>()
}

/// A new random id (the idempotency key of an outbox entry).
fn new_uuid() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("t{}", js_sys::Date::now() as u64))
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

pub fn provide_account(conn: Connection, catalog: CatalogState, network: Network) -> Account {
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
        conn,
        tab_id: StoredValue::new(tab_id()),
        flushing: StoredValue::new(false),
        again: StoredValue::new(None),
        results_synced: StoredValue::new(false),
        timer: StoredValue::new_local(None),
    };
    provide_context(acc);
    acc.start(network);
    acc
}

impl Account {
    fn db(&self) -> Option<Rc<Db>> {
        self.conn.db()
    }

    /// The open database, for pages that update personal records directly.
    pub fn db_handle(&self) -> Option<Rc<Db>> {
        self.db()
    }

    fn storage_failed(&self, e: StorageError) {
        self.conn.failed(e);
    }

    fn engine(&self, db: Rc<Db>) -> Engine<Rc<Db>, Http> {
        Engine::new(db, Http, self.tab_id.get_value())
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
        let plans = self.catalog.plans.get_untracked();
        let preview = untrack(|| self.fee_preview(plan, &plans));
        let queued = self
            .engine(db.clone())
            .register(new_uuid(), plan, preview, clock::now())
            .await?;
        if let Some((local, entry)) = &queued {
            // In memory at once: if the database is deleted before the reload below reads it
            // back, this copy is what gets restored.
            self.registrations
                .update(|r| Arc::make_mut(r).push(local.clone()));
            self.outbox.update(|o| Arc::make_mut(o).push(entry.clone()));
        }
        self.reload_local(&db).await;
        if queued.is_some() {
            self.keep_storage(true);
            spawn_local(self.sync(false));
        }
        Ok(queued.map(|(local, _)| local))
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
        let now = clock::now();
        if let Some(entry) = self
            .engine(db.clone())
            .cancel(new_uuid(), &local, now)
            .await?
        {
            // In memory at once, as in `register`.
            self.registrations.update(|r| {
                if let Some(r) = Arc::make_mut(r)
                    .iter_mut()
                    .find(|r| r.client_id == client_id)
                {
                    r.state = kaozheng_core::outbox::LocalState::CancelQueued;
                    r.updated_at = now;
                }
            });
            self.outbox.update(|o| Arc::make_mut(o).push(entry));
        }
        self.reload_local(&db).await;
        spawn_local(self.sync(false));
        Ok(())
    }

    /// Queues the student's feedback on a certificate level (checked by core first); it replaces
    /// an earlier edit still waiting and is sent like registrations.
    pub async fn give_feedback(
        self,
        certificate_id: &str,
        level: XLevel,
        ratings: Ratings,
        comment: Option<&str>,
    ) -> Result<(), Problem> {
        let db = self.db().ok_or(StorageError::Closed)?;
        self.engine(db.clone())
            .rate(
                new_uuid(),
                certificate_id,
                level,
                ratings,
                comment,
                clock::now(),
            )
            .await??;
        self.feedback_problem.set(None);
        self.reload_local(&db).await;
        spawn_local(self.sync(false));
        Ok(())
    }

    /// The fee as the rules on the phone decide it: the same core rule the server applies, over
    /// the registrations the phone believes in (queued ones included, so a queued funded exam
    /// counts as used). Tracked: a page showing it follows the rules and registrations as they
    /// arrive (the fee rules may come after the page first renders).
    pub fn fee_preview(&self, plan: &ExamPlan, plans: &[ExamPlan]) -> Option<FeeDecision> {
        let student = self
            .session
            .with(|s| s.as_ref().map(|s| s.student.clone()))?;
        let rules = self.catalog.fee_rules.get();
        let regs = self.registrations.with(|r| phone_registrations(r, plans));
        Some(kaozheng_core::rules::fee_for(
            plan,
            &student,
            rules.as_deref(),
            &regs,
            clock::now(),
        ))
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
    pub fn certified(&self) -> Vec<(String, XLevel)> {
        self.results
            .with(|r| kaozheng_core::model::held_levels(r.iter().map(|(r, _)| r)))
    }
}
