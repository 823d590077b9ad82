//! A failure the student is told about, kept as what happened rather than as text, so it is worded
//! when shown ([`crate::i18n::problem`]): in the language chosen then, with what to do next.

use kaozheng_core::feedback::FeedbackError;

use crate::api::ApiError;
use crate::storage::StorageError;

#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Reaching the server failed, or it answered with an error.
    Api(ApiError),
    /// The offline copy on the phone failed.
    Storage(StorageError),
    /// Feedback the core rules do not accept.
    Feedback(FeedbackError),
    /// The server refused a change for good: its error code.
    Refused(String),
}

impl From<ApiError> for Problem {
    fn from(e: ApiError) -> Self {
        Problem::Api(e)
    }
}

impl From<StorageError> for Problem {
    fn from(e: StorageError) -> Self {
        Problem::Storage(e)
    }
}

impl From<FeedbackError> for Problem {
    fn from(e: FeedbackError) -> Self {
        Problem::Feedback(e)
    }
}
