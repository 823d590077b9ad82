//! Signing in and out: password logins (same answer for unknown students and wrong passwords, rate
//! limits per account and per address), portal assertions, session expiry and revocation, and the
//! wall between student sessions and admin tokens.

use axum::http::{Method, StatusCode};
use chrono::Duration;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use kaozheng_server::auth::embed::parse_portals;
use kaozheng_server::auth::rate_limit::LoginLimits;
use serde_json::{Value, json};

use super::support::{Res, TestApp, now};
use crate::on_both;

async fn login(t: &TestApp, student_no: &str, password: &str) -> Res {
    t.call(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"student_no": student_no, "password": password})),
    )
    .await
}

on_both! {
    async fn a_right_password_starts_a_session(b) {
        let t = TestApp::on(b).await;
        let res = login(&t, "TJ2024001", kaozheng_server::demo::PASSWORD).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let v = res.json();
        let token = v["token"].as_str().unwrap();
        assert_eq!(token.len(), 43);
        assert_eq!(v["expires_at"], "2026-12-21T15:37:12+08:00", "30 days");
        assert_eq!(v["student"]["student_no"], "TJ2024001");
        assert_eq!(v["student"]["school_level"], "higher");
        // Only the digest is stored.
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = $1")
            .bind(token)
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        assert_eq!(stored, 0);

        let me = t.get_as("/api/v1/me", token).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json(), v["student"]);
        assert_eq!(me.json()["name"], "王晓明");
        assert_eq!(me.json()["province"], "天津");
        assert_eq!(me.json()["hardship"], false);
    }
}

on_both! {
    async fn unknown_students_and_wrong_passwords_get_the_same_answer(b) {
        let t = TestApp::on(b).await;
        let wrong = login(&t, "TJ2024001", "not-the-password").await;
        let unknown = login(&t, "NOBODY-001", "not-the-password").await;
        for res in [&wrong, &unknown] {
            assert_eq!(res.status, StatusCode::UNAUTHORIZED);
            assert_eq!(res.code(), "invalid_credentials");
            assert!(res.header("www-authenticate").starts_with("Bearer"));
        }
        assert_eq!(wrong.body, unknown.body);
        // Malformed bodies are 400s, with unknown fields refused.
        let extra = t
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"student_no": "TJ2024001", "password": "x", "admin": true})),
            )
            .await;
        assert_eq!((extra.status, extra.code().as_str()), (StatusCode::BAD_REQUEST, "invalid_body"));
        let empty = login(&t, "", "x").await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    }
}

on_both! {
    async fn login_attempts_are_limited_per_account(b) {
        let t = TestApp::on(b).await;
        for i in 0..5 {
            let res = login(&t, "TJ2024002", "wrong-password").await;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        // The sixth attempt is refused even with the right password.
        let locked = login(&t, "TJ2024002", kaozheng_server::demo::PASSWORD).await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(locked.code(), "too_many_attempts");
        let retry: i64 = locked.header("retry-after").parse().unwrap();
        assert!((1..=15 * 60).contains(&retry), "{retry}");
        // Another account is not affected.
        t.login("TJ2024003").await;
        // After the window the right password works, and a success starts the count afresh.
        t.clock.set(now() + Duration::seconds(retry));
        t.login("TJ2024002").await;
        for _ in 0..5 {
            assert_eq!(
                login(&t, "TJ2024002", "wrong-password").await.status,
                StatusCode::UNAUTHORIZED
            );
        }
    }
}

on_both! {
    async fn login_attempts_are_limited_per_address(b) {
        let t = TestApp::on_with(b, |c| {
            c.login_limits = LoginLimits {
                per_address: 3,
                ..LoginLimits::default()
            }
        })
        .await;
        // Successes give their attempt back: a classroom behind one address can sign in.
        for no in ["TJ2024001", "TJ2024002", "TJ2024003", "TJ2024004", "HA2024001"] {
            t.login(no).await;
        }
        for no in ["TJ2024001", "TJ2024002", "NOBODY-1"] {
            assert_eq!(login(&t, no, "wrong-password").await.status, StatusCode::UNAUTHORIZED);
        }
        let res = login(&t, "TJ2024004", kaozheng_server::demo::PASSWORD).await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.code(), "too_many_attempts");
    }
}

on_both! {
    async fn logout_revokes_the_session(b) {
        let t = TestApp::on(b).await;
        let token = t.login("TJ2024001").await;
        let other = t.login("TJ2024001").await;
        let res = t.call(Method::POST, "/api/v1/auth/logout", Some(&token), None).await;
        assert_eq!(res.status, StatusCode::NO_CONTENT);
        let me = t.get_as("/api/v1/me", &token).await;
        assert_eq!((me.status, me.code().as_str()), (StatusCode::UNAUTHORIZED, "unauthorized"));
        let again = t.call(Method::POST, "/api/v1/auth/logout", Some(&token), None).await;
        assert_eq!(again.status, StatusCode::UNAUTHORIZED);
        // Only that session ended.
        assert_eq!(t.get_as("/api/v1/me", &other).await.status, StatusCode::OK);
    }
}

on_both! {
    async fn expired_forged_and_missing_tokens_are_refused(b) {
        let t = TestApp::on(b).await;
        let token = t.login("TJ2024001").await;
        let missing = t.get("/api/v1/me").await;
        assert_eq!((missing.status, missing.code().as_str()), (StatusCode::UNAUTHORIZED, "unauthorized"));
        assert!(missing.header("www-authenticate").starts_with("Bearer"));
        let forged = t.get_as("/api/v1/me", &kaozheng_server::auth::tokens::new_token()).await;
        assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
        let mangled = t.get_with("/api/v1/me", &[("authorization", "Bearer a b")]).await;
        assert_eq!(mangled.status, StatusCode::UNAUTHORIZED);
        let basic = t.get_with("/api/v1/me", &[("authorization", "Basic dXNlcjpwYXNz")]).await;
        assert_eq!(basic.status, StatusCode::UNAUTHORIZED);

        t.clock.set(now() + Duration::days(30) - Duration::seconds(1));
        assert_eq!(t.get_as("/api/v1/me", &token).await.status, StatusCode::OK);
        t.clock.set(now() + Duration::days(30));
        let expired = t.get_as("/api/v1/me", &token).await;
        assert_eq!((expired.status, expired.code().as_str()), (StatusCode::UNAUTHORIZED, "session_expired"));
        for path in ["/api/v1/registrations", "/api/v1/results"] {
            assert_eq!(t.get_as(path, &token).await.status, StatusCode::UNAUTHORIZED, "{path}");
        }
    }
}

on_both! {
    async fn student_sessions_and_admin_tokens_never_mix(b) {
        let t = TestApp::on(b).await;
        let student = t.login("TJ2024001").await;
        let admin = t.admin_token().await;
        for (method, path) in [
            (Method::GET, "/api/v1/me"),
            (Method::GET, "/api/v1/registrations"),
            (Method::GET, "/api/v1/results"),
            (Method::POST, "/api/v1/auth/logout"),
        ] {
            let res = t.call(method, path, Some(&admin), None).await;
            assert_eq!((res.status, res.code().as_str()), (StatusCode::FORBIDDEN, "student_only"), "{path}");
        }
        let res = t.import(&student, "sites", "text/csv", "id,name,province,city,address\n").await;
        assert_eq!((res.status, res.code().as_str()), (StatusCode::FORBIDDEN, "admin_only"));
        let res = t.import(&admin, "sites", "text/csv", "id,name,province,city,address\n").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());

        kaozheng_server::cli::admin_token_revoke(&t.state.db, "tests", t.clock.now())
            .await
            .unwrap();
        let res = t.import(&admin, "sites", "text/csv", "id,name,province,city,address\n").await;
        assert_eq!((res.status, res.code().as_str()), (StatusCode::UNAUTHORIZED, "unauthorized"));
    }
}

const SECRET: &str = "portal-secret-0123456789abcdef-0123";

fn portal_config(c: &mut kaozheng_server::Config) {
    c.portals = parse_portals(&format!(
        r#"[{{"iss": "portal.example.edu.cn", "secret": "{SECRET}", "aud": "kaozheng",
             "origins": ["https://portal.example.edu.cn"]}}]"#
    ))
    .unwrap();
}

fn assertion(claims: Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn claims(sub: &str, jti: &str, exp_in: i64) -> Value {
    json!({
        "iss": "portal.example.edu.cn",
        "sub": sub,
        "aud": "kaozheng",
        "exp": now().timestamp() + exp_in,
        "jti": jti,
    })
}

async fn embed(t: &TestApp, assertion: String) -> Res {
    t.call(
        Method::POST,
        "/api/v1/auth/embed",
        None,
        Some(json!({ "assertion": assertion })),
    )
    .await
}

on_both! {
    async fn a_portal_assertion_becomes_a_session_once(b) {
        let t = TestApp::on_with(b, portal_config).await;
        let a = assertion(claims("HA2024001", "jti-1", 120), SECRET);
        let res = embed(&t, a.clone()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let token = res.json()["token"].as_str().unwrap().to_string();
        let me = t.get_as("/api/v1/me", &token).await.json();
        assert_eq!(me["student_no"], "HA2024001");
        let origin: String = sqlx::query_scalar("SELECT origin FROM sessions WHERE student_no = $1")
            .bind("HA2024001")
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        assert_eq!(origin, "embed:portal.example.edu.cn");

        let replay = embed(&t, a).await;
        assert_eq!((replay.status, replay.code().as_str()), (StatusCode::UNAUTHORIZED, "assertion_replayed"));
    }
}

on_both! {
    async fn forged_expired_and_misdirected_assertions_are_refused(b) {
        let t = TestApp::on_with(b, portal_config).await;
        let mut wrong_aud = claims("TJ2024001", "j2", 60);
        wrong_aud["aud"] = json!("another-app");
        let mut unknown_iss = claims("TJ2024001", "j3", 60);
        unknown_iss["iss"] = json!("evil.example.com");
        let cases = [
            ("bad signature", assertion(claims("TJ2024001", "j1", 60), "another-secret-0123456789abcdef-xyz")),
            ("wrong audience", assertion(wrong_aud, SECRET)),
            ("unknown issuer", assertion(unknown_iss, SECRET)),
            ("expired", assertion(claims("TJ2024001", "j4", 0), SECRET)),
            ("more than 5 minutes", assertion(claims("TJ2024001", "j5", 301), SECRET)),
            ("unknown student", assertion(claims("NOBODY-9", "j6", 60), SECRET)),
            ("not a JWT", "not-a-jwt".to_string()),
        ];
        for (what, a) in cases {
            let res = embed(&t, a).await;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{what}");
            assert_eq!(res.code(), "invalid_assertion", "{what}");
        }
        // Exactly five minutes ahead is still accepted.
        let ok = embed(&t, assertion(claims("TJ2024001", "j7", 300), SECRET)).await;
        assert_eq!(ok.status, StatusCode::OK);
    }
}

on_both! {
    /// Five failures in the last second of a fixed 15-minute clock block and the right password a
    /// second into the next: fixed blocks let it through (ten attempts in two seconds); the sliding
    /// window refuses it and says to retry when the first failure is 15 minutes old, not when the
    /// new block ends.
    async fn a_burst_across_a_clock_block_boundary_is_held_to_the_limit(b) {
        let t = TestApp::on(b).await;
        let block = 15 * 60;
        let start = now().timestamp();
        let block_end = start - start.rem_euclid(block) + block;
        let at = |secs: i64| chrono::DateTime::from_timestamp(secs, 0).unwrap();
        t.clock.set(at(block_end - 1));
        for i in 0..5 {
            let res = login(&t, "TJ2024002", "wrong-password").await;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        t.clock.set(at(block_end + 1));
        let refused = login(&t, "TJ2024002", kaozheng_server::demo::PASSWORD).await;
        assert_eq!((refused.status, refused.code().as_str()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
        assert_eq!(refused.header("retry-after"), (block - 2).to_string());
        // A second before the burst is 15 minutes old: still refused, one second to go.
        t.clock.set(at(block_end - 1 + block - 1));
        let refused = login(&t, "TJ2024002", kaozheng_server::demo::PASSWORD).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.header("retry-after"), "1");
        // Then the whole burst has left the window.
        t.clock.set(at(block_end - 1 + block));
        t.login("TJ2024002").await;
    }
}
