//! The credit bank and the rule documents behind it: `GET /api/v1/credits` from visible results
//! and passed courses, grade and credit rules served with ETags and imported with their checks,
//! and results that count only once the student can see them.

use axum::http::StatusCode;
use kaozheng_core::rules::{
    CreditAccount, CreditRules, Credits, ModuleExemption, RefusalWhy, exemptions_for,
};
use kaozheng_core::{Student, XLevel};
use serde_json::{Value, json};

use super::support::{Res, TestApp};
use crate::on_both;

async fn account(t: &TestApp, token: &str) -> CreditAccount {
    let res = t.get_as("/api/v1/credits", token).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_slice(&res.body).unwrap()
}

fn rule_ids(acc: &CreditAccount) -> Vec<&str> {
    acc.applied.iter().map(|a| a.rule_id.as_str()).collect()
}

fn rejected(res: &Res) -> Vec<(u64, Option<String>)> {
    res.json()["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["field"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// A credit table for the Tianjin demo school over the fixture catalog: web-frontend 中级 converts
/// a core course, cloud-ops 高级 another.
fn fixture_credit_table(version: &str) -> Value {
    let citation = json!({"title": "示例学分转换办法", "issuer": "示例职业技术学院", "quote": "可按规定转换为相应课程学分"});
    let course = |code: &str, name: &str, credits: f64| json!({"code": code, "name": name, "category": "core", "credits": credits});
    json!({
        "version": version,
        "schools": [{
            "school": "示例职业技术学院",
            "example": true,
            "graduation_credits": 140,
            "caps": {"max_credits_per_certificate": 8, "total_share_percent": 50},
            "levels": [
                {"level": "primary", "categories": ["foundation"]},
                {"level": "intermediate", "categories": ["core"]},
                {"level": "advanced", "categories": ["foundation", "core"]}
            ],
            "conversions": [
                {"id": "fx-web-w201", "certificate_id": "web-frontend", "min_level": "intermediate",
                 "course": course("W201", "前端框架应用", 4.0), "kind": "credits"},
                {"id": "fx-cloud-c301", "certificate_id": "cloud-ops", "min_level": "advanced",
                 "course": course("C301", "云原生运维", 3.0), "kind": "credits"}
            ],
            "citations": [citation]
        }]
    })
}

async fn import_json(t: &TestApp, admin: &str, kind: &str, doc: &Value) -> Res {
    t.import(
        admin,
        kind,
        "application/json",
        serde_json::to_vec(doc).unwrap(),
    )
    .await
}

on_both! {
    /// With the built-in catalog the demo's example table applies: 张伟's 工业机器人应用编程 高级
    /// converts two courses and not the one he passed himself, and his passed course exempts the
    /// theory module of BIM 初级, whose plan is open.
    async fn the_demo_credit_bank_converts_refuses_and_exempts(b) {
        let t = TestApp::on_with(b, |c| c.catalog = None).await;
        let zhang = t.login("TJ2024003").await;
        let me: Student = serde_json::from_slice(&t.get_as("/api/v1/me", &zhang).await.body).unwrap();
        assert_eq!(me.passed_courses, vec!["JQ201", "JZ201"]);

        let acc = account(&t, &zhang).await;
        assert_eq!(acc.school, "示例职业技术学院");
        assert!(acc.example);
        assert_eq!(rule_ids(&acc), vec!["demo-robot-programming-jq101", "demo-robot-programming-jq202"]);
        assert_eq!(acc.total_credits, Credits::from_tenths(65));
        let passed_already = acc
            .refused
            .iter()
            .find(|r| r.rule_id == "demo-robot-programming-jq201")
            .expect("the course he passed is refused");
        assert_eq!(passed_already.why, RefusalWhy::CourseAlreadyPassed);
        // API users read each refusal in both languages.
        let raw = t.get_as("/api/v1/credits", &zhang).await.json();
        let worded = raw["refused"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule_id"] == "demo-robot-programming-jq201")
            .unwrap();
        assert!(worded["detail_zh"].as_str().unwrap().starts_with("你已通过"), "{worded}");
        assert!(worded["detail_en"].as_str().unwrap().starts_with("You passed"), "{worded}");
        assert!(raw["applied"][0]["reason_zh"].as_str().unwrap().contains("学分"), "{raw}");

        let rules: CreditRules =
            serde_json::from_slice(&t.get("/api/v1/rules/credits").await.body).unwrap();
        let policy = rules.policy_for(&me.school, me.major.as_deref()).unwrap();
        let bim = "c02464a0d471f";
        let grants = exemptions_for(policy, &me.passed_courses, bim, XLevel::Primary);
        assert_eq!(grants.len(), 1, "{grants:?}");
        assert_eq!((grants[0].course_code.as_str(), grants[0].exempts), ("JZ201", ModuleExemption::Theory));
        let plans = t.get(&format!("/api/v1/plans?certificate={bim}&level=primary")).await.json();
        assert_eq!(plans["plans"][0]["state"], "open", "{plans}");

        // 王晓明: his one passed certificate (移动应用软件测试 中级) is not in the table, and the
        // one he failed counts for nothing; Linux exempts a theory module of 云计算 中级.
        let wang = t.login("TJ2024001").await;
        let acc = account(&t, &wang).await;
        assert!(acc.applied.is_empty() && acc.refused.is_empty(), "{acc:?}");
        let held: Vec<(&str, XLevel)> =
            acc.per_certificate.iter().map(|c| (c.certificate_id.as_str(), c.level)).collect();
        assert_eq!(held, vec![("c547ce207f9bd", XLevel::Intermediate)]);
        let me: Student = serde_json::from_slice(&t.get_as("/api/v1/me", &wang).await.body).unwrap();
        let grants = exemptions_for(policy, &me.passed_courses, "c006931671627", XLevel::Intermediate);
        assert_eq!(grants[0].exempts, ModuleExemption::Theory);
    }
}

on_both! {
    async fn a_school_without_a_table_gets_a_404_with_both_messages(b) {
        let t = TestApp::on(b).await;
        let chen = t.login("HA2024001").await;
        let res = t.get_as("/api/v1/credits", &chen).await;
        assert_eq!((res.status, res.code().as_str()), (StatusCode::NOT_FOUND, "no_credit_policy"));
        let e = &res.json()["error"];
        assert!(e["message"].as_str().unwrap().contains("河南示例中等职业学校"), "{e}");
        assert!(e["message_zh"].as_str().unwrap().contains("河南示例中等职业学校"), "{e}");
        assert_eq!(t.get("/api/v1/credits").await.status, StatusCode::UNAUTHORIZED);
    }
}

on_both! {
    /// A passed result still being scored is neither a held certificate for registration nor a
    /// source of credits; once its plan is publicized it is both.
    async fn results_count_only_once_the_student_can_see_them(b) {
        let t = TestApp::on(b).await;
        let admin = t.admin_token().await;
        let res = import_json(&t, &admin, "rules", &fixture_credit_table("fixture-credits-1")).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let wang = t.login("TJ2024001").await;
        assert_eq!(rule_ids(&account(&t, &wang).await), vec!["fx-web-w201"]);

        // 王晓明's cloud-ops 高级 result comes in passed while its plan is still being scored.
        let ticket: String = sqlx::query_scalar("SELECT ticket_no FROM registrations WHERE id = 'demo-reg-wang-scoring'")
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        let csv = format!(
            "ticket_no,theory_score,theory_pass_mark,practical_score,practical_pass_mark\n{ticket},88,60,75,60\n"
        );
        let res = t.import(&admin, "results", "text/csv", csv).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let plans = "id,name,certificate_id,level,province,site_id,phase,window_opens_at,window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen\n\
            extra-cloud-1,加试一,cloud-ops,advanced,天津,demo-site-tianjin,published,2026-11-01 09:00,2026-12-01 17:00,2026-12-09 09:00,2026-12-09 11:00,40,30000\n\
            extra-cloud-2,加试二,cloud-ops,advanced,天津,demo-site-tianjin,published,2026-11-01 09:00,2026-12-01 17:00,2026-12-10 09:00,2026-12-10 11:00,40,30000\n";
        let res = t.import(&admin, "plans", "text/csv", plans).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());

        assert_eq!(rule_ids(&account(&t, &wang).await), vec!["fx-web-w201"], "not visible yet");
        let early = t
            .post_as("/api/v1/registrations", &wang, json!({"client_id": "w1", "plan_id": "extra-cloud-1"}))
            .await;
        assert_eq!(early.status, StatusCode::CREATED, "a hidden result does not refuse: {}", early.text());
        // Cancelled again, so only the certificate can stand in the way below.
        let id = early.json()["id"].as_str().unwrap().to_string();
        assert_eq!(t.delete_as(&format!("/api/v1/registrations/{id}"), &wang).await.status, StatusCode::OK);

        let mut scoring = serde_json::to_value(
            kaozheng_server::db::plans::get(&t.state.db.pool, "demo-cloud-ops-advanced").await.unwrap().unwrap(),
        )
        .unwrap();
        scoring["phase"] = json!("publicized");
        let res = import_json(&t, &admin, "plans", &json!([scoring])).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());

        let acc = account(&t, &wang).await;
        assert_eq!(rule_ids(&acc), vec!["fx-cloud-c301", "fx-web-w201"]);
        assert_eq!(acc.total_credits, Credits::whole(7));
        let late = t
            .post_as("/api/v1/registrations", &wang, json!({"client_id": "w2", "plan_id": "extra-cloud-2"}))
            .await;
        assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", late.text());
        assert_eq!(late.json()["error"]["refusals"], json!([{"code": "already_certified", "held": "advanced"}]));
    }
}

on_both! {
    async fn grade_and_credit_rules_are_served_with_etags(b) {
        let t = TestApp::on(b).await;
        let all = t.get("/api/v1/rules/grades").await;
        assert_eq!(all.status, StatusCode::OK);
        assert!(all.header("content-type").starts_with("application/json"));
        let doc = all.json();
        assert!(!doc["rule_sets"].as_array().unwrap().is_empty());
        let etag = all.header("etag").to_string();
        assert_eq!(etag, format!("W/\"{}\"", doc["version"].as_str().unwrap()));
        let again = t.get_with("/api/v1/rules/grades", &[("if-none-match", etag.as_str())]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert!(again.body.is_empty());

        let henan = t.get("/api/v1/rules/grades?province=%E6%B2%B3%E5%8D%97").await;
        let sets = henan.json()["rule_sets"].as_array().unwrap().clone();
        assert!(!sets.is_empty() && sets.iter().all(|s| s["province"] == "河南"));
        let henan_etag = henan.header("etag").to_string();
        assert_ne!(henan_etag, etag, "a province's copy has its own tag");
        let stale = t
            .get_with("/api/v1/rules/grades?province=%E6%B2%B3%E5%8D%97", &[("if-none-match", etag.as_str())])
            .await;
        assert_eq!(stale.status, StatusCode::OK);
        let fresh = t
            .get_with("/api/v1/rules/grades?province=%E6%B2%B3%E5%8D%97", &[("if-none-match", henan_etag.as_str())])
            .await;
        assert_eq!(fresh.status, StatusCode::NOT_MODIFIED);
        // A province without rules keeps the general conditions, which is what it is shown.
        let tianjin = t.get("/api/v1/rules/grades?province=%E5%A4%A9%E6%B4%A5").await.json();
        assert_eq!(tianjin["rule_sets"], json!([]));
        assert_eq!(tianjin["general"], doc["general"]);
        assert_eq!(t.get("/api/v1/rules/grades?province=").await.json(), doc);

        let credits = t.get("/api/v1/rules/credits").await;
        assert_eq!(credits.status, StatusCode::OK);
        let tag = credits.header("etag").to_string();
        assert!(!credits.json()["schools"].as_array().unwrap().is_empty());
        let again = t.get_with("/api/v1/rules/credits", &[("if-none-match", tag.as_str())]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    }
}

on_both! {
    /// Grade and credit documents import by their fields or `?kind=`; a credit table naming
    /// certificates the catalog lacks is refused on its school's row, and nothing changes.
    async fn grade_and_credit_rules_import_with_their_checks(b) {
        let t = TestApp::on(b).await;
        let admin = t.admin_token().await;

        let mut grades = t.get("/api/v1/rules/grades").await.json();
        let same = import_json(&t, &admin, "rules", &grades).await;
        assert_eq!(same.status, StatusCode::OK, "{}", same.text());
        assert_eq!(same.json()["unchanged"], 1, "detected as grades by rule_sets");
        grades["version"] = json!("school-grades-2");
        let res = import_json(&t, &admin, "rules", &grades).await;
        assert_eq!(res.json()["applied"], 1, "{}", res.text());
        assert_eq!(t.get("/api/v1/rules/grades").await.header("etag"), "W/\"school-grades-2\"");
        grades["version"] = json!("school-grades-3");
        grades["rule_sets"][0]["citations"] = json!([]);
        let res = import_json(&t, &admin, "rules", &grades).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().contains("citations"), "{}", res.text());
        let csv = t.import(&admin, "rules?kind=grades", "text/csv", "version\n1\n").await;
        assert_eq!(csv.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(csv.text().contains("imported as JSON"), "{}", csv.text());

        // The shipped table names the built-in catalog's certificates, which the fixture catalog
        // lacks: every one is reported on the school's row, with its path.
        let mut shipped = t.get("/api/v1/rules/credits").await.json();
        shipped["version"] = json!("shipped-again");
        let res = import_json(&t, &admin, "rules", &shipped).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        let rows = rejected(&res);
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|(row, _)| *row == 1), "{rows:?}");
        assert_eq!(rows[0].1.as_deref(), Some("schools[0].conversions[0].certificate_id"));
        assert!(res.json()["rejected"][0]["reason"].as_str().unwrap().contains("not in the catalog"));

        // A second school naming an unknown certificate and a level the catalog does not offer.
        let mut table = fixture_credit_table("fixture-credits-1");
        let mut other = table["schools"][0].clone();
        other["school"] = json!("另一所示例学校");
        other["conversions"][0]["certificate_id"] = json!("no-such-certificate");
        other["exemptions"] = json!([{
            "id": "fx-exempt", "course_code": "S101", "course_name": "传感器基础",
            "certificate_id": "sensor-network", "level": "advanced", "exempts": "theory"
        }]);
        table["schools"].as_array_mut().unwrap().push(other);
        let res = t
            .import(&admin, "rules?kind=credits", "application/json", serde_json::to_vec(&table).unwrap())
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            rejected(&res),
            vec![
                (2, Some("schools[1].conversions[0].certificate_id".into())),
                (2, Some("schools[1].exemptions[0].certificate_id".into())),
            ]
        );
        let served = t.get("/api/v1/rules/credits").await.json();
        assert_ne!(served["version"], "fixture-credits-1", "nothing was written");

        table["schools"].as_array_mut().unwrap().pop();
        let res = import_json(&t, &admin, "rules", &table).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let served = t.get("/api/v1/rules/credits").await.json();
        assert_eq!(served["version"], "fixture-credits-1");
        assert_eq!(served["schools"][0]["conversions"][1]["id"], "fx-cloud-c301");
    }
}
