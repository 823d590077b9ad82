//! Results: a student sees only their own, and only once the plan is publicized or ended.

use axum::http::StatusCode;
use chrono::Duration;
use kaozheng_core::model::ExamResult;
use serde_json::json;

use super::support::{TestApp, now};
use crate::on_both;

async fn results(t: &TestApp, token: &str) -> Vec<ExamResult> {
    let res = t.get_as("/api/v1/results", token).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_value(res.json()["results"].clone()).unwrap()
}

on_both! {
    async fn published_results_only_and_only_ones_own(b) {
        let t = TestApp::on(b).await;
        let wang = t.login("TJ2024001").await;
        let got = results(&t, &wang).await;
        // Publicized (passed) first, then ended (failed); the one being scored stays hidden.
        let plans: Vec<&str> = got.iter().map(|r| r.plan_id.as_str()).collect();
        assert_eq!(plans, vec!["demo-web-frontend-intermediate", "demo-logistics-primary"]);
        let passed = &got[0];
        assert!(passed.passed);
        assert_eq!(passed.state, kaozheng_core::PlanState::Publicized);
        assert_eq!(passed.modules.len(), 2);
        assert!(passed.certificate_no.as_deref().unwrap().starts_with("DEMO"));
        assert!(passed.issued_on.is_some());
        assert!(passed.plan_name.contains("Web前端开发"));
        let failed = &got[1];
        assert!(!failed.passed);
        assert_eq!(failed.certificate_no, None);
        assert_eq!(failed.modules[0].score.unwrap().to_string(), "52.50");
        let raw = t.get_as("/api/v1/results", &wang).await.json();
        assert_eq!(raw["results"][1]["modules"][0]["score"], json!(52.5));
        assert_eq!(raw["results"][1]["modules"][0]["pass_mark"], json!(60.0));

        let zhang = t.login("TJ2024003").await;
        let z = results(&t, &zhang).await;
        assert_eq!(z.len(), 1);
        assert!(z[0].passed && z[0].certificate_no.is_some());
        let li = t.login("TJ2024002").await;
        assert!(results(&t, &li).await.is_empty());
        assert!(
            z.iter().all(|r| !got.iter().any(|w| w.registration_id == r.registration_id)),
            "nobody sees another's result"
        );
    }
}

on_both! {
    async fn a_result_appears_when_its_plan_is_publicized(b) {
        let t = TestApp::on(b).await;
        let wang = t.login("TJ2024001").await;
        assert_eq!(results(&t, &wang).await.len(), 2);
        let scoring = kaozheng_server::db::plans::get(&t.state.db.pool, "demo-cloud-ops-advanced")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(scoring.phase, kaozheng_core::PlanPhase::Scoring);

        // The administrator publicizes the plan by importing it with its new phase.
        let admin = t.admin_token().await;
        let mut row = serde_json::to_value(&scoring).unwrap();
        row["phase"] = json!("publicized");
        let res = t.import(&admin, "plans", "application/json", serde_json::to_vec(&json!([row])).unwrap()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(res.json()["applied"], 1);
        let now_visible = results(&t, &wang).await;
        assert_eq!(now_visible.len(), 3);
        let scored = now_visible.iter().find(|r| r.plan_id == "demo-cloud-ops-advanced").unwrap();
        assert!(!scored.passed, "the practical module has no score yet");
        assert_eq!(scored.state, kaozheng_core::PlanState::Publicized);
    }
}

on_both! {
    async fn imported_results_reach_the_student(b) {
        let t = TestApp::on(b).await;
        let li = t.login("TJ2024002").await;
        let reg = t
            .post_as(
                "/api/v1/registrations",
                &li,
                json!({"client_id": "c1", "plan_id": "demo-sensor-network-intermediate"}),
            )
            .await
            .json();
        let ticket = reg["ticket_no"].as_str().unwrap().to_string();
        let admin = t.admin_token().await;
        let csv = format!(
            "ticket_no,theory_score,theory_pass_mark,practical_score,practical_pass_mark,certificate_no,issued_on\n\
             {ticket},81.5,60,90,60,X2026-0001,2027-01-20\n"
        );
        // Before the exam there is nothing to record.
        let early = t.import(&admin, "results", "text/csv", csv.clone()).await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(early.json()["rejected"][0]["reason"].as_str().unwrap().contains("not taken place"));

        // 40 days on the exam is over; the result is stored but hidden while the plan is only
        // examined, and shown once the plan ends.
        t.clock.set(now() + Duration::days(40));
        let li = t.login("TJ2024002").await;
        let res = t.import(&admin, "results", "text/csv", csv.clone()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!((res.json()["applied"].as_u64(), res.json()["unchanged"].as_u64()), (Some(1), Some(0)));
        let again = t.import(&admin, "results", "text/csv", csv).await;
        assert_eq!((again.json()["applied"].as_u64(), again.json()["unchanged"].as_u64()), (Some(0), Some(1)));
        assert!(results(&t, &li).await.is_empty());

        let mut plan = serde_json::to_value(
            kaozheng_server::db::plans::get(&t.state.db.pool, "demo-sensor-network-intermediate")
                .await
                .unwrap()
                .unwrap(),
        )
        .unwrap();
        plan["phase"] = json!("ended");
        let res = t.import(&admin, "plans", "application/json", serde_json::to_vec(&json!([plan])).unwrap()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let got = results(&t, &li).await;
        assert_eq!(got.len(), 1);
        assert!(got[0].passed);
        assert_eq!(got[0].certificate_no.as_deref(), Some("X2026-0001"));
        assert_eq!(got[0].issued_on.unwrap().to_string(), "2027-01-20");
        // Holding it now blocks the same level.
        let again = t
            .post_as(
                "/api/v1/registrations",
                &li,
                json!({"client_id": "c2", "plan_id": "demo-sensor-network-intermediate"}),
            )
            .await;
        assert!(again.json()["error"]["refusals"].as_array().unwrap().iter().any(|r| r["code"] == "already_certified"));
    }
}
