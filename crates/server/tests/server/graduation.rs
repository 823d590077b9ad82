//! The graduation requirement's data: the rule document served with its ETag and imported by
//! kind, the profile's graduation day (from the demo, from student imports, moved with the demo),
//! and the progress the app computes from them.

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use kaozheng_core::model::{ExamResult, Registration, Student};
use kaozheng_core::rules::{
    Coverage, FeeRules, GraduationRules, coverage, funded_exams_used, graduation_progress,
};
use kaozheng_core::time;
use kaozheng_server::AppState;
use serde_json::{Value, json};

use super::support::{TestApp, TestClock, now};
use crate::on_both;

fn today_plus(days: i64) -> NaiveDate {
    time::to_china(now()).date_naive() + Duration::days(days)
}

fn date(v: &Value) -> Option<NaiveDate> {
    v["graduation_on"].as_str().and_then(time::parse_date)
}

on_both! {
    async fn graduation_rules_are_served_with_their_etag_and_import_by_kind(b) {
        let t = TestApp::on(b).await;
        let res = t.get("/api/v1/rules/graduation").await;
        assert_eq!(res.status, StatusCode::OK);
        let etag = res.header("etag").to_string();
        let rules: GraduationRules = serde_json::from_slice(&res.body).unwrap();
        assert_eq!(rules.validate(), Ok(()));
        assert!(rules.policy_for("示例职业技术学院").is_some());
        assert!(rules.policy_for("河南示例中等职业学校").is_some());
        let again = t.get_with("/api/v1/rules/graduation", &[("if-none-match", etag.as_str())]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert!(again.body.is_empty());

        // An administrator's document is recognised by its fields and replaces the shipped one.
        let admin = t.admin_token().await;
        let mut doc: Value = res.json();
        doc["version"] = json!("school-2027.1");
        doc["schools"][0]["required_count"] = json!(2);
        let res = t.import(&admin, "rules", "application/json", serde_json::to_vec(&doc).unwrap()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(res.json()["applied"], 1);
        let served = t.get("/api/v1/rules/graduation").await;
        assert_ne!(served.header("etag"), etag);
        assert_eq!(served.json()["schools"][0]["required_count"], 2);
        // Credit tables also list schools: they are still read as credit tables (here refused
        // for naming certificates the test catalog lacks), never as graduation policies.
        let mut credits_doc = t.get("/api/v1/rules/credits").await.json();
        credits_doc["version"] = json!("credits-2027.1");
        let res = t.import(&admin, "rules", "application/json", serde_json::to_vec(&credits_doc).unwrap()).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.json()["rejected"][0]["field"].as_str().unwrap().starts_with("schools[0].conversions"), "{}", res.text());
        assert_eq!(t.get("/api/v1/rules/graduation").await.json()["version"], "school-2027.1");
        // A policy asking for more certificates than any school does is refused whole.
        doc["version"] = json!("school-2027.2");
        doc["schools"][1]["required_count"] = json!(21);
        let res = t.import(&admin, "rules", "application/json", serde_json::to_vec(&doc).unwrap()).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().contains("required_count"), "{}", res.text());
    }
}

on_both! {
    async fn demo_students_have_graduation_days_that_move_with_the_demo(b) {
        let t = TestApp::on(b).await;
        let wang = t.login("TJ2024001").await;
        let me = t.get_as("/api/v1/me", &wang).await.json();
        assert_eq!(date(&me), Some(today_plus(39)), "{me}");
        let li = t.login("TJ2024002").await;
        assert_eq!(date(&t.get_as("/api/v1/me", &li).await.json()), Some(today_plus(220)));

        // A restart ten days later keeps the countdown where it was.
        let TestApp { dir, state, config, pg, .. } = t;
        state.db.pool.close().await;
        let clock = TestClock::at(now() + Duration::days(10));
        let mut c = config.clone();
        c.clock = clock.clock();
        let again = AppState::open(&c).await.unwrap();
        let moved = kaozheng_server::db::students::get(&again.db.pool, "TJ2024001").await.unwrap().unwrap();
        assert_eq!(moved.graduation_on, Some(today_plus(49)));
        again.db.pool.close().await;
        drop((dir, pg));
    }
}

on_both! {
    async fn the_app_computes_progress_from_the_api_alone(b) {
        let t = TestApp::on(b).await;
        let rules: GraduationRules = serde_json::from_slice(&t.get("/api/v1/rules/graduation").await.body).unwrap();
        let fees: FeeRules = serde_json::from_slice(&t.get("/api/v1/rules/fees").await.body).unwrap();
        let today = time::to_china(now()).date_naive();
        let funded = |me: &Value, regs: &Value| {
            let me: Student = serde_json::from_value(me.clone()).unwrap();
            let regs: Vec<Registration> = serde_json::from_value(regs["registrations"].clone()).unwrap();
            coverage(&fees, &me, today, funded_exams_used(&regs, None))
        };
        let progress = |me: Value, results: Value, regs: Value| {
            let me: Student = serde_json::from_value(me).unwrap();
            let results: Vec<ExamResult> = serde_json::from_value(results["results"].clone()).unwrap();
            let regs: Vec<Registration> = serde_json::from_value(regs["registrations"].clone()).unwrap();
            let held: Vec<_> = results
                .iter()
                .filter(|r| r.passed)
                .map(|r| (r.certificate_id.clone(), r.level))
                .collect();
            let policy = rules.policy_for(&me.school).expect("the demo school has a policy");
            graduation_progress(policy, &me, &held, &regs, now())
        };
        // 王晓明 holds one certificate; his first (failed) exam was the one the school funds.
        let wang = t.login("TJ2024001").await;
        let (me, regs) = (t.get_as("/api/v1/me", &wang).await.json(), t.get_as("/api/v1/registrations", &wang).await.json());
        let p = progress(me.clone(), t.get_as("/api/v1/results", &wang).await.json(), regs.clone());
        assert_eq!((p.held, p.still_needed, p.met, p.days_left), (1, 0, true, Some(39)));
        let tianjin = "tianjin-2021-pilot-exam".to_string();
        assert_eq!(funded(&me, &regs), Coverage::Funded { policy_id: tianjin.clone(), exams: None, used: 1 });
        // 李静 holds none; registering uses the school-paid exam, cancelling frees it again.
        let li = t.login("TJ2024002").await;
        let get = |token: String| {
            let t = &t;
            async move {
                (
                    t.get_as("/api/v1/me", &token).await.json(),
                    t.get_as("/api/v1/results", &token).await.json(),
                    t.get_as("/api/v1/registrations", &token).await.json(),
                )
            }
        };
        let (me, results, regs) = get(li.clone()).await;
        assert_eq!(funded(&me, &regs), Coverage::Funded { policy_id: tianjin.clone(), exams: None, used: 0 });
        let p = progress(me, results, regs);
        assert_eq!((p.held, p.registered, p.still_needed, p.met), (0, 0, 1, false));
        let reg = t.post_as("/api/v1/registrations", &li, json!({"client_id": "g1", "plan_id": "demo-bim-primary"})).await;
        assert_eq!(reg.status, StatusCode::CREATED, "{}", reg.text());
        let fee: kaozheng_core::FeeDecision = serde_json::from_value(reg.json()["fee"].clone()).unwrap();
        assert_eq!(fee.reason, kaozheng_core::FeeReason::PilotExamCovered);
        assert_eq!(fee.policy.as_deref(), Some("tianjin-2021-pilot-exam"));
        let (me, results, regs) = get(li.clone()).await;
        assert_eq!(funded(&me, &regs).left(), 0);
        let p = progress(me, results, regs);
        assert_eq!((p.registered, p.still_needed), (1, 0));
        let id = reg.json()["id"].as_str().unwrap().to_string();
        t.delete_as(&format!("/api/v1/registrations/{id}"), &li).await;
        let (me, results, regs) = get(li).await;
        assert_eq!(funded(&me, &regs).left(), 1, "cancelling frees the funded exam");
        let p = progress(me, results, regs);
        assert_eq!((p.registered, p.still_needed), (0, 1));
        // 陈晨 in Henan: no rule funds exams there (none may be charged at all).
        let chen = t.login("HA2024001").await;
        let (me, _, regs) = get(chen).await;
        assert_eq!(funded(&me, &regs), Coverage::NoRule);
    }
}

on_both! {
    /// `graduation_on`: replaced when the column or field is there (an empty cell clears it), kept
    /// when it is not; strict `YYYY-MM-DD`.
    async fn students_import_their_graduation_day(b) {
        let t = TestApp::on(b).await;
        let admin = t.admin_token().await;
        let counts = |v: Value| (v["total"].as_u64().unwrap(), v["applied"].as_u64().unwrap(), v["unchanged"].as_u64().unwrap());
        let csv = "student_no,name,school,school_level,province,graduation_on,password\n\
            S2026001,孙三,示例职业技术学院,高职,天津,2027-06-30,first-pass-1\n\
            S2026002,李四,示例职业技术学院,中职,天津,,first-pass-2\n";
        let res = t.import(&admin, "students", "text/csv", csv).await;
        assert_eq!(counts(res.json()), (2, 2, 0), "{}", res.text());
        let sun = t.session_for("S2026001").await;
        let li = t.session_for("S2026002").await;
        assert_eq!(date(&t.get_as("/api/v1/me", &sun).await.json()), NaiveDate::from_ymd_opt(2027, 6, 30));
        let me = t.get_as("/api/v1/me", &li).await.json();
        assert!(me.get("graduation_on").is_none(), "absent when none: {me}");

        // A roster without the column keeps it; the same value again is unchanged.
        let roster = "student_no,name,school,school_level,province\nS2026001,孙三,示例职业技术学院,高职,天津\n";
        assert_eq!(counts(t.import(&admin, "students", "text/csv", roster).await.json()), (1, 0, 1));
        let same = "student_no,name,school,school_level,province,graduation_on\nS2026001,孙三,示例职业技术学院,高职,天津,2027-06-30\n";
        assert_eq!(counts(t.import(&admin, "students", "text/csv", same).await.json()), (1, 0, 1));
        assert_eq!(date(&t.get_as("/api/v1/me", &sun).await.json()), NaiveDate::from_ymd_opt(2027, 6, 30));

        // JSON moves it; null or an empty cell clears it.
        let row = |d: Value| json!([{"student_no": "S2026001", "name": "孙三", "school": "示例职业技术学院",
            "school_level": "higher", "province": "天津", "graduation_on": d}]);
        let res = t.import(&admin, "students", "application/json", serde_json::to_vec(&row(json!("2028-01-15"))).unwrap()).await;
        assert_eq!(counts(res.json()), (1, 1, 0), "{}", res.text());
        assert_eq!(date(&t.get_as("/api/v1/me", &sun).await.json()), NaiveDate::from_ymd_opt(2028, 1, 15));
        let res = t.import(&admin, "students", "application/json", serde_json::to_vec(&row(Value::Null)).unwrap()).await;
        assert_eq!(counts(res.json()), (1, 1, 0), "{}", res.text());
        assert!(t.get_as("/api/v1/me", &sun).await.json().get("graduation_on").is_none());

        // Anything but a real YYYY-MM-DD day is refused, row by row, and nothing is written.
        let bad = "student_no,name,school,school_level,province,graduation_on\n\
            S2026001,孙三,示例职业技术学院,高职,天津,2027-02-30\n\
            S2026002,李四,示例职业技术学院,中职,天津,2027/06/30\n";
        let res = t.import(&admin, "students", "text/csv", bad).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        let rejected: Vec<(u64, String)> = res.json()["rejected"].as_array().unwrap().iter()
            .map(|r| (r["row"].as_u64().unwrap(), r["field"].as_str().unwrap_or_default().to_string()))
            .collect();
        assert_eq!(rejected, vec![(2, "graduation_on".into()), (3, "graduation_on".into())]);
        assert!(t.get_as("/api/v1/me", &li).await.json().get("graduation_on").is_none());
    }
}
