//! Public certificate verification: a published certificate is confirmed by its number with the
//! check from the result page's QR or with the holder's full name; anything else answers the same
//! neutral bytes, and failed look-ups are rate-limited per address.

use axum::http::StatusCode;
use kaozheng_server::auth::rate_limit::CheckLimits;
use serde_json::{Value, json};

use super::support::{Res, TestApp};
use crate::on_both;

/// 王晓明's passed, publicized result: it has a certificate number and its check.
async fn publicized_certificate(t: &TestApp) -> Value {
    let wang = t.login("TJ2024001").await;
    let results = t.get_as("/api/v1/results", &wang).await.json();
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["certificate_no"].is_string())
        .unwrap_or_else(|| panic!("no certificate in {results}"))
        .clone()
}

/// Moves the plan of certificate `no` to `phase`.
async fn set_phase(t: &TestApp, no: &str, phase: &str) {
    let plan_id: String = sqlx::query_scalar(
        "SELECT r.plan_id FROM results res JOIN registrations r ON r.id = res.registration_id WHERE res.certificate_no = $1",
    )
    .bind(no)
    .fetch_one(&t.state.db.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE exam_plans SET phase = $2 WHERE id = $1")
        .bind(&plan_id)
        .bind(phase)
        .execute(&t.state.db.pool)
        .await
        .unwrap();
}

/// The same certificate once its plan has ended: final, so valid.
async fn certificate(t: &TestApp) -> Value {
    let r = publicized_certificate(t).await;
    set_phase(t, r["certificate_no"].as_str().unwrap(), "ended").await;
    r
}

async fn verify(t: &TestApp, query: &str) -> Res {
    t.get(&format!("/api/v1/certificates/verify?{query}")).await
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

on_both! {
    async fn a_certificate_is_confirmed_by_its_check_or_its_holders_name(b) {
        let t = TestApp::on(b).await;
        let r = publicized_certificate(&t).await;
        let no = r["certificate_no"].as_str().unwrap();
        let check = r["certificate_check"].as_str().unwrap();
        // In public notice (公示) the result may still change: genuine, but not valid yet.
        let v = verify(&t, &format!("no={no}&check={check}")).await.json();
        assert_eq!((v["valid"].clone(), v["status"].clone()), (json!(false), json!("public_notice")), "{v}");
        assert_eq!(v["holder"], "王**");
        set_phase(&t, no, "ended").await;
        assert_eq!(check.len(), 10);
        assert_eq!(check, t.state.tickets.certificate_check(no), "the documented HMAC");
        // Results without a certificate number carry no check.
        let wang = t.login("TJ2024001").await;
        let all = t.get_as("/api/v1/results", &wang).await.json();
        for other in all["results"].as_array().unwrap() {
            assert_eq!(other["certificate_no"].is_string(), other["certificate_check"].is_string(), "{other}");
        }

        let res = verify(&t, &format!("no={no}&check={check}")).await;
        assert_eq!(res.status, StatusCode::OK);
        let v = res.json();
        assert_eq!((v["valid"].clone(), v["status"].clone()), (json!(true), json!("valid")));
        assert_eq!(v["certificate_no"], no);
        assert_eq!(v["holder"], "王**");
        assert_eq!(v["certificate_id"], r["certificate_id"]);
        assert_eq!(v["level"], r["level"]);
        assert_eq!(v["issued_on"], r["issued_on"]);
        assert!(v["certificate_name"].as_str().unwrap().ends_with("职业技能等级证书"), "{v}");
        assert!(!v["org_name"].as_str().unwrap().is_empty());
        assert!(!res.text().contains("王晓明") && !res.text().contains("TJ2024001"));

        // Typed checks are forgiven case and hyphens; the full name works instead of a check.
        let typed = format!("{}-{}", &check[..5], &check[5..]).to_lowercase();
        assert_eq!(verify(&t, &format!("no={no}&check={typed}")).await.json(), v);
        assert_eq!(verify(&t, &format!("no={no}&name={}", encode("王晓明"))).await.json(), v);
        assert_eq!(verify(&t, &format!("no={no}&name={}", encode(" 王晓明 "))).await.json(), v);

        // 张伟's certificate, by his name.
        let zhang = t.login("TJ2024003").await;
        let his = t.get_as("/api/v1/results", &zhang).await.json()["results"][0].clone();
        let res = verify(&t, &format!("no={}&name={}", his["certificate_no"].as_str().unwrap(), encode("张伟"))).await;
        assert_eq!(res.json()["holder"], "张*");
    }
}

on_both! {
    async fn unknown_numbers_wrong_checks_and_wrong_names_answer_the_same_bytes(b) {
        let t = TestApp::on(b).await;
        let r = certificate(&t).await;
        let no = r["certificate_no"].as_str().unwrap();
        let check = r["certificate_check"].as_str().unwrap();
        let zhang = t.login("TJ2024003").await;
        let other = t.get_as("/api/v1/results", &zhang).await.json()["results"][0]["certificate_check"]
            .as_str()
            .unwrap()
            .to_string();
        // The same check with its last character moved on in the alphabet.
        let (head, last) = check.split_at(check.len() - 1);
        let wrong = format!("{head}{}", if last == "0" { "1" } else { "0" });
        let answers = [
            verify(&t, &format!("no=DEMO000000000000000&check={check}")).await,
            verify(&t, &format!("no=DEMO000000000000000&name={}", encode("王晓明"))).await,
            verify(&t, &format!("no={no}&check={wrong}")).await,
            verify(&t, &format!("no={no}&check={other}")).await,
            verify(&t, &format!("no={no}&name={}", encode("王晓"))).await,
            verify(&t, &format!("no={no}&name={}", encode("王**"))).await,
            verify(&t, &format!("no={}&check={check}", &no[..no.len() - 1])).await,
        ];
        for a in &answers {
            assert_eq!(a.status, StatusCode::OK);
            assert_eq!(&a.body[..], br#"{"valid":false}"#);
            assert_eq!(a.headers, answers[0].headers);
        }

        // A number alone, or both proofs at once, is not a question this endpoint answers.
        for q in [format!("no={no}"), format!("no={no}&check={check}&name={}", encode("王晓明")), format!("check={check}"), "no=&check=x".into(), format!("no={}&check=x", "1".repeat(65))] {
            let res = verify(&t, &q).await;
            assert_eq!((res.status, res.code()), (StatusCode::BAD_REQUEST, "invalid_query".into()), "{q}");
        }

        // A certificate whose result is not published is not confirmed: with the plan back in
        // scoring (成绩登记中), the same genuine pair answers the neutral bytes.
        let plan_id: String = sqlx::query_scalar(
            "SELECT r.plan_id FROM results res JOIN registrations r ON r.id = res.registration_id WHERE res.certificate_no = $1",
        )
        .bind(no)
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap();
        assert_eq!(verify(&t, &format!("no={no}&check={check}")).await.json()["valid"], true);
        sqlx::query("UPDATE exam_plans SET phase = 'scoring' WHERE id = $1")
            .bind(&plan_id)
            .execute(&t.state.db.pool)
            .await
            .unwrap();
        let res = verify(&t, &format!("no={no}&check={check}")).await;
        assert_eq!(&res.body[..], br#"{"valid":false}"#);
    }
}

on_both! {
    async fn failed_look_ups_are_rate_limited_per_address_apart_from_ticket_checks(b) {
        let t = TestApp::on_with(b, |c| {
            c.check_limits = CheckLimits { per_address: 3, window_secs: 600 }
        })
        .await;
        let r = certificate(&t).await;
        let no = r["certificate_no"].as_str().unwrap();
        let check = r["certificate_check"].as_str().unwrap();
        let genuine = format!("no={no}&check={check}");
        // Genuine look-ups give their attempt back: an employer checking many is never stopped.
        for _ in 0..5 {
            assert_eq!(verify(&t, &genuine).await.json()["valid"], true);
        }
        for i in 0..3 {
            let res = verify(&t, &format!("no=UNKNOWN{i}&check=0000000000")).await;
            assert_eq!(res.json(), json!({"valid": false}));
        }
        let res = verify(&t, "no=UNKNOWN9&check=0000000000").await;
        assert_eq!((res.status, res.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts".into()));
        let retry: i64 = res.header("retry-after").parse().unwrap();
        assert!((1..=600).contains(&retry), "{retry}");
        assert!(res.json()["error"]["message_zh"].as_str().unwrap().contains("证书查询"));
        // Now even a genuine pair waits: the limit is on the address, not on what it asks.
        assert_eq!(verify(&t, &genuine).await.status, StatusCode::TOO_MANY_REQUESTS);
        // Ticket checks are counted apart.
        let res = t.get("/api/v1/tickets/verify?ticket_no=000000000000000&check=0000000000").await;
        assert_eq!(res.status, StatusCode::OK);
        // The next window starts afresh.
        t.clock.set(t.clock.now() + chrono::Duration::seconds(retry));
        assert_eq!(verify(&t, &genuine).await.json()["valid"], true);
    }
}
