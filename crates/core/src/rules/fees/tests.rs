use super::*;
use crate::model::SchoolLevel;
use crate::rules::fixtures::{self, citation};

fn cite() -> Vec<Citation> {
    vec![citation("q")]
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn policy(id: &str, scope: Scope, from: NaiveDate, rule: FeeRule) -> FeePolicy {
    FeePolicy {
        id: id.into(),
        scope,
        effective_from: from,
        example: false,
        rule,
        citations: cite(),
    }
}

fn prov(p: &str) -> Scope {
    Scope::Province(p.into())
}

fn student(level: SchoolLevel, province: &str) -> Student {
    Student {
        school: "某校".into(),
        province: province.into(),
        pilot: false,
        ..fixtures::student(level)
    }
}

fn rules(policies: Vec<FeePolicy>) -> FeeRules {
    FeeRules {
        version: "t".into(),
        policies,
    }
}

fn who(d: &FeeDecision) -> (Payer, FeeReason, Option<&str>, u32) {
    (d.payer, d.reason, d.policy.as_deref(), d.student_pays_fen)
}

#[test]
fn another_provinces_rule_is_never_applied() {
    let r = rules(vec![
        policy(
            "sx",
            prov("山西"),
            day(2020, 12, 31),
            FeeRule::HardshipWaiver,
        ),
        policy(
            "ha",
            prov("河南"),
            day(2022, 1, 5),
            FeeRule::InSchoolNotCharged,
        ),
        policy(
            "ah",
            prov("安徽"),
            day(2021, 8, 27),
            FeeRule::PilotExamCovered { exams: None },
        ),
    ]);
    let mut s = student(SchoolLevel::Higher, "天津");
    s.hardship = true;
    s.pilot = true;
    let d = decide_fee(30_000, &s, Some(&r), 0, day(2026, 12, 1));
    assert_eq!(who(&d), (Payer::Student, FeeReason::Standard, None, 30_000));
    assert!(r.for_student(&s, day(2026, 12, 1)).is_empty());
}

#[test]
fn a_province_is_matched_whatever_name_the_student_record_uses() {
    let r = rules(vec![policy(
        "ha",
        prov("河南"),
        day(2022, 1, 5),
        FeeRule::InSchoolNotCharged,
    )]);
    for name in ["河南", "河南省", "Henan"] {
        let d = decide_fee(
            30_000,
            &student(SchoolLevel::Secondary, name),
            Some(&r),
            0,
            day(2026, 1, 1),
        );
        assert_eq!(
            who(&d),
            (Payer::NotCharged, FeeReason::InSchoolFree, Some("ha"), 0),
            "{name}"
        );
    }
}

#[test]
fn a_rule_takes_effect_only_from_its_day() {
    let r = rules(vec![policy(
        "ha",
        prov("河南"),
        day(2022, 1, 5),
        FeeRule::InSchoolNotCharged,
    )]);
    let s = student(SchoolLevel::Secondary, "河南");
    assert_eq!(
        decide_fee(100, &s, Some(&r), 0, day(2022, 1, 4)).payer,
        Payer::Student
    );
    assert_eq!(
        decide_fee(100, &s, Some(&r), 0, day(2022, 1, 5)).payer,
        Payer::NotCharged
    );
}

#[test]
fn social_learners_meet_no_student_rule() {
    let r = rules(vec![
        policy(
            "ha",
            prov("河南"),
            day(2022, 1, 5),
            FeeRule::InSchoolNotCharged,
        ),
        policy(
            "ha-h",
            prov("河南"),
            day(2022, 1, 5),
            FeeRule::HardshipWaiver,
        ),
    ]);
    let mut s = student(SchoolLevel::Social, "河南");
    s.hardship = true;
    let d = decide_fee(30_000, &s, Some(&r), 0, day(2026, 1, 1));
    assert_eq!(who(&d), (Payer::Student, FeeReason::Standard, None, 30_000));
}

#[test]
fn pilot_students_get_at_least_one_funded_exam_and_the_school_decides_more() {
    let r = rules(vec![
        policy(
            "tj",
            prov("天津"),
            day(2021, 12, 31),
            FeeRule::PilotExamCovered { exams: None },
        ),
        policy(
            "school",
            Scope::School("某校".into()),
            day(2022, 1, 1),
            FeeRule::PilotExamCovered { exams: Some(2) },
        ),
    ]);
    let on = day(2026, 12, 1);
    let mut s = student(SchoolLevel::Higher, "天津");
    s.school = "别校".into();
    assert_eq!(
        who(&decide_fee(100, &s, Some(&r), 0, on)),
        (Payer::Student, FeeReason::NotPilotStudent, Some("tj"), 100)
    );
    s.pilot = true;
    assert_eq!(
        who(&decide_fee(100, &s, Some(&r), 0, on)),
        (Payer::School, FeeReason::PilotExamCovered, Some("tj"), 0)
    );
    assert_eq!(
        who(&decide_fee(100, &s, Some(&r), 1, on)),
        (
            Payer::Student,
            FeeReason::PilotCoverageUsed,
            Some("tj"),
            100
        )
    );
    // The school's own policy funds two.
    s.school = "某校".into();
    assert_eq!(
        decide_fee(100, &s, Some(&r), 1, on).reason,
        FeeReason::PilotExamCovered
    );
    assert_eq!(
        decide_fee(100, &s, Some(&r), 1, on).policy.as_deref(),
        Some("school")
    );
    assert_eq!(
        decide_fee(100, &s, Some(&r), 2, on).reason,
        FeeReason::PilotCoverageUsed
    );
    assert_eq!(
        coverage(&r, &s, on, 1),
        Coverage::Funded {
            policy_id: "school".into(),
            exams: Some(2),
            used: 1
        }
    );
    assert_eq!(coverage(&r, &s, on, 1).left(), 1);
}

#[test]
fn no_rules_means_the_student_pays_the_plans_fee() {
    let d = decide_fee(
        25_000,
        &student(SchoolLevel::Higher, "天津"),
        None,
        0,
        day(2026, 1, 1),
    );
    assert_eq!(who(&d), (Payer::Student, FeeReason::Standard, None, 25_000));
}

#[test]
fn validation_refuses_unknown_provinces_early_starts_and_duplicates() {
    let mut r = rules(vec![
        policy(
            "a",
            prov("河南省"),
            day(2022, 1, 5),
            FeeRule::InSchoolNotCharged,
        ),
        policy(
            "b",
            prov("火星"),
            day(2022, 1, 5),
            FeeRule::InSchoolNotCharged,
        ),
        policy(
            "c",
            Scope::School(" ".into()),
            day(2022, 1, 5),
            FeeRule::PilotExamCovered { exams: Some(0) },
        ),
    ]);
    r.normalize();
    assert_eq!(r.policies[0].scope, prov("河南"));
    let errs = r.validate().unwrap_err();
    assert_eq!(errs.len(), 3, "{errs:?}");
    let mut early = rules(vec![policy(
        "t",
        prov("天津"),
        day(2021, 6, 1),
        FeeRule::UniformFee,
    )]);
    early.policies[0].citations[0].document_no = Some("津教职函〔2021〕46号".into());
    assert!(early.validate().unwrap_err()[0].contains("before its notice"));
    early.policies[0].effective_from = day(2021, 12, 31);
    assert_eq!(early.validate(), Ok(()));
    early.policies.push(early.policies[0].clone());
    early.policies[1].id = "t2".into();
    assert!(early.validate().unwrap_err()[0].contains("same day"));
}

#[test]
fn the_latest_started_policy_of_a_scope_applies() {
    let r = rules(vec![
        policy(
            "old",
            prov("天津"),
            day(2021, 12, 31),
            FeeRule::PilotExamCovered { exams: None },
        ),
        policy(
            "new",
            prov("天津"),
            day(2024, 1, 1),
            FeeRule::PilotExamCovered { exams: Some(3) },
        ),
    ]);
    let mut s = student(SchoolLevel::Higher, "天津");
    s.pilot = true;
    assert_eq!(
        decide_fee(1, &s, Some(&r), 0, day(2023, 1, 1))
            .policy
            .as_deref(),
        Some("old")
    );
    assert_eq!(
        decide_fee(1, &s, Some(&r), 2, day(2025, 1, 1))
            .policy
            .as_deref(),
        Some("new")
    );
    assert_eq!(r.for_student(&s, day(2025, 1, 1)).len(), 1);
}
