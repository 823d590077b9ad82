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
    School,
    /// Nobody: the evaluation organisation waives the fee.
    Waived,
}

impl Payer {
    pub fn as_str(self) -> &'static str {
        match self {
            Payer::Student => "student",
            Payer::School => "school",
            Payer::Waived => "waived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Payer::Student, Payer::School, Payer::Waived]
            .into_iter()
            .find(|p| p.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Payer::Student => "学生自付",
            Payer::School => "学校支付",
            Payer::Waived => "免收",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Payer::Student => "Paid by the student",
            Payer::School => "Paid by the school",
            Payer::Waived => "Waived",
        }
    }
}

/// Why the payer is who it is; each reason names the policy it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeReason {
    /// No waiver or school funding applies.
    Standard,
    /// 建档立卡 students pay no assessment fee (seed 004, Shanxi).
    HardshipWaiver,
    /// No fee may be charged to in-school students (seed 001, Henan).
    InSchoolFree,
    /// The school funds each pilot student's first X-certificate exam (seeds 000 Anhui, 002 Tianjin).
    SchoolPaidFirstExam,
}

impl FeeReason {
    pub fn as_str(self) -> &'static str {
        match self {
            FeeReason::Standard => "standard",
            FeeReason::HardshipWaiver => "hardship_waiver",
            FeeReason::InSchoolFree => "in_school_free",
            FeeReason::SchoolPaidFirstExam => "school_paid_first_exam",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            FeeReason::Standard,
            FeeReason::HardshipWaiver,
            FeeReason::InSchoolFree,
            FeeReason::SchoolPaidFirstExam,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            FeeReason::Standard => "按本省统一考核费标准由学生缴纳",
            FeeReason::HardshipWaiver => "建档立卡等家庭经济困难学生免收考核费用",
            FeeReason::InSchoolFree => "本省不得以考证名义向在校学生收取任何费用",
            FeeReason::SchoolPaidFirstExam => {
                "学校保障每名试点学生至少参加一个证书考核，首次考核由学校支付"
            }
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            FeeReason::Standard => "The province's standard exam fee, paid by the student",
            FeeReason::HardshipWaiver => {
                "Students from registered poverty households (建档立卡) pay no assessment fee"
            }
            FeeReason::InSchoolFree => {
                "This province forbids charging in-school students for certificates"
            }
            FeeReason::SchoolPaidFirstExam => {
                "Each pilot student's first certificate exam is paid by the school"
            }
        }
    }
}

/// The fee of one registration: the plan's fee, what the student pays, who pays and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeDecision {
    /// The plan's fee in fen.
    pub fee_fen: u32,
    /// What the student pays, in fen.
    pub student_pays_fen: u32,
    pub payer: Payer,
    pub reason: FeeReason,
}
