//! Native stand-ins for the engine's two sides, for tests: a store with IndexedDB's one-step
//! semantics in memory (clones share it, as tabs share a database), and a server that registers
//! idempotently on `client_id`, with faults scripted per request.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use chrono::{DateTime, Duration, Utc};
use kaozheng_core::feedback::{Feedback, Ratings};
use kaozheng_core::outbox::{self, Action, LocalRegistration, LocalState, OutboxEntry};
use kaozheng_core::{
    ExamPlan, ExamResult, FeeDecision, FeeReason, Payer, Registration, RegistrationStatus, XLevel,
};

use super::{SyncStore, Transport};
use crate::api::{Answer, ApiError};
use crate::storage::StorageError;

#[derive(Debug, Default)]
struct Stored {
    registrations: Vec<LocalRegistration>,
    outbox: Vec<OutboxEntry>,
    lease: Option<(String, DateTime<Utc>)>,
    feedback: Vec<Feedback>,
    results: Vec<String>,
}

/// The phone's storage in memory. Every method is one atomic step, checked and written as the
/// IndexedDB store does it.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore(Rc<RefCell<Stored>>);

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// What is stored now (for assertions).
    pub fn snapshot(&self) -> (Vec<LocalRegistration>, Vec<OutboxEntry>) {
        let s = self.0.borrow();
        (s.registrations.clone(), s.outbox.clone())
    }

    /// The browser let go of the lease holder's tab (it was killed): the lease simply runs out.
    pub fn lease_holder(&self) -> Option<String> {
        self.0.borrow().lease.as_ref().map(|(t, _)| t.clone())
    }
}

fn exists(what: &str, key: &str) -> StorageError {
    StorageError::Other(format!("{what} {key} already stored"))
}

impl SyncStore for MemoryStore {
    async fn outbox(&self) -> Result<Vec<OutboxEntry>, StorageError> {
        let mut v = self.0.borrow().outbox.clone();
        outbox::send_order(&mut v);
        Ok(v)
    }

    async fn registrations(&self) -> Result<Vec<LocalRegistration>, StorageError> {
        let mut v = self.0.borrow().registrations.clone();
        outbox::by_age(&mut v);
        Ok(v)
    }

    async fn enqueue(
        &self,
        reg: &LocalRegistration,
        entry: &OutboxEntry,
    ) -> Result<bool, StorageError> {
        let mut s = self.0.borrow_mut();
        if s.registrations
            .iter()
            .any(|r| r.plan_id == reg.plan_id && r.state.is_live())
        {
            return Ok(false);
        }
        if s.registrations.iter().any(|r| r.client_id == reg.client_id) {
            return Err(exists("registration", &reg.client_id));
        }
        if s.outbox.iter().any(|e| e.id == entry.id) {
            return Err(exists("entry", &entry.id));
        }
        s.registrations.push(reg.clone());
        s.outbox.push(entry.clone());
        Ok(true)
    }

    async fn enqueue_cancel(
        &self,
        client_id: &str,
        entry: &OutboxEntry,
    ) -> Result<bool, StorageError> {
        let mut s = self.0.borrow_mut();
        if s.outbox.iter().any(|e| e.id == entry.id) {
            return Err(exists("entry", &entry.id));
        }
        let Some(reg) = s
            .registrations
            .iter_mut()
            .find(|r| r.client_id == client_id)
        else {
            return Ok(false);
        };
        if !matches!(reg.state, LocalState::Queued | LocalState::Confirmed) {
            return Ok(false);
        }
        reg.state = LocalState::CancelQueued;
        reg.updated_at = entry.created_at;
        s.outbox.push(entry.clone());
        Ok(true)
    }

    async fn enqueue_feedback(&self, entry: &OutboxEntry) -> Result<(), StorageError> {
        let Action::Feedback {
            certificate_id,
            level,
            ..
        } = &entry.action
        else {
            return Err(StorageError::Other("not a feedback edit".into()));
        };
        let mut s = self.0.borrow_mut();
        s.outbox.retain(|e| {
            !matches!(&e.action, Action::Feedback { certificate_id: c, level: l, .. }
                if c == certificate_id && l == level)
        });
        s.outbox.push(entry.clone());
        Ok(())
    }

    async fn settle(
        &self,
        entry_id: &str,
        updated: Option<&LocalRegistration>,
    ) -> Result<bool, StorageError> {
        let mut s = self.0.borrow_mut();
        let Some(i) = s.outbox.iter().position(|e| e.id == entry_id) else {
            return Ok(false);
        };
        s.outbox.remove(i);
        if let Some(reg) = updated {
            match s
                .registrations
                .iter_mut()
                .find(|r| r.client_id == reg.client_id)
            {
                Some(r) => *r = reg.clone(),
                None => s.registrations.push(reg.clone()),
            }
        }
        Ok(true)
    }

    async fn reschedule(&self, entry: &OutboxEntry) -> Result<bool, StorageError> {
        let mut s = self.0.borrow_mut();
        match s.outbox.iter_mut().find(|e| e.id == entry.id) {
            Some(e) => {
                *e = entry.clone();
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn merge_server(
        &self,
        server: &[Registration],
        now: DateTime<Utc>,
    ) -> Result<Vec<LocalRegistration>, StorageError> {
        let mut s = self.0.borrow_mut();
        outbox::merge_server(&mut s.registrations, server, now);
        let mut v = s.registrations.clone();
        outbox::by_age(&mut v);
        Ok(v)
    }

    async fn try_lease(
        &self,
        tab_id: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<bool, StorageError> {
        let mut s = self.0.borrow_mut();
        let free = s
            .lease
            .as_ref()
            .is_none_or(|(t, until)| t == tab_id || *until <= now);
        if free {
            s.lease = Some((tab_id.to_string(), now + ttl));
        }
        Ok(free)
    }

    async fn release_lease(&self, tab_id: &str) -> Result<bool, StorageError> {
        let mut s = self.0.borrow_mut();
        let held = s.lease.as_ref().is_some_and(|(t, _)| t == tab_id);
        if held {
            s.lease = None;
        }
        Ok(held)
    }

    async fn feedback(&self) -> Result<Vec<Feedback>, StorageError> {
        Ok(self.0.borrow().feedback.clone())
    }

    async fn save_feedback(&self, list: &[Feedback]) -> Result<(), StorageError> {
        self.0.borrow_mut().feedback = list.to_vec();
        Ok(())
    }

    async fn save_results(
        &self,
        list: &[ExamResult],
        _now: DateTime<Utc>,
    ) -> Result<Vec<String>, StorageError> {
        let mut s = self.0.borrow_mut();
        let new: Vec<String> = list
            .iter()
            .map(|r| r.registration_id.clone())
            .filter(|id| !s.results.contains(id))
            .collect();
        s.results = list.iter().map(|r| r.registration_id.clone()).collect();
        Ok(new)
    }
}

/// What the next request meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerFault {
    /// No answer and nothing done (offline, refused connection).
    Offline,
    /// The server did it, but the answer was lost on the way back.
    DropAnswer,
    /// 500: nothing done.
    ServerError,
    /// 401: the session ended.
    Unauthorized,
}

#[derive(Debug, Default)]
struct ServerState {
    /// Plans and their free seats.
    plans: Vec<(ExamPlan, u32)>,
    registrations: Vec<Registration>,
    feedback: Vec<Feedback>,
    faults: VecDeque<ServerFault>,
    /// Every fault-free request the server acted on, in order (`register c1`, `cancel r1` …).
    pub log: Vec<String>,
    next_id: u32,
    now: Option<DateTime<Utc>>,
}

/// A server holding one student's registrations: registers idempotently on `client_id`, refuses
/// a full plan (409), cancels confirmed ones, and meets each request with the next scripted fault
/// (none once the script runs out). Clones share it.
#[derive(Debug, Clone, Default)]
pub struct ScriptedServer(Rc<RefCell<ServerState>>);

impl ScriptedServer {
    pub fn new(plans: Vec<(ExamPlan, u32)>, now: DateTime<Utc>) -> Self {
        let s = ScriptedServer::default();
        s.0.borrow_mut().plans = plans;
        s.0.borrow_mut().now = Some(now);
        s
    }

    /// The next requests meet these faults, in order.
    pub fn script(&self, faults: impl IntoIterator<Item = ServerFault>) {
        self.0.borrow_mut().faults.extend(faults);
    }

    /// The network is back: faults scripted but not yet met are dropped.
    pub fn heal(&self) {
        self.0.borrow_mut().faults.clear();
    }

    pub fn registrations(&self) -> Vec<Registration> {
        self.0.borrow().registrations.clone()
    }

    pub fn log(&self) -> Vec<String> {
        self.0.borrow().log.clone()
    }

    fn fault(&self) -> Option<ServerFault> {
        self.0.borrow_mut().faults.pop_front()
    }

    fn answer(status: u16, body: String) -> Result<Answer, ApiError> {
        Ok(Answer { status, body })
    }

    /// The request's effect when it is carried out, then what reaches the phone.
    fn act(
        &self,
        effect: impl FnOnce(&mut ServerState) -> (u16, String),
    ) -> Result<Answer, ApiError> {
        match self.fault() {
            Some(ServerFault::Offline) => Err(ApiError::Network("offline".into())),
            Some(ServerFault::ServerError) => Self::answer(500, String::new()),
            Some(ServerFault::Unauthorized) => Self::answer(401, String::new()),
            Some(ServerFault::DropAnswer) => {
                effect(&mut self.0.borrow_mut());
                Err(ApiError::Network("answer lost".into()))
            }
            None => {
                let (status, body) = effect(&mut self.0.borrow_mut());
                Self::answer(status, body)
            }
        }
    }

    fn read<T>(&self, f: impl FnOnce(&ServerState) -> T) -> Result<T, ApiError> {
        match self.fault() {
            Some(ServerFault::Unauthorized) => Err(ApiError::Status {
                status: 401,
                code: String::new(),
            }),
            Some(ServerFault::ServerError) => Err(ApiError::Status {
                status: 500,
                code: String::new(),
            }),
            Some(_) => Err(ApiError::Network("offline".into())),
            None => Ok(f(&self.0.borrow())),
        }
    }
}

fn refusal(code: &str) -> String {
    format!(
        r#"{{"error":{{"code":"{code}","message":"refused","message_zh":"拒绝","refusals":[{{"code":"{code}"}}]}}}}"#
    )
}

impl Transport for ScriptedServer {
    async fn register(
        &self,
        _token: &str,
        client_id: &str,
        plan_id: &str,
    ) -> Result<Answer, ApiError> {
        self.act(|s| {
            s.log.push(format!("register {client_id}"));
            if let Some(r) = s.registrations.iter().find(|r| r.client_id == client_id) {
                return (200, serde_json::to_string(r).unwrap());
            }
            let now = s.now.unwrap_or_default();
            let Some((plan, seats)) = s.plans.iter_mut().find(|(p, _)| p.id == plan_id) else {
                return (404, refusal("plan_not_found"));
            };
            if *seats == 0 {
                return (409, refusal("full"));
            }
            *seats -= 1;
            s.next_id += 1;
            let r = Registration {
                id: format!("reg-{}", s.next_id),
                client_id: client_id.to_string(),
                plan_id: plan.id.clone(),
                certificate_id: plan.certificate_id.clone(),
                level: plan.level,
                status: RegistrationStatus::Confirmed,
                ticket_no: format!("{:015}", s.next_id),
                ticket_check: String::new(),
                fee: FeeDecision {
                    fee_fen: plan.fee_fen,
                    student_pays_fen: plan.fee_fen,
                    payer: Payer::Student,
                    reason: FeeReason::Standard,
                    policy: None,
                },
                exam_starts_at: plan.exam_starts_at,
                exam_ends_at: plan.exam_ends_at,
                created_at: now,
                cancelled_at: None,
                fee_paid_at: None,
            };
            s.registrations.push(r.clone());
            (201, serde_json::to_string(&r).unwrap())
        })
    }

    async fn cancel(&self, _token: &str, registration_id: &str) -> Result<Answer, ApiError> {
        self.act(|s| {
            s.log.push(format!("cancel {registration_id}"));
            let now = s.now.unwrap_or_default();
            let Some(i) = s.registrations.iter().position(|r| r.id == registration_id) else {
                return (404, refusal("registration_not_found"));
            };
            if s.registrations[i].status == RegistrationStatus::Confirmed {
                s.registrations[i].status = RegistrationStatus::Cancelled;
                s.registrations[i].cancelled_at = Some(now);
                let plan = s.registrations[i].plan_id.clone();
                if let Some((_, seats)) = s.plans.iter_mut().find(|(p, _)| p.id == plan) {
                    *seats += 1;
                }
            }
            (200, serde_json::to_string(&s.registrations[i]).unwrap())
        })
    }

    async fn put_feedback(
        &self,
        _token: &str,
        client_id: &str,
        certificate_id: &str,
        level: XLevel,
        ratings: &Ratings,
        comment: Option<&str>,
    ) -> Result<Answer, ApiError> {
        self.act(|s| {
            s.log.push(format!("feedback {client_id}"));
            let f = Feedback {
                certificate_id: certificate_id.to_string(),
                level,
                ratings: *ratings,
                comment: comment.map(str::to_string),
                updated_at: s.now.unwrap_or_default(),
            };
            kaozheng_core::feedback::upsert(&mut s.feedback, f.clone());
            (200, serde_json::to_string(&f).unwrap())
        })
    }

    async fn registrations(&self, _token: &str) -> Result<Vec<Registration>, ApiError> {
        self.read(|s| s.registrations.clone())
    }

    async fn results(&self, _token: &str) -> Result<Vec<ExamResult>, ApiError> {
        self.read(|_| Vec::new())
    }

    async fn my_feedback(&self, _token: &str) -> Result<Vec<Feedback>, ApiError> {
        self.read(|s| s.feedback.clone())
    }
}
