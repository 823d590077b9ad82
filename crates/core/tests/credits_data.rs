//! The shipped credit table (`data/rules/credits.json`) parses, validates, names only certificates of
//! the shipped catalog, is labelled as example data, and applies its sources' caps.

use kaozheng_core::Catalog;
use kaozheng_core::model::{Module, XLevel};
use kaozheng_core::rules::{
    ConversionKind, CourseCategory, CreditRules, Credits, RefusalWhy, SchoolCreditPolicy,
    credit_account, exempted_modules, exemptions_for, what_if,
};

const SCHOOL: &str = "示例职业技术学院";
const CLOUD_OPS_DEV: &str = "c006931671627"; // 云计算平台运维与开发
const CLOUD_DEV_OPS: &str = "c95baf6442da6"; // 云计算开发与运维
const CLOUD_CENTER: &str = "c8998130be909"; // 云计算中心运维服务
const BIM: &str = "c02464a0d471f"; // 建筑信息模型（BIM）
const ROBOT_PROGRAMMING: &str = "c97c54718761b"; // 工业机器人应用编程
const ROBOT_OPERATION: &str = "c0e59ba34320b"; // 工业机器人操作与运维

fn rules() -> CreditRules {
    let text = include_str!("../../../data/rules/credits.json");
    let rules: CreditRules = serde_json::from_str(text).expect("credits.json parses");
    rules.validate().expect("credits.json validates");
    rules
}

fn demo() -> SchoolCreditPolicy {
    rules()
        .policy_for(SCHOOL, Some("云计算技术应用"))
        .expect("the demo school's table applies to every major")
        .clone()
}

fn held(list: &[(&str, XLevel)]) -> Vec<(String, XLevel)> {
    list.iter().map(|(c, l)| (c.to_string(), *l)).collect()
}

#[test]
fn shipped_credit_rules_name_only_catalog_certificates_at_offered_levels() {
    let catalog = Catalog::parse(include_str!("../../../data/catalog.json")).expect("catalog");
    rules()
        .check_catalog(&catalog)
        .expect("every id is in catalog.json");
    let p = demo();
    for id in [
        CLOUD_OPS_DEV,
        CLOUD_DEV_OPS,
        CLOUD_CENTER,
        BIM,
        ROBOT_PROGRAMMING,
        ROBOT_OPERATION,
    ] {
        assert!(
            p.conversions.iter().any(|r| r.certificate_id == id),
            "{id} has conversions"
        );
    }
    let cloud = catalog.certificate(CLOUD_OPS_DEV).unwrap();
    assert_eq!(cloud.short_name(), "云计算平台运维与开发");
    // An unknown id is reported with its path.
    let mut bad = rules();
    bad.schools[0].conversions[0].certificate_id = "nope".into();
    let errs = bad.check_catalog(&catalog).unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        "schools[0].conversions[0].certificate_id: certificate \"nope\" is not in the catalog"
    );
}

#[test]
fn the_demo_school_is_example_data_with_the_published_caps_and_sources() {
    let p = demo();
    assert!(p.example, "example data must say so");
    assert_eq!(p.school, SCHOOL);
    assert_eq!(p.graduation_credits, Credits::whole(140));
    assert_eq!(p.caps.max_credits_per_certificate, Credits::whole(8));
    assert_eq!(p.cap_total(), Credits::whole(70));
    assert!(p.allows(XLevel::Primary, CourseCategory::Foundation));
    assert!(!p.allows(XLevel::Primary, CourseCategory::Core));
    assert!(p.allows(XLevel::Intermediate, CourseCategory::Core));
    assert!(!p.allows(XLevel::Intermediate, CourseCategory::Foundation));
    assert!(p.allows(XLevel::Advanced, CourseCategory::Foundation));
    assert!(p.allows(XLevel::Advanced, CourseCategory::Core));
    let quotes: Vec<&str> = p.citations.iter().map(|c| c.quote.as_str()).collect();
    for needle in [
        "不得超过(含)8学分",
        "每门课程只能和一个X证书实现转换",
        "初级X证书只能转换本校相关专业对应必修专业基础课程的学分",
        "中级X证书可转换本校相关专业对应必修专业核心课程的学分",
        "必修专业基础课程和必修专业核心课程",
        "不得超过相关专业毕业总学分的50%",
        "以最高级所认定的学分进行转换",
        "相关课程学分可冲抵相应证书考核的部分或全部内容",
    ] {
        assert!(quotes.iter().any(|q| q.contains(needle)), "{needle}");
    }
    for c in &p.citations {
        assert!(c.quote.chars().count() > 10, "{c:?}");
    }
    assert_eq!(
        p.similar_groups,
        [vec![
            CLOUD_OPS_DEV.to_string(),
            CLOUD_DEV_OPS.to_string(),
            CLOUD_CENTER.to_string()
        ]]
    );
}

#[test]
fn demo_cloud_certificates_count_once() {
    // 云计算平台运维与开发 中级 converts 4 + 3 core credits; 云计算开发与运维 高级 converts 4 + 3 of
    // its 4 + 3 + 2.5 (the 8-credit cap): a tie, so the higher level counts.
    let acc = credit_account(
        &demo(),
        &held(&[
            (CLOUD_OPS_DEV, XLevel::Intermediate),
            (CLOUD_DEV_OPS, XLevel::Advanced),
        ]),
        &[],
    );
    let ids: Vec<&str> = acc.applied.iter().map(|a| a.rule_id.as_str()).collect();
    assert_eq!(
        ids,
        ["demo-cloud-dev-ops-yj101", "demo-cloud-dev-ops-yj202"]
    );
    assert_eq!(acc.total_credits, Credits::whole(7));
    assert!(acc.example);
    let why = |id: &str| &acc.refused.iter().find(|r| r.rule_id == id).unwrap().why;
    assert_eq!(
        why("demo-cloud-ops-dev-yj201"),
        &RefusalWhy::SimilarCertificateCounted {
            counted_certificate_id: CLOUD_DEV_OPS.into(),
            counted_level: XLevel::Advanced
        }
    );
    assert_eq!(
        why("demo-cloud-dev-ops-yj203"),
        &RefusalWhy::PerCertificateCap {
            cap: Credits::whole(8),
            used: Credits::whole(7)
        }
    );
    assert_eq!(
        why("demo-cloud-ops-dev-yj203"),
        &RefusalWhy::LevelTooLow {
            min_level: XLevel::Advanced
        }
    );
}

#[test]
fn demo_robot_certificates_share_a_course_once() {
    let acc = credit_account(
        &demo(),
        &held(&[
            (ROBOT_PROGRAMMING, XLevel::Intermediate),
            (ROBOT_OPERATION, XLevel::Intermediate),
        ]),
        &[],
    );
    let jq201 = acc
        .applied
        .iter()
        .filter(|a| a.course.code == "JQ201")
        .count();
    assert_eq!(jq201, 1);
    assert_eq!(acc.total_credits, Credits::whole(7));
    assert!(
        acc.refused
            .iter()
            .any(|r| matches!(r.why, RefusalWhy::CourseAlreadyReplaced { .. }))
    );
}

#[test]
fn demo_what_if_a_bim_certificate() {
    let w = what_if(
        &demo(),
        &held(&[(CLOUD_OPS_DEV, XLevel::Intermediate)]),
        &[],
        BIM,
        XLevel::Intermediate,
    );
    // 建筑施工图制图与识图 4 + 计算机辅助设计 3 (免修).
    assert_eq!(w.added_credits, Credits::whole(7));
    assert_eq!(w.new_conversions.len(), 2);
    assert!(w.lost_conversions.is_empty());
    assert!(
        w.new_conversions
            .iter()
            .any(|a| a.kind == ConversionKind::Exemption)
    );
}

#[test]
fn demo_exemptions_follow_seed_003() {
    let p = demo();
    let passed = vec!["YJ101".to_string(), "YJ201".to_string()];
    let got = exemptions_for(&p, &passed, CLOUD_OPS_DEV, XLevel::Intermediate);
    assert_eq!(exempted_modules(&got), [Module::Theory, Module::Practical]);
    let got = exemptions_for(&p, &["JZ201".to_string()], BIM, XLevel::Primary);
    assert_eq!(exempted_modules(&got), [Module::Theory]);
    assert!(exemptions_for(&p, &["JZ201".to_string()], BIM, XLevel::Intermediate).is_empty());
}

#[test]
fn study_resources_list_the_courses_covering_a_level() {
    use kaozheng_core::rules::{ConversionKind, LinkedCourse, ModuleExemption};
    let p = demo();
    let course = |code: &str, converts, exempts| LinkedCourse {
        code: code.into(),
        name: String::new(),
        converts,
        exempts,
    };
    let strip = |v: Vec<LinkedCourse>| -> Vec<LinkedCourse> {
        v.into_iter()
            .map(|c| LinkedCourse {
                name: String::new(),
                ..c
            })
            .collect()
    };
    let credits = Some(ConversionKind::Credits);
    // 初级 converts its two 专业基础课.
    assert_eq!(
        strip(p.courses_for(CLOUD_OPS_DEV, XLevel::Primary)),
        vec![
            course("YJ101", credits, None),
            course("YJ102", credits, None)
        ]
    );
    // 中级 covers the 初级 courses too, but converts only 专业核心课; two courses exempt parts of
    // its assessment (seed 003, both directions).
    assert_eq!(
        strip(p.courses_for(CLOUD_OPS_DEV, XLevel::Intermediate)),
        vec![
            course("YJ101", None, Some(ModuleExemption::Theory)),
            course("YJ102", None, None),
            course("YJ201", credits, Some(ModuleExemption::Practical)),
            course("YJ202", credits, None),
        ]
    );
    let names = p.courses_for(CLOUD_OPS_DEV, XLevel::Primary);
    assert_eq!(names[0].name, "Linux操作系统");
    assert!(
        p.courses_for("no-such-certificate", XLevel::Primary)
            .is_empty()
    );
}
