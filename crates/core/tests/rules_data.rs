//! The shipped fee and eligibility rules (`data/rules/`) parse, validate and do what the seeds say,
//! no more: each test quotes the sentence its behaviour rests on.

use chrono::{NaiveDate, TimeZone, Utc};
use kaozheng_core::model::{FeeReason, Payer, SchoolLevel, Student};
use kaozheng_core::rules::{
    Coverage, EligibilityRules, FeeRule, FeeRules, Scope, coverage, decide_fee,
    uniform_fee_conflicts,
};
use kaozheng_core::{ExamPlan, PlanPhase, XLevel};

const SEED_000: &str = include_str!("../../../data/source/seeds/000.txt");
const SEED_001: &str = include_str!("../../../data/source/seeds/001.txt");
const SEED_002: &str = include_str!("../../../data/source/seeds/002.txt");
const SEED_003: &str = include_str!("../../../data/source/seeds/003.txt");
const SEED_004: &str = include_str!("../../../data/source/seeds/004.txt");

fn fees() -> FeeRules {
    let text = include_str!("../../../data/rules/fees.json");
    let rules: FeeRules = serde_json::from_str(text).expect("fees.json parses");
    rules.validate().expect("fees.json validates");
    rules
}

fn student(province: &str, level: SchoolLevel) -> Student {
    Student {
        student_no: "1".into(),
        name: "n".into(),
        school: "某职业学校".into(),
        school_level: level,
        major: None,
        province: province.into(),
        hardship: false,
        pilot: false,
        passed_courses: Vec::new(),
        graduation_on: None,
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
}

/// The seed sentence, found in the copy (seed 001 with its inserted pinyin removed).
fn says(seed: &str, sentence: &str) {
    let plain: String = strip_pinyin(seed).split_whitespace().collect();
    let sentence: String = sentence.split_whitespace().collect();
    assert!(
        plain.contains(&sentence),
        "the seed does not say {sentence:?}"
    );
}

fn strip_pinyin(s: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    let mut group = String::new();
    for c in s.chars() {
        if c == '(' {
            skip = true;
            group.clear();
            group.push(c);
            continue;
        }
        if skip {
            group.push(c);
            if c == ')' {
                skip = false;
                let inner = &group[1..group.len() - 1];
                let pinyin = !inner.is_empty()
                    && inner
                        .chars()
                        .all(|l| l.is_ascii_lowercase() || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü".contains(l));
                if !pinyin {
                    out.push_str(&group);
                }
            } else if !(c.is_ascii_lowercase() || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü".contains(c))
            {
                skip = false;
                out.push_str(&group);
            }
            continue;
        }
        out.push(c);
    }
    out
}

#[test]
fn seed_001_henan_in_school_students_are_not_charged_and_nobody_is_said_to_pay() {
    says(
        SEED_001,
        "各地、各院校不得以技能培訓、考證、取證的名義向在校學生收取任何費用。",
    );
    let rules = fees();
    for name in ["河南", "河南省", "Henan"] {
        let d = decide_fee(
            30_000,
            &student(name, SchoolLevel::Secondary),
            Some(&rules),
            3,
            today(),
        );
        assert_eq!(
            (d.payer, d.reason, d.student_pays_fen),
            (Payer::NotCharged, FeeReason::InSchoolFree, 0),
            "{name}"
        );
        assert_eq!(
            d.policy.as_deref(),
            Some("henan-2022-in-school-not-charged")
        );
    }
    // The notice speaks of in-school students: a social learner pays.
    let d = decide_fee(
        30_000,
        &student("河南", SchoolLevel::Social),
        Some(&rules),
        0,
        today(),
    );
    assert_eq!((d.payer, d.student_pays_fen), (Payer::Student, 30_000));
    // Not before the notice.
    let before = NaiveDate::from_ymd_opt(2022, 1, 4).unwrap();
    let d = decide_fee(
        1,
        &student("河南", SchoolLevel::Secondary),
        Some(&rules),
        0,
        before,
    );
    assert_eq!(d.payer, Payer::Student);
}

#[test]
fn seed_004_the_hardship_waiver_is_shanxis_and_keeps_its_deng() {
    says(
        SEED_004,
        "培训评价组织对建档立卡等家庭经济困难学生参加职业技能等级证书考核免收有关考核费用。",
    );
    let rules = fees();
    let mut s = student("山西", SchoolLevel::Higher);
    s.hardship = true;
    let d = decide_fee(30_000, &s, Some(&rules), 0, today());
    assert_eq!(
        (d.payer, d.reason, d.student_pays_fen),
        (Payer::Waived, FeeReason::HardshipWaiver, 0)
    );
    // Every other province: no waiver without its own rule.
    for province in ["天津", "河北", "安徽", "江苏"] {
        let mut s = student(province, SchoolLevel::Higher);
        s.hardship = true;
        let d = decide_fee(30_000, &s, Some(&rules), 0, today());
        assert_ne!(d.reason, FeeReason::HardshipWaiver, "{province}");
    }
    // A social learner is not a 学生 of the notice.
    let mut social = student("山西", SchoolLevel::Social);
    social.hardship = true;
    assert_eq!(
        decide_fee(30_000, &social, Some(&rules), 0, today()).payer,
        Payer::Student
    );
    // The notice is numbered 〔2020〕: the waiver starts at the end of 2020, never before.
    let p = rules.policy("shanxi-2020-hardship-waiver").unwrap();
    assert_eq!(
        p.effective_from,
        NaiveDate::from_ymd_opt(2020, 12, 31).unwrap()
    );
}

#[test]
fn seeds_000_002_003_pilot_students_get_at_least_one_funded_exam() {
    says(
        SEED_000,
        "要统筹财政拨款、学费及其他事业收入等办学经费分担培训考核费用,保障试点学生至少参与一个职业技能等级证书的考核。",
    );
    says(
        SEED_002,
        "要统筹财政拨款、学费及其他事业收入等办学经费分担培训考核费用，保障试点学生至少参与一个 X 证书的考核。",
    );
    says(
        SEED_003,
        "保障参与试点项目相关专业学生至少参加一次职业技能等级证书的考证。",
    );
    let rules = fees();
    for province in ["天津", "安徽"] {
        let mut s = student(province, SchoolLevel::Higher);
        // Not a pilot student: the guarantee is not theirs.
        let d = decide_fee(30_000, &s, Some(&rules), 0, today());
        assert_eq!(
            (d.payer, d.reason),
            (Payer::Student, FeeReason::NotPilotStudent),
            "{province}"
        );
        s.pilot = true;
        let d = decide_fee(30_000, &s, Some(&rules), 0, today());
        assert_eq!(
            (d.payer, d.reason, d.student_pays_fen),
            (Payer::School, FeeReason::PilotExamCovered, 0),
            "{province}"
        );
        // “At least one”: more is the school's decision, so the next exam is not promised.
        let d = decide_fee(30_000, &s, Some(&rules), 1, today());
        assert_eq!(
            (d.payer, d.reason),
            (Payer::Student, FeeReason::PilotCoverageUsed)
        );
        assert!(matches!(
            coverage(&rules, &s, today(), 0),
            Coverage::Funded { exams: None, .. }
        ));
    }
    // The Jiangsu notice is one school's: its students only.
    let mut s = student("江苏", SchoolLevel::Higher);
    s.pilot = true;
    assert_eq!(
        decide_fee(1, &s, Some(&rules), 0, today()).reason,
        FeeReason::Standard
    );
    s.school = "江苏财经职业技术学院".into();
    assert_eq!(
        decide_fee(1, &s, Some(&rules), 0, today()).reason,
        FeeReason::PilotExamCovered
    );
    // Anhui's notice is dated 2021-08-27: nothing before it.
    let mut ah = student("安徽", SchoolLevel::Higher);
    ah.pilot = true;
    let before = NaiveDate::from_ymd_opt(2021, 8, 26).unwrap();
    assert_eq!(
        decide_fee(1, &ah, Some(&rules), 0, before).reason,
        FeeReason::Standard
    );
}

#[test]
fn seeds_000_002_one_fee_per_certificate_level_in_anhui_and_tianjin_only() {
    says(SEED_000, "同一证书考核费用在皖执行统一标准。");
    says(SEED_002, "同一证书考核费用在津执行统一标准。");
    let rules = fees();
    let kinds: Vec<_> = rules
        .policies
        .iter()
        .filter(|p| p.rule == FeeRule::UniformFee)
        .map(|p| p.scope.clone())
        .collect();
    assert_eq!(
        kinds,
        vec![
            Scope::Province("安徽".into()),
            Scope::Province("天津".into())
        ]
    );
    let plan = |id: &str, province: &str, fee: u32| ExamPlan {
        id: id.into(),
        name: id.into(),
        certificate_id: "c1".into(),
        level: XLevel::Primary,
        province: province.into(),
        site_id: "s".into(),
        phase: PlanPhase::Published,
        window_opens_at: Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap(),
        window_closes_at: Utc.with_ymd_and_hms(2026, 12, 10, 1, 0, 0).unwrap(),
        exam_starts_at: Utc.with_ymd_and_hms(2026, 12, 20, 1, 0, 0).unwrap(),
        exam_ends_at: Utc.with_ymd_and_hms(2026, 12, 20, 3, 0, 0).unwrap(),
        capacity: 10,
        seats_left: 10,
        fee_fen: fee,
        payment: None,
    };
    let plans = vec![
        plan("a", "天津", 30_000),
        plan("b", "天津市", 32_000),
        plan("c", "河南", 30_000),
        plan("d", "河南", 35_000),
    ];
    let got = uniform_fee_conflicts(&rules, &plans, &[]);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].index, got[0].other_plan.as_str()), (1, "a"));
    assert_eq!(got[0].policy_id, "tianjin-2021-uniform-fee");
    // Against stored plans too; a plan being replaced by the import does not count.
    let stored = vec![plan("x", "安徽", 20_000), plan("c", "河南", 1)];
    let got = uniform_fee_conflicts(&rules, &[plan("y", "安徽", 21_000)], &stored);
    assert_eq!(got[0].other_plan, "x");
    assert!(uniform_fee_conflicts(&rules, &[plan("x", "安徽", 21_000)], &stored).is_empty());
}

#[test]
fn no_rule_is_borrowed_and_where_none_applies_the_student_pays_the_plans_fee() {
    let rules = fees();
    for province in ["北京", "河北", "广东", "新疆"] {
        let mut s = student(province, SchoolLevel::Secondary);
        s.pilot = true;
        s.hardship = true;
        let d = decide_fee(30_000, &s, Some(&rules), 0, today());
        assert_eq!(
            (d.payer, d.reason, d.policy),
            (Payer::Student, FeeReason::Standard, None),
            "{province}"
        );
        assert!(rules.for_student(&s, today()).is_empty(), "{province}");
    }
    // Henan's student sees Henan's rule only.
    let s = student("河南省", SchoolLevel::Secondary);
    let seen: Vec<_> = rules
        .for_student(&s, today())
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(seen, vec!["henan-2022-in-school-not-charged"]);
}

#[test]
fn every_fee_policy_starts_no_earlier_than_its_notice() {
    for p in fees().policies {
        for c in &p.citations {
            if let Some(by) = c.issued_by() {
                assert!(p.effective_from >= by, "{}", p.id);
            }
        }
    }
}

#[test]
fn seed_004_no_school_restriction_is_shipped() {
    says(
        SEED_004,
        "中等职业学校、高等职业学校可结合初级、中级、高级职业技能等级开展培训评价工作",
    );
    let text = include_str!("../../../data/rules/eligibility.json");
    let rules: EligibilityRules = serde_json::from_str(text).expect("eligibility.json parses");
    assert_eq!(rules.validate(), Ok(()));
    assert!(rules.restrictions.is_empty());
}
