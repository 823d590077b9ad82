//! Every API path and query is text: percent-decoded, it must be UTF-8 without a NUL. Checked once
//! for every `/api` request before routing, so `%FF` is refused instead of silently becoming U+FFFD
//! (which answered 200 with nothing found), and a NUL is refused the same way on SQLite (which
//! stores it) and PostgreSQL (whose text type cannot).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;

use crate::error::ApiError;

/// Whether a percent-encoded path or query decodes to UTF-8 text without a NUL. Separators (`/`,
/// `&`, `=`) are ASCII and no UTF-8 sequence contains an ASCII byte, so decoding the whole string
/// judges every segment, key and value at once; `+` (a space in a query) is ASCII too.
pub fn is_text(encoded: &str) -> bool {
    let bytes: Vec<u8> = percent_decode_str(encoded).collect();
    match std::str::from_utf8(&bytes) {
        Ok(text) => !text.contains('\0'),
        Err(_) => false,
    }
}

/// The refusal for a path that is not text.
pub fn invalid_path() -> ApiError {
    ApiError::bad_request(
        "invalid_path",
        "the path is not text: once percent-decoded it must be UTF-8 without NUL characters",
        "路径格式错误：解码后须为不含空字符的 UTF-8 文本",
    )
}

/// The refusal for a query string that is not text.
pub fn invalid_query() -> ApiError {
    ApiError::bad_request(
        "invalid_query",
        "the query string is not text: once percent-decoded it must be UTF-8 without NUL characters",
        "查询参数格式错误：解码后须为不含空字符的 UTF-8 文本",
    )
}

/// Middleware: refuses an API request whose path or query is not text.
pub async fn require_text(req: Request, next: Next) -> Response {
    let uri = req.uri();
    if !is_text(uri.path()) {
        return invalid_path().into_response();
    }
    if let Some(query) = uri.query()
        && !is_text(query)
    {
        return invalid_query().into_response();
    }
    next.run(req).await
}

/// Whether a JSON text holds a string (value or key) with a NUL character. Only a document that
/// spells `\u0000` can; it is parsed to find out whether the escape is a NUL or quoted text.
pub fn json_has_nul(body: &[u8]) -> bool {
    fn walk(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().any(walk),
            serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || walk(v)),
            _ => false,
        }
    }
    if !body.windows(6).any(|w| w == br"\u0000") {
        return false;
    }
    serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| walk(&v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_utf8_without_nul() {
        for ok in [
            "",
            "/api/v1/plans",
            "province=%E5%A4%A9%E6%B4%A5&level=advanced",
            "q=a+b&x=%25",
            // A lone `%` is text, as form decoding reads it.
            "q=100%",
            "%F0%A0%80%80",
        ] {
            assert!(is_text(ok), "{ok:?}");
        }
        for bad in [
            "province=%FF",
            "a=%C3%28",
            "%C3=%A9",
            "x=%ED%A0%80",
            "province=%00",
            "/api/v1/registrations/a%00b",
            "k%00=1",
        ] {
            assert!(!is_text(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_nul_in_json_text_is_found_but_a_quoted_escape_is_not() {
        assert!(json_has_nul(
            br#"{"student_no": "TJ\u0000", "password": "x"}"#
        ));
        assert!(json_has_nul(br#"{"a": [{"\u0000": 1}]}"#));
        assert!(!json_has_nul(br#"{"a": "\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a": "plain"}"#));
        // Not JSON: left to the JSON reader to refuse.
        assert!(!json_has_nul(br#"{"a": "\u0000"#));
    }
}
