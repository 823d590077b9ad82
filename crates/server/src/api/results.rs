//! `GET /api/v1/results`: the signed-in student's results whose plan is publicized or ended now,
//! each certificate number with its check code (see [`crate::tickets`]).

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use kaozheng_api::ResultList;
use kaozheng_core::ExamPlan;
use kaozheng_core::model::ExamResult;

use crate::auth::StudentSession;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    session: StudentSession,
) -> Result<Json<ResultList>, ApiError> {
    let results = published(&state, &session.student_no).await?;
    Ok(Json(ResultList { results }))
}

/// The student's results whose plan is publicized or ended now, the latest exam first, each
/// certificate number with its check (the result page's QR).
pub async fn published(state: &AppState, student_no: &str) -> Result<Vec<ExamResult>, ApiError> {
    let now = state.now();
    let pool = &state.db.pool;
    let mut plans: HashMap<String, ExamPlan> = HashMap::new();
    let mut results = Vec::new();
    for r in db::results::for_student(pool, student_no).await? {
        if !plans.contains_key(&r.plan_id) {
            let plan = db::plans::get(pool, &r.plan_id)
                .await?
                .ok_or_else(ApiError::internal)?;
            plans.insert(r.plan_id.clone(), plan);
        }
        let plan = &plans[&r.plan_id];
        let plan_state = plan.state_at(now);
        // Results in registration (成绩登记中) stay hidden until they are publicized.
        if !plan_state.results_visible() {
            continue;
        }
        let certificate_check = r
            .result
            .certificate_no
            .as_deref()
            .map(|no| state.tickets.certificate_check(no))
            .unwrap_or_default();
        results.push(ExamResult {
            registration_id: r.result.registration_id.clone(),
            plan_id: plan.id.clone(),
            plan_name: plan.name.clone(),
            certificate_id: plan.certificate_id.clone(),
            level: plan.level,
            state: plan_state,
            passed: r.result.passed(),
            modules: r.result.modules,
            certificate_no: r.result.certificate_no,
            issued_on: r.result.issued_on,
            certificate_check,
        });
    }
    results.sort_by(|a, b| {
        let start = |x: &ExamResult| plans[&x.plan_id].exam_starts_at;
        start(b)
            .cmp(&start(a))
            .then_with(|| a.registration_id.cmp(&b.registration_id))
    });
    Ok(results)
}
