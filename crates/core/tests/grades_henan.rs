//! The shipped grade rules (`data/rules/grades.json`) say what Henan's notice says (seed 001,
//! 河南省教育系统落实“人人持证、技能河南”建设工作任务实施方案, 2022-01-05), and nothing about any other
//! province.

use chrono::NaiveDate;
use kaozheng_core::model::{SchoolLevel, SkillGrade, XLevel};
use kaozheng_core::rules::{GradeAnswer, GradeBasis, GradeRules, NoRuleReason, grade_for};

const HENAN_TITLE: &str = "河南省教育系统落实“人人持证、技能河南”建设工作任务实施方案";

fn rules() -> GradeRules {
    let text = include_str!("../../../data/rules/grades.json");
    let rules: GradeRules = serde_json::from_str(text).expect("grades.json parses");
    rules.validate().expect("grades.json validates");
    rules
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// What a case expects: a grade from a rule, a description from a rule, or no rule.
enum Want {
    Grade(SkillGrade, &'static str),
    Described(&'static str),
    NoRule(NoRuleReason),
}

struct Case {
    /// The rule checked, with the words of seed 001 it encodes.
    rule: &'static str,
    level: XLevel,
    school: SchoolLevel,
    route: GradeBasis,
    province: &'static str,
    on: NaiveDate,
    want: Want,
}

#[test]
fn every_henan_rule_of_seed_001_answers_as_the_notice_says() {
    use GradeBasis::*;
    use SchoolLevel::*;
    use XLevel::*;
    let today = day(2026, 11, 23);
    let case = |rule, level, school, route, want| Case {
        rule,
        level,
        school,
        route,
        province: "河南",
        on: today,
        want,
    };
    let g3_direct = Want::Grade(SkillGrade::G3, "henan-2022-direct-intermediate-advanced");
    let cases = vec![
        // (2) 直接认定: "取得1+X高级、中级证书的认定高级工,取得1+X初级证书的认定中级工"
        case(
            "direct: 1+X 高级 → 高级工",
            Advanced,
            Higher,
            DirectRecognition,
            g3_direct,
        ),
        case(
            "direct: 1+X 中级 → 高级工",
            Intermediate,
            Higher,
            DirectRecognition,
            Want::Grade(SkillGrade::G3, "henan-2022-direct-intermediate-advanced"),
        ),
        case(
            "direct: 1+X 中级 → 高级工 whatever the school level (中职)",
            Intermediate,
            Secondary,
            DirectRecognition,
            Want::Grade(SkillGrade::G3, "henan-2022-direct-intermediate-advanced"),
        ),
        case(
            "direct: 1+X 高级 → 高级工 (本科)",
            Advanced,
            Undergraduate,
            DirectRecognition,
            Want::Grade(SkillGrade::G3, "henan-2022-direct-intermediate-advanced"),
        ),
        case(
            "direct: 1+X 初级 → 中级工",
            Primary,
            Higher,
            DirectRecognition,
            Want::Grade(SkillGrade::G4, "henan-2022-direct-primary"),
        ),
        case(
            "direct: 1+X 初级 → 中级工 (中职)",
            Primary,
            Secondary,
            DirectRecognition,
            Want::Grade(SkillGrade::G4, "henan-2022-direct-primary"),
        ),
        // (3) 过程化考核: "本科层次、专科层次学生可认定高级工,中等职业学校学生可认定中级工"
        case(
            "process: 专科 → 高级工",
            Primary,
            Higher,
            ProcessAssessment,
            Want::Grade(SkillGrade::G3, "henan-2022-process-higher-undergraduate"),
        ),
        case(
            "process: 本科 → 高级工",
            Intermediate,
            Undergraduate,
            ProcessAssessment,
            Want::Grade(SkillGrade::G3, "henan-2022-process-higher-undergraduate"),
        ),
        case(
            "process: 中职 → 中级工, whatever the 1+X level",
            Advanced,
            Secondary,
            ProcessAssessment,
            Want::Grade(SkillGrade::G4, "henan-2022-process-secondary"),
        ),
        // (1) 考试考核: the grade is the one examined, so the rule is described, not computed.
        case(
            "exam: described, no grade fixed",
            Intermediate,
            Higher,
            Exam,
            Want::Described("henan-2022-exam-higher-undergraduate"),
        ),
        case(
            "exam: 优秀中职毕业生可参加高级工等级考试考核",
            Intermediate,
            Secondary,
            Exam,
            Want::Described("henan-2022-exam-secondary"),
        ),
        // (4) 竞赛取证: "向竞赛成绩符合条件的师生颁发职业技能等级证书" — no grade named.
        case(
            "competition: described, no grade fixed",
            Primary,
            Undergraduate,
            Competition,
            Want::Described("henan-2022-competition"),
        ),
        // "学生通过以下四种方式": the ways are for students of the institutions, not social learners.
        case(
            "direct: social learners are not covered",
            Advanced,
            Social,
            DirectRecognition,
            Want::NoRule(NoRuleReason::NotCovered {
                rule_set_id: "henan-2022".into(),
            }),
        ),
        case(
            "process: social learners are not covered",
            Advanced,
            Social,
            ProcessAssessment,
            Want::NoRule(NoRuleReason::NotCovered {
                rule_set_id: "henan-2022".into(),
            }),
        ),
        Case {
            rule: "effective_from 2022-01-05: the day before, no rule",
            on: day(2022, 1, 4),
            ..case(
                "",
                Advanced,
                Higher,
                DirectRecognition,
                Want::NoRule(NoRuleReason::NotYetInForce {
                    effective_from: day(2022, 1, 5),
                }),
            )
        },
        Case {
            rule: "effective_from 2022-01-05: in force that day",
            on: day(2022, 1, 5),
            ..case(
                "",
                Advanced,
                Higher,
                DirectRecognition,
                Want::Grade(SkillGrade::G3, "henan-2022-direct-intermediate-advanced"),
            )
        },
        Case {
            rule: "other provinces: no rule is known, none is borrowed from Henan",
            province: "天津",
            ..case(
                "",
                Advanced,
                Higher,
                DirectRecognition,
                Want::NoRule(NoRuleReason::NoProvinceRules),
            )
        },
    ];
    let rules = rules();
    for c in cases {
        let got = grade_for(&rules, None, c.level, c.school, c.province, c.route, c.on);
        assert_eq!(got.route(), c.route, "{}", c.rule);
        match (&c.want, &got) {
            (
                Want::Grade(grade, id),
                GradeAnswer::Grade {
                    grade: g,
                    rule_id,
                    occupation,
                    citation,
                    conditions,
                    ..
                },
            ) => {
                assert_eq!((g, rule_id.as_str()), (grade, *id), "{}", c.rule);
                assert_eq!(*occupation, None, "{}", c.rule);
                assert_eq!(citation.title, HENAN_TITLE, "{}", c.rule);
                assert!(!conditions.is_empty(), "{}", c.rule);
            }
            (
                Want::Described(id),
                GradeAnswer::Described {
                    rule_id, citation, ..
                },
            ) => {
                assert_eq!(rule_id, id, "{}", c.rule);
                assert_eq!(citation.title, HENAN_TITLE, "{}", c.rule);
                assert_eq!(got.grade(), None, "{}", c.rule);
            }
            (
                Want::NoRule(reason),
                GradeAnswer::NoRule {
                    reason: r,
                    ladder,
                    general_conditions,
                    province,
                    ..
                },
            ) => {
                assert_eq!(r, reason, "{}", c.rule);
                assert_eq!(province, c.province, "{}", c.rule);
                assert_eq!(*ladder, SkillGrade::ALL, "{}", c.rule);
                assert_eq!(*general_conditions, rules.general, "{}", c.rule);
            }
            _ => panic!("{}: got {got:?}", c.rule),
        }
    }
}

#[test]
fn seed_001_exam_route_tells_secondary_students_about_the_senior_worker_exam() {
    let rules = rules();
    let on = day(2026, 11, 23);
    let text = |school| match grade_for(
        &rules,
        None,
        XLevel::Primary,
        school,
        "河南",
        GradeBasis::Exam,
        on,
    ) {
        GradeAnswer::Described { text_zh, .. } => text_zh,
        other => panic!("{other:?}"),
    };
    assert!(
        text(SchoolLevel::Secondary)
            .contains("优秀中等职业学校毕业生（含毕业学年学生）可参加高级工")
    );
    assert!(!text(SchoolLevel::Higher).contains("高级工等级考试"));
}

#[test]
fn seed_001_process_assessment_states_who_qualifies() {
    // "对相关专业课程理论知识考试和技能操作考核均合格的毕业生或毕业学年学生可认定"
    let rules = rules();
    let answer = grade_for(
        &rules,
        None,
        XLevel::Primary,
        SchoolLevel::Higher,
        "河南",
        GradeBasis::ProcessAssessment,
        day(2026, 11, 23),
    );
    let GradeAnswer::Grade { conditions, .. } = answer else {
        panic!("{answer:?}")
    };
    let zh: Vec<&str> = conditions.iter().map(|c| c.zh.as_str()).collect();
    assert!(zh.contains(&"相关专业课程理论知识考试和技能操作考核均合格"));
    assert!(zh.contains(&"毕业生或毕业学年学生"));
}

#[test]
fn the_certificate_does_not_change_henans_answer() {
    // The notice covers every 1+X certificate ("取得1+X证书的学生").
    let rules = rules();
    let ask = |cert| {
        grade_for(
            &rules,
            cert,
            XLevel::Intermediate,
            SchoolLevel::Higher,
            "河南",
            GradeBasis::DirectRecognition,
            day(2026, 11, 23),
        )
    };
    assert_eq!(ask(None), ask(Some("c02464a0d471f")));
}

#[test]
fn without_a_provincial_rule_the_answer_carries_the_ladder_and_sourced_conditions() {
    let rules = rules();
    let answer = grade_for(
        &rules,
        None,
        XLevel::Advanced,
        SchoolLevel::Higher,
        "江苏",
        GradeBasis::ProcessAssessment,
        day(2026, 11, 23),
    );
    let GradeAnswer::NoRule {
        general_conditions, ..
    } = &answer
    else {
        panic!("{answer:?}")
    };
    // platform_facts.json: skill_grade_application_conditions_examples, with their sources.
    let by_grade = |g| {
        general_conditions
            .grades
            .iter()
            .find(|c| c.grade == g)
            .unwrap_or_else(|| panic!("{g:?}"))
    };
    assert_eq!(
        by_grade(SkillGrade::G5).conditions_zh,
        ["年满16周岁，拟从事或从事本职业或相关职业工作"]
    );
    assert_eq!(
        by_grade(SkillGrade::G4).source.url,
        "http://pxc.hncc.edu.cn/info/1015/1712.htm"
    );
    assert_eq!(by_grade(SkillGrade::G4).conditions_zh.len(), 3);
    assert_eq!(
        by_grade(SkillGrade::G3).source.url,
        "https://m.houxue.com/sz/kecheng-998242.html"
    );
    assert!(matches!(&answer, GradeAnswer::NoRule { province, .. } if province == "江苏"));
    let json = serde_json::to_value(&answer).unwrap();
    assert_eq!(json["kind"], "no_rule");
    assert_eq!(json["reason"]["code"], "no_province_rules");
}

#[test]
fn every_grade_rule_quotes_the_henan_notice() {
    let rules = rules();
    assert_eq!(rules.rule_sets.len(), 1, "only Henan's rule is known");
    let set = &rules.rule_sets[0];
    assert_eq!(
        (set.province.as_str(), set.effective_from),
        ("河南", day(2022, 1, 5))
    );
    for rule in &set.rules {
        assert_eq!(rule.citation.title, HENAN_TITLE, "{}", rule.id);
        assert_eq!(rule.citation.issuer, "河南省教育厅", "{}", rule.id);
    }
    let quote = |id: &str| {
        set.rules
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.citation.quote.as_str())
            .unwrap()
    };
    assert!(quote("henan-2022-direct-primary").contains("取得1+X初级证书的认定中级工"));
    assert!(
        quote("henan-2022-direct-intermediate-advanced")
            .contains("取得1+X高级、中级证书的认定高级工")
    );
    assert!(quote("henan-2022-process-secondary").contains("中等职业学校学生可认定中级工"));
    assert!(
        quote("henan-2022-process-higher-undergraduate")
            .contains("本科层次、专科层次学生可认定高级工")
    );
    assert!(quote("henan-2022-competition").starts_with("(4)竞赛取证"));
    // Four ways, each answered for every in-school level.
    for route in GradeBasis::ALL {
        for school in [
            SchoolLevel::Secondary,
            SchoolLevel::Higher,
            SchoolLevel::Undergraduate,
        ] {
            let a = grade_for(
                &rules,
                None,
                XLevel::Primary,
                school,
                "河南",
                route,
                day(2026, 1, 1),
            );
            assert!(
                !matches!(a, GradeAnswer::NoRule { .. }),
                "{route:?} {school:?}"
            );
        }
    }
}
