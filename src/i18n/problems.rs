//! Which message a failure is shown with. Failures arrive as what happened (an API error with the
//! server's code, a storage error, a feedback error) and are worded only here, from the table: the
//! student reads the chosen language and what to do next, never an error's own text ("network
//! unreachable: TypeError: Failed to fetch", "the server answered 401: …").

use super::Texts;
use crate::api::ApiError;
use crate::problem::Problem;
use crate::storage::StorageError;

/// Any failure the student is told about.
pub fn problem(t: &'static Texts, p: &Problem) -> String {
    match p {
        Problem::Api(e) => api_error(t, e).into(),
        Problem::Storage(e) => storage_error(t, e).into(),
        Problem::Feedback(e) => (t.feedback_error)(e),
        Problem::Refused(code) => refused(t, code).into(),
    }
}

pub fn api_error(t: &'static Texts, e: &ApiError) -> &'static str {
    match e {
        ApiError::Network(_) => t.err_offline,
        ApiError::Status { status, code, .. } => {
            by_code(t, code).unwrap_or_else(|| by_status(t, *status))
        }
        ApiError::Invalid(_) => t.err_bad_answer,
    }
}

/// A change the server refused for good, by its error code. Unknown codes (a newer server's, or
/// the server's text that records from before codes hold) are worded as a general refusal.
pub fn refused(t: &'static Texts, code: &str) -> &'static str {
    by_code(t, code).unwrap_or(t.err_refused)
}

/// Why an outbox entry waits to be sent again, from what it recorded: `HTTP <status>` when the
/// server answered, anything else when it could not be reached.
pub fn retry_reason(t: &'static Texts, last_error: &str) -> &'static str {
    match last_error
        .strip_prefix("HTTP ")
        .and_then(|s| s.trim().parse::<u16>().ok())
    {
        Some(status) => by_status(t, status),
        None => t.err_offline,
    }
}

pub fn storage_error(t: &'static Texts, e: &StorageError) -> &'static str {
    match e {
        StorageError::Blocked => t.storage_blocked,
        StorageError::VersionChanged => t.storage_version_changed,
        StorageError::Closed => t.storage_closed,
        StorageError::QuotaExceeded => t.storage_quota,
        StorageError::NotAvailable(_) => t.storage_unavailable,
        StorageError::Corrupt { .. } => t.storage_corrupt,
        StorageError::Other(_) => t.storage_other,
    }
}

/// The server's error codes (see its OpenAPI document) that call for their own words.
fn by_code(t: &'static Texts, code: &str) -> Option<&'static str> {
    Some(match code {
        "invalid_credentials" => t.err_wrong_password,
        "too_many_attempts" => t.err_too_many,
        "unauthorized" | "session_expired" | "invalid_assertion" | "assertion_replayed" => {
            t.err_sign_in_again
        }
        "plan_not_found" => t.err_plan_gone,
        "registration_not_found" => t.err_registration_gone,
        "plan_not_open" | "window_not_open" | "window_closed" => t.err_window,
        "no_published_result" => t.err_not_rateable,
        "rating_out_of_range" | "comment_too_long" | "comment_invalid" => t.err_feedback_invalid,
        "internal" | "unavailable" => t.err_server,
        // The app's own: a success answer it could not read.
        "invalid_answer" => t.err_bad_answer,
        _ => return None,
    })
}

fn by_status(t: &'static Texts, status: u16) -> &'static str {
    match status {
        401 => t.err_sign_in_again,
        404 | 410 => t.err_not_found,
        // A request timeout is the connection's fault, not the request's.
        408 => t.err_offline,
        429 => t.err_too_many,
        500..=599 => t.err_server,
        _ => t.err_refused,
    }
}
