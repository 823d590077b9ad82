//! Which message a failure is shown with. Failures arrive as what happened (an API error with the
//! server's code, a storage error, a feedback error) and are worded only here, from the table: the
//! student reads the chosen language and what to do next, never an error's own text ("network
//! unreachable: TypeError: Failed to fetch", "the server answered 401: …").
//!
//! Each failure maps to a key of the table (a field picker, as [`super::tr`] takes), so a view can
//! show it as a signal that follows the language without rendering code of its own.

use super::Texts;
use crate::api::{ApiError, ErrorCode};
use crate::problem::Problem;
use crate::storage::StorageError;

/// A key of the table: which field to show.
pub type Key = fn(&'static Texts) -> &'static str;

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
    api_error_key(e)(t)
}

pub fn api_error_key(e: &ApiError) -> Key {
    match e {
        ApiError::Network(_) => |t| t.err_offline,
        ApiError::Status { status, code } => {
            code_key(ErrorCode::parse(code)).unwrap_or_else(|| status_key(*status))
        }
        ApiError::Invalid(_) => |t| t.err_bad_answer,
    }
}

/// A change the server refused for good, by its error code. Unknown codes (a newer server's, or
/// the server's text that records from before codes hold) are worded as a general refusal.
pub fn refused(t: &'static Texts, code: &str) -> &'static str {
    refused_key(code)(t)
}

pub fn refused_key(code: &str) -> Key {
    code_key(ErrorCode::parse(code)).unwrap_or(|t| t.err_refused)
}

/// Why an outbox entry waits to be sent again, from what it recorded: `HTTP <status>` when the
/// server answered, anything else when it could not be reached.
pub fn retry_reason(t: &'static Texts, last_error: &str) -> &'static str {
    match last_error
        .strip_prefix("HTTP ")
        .and_then(|s| s.trim().parse::<u16>().ok())
    {
        Some(status) => status_key(status)(t),
        None => t.err_offline,
    }
}

/// A failed refresh's answer as the catalog state keeps it: `"<status> <code>"`.
pub fn answer(t: &'static Texts, answer: &str) -> &'static str {
    let (status, code) = answer.split_once(' ').unwrap_or((answer, ""));
    let status = status.parse().unwrap_or(0);
    code_key(ErrorCode::parse(code)).unwrap_or_else(|| status_key(status))(t)
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

/// The error codes that call for their own words.
fn code_key(code: ErrorCode) -> Option<Key> {
    Some(match code {
        ErrorCode::InvalidCredentials => |t| t.err_wrong_password,
        ErrorCode::TooManyAttempts => |t| t.err_too_many,
        ErrorCode::SignInAgain => |t| t.err_sign_in_again,
        ErrorCode::PlanNotFound => |t| t.err_plan_gone,
        ErrorCode::RegistrationNotFound => |t| t.err_registration_gone,
        ErrorCode::Window => |t| t.err_window,
        ErrorCode::NoPublishedResult => |t| t.err_not_rateable,
        ErrorCode::InvalidFeedback => |t| t.err_feedback_invalid,
        ErrorCode::ServerFailed => |t| t.err_server,
        ErrorCode::InvalidAnswer => |t| t.err_bad_answer,
        ErrorCode::Other => return None,
    })
}

fn status_key(status: u16) -> Key {
    match status {
        401 => |t| t.err_sign_in_again,
        404 | 410 => |t| t.err_not_found,
        // A request timeout is the connection's fault, not the request's.
        408 => |t| t.err_offline,
        429 => |t| t.err_too_many,
        500..=599 => |t| t.err_server,
        _ => |t| t.err_refused,
    }
}
