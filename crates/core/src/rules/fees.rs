//! Who pays an exam fee, by the cited rules of the student's own province and school only.
//!
//! Each rule is one policy with a scope (a province or a school), a start day and its citations.
//! A student meets the rules of their province and of their school; another province's rule is
//! never borrowed, and where no rule applies the student pays the plan's fee and is told so.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Citation;
use crate::model::{ExamPlan, FeeDecision, FeeReason, Payer, Registration, Student};
use crate::tagged::unknown;
use crate::{province, time};

/// Whom a policy binds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every school in a province (its code, see [`crate::province`]).
    Province(String),
    /// One school, by its name in the student records.
    School(String),
}

impl Scope {
    fn binds(&self, student: &Student) -> bool {
        match self {
            Scope::Province(p) => province::normalize(p) == province::normalize(&student.province),
            Scope::School(s) => s.trim() == student.school.trim(),
        }
    }
}

/// What a policy says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "FeeRuleWire")]
pub enum FeeRule {
    /// Nothing may be charged to in-school students (Henan, seed 001: “不得…向在校学生收取任何费用”).
    /// It says who may not be charged, not who pays.
    InSchoolNotCharged,
    /// 家庭经济困难学生 (建档立卡 among them, “等”), as their school identifies them, pay no
    /// assessment fee: the evaluation organisation waives it (Shanxi, seed 004).
    HardshipWaiver,
    /// The school funds exams of its pilot students (试点学生): `exams` of them as the school's own
    /// policy says, or `None` for what the notices guarantee, at least one (“至少参与一个”), any
    /// more being the school's decision (seeds 000, 002, 003).
    PilotExamCovered {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exams: Option<u8>,
    },
    /// One fee for each certificate level across the province (“同一证书考核费用在皖/津执行统一
    /// 标准”, seeds 000, 002): plan imports that break it are refused.
    UniformFee,
}

/// [`FeeRule`] as JSON, read flat (see `crate::tagged`).
#[derive(Deserialize)]
struct FeeRuleWire {
    kind: String,
    exams: Option<u8>,
}

impl TryFrom<FeeRuleWire> for FeeRule {
    type Error = String;

    fn try_from(w: FeeRuleWire) -> Result<FeeRule, String> {
        Ok(match w.kind.as_str() {
            "in_school_not_charged" => FeeRule::InSchoolNotCharged,
            "hardship_waiver" => FeeRule::HardshipWaiver,
            "pilot_exam_covered" => FeeRule::PilotExamCovered { exams: w.exams },
            "uniform_fee" => FeeRule::UniformFee,
            other => {
                return Err(unknown(
                    other,
                    &[
                        "in_school_not_charged",
                        "hardship_waiver",
                        "pilot_exam_covered",
                        "uniform_fee",
                    ],
                ));
            }
        })
    }
}

impl FeeRule {
    pub fn kind(&self) -> &'static str {
        match self {
            FeeRule::InSchoolNotCharged => "in_school_not_charged",
            FeeRule::HardshipWaiver => "hardship_waiver",
            FeeRule::PilotExamCovered { .. } => "pilot_exam_covered",
            FeeRule::UniformFee => "uniform_fee",
        }
    }
}

/// One cited fee rule for one scope, in force from `effective_from` (never before its notice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeePolicy {
    pub id: String,
    pub scope: Scope,
    #[serde(with = "crate::time::date")]
    pub effective_from: NaiveDate,
    /// Made-up data for demonstration, labelled as such wherever shown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub example: bool,
    pub rule: FeeRule,
    pub citations: Vec<Citation>,
}

/// Every fee policy, as served by `/api/v1/rules/fees` and imported by administrators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeRules {
    pub version: String,
    pub policies: Vec<FeePolicy>,
}

/// The policies that bind `student` on `on`, for `kind`: the school's before the province's,
/// each scope's latest started one.
fn in_force<'a>(
    rules: &'a FeeRules,
    student: &Student,
    on: NaiveDate,
    kind: &str,
) -> Vec<&'a FeePolicy> {
    let latest = |school: bool| {
        rules
            .policies
            .iter()
            .filter(|p| {
                p.rule.kind() == kind
                    && matches!(p.scope, Scope::School(_)) == school
                    && p.scope.binds(student)
                    && p.effective_from <= on
            })
            .max_by_key(|p| p.effective_from)
    };
    [latest(true), latest(false)]
        .into_iter()
        .flatten()
        .collect()
}

impl FeeRules {
    /// Every policy binding `student` on `on` (their province's and their school's), the school's
    /// first: what the student is shown, each with its citation.
    pub fn for_student(&self, student: &Student, on: NaiveDate) -> Vec<&FeePolicy> {
        let mut out = Vec::new();
        for kind in [
            "in_school_not_charged",
            "hardship_waiver",
            "pilot_exam_covered",
            "uniform_fee",
        ] {
            out.extend(in_force(self, student, on, kind));
        }
        out
    }

    pub fn policy(&self, id: &str) -> Option<&FeePolicy> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// Rewrites every province scope to its code (`河南省` → `河南`); unknown names stay for
    /// [`FeeRules::validate`] to report.
    pub fn normalize(&mut self) {
        for p in &mut self.policies {
            if let Scope::Province(name) = &mut p.scope
                && let Some(code) = province::normalize(name)
            {
                *name = code.to_string();
            }
        }
    }

    /// Every problem at once, each with its path: duplicate ids, unknown provinces, empty school
    /// names, missing citations, a start before the cited notice was issued, two policies of one
    /// scope and kind starting the same day, a funded-exam count of zero.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errs = Vec::new();
        if self.version.trim().is_empty() {
            errs.push("version: empty".to_string());
        }
        let mut ids = std::collections::HashSet::new();
        let mut starts = std::collections::HashSet::new();
        for (i, p) in self.policies.iter().enumerate() {
            let at = format!("policies[{i}]");
            if p.id.trim().is_empty() || !ids.insert(p.id.as_str()) {
                errs.push(format!("{at}.id: empty or repeated ({:?})", p.id));
            }
            match &p.scope {
                Scope::Province(name) if province::normalize(name) != Some(name.as_str()) => {
                    errs.push(format!(
                        "{at}.scope.province: {name:?} is not one of the 31 provinces (e.g. 河南, 河南省 or Henan)"
                    ));
                }
                Scope::School(name) if name.trim().is_empty() => {
                    errs.push(format!("{at}.scope.school: empty"));
                }
                _ => {}
            }
            if p.citations.is_empty() {
                errs.push(format!("{at}.citations: a rule needs its source"));
            }
            for (j, c) in p.citations.iter().enumerate() {
                errs.extend(c.problems(&format!("{at}.citations[{j}]")));
                if let Some(by) = c.issued_by()
                    && p.effective_from < by
                {
                    errs.push(format!(
                        "{at}.effective_from: {} is before its notice was issued ({by})",
                        p.effective_from
                    ));
                }
            }
            if let FeeRule::PilotExamCovered { exams: Some(0) } = p.rule {
                errs.push(format!(
                    "{at}.rule.exams: 0 funded exams is no rule; leave the policy out"
                ));
            }
            if !starts.insert((&p.scope, p.rule.kind(), p.effective_from)) {
                errs.push(format!(
                    "{at}: another {} policy of the same scope starts on the same day",
                    p.rule.kind()
                ));
            }
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}

/// Where a student stands with the exams their school funds for pilot students.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Coverage {
    /// No rule of the student's province or school funds exams (or the student is not in school).
    NoRule,
    /// A rule funds pilot students' exams, but the school's records do not list the student as one.
    NotPilot { policy_id: String },
    /// `used` funded exams are taken; `exams` is the school's count, or `None` where only the
    /// notice's “at least one” is known (the school may fund more).
    Funded {
        policy_id: String,
        exams: Option<u8>,
        used: u32,
    },
}

impl Coverage {
    /// Funded exams still to use, counting “at least one” as one.
    pub fn left(&self) -> u32 {
        match self {
            Coverage::Funded { exams, used, .. } => {
                u32::from(exams.unwrap_or(1)).saturating_sub(*used)
            }
            _ => 0,
        }
    }
}

/// Confirmed registrations whose fee the school funds, not counting `except_plan` (the plan being
/// decided, so deciding it again gives the same answer).
pub fn funded_exams_used(registrations: &[Registration], except_plan: Option<&str>) -> u32 {
    registrations
        .iter()
        .filter(|r| {
            r.is_confirmed()
                && r.fee.reason == FeeReason::PilotExamCovered
                && Some(r.plan_id.as_str()) != except_plan
        })
        .count() as u32
}

/// `student`'s funded-exam standing on `on` with `used` funded exams already taken.
pub fn coverage(rules: &FeeRules, student: &Student, on: NaiveDate, used: u32) -> Coverage {
    if !student.in_school() {
        return Coverage::NoRule;
    }
    let Some(p) = in_force(rules, student, on, "pilot_exam_covered")
        .into_iter()
        .next()
    else {
        return Coverage::NoRule;
    };
    let exams = match p.rule {
        FeeRule::PilotExamCovered { exams } => exams,
        _ => None,
    };
    if student.pilot {
        Coverage::Funded {
            policy_id: p.id.clone(),
            exams,
            used,
        }
    } else {
        Coverage::NotPilot {
            policy_id: p.id.clone(),
        }
    }
}

/// Who pays `fee_fen` for `student` on `on`, and why, with the policy that decides it.
///
/// In order: the province's ban on charging in-school students; the hardship waiver; the exams the
/// school funds for pilot students (`used` of them already taken); else the student pays the
/// plan's fee, because no rule of their province or school says otherwise. Social learners meet
/// none of these rules: each is written for students of a school.
pub fn decide_fee(
    fee_fen: u32,
    student: &Student,
    rules: Option<&FeeRules>,
    used: u32,
    on: NaiveDate,
) -> FeeDecision {
    let decision = |payer, reason, policy: Option<&FeePolicy>| FeeDecision {
        fee_fen,
        student_pays_fen: if payer == Payer::Student { fee_fen } else { 0 },
        payer,
        reason,
        policy: policy.map(|p| p.id.clone()),
    };
    let standard = decision(Payer::Student, FeeReason::Standard, None);
    let Some(rules) = rules else {
        return standard;
    };
    if !student.in_school() {
        return standard;
    }
    if let Some(p) = in_force(rules, student, on, "in_school_not_charged").first() {
        return decision(Payer::NotCharged, FeeReason::InSchoolFree, Some(p));
    }
    if student.hardship
        && let Some(p) = in_force(rules, student, on, "hardship_waiver").first()
    {
        return decision(Payer::Waived, FeeReason::HardshipWaiver, Some(p));
    }
    let policy = in_force(rules, student, on, "pilot_exam_covered")
        .first()
        .copied();
    match coverage(rules, student, on, used) {
        Coverage::NoRule => standard,
        Coverage::NotPilot { .. } => decision(Payer::Student, FeeReason::NotPilotStudent, policy),
        c if c.left() > 0 => decision(Payer::School, FeeReason::PilotExamCovered, policy),
        _ => decision(Payer::Student, FeeReason::PilotCoverageUsed, policy),
    }
}

/// The fee of registering `student` for `plan` at `now` (UTC+8 day), given all their
/// registrations: the one decision the server stores and the phone previews.
pub fn fee_for(
    plan: &ExamPlan,
    student: &Student,
    rules: Option<&FeeRules>,
    registrations: &[Registration],
    now: DateTime<Utc>,
) -> FeeDecision {
    let today = time::to_china(now).date_naive();
    let used = funded_exams_used(registrations, Some(&plan.id));
    decide_fee(plan.fee_fen, student, rules, used, today)
}

/// A plan whose fee differs from another plan of the same certificate level in a province whose
/// rule says one fee: `(index in plans, the other plan's id, its fee)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeConflict {
    pub index: usize,
    pub policy_id: String,
    pub other_plan: String,
    pub other_fee_fen: u32,
}

/// Checks `plans` (the import, `existing` being the plans already stored and not replaced) against
/// every [`FeeRule::UniformFee`] in force on each plan's window opening day (UTC+8).
pub fn uniform_fee_conflicts(
    rules: &FeeRules,
    plans: &[ExamPlan],
    existing: &[ExamPlan],
) -> Vec<FeeConflict> {
    let mut out = Vec::new();
    for (i, plan) in plans.iter().enumerate() {
        let on = time::to_china(plan.window_opens_at).date_naive();
        let Some(policy) = rules
            .policies
            .iter()
            .filter(|p| {
                p.rule == FeeRule::UniformFee
                    && p.effective_from <= on
                    && matches!(&p.scope, Scope::Province(code)
                        if province::normalize(code) == province::normalize(&plan.province))
            })
            .max_by_key(|p| p.effective_from)
        else {
            continue;
        };
        let same = |o: &&ExamPlan| {
            o.id != plan.id
                && o.certificate_id == plan.certificate_id
                && o.level == plan.level
                && province::normalize(&o.province) == province::normalize(&plan.province)
                && o.fee_fen != plan.fee_fen
        };
        if let Some(o) = plans[..i]
            .iter()
            .chain(
                existing
                    .iter()
                    .filter(|e| !plans.iter().any(|p| p.id == e.id)),
            )
            .find(same)
        {
            out.push(FeeConflict {
                index: i,
                policy_id: policy.id.clone(),
                other_plan: o.id.clone(),
                other_fee_fen: o.fee_fen,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
