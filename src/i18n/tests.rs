//! The table speaks both languages completely, words every rule decision from its codes and facts,
//! and never lets an error's own text (or a developer's word) reach a student.

use chrono::{NaiveDate, TimeZone, Utc};
use kaozheng_core::feedback::{Dimension, FeedbackError};
use kaozheng_core::rules::{
    Advice, AppliedConversion, Bilingual, ConversionKind, Course, CourseCategory, Credits,
    GeneralConditions, GradeAnswer, GradeBasis, NoRuleReason, Refusal, RefusalWhy,
    RefusedConversion,
};
use kaozheng_core::{FeeReason, Payer, PlanState, SchoolLevel, SkillGrade, XLevel};

use super::*;
use crate::api::{ApiError, ErrorCode, error_detail};
use crate::problem::Problem;
use crate::storage::StorageError;

/// Words a developer would write, never a student's: none may reach the screen in either language.
const DEVELOPER_WORDS: [&str; 12] = [
    "HTTP",
    "TypeError",
    "answered",
    "Failed to fetch",
    "unreachable",
    "status",
    "undefined",
    "null",
    "JSON",
    "IndexedDB",
    "DOMException",
    "Error",
];

fn is_hanzi(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// A Chinese message: Chinese, with no Latin letters but the `allowed` names.
fn assert_chinese(s: &str, allowed: &[&str]) {
    assert!(s.chars().any(is_hanzi), "not Chinese: {s:?}");
    let mut rest = s.to_string();
    for a in allowed {
        rest = rest.replace(a, "");
    }
    assert!(
        !rest.chars().any(|c| c.is_ascii_alphabetic()),
        "English in a Chinese message: {s:?}"
    );
}

/// An English message: no Chinese but the `allowed` names.
fn assert_english(s: &str, allowed: &[&str]) {
    assert!(s.chars().any(|c| c.is_ascii_alphabetic()), "{s:?}");
    let mut rest = s.to_string();
    for a in allowed {
        rest = rest.replace(a, "");
    }
    assert!(
        !rest.chars().any(is_hanzi),
        "Chinese in an English message: {s:?}"
    );
}

fn assert_for_students(s: &str) {
    for w in DEVELOPER_WORDS {
        assert!(!s.contains(w), "{w:?} in {s:?}");
    }
}

fn every_api_error() -> Vec<ApiError> {
    let status = |status: u16, code: &str| ApiError::Status {
        status,
        code: code.into(),
    };
    let mut all = vec![
        ApiError::Network("TypeError: Failed to fetch".into()),
        ApiError::Invalid("exam plans: expected value at line 1 column 1".into()),
    ];
    for code in [
        "invalid_credentials",
        "too_many_attempts",
        "unauthorized",
        "session_expired",
        "plan_not_found",
        "registration_not_found",
        "window_closed",
        "no_published_result",
        "rating_out_of_range",
        "internal",
        "unavailable",
        "a_code_from_a_newer_server",
        "",
    ] {
        for s in [400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503] {
            all.push(status(s, code));
        }
    }
    all
}

fn every_storage_error() -> Vec<StorageError> {
    vec![
        StorageError::Blocked,
        StorageError::VersionChanged,
        StorageError::Closed,
        StorageError::QuotaExceeded,
        StorageError::NotAvailable("SecurityError: The operation is insecure.".into()),
        StorageError::Corrupt {
            store: "plans".into(),
            key: "p1".into(),
            reason: "missing field `fee_fen`".into(),
        },
        StorageError::Other("DataError: Failed to read".into()),
    ]
}

fn every_problem() -> Vec<Problem> {
    let mut all: Vec<Problem> = every_api_error().into_iter().map(Problem::from).collect();
    all.extend(every_storage_error().into_iter().map(Problem::from));
    all.extend(
        [
            FeedbackError::RatingOutOfRange {
                dimension: Dimension::LearningEffect,
                value: 0,
            },
            FeedbackError::CommentTooLong { chars: 501 },
            FeedbackError::CommentControlCharacter,
        ]
        .map(Problem::from),
    );
    for code in ["window_closed", "plan_not_found", "invalid_answer", "full"] {
        all.push(Problem::Refused(code.into()));
    }
    // A record stored before codes holds the server's own text.
    all.push(Problem::Refused(
        "该考核计划名额已满 / This exam plan has no seats left".into(),
    ));
    all
}

#[test]
fn locales_parse_and_toggle() {
    assert_eq!(Locale::from_tag("zh-CN"), Some(Locale::Zh));
    assert_eq!(Locale::from_tag("en-US"), Some(Locale::En));
    assert_eq!(Locale::from_tag("fr"), None);
    assert_eq!(Locale::Zh.other(), Locale::En);
    assert_eq!(Locale::En.tag(), "en");
}

#[test]
fn formatted_texts_differ_by_language() {
    assert_eq!((ZH.results_count)(3), "共 3 个证书");
    assert_eq!((EN.results_count)(1), "1 certificate");
    assert_eq!(
        (EN.coverage)(73, Some(447)),
        "73 of the 447 certificates in the system"
    );
    assert_eq!((ZH.seats_left)(2, 50), "余 2 / 50 个名额");
}

#[test]
fn every_failure_is_worded_for_students_in_each_language() {
    for p in every_problem() {
        let zh = problem(&ZH, &p);
        let en = problem(&EN, &p);
        assert_chinese(&zh, &[]);
        assert_english(&en, &[]);
        assert_for_students(&zh);
        assert_for_students(&en);
        // What to do next, not just what went wrong: every message ends a sentence.
        assert!(zh.ends_with('。') || zh.ends_with('）'), "{zh:?}");
        assert!(en.ends_with('.') || en.ends_with(')'), "{en:?}");
    }
    for e in every_storage_error() {
        assert_chinese(storage_error(&ZH, &e), &[]);
        assert_english(storage_error(&EN, &e), &[]);
    }
}

#[test]
fn failures_say_what_happened_and_what_to_do() {
    let wrong = ApiError::Status {
        status: 401,
        code: "invalid_credentials".into(),
    };
    assert_eq!(api_error(&ZH, &wrong), "学号或密码错误，请检查后重试。");
    let offline = ApiError::Network("TypeError: Failed to fetch".into());
    assert_eq!(
        api_error(&ZH, &offline),
        "现在没有网络，已保存的数据仍可查看，联网后会自动更新。"
    );
    let down = ApiError::Status {
        status: 503,
        code: String::new(),
    };
    assert_eq!(api_error(&ZH, &down), "服务器暂时出了问题，请稍后再试。");
    // Another 401 is an ended session, not a wrong password.
    let ended = ApiError::Status {
        status: 401,
        code: "unauthorized".into(),
    };
    assert_eq!(api_error(&ZH, &ended), ZH.err_sign_in_again);
    // The server's code decides over its status; unknown codes fall back to the status.
    let newer = |status| ApiError::Status {
        status,
        code: "sold_out_forever".into(),
    };
    assert_eq!(api_error(&EN, &newer(409)), EN.err_refused);
    assert_eq!(api_error(&EN, &newer(500)), EN.err_server);
    assert_eq!(refused(&ZH, "window_closed"), ZH.err_window);
    assert_eq!(refused(&ZH, "该考核计划名额已满 / full"), ZH.err_refused);
    assert_eq!(
        storage_error(&ZH, &StorageError::VersionChanged),
        "考证已在另一个标签页中更新，请刷新本页。"
    );
    assert!(storage_error(&ZH, &StorageError::QuotaExceeded).contains("设备存储空间不足"));
}

#[test]
fn the_servers_error_codes_are_read_from_its_error_body() {
    let body = r#"{"error": {"code": "invalid_credentials", "message": "the student number or the password is wrong", "message_zh": "学号或密码错误"}}"#;
    let detail = error_detail(body).unwrap();
    assert_eq!(
        ErrorCode::parse(&detail.code),
        ErrorCode::InvalidCredentials
    );
    for (code, want) in [
        ("too_many_attempts", ErrorCode::TooManyAttempts),
        ("session_expired", ErrorCode::SignInAgain),
        ("window_closed", ErrorCode::Window),
        ("registration_not_found", ErrorCode::RegistrationNotFound),
        ("comment_too_long", ErrorCode::InvalidFeedback),
        ("internal", ErrorCode::ServerFailed),
        ("full", ErrorCode::Other),
    ] {
        assert_eq!(ErrorCode::parse(code), want, "{code}");
    }
    assert!(error_detail("<html>502 Bad Gateway</html>").is_none());
}

#[test]
fn a_waiting_change_says_why_from_the_status_it_recorded() {
    assert_eq!(retry_reason(&ZH, "HTTP 503"), ZH.err_server);
    assert_eq!(retry_reason(&ZH, "HTTP 429"), ZH.err_too_many);
    assert_eq!(retry_reason(&EN, "HTTP 408"), EN.err_offline);
    assert_eq!(
        retry_reason(&EN, "network unreachable: TypeError: Failed to fetch"),
        EN.err_offline
    );
    assert_eq!(retry_reason(&EN, "no answer: AbortError"), EN.err_offline);
    // A failed refresh keeps the status and the code.
    assert_eq!(problems::answer(&ZH, "503 "), ZH.err_server);
    assert_eq!(
        problems::answer(&ZH, "404 plan_not_found"),
        ZH.err_plan_gone
    );
    assert_eq!(problems::answer(&ZH, "418 teapot"), ZH.err_refused);
}

fn every_refusal() -> Vec<Refusal> {
    let at = Utc.with_ymd_and_hms(2026, 12, 10, 9, 0, 0).unwrap();
    vec![
        Refusal::PlanNotOpen {
            state: PlanState::Scoring,
        },
        Refusal::WindowNotOpen { opens_at: at },
        Refusal::WindowClosed { closed_at: at },
        Refusal::Full,
        Refusal::Duplicate {
            registration_id: "r".into(),
        },
        Refusal::AlreadyCertified {
            held: XLevel::Advanced,
        },
        Refusal::Clash {
            plan_id: "p".into(),
        },
        Refusal::SchoolRestriction {
            restriction_id: "r".into(),
            school: "示例职业技术学院".into(),
            school_level: SchoolLevel::Secondary,
            level: XLevel::Advanced,
        },
        Refusal::Other,
    ]
}

#[test]
fn refusals_and_advice_are_worded_in_the_chosen_language_only() {
    for r in &every_refusal() {
        assert_chinese(&(ZH.refusal)(r), &[]);
        assert_english(&(EN.refusal)(r), &["示例职业技术学院"]);
    }
    // China time, as the notices state it.
    assert_eq!(
        (ZH.refusal)(&every_refusal()[2]),
        "报名已于 2026-12-10 17:00 截止"
    );
    assert!((EN.refusal)(&every_refusal()[2]).contains("17:00 (UTC+8)"));
    assert!((EN.refusal)(&every_refusal()[5]).contains("at advanced level"));
    assert!((EN.refusal)(&every_refusal()[7]).contains("secondary vocational students"));
    assert!((ZH.refusal)(&every_refusal()[7]).contains("示例职业技术学院规定中职学生不报考高级"));
    assert_eq!((ZH.refusal)(&Refusal::Full), "该考核计划名额已满");
    let advice = [
        Advice::HoldsHigherLevel {
            held: XLevel::Advanced,
        },
        Advice::StandardAudience {
            school_level: SchoolLevel::Secondary,
            suitable_for: vec![SchoolLevel::Higher, SchoolLevel::Undergraduate],
        },
    ];
    for a in &advice {
        assert_chinese(&(ZH.advice)(a), &[]);
        assert_english(&(EN.advice)(a), &[]);
    }
    assert!((ZH.advice)(&advice[1]).contains("高职（专科）、本科"));
}

#[test]
fn fees_say_who_pays_and_why() {
    for p in Payer::ALL {
        assert_chinese((ZH.payer)(p), &[]);
        assert_english((EN.payer)(p), &[]);
    }
    for r in FeeReason::ALL {
        assert_chinese((ZH.fee_reason)(r), &[]);
        assert_english((EN.fee_reason)(r), &["建档立卡"]);
    }
    // Seed 004's own words for the hardship waiver.
    let seed = include_str!("../../data/source/seeds/004.txt");
    assert!(seed.contains("建档立卡等家庭经济困难学生"));
    assert!((ZH.fee_reason)(FeeReason::HardshipWaiver).contains("建档立卡等家庭经济困难学生"));
    assert_eq!(
        (ZH.fee_reason)(FeeReason::InSchoolFree),
        "学校不得以考证、取证的名义向在校生收取任何费用"
    );
}

fn course() -> Course {
    Course {
        code: "K1".into(),
        name: "计算机辅助设计".into(),
        category: CourseCategory::Core,
        credits: Credits::whole(3),
    }
}

#[test]
fn credit_conversions_are_worded_from_their_facts() {
    let applied = AppliedConversion {
        rule_id: "r1".into(),
        certificate_id: "bim".into(),
        level: XLevel::Intermediate,
        course: course(),
        kind: ConversionKind::Exemption,
        credits: Credits::whole(3),
    };
    assert_eq!(
        (ZH.conversion)(&applied),
        "中级证书免修：专业核心课《计算机辅助设计》3学分"
    );
    assert!((EN.conversion)(&applied).contains("course exemption"));
    let refused = |why| RefusedConversion {
        rule_id: "r1".into(),
        certificate_id: "bim".into(),
        level: XLevel::Primary,
        course: course(),
        why,
    };
    let whys = [
        RefusalWhy::LevelTooLow {
            min_level: XLevel::Intermediate,
        },
        RefusalWhy::CategoryNotAllowed {
            category: CourseCategory::Core,
            allowed: vec![CourseCategory::Foundation],
        },
        RefusalWhy::CategoryNotAllowed {
            category: CourseCategory::Core,
            allowed: Vec::new(),
        },
        RefusalWhy::PerCertificateCap {
            cap: Credits::whole(8),
            used: Credits::whole(6),
        },
        RefusalWhy::CourseAlreadyReplaced {
            by_rule: "r0".into(),
            by_certificate_id: "web".into(),
        },
        RefusalWhy::CourseAlreadyPassed,
        RefusalWhy::SimilarCertificateCounted {
            counted_certificate_id: "bim".into(),
            counted_level: XLevel::Intermediate,
        },
        RefusalWhy::SimilarCertificateCounted {
            counted_certificate_id: "bim-2".into(),
            counted_level: XLevel::Intermediate,
        },
        RefusalWhy::TotalCap {
            cap: Credits::whole(70),
            used: Credits::whole(68),
            share_percent: 50,
        },
    ];
    for why in whys.clone() {
        let r = refused(why);
        assert_chinese(&(ZH.refused_conversion)(&r), &["r0"]);
        assert_english(&(EN.refused_conversion)(&r), &["计算机辅助设计"]);
    }
    assert!((ZH.refused_conversion)(&refused(whys[6].clone())).contains("同一证书"));
    assert!((ZH.refused_conversion)(&refused(whys[7].clone())).contains("相近证书"));
    assert!((ZH.refused_conversion)(&refused(whys[8].clone())).contains("毕业学分的50%（70学分）"));
    assert_eq!(
        (EN.refused_conversion)(&refused(whys[2].clone())),
        "At this school a primary certificate converts no course"
    );
    assert_eq!(
        (EN.refused_conversion)(&refused(whys[1].clone())),
        "A primary certificate converts foundation courses only, not the core course “计算机辅助设计”"
    );
    assert!((EN.refused_conversion)(&refused(whys[0].clone())).contains("the intermediate level"));
}

#[test]
fn grade_answers_are_summarised_in_one_line() {
    let citation = kaozheng_core::feedback::source();
    let grade = GradeAnswer::Grade {
        grade: SkillGrade::G3,
        occupation: None,
        route: GradeBasis::DirectRecognition,
        rule_set_id: "s".into(),
        rule_id: "r".into(),
        citation,
        conditions: Vec::new(),
        terms: Default::default(),
    };
    assert_eq!(
        (ZH.grade_summary)(&grade),
        "直接认定：可认定相应职业（工种）的三级/高级工"
    );
    assert_eq!(
        (EN.grade_summary)(&grade),
        "Direct recognition: you can be recognised at grade 3 (senior worker) in the \
         corresponding occupation (type of work)"
    );
    let general = GeneralConditions {
        note: Bilingual {
            zh: "注".into(),
            en: "Note".into(),
        },
        grades: Vec::new(),
    };
    for reason in [
        NoRuleReason::NoProvinceRules,
        NoRuleReason::NotYetInForce {
            effective_from: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        },
    ] {
        let none = GradeAnswer::NoRule {
            province: "江苏".into(),
            route: GradeBasis::Exam,
            reason,
            ladder: SkillGrade::ALL,
            general_conditions: general.clone(),
        };
        assert!((ZH.grade_summary)(&none).contains("江苏"));
        assert_english(&(EN.grade_summary)(&none), &[]);
        assert!((EN.grade_summary)(&none).contains("Jiangsu"));
    }
}

#[test]
fn feedback_errors_name_the_point_and_the_limit() {
    for d in Dimension::ALL {
        let e = FeedbackError::RatingOutOfRange {
            dimension: d,
            value: 6,
        };
        assert!((ZH.feedback_error)(&e).contains(d.zh()));
        assert!((EN.feedback_error)(&e).contains(d.en()));
    }
    let long = FeedbackError::CommentTooLong { chars: 501 };
    assert!((ZH.feedback_error)(&long).contains("501"));
    assert!((EN.feedback_error)(&long).contains("500"));
}
