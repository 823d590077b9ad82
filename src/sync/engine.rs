//! One sync pass: take the lease, send due entries in order and settle each with its answer, give
//! the lease back, then pull the server's records. And the local writes that queue changes.

use chrono::{DateTime, Duration, Utc};
use futures_util::future::join3;
use kaozheng_core::ExamResult;
use kaozheng_core::feedback::{self, Feedback};
use kaozheng_core::outbox::{self, Action, LocalRegistration, OutboxEntry, Outcome};

use super::answer::apply_answer;
use super::{SyncStore, Transport};
use crate::api::{Answer, ApiError};
use crate::storage::StorageError;

/// How long one tab may hold the right to send the outbox before another may take over: longer
/// than one request's timeout, so a live sender renews it before it runs out.
pub const LEASE_SECONDS: i64 = 15;

/// The outbox engine over a store and a transport, for one tab.
pub struct Engine<S, T> {
    pub store: S,
    pub transport: T,
    pub tab_id: String,
}

/// What one pass needs from the outside: the session's token (none when signed out or expired),
/// whether the student asked (send everything now, waiting or not), the clock, the retry jitter
/// and who to tell which entry is being sent.
pub struct Pass<'a> {
    pub token: Option<&'a str>,
    pub manual: bool,
    /// Results were synced on this phone before, so new ones are news.
    pub results_known: bool,
    pub now: &'a dyn Fn() -> DateTime<Utc>,
    pub jitter: &'a dyn Fn() -> f64,
    pub sending: &'a dyn Fn(Option<&str>),
}

/// What a pass changed, for the account state to apply.
#[derive(Debug, Default)]
pub struct Report {
    /// The server said the session ended: the student must sign in again; entries wait.
    pub expired: bool,
    /// Storage failures met on the way (each shown, none swallowed).
    pub storage_errors: Vec<StorageError>,
    /// `Some(None)`: the student's records were pulled; `Some(Some(e))`: they could not be.
    pub problem: Option<Option<ApiError>>,
    /// The server refused a rating: its error body, for the form to explain.
    pub feedback_problem: Option<String>,
    /// The registrations and the waiting entries after the pass (`None`: unchanged or unread).
    pub registrations: Option<Vec<LocalRegistration>>,
    pub outbox: Option<Vec<OutboxEntry>>,
    pub feedback: Option<Vec<Feedback>>,
    /// Results stored by this pass; `new_results` those never seen before on a phone that
    /// had synced results already.
    pub results_saved: bool,
    pub new_results: Vec<ExamResult>,
    /// Entries settled by this pass (their answer came back and was stored).
    pub settled: Vec<String>,
}

impl Report {
    fn storage(&mut self, e: StorageError) {
        self.storage_errors.push(e);
    }
}

/// How a flush ended.
enum Flushed {
    /// Every due entry was tried (or none was due).
    Done,
    /// The network or the server failed: later entries would fail the same way.
    Stopped,
    /// The session ended.
    Expired,
}

impl<S: SyncStore, T: Transport> Engine<S, T> {
    pub fn new(store: S, transport: T, tab_id: impl Into<String>) -> Self {
        Engine {
            store,
            transport,
            tab_id: tab_id.into(),
        }
    }

    /// One pass: send what is due (everything when `manual`) while holding the lease, then pull.
    pub async fn sync(&self, pass: &Pass<'_>) -> Report {
        let mut report = Report::default();
        let now = (pass.now)();
        match self
            .store
            .try_lease(&self.tab_id, now, Duration::seconds(LEASE_SECONDS))
            .await
        {
            Ok(true) => {
                let flushed = self.flush(pass, &mut report).await;
                if let Err(e) = self.store.release_lease(&self.tab_id).await {
                    report.storage(e);
                }
                if let Flushed::Expired = flushed {
                    report.expired = true;
                }
            }
            // Another tab sends; this one only pulls.
            Ok(false) => {}
            Err(e) => report.storage(e),
        }
        if !report.expired {
            self.pull(pass, &mut report).await;
        }
        match self.store.outbox().await {
            Ok(o) => report.outbox = Some(o),
            Err(e) => report.storage(e),
        }
        if report.registrations.is_none() {
            match self.store.registrations().await {
                Ok(r) => report.registrations = Some(r),
                Err(e) => report.storage(e),
            }
        }
        report
    }

    async fn flush(&self, pass: &Pass<'_>, report: &mut Report) -> Flushed {
        let entries = match self.store.outbox().await {
            Ok(e) => e,
            Err(e) => {
                report.storage(e);
                return Flushed::Done;
            }
        };
        let mut regs = match self.store.registrations().await {
            Ok(r) => r,
            Err(e) => {
                report.storage(e);
                return Flushed::Done;
            }
        };
        // Registrations whose register entry waits (backing off): their cancels wait too, or a
        // cancel could settle locally while the registration still reaches the server after it.
        let mut waiting: Vec<String> = Vec::new();
        for mut entry in entries {
            let blocked = matches!(&entry.action, Action::Cancel { client_id, .. } if waiting.contains(client_id));
            if blocked || (!pass.manual && !entry.is_due((pass.now)())) {
                if let Action::Register { .. } = entry.action {
                    waiting.push(entry.id.clone());
                }
                continue;
            }
            let Some(token) = pass.token else {
                return Flushed::Done;
            };
            (pass.sending)(Some(&entry.id));
            let answer = self.send(&entry, token, &regs).await;
            (pass.sending)(None);
            let (status, body) = match answer {
                Ok(a) => (Some(a.status), a.body),
                // An error status from a look-up before the request (a late cancel) is its answer,
                // its code kept as the body would have carried it.
                Err(ApiError::Status { status, code }) => (
                    Some(status),
                    serde_json::json!({ "error": { "code": code } }).to_string(),
                ),
                Err(e) => (None, e.to_string()),
            };
            match outbox::classify(status) {
                Outcome::Done | Outcome::Rejected => {
                    let done = status.is_some_and(|s| (200..300).contains(&s));
                    match self
                        .settle(&entry, done, &body, &mut regs, pass, report)
                        .await
                    {
                        Ok(()) => {}
                        Err(e) => {
                            report.storage(e);
                            return Flushed::Stopped;
                        }
                    }
                }
                Outcome::NeedsSignIn => return Flushed::Expired,
                Outcome::Retry => {
                    let why = status.map_or(body, |s| format!("HTTP {s}"));
                    entry.failed((pass.now)(), why, (pass.jitter)());
                    if let Err(e) = self.store.reschedule(&entry).await {
                        report.storage(e);
                    }
                    return Flushed::Stopped;
                }
            }
        }
        report.registrations = Some(regs);
        Flushed::Done
    }

    async fn send(
        &self,
        entry: &OutboxEntry,
        token: &str,
        regs: &[LocalRegistration],
    ) -> Result<Answer, ApiError> {
        match &entry.action {
            Action::Register { plan_id } => {
                self.transport.register(token, &entry.id, plan_id).await
            }
            Action::Cancel {
                client_id,
                registration_id,
            } if registration_id.is_empty() => self.late_cancel(client_id, token, regs).await,
            Action::Cancel {
                registration_id, ..
            } => self.transport.cancel(token, registration_id).await,
            Action::Feedback {
                certificate_id,
                level,
                ratings,
                comment,
            } => {
                self.transport
                    .put_feedback(
                        token,
                        &entry.id,
                        certificate_id,
                        *level,
                        ratings,
                        comment.as_deref(),
                    )
                    .await
            }
        }
    }

    /// A cancel queued before its registration was confirmed. Its register entry has been
    /// answered by now (a cancel never overtakes it), but that answer may have been lost, or
    /// settled by another tab: only the server knows whether the registration exists, so it is
    /// asked when the phone does not know the server's id. A confirmed one is cancelled; one the
    /// server does not hold needs nothing more.
    async fn late_cancel(
        &self,
        client_id: &str,
        token: &str,
        regs: &[LocalRegistration],
    ) -> Result<Answer, ApiError> {
        let known = regs
            .iter()
            .find(|r| r.client_id == client_id)
            .and_then(|r| r.registration.as_ref().map(|s| s.id.clone()));
        let server_id = match known {
            Some(id) => Some(id),
            None => self
                .transport
                .registrations(token)
                .await?
                .into_iter()
                .find(|r| r.client_id == client_id && r.is_confirmed())
                .map(|r| r.id),
        };
        match server_id {
            Some(id) => self.transport.cancel(token, &id).await,
            None => Ok(Answer {
                status: 200,
                body: String::new(),
            }),
        }
    }

    /// A definite answer: the registration takes the server's record (or its refusal), and the
    /// entry goes, in one step. Later entries of this flush see the new state in `regs`.
    async fn settle(
        &self,
        entry: &OutboxEntry,
        done: bool,
        body: &str,
        regs: &mut [LocalRegistration],
        pass: &Pass<'_>,
        report: &mut Report,
    ) -> Result<(), StorageError> {
        let now = (pass.now)();
        let client_id = match &entry.action {
            Action::Register { .. } => entry.id.clone(),
            Action::Cancel { client_id, .. } => client_id.clone(),
            Action::Feedback { .. } => {
                return self.settle_feedback(entry, done, body, report).await;
            }
        };
        let Some(i) = regs.iter().position(|r| r.client_id == client_id) else {
            if self.store.settle(&entry.id, None).await? {
                report.settled.push(entry.id.clone());
            }
            return Ok(());
        };
        let mut local = regs[i].clone();
        apply_answer(&mut local, &entry.action, done, body, now);
        if !self.store.settle(&entry.id, Some(&local)).await? {
            // Another tab settled this entry first; its result is already stored.
            return Ok(());
        }
        report.settled.push(entry.id.clone());
        regs[i] = local;
        Ok(())
    }

    /// A rating was answered: stored on the server (keep its record) or refused (say why).
    async fn settle_feedback(
        &self,
        entry: &OutboxEntry,
        done: bool,
        body: &str,
        report: &mut Report,
    ) -> Result<(), StorageError> {
        if done {
            if let Ok(saved) = kaozheng_core::objects::from_str::<Feedback>(body) {
                let mut list = match report.feedback.take() {
                    Some(l) => l,
                    None => self.store.feedback().await?,
                };
                feedback::upsert(&mut list, saved);
                self.store.save_feedback(&list).await?;
                report.feedback = Some(list);
            }
        } else {
            report.feedback_problem = Some(body.to_string());
        }
        if self.store.settle(&entry.id, None).await? {
            report.settled.push(entry.id.clone());
        }
        Ok(())
    }

    /// Pulls the student's registrations, ratings and results, asked for together: on a weak
    /// network each request is a round trip, and nothing of the pass is on screen until it ends.
    async fn pull(&self, pass: &Pass<'_>, report: &mut Report) {
        let Some(token) = pass.token else {
            return;
        };
        let (registrations, feedback, results) = join3(
            self.transport.registrations(token),
            self.transport.my_feedback(token),
            self.transport.results(token),
        )
        .await;
        match registrations {
            Ok(list) => match self.store.merge_server(&list, (pass.now)()).await {
                Ok(regs) => {
                    report.registrations = Some(regs);
                    report.problem = Some(None);
                }
                Err(e) => report.storage(e),
            },
            Err(ApiError::Status { status: 401, .. }) => {
                report.expired = true;
                return;
            }
            Err(e) => {
                report.problem = Some(Some(e));
                return;
            }
        }
        match feedback {
            Ok(list) => match self.store.save_feedback(&list).await {
                Ok(()) => report.feedback = Some(list),
                Err(e) => report.storage(e),
            },
            Err(e) => report.problem = Some(Some(e)),
        }
        match results {
            Ok(list) => match self.store.save_results(&list, (pass.now)()).await {
                Ok(new_ids) => {
                    report.results_saved = true;
                    // The first sync on a phone brings every old result: news would be noise.
                    if pass.results_known {
                        report.new_results = list
                            .into_iter()
                            .filter(|r| new_ids.contains(&r.registration_id))
                            .collect();
                    }
                }
                Err(e) => report.storage(e),
            },
            Err(e) => report.problem = Some(Some(e)),
        }
    }
}
