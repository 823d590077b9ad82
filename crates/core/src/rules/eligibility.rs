//! Who may register for what. A registration is refused only for the plan's own facts (window,
//! seats), the student's other registrations, a level already passed, or a school's cited rule;
//! anything else the student should know first is advice they can read and pass.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::EligibilityRules;
use crate::model::{ExamPlan, LevelInfo, PlanState, Registration, SchoolLevel, Student, XLevel};
use crate::time;

/// How a refusal maps onto the API: a conflict with other registrations or seats (409), a rule the
/// student does not meet (422), or the registration window (403).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    Conflict,
    Ineligible,
    Window,
}

/// Why a registration cannot be made: a stable code and the facts a message needs. The words are the
/// app's (in the student's language) and the server's (its API messages), never core's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    /// The plan is not open for registration (draft, or already past its exam).
    PlanNotOpen { state: PlanState },
    /// The window has not opened yet.
    WindowNotOpen {
        #[serde(with = "crate::time::cst")]
        opens_at: DateTime<Utc>,
    },
    WindowClosed {
        #[serde(with = "crate::time::cst")]
        closed_at: DateTime<Utc>,
    },
    /// No seats left (decided by the server at the moment of registering).
    Full,
    /// An active registration for the same certificate and level exists.
    Duplicate { registration_id: String },
    /// The student already passed this certificate at this very level: sitting it again adds
    /// nothing (a lower or higher level is not refused; see [`Advice::HoldsHigherLevel`]).
    AlreadyCertified { held: XLevel },
    /// The exam overlaps another confirmed exam of the student.
    Clash { plan_id: String },
    /// The student's school does not let students of their school level register for this level:
    /// the school's own cited rule (`restriction_id` in the eligibility rules).
    SchoolRestriction {
        restriction_id: String,
        school: String,
        school_level: SchoolLevel,
        level: XLevel,
    },
    /// A reason this version of the app does not know (a newer server's).
    #[serde(other)]
    Other,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::PlanNotOpen { .. } => "plan_not_open",
            Refusal::WindowNotOpen { .. } => "window_not_open",
            Refusal::WindowClosed { .. } => "window_closed",
            Refusal::Full => "full",
            Refusal::Duplicate { .. } => "duplicate",
            Refusal::AlreadyCertified { .. } => "already_certified",
            Refusal::Clash { .. } => "clash",
            Refusal::SchoolRestriction { .. } => "school_restriction",
            Refusal::Other => "other",
        }
    }

    pub fn kind(&self) -> RefusalKind {
        match self {
            Refusal::Full | Refusal::Duplicate { .. } | Refusal::Clash { .. } => {
                RefusalKind::Conflict
            }
            Refusal::AlreadyCertified { .. }
            | Refusal::SchoolRestriction { .. }
            | Refusal::Other => RefusalKind::Ineligible,
            Refusal::PlanNotOpen { .. }
            | Refusal::WindowNotOpen { .. }
            | Refusal::WindowClosed { .. } => RefusalKind::Window,
        }
    }
}

/// Something to know before registering that does not stop it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Advice {
    /// The student passed a higher level of this certificate already: a lower one adds little to
    /// their record (no notice forbids it, so they may go ahead).
    HoldsHigherLevel { held: XLevel },
    /// The level's standard names its audience, and the student's school level is not in it; no
    /// rule refuses them (seed 004: secondary and higher vocational schools may assess at every
    /// level), so it is for the student to weigh.
    StandardAudience {
        school_level: SchoolLevel,
        suitable_for: Vec<SchoolLevel>,
    },
}

impl Advice {
    pub fn code(&self) -> &'static str {
        match self {
            Advice::HoldsHigherLevel { .. } => "holds_higher_level",
            Advice::StandardAudience { .. } => "standard_audience",
        }
    }
}

/// What the rules know about a student when deciding a registration.
pub struct Eligibility<'a> {
    pub student: &'a Student,
    /// The student's registrations, in any state.
    pub registrations: &'a [Registration],
    /// Certificate levels the student holds (passed results): `(certificate_id, level)`.
    pub certified: &'a [(String, XLevel)],
    /// The schools' own restrictions (`None`: none known).
    pub restrictions: Option<&'a EligibilityRules>,
}

/// Every reason `plan` cannot be registered for at `now`; empty means eligible (seats permitting,
/// which only the server can say). All reasons are returned, not just the first, so a student
/// sees everything to fix at once.
pub fn check_registration(
    now: DateTime<Utc>,
    plan: &ExamPlan,
    who: &Eligibility<'_>,
) -> Vec<Refusal> {
    let mut out = Vec::new();
    match plan.state_at(now) {
        PlanState::Open => {}
        PlanState::Announced => out.push(Refusal::WindowNotOpen {
            opens_at: plan.window_opens_at,
        }),
        PlanState::Closed => out.push(Refusal::WindowClosed {
            closed_at: plan.window_closes_at,
        }),
        state => out.push(Refusal::PlanNotOpen { state }),
    }
    if let Some(r) = who.registrations.iter().find(|r| {
        r.is_active(now) && r.certificate_id == plan.certificate_id && r.level == plan.level
    }) {
        out.push(Refusal::Duplicate {
            registration_id: r.id.clone(),
        });
    }
    if who
        .certified
        .iter()
        .any(|(c, l)| *c == plan.certificate_id && *l == plan.level)
    {
        out.push(Refusal::AlreadyCertified { held: plan.level });
    }
    if let Some(r) = who.registrations.iter().find(|r| {
        r.is_confirmed()
            && r.plan_id != plan.id
            && r.exam_starts_at < plan.exam_ends_at
            && plan.exam_starts_at < r.exam_ends_at
    }) {
        out.push(Refusal::Clash {
            plan_id: r.plan_id.clone(),
        });
    }
    let today = time::to_china(now).date_naive();
    if let Some(r) = who.restrictions.and_then(|rules| {
        rules.restriction_for(who.student, &plan.certificate_id, plan.level, today)
    }) {
        out.push(Refusal::SchoolRestriction {
            restriction_id: r.id.clone(),
            school: r.school.clone(),
            school_level: who.student.school_level,
            level: plan.level,
        });
    }
    out
}

/// Where a student stands with one plan, for a list of plans: one mark per card, so a plan the
/// student cannot take never shows the same button as one they can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanMark {
    /// The student holds (or has queued) a registration for this very plan.
    Registered,
    /// Its exam overlaps another exam the student is registered for.
    Clash,
    /// The first reason the rules refuse it (window, level passed, a school's rule, …).
    NotEligible(Refusal),
    /// Open to the student, but no seats were left when the plans were last synced: a request may
    /// still be queued, and the server decides.
    Full,
    /// Open to the student, with seats left at the last sync.
    Open,
}

/// The [`PlanMark`] of `plan` for the student at `now`, by [`check_registration`].
pub fn plan_mark(now: DateTime<Utc>, plan: &ExamPlan, who: &Eligibility<'_>) -> PlanMark {
    if who
        .registrations
        .iter()
        .any(|r| r.plan_id == plan.id && r.is_active(now))
    {
        return PlanMark::Registered;
    }
    let refusals = check_registration(now, plan, who);
    if refusals.iter().any(|r| matches!(r, Refusal::Clash { .. })) {
        return PlanMark::Clash;
    }
    match refusals.into_iter().next() {
        Some(r) => PlanMark::NotEligible(r),
        None if plan.seats_left == 0 => PlanMark::Full,
        None => PlanMark::Open,
    }
}

/// What the student should know before registering for `plan` at `level_info`, none of it a
/// reason to refuse.
pub fn advise_registration(
    plan: &ExamPlan,
    level_info: Option<&LevelInfo>,
    who: &Eligibility<'_>,
) -> Vec<Advice> {
    let mut out = Vec::new();
    if let Some(held) = who
        .certified
        .iter()
        .filter(|(c, l)| *c == plan.certificate_id && *l > plan.level)
        .map(|(_, l)| *l)
        .max()
    {
        out.push(Advice::HoldsHigherLevel { held });
    }
    if let Some(list) = level_info.and_then(|i| i.suitable_for.as_ref())
        && !list.is_empty()
        && !list.contains(&who.student.school_level)
    {
        out.push(Advice::StandardAudience {
            school_level: who.student.school_level,
            suitable_for: list.clone(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::model::{FeeDecision, FeeReason, Payer, PlanPhase, RegistrationStatus};

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

    fn student(level: SchoolLevel) -> Student {
        Student {
            student_no: "2024001".into(),
            name: "张三".into(),
            school: "示例职业技术学院".into(),
            school_level: level,
            major: None,
            province: "天津".into(),
            hardship: false,
            pilot: true,
            passed_courses: Vec::new(),
            graduation_on: None,
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
        let seed = include_str!("../../../../data/source/seeds/004.txt");
        assert!(seed.contains(
            "中等职业学校、高等职业学校可结合初级、中级、高级职业技能等级开展培训评价工作"
        ));
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
}
