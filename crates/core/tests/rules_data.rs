//! The shipped rule tables (`data/rules/`) parse, validate and say what the seeds say.

use chrono::NaiveDate;
use kaozheng_core::model::{FeeReason, Payer, SchoolLevel, Student};
use kaozheng_core::rules::{FeeRules, decide_fee};

fn fees() -> FeeRules {
    let text = include_str!("../../../data/rules/fees.json");
    let rules: FeeRules = serde_json::from_str(text).expect("fees.json parses");
    rules.validate().expect("fees.json validates");
    rules
}

fn student(province: &str, level: SchoolLevel, hardship: bool) -> Student {
    Student {
        student_no: "1".into(),
        name: "n".into(),
        school: "s".into(),
        school_level: level,
        major: None,
        province: province.into(),
        hardship,
        passed_courses: Vec::new(),
        graduation_on: None,
    }
}

#[test]
fn every_fee_policy_quotes_its_source() {
    for p in fees().policies {
        assert!(!p.citations.is_empty(), "{}", p.id);
        for c in &p.citations {
            assert!(c.quote.chars().count() > 10, "{}: {:?}", p.id, c.quote);
        }
    }
}

#[test]
fn shipped_fee_rules_follow_the_seeds() {
    let rules = fees();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    // Seed 001: no fee for in-school students in Henan, even after the school-paid exam is used.
    let henan = rules.policy_for("河南", today);
    let d = decide_fee(
        30_000,
        &student("河南", SchoolLevel::Secondary, false),
        henan,
        true,
    );
    assert_eq!(
        (d.payer, d.reason),
        (Payer::School, FeeReason::InSchoolFree)
    );
    // Seeds 000/002/003: elsewhere the school pays the first exam, then the student pays.
    let tianjin = rules.policy_for("天津", today);
    let s = student("天津", SchoolLevel::Higher, false);
    assert_eq!(
        decide_fee(30_000, &s, tianjin, false).reason,
        FeeReason::SchoolPaidFirstExam
    );
    assert_eq!(decide_fee(30_000, &s, tianjin, true).payer, Payer::Student);
    // Seed 004: 建档立卡 students pay nothing.
    let d = decide_fee(
        30_000,
        &student("山西", SchoolLevel::Higher, true),
        rules.policy_for("山西", today),
        true,
    );
    assert_eq!((d.payer, d.student_pays_fen), (Payer::Waived, 0));
    // Henan's rule did not exist before its notice.
    let before = NaiveDate::from_ymd_opt(2021, 12, 31).unwrap();
    assert!(!rules.policy_for("河南", before).unwrap().in_school_free);
}
