//! `GET /plans`: published exam plans with their state at the server's now.

use chrono::{DateTime, Utc};
use kaozheng_core::{ExamPlan, PlanState, time};
use serde::{Deserialize, Serialize};

/// Filters that combine; an empty parameter means any.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PlansQuery {
    pub certificate: Option<String>,
    /// Any spelling people use (`intermediate`, 中级, 2).
    pub level: Option<String>,
    /// Any name of the province (河南, 河南省, Henan).
    pub province: Option<String>,
}

/// The plans and the moment their states were computed. The app reads the items as bare
/// [`ExamPlan`]s (`PlanList<ExamPlan>`: the state is left unread), which keeps serde's flattening
/// out of its WASM.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanList<P = PlanListItem> {
    /// The server's now, at which every `state` was computed.
    #[serde(with = "time::cst")]
    pub as_of: DateTime<Utc>,
    pub plans: Vec<P>,
}

/// An [`ExamPlan`] with its state at the list's `as_of`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanListItem {
    #[serde(flatten)]
    pub plan: ExamPlan,
    pub state: PlanState,
}
