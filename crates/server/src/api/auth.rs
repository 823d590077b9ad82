//! `POST /api/v1/auth/login`, `POST /api/v1/auth/embed`, `POST /api/v1/auth/logout`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::DateTime;
use kaozheng_api::auth::{EmbedRequest, LoginRequest, MAX_PASSWORD, MAX_STUDENT_NO, Session};
use kaozheng_core::model::Student;

use super::json::ApiJson;
use crate::auth::{ClientAddr, StudentSession, embed, tokens};
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized(
        "invalid_credentials",
        "the student number or the password is wrong",
        "学号或密码错误",
    )
}

/// Starts a session for `student`; `origin` says how it was proved (`password`, `embed:<iss>`).
async fn start_session(
    state: &AppState,
    student: Student,
    origin: &str,
) -> Result<Session, ApiError> {
    let now = state.now();
    let now = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let expires_at = now + state.auth.session_ttl;
    let token = tokens::new_token();
    db::sessions::insert(
        &state.db.pool,
        &tokens::token_hash(&token),
        &student.student_no,
        origin,
        now.timestamp(),
        expires_at.timestamp(),
    )
    .await?;
    tracing::info!(student = %student.student_no, origin, "session started");
    Ok(Session {
        token,
        expires_at,
        student,
    })
}

pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<Session>, ApiError> {
    if req.student_no.is_empty()
        || req.student_no.chars().count() > MAX_STUDENT_NO
        || req.password.is_empty()
        || req.password.chars().count() > MAX_PASSWORD
    {
        return Err(ApiError::bad_request(
            "invalid_body",
            format!(
                "student_no has 1 to {MAX_STUDENT_NO} characters and password 1 to {MAX_PASSWORD}"
            ),
            "学号或密码长度不符合要求",
        ));
    }
    let pool = &state.db.pool;
    let limits = state.auth.login_limits;
    let attempt = match limits
        .attempt(&state.db, &req.student_no, &addr, state.now().timestamp())
        .await?
    {
        Ok(a) => a,
        Err(retry_after) => {
            tracing::warn!(student = %req.student_no, %addr, "login rate-limited");
            return Err(ApiError::too_many_attempts(retry_after));
        }
    };
    let found = db::students::get_with_hash(pool, &req.student_no).await?;
    let (student, hash) = match found {
        Some((s, h)) => (Some(s), Some(h)),
        None => (None, None),
    };
    // An unknown student costs one argon2 verification too, so timing does not tell them apart.
    let ok = state
        .auth
        .passwords
        .verify_blocking(req.password, hash)
        .await;
    let Some(student) = student.filter(|_| ok) else {
        tracing::info!(student = %req.student_no, %addr, "login failed");
        return Err(invalid_credentials());
    };
    limits.succeeded(&state.db, attempt).await?;
    Ok(Json(start_session(&state, student, "password").await?))
}

pub async fn embed(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<EmbedRequest>,
) -> Result<Json<Session>, ApiError> {
    let now = state.now().timestamp();
    let verified = embed::verify(&state.auth.portals, &req.assertion, now).map_err(|e| {
        tracing::info!(reason = %e, "portal assertion refused");
        ApiError::unauthorized(
            "invalid_assertion",
            format!("the portal assertion was refused: {e}"),
            e.zh(),
        )
    })?;
    if !db::embed::claim_jti(&state.db.pool, &verified.iss, &verified.jti, verified.exp).await? {
        tracing::warn!(iss = %verified.iss, "portal assertion replayed");
        return Err(ApiError::unauthorized(
            "assertion_replayed",
            "this assertion (jti) was already exchanged; ask the portal for a new one",
            "该门户断言已使用过，请重新从门户进入",
        ));
    }
    let student = db::students::get(&state.db.pool, &verified.student_no)
        .await?
        .ok_or_else(|| {
            ApiError::unauthorized(
                "invalid_assertion",
                "the portal assertion names a student (sub) this server does not know",
                "门户断言中的学生不存在",
            )
        })?;
    let origin = format!("embed:{}", verified.iss);
    Ok(Json(start_session(&state, student, &origin).await?))
}

pub async fn logout(
    State(state): State<AppState>,
    session: StudentSession,
) -> Result<StatusCode, ApiError> {
    db::sessions::revoke(&state.db.pool, &session.token_hash, state.now().timestamp()).await?;
    tracing::info!(student = %session.student_no, "signed out");
    Ok(StatusCode::NO_CONTENT)
}
