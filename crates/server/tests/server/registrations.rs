//! Registering and cancelling through the API, on the demo school (see `demo::people`): every
//! refusal reason, fees and payers, idempotency, tickets, cancellation and ownership.
//!
//! The fixture demo at [`now`]: `demo-sensor-network-intermediate` is open (安徽, default policy),
//! `demo-bim-primary` is open in 河南, `demo-bim-intermediate` announced, `demo-bim-advanced` open
//! and full, `demo-logistics-advanced` closed, `demo-logistics-intermediate` a draft,
//! `demo-web-frontend-primary` and `demo-sensor-network-primary` open with clashing exams (王晓明
//! is registered for the latter), `demo-web-frontend-advanced` open with one seat but suitable for
//! no school level.

use axum::http::StatusCode;
use chrono::Duration;
use kaozheng_core::model::Registration;
use serde_json::{Value, json};

use super::support::{Res, TestApp, now};
use crate::on_both;

async fn register(t: &TestApp, token: &str, client_id: &str, plan_id: &str) -> Res {
    t.post_as(
        "/api/v1/registrations",
        token,
        json!({"client_id": client_id, "plan_id": plan_id}),
    )
    .await
}

async fn seats_left(t: &TestApp, plan_id: &str) -> u64 {
    let v = t.get("/api/v1/plans").await.json();
    v["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == plan_id)
        .unwrap_or_else(|| panic!("no plan {plan_id}"))["seats_left"]
        .as_u64()
        .unwrap()
}

fn codes(res: &Res) -> Vec<String> {
    res.json()["error"]["refusals"]
        .as_array()
        .unwrap_or_else(|| panic!("no refusals in {}", res.text()))
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

/// Imports one more open plan for an existing certificate level (for duplicates and re-takes).
async fn extra_plan(t: &TestApp, id: &str, certificate: &str, level: &str, exam_day: u32) {
    let admin = t.admin_token().await;
    // Tianjin sets one fee per certificate level (津教职函〔2021〕46号): take the demo's.
    let fee = t
        .get(&format!(
            "/api/v1/plans?certificate={certificate}&level={level}"
        ))
        .await
        .json()["plans"]
        .as_array()
        .unwrap()
        .first()
        .map_or(30_000, |p| p["fee_fen"].as_u64().unwrap());
    let csv = format!(
        "id,name,certificate_id,level,province,site_id,phase,window_opens_at,window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen\n\
         {id},加试,{certificate},{level},天津,demo-site-tianjin,published,2026-11-01 09:00,2026-12-01 17:00,2026-12-{exam_day:02} 09:00,2026-12-{exam_day:02} 11:00,40,{fee}\n"
    );
    let res = t.import(&admin, "plans", "text/csv", csv).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

on_both! {
    async fn a_registration_is_created_once_and_replayed_identically(b) {
        let t = TestApp::on(b).await;
        let li = t.login("TJ2024002").await;
        let plan = "demo-sensor-network-intermediate";
        let before = seats_left(&t, plan).await;
        let res = register(&t, &li, "0b6f6f0e-4f1c-4e36-9a3e-5d0a7c1b2e3f", plan).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        let reg: Registration = serde_json::from_slice(&res.body).unwrap();
        assert_eq!(reg.plan_id, plan);
        assert_eq!(reg.certificate_id, "sensor-network");
        assert_eq!(res.json()["level"], "intermediate");
        assert_eq!(res.json()["status"], "confirmed");
        assert_eq!(reg.ticket_no.len(), 15);
        assert!(reg.ticket_no.bytes().all(|b| b.is_ascii_digit()), "{}", reg.ticket_no);
        assert!(reg.ticket_no.starts_with("2612"), "December 2026 exam: {}", reg.ticket_no);
        assert_eq!(res.json()["created_at"], "2026-11-21T15:37:12+08:00");
        // 李静 is a pilot student in Tianjin, whose school funds at least one exam (津教职函〔2021〕46号).
        assert_eq!(
            res.json()["fee"],
            json!({"fee_fen": reg.fee.fee_fen, "student_pays_fen": 0, "payer": "school", "reason": "pilot_exam_covered", "policy": "tianjin-2021-pilot-exam"})
        );
        assert_eq!(seats_left(&t, plan).await, before - 1);

        // The same request again (a retry): the same registration, same bytes, no second seat.
        let again = register(&t, &li, "0b6f6f0e-4f1c-4e36-9a3e-5d0a7c1b2e3f", plan).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.body, res.body);
        assert_eq!(seats_left(&t, plan).await, before - 1);

        // The same client_id for another plan is a client bug, not a new registration.
        let reused = register(&t, &li, "0b6f6f0e-4f1c-4e36-9a3e-5d0a7c1b2e3f", "demo-sensor-network-primary").await;
        assert_eq!((reused.status, reused.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "client_id_reused"));

        // “At least one” is funded; a second exam is the student's to pay unless the school says more.
        let second = register(&t, &li, "c2", "demo-sensor-network-primary").await;
        assert_eq!(second.status, StatusCode::CREATED, "{}", second.text());
        assert_eq!(second.json()["fee"]["payer"], "student");
        assert_eq!(second.json()["fee"]["reason"], "pilot_coverage_used");
        assert_eq!(second.json()["fee"]["student_pays_fen"], second.json()["fee"]["fee_fen"]);

        let list = t.get_as("/api/v1/registrations", &li).await.json();
        let mut ids: Vec<&str> = list["registrations"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        ids.sort();
        let second_id = second.json()["id"].as_str().unwrap().to_string();
        let mut want = vec![reg.id.as_str(), second_id.as_str()];
        want.sort();
        assert_eq!(ids, want);
    }
}

on_both! {
    async fn bad_requests_are_400s(b) {
        let t = TestApp::on(b).await;
        let li = t.login("TJ2024002").await;
        for body in [
            json!({"client_id": "", "plan_id": "demo-bim-primary"}),
            json!({"client_id": "has space", "plan_id": "demo-bim-primary"}),
            json!({"client_id": "a", "plan_id": ""}),
            json!({"client_id": "a", "plan_id": "demo-bim-primary", "student_no": "TJ2024001"}),
            json!({"client_id": "a"}),
            json!([1, 2]),
        ] {
            let res = t.post_as("/api/v1/registrations", &li, body.clone()).await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST, "{body}: {}", res.text());
        }
        let res = t
            .send(
                axum::http::Request::post("/api/v1/registrations")
                    .header("authorization", format!("Bearer {li}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from("{\"client_id\":"))
                    .unwrap(),
            )
            .await;
        assert_eq!((res.status, res.code().as_str()), (StatusCode::BAD_REQUEST, "invalid_json"));
        let res = t
            .send(
                axum::http::Request::post("/api/v1/registrations")
                    .header("authorization", format!("Bearer {li}"))
                    .body(axum::body::Body::from("client_id=a"))
                    .unwrap(),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let missing = register(&t, &li, "a", "no-such-plan").await;
        assert_eq!((missing.status, missing.code().as_str()), (StatusCode::NOT_FOUND, "plan_not_found"));
        let anonymous = t
            .call(axum::http::Method::POST, "/api/v1/registrations", None, Some(json!({"client_id": "a", "plan_id": "demo-bim-primary"})))
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
}

on_both! {
    /// Every refusal reason, with its status and every reason listed at once.
    async fn every_refusal_has_its_reason_and_status(b) {
        let t = TestApp::on(b).await;
        let li = t.login("TJ2024002").await; // 中职
        let wang = t.login("TJ2024001").await; // 高职, registered for demo-sensor-network-primary
        let zhang = t.login("TJ2024003").await; // 本科, passed demo-logistics-primary
        let first = register(&t, &li, "c-first", "demo-web-frontend-primary").await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());

        let cases: Vec<(&str, &str, StatusCode, Vec<&str>)> = vec![
            (&li, "demo-bim-intermediate", StatusCode::FORBIDDEN, vec!["window_not_open"]),
            (&wang, "demo-logistics-advanced", StatusCode::FORBIDDEN, vec!["window_closed", "full"]),
            (&li, "demo-logistics-intermediate", StatusCode::FORBIDDEN, vec!["plan_not_open"]),
            (&li, "demo-cloud-ops-intermediate", StatusCode::FORBIDDEN, vec!["plan_not_open"]),
            (&wang, "demo-bim-advanced", StatusCode::CONFLICT, vec!["full"]),
            (&li, "demo-sensor-network-primary", StatusCode::CONFLICT, vec!["clash"]),
            (&li, "demo-bim-advanced", StatusCode::CONFLICT, vec!["full"]),
        ];
        for (token, plan, status, want) in cases {
            let res = register(&t, token, &format!("c-{plan}"), plan).await;
            assert_eq!(res.status, status, "{plan}: {}", res.text());
            assert_eq!(codes(&res), want, "{plan}");
            assert_eq!(res.code(), want[0]);
            let e = &res.json()["error"];
            assert!(!e["message"].as_str().unwrap().is_empty());
            assert!(!e["message_zh"].as_str().unwrap().is_empty());
        }
        let clash = register(&t, &li, "c2", "demo-sensor-network-primary").await;
        assert_eq!(clash.json()["error"]["refusals"][0]["plan_id"], "demo-web-frontend-primary");
        // Seed 004: “中等职业学校、高等职业学校可结合初级、中级、高级职业技能等级开展培训评价工作”:
        // 李静 (中职) registers for 高级, and 张伟 (本科) for a level whose standard names others.
        let advanced = register(&t, &li, "c-advanced", "demo-web-frontend-advanced").await;
        assert_eq!(advanced.status, StatusCode::CREATED, "{}", advanced.text());
        let audience = register(&t, &zhang, "c-audience", "demo-web-frontend-primary").await;
        assert_eq!(audience.status, StatusCode::CREATED, "{}", audience.text());
        // 王晓明 holds web-frontend 中级: 初级 below it is only advice on the phone; his exam clashes.
        let both = register(&t, &wang, "c2", "demo-web-frontend-primary").await;
        assert_eq!(codes(&both), vec!["clash"]);
        assert_eq!(both.status, StatusCode::CONFLICT);

        // duplicate: another plan for the same certificate level wang is registered for.
        extra_plan(&t, "extra-sensor-primary", "sensor-network", "primary", 10).await;
        let dup = register(&t, &wang, "c3", "extra-sensor-primary").await;
        assert_eq!((dup.status, codes(&dup)), (StatusCode::CONFLICT, vec!["duplicate".to_string()]));
        assert!(dup.json()["error"]["refusals"][0]["registration_id"].as_str().unwrap().starts_with("demo-reg-"));

        // already_certified: zhang passed logistics 初级; wang failed it and may take it again.
        extra_plan(&t, "extra-logistics-primary", "logistics", "primary", 11).await;
        let held = register(&t, &zhang, "c4", "extra-logistics-primary").await;
        assert_eq!((held.status, codes(&held)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["already_certified".to_string()]));
        assert_eq!(held.json()["error"]["refusals"][0]["held"], "primary");
        let retake = register(&t, &wang, "c5", "extra-logistics-primary").await;
        assert_eq!(retake.status, StatusCode::CREATED, "{}", retake.text());

        // Nothing refused was stored.
        let li_regs = t.get_as("/api/v1/registrations", &li).await.json();
        assert_eq!(li_regs["registrations"].as_array().unwrap().len(), 2);
    }
}

on_both! {
    async fn fees_follow_the_province_policy_and_the_student(b) {
        let t = TestApp::on(b).await;
        let fee_of = |v: &Value, plan: &str| {
            v["registrations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["plan_id"] == plan)
                .unwrap_or_else(|| panic!("no registration for {plan}: {v}"))["fee"]
                .clone()
        };
        let fee3 = |f: &Value| (f["payer"].as_str().map(String::from), f["reason"].as_str().map(String::from), f["policy"].as_str().map(String::from));
        let of = |payer: &str, reason: &str, policy: Option<&str>| (Some(payer.to_string()), Some(reason.to_string()), policy.map(String::from));
        // Seed 004, Shanxi: 家庭经济困难学生 pay no assessment fee, whatever the plan costs.
        let zhao = t.login("SX2024001").await;
        let res = register(&t, &zhao, "c1", "demo-bim-primary").await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        let v = t.get_as("/api/v1/registrations", &zhao).await.json();
        let fee = fee_of(&v, "demo-bim-primary");
        assert_eq!(fee3(&fee), of("waived", "hardship_waiver", Some("shanxi-2020-hardship-waiver")));
        assert_eq!(fee["student_pays_fen"], 0);
        assert!(fee["fee_fen"].as_u64().unwrap() > 0);
        // A hardship student in Tianjin: Shanxi's rule is not borrowed; the funded exam applies.
        let liu = t.login("TJ2024004").await;
        let res = register(&t, &liu, "c1", "demo-bim-primary").await;
        assert_eq!(fee3(&res.json()["fee"]), of("school", "pilot_exam_covered", Some("tianjin-2021-pilot-exam")));

        // Seed 001: Henan may not charge its in-school students, wherever the exam site is (the
        // payer rules follow the student's province, not the plan's); it does not say who pays.
        let chen = t.login("HA2024001").await;
        assert_eq!(register(&t, &chen, "c0", "demo-bim-primary").await.status, StatusCode::CREATED);
        let v = t.get_as("/api/v1/registrations", &chen).await.json();
        let fee = fee_of(&v, "demo-bim-primary");
        assert_eq!(fee3(&fee), of("not_charged", "in_school_free", Some("henan-2022-in-school-not-charged")));
        let outside = register(&t, &chen, "c1", "demo-sensor-network-intermediate").await;
        assert_eq!(outside.status, StatusCode::CREATED, "{}", outside.text());
        assert_eq!(outside.json()["fee"]["reason"], "in_school_free");

        // 王晓明's first exam (long ago) was the one the school funds; the others are his.
        let wang = t.login("TJ2024001").await;
        let v = t.get_as("/api/v1/registrations", &wang).await.json();
        assert_eq!(fee_of(&v, "demo-logistics-primary")["reason"], "pilot_exam_covered");
        assert_eq!(fee_of(&v, "demo-web-frontend-intermediate")["reason"], "pilot_coverage_used");
        assert_eq!(fee_of(&v, "demo-sensor-network-primary")["payer"], "student");
        // 张伟 is not a pilot student: the guarantee is not his.
        let zhang = t.login("TJ2024003").await;
        let res = register(&t, &zhang, "c1", "demo-bim-primary").await;
        assert_eq!(fee3(&res.json()["fee"]), of("student", "not_pilot_student", Some("tianjin-2021-pilot-exam")));

        // Seeds 000/002: at least one funded exam; cancelling it frees it for the next one.
        let li = t.login("TJ2024002").await;
        let first = register(&t, &li, "c1", "demo-sensor-network-intermediate").await.json();
        assert_eq!(first["fee"]["reason"], "pilot_exam_covered");
        let second = register(&t, &li, "c2", "demo-sensor-network-primary").await.json();
        assert_eq!(second["fee"]["reason"], "pilot_coverage_used");
        let cancelled = t.delete_as(&format!("/api/v1/registrations/{}", first["id"].as_str().unwrap()), &li).await;
        assert_eq!(cancelled.status, StatusCode::OK);
        extra_plan(&t, "extra-bim-primary-tj", "bim", "primary", 12).await;
        let third = register(&t, &li, "c3", "extra-bim-primary-tj").await;
        assert_eq!(third.json()["fee"]["reason"], "pilot_exam_covered", "{}", third.text());

        // The policies themselves are public.
        let rules = t.get("/api/v1/rules/fees").await;
        assert_eq!(rules.status, StatusCode::OK);
        let doc = rules.json();
        assert!(doc["policies"].as_array().unwrap().iter().any(|p| p["scope"]["province"] == "河南" && p["rule"]["kind"] == "in_school_not_charged"));
        let etag = rules.header("etag").to_string();
        assert!(etag.starts_with("W/\""), "{etag}");
        let again = t.get_with("/api/v1/rules/fees", &[("if-none-match", etag.as_str())]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    }
}

on_both! {
    async fn cancelling_frees_the_seat_only_while_the_window_is_open(b) {
        let t = TestApp::on(b).await;
        let li = t.login("TJ2024002").await;
        let plan = "demo-web-frontend-primary";
        let before = seats_left(&t, plan).await;
        let created = register(&t, &li, "c1", plan).await.json();
        let id = created["id"].as_str().unwrap().to_string();
        assert_eq!(seats_left(&t, plan).await, before - 1);

        // Another student cannot see or cancel it: the same 404 as for no registration at all.
        let wang = t.login("TJ2024001").await;
        let theirs = t.delete_as(&format!("/api/v1/registrations/{id}"), &wang).await;
        let none = t.delete_as("/api/v1/registrations/reg-does-not-exist", &wang).await;
        assert_eq!((theirs.status, theirs.code().as_str()), (StatusCode::NOT_FOUND, "registration_not_found"));
        assert_eq!(theirs.text(), none.text().replace("reg-does-not-exist", &id));
        let wang_list = t.get_as("/api/v1/registrations", &wang).await.json();
        assert!(wang_list["registrations"].as_array().unwrap().iter().all(|r| r["id"] != id.as_str()));

        let res = t.delete_as(&format!("/api/v1/registrations/{id}"), &li).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.json()["status"], "cancelled");
        assert_eq!(res.json()["cancelled_at"], "2026-11-21T15:37:12+08:00");
        assert_eq!(res.json()["ticket_no"], created["ticket_no"]);
        assert_eq!(seats_left(&t, plan).await, before);
        // Cancelling again changes nothing.
        let again = t.delete_as(&format!("/api/v1/registrations/{id}"), &li).await;
        assert_eq!((again.status, again.body.clone()), (StatusCode::OK, res.body.clone()));
        assert_eq!(seats_left(&t, plan).await, before);

        // Registering again takes a new seat with a new ticket: numbers are never reused.
        let renewed = register(&t, &li, "c2", plan).await.json();
        assert_ne!(renewed["ticket_no"], created["ticket_no"]);
        assert_eq!(seats_left(&t, plan).await, before - 1);

        // After the window closes (the 12th day, 17:00) it stays.
        t.clock.set(now() + Duration::days(13));
        let late = t.delete_as(&format!("/api/v1/registrations/{}", renewed["id"].as_str().unwrap()), &li).await;
        assert_eq!((late.status, late.code().as_str()), (StatusCode::FORBIDDEN, "window_closed"));
        // A past exam cannot be cancelled either.
        let past = t.delete_as("/api/v1/registrations/demo-reg-wang-ended", &wang).await;
        assert_eq!((past.status, past.code().as_str()), (StatusCode::FORBIDDEN, "window_closed"));
    }
}

/// A client that leaves while its registration waits for the database (a phone losing signal)
/// must not wedge the connection it left behind: the registration still completes, the retry
/// with the same `client_id` gets it, and later writes succeed. SQLite only: another writer
/// holding the database is what makes the request wait.
#[tokio::test]
async fn a_client_leaving_mid_registration_loses_and_breaks_nothing() {
    let t = TestApp::new().await;
    let li = t.login("TJ2024002").await;
    let liu = t.login("TJ2024004").await;
    let plan = "demo-sensor-network-intermediate";
    let writer = t.state.db.begin_write().await.unwrap();
    let left = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        register(&t, &li, "left-mid-write", plan),
    )
    .await;
    assert!(
        left.is_err(),
        "the request should still be waiting for the database"
    );
    writer.rollback().await.unwrap();

    let retry = register(&t, &li, "left-mid-write", plan).await;
    assert!(retry.status.is_success(), "{}", retry.text());
    let mine = t.get_as("/api/v1/registrations", &li).await.json();
    let count = mine["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["client_id"] == "left-mid-write")
        .count();
    assert_eq!(count, 1, "{mine}");
    let other = register(&t, &liu, "after-left", "demo-bim-primary").await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text());
    let id = other.json()["id"].as_str().unwrap().to_string();
    let cancelled = t
        .delete_as(&format!("/api/v1/registrations/{id}"), &liu)
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text());
    // Clients leaving at every point of their transaction.
    // Clients leaving while they wait for the write lock, on many pooled connections at once.
    let writer = t.state.db.begin_write().await.unwrap();
    let mut leaving = tokio::task::JoinSet::new();
    for i in 0..12u64 {
        let req = axum::http::Request::post("/api/v1/registrations")
            .header("authorization", format!("Bearer {li}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from(
                json!({"client_id": format!("leaving-{i}"), "plan_id": plan}).to_string(),
            ))
            .unwrap();
        let app = t.app.clone();
        leaving.spawn(async move {
            let call = tower::ServiceExt::oneshot(app, req);
            let _ = tokio::time::timeout(std::time::Duration::from_millis(50 + i * 10), call).await;
        });
    }
    leaving.join_all().await;
    writer.rollback().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    // Every pooled connection still takes a write.
    for _ in 0..16 {
        t.state
            .db
            .begin_write()
            .await
            .unwrap()
            .commit()
            .await
            .unwrap();
    }
}
