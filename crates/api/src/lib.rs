//! The API contract, written once: every endpoint's method, path, query, request body and answer
//! ([`endpoints`]), and the shapes that travel (the rest come from `kaozheng-core`). The server
//! routes and answers with these types; the app calls with them; the OpenAPI document is built
//! from the same definitions (feature `openapi`). [`words`] says what the rules decided, for both.

pub mod auth;
pub mod endpoint;
pub mod endpoints;
pub mod error;
pub mod feedback;
pub mod import;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod plans;
pub mod staff;
pub mod verify;
pub mod words;

pub use endpoint::{Endpoint, Method};

use kaozheng_core::rules::{CreditRules, EligibilityRules, FeeRules, GradeRules, GraduationRules};
use kaozheng_core::{ExamResult, Registration, Site};
use serde::{Deserialize, Serialize};

/// `GET /sites`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SiteList {
    pub sites: Vec<Site>,
}

/// `GET /rules`: every rule document in use in one answer, each under its kind
/// ([`kaozheng_core::rules::RuleDocument::KIND`]); one not imported yet is left out. The app keeps
/// all five offline: one answer is one round trip and one set of headers where five were five.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RuleSet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<FeeRules>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grades: Option<GradeRules>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<CreditRules>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graduation: Option<GraduationRules>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligibility: Option<EligibilityRules>,
}

/// `GET /registrations`: the signed-in student's own, each with its ticket check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegistrationList {
    pub registrations: Vec<Registration>,
}

/// `POST /registrations`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRegistration {
    /// The app's idempotency key (its outbox entry's UUID).
    pub client_id: String,
    pub plan_id: String,
}

/// `GET /results`: only results whose plan is publicized or ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultList {
    pub results: Vec<ExamResult>,
}

/// `GET /embed/config`: the exact origins of the portals allowed to embed the app.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmbedConfig {
    pub portal_origins: Vec<String>,
}

/// `GET /health`: anything but `ok` is an error answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Health {
    pub status: HealthStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
}

/// `GET /rules/grades?province=`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GradesQuery {
    /// Only this province's rule sets (the general conditions stay); empty means every province.
    pub province: Option<String>,
}

/// `client_id`: 1–64 characters of ASCII letters, digits, `.`, `_`, `:` and `-` (a UUID fits).
pub fn valid_client_id(s: &str) -> bool {
    (1..=MAX_CLIENT_ID).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Longest idempotency key a request may carry.
pub const MAX_CLIENT_ID: usize = 64;

/// Longest certificate id accepted in a path or query.
pub const MAX_CERTIFICATE_ID: usize = 128;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_uuid_like() {
        assert!(valid_client_id("0b6f6f0e-4f1c-4e36-9a3e-5d0a7c1b2e3f"));
        assert!(valid_client_id("outbox:42"));
        for bad in ["", "a b", "报名", &"x".repeat(65)] {
            assert!(!valid_client_id(bad), "{bad:?}");
        }
    }
}
