//! Admission-ticket checks: every registration the API returns carries a stable check derived from
//! the database's secret, and `GET /api/v1/tickets/verify` accepts exactly the real pairs, answering
//! an unknown number and a wrong check alike.

use axum::http::StatusCode;
use kaozheng_server::auth::rate_limit::CheckLimits;
use kaozheng_server::tickets::{CHECK_LEN, SECRET_KEY};
use serde_json::{Value, json};

use super::support::{Backend, Res, TestApp, now};
use crate::on_both;

async fn verify(t: &TestApp, ticket_no: &str, check: &str) -> Res {
    t.get(&format!(
        "/api/v1/tickets/verify?ticket_no={ticket_no}&check={check}"
    ))
    .await
}

async fn register(t: &TestApp, token: &str, client_id: &str, plan_id: &str) -> Value {
    let res = t
        .post_as(
            "/api/v1/registrations",
            token,
            json!({"client_id": client_id, "plan_id": plan_id}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()
}

fn is_check(v: &Value) -> bool {
    v.as_str().is_some_and(|c| {
        c.len() == CHECK_LEN
            && c.bytes()
                .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))
    })
}

/// A different check of the same length: the last character moved on in the alphabet.
fn tampered(check: &str) -> String {
    let (head, last) = check.split_at(check.len() - 1);
    format!("{head}{}", if last == "0" { "1" } else { "0" })
}

on_both! {
    async fn every_registration_has_a_stable_check_of_its_own(b) {
        let t = TestApp::on(b).await;
        let li = t.login("TJ2024002").await;
        let first = register(&t, &li, "c1", "demo-sensor-network-intermediate").await;
        assert!(is_check(&first["ticket_check"]), "{first}");
        let second = register(&t, &li, "c2", "demo-sensor-network-primary").await;
        assert!(is_check(&second["ticket_check"]));
        assert_ne!(first["ticket_check"], second["ticket_check"], "one check per ticket");

        // Re-reads agree: the replayed request, the list and the cancellation.
        let replay = t
            .post_as("/api/v1/registrations", &li, json!({"client_id": "c1", "plan_id": "demo-sensor-network-intermediate"}))
            .await;
        assert_eq!(replay.json()["ticket_check"], first["ticket_check"]);
        let list = t.get_as("/api/v1/registrations", &li).await.json();
        let listed = |id: &Value| {
            list["registrations"].as_array().unwrap().iter().find(|r| r["id"] == *id).unwrap()["ticket_check"].clone()
        };
        assert_eq!(listed(&first["id"]), first["ticket_check"]);
        assert_eq!(listed(&second["id"]), second["ticket_check"]);
        let cancelled = t.delete_as(&format!("/api/v1/registrations/{}", second["id"].as_str().unwrap()), &li).await;
        assert_eq!(cancelled.json()["ticket_check"], second["ticket_check"]);

        // Registrations written before checks existed (the demo's, stored without one) get one too.
        let wang = t.login("TJ2024001").await;
        let theirs = t.get_as("/api/v1/registrations", &wang).await.json();
        let regs = theirs["registrations"].as_array().unwrap();
        assert!(!regs.is_empty());
        assert!(regs.iter().all(|r| is_check(&r["ticket_check"])), "{theirs}");

        // The check is the documented HMAC under the database's secret.
        let secret: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(SECRET_KEY)
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        assert_eq!(secret.len(), 64);
        let reg = &regs[0];
        assert_eq!(
            reg["ticket_check"].as_str().unwrap(),
            t.state.tickets.check(reg["ticket_no"].as_str().unwrap(), "TJ2024001", reg["plan_id"].as_str().unwrap())
        );
        // The secret is never served.
        for body in [theirs.to_string(), list.to_string(), t.get("/api/v1/openapi.json").await.text()] {
            assert!(!body.contains(&secret));
        }
    }
}

on_both! {
    async fn verify_accepts_the_real_pair_and_nothing_else(b) {
        let t = TestApp::on(b).await;
        let li = t.login("TJ2024002").await;
        let reg = register(&t, &li, "c1", "demo-sensor-network-intermediate").await;
        let ticket = reg["ticket_no"].as_str().unwrap();
        let check = reg["ticket_check"].as_str().unwrap();

        let ok = verify(&t, ticket, check).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
        let v = ok.json();
        let plan = kaozheng_server::db::plans::get(&t.state.db.pool, "demo-sensor-network-intermediate")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            v,
            json!({
                "valid": true,
                "ticket_no": ticket,
                "certificate_id": "sensor-network",
                "level": "intermediate",
                "plan_id": plan.id,
                "plan_name": plan.name,
                "exam_starts_at": reg["exam_starts_at"],
                "site_id": plan.site_id,
                "holder": "李*",
                "status": "confirmed",
            })
        );
        // Typed in lower case with a hyphen: the same ticket.
        let typed = format!("{}-{}", &check[..5], &check[5..]).to_lowercase();
        assert_eq!(verify(&t, ticket, &typed).await.json()["valid"], true);

        // A wrong check and an unknown number get the same bytes.
        let wrong = verify(&t, ticket, &tampered(check)).await;
        let unknown = verify(&t, "269912345000001", check).await;
        let short = verify(&t, ticket, &check[..CHECK_LEN - 1]).await;
        for res in [&wrong, &unknown, &short] {
            assert_eq!(res.status, StatusCode::OK);
            assert_eq!(res.text(), r#"{"valid":false}"#);
        }
        // Another ticket's check does not fit this number.
        let other = register(&t, &li, "c2", "demo-sensor-network-primary").await;
        let swapped = verify(&t, ticket, other["ticket_check"].as_str().unwrap()).await;
        assert_eq!(swapped.text(), r#"{"valid":false}"#);

        // A cancelled ticket is genuine but says so.
        let res = t.delete_as(&format!("/api/v1/registrations/{}", reg["id"].as_str().unwrap()), &li).await;
        assert_eq!(res.status, StatusCode::OK);
        let after = verify(&t, ticket, check).await.json();
        assert_eq!((after["valid"].clone(), after["status"].clone()), (json!(true), json!("cancelled")));

        // Both parameters are required.
        for uri in [
            "/api/v1/tickets/verify",
            "/api/v1/tickets/verify?ticket_no=261200001000001",
            "/api/v1/tickets/verify?ticket_no=&check=ABCDEFGHJK",
        ] {
            let res = t.get(uri).await;
            assert_eq!((res.status, res.code().as_str()), (StatusCode::BAD_REQUEST, "invalid_query"), "{uri}");
        }
        let long = verify(&t, ticket, &"A".repeat(65)).await;
        assert_eq!(long.status, StatusCode::BAD_REQUEST);
    }
}

on_both! {
    async fn failed_checks_are_rate_limited_per_address(b) {
        let t = TestApp::on_with(b, |c| {
            c.check_limits = CheckLimits { per_address: 3, window_secs: 600 }
        })
        .await;
        let li = t.login("TJ2024002").await;
        let reg = register(&t, &li, "c1", "demo-sensor-network-intermediate").await;
        let (ticket, check) = (reg["ticket_no"].as_str().unwrap(), reg["ticket_check"].as_str().unwrap());
        // Genuine tickets give their attempt back: a site scanning a whole exam is never stopped.
        for _ in 0..6 {
            assert_eq!(verify(&t, ticket, check).await.json()["valid"], true);
        }
        for _ in 0..3 {
            assert_eq!(verify(&t, ticket, &tampered(check)).await.status, StatusCode::OK);
        }
        let limited = verify(&t, ticket, check).await;
        assert_eq!((limited.status, limited.code().as_str()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
        let retry: i64 = limited.header("retry-after").parse().unwrap();
        assert!((1..=600).contains(&retry), "{retry}");
        // The window over, the site may check again.
        t.clock.set(now() + chrono::Duration::seconds(retry));
        assert_eq!(verify(&t, ticket, check).await.json()["valid"], true);
    }
}

/// The secret is made once per database: a restart keeps every check, another database (another
/// deployment) has other checks for the very same ticket.
#[tokio::test]
async fn checks_survive_restarts_and_differ_between_databases() {
    let a = TestApp::on(Backend::Sqlite).await;
    let b = TestApp::on(Backend::Sqlite).await;
    let ticket_of = |t: &TestApp| {
        let pool = t.state.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT ticket_no FROM registrations WHERE id = 'demo-reg-zhang-ended'",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let ticket = ticket_of(&a).await;
    assert_eq!(ticket, ticket_of(&b).await, "the demo is deterministic");
    let plan = "demo-logistics-primary";
    let check_a = a.state.tickets.check(&ticket, "TJ2024003", plan);
    assert_ne!(check_a, b.state.tickets.check(&ticket, "TJ2024003", plan));
    assert_eq!(verify(&a, &ticket, &check_a).await.json()["holder"], "张*");
    assert_eq!(verify(&b, &ticket, &check_a).await.json()["valid"], false);

    let reopened = kaozheng_server::AppState::open(&a.config).await.unwrap();
    assert_eq!(reopened.tickets.check(&ticket, "TJ2024003", plan), check_a);
}

on_both! {
    /// Three failed checks in the last second of a fixed 10-minute clock block, then a genuine
    /// one a second into the next: refused (fixed blocks let the address start afresh), until
    /// the failures are 10 minutes old.
    async fn failed_checks_across_a_clock_block_boundary_stay_limited(b) {
        let t = TestApp::on_with(b, |c| {
            c.check_limits = CheckLimits { per_address: 3, window_secs: 600 }
        })
        .await;
        let li = t.login("TJ2024002").await;
        let reg = register(&t, &li, "c1", "demo-sensor-network-intermediate").await;
        let (ticket, check) = (reg["ticket_no"].as_str().unwrap(), reg["ticket_check"].as_str().unwrap());
        let start = now().timestamp();
        let block_end = start - start.rem_euclid(600) + 600;
        let at = |secs: i64| chrono::DateTime::from_timestamp(secs, 0).unwrap();
        t.clock.set(at(block_end - 1));
        for _ in 0..3 {
            assert_eq!(verify(&t, ticket, &tampered(check)).await.json()["valid"], false);
        }
        t.clock.set(at(block_end + 1));
        let limited = verify(&t, ticket, check).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(limited.header("retry-after"), "598");
        t.clock.set(at(block_end - 1 + 600));
        assert_eq!(verify(&t, ticket, check).await.json()["valid"], true);
    }
}
