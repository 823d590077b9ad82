//! The internally tagged enums the app reads through a flat form (`kaozheng_core::tagged`): every
//! variant comes back as it was written, the JSON is the tagged form, a known tag with a field
//! missing is refused with serde's message, and an unknown tag is refused (or, for a refusal,
//! read as one this version does not know).

use chrono::{TimeZone, Utc};
use kaozheng_core::feedback::Ratings;
use kaozheng_core::outbox::Action;
use kaozheng_core::rules::{FeeRule, GradeOutcome, Refusal};
use kaozheng_core::{PlanState, SchoolLevel, SkillGrade, XLevel};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(values: &[T]) {
    for v in values {
        let json = serde_json::to_string(v).unwrap();
        assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), v, "{json}");
    }
}

fn refused<T: DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
    serde_json::from_str::<T>(json).unwrap_err().to_string()
}

#[test]
fn refusals_read_back_every_variant_and_unknown_codes_as_other() {
    let at = Utc.with_ymd_and_hms(2026, 12, 4, 1, 0, 0).unwrap();
    round_trip(&[
        Refusal::PlanNotOpen {
            state: PlanState::Closed,
        },
        Refusal::WindowNotOpen { opens_at: at },
        Refusal::WindowClosed { closed_at: at },
        Refusal::Full,
        Refusal::Duplicate {
            registration_id: "r1".into(),
        },
        Refusal::AlreadyCertified {
            held: XLevel::Intermediate,
        },
        Refusal::Clash {
            plan_id: "p2".into(),
        },
        Refusal::SchoolRestriction {
            restriction_id: "x".into(),
            school: "某职业学院".into(),
            school_level: SchoolLevel::Higher,
            level: XLevel::Advanced,
        },
        Refusal::Other,
    ]);
    assert_eq!(
        serde_json::to_value(Refusal::WindowClosed { closed_at: at }).unwrap(),
        serde_json::json!({"code": "window_closed", "closed_at": "2026-12-04T09:00:00+08:00"})
    );
    // A newer server's reason, with fields this version has never seen.
    assert_eq!(
        serde_json::from_str::<Refusal>(r#"{"code":"quota_used","quota":3}"#).unwrap(),
        Refusal::Other
    );
    assert!(refused::<Refusal>(r#"{"code":"clash"}"#).contains("missing field `plan_id`"));
    assert!(refused::<Refusal>(r#"{"state":"open"}"#).contains("missing field `code`"));
    assert!(
        refused::<Refusal>(r#"{"code":"window_closed","closed_at":"soon"}"#).contains("RFC 3339")
    );
}

#[test]
fn outbox_actions_read_back_every_variant() {
    let ratings = Ratings {
        social_recognition: 5,
        content_quality: 4,
        learning_effect: 3,
    };
    round_trip(&[
        Action::Register {
            plan_id: "p1".into(),
        },
        Action::Cancel {
            client_id: "c1".into(),
            registration_id: "r1".into(),
        },
        Action::Feedback {
            certificate_id: "c".into(),
            level: XLevel::Primary,
            ratings,
            comment: Some("好".into()),
        },
        Action::Feedback {
            certificate_id: "c".into(),
            level: XLevel::Primary,
            ratings,
            comment: None,
        },
    ]);
    assert_eq!(
        serde_json::to_value(Action::Register {
            plan_id: "p1".into()
        })
        .unwrap(),
        serde_json::json!({"kind": "register", "plan_id": "p1"})
    );
    assert!(
        refused::<Action>(r#"{"kind":"cancel","client_id":"c1"}"#)
            .contains("missing field `registration_id`")
    );
    assert!(
        refused::<Action>(r#"{"kind":"pay","plan_id":"p1"}"#)
            .contains("unknown variant `pay`, expected one of `register`, `cancel`, `feedback`")
    );
    // Ratings keep refusing a misspelt dimension inside an action.
    assert!(
        refused::<Action>(
            r#"{"kind":"feedback","certificate_id":"c","level":"primary","ratings":{"social_recognition":5,"content_quality":4,"learning_effect":3,"fun":1}}"#
        )
        .contains("unknown field `fun`")
    );
}

#[test]
fn fee_rules_and_grade_outcomes_read_back_every_variant() {
    round_trip(&[
        FeeRule::InSchoolNotCharged,
        FeeRule::HardshipWaiver,
        FeeRule::PilotExamCovered { exams: Some(2) },
        FeeRule::PilotExamCovered { exams: None },
        FeeRule::UniformFee,
    ]);
    assert_eq!(
        serde_json::from_str::<FeeRule>(r#"{"kind":"pilot_exam_covered"}"#).unwrap(),
        FeeRule::PilotExamCovered { exams: None }
    );
    assert!(
        refused::<FeeRule>(r#"{"kind":"free_for_all"}"#).contains("unknown variant `free_for_all`")
    );
    assert!(
        refused::<FeeRule>(r#"{"kind":"pilot_exam_covered","exams":-1}"#).contains("invalid value")
    );

    round_trip(&[
        GradeOutcome::Grade {
            grade: SkillGrade::G4,
        },
        GradeOutcome::Described {
            text_zh: "按考核等级".into(),
            text_en: "As examined".into(),
        },
    ]);
    assert!(
        refused::<GradeOutcome>(r#"{"kind":"described","text_zh":"x"}"#)
            .contains("missing field `text_en`")
    );
    assert!(
        refused::<GradeOutcome>(r#"{"kind":"level"}"#)
            .contains("unknown variant `level`, expected `grade` or `described`")
    );
}
