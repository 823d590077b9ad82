//! The OpenAPI document stays true: its paths are exactly the routed ones, and real responses
//! validate against its component schemas (which are closed, so an undocumented field fails).

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::support::TestApp;

fn document() -> Value {
    serde_json::from_str(kaozheng_server::api::openapi::OPENAPI_JSON).unwrap()
}

/// A validator for `#/components/schemas/<name>` with the document's components in scope.
fn validator(doc: &Value, name: &str) -> jsonschema::Validator {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": doc["components"],
    });
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("schema {name} does not compile: {e}"))
}

fn assert_valid(doc: &Value, name: &str, instance: &Value) {
    let v = validator(doc, name);
    let errors: Vec<String> = v.iter_errors(instance).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}");
}

#[tokio::test]
async fn the_document_is_served_and_is_openapi_3_1() {
    let t = TestApp::new().await;
    let res = t.get("/api/v1/openapi.json").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").starts_with("application/json"));
    let doc = res.json();
    assert_eq!(doc, document());
    assert_eq!(doc["openapi"], "3.1.0");
    for schema in [
        "Catalog",
        "Certificate",
        "LevelInfo",
        "EvaluationOrg",
        "ExamPlan",
        "Site",
        "Error",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 20);
    for r in refs {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("external $ref {r}"));
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn documented_paths_are_exactly_the_routed_ones() {
    let t = TestApp::new().await;
    let doc = document();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routed: BTreeSet<(String, String)> = kaozheng_server::api::endpoints()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, routed);

    // And each documented path really answers (not the unknown-route 404).
    for (method, path) in &documented {
        assert_eq!(method, "GET");
        let res = t.get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
    }
}

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
}
