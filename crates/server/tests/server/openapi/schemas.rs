//! Real answers validate against the component schemas, and the schemas are closed enough that
//! a drifted shape fails.

use axum::http::StatusCode;
use serde_json::json;

use super::super::support::TestApp;
use super::{assert_valid, document, validator};

#[tokio::test]
async fn real_responses_validate_against_the_schemas() {
    let t = TestApp::new().await;
    let doc = document();

    let catalog = t.get("/api/v1/catalog").await.json();
    assert_valid(&doc, "Catalog", &catalog);
    for c in catalog["certificates"].as_array().unwrap() {
        assert_valid(&doc, "Certificate", c);
        for l in c["levels"].as_array().unwrap() {
            assert_valid(&doc, "LevelInfo", l);
        }
    }
    for o in catalog["orgs"].as_array().unwrap() {
        assert_valid(&doc, "EvaluationOrg", o);
    }

    let plans = t.get("/api/v1/plans").await.json();
    assert_valid(&doc, "PlanList", &plans);
    for p in plans["plans"].as_array().unwrap() {
        assert_valid(&doc, "PlanListItem", p);
        let mut bare = p.clone();
        bare.as_object_mut().unwrap().remove("state");
        assert_valid(&doc, "ExamPlan", &bare);
    }

    let sites = t.get("/api/v1/sites").await.json();
    assert_valid(&doc, "SiteList", &sites);
    for s in sites["sites"].as_array().unwrap() {
        assert_valid(&doc, "Site", s);
    }

    assert_valid(
        &doc,
        "GradeRules",
        &t.get("/api/v1/rules/grades").await.json(),
    );
    assert_valid(
        &doc,
        "CreditRules",
        &t.get("/api/v1/rules/credits").await.json(),
    );
    assert_valid(&doc, "RuleSet", &t.get("/api/v1/rules").await.json());
    let wang = t.login("TJ2024001").await;
    let me = t.get_as("/api/v1/me", &wang).await.json();
    assert!(me["passed_courses"].is_array(), "{me}");
    assert_valid(&doc, "Student", &me);
    assert_valid(
        &doc,
        "CreditAccount",
        &t.get_as("/api/v1/credits", &wang).await.json(),
    );
    for reg in t.get_as("/api/v1/registrations", &wang).await.json()["registrations"]
        .as_array()
        .unwrap()
    {
        assert_valid(&doc, "Registration", reg);
        let answer = t
            .get(&format!(
                "/api/v1/tickets/verify?ticket_no={}&check={}",
                reg["ticket_no"].as_str().unwrap(),
                reg["ticket_check"].as_str().unwrap()
            ))
            .await
            .json();
        assert_eq!(answer["valid"], true);
        assert_valid(&doc, "TicketVerification", &answer);
    }

    for (path, status) in [
        ("/api/v1/plans?level=expert", StatusCode::BAD_REQUEST),
        ("/api/v1/nope", StatusCode::NOT_FOUND),
    ] {
        let res = t.get(path).await;
        assert_eq!(res.status, status);
        assert_valid(&doc, "Error", &res.json());
    }
}

#[tokio::test]
async fn the_schemas_are_strict_enough_to_catch_drift() {
    let t = TestApp::new().await;
    let doc = document();

    let mut plans = t.get("/api/v1/plans").await.json();
    plans["plans"][0]["seats_taken"] = json!(3);
    assert!(
        !validator(&doc, "PlanList").is_valid(&plans),
        "extra plan field accepted"
    );

    let mut plans = t.get("/api/v1/plans").await.json();
    plans["plans"][0]["state"] = json!("registering");
    assert!(
        !validator(&doc, "PlanList").is_valid(&plans),
        "unknown state accepted"
    );

    let mut plans = t.get("/api/v1/plans").await.json();
    plans["as_of"] = json!("yesterday");
    assert!(
        !validator(&doc, "PlanList").is_valid(&plans),
        "bad date-time accepted"
    );

    let mut catalog = t.get("/api/v1/catalog").await.json();
    catalog.as_object_mut().unwrap().remove("version");
    assert!(
        !validator(&doc, "Catalog").is_valid(&catalog),
        "missing field accepted"
    );

    let mut catalog = t.get("/api/v1/catalog").await.json();
    catalog["certificates"][0]["levels"][0]["level"] = json!("expert");
    assert!(
        !validator(&doc, "Catalog").is_valid(&catalog),
        "unknown level accepted"
    );

    let err = json!({"error": {"code": "x", "message": "m"}});
    assert!(
        !validator(&doc, "Error").is_valid(&err),
        "error without message_zh accepted"
    );

    let token = t.login("TJ2024002").await;
    let reg = t
        .post_as(
            "/api/v1/registrations",
            &token,
            json!({"client_id": "c1", "plan_id": "demo-bim-primary"}),
        )
        .await
        .json();
    assert!(validator(&doc, "Registration").is_valid(&reg));
    let mut extra = reg.clone();
    extra["seat"] = json!(3);
    assert!(
        !validator(&doc, "Registration").is_valid(&extra),
        "extra registration field accepted"
    );
    let mut bad_ticket = reg.clone();
    bad_ticket["ticket_no"] = json!("A-12");
    assert!(!validator(&doc, "Registration").is_valid(&bad_ticket));
    let mut bad_payer = reg.clone();
    bad_payer["fee"]["payer"] = json!("parents");
    assert!(!validator(&doc, "Registration").is_valid(&bad_payer));
    let mut no_check = reg.clone();
    no_check.as_object_mut().unwrap().remove("ticket_check");
    assert!(!validator(&doc, "Registration").is_valid(&no_check));
    let mut bad_check = reg;
    bad_check["ticket_check"] = json!("ILOU000000");
    assert!(
        !validator(&doc, "Registration").is_valid(&bad_check),
        "letters outside Crockford's alphabet accepted"
    );
    let verification = validator(&doc, "TicketVerification");
    assert!(verification.is_valid(&json!({"valid": false})));
    assert!(
        !verification.is_valid(&json!({"valid": false, "holder": "李*"})),
        "a refusal that tells something accepted"
    );
    assert!(!verification.is_valid(&json!({"valid": true})));
    let mut account = t.get_as("/api/v1/credits", &token).await.json();
    account["refused"] = json!([{"rule_id": "r", "certificate_id": "c", "level": "primary",
        "course": {"code": "X1", "name": "n", "category": "core", "credits": 2},
        "why": {"code": "too_bad"}, "detail_zh": "", "detail_en": ""}]);
    assert!(
        !validator(&doc, "CreditAccount").is_valid(&account),
        "unknown refusal reason accepted"
    );
    assert!(validator(&doc, "Refusal").is_valid(&json!({"code": "full"})));
    assert!(!validator(&doc, "Refusal").is_valid(&json!({"code": "sold_out"})));
    assert!(!validator(&doc, "Refusal").is_valid(&json!({"code": "clash"})));
}
