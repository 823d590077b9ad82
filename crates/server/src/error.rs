//! The API's error shape: `{"error": {"code", "message", "message_zh"}}` with a fitting status.
//!
//! Codes are stable identifiers the app switches on; the two messages are for people (the app shows
//! `message_zh`, logs and API users read `message`).
//!
//! A refused registration also carries `refusals`: every reason from the core rules, so the app can
//! show all of them at once; `code` is then the first refusal's code.

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kaozheng_api::error::{ErrorBody, ErrorDetail};
use kaozheng_core::rules::Refusal;

use crate::db::DbError;

/// Every `code` an error can carry, as the OpenAPI document lists them (`Error.error.code`): the
/// server's own, the registration refusals and feedback rules of the core, and the refusals of the
/// HTTP layer ([`crate::transport`]). [`ApiError::new`] checks new codes against it in debug builds.
pub const CODES: &[&str] = &[
    "admin_only",
    "already_certified",
    "assertion_replayed",
    "body_too_large",
    "certificate_not_found",
    "clash",
    "client_id_reused",
    "comment_invalid",
    "comment_too_long",
    "duplicate",
    "full",
    "headers_too_large",
    "internal",
    "invalid_assertion",
    "invalid_body",
    "invalid_credentials",
    "invalid_json",
    "invalid_level",
    "invalid_path",
    "invalid_query",
    "malformed_request",
    "method_not_allowed",
    "no_credit_policy",
    "no_published_result",
    "not_found",
    "out_of_scope",
    "phase_move_refused",
    "plan_not_found",
    "plan_not_open",
    "province_only",
    "rating_out_of_range",
    "registration_not_found",
    "school_restriction",
    "session_expired",
    "staff_session_only",
    "student_only",
    "too_many_attempts",
    "unauthorized",
    "unavailable",
    "unknown_import_kind",
    "unknown_province",
    "unsupported_media_type",
    "uri_too_long",
    "window_closed",
    "window_not_open",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub message_zh: String,
    /// Every reason a registration was refused; empty for other errors (and then not rendered).
    pub refusals: Vec<Refusal>,
    /// Headers the status calls for: `WWW-Authenticate` on 401, `Retry-After` on 429.
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        debug_assert!(
            CODES.contains(&code),
            "error code {code:?} is not in error::CODES (nor in the OpenAPI document)"
        );
        ApiError {
            status,
            code,
            message: message.into(),
            message_zh: message_zh.into(),
            refusals: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// A refused registration: the status follows the first refusal's kind (409 conflict, 422
    /// ineligible, 403 window), the messages join every refusal's.
    pub fn refused(refusals: Vec<Refusal>) -> Self {
        use kaozheng_core::rules::RefusalKind;
        let first = refusals
            .first()
            .expect("a refusal needs at least one reason");
        let status = match first.kind() {
            RefusalKind::Conflict => StatusCode::CONFLICT,
            RefusalKind::Ineligible => StatusCode::UNPROCESSABLE_ENTITY,
            RefusalKind::Window => StatusCode::FORBIDDEN,
        };
        let message = refusals
            .iter()
            .map(kaozheng_api::words::en::refusal)
            .collect::<Vec<_>>()
            .join("; ");
        let message_zh = refusals
            .iter()
            .map(kaozheng_api::words::zh::refusal)
            .collect::<Vec<_>>()
            .join("；");
        let mut e = ApiError::new(status, first.code(), message, message_zh);
        e.refusals = refusals;
        e
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// No valid credentials: a missing, unknown, revoked or expired token.
    pub fn unauthorized(
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, code, message, message_zh).with_header(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"kaozheng\""),
        )
    }

    pub fn forbidden(
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, code, message, message_zh)
    }

    pub fn not_found(
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, code, message, message_zh)
    }

    pub fn bad_request(
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message, message_zh)
    }

    pub fn unprocessable(
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message, message_zh)
    }

    /// Too many attempts; try again after `retry_after_secs`.
    pub fn too_many_attempts(retry_after_secs: i64) -> Self {
        let secs = retry_after_secs.max(1);
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("too many login attempts; try again in {secs} seconds"),
            format!("尝试次数过多，请 {secs} 秒后再试"),
        )
        .with_header(
            header::RETRY_AFTER,
            HeaderValue::from_str(&secs.to_string()).expect("digits are a valid header value"),
        )
    }

    /// Too many failed ticket checks from one address; try again after `retry_after_secs`.
    pub fn too_many_checks(retry_after_secs: i64) -> Self {
        let secs = retry_after_secs.max(1);
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("too many failed ticket checks from this address; try again in {secs} seconds"),
            format!("准考证校验失败次数过多，请 {secs} 秒后再试"),
        )
        .with_header(
            header::RETRY_AFTER,
            HeaderValue::from_str(&secs.to_string()).expect("digits are a valid header value"),
        )
    }

    /// Too many failed certificate look-ups from one address; try again after `retry_after_secs`.
    pub fn too_many_lookups(retry_after_secs: i64) -> Self {
        let secs = retry_after_secs.max(1);
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!(
                "too many failed certificate look-ups from this address; try again in {secs} seconds"
            ),
            format!("证书查询失败次数过多，请 {secs} 秒后再试"),
        )
        .with_header(
            header::RETRY_AFTER,
            HeaderValue::from_str(&secs.to_string()).expect("digits are a valid header value"),
        )
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
        if is_unstorable_text(&e) {
            // Request text is checked for NULs before it reaches a query (see `api::text`); this
            // catches any that slipped past, on PostgreSQL (SQLite stores them), as the same
            // refusal those checks give.
            tracing::warn!("refused a request whose text the database cannot hold (NUL)");
            return ApiError::bad_request(
                "invalid_body",
                "text in the request may not contain a NUL character",
                "请求中的文本不能含有空字符（NUL）",
            );
        }
        // The details stay in the log; clients learn only that it failed.
        tracing::error!(error = %e, "database error while answering a request");
        ApiError::internal()
    }
}

/// PostgreSQL's refusal of a character its text type cannot store (SQLSTATE 22021, 22P05).
pub fn is_unstorable_text(e: &DbError) -> bool {
    matches!(e, DbError::Sql(sqlx::Error::Database(d))
        if matches!(d.code().as_deref(), Some("22021" | "22P05")))
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        DbError::from(e).into()
    }
}

impl ApiError {
    /// The contract's error shape.
    fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
                message_zh: self.message_zh.clone(),
                refusals: self.refusals.clone(),
            },
        }
    }

    /// The JSON body, for answers written below the router (see [`crate::transport`]).
    pub fn body_json(&self) -> Vec<u8> {
        serde_json::to_vec(&self.body()).expect("an error body serializes")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, Json(self.body())).into_response();
        for (name, value) in self.headers {
            res.headers_mut().insert(name, value);
        }
        res
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
        assert_eq!(
            v["error"].as_object().unwrap().len(),
            3,
            "no empty refusals"
        );
    }

    #[tokio::test]
    async fn refusals_pick_the_status_of_the_first_and_list_every_one() {
        let e = ApiError::refused(vec![
            Refusal::Full,
            Refusal::SchoolRestriction {
                restriction_id: "r1".into(),
                school: "某校".into(),
                school_level: kaozheng_core::SchoolLevel::Secondary,
                level: kaozheng_core::XLevel::Advanced,
            },
        ]);
        assert_eq!((e.status, e.code), (StatusCode::CONFLICT, "full"));
        let res = e.into_response();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["error"]["refusals"][0]["code"], "full");
        assert_eq!(v["error"]["refusals"][1]["code"], "school_restriction");
        assert!(v["error"]["message_zh"].as_str().unwrap().contains("；"));
        let window = ApiError::refused(vec![Refusal::PlanNotOpen {
            state: kaozheng_core::PlanState::Draft,
        }]);
        assert_eq!(window.status, StatusCode::FORBIDDEN);
    }

    #[test]
    fn rate_limits_say_when_to_retry() {
        let res = ApiError::too_many_attempts(0).into_response();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()[header::RETRY_AFTER], "1");
    }
}
