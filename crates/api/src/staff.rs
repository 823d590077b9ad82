//! The school's side of the API: staff sign-in, the plans a caller manages, moving a plan along its
//! lifecycle and the roster (考生名单) export. Admin tokens and staff sessions both reach these,
//! each within its role; the staff page on the server uses the same shapes.

use chrono::{DateTime, Utc};
use kaozheng_core::model::PhaseMove;
use kaozheng_core::{ExamPlan, PlanState, time};
use serde::{Deserialize, Serialize};

/// `POST /auth/staff/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffLoginRequest {
    pub username: String,
    pub password: String,
}

/// What a token or staff account reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Every school's data, the catalog and the rules.
    Province,
    /// One school's students, the plans at its sites, its students' registrations and results.
    School,
}

/// `GET /admin/me`: who a token or staff session is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaffIdentity {
    /// The staff username, or the admin token's name.
    pub name: String,
    pub role: StaffRole,
    /// The school, for a school's staff (exactly as its students' `school`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school: Option<String>,
}

/// A new staff session: the bearer token for `/admin/…` (shown once), when it expires, and who.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaffSession {
    pub token: String,
    #[serde(with = "time::cst")]
    pub expires_at: DateTime<Utc>,
    pub staff: StaffIdentity,
}

/// A plan as staff see it: every phase (drafts too), seats taken, results still owed and the one
/// move that can be made now.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaffPlan {
    #[serde(flatten)]
    pub plan: ExamPlan,
    pub state: PlanState,
    /// The school that runs the plan's site, if any.
    pub site_school: Option<String>,
    pub seats_taken: u32,
    /// Confirmed registrations whose exam has started and that have no result yet (of the
    /// caller's school's students, for a school's staff).
    pub awaiting_results: u32,
    /// Whether the caller manages the plan (it is at their school's site, or they are the
    /// province): only then can they move it.
    pub managed: bool,
    /// What the caller can do now (at most one move; none on a plan they do not manage).
    pub moves: Vec<PhaseMove>,
}

/// `GET /admin/plans`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaffPlanList {
    /// The server's now, at which every `state` and `moves` was computed.
    #[serde(with = "time::cst")]
    pub as_of: DateTime<Utc>,
    pub plans: Vec<StaffPlan>,
}

/// `POST /admin/plans/{id}/phase`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseMoveRequest {
    #[serde(rename = "move")]
    pub step: PhaseMove,
}

/// `GET /admin/export/registrations`: which registrations, as which file. Empty values mean any.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterQuery {
    pub plan_id: Option<String>,
    pub site_id: Option<String>,
    /// An exam session: the exam's start, RFC 3339 or `YYYY-MM-DD HH:MM` China time.
    pub exam_starts_at: Option<String>,
    pub include_cancelled: Option<bool>,
    /// `csv` (the default) or `xlsx`.
    pub format: Option<String>,
}
