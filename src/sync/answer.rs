//! What an answer means: for the registration it is about, and for when to look again.

use chrono::{DateTime, Duration, Utc};
use kaozheng_core::Registration;
use kaozheng_core::outbox::{Action, LocalRegistration, LocalState, OutboxEntry};
use kaozheng_core::rules::Refusal;

use crate::api;

/// What a definite answer to `action` means for the registration it is about.
pub fn apply_answer(
    local: &mut LocalRegistration,
    action: &Action,
    done: bool,
    body: &str,
    now: DateTime<Utc>,
) {
    let server: Option<Registration> = if done {
        kaozheng_core::objects::from_str(body).ok()
    } else {
        None
    };
    match (action, done) {
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
        (Action::Feedback { .. }, _) => {}
    }
}

/// When the next backed-off entry is due: `None` when nothing waits. An entry due now was not
/// sent (another tab holds the lease, or the session needs signing in again): look again
/// shortly rather than waiting for the next event.
pub fn next_wake(outbox: &[OutboxEntry], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    outbox
        .iter()
        .map(|e| match e.next_attempt_at {
            Some(t) if t > now => t,
            _ => now + Duration::seconds(3),
        })
        .min()
}
