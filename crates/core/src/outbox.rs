//! The outbox: changes a student made (register, cancel, rate a certificate) waiting to reach the
//! server.
//!
//! The app writes an entry in the same IndexedDB transaction as the change it carries, then sends
//! entries whenever it can. This module is the pure part: what an attempt's answer means, when to try
//! again, and what the student sees. The entry id is the idempotency key the server deduplicates on,
//! so sending an entry twice (a lost answer, two tabs) can never register twice.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::feedback::Ratings;
use crate::model::{FeeDecision, Registration, XLevel};
use crate::order;
use crate::rules::Refusal;
use crate::tagged::{need, unknown};
use crate::time::cst;

/// First retry delay; doubles per failed attempt up to [`MAX_DELAY_SECONDS`].
pub const BASE_DELAY_SECONDS: i64 = 2;
pub const MAX_DELAY_SECONDS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "ActionWire")]
pub enum Action {
    /// `POST /registrations {client_id: entry.id, plan_id}`.
    Register { plan_id: String },
    /// `DELETE /registrations/{registration_id}`; `client_id` names the local registration.
    Cancel {
        client_id: String,
        registration_id: String,
    },
    /// `PUT /feedback/{certificate_id}/{level} {client_id: entry.id, ratings, comment}`: the
    /// student's feedback on a certificate level, replacing their earlier one.
    Feedback {
        certificate_id: String,
        level: XLevel,
        ratings: Ratings,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
}

/// [`Action`] as JSON, read flat (see `crate::tagged`).
#[derive(Deserialize)]
struct ActionWire {
    kind: String,
    plan_id: Option<String>,
    client_id: Option<String>,
    registration_id: Option<String>,
    certificate_id: Option<String>,
    level: Option<XLevel>,
    ratings: Option<Ratings>,
    comment: Option<String>,
}

impl TryFrom<ActionWire> for Action {
    type Error = String;

    fn try_from(w: ActionWire) -> Result<Action, String> {
        Ok(match w.kind.as_str() {
            "register" => Action::Register {
                plan_id: need(w.plan_id, "plan_id")?,
            },
            "cancel" => Action::Cancel {
                client_id: need(w.client_id, "client_id")?,
                registration_id: need(w.registration_id, "registration_id")?,
            },
            "feedback" => Action::Feedback {
                certificate_id: need(w.certificate_id, "certificate_id")?,
                level: need(w.level, "level")?,
                ratings: need(w.ratings, "ratings")?,
                comment: w.comment,
            },
            other => return Err(unknown(other, &["register", "cancel", "feedback"])),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// A UUID made when the student confirmed; for `Register` it is the registration's `client_id`.
    pub id: String,
    pub action: Action,
    #[serde(default)]
    pub attempts: u32,
    #[serde(with = "cst")]
    pub created_at: DateTime<Utc>,
    /// Not before this time (backoff); `None` means now.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "cst::option")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last transient failure: `HTTP <status>` when the server answered, else the network
    /// failure (for diagnosis). The app words it from the status, never shows it as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// What one attempt's answer means for the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx: done; the answer is the server's record.
    Done,
    /// A definite "no" that will not change by retrying (409, 422, 403, 404, 400): the change is
    /// rejected and shown with the server's reason.
    Rejected,
    /// 401: the session ended. Keep the entry; send it after the student signs in again.
    NeedsSignIn,
    /// Network failure, timeout, 5xx, 429: try again later.
    Retry,
}

/// Classifies an HTTP status; `None` is a failure before any answer (offline, timeout, reset).
pub fn classify(status: Option<u16>) -> Outcome {
    match status {
        None => Outcome::Retry,
        Some(200..=299) => Outcome::Done,
        Some(401) => Outcome::NeedsSignIn,
        Some(408 | 425 | 429) => Outcome::Retry,
        Some(400..=499) => Outcome::Rejected,
        Some(_) => Outcome::Retry,
    }
}

/// Delay before attempt `attempts + 1`: 2 s, 4 s, 8 s … capped at 5 minutes. `jitter` in `[0, 1)`
/// spreads retries of many phones so a recovering server is not hit all at once (up to +50 %).
pub fn backoff(attempts: u32, jitter: f64) -> Duration {
    let base = BASE_DELAY_SECONDS
        .saturating_mul(1i64 << attempts.min(20))
        .min(MAX_DELAY_SECONDS);
    let extra = (base as f64 * 0.5 * jitter.clamp(0.0, 1.0)) as i64;
    Duration::seconds(base + extra)
}

impl OutboxEntry {
    pub fn new(id: String, action: Action, now: DateTime<Utc>) -> Self {
        OutboxEntry {
            id,
            action,
            attempts: 0,
            created_at: now,
            next_attempt_at: None,
            last_error: None,
        }
    }

    /// Whether to send it at `now`. A manual "retry now" ignores this.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.next_attempt_at.is_none_or(|t| t <= now)
    }

    /// Records a transient failure and schedules the next attempt.
    pub fn failed(&mut self, now: DateTime<Utc>, error: String, jitter: f64) {
        self.next_attempt_at = Some(now + backoff(self.attempts, jitter));
        self.attempts += 1;
        self.last_error = Some(error);
    }
}

/// Where a student's registration stands on the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocalState {
    /// Saved on the phone, waiting to be sent.
    Queued,
    /// Confirmed by the server; the registration carries the ticket number.
    Confirmed,
    /// Refused by the server; `refusals` says why.
    Rejected,
    /// A cancel is waiting to be sent.
    CancelQueued,
    Cancelled,
}

impl LocalState {
    pub fn as_str(self) -> &'static str {
        match self {
            LocalState::Queued => "queued",
            LocalState::Confirmed => "confirmed",
            LocalState::Rejected => "rejected",
            LocalState::CancelQueued => "cancel_queued",
            LocalState::Cancelled => "cancelled",
        }
    }

    /// Still holds (or may hold) a seat: blocks registering the same plan again on this phone.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            LocalState::Queued | LocalState::Confirmed | LocalState::CancelQueued
        )
    }
}

/// A registration as the phone knows it: what the student asked for, and what the server said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalRegistration {
    /// The idempotency key sent to the server (the outbox entry id of the `Register`).
    pub client_id: String,
    pub plan_id: String,
    pub certificate_id: String,
    pub level: XLevel,
    pub state: LocalState,
    /// The server's record once confirmed (ticket number, fee decided by the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<Registration>,
    /// Why the server refused it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refusals: Vec<Refusal>,
    /// The server's error code when it refused without a structured reason (or refused a
    /// cancel). Records from before codes hold the server's text here instead: the app words any
    /// code it does not know as a general refusal.
    #[serde(
        default,
        alias = "refusal_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub refusal_code: Option<String>,
    /// The fee as computed on the phone when the student confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_preview: Option<FeeDecision>,
    #[serde(with = "cst")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "cst")]
    pub updated_at: DateTime<Utc>,
}

impl LocalRegistration {
    /// A new registration request, queued.
    pub fn queued(
        client_id: String,
        plan: &crate::model::ExamPlan,
        fee_preview: Option<FeeDecision>,
        now: DateTime<Utc>,
    ) -> Self {
        LocalRegistration {
            client_id,
            plan_id: plan.id.clone(),
            certificate_id: plan.certificate_id.clone(),
            level: plan.level,
            state: LocalState::Queued,
            registration: None,
            refusals: Vec::new(),
            refusal_code: None,
            fee_preview,
            created_at: now,
            updated_at: now,
        }
    }

    /// The server's record arrived (a 200/201 to the register request, or a later list sync).
    pub fn confirm(&mut self, r: Registration, now: DateTime<Utc>) {
        self.state = match r.status {
            crate::model::RegistrationStatus::Confirmed
                if self.state == LocalState::CancelQueued =>
            {
                LocalState::CancelQueued
            }
            crate::model::RegistrationStatus::Confirmed => LocalState::Confirmed,
            crate::model::RegistrationStatus::Cancelled => LocalState::Cancelled,
        };
        self.registration = Some(r);
        self.updated_at = now;
    }

    /// The server refused the request for good, with its reasons and error code.
    pub fn reject(&mut self, refusals: Vec<Refusal>, code: Option<String>, now: DateTime<Utc>) {
        self.state = LocalState::Rejected;
        self.refusals = refusals;
        self.refusal_code = code;
        self.updated_at = now;
    }
}

impl LocalRegistration {
    /// A registration the phone did not know, as the server has it (made on another device, or
    /// stored here in a record that no longer decodes).
    pub fn from_server(r: &Registration, now: DateTime<Utc>) -> Self {
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
}

/// The registrations the phone believes in, as core records for the eligibility and fee rules: the
/// server's record where there is one, else the queued request shaped like one (so a queued
/// registration already blocks a duplicate or a clash, and a queued funded exam counts as used).
pub fn phone_registrations(
    locals: &[LocalRegistration],
    plans: &[crate::model::ExamPlan],
) -> Vec<Registration> {
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
                status: crate::model::RegistrationStatus::Confirmed,
                ticket_no: String::new(),
                ticket_check: String::new(),
                fee: l.fee_preview.clone().unwrap_or(FeeDecision {
                    fee_fen: plan.fee_fen,
                    student_pays_fen: plan.fee_fen,
                    payer: crate::model::Payer::Student,
                    reason: crate::model::FeeReason::Standard,
                    policy: None,
                }),
                exam_starts_at: plan.exam_starts_at,
                exam_ends_at: plan.exam_ends_at,
                created_at: l.created_at,
                cancelled_at: None,
                fee_paid_at: None,
            })
        })
        .collect()
}

/// Reconciles the server's list of the student's registrations with the phone's, in place, and
/// returns which records changed (by position; new ones are appended).
///
/// The server is authoritative for what it lists; the phone for what it has not sent yet:
/// - a server registration with the `client_id` of a local one updates it through
///   [`LocalRegistration::confirm`] (a local `CancelQueued` stays so while the server still says
///   confirmed: the cancel has not reached it yet);
/// - a server registration unknown here is added as `Confirmed` or `Cancelled`;
/// - a local `Queued` the server does not list stays queued (not sent, or its answer is lost);
/// - a local `Confirmed` the server no longer lists is marked `Cancelled` (cancelled elsewhere);
/// - anything else is left as it is; the outbox settles a queued cancel.
pub fn merge_server(
    local: &mut Vec<LocalRegistration>,
    server: &[Registration],
    now: DateTime<Utc>,
) -> Vec<bool> {
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
                local.push(LocalRegistration::from_server(r, now));
                changed.push(true);
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
    changed
}

/// Oldest first, as the phone lists them.
pub fn by_age(regs: &mut [LocalRegistration]) {
    order::sort_by(regs, |a, b| {
        (a.created_at, &a.client_id).cmp(&(b.created_at, &b.client_id))
    });
}

/// Sending order: oldest first, so a cancel never overtakes the registration it cancels.
pub fn send_order(entries: &mut [OutboxEntry]) {
    order::sort_by(entries, |a, b| {
        (a.created_at, &a.id).cmp(&(b.created_at, &b.id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap()
    }

    #[test]
    fn answers_are_classified_for_retry_or_rejection() {
        assert_eq!(classify(None), Outcome::Retry);
        for s in [200, 201] {
            assert_eq!(classify(Some(s)), Outcome::Done);
        }
        for s in [400, 403, 404, 409, 422] {
            assert_eq!(classify(Some(s)), Outcome::Rejected, "{s}");
        }
        assert_eq!(classify(Some(401)), Outcome::NeedsSignIn);
        for s in [408, 429, 500, 502, 503, 504] {
            assert_eq!(classify(Some(s)), Outcome::Retry, "{s}");
        }
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let secs: Vec<i64> = (0..10).map(|a| backoff(a, 0.0).num_seconds()).collect();
        assert_eq!(secs, vec![2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(backoff(2, 0.999).num_seconds(), 11);
        assert_eq!(backoff(u32::MAX, 1.0).num_seconds(), 450);
    }

    #[test]
    fn a_failed_entry_waits_then_is_due() {
        let mut e = OutboxEntry::new(
            "u1".into(),
            Action::Register {
                plan_id: "p".into(),
            },
            now(),
        );
        assert!(e.is_due(now()));
        e.failed(now(), "offline".into(), 0.0);
        assert_eq!(e.attempts, 1);
        assert!(!e.is_due(now() + Duration::seconds(1)));
        assert!(e.is_due(now() + Duration::seconds(2)));
        e.failed(now(), "HTTP 503".into(), 0.0);
        assert_eq!(e.next_attempt_at, Some(now() + Duration::seconds(4)));
        assert_eq!(e.last_error.as_deref(), Some("HTTP 503"));
    }

    #[test]
    fn local_registrations_move_through_their_states() {
        use crate::model::{FeeReason, Payer, PlanPhase, RegistrationStatus};
        let plan = crate::model::ExamPlan {
            id: "p1".into(),
            name: "n".into(),
            certificate_id: "c1".into(),
            level: XLevel::Primary,
            province: "天津".into(),
            site_id: "s".into(),
            phase: PlanPhase::Published,
            window_opens_at: now(),
            window_closes_at: now() + Duration::days(5),
            exam_starts_at: now() + Duration::days(10),
            exam_ends_at: now() + Duration::days(10) + Duration::hours(2),
            capacity: 10,
            seats_left: 3,
            fee_fen: 100,
            payment: None,
        };
        let mut l = LocalRegistration::queued("u1".into(), &plan, None, now());
        assert_eq!(l.state, LocalState::Queued);
        assert!(l.state.is_live());
        let server = Registration {
            id: "r1".into(),
            client_id: "u1".into(),
            plan_id: "p1".into(),
            certificate_id: "c1".into(),
            level: XLevel::Primary,
            status: RegistrationStatus::Confirmed,
            ticket_no: "2026000100001".into(),
            ticket_check: String::new(),
            fee: FeeDecision {
                fee_fen: 100,
                student_pays_fen: 0,
                payer: Payer::School,
                reason: FeeReason::PilotExamCovered,
                policy: None,
            },
            exam_starts_at: plan.exam_starts_at,
            exam_ends_at: plan.exam_ends_at,
            created_at: now(),
            cancelled_at: None,
            fee_paid_at: None,
        };
        l.confirm(server.clone(), now());
        assert_eq!(l.state, LocalState::Confirmed);
        // A cancel queued offline stays queued when a sync re-confirms the registration.
        l.state = LocalState::CancelQueued;
        l.confirm(server.clone(), now());
        assert_eq!(l.state, LocalState::CancelQueued);
        let cancelled = Registration {
            status: RegistrationStatus::Cancelled,
            ..server
        };
        l.confirm(cancelled, now());
        assert_eq!(l.state, LocalState::Cancelled);
        assert!(!l.state.is_live());
        let mut r = LocalRegistration::queued("u2".into(), &plan, None, now());
        r.reject(vec![Refusal::Full], None, now());
        assert_eq!((r.state, r.refusals.len()), (LocalState::Rejected, 1));
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<LocalRegistration>(&json).unwrap(), r);
        // A record stored before codes keeps what the server said, read as an (unknown) code.
        r.reject(Vec::new(), Some("plan_not_found".into()), now());
        let old = serde_json::to_string(&r)
            .unwrap()
            .replace("refusal_code", "refusal_text");
        let read = serde_json::from_str::<LocalRegistration>(&old).unwrap();
        assert_eq!(read.refusal_code.as_deref(), Some("plan_not_found"));
    }

    #[test]
    fn older_entries_go_first_and_json_is_stable() {
        let a = OutboxEntry::new(
            "b".into(),
            Action::Register {
                plan_id: "p".into(),
            },
            now(),
        );
        let c = OutboxEntry::new(
            "a".into(),
            Action::Cancel {
                client_id: "b".into(),
                registration_id: "r1".into(),
            },
            now() + Duration::seconds(5),
        );
        let mut v = vec![c.clone(), a.clone()];
        send_order(&mut v);
        assert_eq!(v, vec![a.clone(), c]);
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["action"]["kind"], "register");
        assert_eq!(serde_json::from_value::<OutboxEntry>(json).unwrap(), a);
    }

    #[test]
    fn feedback_entries_round_trip_and_keep_their_place_in_line() {
        let rate = OutboxEntry::new(
            "f1".into(),
            Action::Feedback {
                certificate_id: "bim".into(),
                level: XLevel::Primary,
                ratings: Ratings {
                    content_quality: 4,
                    social_recognition: 5,
                    learning_effect: 3,
                },
                comment: None,
            },
            now() + Duration::seconds(1),
        );
        let json = serde_json::to_value(&rate).unwrap();
        assert_eq!(json["action"]["kind"], "feedback");
        assert_eq!(json["action"]["ratings"]["social_recognition"], 5);
        assert!(json["action"].get("comment").is_none());
        assert_eq!(serde_json::from_value::<OutboxEntry>(json).unwrap(), rate);
        let reg = OutboxEntry::new(
            "r1".into(),
            Action::Register {
                plan_id: "p".into(),
            },
            now(),
        );
        let mut v = vec![rate.clone(), reg.clone()];
        send_order(&mut v);
        assert_eq!(v, vec![reg, rate]);
    }
}
