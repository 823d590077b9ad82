//! Certificate quality feedback: only after a published result, one per student per level,
//! idempotent on `client_id`, validated by the core rules; aggregates only from five answers;
//! the administrators' export without student identity.
//!
//! The demo has five raters on the publicized exam's level (content 4.2, jobs 4.4, organisation
//! 3.8) and four answers on the ended exam's level (three raters and 张伟), one short of showing.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{Res, TestApp};
use crate::on_both;

/// `(certificate_id, level)` of 王晓明's result in `state` (`publicized`, `ended` or none shown).
async fn result_level(t: &TestApp, token: &str, state: &str) -> (String, String) {
    let results = t.get_as("/api/v1/results", token).await.json();
    let r = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["state"] == state)
        .unwrap_or_else(|| panic!("no {state} result in {results}"))
        .clone();
    (
        r["certificate_id"].as_str().unwrap().to_string(),
        r["level"].as_str().unwrap().to_string(),
    )
}

fn body(client_id: &str, ratings: [u8; 3], comment: Option<&str>) -> Value {
    let mut b = json!({
        "client_id": client_id,
        "ratings": {
            "content_quality": ratings[0],
            "social_recognition": ratings[1],
            "learning_effect": ratings[2],
        },
    });
    if let Some(c) = comment {
        b["comment"] = json!(c);
    }
    b
}

async fn put(t: &TestApp, token: &str, (cert, level): &(String, String), body: Value) -> Res {
    t.call(
        Method::PUT,
        &format!("/api/v1/feedback/{cert}/{level}"),
        Some(token),
        Some(body),
    )
    .await
}

async fn aggregates(t: &TestApp, cert: &str) -> Value {
    let res = t
        .get(&format!(
            "/api/v1/feedback/aggregates?certificate_id={cert}"
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

/// The aggregate of `level` in an aggregates answer, if shown.
fn shown(aggs: &Value, level: &str) -> Option<Value> {
    aggs["levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["level"] == level)
        .map(|l| l["aggregate"].clone())
}

on_both! {
    async fn feedback_needs_a_published_result_and_stays_private(b) {
        let t = TestApp::on(b).await;
        let wang = t.login("TJ2024001").await;
        let li = t.login("TJ2024002").await;
        let zhang = t.login("TJ2024003").await;
        let publicized = result_level(&t, &wang, "publicized").await;

        // 李静 has no result for it: refused, nothing stored.
        let res = put(&t, &li, &publicized, body("f-li", [5, 5, 5], None)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
        assert_eq!(res.code(), "no_published_result");
        assert_eq!(t.get_as("/api/v1/feedback", &li).await.json(), json!({"feedback": []}));

        // 王晓明's result in scoring does not count yet; another level of the certificate neither.
        let scoring = sqlx::query_as::<_, (String, i64)>(
            "SELECT p.certificate_id, p.level FROM registrations r JOIN exam_plans p ON p.id = r.plan_id \
             WHERE r.id = 'demo-reg-wang-scoring'",
        )
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap();
        let level = ["primary", "intermediate", "advanced"][scoring.1 as usize - 1];
        let res = put(&t, &wang, &(scoring.0, level.into()), body("f-s", [4, 4, 4], None)).await;
        assert_eq!(res.code(), "no_published_result");
        let other_level = if publicized.1 == "primary" { "advanced" } else { "primary" };
        let res = put(&t, &wang, &(publicized.0.clone(), other_level.into()), body("f-o", [4, 4, 4], None)).await;
        assert_eq!(res.code(), "no_published_result");

        // His published result allows it, passed or failed.
        let res = put(&t, &wang, &publicized, body("f-w1", [5, 4, 3], Some("  考场安排得好 \n"))).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let stored = res.json();
        assert_eq!(stored["certificate_id"], publicized.0.as_str());
        assert_eq!(stored["level"], publicized.1.as_str());
        assert_eq!(stored["ratings"], json!({"content_quality": 5, "social_recognition": 4, "learning_effect": 3}));
        assert_eq!(stored["comment"], "考场安排得好", "trimmed");
        let ended = result_level(&t, &wang, "ended").await;
        let res = put(&t, &wang, &ended, body("f-w2", [2, 3, 4], None)).await;
        assert_eq!(res.status, StatusCode::OK, "a failed result may be rated: {}", res.text());
        assert!(res.json().get("comment").is_none());

        // Each student sees only their own.
        let mine = t.get_as("/api/v1/feedback", &wang).await.json();
        assert_eq!(mine["feedback"].as_array().unwrap().len(), 2, "{mine}");
        let his = t.get_as("/api/v1/feedback", &zhang).await.json();
        let his = his["feedback"].as_array().unwrap();
        assert_eq!(his.len(), 1, "张伟's demo feedback only: {his:?}");
        assert_ne!(his[0]["ratings"], json!({"content_quality": 2, "social_recognition": 3, "learning_effect": 4}));
        assert!(!t.get_as("/api/v1/feedback", &li).await.text().contains("考场安排得好"));

        // Without a student session: 401; an admin token is not a student.
        let res = t.call(Method::PUT, &format!("/api/v1/feedback/{}/{}", publicized.0, publicized.1), None, Some(body("f-x", [1, 1, 1], None))).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        assert_eq!(t.get("/api/v1/feedback").await.status, StatusCode::UNAUTHORIZED);
        let admin = t.admin_token().await;
        let res = put(&t, &admin, &publicized, body("f-x", [1, 1, 1], None)).await;
        assert_eq!((res.status, res.code()), (StatusCode::FORBIDDEN, "student_only".into()));
    }
}

on_both! {
    async fn feedback_is_idempotent_on_client_id_and_an_edit_replaces_it(b) {
        let t = TestApp::on(b).await;
        let wang = t.login("TJ2024001").await;
        let level = result_level(&t, &wang, "publicized").await;
        let first = put(&t, &wang, &level, body("f1", [3, 3, 3], Some("一般"))).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.text());

        // The same request again: the same answer, byte for byte, even a minute later.
        t.clock.set(t.clock.now() + chrono::Duration::minutes(1));
        let again = put(&t, &wang, &level, body("f1", [3, 3, 3], Some("一般"))).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.body, first.body);
        // The same key with another body is refused, and changes nothing.
        let reused = put(&t, &wang, &level, body("f1", [5, 5, 5], Some("一般"))).await;
        assert_eq!((reused.status, reused.code()), (StatusCode::UNPROCESSABLE_ENTITY, "client_id_reused".into()));
        let ended = result_level(&t, &wang, "ended").await;
        let elsewhere = put(&t, &wang, &ended, body("f1", [3, 3, 3], Some("一般"))).await;
        assert_eq!(elsewhere.code(), "client_id_reused");

        // An edit (a new key) replaces the feedback: still one for the level.
        let edit = put(&t, &wang, &level, body("f2", [5, 4, 4], None)).await;
        assert_eq!(edit.status, StatusCode::OK, "{}", edit.text());
        let list = t.get_as("/api/v1/feedback", &wang).await.json();
        let list = list["feedback"].as_array().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0], edit.json());
        assert!(list[0].get("comment").is_none(), "the edit cleared the comment");

        // The first request arriving late (a lost answer, a second tab) does not undo the edit.
        let late = put(&t, &wang, &level, body("f1", [3, 3, 3], Some("一般"))).await;
        assert_eq!(late.status, StatusCode::OK);
        assert_eq!(late.json(), edit.json());
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback WHERE student_no = 'TJ2024001'")
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        assert_eq!(count, 1);

        // Two tabs sending one new request at once: one write, one answer for both.
        let (a, b2) = tokio::join!(
            put(&t, &wang, &level, body("f3", [4, 4, 4], None)),
            put(&t, &wang, &level, body("f3", [4, 4, 4], None)),
        );
        assert_eq!((a.status, b2.status), (StatusCode::OK, StatusCode::OK), "{} {}", a.text(), b2.text());
        assert_eq!(a.body, b2.body);
    }
}

on_both! {
    async fn ratings_and_comments_are_checked_with_the_core_rules(b) {
        let t = TestApp::on(b).await;
        let wang = t.login("TJ2024001").await;
        let level = result_level(&t, &wang, "publicized").await;
        let code = |res: &Res| (res.status, res.code());
        let unprocessable = |c: &str| (StatusCode::UNPROCESSABLE_ENTITY, c.to_string());
        let bad_request = |c: &str| (StatusCode::BAD_REQUEST, c.to_string());

        for (ratings, dimension) in [([0, 3, 3], "content quality"), ([3, 6, 3], "recognition"), ([3, 3, 9], "learned")] {
            let res = put(&t, &wang, &level, body("r", ratings, None)).await;
            assert_eq!(code(&res), unprocessable("rating_out_of_range"));
            assert!(res.json()["error"]["message"].as_str().unwrap().contains(dimension), "{}", res.text());
            assert!(res.json()["error"]["message_zh"].as_str().unwrap().contains("1 至 5"));
        }
        let long = "很".repeat(501);
        let res = put(&t, &wang, &level, body("c1", [3, 3, 3], Some(&long))).await;
        assert_eq!(code(&res), unprocessable("comment_too_long"));
        assert!(res.json()["error"]["message_zh"].as_str().unwrap().contains("501"));
        for bad in ["a\tb", "a\r\nb", "\u{1b}[2J"] {
            let res = put(&t, &wang, &level, body("c2", [3, 3, 3], Some(bad))).await;
            assert_eq!(code(&res), unprocessable("comment_invalid"), "{bad:?}");
        }
        // A NUL is refused like a NUL in any request text, before the comment rules run.
        let res = put(&t, &wang, &level, body("c2", [3, 3, 3], Some("a\u{0}b"))).await;
        assert_eq!(code(&res), bad_request("invalid_body"));
        // Exactly 500 characters and line breaks are fine; a blank comment is none.
        let res = put(&t, &wang, &level, body("c3", [3, 3, 3], Some(&"好".repeat(500)))).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let res = put(&t, &wang, &level, body("c4", [3, 3, 3], Some("第一行\n第二行"))).await;
        assert_eq!(res.json()["comment"], "第一行\n第二行");
        let res = put(&t, &wang, &level, body("c5", [3, 3, 3], Some(" \n "))).await;
        assert!(res.json().get("comment").is_none());
        let mut null = body("c6", [3, 3, 3], None);
        null["comment"] = Value::Null;
        assert_eq!(put(&t, &wang, &level, null).await.status, StatusCode::OK);

        // Shapes the schema refuses are 400s.
        let mut extra = body("e1", [3, 3, 3], None);
        extra["ratings"]["overall"] = json!(5);
        assert_eq!(code(&put(&t, &wang, &level, extra).await), bad_request("invalid_body"));
        let mut big = body("e2", [3, 3, 3], None);
        big["ratings"]["content_quality"] = json!(300);
        assert_eq!(code(&put(&t, &wang, &level, big).await), bad_request("invalid_body"));
        assert_eq!(code(&put(&t, &wang, &level, body("bad id", [3, 3, 3], None)).await), bad_request("invalid_body"));
        let wrong_level = (level.0.clone(), "初级".to_string());
        let res = t.call(Method::PUT, &format!("/api/v1/feedback/{}/expert", level.0), Some(&wang), Some(body("e3", [3, 3, 3], None))).await;
        assert_eq!(code(&res), bad_request("invalid_path"));
        let res = t.call(Method::PUT, &format!("/api/v1/feedback/{}/{}", level.0, "%E5%88%9D%E7%BA%A7"), Some(&wang), Some(body("e4", [3, 3, 3], None))).await;
        assert_eq!(code(&res), bad_request("invalid_path"), "{wrong_level:?}: one spelling per URL");
        let long_id = ("c".repeat(129), level.1.clone());
        assert_eq!(code(&put(&t, &wang, &long_id, body("e5", [3, 3, 3], None)).await), bad_request("invalid_path"));
    }
}

on_both! {
    async fn aggregates_show_from_the_fifth_answer_with_exact_means(b) {
        let t = TestApp::on(b).await;
        let wang = t.login("TJ2024001").await;
        let publicized = result_level(&t, &wang, "publicized").await;
        let ended = result_level(&t, &wang, "ended").await;
        assert_ne!(publicized.0, ended.0, "the demo's two levels are different certificates");

        // Five demo raters: shown, with their means in tenths.
        let aggs = aggregates(&t, &publicized.0).await;
        assert_eq!(aggs["min_respondents"], 5);
        assert_eq!(
            shown(&aggs, &publicized.1),
            Some(json!({"count": 5, "content_quality": 42, "social_recognition": 44, "learning_effect": 38}))
        );
        // Four answers: the level is not listed at all, count included.
        let aggs = aggregates(&t, &ended.0).await;
        assert_eq!(aggs, json!({"certificate_id": ended.0, "min_respondents": 5, "levels": []}));

        // 王晓明's is the fifth: content (4+3+4+5+5)/5 = 4.2, jobs (3+3+4+4+5)/5 = 3.8,
        // organisation (4+4+5+5+5)/5 = 4.6.
        let res = put(&t, &wang, &ended, body("w1", [5, 5, 5], Some("私下的话"))).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let aggs = aggregates(&t, &ended.0).await;
        assert_eq!(
            shown(&aggs, &ended.1),
            Some(json!({"count": 5, "content_quality": 42, "social_recognition": 38, "learning_effect": 46}))
        );
        // An edit moves the means but not the count; no comment or student ever appears.
        put(&t, &wang, &ended, body("w2", [1, 5, 5], None)).await;
        let res = t.get(&format!("/api/v1/feedback/aggregates?certificate_id={}", ended.0)).await;
        let text = res.text();
        assert_eq!(
            shown(&res.json(), &ended.1),
            Some(json!({"count": 5, "content_quality": 34, "social_recognition": 38, "learning_effect": 46}))
        );
        for secret in ["私下的话", "TJ20", "comment", "student"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }

        // Unknown certificates and missing parameters.
        let res = t.get("/api/v1/feedback/aggregates?certificate_id=no-such").await;
        assert_eq!((res.status, res.code()), (StatusCode::NOT_FOUND, "certificate_not_found".into()));
        for q in ["", "?certificate_id=", "?certificate_id=x&certificate_id=y"] {
            let res = t.get(&format!("/api/v1/feedback/aggregates{q}")).await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST, "{q}: {}", res.text());
        }
    }
}

on_both! {
    async fn the_admin_export_has_every_feedback_and_no_student(b) {
        let t = TestApp::on(b).await;
        let wang = t.login("TJ2024001").await;
        let level = result_level(&t, &wang, "publicized").await;
        let res = put(&t, &wang, &level, body("x1", [4, 4, 4], Some("=HYPERLINK(\"http://x\",\"点我\")"))).await;
        assert_eq!(res.status, StatusCode::OK);
        let path = "/api/v1/admin/export/feedback.csv";

        assert_eq!(t.get(path).await.status, StatusCode::UNAUTHORIZED);
        let res = t.get_as(path, &wang).await;
        assert_eq!((res.status, res.code()), (StatusCode::FORBIDDEN, "admin_only".into()));

        let admin = t.admin_token().await;
        let res = t.get_as(path, &admin).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.header("content-type"), "text/csv; charset=utf-8");
        assert_eq!(res.header("cache-control"), "no-store");
        assert!(res.header("content-disposition").contains("feedback.csv"));
        assert!(res.body.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
        let text = std::str::from_utf8(&res.body[3..]).unwrap();
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(header, kaozheng_server::feedback::EXPORT_COLUMNS.map(str::to_string));
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        // Eight demo raters, 张伟 and 王晓明.
        assert_eq!(rows.len(), 10);
        assert!(rows.iter().any(|r| &r[6] == "'=HYPERLINK(\"http://x\",\"点我\")"), "formula defused");
        assert!(rows.iter().any(|r| r[1].ends_with("职业技能等级证书")), "certificate names");
        for student in ["TJ2024001", "TJ2024003", "TJ2023101", "王晓明", "张伟", "赵一鸣", "demo-fb", "x1"] {
            assert!(!text.contains(student), "{student} in the export");
        }
    }
}

/// The app on another allowed origin (a school's mobile site) may send feedback: the CORS
/// preflight allows PUT.
#[tokio::test]
async fn cross_origin_feedback_is_allowed_for_configured_origins() {
    let t = TestApp::on_with(super::support::Backend::Sqlite, |c| {
        c.cors_origins = vec!["https://m.example.edu.cn".into()];
    })
    .await;
    let preflight = axum::http::Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/v1/feedback/c1/primary")
        .header("origin", "https://m.example.edu.cn")
        .header("access-control-request-method", "PUT")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .body(axum::body::Body::empty())
        .unwrap();
    let res = t.send(preflight).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.header("access-control-allow-origin"),
        "https://m.example.edu.cn"
    );
    assert!(
        res.header("access-control-allow-methods").contains("PUT"),
        "{:?}",
        res.headers
    );
}
