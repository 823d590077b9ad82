//! The OpenAPI document stays true: its paths are exactly the routed ones, and real responses
//! validate against its component schemas (which are closed, so an undocumented field fails).

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::TestApp;

mod operations;
mod schemas;

fn document() -> Value {
    serde_json::from_str(kaozheng_server::api::openapi::json()).unwrap()
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

    // And each documented path really answers (not the unknown-route 404 or a 405), with a
    // documented status.
    for (method, path) in &documented {
        let uri = path
            .replace("{id}", "reg-x")
            .replace("{kind}", "sites")
            .replace("{certificate_id}", "c-x")
            .replace("{level}", "primary");
        let method: Method = method.parse().unwrap();
        let res = t.call(method.clone(), &uri, None, None).await;
        assert_ne!(
            res.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        if res.status == StatusCode::NOT_FOUND {
            assert_ne!(res.code(), "not_found", "{method} {path}");
        }
        assert_documented(&doc, &method, path, &res);
    }
}

/// The documented schema of `method path` answering `status`; `None` for a response without a
/// body. Panics when the status is not documented for the operation.
fn response_schema(doc: &Value, method: &Method, path: &str, status: StatusCode) -> Option<Value> {
    let op = &doc["paths"][path][method.as_str().to_ascii_lowercase()];
    assert!(op.is_object(), "{method} {path} is not documented");
    let mut r = op["responses"][status.as_str()].clone();
    assert!(
        r.is_object(),
        "{method} {path}: status {status} is not documented"
    );
    if let Some(pointer) = r["$ref"].as_str() {
        r = doc.pointer(&pointer[1..]).unwrap().clone();
    }
    r["content"]
        .get("application/json")
        .map(|c| c["schema"].clone())
}

/// Checks a real response against what the document says of its operation and status.
fn assert_documented(doc: &Value, method: &Method, path: &str, res: &super::support::Res) {
    match response_schema(doc, method, path, res.status) {
        None => assert!(
            res.body.is_empty(),
            "{method} {path} {}: a body",
            res.status
        ),
        Some(schema) => {
            let schema = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "allOf": [schema],
                "components": doc["components"],
            });
            let v = jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .unwrap();
            let body = res.json();
            let errors: Vec<String> = v.iter_errors(&body).map(|e| e.to_string()).collect();
            assert!(
                errors.is_empty(),
                "{method} {path} {}: {errors:#?}\n{body}",
                res.status
            );
        }
    }
}

/// The document lists every error code, and only those: the server's own (every literal code an
/// `ApiError` is made with in the source), the core's registration refusals and feedback rules,
/// and the HTTP layer's refusals.
#[test]
fn every_error_code_is_documented() {
    use kaozheng_core::feedback::{Dimension, FeedbackError};
    use kaozheng_core::rules::Refusal;
    use kaozheng_core::{PlanState, SchoolLevel, XLevel};
    let doc = document();
    let listed: BTreeSet<String> =
        doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
            .as_array()
            .expect("Error.code lists its values")
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
    let known: BTreeSet<String> = kaozheng_server::error::CODES
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(listed, known, "the document and error::CODES differ");

    let mut used = BTreeSet::new();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for ctor in [
                "ApiError::new(",
                "ApiError::bad_request(",
                "ApiError::unauthorized(",
                "ApiError::forbidden(",
                "ApiError::not_found(",
                "ApiError::unprocessable(",
            ] {
                for (at, _) in text.match_indices(ctor) {
                    let after = &text[at + ctor.len()..];
                    let end = after
                        .char_indices()
                        .nth(300)
                        .map_or(after.len(), |(i, _)| i);
                    let after = &after[..end];
                    // The first string literal that is a code: lowercase letters and underscores.
                    let code = after.split('"').skip(1).step_by(2).find(|s| {
                        !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    });
                    if let Some(code) = code {
                        used.insert(code.to_string());
                    }
                }
            }
        }
    }
    let now = super::support::now();
    for r in [
        Refusal::PlanNotOpen {
            state: PlanState::Draft,
        },
        Refusal::WindowNotOpen { opens_at: now },
        Refusal::WindowClosed { closed_at: now },
        Refusal::Full,
        Refusal::Duplicate {
            registration_id: "r".into(),
        },
        Refusal::AlreadyCertified {
            held: XLevel::Primary,
        },
        Refusal::Clash {
            plan_id: "p".into(),
        },
        Refusal::SchoolRestriction {
            restriction_id: "r".into(),
            school: "s".into(),
            school_level: SchoolLevel::Secondary,
            level: XLevel::Advanced,
        },
        // `Refusal::Other` is the app's name for a reason it does not know; no server sends it.
    ] {
        used.insert(r.code().to_string());
    }
    for e in [
        FeedbackError::RatingOutOfRange {
            dimension: Dimension::ALL[0],
            value: 9,
        },
        FeedbackError::CommentTooLong { chars: 501 },
        FeedbackError::CommentControlCharacter,
    ] {
        used.insert(e.code().to_string());
    }
    for status in [400, 414, 431] {
        let status = StatusCode::from_u16(status).unwrap();
        used.insert(
            kaozheng_server::transport::refusal_error(status)
                .unwrap()
                .code
                .to_string(),
        );
    }
    assert!(used.len() >= 35, "the scan found too few codes: {used:?}");
    let undocumented: Vec<&String> = used.difference(&listed).collect();
    assert!(
        undocumented.is_empty(),
        "undocumented codes: {undocumented:?}"
    );
    let unused: Vec<&String> = listed.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "documented codes nothing answers: {unused:?}"
    );
}
