//! Security around the API: headers on every response, CORS only for configured origins, body
//! limits, and logs that never carry a password or a token.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

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
        let csp = res.header("content-security-policy");
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        assert!(
            csp.contains("frame-ancestors 'self' https://portal.example.edu.cn"),
            "{csp}"
        );
        assert_eq!(res.header("x-content-type-options"), "nosniff");
        assert_eq!(
            res.header("referrer-policy"),
            "strict-origin-when-cross-origin"
        );
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

/// Kills the child on drop, so a failing assertion leaves no server behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The real binary at the most verbose log level: a login, requests with the session token and
/// an admin import leave neither the password nor any token in the log.
#[tokio::test]
async fn logs_never_contain_passwords_or_tokens() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("var");
    let admin = Command::new(env!("CARGO_BIN_EXE_kaozheng-server"))
        .args(["admin-token", "create", "--name", "log-test", "--data-dir"])
        .arg(&data)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(admin.status.success());
    let admin_token = String::from_utf8(admin.stdout).unwrap().trim().to_string();

    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_kaozheng-server"))
            .args([
                "serve",
                "--demo",
                "--port",
                "0",
                "--argon2-memory-kib",
                "64",
            ])
            .args(["--argon2-iterations", "1", "--data-dir"])
            .arg(&data)
            .arg("--dist")
            .arg(root.path().join("dist"))
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "trace")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let mut stderr = child.0.stderr.take().unwrap();
    // Drain stderr all along so the server never blocks on a full pipe.
    let log = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let first = tokio::task::spawn_blocking(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        // The demo accounts follow the start-up line.
        let mut rest = String::new();
        for _ in 0..8 {
            let mut l = String::new();
            reader.read_line(&mut l).unwrap();
            rest.push_str(&l);
        }
        (line, rest)
    });
    let (line, demo_block) = tokio::time::timeout(Duration::from_secs(60), first)
        .await
        .expect("the server started")
        .unwrap();
    let url = line
        .trim_end()
        .strip_prefix("Kaozheng serving on ")
        .unwrap()
        .to_string();
    assert!(demo_block.contains("TJ2024001"), "{demo_block}");
    assert!(demo_block.contains(kaozheng_server::demo::PASSWORD));

    let client = reqwest::Client::new();
    let password = kaozheng_server::demo::PASSWORD;
    let wrong = "a-wrong-password-Z9";
    let res = client
        .post(format!("{url}api/v1/auth/login"))
        .json(&json!({"student_no": "TJ2024004", "password": wrong}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let session: serde_json::Value = client
        .post(format!("{url}api/v1/auth/login"))
        .json(&json!({"student_no": "TJ2024004", "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap().to_string();
    for path in ["api/v1/me", "api/v1/registrations", "api/v1/results"] {
        let res = client
            .get(format!("{url}{path}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
    let res = client
        .post(format!("{url}api/v1/admin/import/sites"))
        .bearer_auth(&admin_token)
        .header("content-type", "text/csv")
        .body("id,name,province,city,address\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = client
        .post(format!("{url}api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);

    let _ = child.0.kill();
    let _ = child.0.wait();
    let log = log.join().unwrap();
    assert!(
        log.contains("session started") && log.contains("login failed"),
        "the log is verbose enough to matter:\n{}",
        &log[..log.len().min(2000)]
    );
    for secret in [password, wrong, token.as_str(), admin_token.as_str()] {
        assert!(!log.contains(secret), "the log contains {secret:?}");
    }
}
