//! Races: capacity never oversold, retries racing the first request never make a second
//! registration, and one student's parallel requests never pass the duplicate check twice.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use axum::http::StatusCode;
use kaozheng_core::SchoolLevel;
use kaozheng_core::model::Student;
use serde_json::json;

use super::support::{Res, TestApp};
use crate::on_both;

/// A 50-seat open plan in 天津.
async fn fifty_seat_plan(t: &TestApp) {
    let admin = t.admin_token().await;
    let csv = "id,name,certificate_id,level,province,site_id,phase,window_opens_at,window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen\n\
        rush,抢报计划,bim,primary,天津,demo-site-tianjin,published,2026-11-01 09:00,2026-12-01 17:00,2026-12-14 09:00,2026-12-14 11:00,50,30000\n";
    let res = t.import(&admin, "plans", "text/csv", csv).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

/// `n` new 高职 students with sessions; returns their tokens.
async fn students(t: &TestApp, n: usize) -> Vec<String> {
    let hash = t.state.auth.passwords.hash("load-test-password");
    let mut tokens = Vec::new();
    for i in 0..n {
        let s = Student {
            student_no: format!("LOAD{i:04}"),
            name: format!("学生{i}"),
            school: "示例职业技术学院".into(),
            school_level: SchoolLevel::Higher,
            major: None,
            province: "天津".into(),
            hardship: false,
            pilot: false,
            passed_courses: Vec::new(),
            graduation_on: None,
        };
        kaozheng_server::db::students::insert(&t.state.db.pool, &s, &hash, 0)
            .await
            .unwrap();
        tokens.push(t.session_for(&s.student_no).await);
    }
    tokens
}

/// Sends every request at once on the multi-threaded runtime.
async fn all_at_once(t: &TestApp, requests: Vec<(String, serde_json::Value)>) -> Vec<Res> {
    let mut tasks = Vec::new();
    for (token, body) in requests {
        let app = t.app.clone();
        tasks.push(tokio::spawn(async move {
            let req = axum::http::Request::post("/api/v1/registrations")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(serde_json::to_vec(&body).unwrap()))
                .unwrap();
            let res = tower::ServiceExt::oneshot(app, req).await.unwrap();
            let status = res.status();
            let headers = res.headers().clone();
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            Res {
                status,
                headers,
                body,
            }
        }));
    }
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

fn tally(results: &[Res]) -> BTreeMap<(u16, String), usize> {
    let mut m = BTreeMap::new();
    for r in results {
        let code = if r.status.is_success() {
            String::new()
        } else {
            r.code()
        };
        *m.entry((r.status.as_u16(), code)).or_insert(0) += 1;
    }
    m
}

on_both! {
    /// 200 students race for 50 seats: exactly 50 confirmed, 150 told `full`.
    async fn two_hundred_concurrent_requests_for_fifty_seats(b) {
        let t = TestApp::on(b).await;
        fifty_seat_plan(&t).await;
        let tokens = students(&t, 200).await;
        let requests = tokens
            .into_iter()
            .enumerate()
            .map(|(i, token)| (token, json!({"client_id": format!("rush-{i}"), "plan_id": "rush"})))
            .collect();
        let started = Instant::now();
        let results = all_at_once(&t, requests).await;
        let elapsed = started.elapsed();
        let counts = tally(&results);
        println!("{b:?}: 200 concurrent registrations for 50 seats in {elapsed:?}: {counts:?}");
        assert_eq!(
            counts,
            BTreeMap::from([((201, String::new()), 50), ((409, "full".to_string()), 150)])
        );

        let pool = &t.state.db.pool;
        let taken: i64 = sqlx::query_scalar("SELECT seats_taken FROM exam_plans WHERE id = 'rush'")
            .fetch_one(pool)
            .await
            .unwrap();
        let confirmed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM registrations WHERE plan_id = 'rush' AND status = 'confirmed'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        assert_eq!((taken, confirmed), (50, 50));
        let tickets: HashSet<String> = results
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .map(|r| r.json()["ticket_no"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(tickets.len(), 50, "every ticket number is unique");
        let left = t.get("/api/v1/plans?certificate=bim").await.json()["plans"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == "rush")
            .unwrap()["seats_left"]
            .clone();
        assert_eq!(left, 0);
    }
}

on_both! {
    /// A request and its retries all in flight at once: one registration, one seat, and every
    /// answer carries the same registration.
    async fn retries_racing_the_first_request_make_one_registration(b) {
        let t = TestApp::on(b).await;
        fifty_seat_plan(&t).await;
        let token = t.login("TJ2024002").await;
        let body = json!({"client_id": "7d9c8a58-1b9e-4c55-8a51-0f4b7a0e2d11", "plan_id": "rush"});
        let results = all_at_once(&t, vec![(token.clone(), body); 20]).await;
        let counts = tally(&results);
        assert_eq!(
            counts,
            BTreeMap::from([((200, String::new()), 19), ((201, String::new()), 1)]),
        );
        let first = &results.iter().find(|r| r.status == StatusCode::CREATED).unwrap().body;
        assert!(results.iter().all(|r| r.body == *first), "identical bodies");
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registrations WHERE plan_id = 'rush'")
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        let taken: i64 = sqlx::query_scalar("SELECT seats_taken FROM exam_plans WHERE id = 'rush'")
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        assert_eq!((stored, taken), (1, 1));
    }
}

on_both! {
    /// One student, ten different client ids for the same plan at once (a double-tapping app
    /// without its outbox): one registration, nine duplicates.
    async fn parallel_requests_of_one_student_pass_the_duplicate_check_once(b) {
        let t = TestApp::on(b).await;
        fifty_seat_plan(&t).await;
        let token = t.login("TJ2024003").await;
        let requests = (0..10)
            .map(|i| (token.clone(), json!({"client_id": format!("tap-{i}"), "plan_id": "rush"})))
            .collect();
        let counts = tally(&all_at_once(&t, requests).await);
        assert_eq!(
            counts,
            BTreeMap::from([((201, String::new()), 1), ((409, "duplicate".to_string()), 9)])
        );
        let taken: i64 = sqlx::query_scalar("SELECT seats_taken FROM exam_plans WHERE id = 'rush'")
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        assert_eq!(taken, 1);
    }
}
