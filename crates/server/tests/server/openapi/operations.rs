//! Every operation through its main outcomes, each real answer checked against the status and
//! schema the document gives it.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::super::support::{self, TestApp};
use super::{assert_documented, assert_valid, document, validator};

/// Every endpoint through its main outcomes, each response checked against its operation's
/// documented status and schema.
#[tokio::test]
async fn every_operation_answers_as_documented() {
    let t = TestApp::new().await;
    let doc = document();
    let check = |method: Method, path: &'static str, res: support::Res| {
        assert_documented(&doc, &method, path, &res);
        res
    };
    let login = |no: &str, pw: &str| {
        t.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"student_no": no, "password": pw})),
        )
    };
    let pw = kaozheng_server::demo::PASSWORD;
    let session = check(
        Method::POST,
        "/api/v1/auth/login",
        login("TJ2024001", pw).await,
    );
    let token = session.json()["token"].as_str().unwrap().to_string();
    check(
        Method::POST,
        "/api/v1/auth/login",
        login("TJ2024001", "wrong-password").await,
    );
    for _ in 0..5 {
        login("TJ2024005", "wrong-password").await;
    }
    let limited = check(
        Method::POST,
        "/api/v1/auth/login",
        login("TJ2024005", "x").await,
    );
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    check(
        Method::POST,
        "/api/v1/auth/embed",
        t.call(
            Method::POST,
            "/api/v1/auth/embed",
            None,
            Some(json!({"assertion": "x.y.z"})),
        )
        .await,
    );
    check(
        Method::GET,
        "/api/v1/me",
        t.get_as("/api/v1/me", &token).await,
    );
    check(
        Method::GET,
        "/api/v1/rules/fees",
        t.get("/api/v1/rules/fees").await,
    );
    let set = check(Method::GET, "/api/v1/rules", t.get("/api/v1/rules").await);
    let tag = set.header("etag").to_string();
    let unchanged = t
        .get_with("/api/v1/rules", &[("if-none-match", tag.as_str())])
        .await;
    assert_eq!(
        check(Method::GET, "/api/v1/rules", unchanged).status,
        StatusCode::NOT_MODIFIED
    );

    let reg = |client: &str, plan: &str| {
        t.post_as(
            "/api/v1/registrations",
            &token,
            json!({"client_id": client, "plan_id": plan}),
        )
    };
    let path = "/api/v1/registrations";
    let created = check(Method::POST, path, reg("c1", "demo-bim-primary").await);
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(
        check(Method::POST, path, reg("c1", "demo-bim-primary").await).status,
        StatusCode::OK
    );
    for (client, plan, status) in [
        ("c1", "demo-bim-advanced", StatusCode::UNPROCESSABLE_ENTITY),
        ("c2", "demo-bim-advanced", StatusCode::CONFLICT),
        // A level below one held is advice, not a refusal; the exam clashes.
        ("c3", "demo-web-frontend-primary", StatusCode::CONFLICT),
        // Seed 004: a 中职 student may register for 高级.
        ("c4", "demo-web-frontend-advanced", StatusCode::CREATED),
        ("c5", "demo-bim-intermediate", StatusCode::FORBIDDEN),
        ("c6", "demo-logistics-advanced", StatusCode::FORBIDDEN),
        ("c7", "demo-logistics-intermediate", StatusCode::FORBIDDEN),
        ("c8", "no-such-plan", StatusCode::NOT_FOUND),
    ] {
        let res = check(Method::POST, path, reg(client, plan).await);
        assert_eq!(res.status, status, "{plan}: {}", res.text());
    }
    check(
        Method::POST,
        path,
        t.post_as(path, &token, json!({"client_id": "", "plan_id": "x"}))
            .await,
    );
    // A clash on its own (李静 has no certificate in the way).
    let li = t.login("TJ2024002").await;
    let ok = t
        .post_as(
            path,
            &li,
            json!({"client_id": "l1", "plan_id": "demo-web-frontend-primary"}),
        )
        .await;
    assert_eq!(check(Method::POST, path, ok).status, StatusCode::CREATED);
    let clash = t
        .post_as(
            path,
            &li,
            json!({"client_id": "l2", "plan_id": "demo-sensor-network-primary"}),
        )
        .await;
    assert_eq!(
        check(Method::POST, path, clash).status,
        StatusCode::CONFLICT
    );
    check(Method::GET, path, t.get_as(path, &token).await);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let del = "/api/v1/registrations/{id}";
    check(
        Method::DELETE,
        del,
        t.delete_as(&format!("/api/v1/registrations/{id}"), &token)
            .await,
    );
    check(
        Method::DELETE,
        del,
        t.delete_as("/api/v1/registrations/demo-reg-wang-ended", &token)
            .await,
    );
    check(
        Method::DELETE,
        del,
        t.delete_as("/api/v1/registrations/nope", &token).await,
    );
    check(
        Method::GET,
        "/api/v1/results",
        t.get_as("/api/v1/results", &token).await,
    );
    let credits = check(
        Method::GET,
        "/api/v1/credits",
        t.get_as("/api/v1/credits", &token).await,
    );
    assert_eq!(credits.status, StatusCode::OK, "{}", credits.text());
    let chen = t.login("HA2024001").await;
    let none = check(
        Method::GET,
        "/api/v1/credits",
        t.get_as("/api/v1/credits", &chen).await,
    );
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    for path in ["/api/v1/rules/grades", "/api/v1/rules/credits"] {
        let res = check(Method::GET, path, t.get(path).await);
        let etag = res.header("etag").to_string();
        let again = t.get_with(path, &[("if-none-match", etag.as_str())]).await;
        assert_eq!(
            check(Method::GET, path, again).status,
            StatusCode::NOT_MODIFIED
        );
    }
    check(
        Method::GET,
        "/api/v1/rules/grades",
        t.get("/api/v1/rules/grades?province=%E6%B2%B3%E5%8D%97")
            .await,
    );
    let verify = "/api/v1/tickets/verify";
    let ticket = created.json()["ticket_no"].as_str().unwrap().to_string();
    let ticket_check = created.json()["ticket_check"].as_str().unwrap().to_string();
    for (check_code, valid) in [(ticket_check.as_str(), true), ("0000000000", false)] {
        let res = check(
            Method::GET,
            verify,
            t.get(&format!("{verify}?ticket_no={ticket}&check={check_code}"))
                .await,
        );
        assert_eq!(res.json()["valid"], valid);
    }
    check(
        Method::GET,
        verify,
        t.get(&format!("{verify}?ticket_no={ticket}")).await,
    );

    let admin = t.admin_token().await;
    let import = "/api/v1/admin/import/{kind}";
    check(
        Method::POST,
        import,
        t.import(
            &admin,
            "sites",
            "text/csv",
            "id,name,province,city,address\ns1,考点,河南,郑州,某路\n",
        )
        .await,
    );
    check(
        Method::POST,
        import,
        t.import(&admin, "sites", "text/csv", "id,name\n").await,
    );
    check(
        Method::POST,
        import,
        t.import(&admin, "grades", "text/csv", "a\n").await,
    );
    check(
        Method::POST,
        import,
        t.import(&admin, "sites", "text/plain", "a\n").await,
    );
    check(
        Method::POST,
        import,
        t.import(&token, "sites", "text/csv", "a\n").await,
    );
    check(
        Method::GET,
        "/api/v1/me",
        t.get_as("/api/v1/me", &admin).await,
    );

    let out = check(
        Method::POST,
        "/api/v1/auth/logout",
        t.call(Method::POST, "/api/v1/auth/logout", Some(&token), None)
            .await,
    );
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    check(
        Method::GET,
        "/api/v1/me",
        t.get_as("/api/v1/me", &token).await,
    );
}

#[tokio::test]
async fn the_embed_config_answers_as_documented() {
    let t = support::TestApp::on_with(support::Backend::Sqlite, |c| {
        c.frame_ancestors = vec![
            "http://127.0.0.1:8081/portal".into(),
            "http://[::1]:80".into(),
        ];
        c.portals = kaozheng_server::auth::embed::parse_portals(
            r#"[{"iss": "p", "secret": "0123456789abcdef0123456789abcdef", "aud": "k",
                 "origins": ["https://portal.example.edu.cn"]}]"#,
        )
        .unwrap();
    })
    .await;
    let doc = document();
    let path = "/api/v1/embed/config";
    let res = t.get(path).await;
    assert_documented(&doc, &Method::GET, path, &res);
    let body = res.json();
    assert_eq!(
        body["portal_origins"].as_array().unwrap().len(),
        3,
        "{body}"
    );
    assert_valid(&doc, "EmbedConfig", &body);
    let documented = &doc["paths"][path]["get"]["responses"]["200"]["headers"]["Cache-Control"];
    let header = doc
        .pointer(&documented["$ref"].as_str().unwrap()[1..])
        .unwrap();
    assert_eq!(header["schema"]["const"], res.header("cache-control"));

    let v = validator(&doc, "EmbedConfig");
    for drifted in [
        json!({"portal_origins": ["https://portal.example.edu.cn/"]}),
        json!({"portal_origins": ["https://portal.example.edu.cn/app"]}),
        json!({"portal_origins": ["HTTPS://portal.example.edu.cn"]}),
        json!({"portal_origins": ["https://*.example.edu.cn"]}),
        json!({"portal_origins": ["https://a.example", "https://a.example"]}),
        json!({"portal_origins": ["https://a.example"], "secret": "x"}),
        json!({}),
    ] {
        assert!(!v.is_valid(&drifted), "{drifted} accepted");
    }
}

/// Graduation rules, certificate verification and feedback: every outcome as documented, and the
/// new shapes strict enough to catch drift.
#[tokio::test]
async fn graduation_verification_and_feedback_answer_as_documented() {
    let t = TestApp::new().await;
    let doc = document();
    let check = |method: Method, path: &'static str, res: support::Res| {
        assert_documented(&doc, &method, path, &res);
        res
    };
    let rules = check(
        Method::GET,
        "/api/v1/rules/graduation",
        t.get("/api/v1/rules/graduation").await,
    );
    assert_valid(&doc, "GraduationRules", &rules.json());
    let etag = rules.header("etag").to_string();
    let again = t
        .get_with(
            "/api/v1/rules/graduation",
            &[("if-none-match", etag.as_str())],
        )
        .await;
    assert_eq!(
        check(Method::GET, "/api/v1/rules/graduation", again).status,
        StatusCode::NOT_MODIFIED
    );

    let wang = t.login("TJ2024001").await;
    let me = t.get_as("/api/v1/me", &wang).await.json();
    assert!(me["graduation_on"].is_string(), "{me}");
    assert_valid(&doc, "Student", &me);
    let results = t.get_as("/api/v1/results", &wang).await.json();
    assert_valid(&doc, "ResultList", &results);
    let cert = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["certificate_check"].is_string())
        .unwrap()
        .clone();
    let published = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["state"] == "publicized")
        .unwrap()
        .clone();

    let verify = "/api/v1/certificates/verify";
    let no = cert["certificate_no"].as_str().unwrap();
    for (query, status) in [
        (
            format!(
                "no={no}&check={}",
                cert["certificate_check"].as_str().unwrap()
            ),
            StatusCode::OK,
        ),
        (format!("no={no}&check=0000000000"), StatusCode::OK),
        (
            format!("no={no}&name=%E7%8E%8B%E6%99%93%E6%98%8E"),
            StatusCode::OK,
        ),
        (format!("no={no}"), StatusCode::BAD_REQUEST),
    ] {
        let res = check(
            Method::GET,
            verify,
            t.get(&format!("{verify}?{query}")).await,
        );
        assert_eq!(res.status, status, "{query}");
        if status == StatusCode::OK {
            assert_valid(&doc, "CertificateVerification", &res.json());
        }
    }

    let put = "/api/v1/feedback/{certificate_id}/{level}";
    let uri = format!(
        "/api/v1/feedback/{}/{}",
        published["certificate_id"].as_str().unwrap(),
        published["level"].as_str().unwrap()
    );
    let body = |client: &str, rating: u8| {
        json!({"client_id": client, "ratings": {"content_quality": rating, "social_recognition": 4,
            "learning_effect": 4}, "comment": "好"})
    };
    for (token, body, status) in [
        (Some(wang.as_str()), body("f1", 5), StatusCode::OK),
        (Some(wang.as_str()), body("f1", 5), StatusCode::OK),
        (
            Some(wang.as_str()),
            body("f1", 4),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Some(wang.as_str()),
            body("f2", 9),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Some(wang.as_str()),
            json!({"client_id": "f3"}),
            StatusCode::BAD_REQUEST,
        ),
        (None, body("f4", 5), StatusCode::UNAUTHORIZED),
    ] {
        let res = check(
            Method::PUT,
            put,
            t.call(Method::PUT, &uri, token, Some(body)).await,
        );
        assert_eq!(res.status, status, "{}", res.text());
    }
    let li = t.login("TJ2024002").await;
    let refused = check(
        Method::PUT,
        put,
        t.call(Method::PUT, &uri, Some(&li), Some(body("l1", 5)))
            .await,
    );
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad_level = check(
        Method::PUT,
        put,
        t.call(
            Method::PUT,
            &format!(
                "/api/v1/feedback/{}/expert",
                published["certificate_id"].as_str().unwrap()
            ),
            Some(&wang),
            Some(body("f5", 5)),
        )
        .await,
    );
    assert_eq!(bad_level.status, StatusCode::BAD_REQUEST);
    let mine = check(
        Method::GET,
        "/api/v1/feedback",
        t.get_as("/api/v1/feedback", &wang).await,
    );
    assert_valid(&doc, "FeedbackList", &mine.json());
    let aggs = "/api/v1/feedback/aggregates";
    for (query, status) in [
        (
            format!(
                "certificate_id={}",
                published["certificate_id"].as_str().unwrap()
            ),
            StatusCode::OK,
        ),
        ("certificate_id=nope".to_string(), StatusCode::NOT_FOUND),
        (String::new(), StatusCode::BAD_REQUEST),
    ] {
        let res = check(Method::GET, aggs, t.get(&format!("{aggs}?{query}")).await);
        assert_eq!(res.status, status, "{query}");
    }
    let shown = t
        .get(&format!(
            "{aggs}?certificate_id={}",
            published["certificate_id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(shown["levels"][0]["aggregate"]["count"], 6, "{shown}");
    assert_valid(&doc, "CertificateAggregates", &shown);

    // The export is CSV: its status and content type are documented, and the errors as JSON.
    let export = "/api/v1/admin/export/feedback.csv";
    let admin = t.admin_token().await;
    let res = t.get_as(export, &admin).await;
    assert_eq!(res.status, StatusCode::OK);
    let op = &doc["paths"][export]["get"]["responses"]["200"];
    assert!(op["content"]["text/csv"].is_object());
    assert!(res.header("content-type").starts_with("text/csv"));
    assert_eq!(
        op["headers"]["Cache-Control"]["schema"]["const"],
        res.header("cache-control")
    );
    for token in [None, Some(wang.as_str())] {
        check(
            Method::GET,
            export,
            t.call(Method::GET, export, token, None).await,
        );
    }

    // Drift.
    let verification = validator(&doc, "CertificateVerification");
    assert!(verification.is_valid(&json!({"valid": false})));
    assert!(!verification.is_valid(&json!({"valid": false, "holder": "王**"})));
    assert!(!verification.is_valid(&json!({"valid": true, "certificate_no": no})));
    let aggregate = validator(&doc, "Aggregate");
    assert!(aggregate.is_valid(
        &json!({"count": 5, "content_quality": 42, "social_recognition": 10, "learning_effect": 50})
    ));
    assert!(
        !aggregate.is_valid(
            &json!({"count": 4, "content_quality": 42, "social_recognition": 40, "learning_effect": 40})
        ),
        "an aggregate of four answers accepted"
    );
    let mut leaky = shown.clone();
    leaky["levels"][0]["aggregate"]["comments"] = json!(["好"]);
    assert!(!validator(&doc, "CertificateAggregates").is_valid(&leaky));
    let mut lone_check = cert.clone();
    lone_check.as_object_mut().unwrap().remove("certificate_no");
    assert!(!validator(&doc, "ExamResult").is_valid(&lone_check));
    let mut bad_check = cert.clone();
    bad_check["certificate_check"] = json!("ILOU000000");
    assert!(!validator(&doc, "ExamResult").is_valid(&bad_check));
    let request = validator(&doc, "FeedbackRequest");
    assert!(request.is_valid(&body("x", 3)));
    assert!(!request.is_valid(&body("x", 6)));
    let mut tab = body("x", 3);
    tab["comment"] = json!("a\tb");
    assert!(!request.is_valid(&tab), "a control character accepted");
    tab["comment"] = json!("a\nb");
    assert!(request.is_valid(&tab), "a line break refused");
    let level = validator(&doc, "LevelInfo");
    assert!(
        level.is_valid(&json!({"level": "primary", "standard_url": "https://e.example/s.pdf"}))
    );
    assert!(
        !level.is_valid(&json!({"level": "primary", "standard_url": "http://e.example/s.pdf"}))
    );
}
