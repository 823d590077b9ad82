//! Security headers on every response, API and files alike.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Adds `X-Content-Type-Options`, `Referrer-Policy` and the Content-Security-Policy. The CSP is
/// read after the inner service ran, so a response that reloaded index.html carries the policy
/// for the page it returns.
pub async fn security(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    for (name, value) in security_headers(&state) {
        h.insert(name, value);
    }
    res
}

/// The security headers, also for the refusals the HTTP layer answers before the router (see
/// [`crate::transport`]).
pub fn security_headers(state: &AppState) -> Vec<(HeaderName, HeaderValue)> {
    vec![
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
        (header::CONTENT_SECURITY_POLICY, state.static_files.csp()),
    ]
}
