use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Citation;
use crate::model::{FeeDecision, FeeReason, Payer, Student};

/// One province's fee policy (or the default, `province = "*"`), effective from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeePolicy {
    pub id: String,
    /// A province name as in exam plans (`河南`), or `*` for provinces without their own policy.
    pub province: String,
    #[serde(with = "crate::time::date")]
    pub effective_from: NaiveDate,
    /// In-school students are never charged (Henan, seed 001).
    pub in_school_free: bool,
    /// The school pays each in-school student's first X-certificate exam (seeds 000, 002, 003).
    pub school_pays_first_exam: bool,
    /// 建档立卡 students pay no assessment fee (seed 004).
    pub hardship_waived: bool,
    pub citations: Vec<Citation>,
}

/// Every fee policy, as served by `/api/v1/rules/fees` and imported by administrators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeRules {
    pub version: String,
    pub policies: Vec<FeePolicy>,
}

impl FeeRules {
    /// The policy in force for `province` on `on`: the province's latest one that has started, else
    /// the default's.
    pub fn policy_for(&self, province: &str, on: NaiveDate) -> Option<&FeePolicy> {
        let latest = |p: &str| {
            self.policies
                .iter()
                .filter(|f| f.province == p && f.effective_from <= on)
                .max_by_key(|f| f.effective_from)
        };
        latest(province).or_else(|| latest("*"))
    }

    /// Problems that make the rules unusable: duplicate ids, empty provinces, missing citations,
    /// two policies of one province starting the same day.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errs = Vec::new();
        let mut ids = std::collections::HashSet::new();
        let mut starts = std::collections::HashSet::new();
        for (i, p) in self.policies.iter().enumerate() {
            if p.id.trim().is_empty() || !ids.insert(p.id.as_str()) {
                errs.push(format!("policies[{i}].id: empty or repeated ({:?})", p.id));
            }
            if p.province.trim().is_empty() {
                errs.push(format!("policies[{i}].province: empty"));
            }
            if p.citations.is_empty() {
                errs.push(format!("policies[{i}].citations: a rule needs its source"));
            }
            if !starts.insert((p.province.as_str(), p.effective_from)) {
                errs.push(format!(
                    "policies[{i}]: another policy for {} starts on the same day",
                    p.province
                ));
            }
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}

/// Who pays the `fee_fen` of a plan for `student`, and why.
///
/// In order: a hardship waiver; the province's ban on charging in-school students; the school's
/// funded first exam (when `school_paid_used` says it has not been used yet); else the student.
/// Without a policy the student pays.
pub fn decide_fee(
    fee_fen: u32,
    student: &Student,
    policy: Option<&FeePolicy>,
    school_paid_used: bool,
) -> FeeDecision {
    let decision = |payer, reason| FeeDecision {
        fee_fen,
        student_pays_fen: if payer == Payer::Student { fee_fen } else { 0 },
        payer,
        reason,
    };
    let Some(p) = policy else {
        return decision(Payer::Student, FeeReason::Standard);
    };
    if student.hardship && p.hardship_waived {
        decision(Payer::Waived, FeeReason::HardshipWaiver)
    } else if student.in_school() && p.in_school_free {
        decision(Payer::School, FeeReason::InSchoolFree)
    } else if student.in_school() && p.school_pays_first_exam && !school_paid_used {
        decision(Payer::School, FeeReason::SchoolPaidFirstExam)
    } else {
        decision(Payer::Student, FeeReason::Standard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SchoolLevel;

    fn cite() -> Vec<Citation> {
        vec![Citation {
            title: "t".into(),
            issuer: "i".into(),
            document_no: None,
            issued_on: None,
            url: None,
            quote: "q".into(),
        }]
    }

    fn policy(
        id: &str,
        province: &str,
        from: (i32, u32, u32),
        flags: (bool, bool, bool),
    ) -> FeePolicy {
        FeePolicy {
            id: id.into(),
            province: province.into(),
            effective_from: NaiveDate::from_ymd_opt(from.0, from.1, from.2).unwrap(),
            in_school_free: flags.0,
            school_pays_first_exam: flags.1,
            hardship_waived: flags.2,
            citations: cite(),
        }
    }

    fn student(level: SchoolLevel, hardship: bool) -> Student {
        Student {
            student_no: "s".into(),
            name: "n".into(),
            school: "x".into(),
            school_level: level,
            major: None,
            province: "天津".into(),
            hardship,
            passed_courses: Vec::new(),
            graduation_on: None,
        }
    }

    #[test]
    fn seed_004_hardship_students_pay_nothing() {
        let p = policy("d", "*", (2020, 1, 1), (false, true, true));
        let d = decide_fee(30_000, &student(SchoolLevel::Higher, true), Some(&p), true);
        assert_eq!(
            (d.payer, d.reason, d.student_pays_fen),
            (Payer::Waived, FeeReason::HardshipWaiver, 0)
        );
    }

    #[test]
    fn seed_001_henan_charges_no_in_school_student_but_social_learners_pay() {
        let p = policy("ha", "河南", (2022, 1, 5), (true, false, false));
        let d = decide_fee(
            30_000,
            &student(SchoolLevel::Secondary, false),
            Some(&p),
            true,
        );
        assert_eq!(
            (d.payer, d.reason, d.student_pays_fen),
            (Payer::School, FeeReason::InSchoolFree, 0)
        );
        let d = decide_fee(
            30_000,
            &student(SchoolLevel::Social, false),
            Some(&p),
            false,
        );
        assert_eq!((d.payer, d.student_pays_fen), (Payer::Student, 30_000));
    }

    #[test]
    fn seeds_000_002_the_school_pays_the_first_exam_only() {
        let p = policy("tj", "天津", (2021, 1, 1), (false, true, false));
        let s = student(SchoolLevel::Higher, false);
        let first = decide_fee(40_000, &s, Some(&p), false);
        assert_eq!(
            (first.payer, first.reason),
            (Payer::School, FeeReason::SchoolPaidFirstExam)
        );
        let second = decide_fee(40_000, &s, Some(&p), true);
        assert_eq!(
            (second.payer, second.reason, second.student_pays_fen),
            (Payer::Student, FeeReason::Standard, 40_000)
        );
    }

    #[test]
    fn no_policy_means_the_student_pays_the_standard_fee() {
        let d = decide_fee(25_000, &student(SchoolLevel::Higher, true), None, false);
        assert_eq!(
            (d.payer, d.reason, d.fee_fen, d.student_pays_fen),
            (Payer::Student, FeeReason::Standard, 25_000, 25_000)
        );
    }

    #[test]
    fn the_latest_started_policy_of_the_province_applies_else_the_default() {
        let rules = FeeRules {
            version: "t".into(),
            policies: vec![
                policy("d", "*", (2019, 1, 1), (false, true, true)),
                policy("ha1", "河南", (2020, 1, 1), (false, false, false)),
                policy("ha2", "河南", (2022, 1, 5), (true, false, false)),
            ],
        };
        let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(rules.policy_for("河南", on(2026, 12, 1)).unwrap().id, "ha2");
        assert_eq!(rules.policy_for("河南", on(2021, 6, 1)).unwrap().id, "ha1");
        assert_eq!(rules.policy_for("天津", on(2026, 12, 1)).unwrap().id, "d");
        assert!(rules.policy_for("天津", on(2018, 1, 1)).is_none());
        assert_eq!(rules.validate(), Ok(()));
        let mut bad = rules.clone();
        bad.policies[2].id = "ha1".into();
        bad.policies[1].citations.clear();
        bad.policies[2].effective_from = bad.policies[1].effective_from;
        assert_eq!(bad.validate().unwrap_err().len(), 3);
    }
}
