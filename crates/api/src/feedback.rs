//! Certificate quality feedback (seed 002's 1+X 证书质量评价系统).

use kaozheng_core::feedback::{Feedback, Ratings};
use serde::{Deserialize, Serialize};

/// `PUT /feedback/{certificate_id}/{level}`: one student's feedback on one level.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// The app's idempotency key (its outbox entry's UUID).
    pub client_id: String,
    pub ratings: Ratings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `GET /feedback`: the student's own.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FeedbackList {
    pub feedback: Vec<Feedback>,
}

/// `GET /feedback/aggregates?certificate_id=`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AggregatesQuery {
    pub certificate_id: Option<String>,
}
