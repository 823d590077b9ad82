//! The shipped graduation policies (`data/rules/graduation.json`) parse, validate, are labelled as
//! the demo schools' example policies, quote their seeds and give the progress the seeds describe.

use chrono::{TimeZone, Utc};
use kaozheng_core::XLevel;
use kaozheng_core::model::{SchoolLevel, Student};
use kaozheng_core::rules::{CertificateKind, GraduationRules, graduation_progress};

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
        pilot: false,
        passed_courses: Vec::new(),
        graduation_on: None,
    }
}

/// Seed 001's sentence in simplified characters, with the seed's punctuation and without the
/// pinyin its copy inserts.
const SEED_001_GRADUATION: &str =
    "原则上,学生毕业时至少取得1个以上职业技能证书,鼓励学生取得不限于所学专业的各类职业技能证书。";

#[test]
fn seed_001_the_henan_school_asks_for_one_certificate_in_principle() {
    let seed = include_str!("../../../data/source/seeds/001.txt");
    // “原則上” (in principle) opens the sentence in the copy.
    assert!(seed.contains("原則上,學生畢業(yè)時至少取得1個以上職業(yè)技能證書"));
    let rules = rules();
    let ha = rules
        .policy_for("河南示例中等职业学校")
        .expect("Henan demo");
    assert!(ha.example && ha.in_principle);
    assert_eq!(ha.required_count, 1);
    assert!(ha.citations.iter().any(|c| c.quote == SEED_001_GRADUATION));
    // Which certificates count: the platform's 1+X results, and the other kinds the notice names.
    assert_eq!(ha.counts, vec![CertificateKind::XCertificate]);
    for kind in ["国家职业资格证书", "专项职业能力证书"] {
        assert!(ha.also_counts_zh.iter().any(|k| k == kind), "{kind}");
    }
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    let held = vec![("c02464a0d471f".to_string(), XLevel::Primary)];
    let p = graduation_progress(ha, &student(&ha.school, "河南"), &held, &[], now);
    assert_eq!((p.held, p.still_needed, p.met), (1, 0, true));
    assert!(rules.policy_for("未知学校").is_none());
}

#[test]
fn the_tianjin_demo_school_cites_its_own_example_rule_not_henans() {
    let rules = rules();
    let tj = rules.policy_for("示例职业技术学院").expect("Tianjin demo");
    assert!(tj.example && tj.in_principle);
    for c in &tj.citations {
        assert_eq!(c.issuer, "示例职业技术学院");
        assert!(c.title.contains("示例数据"));
        assert!(!c.title.contains("河南"));
    }
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    let p = graduation_progress(tj, &student(&tj.school, "天津"), &[], &[], now);
    assert_eq!((p.required, p.still_needed, p.met), (1, 1, false));
}
