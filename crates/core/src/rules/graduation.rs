//! The graduation certificate requirement.
//!
//! Seed 001 (Henan): “原则上,学生毕业时至少取得1个以上职业技能证书” — in principle, not a hard
//! requirement, and any 职业技能证书 counts (国家职业资格证书, 职业技能等级证书, 专项职业能力证书).
//! Each school's policy is data ([`GraduationRules`]) with its citations; [`graduation_progress`]
//! says where a student stands: certificates held, exams registered for, what is still needed and
//! the days left. The exams a school funds are fee rules ([`super::coverage`]).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Citation;
use crate::model::{Registration, Student, XLevel};
use crate::time;

/// Which certificates count towards a school's requirement. An enum rather than a flag so a school
/// can later count what seed 001 also names (国家职业资格证书, 专项职业能力证书) once the platform
/// records them; today it knows X certificates only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateKind {
    /// 1+X 职业技能等级证书: a passed result published on this platform.
    XCertificate,
}

/// One school's requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraduationPolicy {
    pub school: String,
    /// Made-up data for demonstration, to be labelled as such wherever shown.
    #[serde(default)]
    pub example: bool,
    /// Distinct certificates a student should hold at graduation (0: no requirement).
    pub required_count: u8,
    /// The rule says “原则上” (in principle): shown as an expectation, never as a bar to
    /// graduating.
    #[serde(default)]
    pub in_principle: bool,
    /// Which kinds count (on this platform: its own 1+X results).
    pub counts: Vec<CertificateKind>,
    /// Kinds the rule also counts that this platform does not record (e.g. 国家职业资格证书): the
    /// student is told to report them to the school. Chinese names, as the rule writes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_counts_zh: Vec<String>,
    pub citations: Vec<Citation>,
}

/// Every school's policy, as served by `/api/v1/rules/graduation` and imported by administrators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraduationRules {
    pub version: String,
    pub schools: Vec<GraduationPolicy>,
}

/// More than any school asks; a larger number is a typo.
pub const MAX_REQUIRED: u8 = 20;

impl GraduationRules {
    /// The policy of `school` (names compared trimmed), if it has one.
    pub fn policy_for(&self, school: &str) -> Option<&GraduationPolicy> {
        let school = school.trim();
        self.schools.iter().find(|p| p.school.trim() == school)
    }

    /// Every problem at once, each with its path: empty version or school, a school listed twice,
    /// counts out of range or repeated, a missing citation or quote.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errs = Vec::new();
        if self.version.trim().is_empty() {
            errs.push("version: empty".to_string());
        }
        if self.schools.is_empty() {
            errs.push("schools: no school".to_string());
        }
        let mut seen = BTreeSet::new();
        for (i, p) in self.schools.iter().enumerate() {
            let at = format!("schools[{i}]");
            if p.school.trim().is_empty() {
                errs.push(format!("{at}.school: empty"));
            } else if !seen.insert(p.school.trim()) {
                errs.push(format!("{at}.school: {:?} is listed twice", p.school));
            }
            if p.required_count > MAX_REQUIRED {
                errs.push(format!(
                    "{at}.required_count: {} is more than {MAX_REQUIRED}",
                    p.required_count
                ));
            }
            if p.required_count > 0 && p.counts.is_empty() {
                errs.push(format!(
                    "{at}.counts: a requirement needs the kinds of certificate that count"
                ));
            }
            let mut kinds: BTreeSet<&CertificateKind> = BTreeSet::new();
            kinds.extend(&p.counts);
            if kinds.len() != p.counts.len() {
                errs.push(format!("{at}.counts: a kind is listed twice"));
            }
            if p.citations.is_empty() {
                errs.push(format!("{at}.citations: a rule needs its source"));
            }
            for (j, c) in p.citations.iter().enumerate() {
                errs.extend(c.problems(&format!("{at}.citations[{j}]")));
            }
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}

/// A student's standing against their school's requirement at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraduationProgress {
    pub required: u32,
    /// Distinct certificates held (a published passed result), each once whatever its levels.
    pub held: u32,
    /// Distinct certificates with a confirmed registration whose exam is not over yet, not counting
    /// certificates already held.
    pub registered: u32,
    /// What the student still has to register for: `required - held - registered`, at least 0.
    pub still_needed: u32,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time::date_opt"
    )]
    pub graduation_on: Option<NaiveDate>,
    /// Whole days from today (UTC+8) to the graduation day; negative once it has passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
    /// Enough certificates are held (registrations do not count until passed).
    pub met: bool,
}

/// `student`'s progress under `policy` at `now`. `held` lists `(certificate_id, level)` of the
/// student's published passed results; `registrations` are all of theirs, cancelled included.
pub fn graduation_progress(
    policy: &GraduationPolicy,
    student: &Student,
    held: &[(String, XLevel)],
    registrations: &[Registration],
    now: DateTime<Utc>,
) -> GraduationProgress {
    let counts_x = policy.counts.contains(&CertificateKind::XCertificate);
    // Sets are extended, not collected: collecting sorts first (see kaozheng_core::order).
    let mut held_ids = BTreeSet::new();
    held_ids.extend(held.iter().filter(|_| counts_x).map(|(id, _)| id.as_str()));
    let mut registered_ids = BTreeSet::new();
    registered_ids.extend(
        registrations
            .iter()
            .filter(|r| counts_x && r.is_active(now))
            .map(|r| r.certificate_id.as_str())
            .filter(|id| !held_ids.contains(id)),
    );
    let required = u32::from(policy.required_count);
    let held = held_ids.len() as u32;
    let registered = registered_ids.len() as u32;
    let today = time::to_china(now).date_naive();
    GraduationProgress {
        required,
        held,
        registered,
        still_needed: required.saturating_sub(held.saturating_add(registered)),
        graduation_on: student.graduation_on,
        days_left: student.graduation_on.map(|d| (d - today).num_days()),
        met: held >= required,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::model::{FeeDecision, FeeReason, Payer, RegistrationStatus, SchoolLevel};
    use crate::rules::fixtures::{self, citation};

    fn policy(required: u8) -> GraduationPolicy {
        GraduationPolicy {
            school: "示例职业技术学院".into(),
            example: true,
            required_count: required,
            in_principle: true,
            counts: vec![CertificateKind::XCertificate],
            also_counts_zh: Vec::new(),
            citations: vec![citation("原则上,学生毕业时至少取得1个以上职业技能证书")],
        }
    }

    fn student(level: SchoolLevel, graduation_on: Option<NaiveDate>) -> Student {
        Student {
            student_no: "s".into(),
            name: "n".into(),
            graduation_on,
            ..fixtures::student(level)
        }
    }

    /// 2026-11-22 10:00 in China.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A registration for `cert`; `exam_in_days` from [`now`] (negative: the exam is over).
    fn reg(id: &str, cert: &str, exam_in_days: i64, status: RegistrationStatus) -> Registration {
        let start = now() + Duration::days(exam_in_days);
        Registration {
            id: id.into(),
            client_id: id.into(),
            plan_id: format!("p-{id}"),
            certificate_id: cert.into(),
            level: XLevel::Primary,
            status,
            ticket_no: "261200001000001".into(),
            ticket_check: String::new(),
            fee: FeeDecision {
                fee_fen: 30_000,
                student_pays_fen: 30_000,
                payer: Payer::Student,
                reason: FeeReason::Standard,
                policy: None,
            },
            exam_starts_at: start,
            exam_ends_at: start + Duration::hours(2),
            created_at: now() - Duration::days(30),
            cancelled_at: (status == RegistrationStatus::Cancelled).then(now),
            fee_paid_at: None,
        }
    }

    use RegistrationStatus::{Cancelled, Confirmed};

    struct Case {
        why: &'static str,
        required: u8,
        held: &'static [(&'static str, XLevel)],
        regs: Vec<Registration>,
        // (held, registered, still_needed, met)
        want: (u32, u32, u32, bool),
    }

    #[test]
    fn progress_follows_seed_001() {
        use XLevel::{Advanced, Intermediate, Primary};
        let cases = vec![
            Case {
                why: "seed 001: nothing held, nothing registered, one certificate still needed",
                required: 1,
                held: &[],
                regs: vec![],
                want: (0, 0, 1, false),
            },
            Case {
                why: "seed 001: one held certificate meets the requirement",
                required: 1,
                held: &[("bim", Primary)],
                regs: vec![],
                want: (1, 0, 0, true),
            },
            Case {
                why: "a certificate counts once however many levels are held",
                required: 2,
                held: &[("bim", Primary), ("bim", Intermediate), ("bim", Advanced)],
                regs: vec![],
                want: (1, 0, 1, false),
            },
            Case {
                why: "an upcoming registration is progress but does not meet the requirement",
                required: 1,
                held: &[],
                regs: vec![reg("r1", "web", 10, Confirmed)],
                want: (0, 1, 0, false),
            },
            Case {
                why: "registrations for an already-held certificate are no progress",
                required: 2,
                held: &[("bim", Primary)],
                regs: vec![reg("r1", "bim", 10, Confirmed)],
                want: (1, 0, 1, false),
            },
            Case {
                why: "two registrations for one certificate count once; a finished exam not at all",
                required: 3,
                held: &[],
                regs: vec![
                    reg("r1", "web", 10, Confirmed),
                    reg("r2", "web", 20, Confirmed),
                    reg("r3", "iot", -5, Confirmed),
                ],
                want: (0, 1, 2, false),
            },
            Case {
                why: "a cancelled registration is no progress",
                required: 1,
                held: &[],
                regs: vec![reg("r1", "web", 10, Cancelled)],
                want: (0, 0, 1, false),
            },
            Case {
                why: "no requirement: met at once, nothing needed",
                required: 0,
                held: &[],
                regs: vec![],
                want: (0, 0, 0, true),
            },
        ];
        for c in cases {
            let held: Vec<(String, XLevel)> =
                c.held.iter().map(|(id, l)| (id.to_string(), *l)).collect();
            let p = graduation_progress(
                &policy(c.required),
                &student(SchoolLevel::Higher, None),
                &held,
                &c.regs,
                now(),
            );
            assert_eq!(
                (p.held, p.registered, p.still_needed, p.met),
                c.want,
                "{}",
                c.why
            );
            assert_eq!(p.required, u32::from(c.required), "{}", c.why);
        }
    }

    #[test]
    fn a_policy_that_counts_no_x_certificates_sees_none() {
        let mut p = policy(1);
        p.counts.clear();
        let held = vec![("bim".to_string(), XLevel::Primary)];
        let regs = vec![reg("r1", "web", 10, Confirmed)];
        let got = graduation_progress(&p, &student(SchoolLevel::Higher, None), &held, &regs, now());
        assert_eq!((got.held, got.registered, got.still_needed), (0, 0, 1));
    }

    #[test]
    fn days_left_count_utc_plus_8_days() {
        let s = student(SchoolLevel::Higher, Some(date(2026, 12, 1)));
        let at = |h, m, sec| {
            let t = Utc.with_ymd_and_hms(2026, 11, 30, h, m, sec).unwrap();
            graduation_progress(&policy(1), &s, &[], &[], t).days_left
        };
        // 2026-11-30 23:59:59 in China: one day to go; a second later it is the day itself.
        assert_eq!(at(15, 59, 59), Some(1));
        assert_eq!(at(16, 0, 0), Some(0));
        // 2026-11-30 07:59 UTC is already the 30th in China, while UTC has been on it for hours.
        assert_eq!(at(0, 0, 0), Some(1));
        let late = Utc.with_ymd_and_hms(2026, 12, 3, 1, 0, 0).unwrap();
        assert_eq!(
            graduation_progress(&policy(1), &s, &[], &[], late).days_left,
            Some(-2)
        );
        let none = graduation_progress(
            &policy(1),
            &student(SchoolLevel::Higher, None),
            &[],
            &[],
            now(),
        );
        assert_eq!((none.graduation_on, none.days_left), (None, None));
    }

    #[test]
    fn rules_validate_and_find_a_school() {
        let rules = GraduationRules {
            version: "1".into(),
            schools: vec![policy(1)],
        };
        assert_eq!(rules.validate(), Ok(()));
        assert!(rules.policy_for(" 示例职业技术学院 ").is_some());
        assert!(rules.policy_for("另一所学校").is_none());
        let mut bad = rules.clone();
        bad.version = " ".into();
        bad.schools.push(policy(21));
        bad.schools[1].counts = vec![CertificateKind::XCertificate; 2];
        bad.schools[1].citations.clear();
        let mut empty = policy(1);
        empty.school = String::new();
        empty.counts.clear();
        empty.citations[0].quote = " ".into();
        bad.schools.push(empty);
        let errs = bad.validate().unwrap_err();
        for want in [
            "version",
            "schools[1].school",
            "schools[1].required_count",
            "schools[1].counts: a kind",
            "schools[1].citations:",
            "schools[2].school: empty",
            "schools[2].counts: a requirement",
            "schools[2].citations[0].quote",
        ] {
            assert!(errs.iter().any(|e| e.starts_with(want)), "{want}: {errs:?}");
        }
        assert_eq!(errs.len(), 8, "{errs:?}");
    }

    #[test]
    fn progress_json_is_stable() {
        let s = student(SchoolLevel::Higher, Some(date(2027, 6, 30)));
        let regs = vec![reg("r1", "web", 10, Confirmed)];
        let p = graduation_progress(&policy(1), &s, &[], &regs, now());
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "required": 1, "held": 0, "registered": 1, "still_needed": 0,
                "graduation_on": "2027-06-30", "days_left": 220, "met": false
            })
        );
        assert_eq!(serde_json::from_value::<GraduationProgress>(v).unwrap(), p);
    }
}
