//! Staff sign-in over the API: `POST /api/v1/auth/staff/login` (a bearer token for the admin
//! endpoints, within the account's scope), `POST /api/v1/auth/staff/logout`, and `GET
//! /api/v1/admin/me` (who a token or session is: name, role, school).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kaozheng_api::staff::{StaffIdentity, StaffLoginRequest, StaffRole, StaffSession};

use super::json::ApiJson;
use crate::auth::staff::{self, Scope};
use crate::auth::{Admin, ClientAddr, tokens};
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;

fn identity(name: &str, scope: &Scope) -> StaffIdentity {
    StaffIdentity {
        name: name.to_string(),
        role: if scope.is_province() {
            StaffRole::Province
        } else {
            StaffRole::School
        },
        school: scope.school().map(str::to_string),
    }
}

pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(req): ApiJson<StaffLoginRequest>,
) -> Result<Json<StaffSession>, ApiError> {
    let login = staff::sign_in(&state, &req.username, &req.password, &addr, "api").await?;
    Ok(Json(StaffSession {
        token: login.token,
        expires_at: login.expires_at,
        staff: identity(&login.account.username, &login.account.scope),
    }))
}

/// Ends the staff session the bearer token is; an admin token is not a session (403).
pub async fn logout(
    State(state): State<AppState>,
    admin: Admin,
    headers: axum::http::HeaderMap,
) -> Result<StatusCode, ApiError> {
    let token = tokens::bearer(&headers).unwrap_or_default();
    let hash = tokens::token_hash(token);
    if db::staff::session(&state.db.pool, &hash).await?.is_none() {
        return Err(ApiError::forbidden(
            "staff_session_only",
            "an admin token is not a session; revoke it with `kaozheng-server admin-token revoke`",
            "管理员令牌不是登录会话，请用命令行吊销",
        ));
    }
    db::staff::revoke_session(&state.db.pool, &hash, state.now().timestamp()).await?;
    tracing::info!(staff = %admin.name, "staff signed out");
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(admin: Admin) -> Json<StaffIdentity> {
    Json(identity(&admin.name, &admin.scope))
}
