use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::XLevel;
use crate::time::cst;

/// The stage of an exam plan that an administrator sets. Registration windows and exam times decide
/// the finer [`PlanState`] while a plan is `Published`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanPhase {
    Draft,
    Published,
    Scoring,
    Publicized,
    Ended,
}

/// Where an exam plan is in its lifecycle at a given moment.
///
/// Draft → Announced → Open (报名中) → Closed (报名截止) → Examining → Scoring (4) → Publicized (5) →
/// Ended (6). `Announced` (published, window not yet open) is not in the platform's list but students
/// need to see plans before their window opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    Draft,
    Announced,
    Open,
    Closed,
    Examining,
    Scoring,
    Publicized,
    Ended,
}

impl PlanPhase {
    pub const ALL: [PlanPhase; 5] = [
        PlanPhase::Draft,
        PlanPhase::Published,
        PlanPhase::Scoring,
        PlanPhase::Publicized,
        PlanPhase::Ended,
    ];

    /// The JSON name (`"published"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            PlanPhase::Draft => "draft",
            PlanPhase::Published => "published",
            PlanPhase::Scoring => "scoring",
            PlanPhase::Publicized => "publicized",
            PlanPhase::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl PlanState {
    /// The JSON name (`"open"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            PlanState::Draft => "draft",
            PlanState::Announced => "announced",
            PlanState::Open => "open",
            PlanState::Closed => "closed",
            PlanState::Examining => "examining",
            PlanState::Scoring => "scoring",
            PlanState::Publicized => "publicized",
            PlanState::Ended => "ended",
        }
    }

    /// The national platform's `examState` code, where it has one.
    pub fn platform_code(self) -> Option<u8> {
        match self {
            PlanState::Scoring => Some(4),
            PlanState::Publicized => Some(5),
            PlanState::Ended => Some(6),
            _ => None,
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            PlanState::Draft => "草稿",
            PlanState::Announced => "即将报名",
            PlanState::Open => "报名中",
            PlanState::Closed => "报名截止",
            PlanState::Examining => "考试中",
            PlanState::Scoring => "成绩登记中",
            PlanState::Publicized => "成绩公示中",
            PlanState::Ended => "考试已结束",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            PlanState::Draft => "Draft",
            PlanState::Announced => "Opens soon",
            PlanState::Open => "Registration open",
            PlanState::Closed => "Registration closed",
            PlanState::Examining => "Exam in progress",
            PlanState::Scoring => "Scoring",
            PlanState::Publicized => "Results published",
            PlanState::Ended => "Ended",
        }
    }

    /// Students see results only once they are publicised.
    pub fn results_visible(self) -> bool {
        matches!(self, PlanState::Publicized | PlanState::Ended)
    }
}

/// How a student pays a plan's fee, as the plan's organiser says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayMethod {
    /// The school collects it (e.g. its finance office or class teacher).
    SchoolCollects,
    /// Online, on the evaluation organisation's or the school's payment page.
    Online,
    /// At the exam site.
    AtSite,
}

impl PayMethod {
    pub const ALL: [PayMethod; 3] = [
        PayMethod::SchoolCollects,
        PayMethod::Online,
        PayMethod::AtSite,
    ];

    /// The JSON and CSV name (`"school_collects"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            PayMethod::SchoolCollects => "school_collects",
            PayMethod::Online => "online",
            PayMethod::AtSite => "at_site",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// How, where and by when a plan's fee is paid. Only what the plan data gives: a plan without it
/// says so rather than guessing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeePayment {
    pub method: PayMethod,
    /// Where, as the organiser wrote it: an office, a counter or a web address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The last moment to pay.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "cst::option")]
    pub due_at: Option<DateTime<Utc>>,
}

/// An exam plan (考核计划): one certificate level, one site, one registration window, one exam time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamPlan {
    pub id: String,
    /// e.g. "2026年12月Web前端开发职业技能等级证书（中级）考试"
    pub name: String,
    pub certificate_id: String,
    pub level: XLevel,
    pub province: String,
    pub site_id: String,
    pub phase: PlanPhase,
    #[serde(with = "cst")]
    pub window_opens_at: DateTime<Utc>,
    #[serde(with = "cst")]
    pub window_closes_at: DateTime<Utc>,
    #[serde(with = "cst")]
    pub exam_starts_at: DateTime<Utc>,
    #[serde(with = "cst")]
    pub exam_ends_at: DateTime<Utc>,
    pub capacity: u32,
    /// Seats left when the server answered; the server alone decides whether a plan is full.
    pub seats_left: u32,
    /// Exam fee in fen (1/100 yuan) before any waiver.
    pub fee_fen: u32,
    /// How, where and by when the fee is paid, when the plan data says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<FeePayment>,
}

impl ExamPlan {
    /// The lifecycle state at `now`.
    pub fn state_at(&self, now: DateTime<Utc>) -> PlanState {
        match self.phase {
            PlanPhase::Draft => PlanState::Draft,
            PlanPhase::Scoring => PlanState::Scoring,
            PlanPhase::Publicized => PlanState::Publicized,
            PlanPhase::Ended => PlanState::Ended,
            PlanPhase::Published if now < self.window_opens_at => PlanState::Announced,
            PlanPhase::Published if now < self.window_closes_at => PlanState::Open,
            PlanPhase::Published if now < self.exam_starts_at => PlanState::Closed,
            PlanPhase::Published => PlanState::Examining,
        }
    }

    /// Whether a student could register at `now`, seats permitting.
    pub fn window_open(&self, now: DateTime<Utc>) -> bool {
        self.state_at(now) == PlanState::Open
    }

    /// Upcoming means worth showing on the home page: not yet examined.
    pub fn is_upcoming(&self, now: DateTime<Utc>) -> bool {
        matches!(
            self.state_at(now),
            PlanState::Announced | PlanState::Open | PlanState::Closed
        )
    }

    /// Checks the times are in order; returns the name of the first field out of order.
    pub fn check_times(&self) -> Result<(), &'static str> {
        if self.window_closes_at <= self.window_opens_at {
            return Err("window_closes_at");
        }
        if self.exam_starts_at < self.window_closes_at {
            return Err("exam_starts_at");
        }
        if self.exam_ends_at <= self.exam_starts_at {
            return Err("exam_ends_at");
        }
        // A fee due before anyone could register, or after the exam began, is a typing error.
        if let Some(due) = self.payment.as_ref().and_then(|p| p.due_at)
            && (due < self.window_opens_at || due > self.exam_starts_at)
        {
            return Err("pay_due_at");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        crate::time::china()
            .with_ymd_and_hms(2026, 12, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn plan() -> ExamPlan {
        ExamPlan {
            id: "p1".into(),
            name: "2026年12月Web前端开发职业技能等级证书（中级）考试".into(),
            certificate_id: "c1".into(),
            level: XLevel::Intermediate,
            province: "河南".into(),
            site_id: "s1".into(),
            phase: PlanPhase::Published,
            window_opens_at: at(1, 9),
            window_closes_at: at(10, 17),
            exam_starts_at: at(20, 9),
            exam_ends_at: at(20, 11),
            capacity: 50,
            seats_left: 50,
            fee_fen: 30_000,
            payment: None,
        }
    }

    #[test]
    fn published_plan_moves_through_window_and_exam() {
        let p = plan();
        assert_eq!(p.state_at(at(1, 8)), PlanState::Announced);
        assert_eq!(
            p.state_at(at(1, 9)),
            PlanState::Open,
            "window opens inclusively"
        );
        assert!(p.window_open(at(5, 12)));
        assert_eq!(
            p.state_at(at(10, 17)),
            PlanState::Closed,
            "window closes exclusively"
        );
        assert_eq!(p.state_at(at(20, 9)), PlanState::Examining);
        assert!(p.is_upcoming(at(15, 0)) && !p.is_upcoming(at(21, 0)));
    }

    #[test]
    fn admin_phases_override_times() {
        let mut p = plan();
        for (phase, state, code) in [
            (PlanPhase::Draft, PlanState::Draft, None),
            (PlanPhase::Scoring, PlanState::Scoring, Some(4)),
            (PlanPhase::Publicized, PlanState::Publicized, Some(5)),
            (PlanPhase::Ended, PlanState::Ended, Some(6)),
        ] {
            p.phase = phase;
            assert_eq!(p.state_at(at(5, 12)), state);
            assert_eq!(state.platform_code(), code);
        }
        assert!(PlanState::Publicized.results_visible() && !PlanState::Scoring.results_visible());
        for phase in PlanPhase::ALL {
            assert_eq!(
                serde_json::to_string(&phase).unwrap(),
                format!("\"{}\"", phase.as_str())
            );
            assert_eq!(PlanPhase::parse(phase.as_str()), Some(phase));
        }
        assert_eq!(
            serde_json::to_string(&PlanState::Announced).unwrap(),
            "\"announced\""
        );
        assert_eq!(PlanState::Announced.as_str(), "announced");
    }

    #[test]
    fn times_serialize_in_china_time_and_parse_any_offset() {
        let p = plan();
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["window_opens_at"], "2026-12-01T09:00:00+08:00");
        let mut v = json.clone();
        v["window_opens_at"] = "2026-12-01T01:00:00Z".into();
        let back: ExamPlan = serde_json::from_value(v).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn check_times_names_the_bad_field() {
        let mut p = plan();
        assert_eq!(p.check_times(), Ok(()));
        p.exam_ends_at = p.exam_starts_at;
        assert_eq!(p.check_times(), Err("exam_ends_at"));
        p.window_closes_at = p.window_opens_at;
        assert_eq!(p.check_times(), Err("window_closes_at"));
    }
}
