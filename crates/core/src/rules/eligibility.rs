//! Who may register for what. A registration is refused only for the plan's own facts (window,
//! seats), the student's other registrations, a level already passed, or a school's cited rule;
//! anything else the student should know first is advice they can read and pass.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::EligibilityRules;
use crate::model::{ExamPlan, LevelInfo, PlanState, Registration, SchoolLevel, Student, XLevel};
use crate::tagged::need;
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
#[serde(tag = "code", rename_all = "snake_case", try_from = "RefusalWire")]
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

/// [`Refusal`] as JSON, read flat (see `crate::tagged`); an unknown code is [`Refusal::Other`].
#[derive(Deserialize)]
struct RefusalWire {
    code: String,
    state: Option<PlanState>,
    #[serde(default, with = "crate::time::cst::option")]
    opens_at: Option<DateTime<Utc>>,
    #[serde(default, with = "crate::time::cst::option")]
    closed_at: Option<DateTime<Utc>>,
    registration_id: Option<String>,
    held: Option<XLevel>,
    plan_id: Option<String>,
    restriction_id: Option<String>,
    school: Option<String>,
    school_level: Option<SchoolLevel>,
    level: Option<XLevel>,
}

impl TryFrom<RefusalWire> for Refusal {
    type Error = String;

    fn try_from(w: RefusalWire) -> Result<Refusal, String> {
        Ok(match w.code.as_str() {
            "plan_not_open" => Refusal::PlanNotOpen {
                state: need(w.state, "state")?,
            },
            "window_not_open" => Refusal::WindowNotOpen {
                opens_at: need(w.opens_at, "opens_at")?,
            },
            "window_closed" => Refusal::WindowClosed {
                closed_at: need(w.closed_at, "closed_at")?,
            },
            "full" => Refusal::Full,
            "duplicate" => Refusal::Duplicate {
                registration_id: need(w.registration_id, "registration_id")?,
            },
            "already_certified" => Refusal::AlreadyCertified {
                held: need(w.held, "held")?,
            },
            "clash" => Refusal::Clash {
                plan_id: need(w.plan_id, "plan_id")?,
            },
            "school_restriction" => Refusal::SchoolRestriction {
                restriction_id: need(w.restriction_id, "restriction_id")?,
                school: need(w.school, "school")?,
                school_level: need(w.school_level, "school_level")?,
                level: need(w.level, "level")?,
            },
            _ => Refusal::Other,
        })
    }
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
mod tests;
