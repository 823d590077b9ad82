//! How a request fails, as the app knows it: no answer, an error status with the API's error code,
//! or an answer it cannot use. The student reads it worded by [`crate::i18n::api_error`]; the
//! `Display` texts are for the console.

use kaozheng_api::error::ErrorBody;
/// The contract's error shape: the app reads the code, and for a refused registration every
/// reason; it never shows the server's own messages.
pub use kaozheng_api::error::ErrorDetail;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// No answer: offline, timed out, connection reset.
    #[error("no answer: {0}")]
    Network(String),
    /// An error status, with the API's error code (empty when the body had none); the app reads
    /// it as an [`ErrorCode`].
    #[error("status {status} {code}")]
    Status { status: u16, code: String },
    /// An answer that could not be read or failed the core checks.
    #[error("unusable answer: {0}")]
    Invalid(String),
}

impl ApiError {
    /// True when the failure says nothing about the data, only that we could not reach the server.
    pub fn is_network(&self) -> bool {
        matches!(self, ApiError::Network(_))
    }
}

/// The API's error codes (see the server's OpenAPI document), grouped by what the student is told;
/// every other code, including a newer server's, is `Other` and worded from the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidCredentials,
    TooManyAttempts,
    /// The session or portal sign-in is not valid (any more).
    SignInAgain,
    PlanNotFound,
    RegistrationNotFound,
    /// Outside the registration window (not open yet, closed, plan not open).
    Window,
    NoPublishedResult,
    /// Ratings or comment the rules refuse.
    InvalidFeedback,
    /// The server failed or is unavailable.
    ServerFailed,
    /// The app's own: a success answer it could not read.
    InvalidAnswer,
    Other,
}

impl ErrorCode {
    pub fn parse(code: &str) -> ErrorCode {
        match code {
            "invalid_credentials" => ErrorCode::InvalidCredentials,
            "too_many_attempts" => ErrorCode::TooManyAttempts,
            "unauthorized" | "session_expired" | "invalid_assertion" | "assertion_replayed" => {
                ErrorCode::SignInAgain
            }
            "plan_not_found" => ErrorCode::PlanNotFound,
            "registration_not_found" => ErrorCode::RegistrationNotFound,
            "plan_not_open" | "window_not_open" | "window_closed" => ErrorCode::Window,
            "no_published_result" => ErrorCode::NoPublishedResult,
            "rating_out_of_range" | "comment_too_long" | "comment_invalid" => {
                ErrorCode::InvalidFeedback
            }
            "internal" | "unavailable" => ErrorCode::ServerFailed,
            "invalid_answer" => ErrorCode::InvalidAnswer,
            _ => ErrorCode::Other,
        }
    }
}

/// Parses an error body, if it is one.
pub fn error_detail(body: &str) -> Option<ErrorDetail> {
    kaozheng_core::objects::from_str::<ErrorBody>(body)
        .ok()
        .map(|b| b.error)
}
