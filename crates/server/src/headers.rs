//! Security headers on every response, API and files alike.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// The policy of a response no browser runs under its own policy: JSON, images, styles, the WASM,
/// the JS glue. Opened on its own it may load nothing and be framed by no one; a page that uses it
/// is governed by the page's policy. The app's policy (about 370 bytes) goes only where a browser
/// applies it: to pages and to the service worker, which is governed by its own script's response.
/// A module or classic script runs under the policy of the page that loads it, whatever its own
/// response says. On HTTP/1.1 that is 320 bytes less on each of the dozen API answers a student's
/// first visit reads, and on the JS glue.
pub const INERT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Adds `X-Content-Type-Options`, the Content-Security-Policy and, where it governs a request,
/// `Referrer-Policy`. The CSP is read after the inner service ran, so a response that reloaded
/// index.html carries the policy for the page it returns.
pub async fn security(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // An API answer is never a page, whatever its type (a 304 or a preflight has none).
    let api = req.uri().path().starts_with("/api/");
    let worker = req.uri().path() == SERVICE_WORKER;
    let mut res = next.run(req).await;
    let runs = !api && runs_in_browser(res.headers(), worker);
    let refers = runs || (!api && loads_of_its_own(res.headers()));
    let h = res.headers_mut();
    for (name, value) in security_headers(&state, runs, refers) {
        h.insert(name, value);
    }
    res
}

/// The service worker's script: the one script whose own response sets the policy it runs under.
const SERVICE_WORKER: &str = "/sw.js";

/// Whether a browser runs the response under its own policy: an HTML page, or the service worker's
/// script (`worker`). A response without a type counts as one: a page's 304 has none, and a
/// browser keeps the policy of the 304 for the page it shows from its cache.
fn runs_in_browser(headers: &HeaderMap, worker: bool) -> bool {
    let Some(kind) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let kind = kind.to_ascii_lowercase();
    kind.starts_with("text/html") || (worker && kind.contains("javascript"))
}

/// Whether a response that is not a page or the service worker still makes requests of its own: a
/// module script's imports, a style sheet's `url()` loads and an SVG opened on its own follow the
/// referrer policy of their own response.
fn loads_of_its_own(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|kind| {
            let kind = kind.to_ascii_lowercase();
            kind.contains("javascript")
                || kind.starts_with("text/css")
                || kind.starts_with("image/svg")
        })
}

/// The security headers; `runs` is whether the response is a page or the service worker (see
/// [`INERT_POLICY`]), `refers` whether a browser sends requests under its referrer policy: a page,
/// a script, a style sheet or an SVG. On anything else (JSON, the WASM, a PNG) the header governs
/// nothing, so it is left out: 49 bytes less on each API answer. (The server sends no redirects,
/// where it would apply too.) Also for the refusals the HTTP layer answers before the router (see
/// [`crate::transport`]), which are JSON.
pub fn security_headers(
    state: &AppState,
    runs: bool,
    refers: bool,
) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            if runs {
                state.static_files.csp()
            } else {
                HeaderValue::from_static(INERT_POLICY)
            },
        ),
    ];
    if refers {
        headers.push((
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ));
    }
    headers
}
