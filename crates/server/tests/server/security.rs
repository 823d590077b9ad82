//! Security around the API: headers on every response, CORS only for configured origins and body
//! limits. Logs are checked in logs.rs.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

use super::support::{Backend, TestApp};

#[tokio::test]
async fn every_api_response_carries_the_security_headers() {
    let t = TestApp::on_with(Backend::Sqlite, |c| {
        c.frame_ancestors = vec!["https://portal.example.edu.cn".into()];
    })
    .await;
    let token = t.login("TJ2024001").await;
    for res in [
        t.get("/api/v1/plans").await,
        t.get_as("/api/v1/me", &token).await,
        t.get("/api/v1/me").await,
        t.get("/api/v1/nope").await,
    ] {
        // An API answer is never a page: it may load nothing and be framed by no one, whoever may
        // frame the app.
        assert_eq!(
            res.header("content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'"
        );
        assert_eq!(res.header("x-content-type-options"), "nosniff");
        // It makes no requests, so a referrer policy would govern nothing.
        assert!(res.headers.get("referrer-policy").is_none());
    }
}

fn preflight(origin: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/v1/registrations")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn cors_answers_only_configured_origins() {
    let t = TestApp::on_with(Backend::Sqlite, |c| {
        c.cors_origins = vec!["https://m.example.edu.cn".into()];
    })
    .await;
    let ok = t.send(preflight("https://m.example.edu.cn")).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        "https://m.example.edu.cn"
    );
    assert!(
        ok.header("access-control-allow-headers")
            .to_ascii_lowercase()
            .contains("authorization")
    );
    let evil = t.send(preflight("https://evil.example.com")).await;
    assert!(evil.headers.get("access-control-allow-origin").is_none());
    let simple = t
        .get_with("/api/v1/plans", &[("origin", "https://evil.example.com")])
        .await;
    assert!(simple.headers.get("access-control-allow-origin").is_none());
    let allowed = t
        .get_with("/api/v1/plans", &[("origin", "https://m.example.edu.cn")])
        .await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        "https://m.example.edu.cn"
    );

    // Without configured origins there is no CORS at all: same origin only.
    let none = TestApp::new().await;
    let res = none.send(preflight("https://m.example.edu.cn")).await;
    assert!(res.headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn oversized_request_bodies_are_refused() {
    let t = TestApp::new().await;
    let token = t.login("TJ2024001").await;
    let huge = json!({"client_id": "a", "plan_id": "x".repeat(70 * 1024)});
    let res = t.post_as("/api/v1/registrations", &token, huge).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.code(), "body_too_large");
    let res = t
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"student_no": "TJ2024001", "password": "p".repeat(70 * 1024)})),
        )
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
}
