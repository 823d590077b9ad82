//! The API's error shape: `{"error": {"code", "message", "message_zh"}}` with a fitting status.
//!
//! Codes are stable identifiers the app switches on; the two messages are for people (the app shows
//! `message_zh`, logs and API users read `message`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::db::DbError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub message_zh: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    message_zh: &'a str,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            message_zh: message_zh.into(),
        }
    }

    /// An `/api/...` path that no route serves. Never answered with the app's index.html, so a
    /// client with a wrong URL gets a clear error instead of HTML it cannot parse.
    pub fn route_not_found(path: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no API endpoint at {path}"),
            format!("接口不存在：{path}"),
        )
    }

    pub fn method_not_allowed() -> Self {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this endpoint does not accept that HTTP method",
            "该接口不支持此请求方法",
        )
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to answer; please try again later",
            "服务器内部错误，请稍后重试",
        )
    }

    pub fn unavailable(message: impl Into<String>, message_zh: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            message,
            message_zh,
        )
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        // The details stay in the log; clients learn only that it failed.
        tracing::error!(error = %e, "database error while answering a request");
        ApiError::internal()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
                message_zh: &self.message_zh,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn renders_the_documented_shape() {
        let res = ApiError::route_not_found("/api/v1/nope").into_response();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["error"]["code"], "not_found");
        assert_eq!(v["error"]["message"], "no API endpoint at /api/v1/nope");
        assert_eq!(v["error"]["message_zh"], "接口不存在：/api/v1/nope");
        assert_eq!(v.as_object().unwrap().len(), 1);
    }
}
