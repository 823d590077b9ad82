//! `POST /api/v1/registrations`, `GET /api/v1/registrations`, `DELETE /api/v1/registrations/{id}`:
//! the signed-in student's own registrations only, each with its ticket check filled in.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaozheng_api::{MAX_CLIENT_ID, NewRegistration, RegistrationList, valid_client_id};
use kaozheng_core::model::Registration;

use super::json::ApiJson;
use crate::auth::StudentSession;
use crate::db;
use crate::error::ApiError;
use crate::registrations;
use crate::state::AppState;

pub async fn create(
    State(state): State<AppState>,
    session: StudentSession,
    ApiJson(req): ApiJson<NewRegistration>,
) -> Result<(StatusCode, Json<Registration>), ApiError> {
    if !valid_client_id(&req.client_id) {
        return Err(ApiError::bad_request(
            "invalid_body",
            format!(
                "client_id has 1 to {MAX_CLIENT_ID} characters: ASCII letters, digits, '.', '_', ':' or '-'"
            ),
            "client_id 格式不正确",
        ));
    }
    if req.plan_id.is_empty() || req.plan_id.len() > 128 {
        return Err(ApiError::bad_request(
            "invalid_body",
            "plan_id has 1 to 128 characters",
            "plan_id 格式不正确",
        ));
    }
    let outcome = registrations::register(
        &state.db,
        state.now(),
        &session.student_no,
        &req.client_id,
        &req.plan_id,
    )
    .await;
    match &outcome {
        Ok(r) => tracing::info!(
            student = %session.student_no,
            plan = %req.plan_id,
            status = %registrations::status_of(r),
            "registration"
        ),
        Err(e) => tracing::info!(
            student = %session.student_no,
            plan = %req.plan_id,
            code = e.code,
            "registration refused"
        ),
    }
    let outcome = outcome?;
    let status = registrations::status_of(&outcome);
    let (registrations::Registered::Created(mut r) | registrations::Registered::Existing(mut r)) =
        outcome;
    state.tickets.fill(&mut r, &session.student_no);
    Ok((status, Json(r)))
}

pub async fn list(
    State(state): State<AppState>,
    session: StudentSession,
) -> Result<Json<RegistrationList>, ApiError> {
    let mut registrations =
        db::registrations::for_student(&state.db.pool, &session.student_no).await?;
    for r in &mut registrations {
        state.tickets.fill(r, &session.student_no);
    }
    Ok(Json(RegistrationList { registrations }))
}

pub async fn cancel(
    State(state): State<AppState>,
    session: StudentSession,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Registration>, ApiError> {
    // An id that is not even text (invalid UTF-8 once decoded) is no registration of anyone's.
    let Path(id) = path.map_err(|e| {
        ApiError::not_found(
            "registration_not_found",
            format!("no registration has this id: {}", e.body_text()),
            "没有找到该报名记录",
        )
    })?;
    let mut r = registrations::cancel(&state.db, state.now(), &session.student_no, &id).await?;
    tracing::info!(student = %session.student_no, registration = %id, "registration cancelled");
    state.tickets.fill(&mut r, &session.student_no);
    Ok(Json(r))
}
