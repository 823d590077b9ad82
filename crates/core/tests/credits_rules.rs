//! Each credit-conversion rule on small hand-made tables. Sources: the Hunan college's X证书课程转换办法
//! (8 credits per certificate, one course per certificate, 初级 → 专业基础课, 中级 → 专业核心课, 高级 →
//! both), 广东职业技术学院 (≤ 50 % of graduation credits; same or similar certificates once, at the
//! highest level), seed 003 (passed courses exempt part or all of an assessment).

use kaozheng_core::model::{Module, XLevel};
use kaozheng_core::order;
use kaozheng_core::rules::{
    ConversionKind, ConversionRule, Course, CourseCategory, CreditAccount, CreditCaps,
    CreditRuleError, CreditRules, Credits, ExemptionRule, LevelScope, ModuleExemption, RefusalWhy,
    SchoolCreditPolicy, credit_account, exempted_modules, exemptions_for, what_if,
};

use CourseCategory::{Core, Foundation};

/// Certificates held, as (certificate id, level).
type Held<'a> = &'a [(&'a str, XLevel)];
use XLevel::{Advanced, Intermediate, Primary};

fn c(tenths: u32) -> Credits {
    Credits::from_tenths(tenths)
}

/// A rule `id` of `cert` from `min` up for course `code`.
fn rule(
    id: &str,
    cert: &str,
    min: XLevel,
    code: &str,
    cat: CourseCategory,
    tenths: u32,
) -> ConversionRule {
    ConversionRule {
        id: id.into(),
        certificate_id: cert.into(),
        min_level: min,
        course: Course {
            code: code.into(),
            name: format!("课程{code}"),
            category: cat,
            credits: c(tenths),
        },
        kind: ConversionKind::Credits,
    }
}

/// The Hunan level table, 8 credits per certificate, 50 % of 140 credits.
fn policy(conversions: Vec<ConversionRule>, similar: &[&[&str]]) -> SchoolCreditPolicy {
    SchoolCreditPolicy {
        school: "测试学院".into(),
        major: None,
        example: true,
        graduation_credits: Credits::whole(140),
        caps: CreditCaps {
            max_credits_per_certificate: Credits::whole(8),
            total_share_percent: 50,
        },
        levels: vec![
            LevelScope {
                level: Primary,
                categories: vec![Foundation],
            },
            LevelScope {
                level: Intermediate,
                categories: vec![Core],
            },
            LevelScope {
                level: Advanced,
                categories: vec![Foundation, Core],
            },
        ],
        conversions,
        exemptions: vec![],
        similar_groups: similar
            .iter()
            .map(|g| g.iter().map(|s| s.to_string()).collect())
            .collect(),
        citations: vec![kaozheng_core::rules::Citation {
            title: "t".into(),
            issuer: "i".into(),
            document_no: None,
            issued_on: None,
            url: None,
            quote: "q".into(),
            added: Vec::new(),
        }],
    }
}

fn account(p: &SchoolCreditPolicy, held: &[(&str, XLevel)], courses: &[&str]) -> CreditAccount {
    let held: Vec<(String, XLevel)> = held.iter().map(|(c, l)| (c.to_string(), *l)).collect();
    let courses: Vec<String> = courses.iter().map(|c| c.to_string()).collect();
    let acc = credit_account(p, &held, &courses);
    // Each conversion names the rule, course and credits its message is made from.
    for a in &acc.applied {
        let rule = p.conversions.iter().find(|r| r.id == a.rule_id).unwrap();
        assert_eq!(
            (&a.course, a.kind, a.credits),
            (&rule.course, rule.kind, rule.course.credits)
        );
    }
    for r in &acc.refused {
        let rule = p.conversions.iter().find(|x| x.id == r.rule_id).unwrap();
        assert_eq!(r.course, rule.course, "{r:?}");
    }
    acc
}

fn applied(acc: &CreditAccount) -> Vec<&str> {
    let mut ids: Vec<&str> = acc.applied.iter().map(|a| a.rule_id.as_str()).collect();
    order::sort(&mut ids);
    ids
}

fn why<'a>(acc: &'a CreditAccount, rule_id: &str) -> &'a RefusalWhy {
    &acc.refused
        .iter()
        .find(|r| r.rule_id == rule_id)
        .unwrap_or_else(|| panic!("{rule_id} not refused in {acc:#?}"))
        .why
}

#[test]
fn hunan_at_most_8_credits_per_certificate() {
    // "(2)每个X证书能够转换的课程的学分总数不得超过(含)8学分。" Courses convert whole, so the most
    // credits that fit are taken.
    let rows: &[(&[u32], u32, &[&str], u32)] = &[
        // course credits (tenths), total, refused for the cap, credits already used
        (&[40, 30, 25], 70, &["r2"], 70),
        (&[50, 40, 40], 80, &["r0"], 80),
        (&[80], 80, &[], 0),
        (&[25, 25, 25, 25], 75, &["r3"], 75),
        (&[30, 30, 30], 60, &["r2"], 60),
    ];
    for &(credits, total, capped, used) in rows {
        let rules = credits
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                rule(
                    &format!("r{i}"),
                    "x",
                    Intermediate,
                    &format!("C{i}"),
                    Core,
                    t,
                )
            })
            .collect();
        let acc = account(&policy(rules, &[]), &[("x", Intermediate)], &[]);
        assert_eq!(acc.total_credits, c(total), "{credits:?}");
        assert_eq!(acc.per_certificate[0].credits, c(total));
        assert_eq!(acc.per_certificate[0].cap, Credits::whole(8));
        for id in capped {
            assert_eq!(
                why(&acc, id),
                &RefusalWhy::PerCertificateCap {
                    cap: Credits::whole(8),
                    used: c(used)
                },
                "{credits:?}"
            );
        }
        assert_eq!(acc.refused.len(), capped.len(), "{credits:?}");
    }
}

#[test]
fn hunan_the_level_decides_the_course_category() {
    // "初级X证书只能转换…必修专业基础课程的学分" / "中级X证书可转换…必修专业核心课程的学分" /
    // "高级X证书可转换…必修专业基础课程和必修专业核心课程的学分"
    let rules = vec![
        rule("f", "x", Primary, "F1", Foundation, 30),
        rule("k", "x", Primary, "K1", Core, 40),
    ];
    let p = policy(rules, &[]);
    // (level, applied, (refused rule, its category, the categories the level allows))
    type Row<'a> = (
        XLevel,
        &'a [&'a str],
        Option<(&'a str, CourseCategory, &'a [CourseCategory])>,
    );
    let rows: &[Row] = &[
        (Primary, &["f"], Some(("k", Core, &[Foundation]))),
        (Intermediate, &["k"], Some(("f", Foundation, &[Core]))),
        (Advanced, &["f", "k"], None),
    ];
    for &(level, want, refused) in rows {
        let acc = account(&p, &[("x", level)], &[]);
        assert_eq!(applied(&acc), want, "{level:?}");
        if let Some((id, category, allowed)) = refused {
            assert_eq!(
                why(&acc, id),
                &RefusalWhy::CategoryNotAllowed {
                    category,
                    allowed: allowed.to_vec()
                },
                "{level:?}"
            );
        }
        assert!(acc.applied.iter().all(|a| a.level == level));
    }
}

#[test]
fn a_rule_needs_its_minimum_level() {
    let p = policy(vec![rule("adv", "x", Advanced, "K1", Core, 30)], &[]);
    for level in [Primary, Intermediate] {
        let acc = account(&p, &[("x", level)], &[]);
        assert_eq!(
            why(&acc, "adv"),
            &RefusalWhy::LevelTooLow {
                min_level: Advanced
            }
        );
    }
    assert_eq!(applied(&account(&p, &[("x", Advanced)], &[])), ["adv"]);
}

#[test]
fn hunan_one_course_is_replaced_by_one_certificate() {
    // "(1)每门课程只能和一个X证书实现转换,多个X证书不能重复替换同一门课程。"
    let p = policy(
        vec![
            rule("a-x", "a", Intermediate, "X", Core, 40),
            rule("b-x", "b", Intermediate, "X", Core, 40),
        ],
        &[],
    );
    // (held, rule applied, rule refused, by)
    let rows: &[(Held, &str, &str, &str)] = &[
        // Same level: the smaller certificate id first.
        (
            &[("a", Intermediate), ("b", Intermediate)],
            "a-x",
            "b-x",
            "a",
        ),
        // Higher level first.
        (&[("a", Intermediate), ("b", Advanced)], "b-x", "a-x", "b"),
    ];
    for &(held, won, lost, by) in rows {
        let acc = account(&p, held, &[]);
        assert_eq!(applied(&acc), [won], "{held:?}");
        assert_eq!(
            why(&acc, lost),
            &RefusalWhy::CourseAlreadyReplaced {
                by_rule: won.into(),
                by_certificate_id: by.into()
            }
        );
        assert_eq!(acc.total_credits, Credits::whole(4));
    }
    // The course goes where it adds most: a can only use X, b has other courses to fill its cap.
    let p = policy(
        vec![
            rule("a-x", "a", Intermediate, "X", Core, 40),
            rule("b-x", "b", Intermediate, "X", Core, 40),
            rule("b-y", "b", Intermediate, "Y", Core, 40),
            rule("b-z", "b", Intermediate, "Z", Core, 20),
        ],
        &[],
    );
    let acc = account(&p, &[("a", Intermediate), ("b", Advanced)], &[]);
    assert_eq!(applied(&acc), ["a-x", "b-y", "b-z"]);
    assert_eq!(acc.total_credits, Credits::whole(10));
}

#[test]
fn gdpt_similar_certificates_count_once_at_the_highest_level() {
    // "内容相同或相近的…证书…不得重复转换,以最高级所认定的学分进行转换。"
    let rules = vec![
        rule("a-1", "a", Intermediate, "K1", Core, 30),
        rule("a-2", "a", Intermediate, "K2", Core, 30),
        rule("b-1", "b", Advanced, "K3", Core, 40),
        rule("b-2", "b", Primary, "F1", Foundation, 40),
        rule("c-1", "c", Intermediate, "K4", Core, 40),
    ];
    let p = policy(rules, &[&["a", "b", "c"]]);
    // (held, applied, counted certificate and level)
    let rows: &[(Held, &[&str], (&str, XLevel))] = &[
        // b 高级 converts 8 against a 中级's 6.
        (
            &[("a", Intermediate), ("b", Advanced)],
            &["b-1", "b-2"],
            ("b", Advanced),
        ),
        // a 中级 and c 中级 convert 6 and 4: a counts.
        (
            &[("a", Intermediate), ("c", Intermediate)],
            &["a-1", "a-2"],
            ("a", Intermediate),
        ),
        // Alone, each counts.
        (&[("c", Intermediate)], &["c-1"], ("c", Intermediate)),
    ];
    for &(held, want, (cert, level)) in rows {
        let acc = account(&p, held, &[]);
        assert_eq!(applied(&acc), want, "{held:?}");
        for r in acc.refused.iter().filter(|r| r.certificate_id != cert) {
            assert_eq!(
                r.why,
                RefusalWhy::SimilarCertificateCounted {
                    counted_certificate_id: cert.into(),
                    counted_level: level
                },
                "{held:?}"
            );
        }
    }
    // A tie goes to the higher level.
    let p = policy(
        vec![
            rule("a-1", "a", Intermediate, "K1", Core, 40),
            rule("b-1", "b", Advanced, "K2", Core, 40),
        ],
        &[&["a", "b"]],
    );
    let acc = account(&p, &[("a", Intermediate), ("b", Advanced)], &[]);
    assert_eq!(applied(&acc), ["b-1"]);
    assert_eq!(acc.total_credits, Credits::whole(4));
}

#[test]
fn one_certificate_held_at_several_levels_counts_once() {
    let p = policy(
        vec![
            rule("f", "x", Primary, "F1", Foundation, 30),
            rule("k", "x", Intermediate, "K1", Core, 40),
        ],
        &[],
    );
    // 初级 + 高级: 高级 converts both categories.
    let acc = account(&p, &[("x", Primary), ("x", Advanced)], &[]);
    assert_eq!(applied(&acc), ["f", "k"]);
    assert!(acc.applied.iter().all(|a| a.level == Advanced));
    assert_eq!(acc.per_certificate.len(), 1);
    assert_eq!(acc.per_certificate[0].level, Advanced);
    // 初级 + 中级: 中级 converts 4 (core), 初级 would convert 3 (foundation): 中级 counts, and the
    // foundation course is refused because the certificate already counts.
    let acc = account(&p, &[("x", Primary), ("x", Intermediate)], &[]);
    assert_eq!(applied(&acc), ["k"]);
    assert_eq!(
        why(&acc, "f"),
        &RefusalWhy::SimilarCertificateCounted {
            counted_certificate_id: "x".into(),
            counted_level: Intermediate
        }
    );
    // The same certificate, not a similar one: the message says its levels count once.
    assert_eq!(acc.refused[0].certificate_id, "x");
}

#[test]
fn passing_a_higher_level_never_loses_credits() {
    // Interpretation: where the level table makes a higher level convert less (中级 may not convert
    // 专业基础课), the student keeps the level that converts more instead of losing credits.
    let p = policy(vec![rule("f", "x", Primary, "F1", Foundation, 30)], &[]);
    let before = account(&p, &[("x", Primary)], &[]);
    let after = account(&p, &[("x", Primary), ("x", Intermediate)], &[]);
    assert_eq!(before.total_credits, Credits::whole(3));
    assert_eq!(after.total_credits, Credits::whole(3));
    assert_eq!(after.per_certificate[0].level, Primary);
}

#[test]
fn gdpt_at_most_50_percent_of_graduation_credits() {
    // "(一)认定和转换的全部学分不得超过相关专业毕业总学分的50%"
    let rules = vec![
        rule("a", "a", Intermediate, "K1", Core, 40),
        rule("b", "b", Intermediate, "K2", Core, 40),
        rule("c", "c", Intermediate, "K3", Core, 20),
        rule("d", "d", Intermediate, "K4", Core, 30),
    ];
    let held = [
        ("a", Intermediate),
        ("b", Intermediate),
        ("c", Intermediate),
        ("d", Intermediate),
    ];
    // (graduation credits, percent, cap, total, refused for the total cap)
    let rows: &[(u32, u8, u32, u32, &[&str])] = &[
        (20, 50, 100, 100, &["d"]),
        (140, 50, 700, 130, &[]),
        // 4 + 3 = 7 is the most under 7.5; a (first by id) keeps its 4, so d fills up.
        (15, 50, 75, 70, &["b", "c"]),
        (10, 50, 50, 50, &["a", "b"]),
        (15, 33, 49, 40, &["b", "c", "d"]),
    ];
    for &(grad, percent, cap, total, refused) in rows {
        let mut p = policy(rules.clone(), &[]);
        p.graduation_credits = Credits::whole(grad);
        p.caps.total_share_percent = percent;
        let acc = account(&p, &held, &[]);
        assert_eq!(acc.cap_total, c(cap), "{grad} {percent}");
        assert_eq!(acc.total_credits, c(total), "{grad} {percent}");
        assert!(acc.total_credits <= acc.cap_total);
        let mut capped: Vec<&str> = acc
            .refused
            .iter()
            .filter(|r| matches!(r.why, RefusalWhy::TotalCap { .. }))
            .map(|r| r.rule_id.as_str())
            .collect();
        order::sort(&mut capped);
        let mut want = refused.to_vec();
        order::sort(&mut want);
        assert_eq!(capped, want, "{grad} {percent}");
        for r in &acc.refused {
            assert_eq!(
                r.why,
                RefusalWhy::TotalCap {
                    cap: c(cap),
                    used: c(total),
                    share_percent: percent,
                }
            );
        }
    }
}

#[test]
fn a_course_already_passed_is_not_converted() {
    let p = policy(
        vec![
            rule("k1", "x", Intermediate, "K1", Core, 40),
            rule("k2", "x", Intermediate, "K2", Core, 40),
        ],
        &[],
    );
    let acc = account(&p, &[("x", Intermediate)], &[" K1 "]);
    assert_eq!(applied(&acc), ["k2"]);
    assert_eq!(why(&acc, "k1"), &RefusalWhy::CourseAlreadyPassed);
}

#[test]
fn a_certificate_without_rules_converts_nothing_and_says_so() {
    let p = policy(vec![rule("k1", "x", Intermediate, "K1", Core, 40)], &[]);
    let acc = account(&p, &[("other", Advanced)], &[]);
    assert!(acc.applied.is_empty() && acc.refused.is_empty());
    assert_eq!(acc.per_certificate.len(), 1);
    assert_eq!(acc.per_certificate[0].credits, Credits::ZERO);
    assert_eq!(acc.total_credits, Credits::ZERO);
}

#[test]
fn seed_003_passed_courses_exempt_part_or_all_of_an_assessment() {
    // "相关课程学分可冲抵相应证书考核的部分或全部内容"
    let mut p = policy(vec![], &[]);
    let ex = |id: &str, code: &str, cert: &str, level, exempts| ExemptionRule {
        id: id.into(),
        course_code: code.into(),
        course_name: format!("课程{code}"),
        certificate_id: cert.into(),
        level,
        exempts,
    };
    p.exemptions = vec![
        ex("e-theory", "T1", "x", Primary, ModuleExemption::Theory),
        ex(
            "e-practical",
            "P1",
            "x",
            Primary,
            ModuleExemption::Practical,
        ),
        ex("e-all", "A1", "x", Intermediate, ModuleExemption::All),
    ];
    // (passed courses, assessment level, exemption rules granted, modules exempted)
    type Row<'a> = (&'a [&'a str], XLevel, &'a [&'a str], &'a [Module]);
    let rows: &[Row] = &[
        (&["T1"], Primary, &["e-theory"], &[Module::Theory]),
        (&["P1"], Primary, &["e-practical"], &[Module::Practical]),
        (
            &["P1", "T1"],
            Primary,
            &["e-practical", "e-theory"],
            &[Module::Theory, Module::Practical],
        ),
        // Exemptions are for their own level only.
        (&["T1"], Intermediate, &[], &[]),
        (
            &["A1"],
            Intermediate,
            &["e-all"],
            &[Module::Theory, Module::Practical],
        ),
        (&[], Primary, &[], &[]),
    ];
    for &(courses, level, rules, modules) in rows {
        let courses: Vec<String> = courses.iter().map(|c| c.to_string()).collect();
        let got = exemptions_for(&p, &courses, "x", level);
        let ids: Vec<&str> = got.iter().map(|g| g.rule_id.as_str()).collect();
        assert_eq!(ids, rules, "{courses:?} {level:?}");
        assert_eq!(exempted_modules(&got), modules, "{courses:?} {level:?}");
    }
    assert!(exemptions_for(&p, &["T1".into()], "y", Primary).is_empty());
}

#[test]
fn what_if_is_the_account_with_the_certificate_minus_without() {
    let p = policy(
        vec![
            rule("a-1", "a", Intermediate, "K1", Core, 30),
            rule("a-2", "a", Intermediate, "K2", Core, 30),
            rule("b-1", "b", Advanced, "K3", Core, 40),
            rule("b-2", "b", Primary, "F1", Foundation, 40),
        ],
        &[&["a", "b"]],
    );
    let held = vec![("a".to_string(), Intermediate)];
    let w = what_if(&p, &held, &[], "b", Advanced);
    assert_eq!(w.added_credits, Credits::whole(2));
    let ids = |xs: &[kaozheng_core::rules::AppliedConversion]| -> Vec<String> {
        xs.iter().map(|a| a.rule_id.clone()).collect()
    };
    assert_eq!(ids(&w.new_conversions), ["b-1", "b-2"]);
    assert_eq!(ids(&w.lost_conversions), ["a-1", "a-2"]);
    let refused: Vec<&str> = w.newly_refused.iter().map(|r| r.rule_id.as_str()).collect();
    assert_eq!(refused, ["a-1", "a-2"]);
    // A certificate already held at that level changes nothing.
    let same = what_if(&p, &held, &[], "a", Intermediate);
    assert_eq!(same.added_credits, Credits::ZERO);
    assert!(same.new_conversions.is_empty() && same.lost_conversions.is_empty());
}

#[test]
fn validation_reports_every_problem_with_its_path() {
    let mut p = policy(
        vec![
            rule("r1", "x", Intermediate, "K1", Core, 40),
            rule("r1", "y", Intermediate, "K1", Core, 30),
            rule("r3", "x", Intermediate, "K9", Core, 90),
            rule("r4", "x", Intermediate, "K1", Core, 40),
            rule("r5", "x", Intermediate, "F1", Foundation, 20),
        ],
        &[&["x"], &["y", "x"]],
    );
    p.caps.total_share_percent = 0;
    p.levels[2].categories = vec![Core];
    p.levels.push(LevelScope {
        level: Primary,
        categories: vec![],
    });
    p.citations.clear();
    let rules = CreditRules {
        version: "t".into(),
        schools: vec![p.clone(), p],
    };
    let errs = rules.validate().unwrap_err();
    let s0: Vec<String> = errs.iter().take(9).map(ToString::to_string).collect();
    assert_eq!(
        s0,
        [
            "schools[0].caps.total_share_percent: a share of the graduation credits is 1–100 %, got 0",
            "schools[0].levels[3].level: \"primary\" is used more than once",
            "schools[0].conversions[1].id: \"r1\" is used more than once",
            "schools[0].conversions[1].course: course \"K1\" differs from its definition at schools[0].conversions[0].course",
            "schools[0].conversions[2].course.credits: 9 credits exceed the 8-credit cap per certificate, so it can never convert",
            "schools[0].conversions[3].course.code: \"x / K1\" is used more than once",
            "schools[0].conversions[4]: no level from Intermediate up may convert a Foundation course, so the rule never applies",
            "schools[0].similar_groups[0]: a group of similar certificates needs at least two",
            "schools[0].similar_groups[1][1]: \"x\" is already in another group of similar certificates",
        ]
    );
    assert_eq!(
        errs[9],
        CreditRuleError::NoCitation {
            path: "schools[0].citations".into()
        }
    );
    assert_eq!(
        errs[10],
        CreditRuleError::Repeated {
            path: "schools[1].school".into(),
            id: "测试学院".into()
        }
    );
    assert_eq!(errs.len(), 21);
}

#[test]
fn credits_are_exact_tenths_in_json() {
    assert_eq!(serde_json::to_string(&c(25)).unwrap(), "2.5");
    assert_eq!(serde_json::to_string(&Credits::whole(8)).unwrap(), "8");
    assert_eq!(serde_json::from_str::<Credits>("2.5").unwrap(), c(25));
    assert_eq!(
        serde_json::from_str::<Credits>("140").unwrap(),
        Credits::whole(140)
    );
    for bad in ["2.55", "-1", "1000.1", "\"3\""] {
        assert!(serde_json::from_str::<Credits>(bad).is_err(), "{bad}");
    }
    assert_eq!(c(25).to_string(), "2.5");
    assert_eq!(Credits::whole(25).percent(50), c(125));
    assert_eq!(Credits::whole(15).percent(33), c(49));
    let why = RefusalWhy::PerCertificateCap {
        cap: Credits::whole(8),
        used: c(75),
    };
    assert_eq!(
        serde_json::to_value(&why).unwrap(),
        serde_json::json!({"code": "per_certificate_cap", "cap": 8, "used": 7.5})
    );
    assert_eq!(why.code(), "per_certificate_cap");
}

#[test]
fn a_programme_table_is_preferred_to_the_school_wide_one() {
    let wide = policy(vec![], &[]);
    let mut cloud = policy(vec![], &[]);
    cloud.major = Some("云计算技术应用".into());
    cloud.graduation_credits = Credits::whole(120);
    let rules = CreditRules {
        version: "t".into(),
        schools: vec![wide, cloud],
    };
    assert_eq!(rules.validate(), Ok(()));
    let pick = |major| {
        rules
            .policy_for(" 测试学院 ", major)
            .map(|p| p.major.clone())
    };
    assert_eq!(
        pick(Some("云计算技术应用")),
        Some(Some("云计算技术应用".into()))
    );
    assert_eq!(pick(Some("物流管理")), Some(None));
    assert_eq!(pick(None), Some(None));
    assert!(rules.policy_for("别的学院", None).is_none());
}
