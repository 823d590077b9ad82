//! `POST /api/v1/registrations`, `GET /api/v1/registrations`, `DELETE /api/v1/registrations/{id}`:
//! the signed-in student's own registrations only, each with its ticket check filled in.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaozheng_core::model::Registration;
use serde::{Deserialize, Serialize};

use super::json::ApiJson;
use crate::auth::StudentSession;
use crate::db;
use crate::error::ApiError;
use crate::registrations::{self, MAX_CLIENT_ID};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRegistration {
    /// The app's idempotency key (its outbox entry's UUID).
    pub client_id: String,
    pub plan_id: String,
}

#[derive(Debug, Serialize)]
pub struct RegistrationList {
    pub registrations: Vec<Registration>,
}

/// `client_id`: 1–64 characters of ASCII letters, digits, `.`, `_`, `:` and `-` (a UUID fits).
pub fn valid_client_id(s: &str) -> bool {
    (1..=MAX_CLIENT_ID).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_uuid_like() {
        assert!(valid_client_id("0b6f6f0e-4f1c-4e36-9a3e-5d0a7c1b2e3f"));
        assert!(valid_client_id("outbox:42"));
        for bad in ["", "a b", "报名", &"x".repeat(65)] {
            assert!(!valid_client_id(bad), "{bad:?}");
        }
    }
}
