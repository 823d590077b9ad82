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

    pub fn zh(self) -> &'static str {
        match self {
            Payer::Student => "由你缴纳",
            Payer::School => "学校经费保障",
            Payer::Waived => "评价组织免收",
            Payer::NotCharged => "不向你收取",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Payer::Student => "Paid by you",
            Payer::School => "Funded by your school",
            Payer::Waived => "Waived by the evaluation organisation",
            Payer::NotCharged => "Not charged to you",
        }
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

    pub fn zh(self) -> &'static str {
        match self {
            FeeReason::Standard => {
                "你所在省份和学校没有记录减免考核费的规定，按考核计划的收费标准缴纳"
            }
            FeeReason::HardshipWaiver => {
                "建档立卡等家庭经济困难学生参加考核免收考核费用，由培训评价组织免收；是否属于此类由学校认定"
            }
            FeeReason::InSchoolFree => "学校不得以考证、取证的名义向在校生收取任何费用",
            FeeReason::PilotExamCovered => {
                "学校经费保障试点学生至少参加一个证书的考核，这次考核由学校经费保障"
            }
            FeeReason::PilotCoverageUsed => {
                "学校经费保障的考核已经用完，这次由你缴纳；学校是否再保障更多由学校决定，可以向学校询问"
            }
            FeeReason::NotPilotStudent => {
                "学校经费保障的是试点学生的考核；学校记录中你不是试点学生，这次由你缴纳。如有疑问请问学校"
            }
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            FeeReason::Standard => {
                "No rule of your province or school reduces the exam fee, so you pay the plan's fee"
            }
            FeeReason::HardshipWaiver => {
                "Students from families in financial hardship (such as 建档立卡 households) pay no \
                 assessment fee; the evaluation organisation waives it. Your school decides who counts"
            }
            FeeReason::InSchoolFree => {
                "Schools may not charge in-school students anything for certificate exams"
            }
            FeeReason::PilotExamCovered => {
                "Your school funds at least one certificate exam for each pilot student; this one \
                 is funded"
            }
            FeeReason::PilotCoverageUsed => {
                "The exams your school funds are used, so you pay this one; whether the school funds \
                 more is its decision, so ask it"
            }
            FeeReason::NotPilotStudent => {
                "Your school funds exams for pilot students, and its records do not list you as \
                 one, so you pay this one. Ask your school if this is wrong"
            }
        }
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
