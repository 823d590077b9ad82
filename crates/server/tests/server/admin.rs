//! Administrator imports over HTTP and from the command line: every kind in CSV and JSON,
//! re-imports that change nothing, and broken files that change nothing either.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{Res, TestApp};
use crate::on_both;

const SITES_CSV: &str = "id,name,province,city,address\n\
    s-kaifeng,开封示例考点,河南,开封,开封市示例路1号（虚构）\n\
    s-luoyang,洛阳示例考点,河南,洛阳,洛阳市示例路2号（虚构）\n";

const PLANS_CSV: &str = "id,name,certificate_id,level,province,site_id,phase,window_opens_at,window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen\n\
    p-kf-1,2026年12月BIM（初级）考试,bim,初级,河南,s-kaifeng,published,2026-11-01 09:00,2026-12-01 17:00,2026-12-12 09:00,2026-12-12 11:00,60,28000\n\
    p-kf-2,2026年12月物流管理（中级）考试,logistics,intermediate,河南,s-kaifeng,draft,2026-12-01T09:00:00+08:00,2026-12-10T17:00:00+08:00,2026-12-20T09:00:00+08:00,2026-12-20T11:30:00+08:00,40,32000\n";

fn report(res: &Res) -> Value {
    res.json()
}

fn counts(res: &Res) -> (u64, u64, u64, usize) {
    let v = res.json();
    (
        v["total"].as_u64().unwrap(),
        v["applied"].as_u64().unwrap(),
        v["unchanged"].as_u64().unwrap(),
        v["rejected"].as_array().unwrap().len(),
    )
}

/// `(row, field)` of every rejection.
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

async fn count(t: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap()
}

on_both! {
    async fn sites_and_plans_import_from_csv_and_json_and_reimport_unchanged(b) {
        let t = TestApp::on(b).await;
        let admin = t.admin_token().await;
        let res = t.import(&admin, "sites", "text/csv; charset=utf-8", SITES_CSV).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(counts(&res), (2, 2, 0, 0));
        assert_eq!(report(&res)["kind"], "sites");
        let again = t.import(&admin, "sites", "text/csv", SITES_CSV).await;
        assert_eq!(counts(&again), (2, 0, 2, 0));

        // The same sites as JSON (the API's shape) are unchanged too; a changed one is applied.
        let mut sites: Vec<Value> = t.get("/api/v1/sites").await.json()["sites"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["id"].as_str().unwrap().starts_with("s-"))
            .cloned()
            .collect();
        sites[0]["address"] = json!("开封市示例路9号（虚构）");
        let res = t.import(&admin, "sites", "application/json", serde_json::to_vec(&sites).unwrap()).await;
        assert_eq!(counts(&res), (2, 1, 1, 0));

        let res = t.import(&admin, "plans", "text/csv", PLANS_CSV).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(counts(&res), (2, 2, 0, 0));
        let again = t.import(&admin, "plans", "text/csv", PLANS_CSV).await;
        assert_eq!(counts(&again), (2, 0, 2, 0));
        let listed = t.get("/api/v1/plans?province=%E6%B2%B3%E5%8D%97").await.json();
        let p1 = listed["plans"].as_array().unwrap().iter().find(|p| p["id"] == "p-kf-1").unwrap().clone();
        assert_eq!(p1["state"], "open");
        assert_eq!(p1["level"], "primary");
        assert_eq!(p1["exam_starts_at"], "2026-12-12T09:00:00+08:00");
        assert_eq!(p1["seats_left"], 60);
        assert!(
            !listed["plans"].as_array().unwrap().iter().any(|p| p["id"] == "p-kf-2"),
            "drafts are not listed"
        );
        // GET /plans output imports back unchanged (seats_left and state are ignored).
        let res = t.import(&admin, "plans", "application/json", serde_json::to_vec(&json!([p1])).unwrap()).await;
        assert_eq!(counts(&res), (1, 0, 1, 0), "{}", res.text());
    }
}

on_both! {
    async fn students_import_with_hashed_initial_passwords(b) {
        let t = TestApp::on(b).await;
        let admin = t.admin_token().await;
        let csv = "student_no,name,school,school_level,major,province,hardship,password\n\
            S2025001,赵一,示例职业技术学院,高职,软件技术,天津,否,first-pass-1\n\
            S2025002,钱二,示例职业技术学院,secondary,,天津,是,first-pass-2\n";
        let res = t.import(&admin, "students", "text/csv", csv).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(counts(&res), (2, 2, 0, 0));
        assert!(!res.text().contains("first-pass"), "the report never echoes passwords");
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM students WHERE student_no = 'S2025002'")
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$") && !hash.contains("first-pass"));

        let login = t
            .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"student_no": "S2025002", "password": "first-pass-2"})))
            .await;
        assert_eq!(login.status, StatusCode::OK);
        assert_eq!(login.json()["student"]["hardship"], true);
        assert_eq!(login.json()["student"]["school_level"], "secondary");

        // Again: unchanged, and the password is not reset by a different one in the file.
        let changed = csv.replace("first-pass-2", "other-pass-2");
        let again = t.import(&admin, "students", "text/csv", changed).await;
        assert_eq!(counts(&again), (2, 0, 2, 0));
        let still = t
            .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"student_no": "S2025002", "password": "first-pass-2"})))
            .await;
        assert_eq!(still.status, StatusCode::OK);

        // JSON in the API's Student shape; a profile change is applied.
        let json_rows = json!([{
            "student_no": "S2025001", "name": "赵一", "school": "示例职业技术学院",
            "school_level": "higher", "major": "大数据技术", "province": "天津", "hardship": false
        }]);
        let res = t.import(&admin, "students", "application/json", serde_json::to_vec(&json_rows).unwrap()).await;
        assert_eq!(counts(&res), (1, 1, 0, 0), "{}", res.text());

        // A new student without a password, or with a short one, is rejected.
        let bad = "student_no,name,school,school_level,province,password\n\
            S2025003,孙三,示例职业技术学院,本科,天津,\n\
            S2025004,李四,示例职业技术学院,本科,天津,short\n";
        let res = t.import(&admin, "students", "text/csv", bad).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(rejected(&res), vec![(2, Some("password".into())), (3, Some("password".into()))]);
        assert!(!res.text().contains("short\""));
    }
}

on_both! {
    /// Passed courses: `;`-separated in CSV, an array in JSON; checked, sorted and deduplicated;
    /// replaced when the file has them, kept when it does not.
    async fn students_import_their_passed_courses(b) {
        let t = TestApp::on(b).await;
        let admin = t.admin_token().await;
        let courses = |v: &Value| v["passed_courses"].clone();
        let csv = "student_no,name,school,school_level,province,passed_courses,password\n\
            S2025001,赵一,示例职业技术学院,高职,天津, YJ101;JZ201 ;YJ101,first-pass-1\n\
            S2025002,钱二,示例职业技术学院,高职,天津,,first-pass-2\n";
        let res = t.import(&admin, "students", "text/csv", csv).await;
        assert_eq!(counts(&res), (2, 2, 0, 0), "{}", res.text());
        let zhao = t.session_for("S2025001").await;
        assert_eq!(courses(&t.get_as("/api/v1/me", &zhao).await.json()), json!(["JZ201", "YJ101"]));
        let qian = t.session_for("S2025002").await;
        let me = t.get_as("/api/v1/me", &qian).await.json();
        assert!(me.get("passed_courses").is_none(), "absent when none: {me}");

        // The same codes in another order are unchanged; a roster without the column keeps them.
        let reordered = "student_no,name,school,school_level,province,passed_courses\n\
            S2025001,赵一,示例职业技术学院,高职,天津,JZ201;YJ101\n";
        assert_eq!(counts(&t.import(&admin, "students", "text/csv", reordered).await), (1, 0, 1, 0));
        let roster = "student_no,name,school,school_level,province\n\
            S2025001,赵一,示例职业技术学院,高职,天津\n";
        assert_eq!(counts(&t.import(&admin, "students", "text/csv", roster).await), (1, 0, 1, 0));
        assert_eq!(courses(&t.get_as("/api/v1/me", &zhao).await.json()), json!(["JZ201", "YJ101"]));

        // JSON replaces them; an empty array clears them.
        let rows = |codes: Value| json!([{
            "student_no": "S2025001", "name": "赵一", "school": "示例职业技术学院",
            "school_level": "higher", "province": "天津", "hardship": false, "passed_courses": codes
        }]);
        let res = t.import(&admin, "students", "application/json", serde_json::to_vec(&rows(json!(["JQ201"]))).unwrap()).await;
        assert_eq!(counts(&res), (1, 1, 0, 0), "{}", res.text());
        assert_eq!(courses(&t.get_as("/api/v1/me", &zhao).await.json()), json!(["JQ201"]));
        let res = t.import(&admin, "students", "application/json", serde_json::to_vec(&rows(json!([]))).unwrap()).await;
        assert_eq!(counts(&res), (1, 1, 0, 0), "{}", res.text());
        assert!(t.get_as("/api/v1/me", &zhao).await.json().get("passed_courses").is_none());

        // Empty codes, formula starts and separators inside a JSON code are refused, all at once.
        let bad = "student_no,name,school,school_level,province,passed_courses\n\
            S2025001,赵一,示例职业技术学院,高职,天津,YJ101;;JZ201\n\
            S2025002,钱二,示例职业技术学院,高职,天津,=HYPERLINK(\"x\")\n";
        let res = t.import(&admin, "students", "text/csv", bad).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(rejected(&res), vec![(2, Some("passed_courses".into())), (3, Some("passed_courses".into()))]);
        let res = t.import(&admin, "students", "application/json", serde_json::to_vec(&rows(json!(["A;B", " "]))).unwrap()).await;
        assert_eq!(rejected(&res), vec![(1, Some("passed_courses".into())), (1, Some("passed_courses".into()))]);
        let res = t.import(&admin, "students", "application/json", serde_json::to_vec(&rows(json!("A;B"))).unwrap()).await;
        assert_eq!(rejected(&res), vec![(1, Some("passed_courses".into()))]);
        assert!(t.get_as("/api/v1/me", &zhao).await.json().get("passed_courses").is_none(), "nothing written");
    }
}

on_both! {
    async fn catalog_and_rules_documents_import_and_reimport_unchanged(b) {
        let t = TestApp::on(b).await;
        let admin = t.admin_token().await;
        let mut catalog = crate::server::support::fixture_catalog();
        let same = t.import(&admin, "catalog", "application/json", catalog.to_json()).await;
        assert_eq!(counts(&same), (1, 0, 1, 0), "{}", same.text());
        catalog.version = "school-2026-12".into();
        catalog.certificates[0].description = Some("学校导入的说明".into());
        let res = t.import(&admin, "catalog", "application/json", catalog.to_json()).await;
        assert_eq!(counts(&res), (1, 1, 0, 0), "{}", res.text());
        assert_eq!(t.get("/api/v1/catalog").await.header("etag"), "W/\"school-2026-12\"");
        // Dropping a certificate that plans use is refused as a whole.
        let mut dropped = catalog.clone();
        dropped.version = "school-2026-13".into();
        dropped.certificates.retain(|c| c.id != "bim");
        let res = t.import(&admin, "catalog", "application/json", dropped.to_json()).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.json()["rejected"][0]["reason"].as_str().unwrap().contains("bim"));
        assert_eq!(t.get("/api/v1/catalog").await.header("etag"), "W/\"school-2026-12\"");

        // Fee rules: a new version applies and is served; the same again is unchanged; the same
        // version with other content is refused.
        let mut fees = t.get("/api/v1/rules/fees").await.json();
        let res = t.import(&admin, "rules", "application/json", serde_json::to_vec(&fees).unwrap()).await;
        assert_eq!(counts(&res), (1, 0, 1, 0), "{}", res.text());
        fees["version"] = json!("school-fees-2");
        // Tianjin's funded exam dropped from the rules (say a later notice replaced it).
        fees["policies"].as_array_mut().unwrap().retain(|p| p["id"] != "tianjin-2021-pilot-exam");
        let res = t.import(&admin, "rules", "application/json", serde_json::to_vec(&fees).unwrap()).await;
        assert_eq!(counts(&res), (1, 1, 0, 0), "{}", res.text());
        let served = t.get("/api/v1/rules/fees").await;
        assert_eq!(served.header("etag"), "W/\"school-fees-2\"");
        assert!(served.json()["policies"].as_array().unwrap().iter().all(|p| p["id"] != "tianjin-2021-pilot-exam"));
        let again = t.import(&admin, "rules", "application/json", serde_json::to_vec(&fees).unwrap()).await;
        assert_eq!(counts(&again), (1, 0, 1, 0));
        fees["policies"][0]["effective_from"] = json!("2024-01-01");
        let clash = t.import(&admin, "rules", "application/json", serde_json::to_vec(&fees).unwrap()).await;
        assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(rejected(&clash), vec![(0, Some("version".into()))]);

        // The rules decide the next registration's payer: no funded exam in Tianjin now.
        let li = t.login("TJ2024002").await;
        let reg = t.post_as("/api/v1/registrations", &li, json!({"client_id": "c1", "plan_id": "demo-sensor-network-intermediate"})).await;
        assert_eq!(reg.json()["fee"]["payer"], "student", "{}", reg.text());
        assert_eq!(reg.json()["fee"]["reason"], "standard", "{}", reg.text());

        // Fee rules as CSV, with the kind told by the query; a full province name is stored as its code.
        let csv = "version,id,province,effective_from,rule,citation_title,citation_issuer,citation_quote\n\
            csv-3,tj,天津市,2021-12-31,pilot_exam_covered,示例文件,示例教育厅,保障试点学生至少参与一个证书的考核\n";
        let req = axum::http::Request::post("/api/v1/admin/import/rules?kind=fees")
            .header("authorization", format!("Bearer {admin}"))
            .header("content-type", "text/csv")
            .body(axum::body::Body::from(csv))
            .unwrap();
        let res = t.send(req).await;
        assert_eq!(counts(&res), (1, 1, 0, 0), "{}", res.text());
        let served = t.get("/api/v1/rules/fees").await.json();
        assert_eq!(served["version"], "csv-3");
        assert_eq!(served["policies"][0]["scope"]["province"], "天津");
        let unknown = t.import(&admin, "rules", "application/json", r#"{"kind": "diplomas", "version": "1"}"#).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(rejected(&unknown), vec![(0, Some("kind".into()))]);
    }
}

on_both! {
    /// Broken files: every problem is reported with its row and field, and nothing is written.
    async fn broken_files_are_rejected_whole_with_every_reason(b) {
        let t = TestApp::on(b).await;
        let admin = t.admin_token().await;
        let sites_before = count(&t, "SELECT COUNT(*) FROM sites").await;
        let plans_before = count(&t, "SELECT COUNT(*) FROM exam_plans").await;

        // Missing and unknown columns.
        let res = t.import(&admin, "sites", "text/csv", "id,name,province,city,addr\n").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(rejected(&res), vec![(1, Some("addr".into())), (1, Some("address".into()))]);

        // Good rows next to bad ones: duplicate key, formula injection, empty field, short row.
        let csv = "id,name,province,city,address\n\
            s-ok,好考点,河南,郑州,某路1号\n\
            s-ok,重复考点,河南,郑州,某路2号\n\
            s-evil,=cmd|' /C calc'!A0,河南,郑州,某路3号\n\
            s-empty,,河南,郑州,某路4号\n\
            s-short,短行,河南\n\
            s-at,@SUM(1+1),河南,郑州,某路5号\n";
        let res = t.import(&admin, "sites", "text/csv", csv).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!((report(&res)["applied"].as_u64(), report(&res)["total"].as_u64()), (Some(0), Some(6)));
        assert_eq!(
            rejected(&res),
            vec![
                (3, Some("id".into())),
                (4, Some("name".into())),
                (5, Some("name".into())),
                (6, None),
                (7, Some("name".into())),
            ]
        );
        let reasons: Vec<String> = report(&res)["rejected"].as_array().unwrap().iter().map(|r| r["reason"].as_str().unwrap().to_string()).collect();
        assert!(reasons[0].contains("duplicate of row 2"), "{reasons:?}");
        assert!(reasons[1].contains("formula"), "{reasons:?}");
        assert_eq!(count(&t, "SELECT COUNT(*) FROM sites").await, sites_before, "all or nothing");

        // Bad enums and unknown references in plans.
        t.import(&admin, "sites", "text/csv", SITES_CSV).await;
        let plans = "id,name,certificate_id,level,province,site_id,phase,window_opens_at,window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen\n\
            p-1,计划一,bim,expert,河南,s-kaifeng,published,2026-11-01 09:00,2026-12-01 17:00,2026-12-12 09:00,2026-12-12 11:00,60,28000\n\
            p-2,计划二,bim,primary,河南,s-kaifeng,open,2026-11-01 09:00,2026-12-01 17:00,2026-12-12 09:00,2026-12-12 11:00,60,28000\n\
            p-3,计划三,no-such-cert,primary,河南,s-kaifeng,published,2026-11-01 09:00,2026-12-01 17:00,2026-12-12 09:00,2026-12-12 11:00,60,28000\n\
            p-4,计划四,bim,primary,河南,no-such-site,published,2026-11-01 09:00,2026-12-01 17:00,2026-12-12 09:00,2026-12-12 11:00,60,28000\n\
            p-5,计划五,bim,primary,天津,s-kaifeng,published,2026-11-01 09:00,2026-12-01 17:00,2026-12-12 09:00,2026-12-12 11:00,60,28000\n\
            p-6,计划六,bim,primary,河南,s-kaifeng,published,2026-12-02 09:00,2026-12-01 17:00,2026-12-12 09:00,2026-12-12 11:00,60,28000\n\
            p-7,计划七,bim,primary,河南,s-kaifeng,published,2026-11-01 09:00,2026-12-01 17:00,2026-12-12 09:00,2026-12-12 11:00,-5,28000\n\
            p-8,计划八,bim,primary,河南,s-kaifeng,published,yesterday,2026-12-01 17:00,2026-12-12 09:00,2026-12-12 11:00,60,28000\n\
            p-9,计划九,cloud-ops,primary,河南,s-kaifeng,published,2026-11-01 09:00,2026-12-01 17:00,2026-12-12 09:00,2026-12-12 11:00,60,28000\n";
        let res = t.import(&admin, "plans", "text/csv", plans).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            rejected(&res),
            vec![
                (2, Some("level".into())),
                (3, Some("phase".into())),
                (4, Some("certificate_id".into())),
                (5, Some("site_id".into())),
                (6, Some("province".into())),
                (7, Some("window_closes_at".into())),
                (8, Some("capacity".into())),
                (9, Some("window_opens_at".into())),
                (10, Some("certificate_id".into())),
            ],
            "{}",
            res.text()
        );
        assert_eq!(count(&t, "SELECT COUNT(*) FROM exam_plans").await, plans_before);

        // Not UTF-8 (GBK from a spreadsheet).
        let mut gbk = b"id,name,province,city,address\ns-gbk,".to_vec();
        gbk.extend_from_slice(&[0xbf, 0xbc, 0xb5, 0xe3]);
        gbk.extend_from_slice(b",x,y,z\n");
        let res = t.import(&admin, "sites", "text/csv", gbk).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(rejected(&res), vec![(2, None)]);
        assert!(res.text().contains("UTF-8"));

        // JSON: not an array; a record with a wrong type and one with an unknown field.
        let res = t.import(&admin, "sites", "application/json", "{\"id\": 1}").await;
        assert_eq!(rejected(&res), vec![(0, None)]);
        let res = t
            .import(
                &admin,
                "sites",
                "application/json",
                r#"[{"id":"a","name":"n","province":"天津","city":"c","address":"x"},
                    {"id":"b","name":5,"province":"天津","city":"c","address":"x"},
                    {"id":"c","name":"n","province":"天津","city":"c","address":"x","secret":1}]"#,
            )
            .await;
        assert_eq!(rejected(&res), vec![(2, Some("name".into())), (3, Some("secret".into()))]);

        // Results with an unknown ticket, a bad score and a certificate for a failed result.
        let wang_ticket: String = sqlx::query_scalar("SELECT ticket_no FROM registrations WHERE id = 'demo-reg-wang-ended'")
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        let results = format!(
            "ticket_no,theory_score,theory_pass_mark,practical_score,practical_pass_mark,certificate_no\n\
             999999999999999,80,60,80,60,\n\
             {wang_ticket},101,60,80,60,\n\
             {wang_ticket},50,60,80,60,C-1\n\
             {wang_ticket},50,,80,60,\n"
        );
        let res = t.import(&admin, "results", "text/csv", results).await;
        assert_eq!(
            rejected(&res),
            vec![
                (2, Some("ticket_no".into())),
                (3, Some("theory_score".into())),
                (4, Some("certificate_no".into())),
                (5, Some("theory_pass_mark".into())),
            ],
            "{}",
            res.text()
        );

        // Unknown kind, wrong media type, too large.
        let res = t.import(&admin, "grades", "text/csv", "a\n").await;
        assert_eq!((res.status, res.code().as_str()), (StatusCode::NOT_FOUND, "unknown_import_kind"));
        let res = t.import(&admin, "sites", "application/xml", "<a/>").await;
        assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
}

#[tokio::test]
async fn import_files_larger_than_the_limit_are_refused() {
    let t = TestApp::on_with(super::support::Backend::Sqlite, |c| {
        c.import_body_limit = 1024
    })
    .await;
    let admin = t.admin_token().await;
    let big = format!(
        "id,name,province,city,address\n{}",
        "s,n,p,c,a\n".repeat(200)
    );
    let res = t.import(&admin, "sites", "text/csv", big).await;
    assert_eq!(
        (res.status, res.code().as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    );
}

/// Kills the child on drop, so a failing assertion leaves no process behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The cheapest argon2 cost, for commands that hash passwords.
const CHEAP: [&str; 4] = ["--argon2-memory-kib", "64", "--argon2-iterations", "1"];

fn cli(args: &[&str], data_dir: &std::path::Path) -> std::process::Output {
    let hashes = matches!(args[0], "import" | "student-password");
    std::process::Command::new(env!("CARGO_BIN_EXE_kaozheng-server"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .args(if hashes { &CHEAP[..] } else { &[] })
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_command_line_makes_admin_tokens_and_imports_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("var");
    let out = cli(&["admin-token", "create", "--name", "ops"], &data);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(token.len(), 43);

    let sites = dir.path().join("sites.csv");
    std::fs::write(&sites, SITES_CSV).unwrap();
    let out = cli(&["import", "sites", sites.to_str().unwrap()], &data);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["applied"].as_u64(), report["unchanged"].as_u64()),
        (Some(2), Some(0))
    );
    let out = cli(&["import", "sites", sites.to_str().unwrap()], &data);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["applied"].as_u64(), report["unchanged"].as_u64()),
        (Some(0), Some(2))
    );

    let broken = dir.path().join("broken.csv");
    std::fs::write(&broken, "id,name\n").unwrap();
    let out = cli(&["import", "sites", broken.to_str().unwrap()], &data);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!report["rejected"].as_array().unwrap().is_empty());

    // The token works against a server on the same database; a revoked one does not.
    let clock = super::support::TestClock::at(super::support::now());
    let mut c = super::support::config(dir.path(), &clock);
    c.demo = false;
    let t = TestApp::with_config(tempfile::tempdir().unwrap(), clock, c).await;
    let res = t.import(&token, "sites", "text/csv", SITES_CSV).await;
    assert_eq!(counts(&res), (2, 0, 2, 0));
    let out = cli(&["admin-token", "revoke", "--name", "ops"], &data);
    assert!(out.status.success());
    let res = t.import(&token, "sites", "text/csv", SITES_CSV).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);

    // Password resets read the password from stdin, never from the command line.
    let students = dir.path().join("students.json");
    std::fs::write(
        &students,
        r#"[{"student_no":"S1","name":"周五","school":"示例职业技术学院","school_level":"higher","province":"天津","password":"initial-pass"}]"#,
    )
    .unwrap();
    assert!(
        cli(&["import", "students", students.to_str().unwrap()], &data)
            .status
            .success()
    );
    let mut child = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_kaozheng-server"))
            .args(["student-password", "S1"])
            .args(CHEAP)
            .arg("--data-dir")
            .arg(&data)
            .env_remove("DATABASE_URL")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    use std::io::Write;
    child
        .0
        .stdin
        .take()
        .unwrap()
        .write_all(b"renewed-pass\n")
        .unwrap();
    assert!(child.0.wait().unwrap().success());
    let login = |pw: &'static str| {
        t.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"student_no": "S1", "password": pw})),
        )
    };
    assert_eq!(login("renewed-pass").await.status, StatusCode::OK);
    assert_eq!(login("initial-pass").await.status, StatusCode::UNAUTHORIZED);
}
