use chrono::{Duration, TimeZone};

use super::*;
use crate::model::{FeeDecision, FeeReason, Payer, PlanPhase, RegistrationStatus};
use crate::rules::fixtures::student;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    time::china()
        .with_ymd_and_hms(2026, 12, day, hour, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn plan(id: &str, cert: &str, level: XLevel, exam_day: u32) -> ExamPlan {
    ExamPlan {
        id: id.into(),
        name: format!("{id} plan"),
        certificate_id: cert.into(),
        level,
        province: "天津".into(),
        site_id: "s".into(),
        phase: PlanPhase::Published,
        window_opens_at: at(1, 9),
        window_closes_at: at(10, 17),
        exam_starts_at: at(exam_day, 9),
        exam_ends_at: at(exam_day, 11),
        capacity: 50,
        seats_left: 10,
        fee_fen: 30_000,
        payment: None,
    }
}

fn registration(id: &str, p: &ExamPlan, status: RegistrationStatus) -> Registration {
    Registration {
        id: id.into(),
        client_id: format!("client-{id}"),
        plan_id: p.id.clone(),
        certificate_id: p.certificate_id.clone(),
        level: p.level,
        status,
        ticket_no: "T1".into(),
        ticket_check: String::new(),
        fee: FeeDecision {
            fee_fen: p.fee_fen,
            student_pays_fen: 0,
            payer: Payer::School,
            reason: FeeReason::PilotExamCovered,
            policy: None,
        },
        exam_starts_at: p.exam_starts_at,
        exam_ends_at: p.exam_ends_at,
        created_at: at(2, 9),
        cancelled_at: None,
        fee_paid_at: None,
    }
}

/// Refusal codes, then advice codes after a `+`.
fn codes(
    now: DateTime<Utc>,
    p: &ExamPlan,
    info: Option<&LevelInfo>,
    s: &Student,
    regs: &[Registration],
    certified: &[(String, XLevel)],
) -> Vec<&'static str> {
    let who = Eligibility {
        student: s,
        registrations: regs,
        certified,
        restrictions: None,
    };
    let mut out: Vec<_> = check_registration(now, p, &who)
        .iter()
        .map(Refusal::code)
        .collect();
    out.extend(
        advise_registration(p, info, &who)
            .iter()
            .map(|a| match a.code() {
                "holds_higher_level" => "+holds_higher_level",
                _ => "+standard_audience",
            }),
    );
    out
}

/// A list marks each plan once: this plan registered, another exam in the way, a reason the
/// rules refuse it, full at the last sync, or open.
#[test]
fn plan_marks_say_where_the_student_stands() {
    let s = student(SchoolLevel::Higher);
    let mark = |p: &ExamPlan, regs: &[Registration], now| {
        plan_mark(
            now,
            p,
            &Eligibility {
                student: &s,
                registrations: regs,
                certified: &[],
                restrictions: None,
            },
        )
    };
    let p = plan("p1", "web", XLevel::Primary, 20);
    assert_eq!(mark(&p, &[], at(5, 12)), PlanMark::Open);
    let mut full = p.clone();
    full.seats_left = 0;
    assert_eq!(mark(&full, &[], at(5, 12)), PlanMark::Full);
    let mine = registration("r1", &p, RegistrationStatus::Confirmed);
    assert_eq!(
        mark(&p, std::slice::from_ref(&mine), at(5, 12)),
        PlanMark::Registered
    );
    let same_time = plan("p2", "db", XLevel::Primary, 20);
    assert_eq!(mark(&same_time, &[mine], at(5, 12)), PlanMark::Clash);
    assert!(matches!(
        mark(&full, &[], at(1, 8)),
        PlanMark::NotEligible(Refusal::WindowNotOpen { .. })
    ));
}

#[test]
fn an_open_plan_with_nothing_in_the_way_is_eligible() {
    let p = plan("p1", "web", XLevel::Intermediate, 20);
    assert!(codes(at(5, 12), &p, None, &student(SchoolLevel::Higher), &[], &[]).is_empty());
}

#[test]
fn the_window_is_checked_against_now() {
    let p = plan("p1", "web", XLevel::Primary, 20);
    let s = student(SchoolLevel::Higher);
    assert_eq!(
        codes(at(1, 8), &p, None, &s, &[], &[]),
        vec!["window_not_open"]
    );
    assert_eq!(
        codes(at(10, 17), &p, None, &s, &[], &[]),
        vec!["window_closed"]
    );
    let mut draft = p.clone();
    draft.phase = PlanPhase::Draft;
    assert_eq!(
        codes(at(5, 12), &draft, None, &s, &[], &[]),
        vec!["plan_not_open"]
    );
    assert_eq!(
        codes(at(25, 12), &p, None, &s, &[], &[]),
        vec!["plan_not_open"]
    );
}

#[test]
fn an_active_registration_for_the_same_level_is_a_duplicate_but_not_once_cancelled_or_over() {
    let p = plan("p1", "web", XLevel::Primary, 20);
    let other_plan_same_level = plan("p2", "web", XLevel::Primary, 25);
    let s = student(SchoolLevel::Higher);
    let active = registration("r1", &other_plan_same_level, RegistrationStatus::Confirmed);
    assert_eq!(
        codes(at(5, 12), &p, None, &s, std::slice::from_ref(&active), &[]),
        vec!["duplicate"]
    );
    let cancelled = registration("r1", &other_plan_same_level, RegistrationStatus::Cancelled);
    assert!(codes(at(5, 12), &p, None, &s, &[cancelled], &[]).is_empty());
    // An exam already over (failed, say) does not block registering again.
    let mut past = active;
    past.exam_starts_at = at(2, 9) - Duration::days(60);
    past.exam_ends_at = past.exam_starts_at + Duration::hours(2);
    assert!(codes(at(5, 12), &p, None, &s, &[past], &[]).is_empty());
}

/// The refusal of a level already passed is the product's (re-sitting it adds nothing); a
/// lower level is only advice, since no notice forbids it.
#[test]
fn the_level_already_passed_is_refused_a_lower_one_is_advice() {
    let p = plan("p1", "web", XLevel::Intermediate, 20);
    let s = student(SchoolLevel::Higher);
    let held = |l| vec![("web".to_string(), l)];
    assert_eq!(
        codes(at(5, 12), &p, None, &s, &[], &held(XLevel::Advanced)),
        vec!["+holds_higher_level"]
    );
    assert_eq!(
        codes(at(5, 12), &p, None, &s, &[], &held(XLevel::Intermediate)),
        vec!["already_certified"]
    );
    assert!(codes(at(5, 12), &p, None, &s, &[], &held(XLevel::Primary)).is_empty());
    assert!(
        codes(
            at(5, 12),
            &p,
            None,
            &s,
            &[],
            &[("bim".into(), XLevel::Advanced)]
        )
        .is_empty()
    );
}

#[test]
fn overlapping_confirmed_exams_clash_touching_ones_do_not() {
    let p = plan("p1", "web", XLevel::Primary, 20);
    let s = student(SchoolLevel::Higher);
    let mut other = plan("p9", "bim", XLevel::Primary, 20);
    other.exam_starts_at = at(20, 10);
    other.exam_ends_at = at(20, 12);
    let r = registration("r9", &other, RegistrationStatus::Confirmed);
    assert_eq!(
        codes(at(5, 12), &p, None, &s, std::slice::from_ref(&r), &[]),
        vec!["clash"]
    );
    let mut after = r.clone();
    after.exam_starts_at = p.exam_ends_at;
    after.exam_ends_at = p.exam_ends_at + Duration::hours(2);
    assert!(codes(at(5, 12), &p, None, &s, &[after], &[]).is_empty());
    let cancelled = Registration {
        status: RegistrationStatus::Cancelled,
        ..r
    };
    assert!(codes(at(5, 12), &p, None, &s, &[cancelled], &[]).is_empty());
}

/// Seed 004 (三.5): “中等职业学校、高等职业学校可结合初级、中级、高级职业技能等级开展培训评价工作”.
#[test]
fn seed_004_secondary_students_may_register_for_every_level() {
    let seed = include_str!("../../../../../data/source/seeds/004.txt");
    assert!(
        seed.contains(
            "中等职业学校、高等职业学校可结合初级、中级、高级职业技能等级开展培训评价工作"
        )
    );
    for level in XLevel::ALL {
        let p = plan("p1", "web", level, 20);
        for s in [
            SchoolLevel::Secondary,
            SchoolLevel::Higher,
            SchoolLevel::Undergraduate,
            SchoolLevel::Social,
        ] {
            assert!(
                codes(at(5, 12), &p, None, &student(s), &[], &[]).is_empty(),
                "{s:?} {level:?}"
            );
        }
    }
}

#[test]
fn a_standards_audience_is_advice_and_a_schools_rule_is_a_refusal() {
    let adv = plan("p1", "web", XLevel::Advanced, 20);
    let mut info = LevelInfo::new(XLevel::Advanced);
    info.suitable_for = Some(vec![SchoolLevel::Higher]);
    let sec = student(SchoolLevel::Secondary);
    assert_eq!(
        codes(at(5, 12), &adv, Some(&info), &sec, &[], &[]),
        vec!["+standard_audience"]
    );
    assert!(
        codes(
            at(5, 12),
            &adv,
            Some(&info),
            &student(SchoolLevel::Higher),
            &[],
            &[]
        )
        .is_empty()
    );
    let mut r = super::super::restrictions::tests::restriction();
    r.school = sec.school.clone();
    r.citations[0].issuer = sec.school.clone();
    let rules = EligibilityRules {
        version: "1".into(),
        restrictions: vec![r],
    };
    let who = Eligibility {
        student: &sec,
        registrations: &[],
        certified: &[],
        restrictions: Some(&rules),
    };
    let got = check_registration(at(5, 12), &adv, &who);
    assert_eq!(
        got,
        vec![Refusal::SchoolRestriction {
            restriction_id: "r1".into(),
            school: sec.school.clone(),
            school_level: SchoolLevel::Secondary,
            level: XLevel::Advanced,
        }]
    );
    let inter = plan("p2", "web", XLevel::Intermediate, 20);
    assert!(check_registration(at(5, 12), &inter, &who).is_empty());
}

#[test]
fn every_reason_is_reported_at_once_with_a_stable_code() {
    let p = plan("p1", "web", XLevel::Advanced, 20);
    let clashing = registration(
        "r2",
        &plan("p2", "bim", XLevel::Primary, 20),
        RegistrationStatus::Confirmed,
    );
    let dup = registration(
        "r3",
        &plan("p3", "web", XLevel::Advanced, 28),
        RegistrationStatus::Confirmed,
    );
    let got = codes(
        at(11, 9),
        &p,
        None,
        &student(SchoolLevel::Secondary),
        &[clashing, dup],
        &[("web".into(), XLevel::Advanced)],
    );
    assert_eq!(
        got,
        vec!["window_closed", "duplicate", "already_certified", "clash"]
    );
    let all = [
        Refusal::PlanNotOpen {
            state: PlanState::Scoring,
        },
        Refusal::WindowNotOpen { opens_at: at(1, 9) },
        Refusal::WindowClosed {
            closed_at: at(10, 17),
        },
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
            school: "某校".into(),
            school_level: SchoolLevel::Secondary,
            level: XLevel::Advanced,
        },
        Refusal::Other,
    ];
    for r in &all {
        let json = serde_json::to_value(r).unwrap();
        assert_eq!(json["code"], r.code());
        assert_eq!(&serde_json::from_value::<Refusal>(json).unwrap(), r);
    }
    assert_eq!(Refusal::Full.kind(), RefusalKind::Conflict);
    assert_eq!(
        Refusal::AlreadyCertified {
            held: XLevel::Primary
        }
        .kind(),
        RefusalKind::Ineligible
    );
    assert_eq!(
        Refusal::WindowClosed {
            closed_at: at(1, 1)
        }
        .kind(),
        RefusalKind::Window
    );
    // Times travel in China time, as the notices state them.
    assert_eq!(
        serde_json::to_value(Refusal::WindowClosed {
            closed_at: at(10, 17)
        })
        .unwrap()["closed_at"],
        "2026-12-10T17:00:00+08:00"
    );
}
