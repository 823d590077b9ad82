use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::XLevel;
use crate::time::cst;

/// A registration as the server keeps it. Refused requests are never stored: they are answered with
/// a reason (see [`crate::rules::Refusal`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    Confirmed,
    Cancelled,
}

impl RegistrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationStatus::Confirmed => "confirmed",
            RegistrationStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [RegistrationStatus::Confirmed, RegistrationStatus::Cancelled]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// 报名: one student on one exam plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    pub id: String,
    /// The client's idempotency key (a UUID made when the student confirmed, before any network).
    pub client_id: String,
    pub plan_id: String,
    pub certificate_id: String,
    pub level: XLevel,
    pub status: RegistrationStatus,
    /// 准考证号, unique; given when the registration is confirmed.
    pub ticket_no: String,
    /// A check code the server derives from the ticket with a secret key; the admission ticket's QR
    /// carries it so an exam site can tell a real ticket from a typed-in number.
    #[serde(default)]
    pub ticket_check: String,
    pub fee: FeeDecision,
    #[serde(with = "cst")]
    pub exam_starts_at: DateTime<Utc>,
    #[serde(with = "cst")]
    pub exam_ends_at: DateTime<Utc>,
    #[serde(with = "cst")]
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "cst::option")]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// When the school recorded the student's payment (its payments import); none while unpaid,
    /// and none when the student owes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "cst::option")]
    pub fee_paid_at: Option<DateTime<Utc>>,
}

impl Registration {
    pub fn is_confirmed(&self) -> bool {
        self.status == RegistrationStatus::Confirmed
    }

    /// Confirmed and its exam not over yet: blocks a second registration for the same level.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.is_confirmed() && now < self.exam_ends_at
    }
}

/// Who pays an exam fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    Student,
    /// The school funds it (the exams funded for pilot students).
    School,
    /// Nobody: the evaluation organisation waives the fee.
    Waived,
    /// The student may not be charged (a province's ban); the rule does not say who pays.
    NotCharged,
}

impl Payer {
    pub const ALL: [Payer; 4] = [
        Payer::Student,
        Payer::School,
        Payer::Waived,
        Payer::NotCharged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Payer::Student => "student",
            Payer::School => "school",
            Payer::Waived => "waived",
            Payer::NotCharged => "not_charged",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Why the payer is who it is. Each reason but `Standard` comes with the policy (and so the
/// citation) that decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeReason {
    /// No rule of the student's province or school changes the plan's fee.
    Standard,
    /// 家庭经济困难学生 (e.g. 建档立卡) pay no assessment fee (Shanxi, seed 004).
    HardshipWaiver,
    /// In-school students may not be charged (Henan, seed 001).
    InSchoolFree,
    /// One of the exams the school funds for its pilot students (seeds 000, 002, 003).
    PilotExamCovered,
    /// The funded exams are used; the school's policy (or, without one, the notice's “at least
    /// one”) covers no more.
    PilotCoverageUsed,
    /// The school funds exams of pilot students, and its records do not list this student as one.
    NotPilotStudent,
}

impl FeeReason {
    pub const ALL: [FeeReason; 6] = [
        FeeReason::Standard,
        FeeReason::HardshipWaiver,
        FeeReason::InSchoolFree,
        FeeReason::PilotExamCovered,
        FeeReason::PilotCoverageUsed,
        FeeReason::NotPilotStudent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeeReason::Standard => "standard",
            FeeReason::HardshipWaiver => "hardship_waiver",
            FeeReason::InSchoolFree => "in_school_free",
            FeeReason::PilotExamCovered => "pilot_exam_covered",
            FeeReason::PilotCoverageUsed => "pilot_coverage_used",
            FeeReason::NotPilotStudent => "not_pilot_student",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The fee of one registration: the plan's fee, what the student pays, who pays and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeDecision {
    /// The plan's fee in fen.
    pub fee_fen: u32,
    /// What the student pays, in fen.
    pub student_pays_fen: u32,
    pub payer: Payer,
    pub reason: FeeReason,
    /// The fee policy that decided it (its id in the fee rules), for its citation; `None` when no
    /// rule applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}
