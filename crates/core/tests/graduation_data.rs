//! The shipped graduation policies (`data/rules/graduation.json`) parse, validate, are labelled as
//! the demo schools' example policies, quote their seeds and give the progress the seeds describe.

use chrono::{TimeZone, Utc};
use kaozheng_core::XLevel;
use kaozheng_core::model::{SchoolLevel, Student};
use kaozheng_core::rules::{CertificateKind, GraduationRules, SchoolPaidExam, graduation_progress};

fn rules() -> GraduationRules {
    let text = include_str!("../../../data/rules/graduation.json");
    let rules: GraduationRules = serde_json::from_str(text).expect("graduation.json parses");
    rules.validate().expect("graduation.json validates");
    rules
}

fn student(school: &str, province: &str) -> Student {
    Student {
        student_no: "1".into(),
        name: "n".into(),
        school: school.into(),
        school_level: SchoolLevel::Secondary,
        major: None,
        province: province.into(),
        hardship: false,
        passed_courses: Vec::new(),
        graduation_on: None,
    }
}

/// Seed 001's sentence in simplified characters, with the seed's punctuation and without the
/// pinyin its copy inserts.
const SEED_001_GRADUATION: &str =
    "原则上,学生毕业时至少取得1个以上职业技能证书,鼓励学生取得不限于所学专业的各类职业技能证书。";
/// Seed 002's sentence, verbatim.
const SEED_002_SCHOOL_PAID: &str = "要统筹财政拨款、学费及其他事业收入等办学经费分担培训考核费用，保障试点学生至少参与一个 X 证书的考核。";

#[test]
fn every_policy_is_an_example_that_quotes_seed_001() {
    let rules = rules();
    assert_eq!(rules.schools.len(), 2);
    for p in &rules.schools {
        assert!(p.example, "{} is the demo school's policy", p.school);
        assert_eq!(p.required_count, 1, "{}", p.school);
        assert_eq!(p.counts, vec![CertificateKind::XCertificate]);
        assert!(
            p.citations.iter().any(|c| c.quote == SEED_001_GRADUATION),
            "{}",
            p.school
        );
        for c in &p.citations {
            assert!(c.quote.chars().count() > 10, "{}: {:?}", p.school, c.quote);
            // Simplified characters only: none of the seed's traditional forms.
            assert!(
                !c.quote
                    .chars()
                    .any(|ch| "學證職業個勵類專畢時費".contains(ch)),
                "{:?}",
                c.quote
            );
        }
    }
}

#[test]
fn the_tianjin_demo_school_pays_one_exam_and_henan_charges_none() {
    let rules = rules();
    let tj = rules.policy_for("示例职业技术学院").expect("Tianjin demo");
    assert_eq!(tj.school_paid_exams, 1);
    assert!(tj.citations.iter().any(|c| c.quote == SEED_002_SCHOOL_PAID));
    let ha = rules
        .policy_for("河南示例中等职业学校")
        .expect("Henan demo");
    assert_eq!(ha.school_paid_exams, 0);
    assert!(ha.citations.iter().any(|c| {
        c.quote
            .contains("不得以技能培训、考证、取证的名义向在校学生收取任何费用")
    }));

    let now = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    let p = graduation_progress(tj, &student(&tj.school, "天津"), &[], &[], now);
    assert_eq!((p.required, p.still_needed, p.met), (1, 1, false));
    assert_eq!(p.school_paid, SchoolPaidExam::Unused);
    let held = vec![("c02464a0d471f".to_string(), XLevel::Primary)];
    let p = graduation_progress(ha, &student(&ha.school, "河南"), &held, &[], now);
    assert_eq!((p.held, p.still_needed, p.met), (1, 0, true));
    assert_eq!(p.school_paid, SchoolPaidExam::NotOffered);
    assert!(rules.policy_for("未知学校").is_none());
}
