//! The engine's answers and stable refusal codes, apart so clients need not read the engine.

use serde::{Deserialize, Serialize};

use super::{ConversionKind, Course, CourseCategory, Credits};
use crate::model::XLevel;

/// A course a certificate replaces, with the rule that allows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedConversion {
    pub rule_id: String,
    pub certificate_id: String,
    pub level: XLevel,
    pub course: Course,
    pub kind: ConversionKind,
    pub credits: Credits,
}

/// Why a conversion rule of a held certificate gives nothing: a stable code and the facts a message
/// needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RefusalWhy {
    /// The rule needs a higher level than the student holds.
    LevelTooLow { min_level: XLevel },
    /// The student's level may not convert this kind of course (初级 → 专业基础课 only, …).
    CategoryNotAllowed {
        category: CourseCategory,
        allowed: Vec<CourseCategory>,
    },
    /// The certificate already converts `used` of its `cap` credits and the course does not fit.
    PerCertificateCap { cap: Credits, used: Credits },
    /// Another certificate replaces the course: one course, one certificate.
    CourseAlreadyReplaced {
        by_rule: String,
        by_certificate_id: String,
    },
    /// The student passed the course itself.
    CourseAlreadyPassed,
    /// A same or similar certificate (or another level of this one) is the one counted.
    SimilarCertificateCounted {
        counted_certificate_id: String,
        counted_level: XLevel,
    },
    /// All conversions together already use `used` of the `cap` credits (`share_percent` of the
    /// graduation credits) and the course does not fit.
    TotalCap {
        cap: Credits,
        used: Credits,
        share_percent: u8,
    },
}

impl RefusalWhy {
    pub fn code(&self) -> &'static str {
        match self {
            RefusalWhy::LevelTooLow { .. } => "level_too_low",
            RefusalWhy::CategoryNotAllowed { .. } => "category_not_allowed",
            RefusalWhy::PerCertificateCap { .. } => "per_certificate_cap",
            RefusalWhy::CourseAlreadyReplaced { .. } => "course_already_replaced",
            RefusalWhy::CourseAlreadyPassed => "course_already_passed",
            RefusalWhy::SimilarCertificateCounted { .. } => "similar_certificate_counted",
            RefusalWhy::TotalCap { .. } => "total_cap",
        }
    }
}

/// A conversion rule of a held certificate that gives nothing, at the level it was judged for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedConversion {
    pub rule_id: String,
    pub certificate_id: String,
    pub level: XLevel,
    pub course: Course,
    pub why: RefusalWhy,
}

/// What one held certificate converts: at the level counted (else the highest held), against its cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateCredits {
    pub certificate_id: String,
    pub level: XLevel,
    pub credits: Credits,
    pub cap: Credits,
}

/// A student's credit-bank account at one school (`GET /api/v1/credits`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditAccount {
    pub school: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major: Option<String>,
    /// The table is example data.
    pub example: bool,
    pub applied: Vec<AppliedConversion>,
    pub refused: Vec<RefusedConversion>,
    pub total_credits: Credits,
    pub cap_total: Credits,
    pub per_certificate: Vec<CertificateCredits>,
}

/// What passing one more certificate would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIf {
    pub certificate_id: String,
    pub level: XLevel,
    pub added_credits: Credits,
    /// Conversions made with the certificate that were not made without it.
    pub new_conversions: Vec<AppliedConversion>,
    /// Conversions made without it that give way (a course moves to the new certificate, or the
    /// new certificate becomes the one counted in its similar group); `added_credits` is net.
    pub lost_conversions: Vec<AppliedConversion>,
    /// Refusals with the certificate for rules that were not refused without it.
    pub newly_refused: Vec<RefusedConversion>,
}
