use super::*;
use crate::rules::fixtures::citation;

fn cite() -> Citation {
    citation("q")
}

fn rule(id: &str, basis: GradeBasis, levels: &[XLevel], grade: SkillGrade) -> GradeRule {
    GradeRule {
        id: id.into(),
        basis,
        x_levels: levels.to_vec(),
        school_levels: vec![],
        certificate_ids: vec![],
        outcome: GradeOutcome::Grade { grade },
        occupation: None,
        conditions: vec![],
        citation: cite(),
    }
}

fn rules(sets: Vec<GradeRuleSet>) -> GradeRules {
    GradeRules {
        version: "t".into(),
        rule_sets: sets,
        general: GeneralConditions {
            note: Bilingual {
                zh: "示例".into(),
                en: "examples".into(),
            },
            grades: vec![],
        },
    }
}

fn set(id: &str, province: &str, from: (i32, u32, u32), r: Vec<GradeRule>) -> GradeRuleSet {
    GradeRuleSet {
        id: id.into(),
        province: province.into(),
        effective_from: NaiveDate::from_ymd_opt(from.0, from.1, from.2).unwrap(),
        citations: vec![cite()],
        prerequisites: Vec::new(),
        period: None,
        rules: r,
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn the_latest_started_set_of_the_province_answers() {
    use GradeBasis::DirectRecognition as D;
    let r = rules(vec![
        set(
            "a1",
            "天津",
            (2020, 1, 1),
            vec![rule("r1", D, &[XLevel::Primary], SkillGrade::G5)],
        ),
        set(
            "a2",
            "天津",
            (2023, 1, 1),
            vec![rule("r2", D, &[XLevel::Primary], SkillGrade::G4)],
        ),
    ]);
    let ask = |on| {
        grade_for(
            &r,
            None,
            XLevel::Primary,
            SchoolLevel::Higher,
            " 天津市 ",
            D,
            on,
        )
    };
    assert_eq!(ask(day(2022, 6, 1)).grade(), Some(SkillGrade::G5));
    assert_eq!(ask(day(2023, 1, 1)).grade(), Some(SkillGrade::G4));
    match ask(day(2019, 12, 31)) {
        GradeAnswer::NoRule { reason, .. } => assert_eq!(
            reason,
            NoRuleReason::NotYetInForce {
                effective_from: day(2020, 1, 1)
            }
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(r.for_province("天津").rule_sets.len(), 2);
    assert!(r.for_province("河北").rule_sets.is_empty());
}

#[test]
fn a_rule_limited_to_certificates_does_not_cover_others() {
    let mut only = rule(
        "r",
        GradeBasis::DirectRecognition,
        &[XLevel::Advanced],
        SkillGrade::G3,
    );
    only.certificate_ids = vec!["c1".into()];
    assert!(only.covers(Some("c1"), XLevel::Advanced, SchoolLevel::Higher));
    assert!(!only.covers(Some("c2"), XLevel::Advanced, SchoolLevel::Higher));
    assert!(!only.covers(None, XLevel::Advanced, SchoolLevel::Higher));
    assert!(!only.covers(Some("c1"), XLevel::Primary, SchoolLevel::Higher));
}

#[test]
fn validation_names_each_problem_with_its_path() {
    use GradeBasis::*;
    let mut no_levels = rule("r2", DirectRecognition, &[], SkillGrade::G3);
    no_levels.citation.quote = " ".into();
    let r = rules(vec![
        set(
            "s",
            "天津",
            (2020, 1, 1),
            vec![
                rule("r1", DirectRecognition, &[XLevel::Primary], SkillGrade::G4),
                no_levels,
            ],
        ),
        set("s", "*", (2020, 1, 1), vec![]),
        set(
            "t",
            "天津",
            (2020, 1, 1),
            vec![rule("r1", Exam, &[], SkillGrade::G5)],
        ),
    ]);
    let errs = r.validate().unwrap_err();
    let want = [
        GradeRuleError::NoLevels {
            path: "rule_sets[0].rules[1].x_levels".into(),
        },
        GradeRuleError::NoCitation {
            path: "rule_sets[0].rules[1].citation.quote".into(),
        },
        GradeRuleError::Overlap {
            path: "rule_sets[0].rules[1]".into(),
            other: "r1".into(),
        },
        GradeRuleError::Repeated {
            path: "rule_sets[1].id".into(),
            id: "s".into(),
        },
        GradeRuleError::Wildcard {
            path: "rule_sets[1].province".into(),
        },
        GradeRuleError::Empty {
            path: "rule_sets[1].rules".into(),
        },
        GradeRuleError::SameStart {
            path: "rule_sets[2].effective_from".into(),
            province: "天津".into(),
            effective_from: "2020-01-01".into(),
        },
        GradeRuleError::Repeated {
            path: "rule_sets[2].rules[0].id".into(),
            id: "r1".into(),
        },
    ];
    assert_eq!(errs, want);
    assert_eq!(
        errs[6].to_string(),
        "rule_sets[2].effective_from: another rule set for 天津 also starts on 2020-01-01"
    );
}

#[test]
fn json_names_are_stable() {
    assert_eq!(
        serde_json::to_string(&GradeBasis::DirectRecognition).unwrap(),
        "\"direct_recognition\""
    );
    for b in GradeBasis::ALL {
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            format!("\"{}\"", b.as_str())
        );
        assert_eq!(GradeBasis::parse(b.as_str()), Some(b));
        assert_eq!(GradeBasis::parse(b.zh()), Some(b));
    }
    let answer = GradeAnswer::NoRule {
        province: "河北".into(),
        route: GradeBasis::Exam,
        reason: NoRuleReason::NotCovered {
            rule_set_id: "s".into(),
        },
        ladder: SkillGrade::ALL,
        general_conditions: rules(vec![]).general,
    };
    let v = serde_json::to_value(&answer).unwrap();
    assert_eq!(v["kind"], "no_rule");
    assert_eq!(v["reason"]["code"], "not_covered");
    assert_eq!(
        v["ladder"],
        serde_json::json!(["g5", "g4", "g3", "g2", "g1"])
    );
    let back: GradeAnswer = serde_json::from_value(v).unwrap();
    assert_eq!(back, answer);
}
