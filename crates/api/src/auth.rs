//! Signing in: by student number and password, or by a portal's assertion.

use chrono::{DateTime, Utc};
use kaozheng_core::{Student, time};
use serde::{Deserialize, Serialize};

/// Longest student number and password a login may carry.
pub const MAX_STUDENT_NO: usize = 64;
pub const MAX_PASSWORD: usize = 1024;

/// `POST /auth/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub student_no: String,
    pub password: String,
}

/// `POST /auth/embed`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbedRequest {
    pub assertion: String,
}

/// A new session: the bearer token (shown once), when it expires, and who it is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    #[serde(with = "time::cst")]
    pub expires_at: DateTime<Utc>,
    pub student: Student,
}
