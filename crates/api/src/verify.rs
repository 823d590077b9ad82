//! The public checks: an exam site's of a ticket, an employer's of a certificate. Each answers
//! `{"valid": false}` alone unless the pair is genuine, so numbers cannot be enumerated.

use chrono::{DateTime, NaiveDate, Utc};
use kaozheng_core::model::RegistrationStatus;
use kaozheng_core::{XLevel, time};
use serde::{Deserialize, Serialize};

/// `GET /tickets/verify?ticket_no=&check=`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TicketQuery {
    pub ticket_no: Option<String>,
    pub check: Option<String>,
}

/// The answer: `valid` alone when the pair does not match.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketVerification {
    pub valid: bool,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<VerifiedTicket>,
}

/// What an exam site needs to admit the holder, and no more.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerifiedTicket {
    pub ticket_no: String,
    pub certificate_id: String,
    pub level: XLevel,
    pub plan_id: String,
    pub plan_name: String,
    #[serde(with = "time::cst")]
    pub exam_starts_at: DateTime<Utc>,
    pub site_id: String,
    /// The first character of the name, then `*`s.
    pub holder: String,
    /// A cancelled ticket is genuine but admits nobody.
    pub status: RegistrationStatus,
}

/// `GET /certificates/verify?no=&check=` (from the result page's QR) or `?no=&name=` (typed).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CertificateQuery {
    pub no: Option<String>,
    pub check: Option<String>,
    pub name: Option<String>,
}

/// The answer: `valid` alone unless the certificate is genuine and its result published; then
/// every other field too. Flat (not an optional nested part) so the app reads it without serde's
/// flattening.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CertificateVerification {
    pub valid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CertificateStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_no: Option<String>,
    /// The first character of the name, then `*`s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<XLevel>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kaozheng_core::time::date_opt"
    )]
    pub issued_on: Option<NaiveDate>,
    /// The evaluation organisation (培训评价组织) that issued it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
}

/// Whether a genuine certificate is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// The plan ended: the result is final.
    Valid,
    /// The result is in public notice (公示) and may still change: `valid` is false.
    PublicNotice,
}
