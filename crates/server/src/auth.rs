//! Who is calling: students with a session token (from a password login or a portal assertion),
//! administrators with a token made by the CLI, a school's staff with a staff session ([`staff`]).
//! Students and staff never mix: a student token is refused on admin endpoints (403) and an admin
//! token or staff session on student endpoints (403), and no token is ever logged.

pub mod embed;
pub mod password;
pub mod rate_limit;
pub mod staff;
pub mod tokens;

use std::net::IpAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::transport::PeerAddr;

/// A student authenticated by a session token.
#[derive(Debug, Clone)]
pub struct StudentSession {
    pub student_no: String,
    /// The SHA-256 of the token (what logout revokes).
    pub token_hash: String,
}

/// An administrator or a school's staff member: an admin token, or a staff session (see
/// [`staff`]).
#[derive(Debug, Clone)]
pub struct Admin {
    /// The token's name or the staff username (for the log).
    pub name: String,
    /// What the caller may reach.
    pub scope: staff::Scope,
}

fn missing_token() -> ApiError {
    ApiError::unauthorized(
        "unauthorized",
        "sign in first: send Authorization: Bearer <token>",
        "请先登录",
    )
}

fn invalid_token() -> ApiError {
    ApiError::unauthorized(
        "unauthorized",
        "the token is not valid (unknown, revoked or signed out); sign in again",
        "登录凭证无效或已退出，请重新登录",
    )
}

impl FromRequestParts<AppState> for StudentSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = tokens::bearer(&parts.headers).ok_or_else(missing_token)?;
        let token_hash = tokens::token_hash(token);
        match db::sessions::get(&state.db.pool, &token_hash).await? {
            Some(s) if s.revoked => Err(invalid_token()),
            Some(s) if s.expires_at <= state.now().timestamp() => Err(ApiError::unauthorized(
                "session_expired",
                "the session has expired; sign in again",
                "登录已过期，请重新登录",
            )),
            Some(s) => Ok(StudentSession {
                student_no: s.student_no,
                token_hash,
            }),
            None => {
                if staff::is_staff_token(state, &token_hash).await? {
                    Err(ApiError::forbidden(
                        "student_only",
                        "this endpoint is for students; an admin token cannot act as a student",
                        "该接口仅供学生使用，管理员令牌不能代替学生操作",
                    ))
                } else {
                    Err(invalid_token())
                }
            }
        }
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = tokens::bearer(&parts.headers).ok_or_else(|| {
            ApiError::unauthorized(
                "unauthorized",
                "send Authorization: Bearer <admin token>",
                "需要管理员令牌",
            )
        })?;
        let token_hash = tokens::token_hash(token);
        if let Some((name, scope)) = db::staff::admin_token(&state.db.pool, &token_hash).await? {
            return Ok(Admin { name, scope });
        }
        if let Some(account) = staff::session_account(state, &token_hash).await? {
            return Ok(Admin {
                name: account.username,
                scope: account.scope,
            });
        }
        if db::sessions::get(&state.db.pool, &token_hash)
            .await?
            .is_some()
        {
            return Err(ApiError::forbidden(
                "admin_only",
                "this endpoint needs an admin token; a student session is never one",
                "该接口需要管理员令牌，学生登录凭证无权访问",
            ));
        }
        Err(ApiError::unauthorized(
            "unauthorized",
            "the admin token is not valid (unknown or revoked)",
            "管理员令牌无效或已吊销",
        ))
    }
}

/// The client's address for rate limits: the TCP peer, or with `--trust-forwarded-for` the
/// address the load balancer appended last to `X-Forwarded-For`. "unknown" when neither is known
/// (requests handed to the router in tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.auth.trust_forwarded_for
            && let Some(ip) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|s| s.trim().parse::<IpAddr>().ok())
                .next_back()
        {
            return Ok(ClientAddr(ip.to_string()));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<PeerAddr>>()
            .map(|c| c.0.0.ip().to_string());
        Ok(ClientAddr(peer.unwrap_or_else(|| "unknown".into())))
    }
}
