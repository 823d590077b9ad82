//! The school's side: a roster exported, filled in and imported back as results, published and
//! seen by the student; staff scoped to their school for imports, exports and plans; phase moves
//! by the core's rules; staff sign-in, sessions and limits; scoped admin tokens.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::{Duration, TimeZone, Utc};
use kaozheng_server::auth::staff::Scope;
use kaozheng_server::demo::people::{HENAN_SCHOOL, TIANJIN_SCHOOL};
use serde_json::{Value, json};

use super::harness::{RATE_LIMIT_TABLES, diff, dump_except};
use super::support::{Res, TestApp, now};
use crate::on_both;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An admin token scoped to `school` (`None`: the province).
pub async fn token_for(t: &TestApp, school: Option<&str>) -> String {
    let scope = school.map_or(Scope::Province, |s| Scope::School(s.into()));
    kaozheng_server::staff::accounts::admin_token(
        &t.state.db,
        "school-tests",
        &scope,
        t.clock.now(),
    )
    .await
    .unwrap()
}

/// Signs a demo staff account in over the API.
pub async fn staff_login(t: &TestApp, username: &str) -> String {
    let res = t
        .call(
            Method::POST,
            "/api/v1/auth/staff/login",
            None,
            Some(json!({"username": username, "password": kaozheng_server::demo::PASSWORD})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()["token"].as_str().unwrap().to_string()
}

async fn get_bytes(t: &TestApp, uri: &str, token: &str) -> Res {
    t.get_as(uri, token).await
}

/// The rows of a roster CSV (BOM stripped) as maps.
pub fn roster_rows(res: &Res) -> Vec<BTreeMap<String, String>> {
    assert_eq!(
        res.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&res.body)
    );
    let text = std::str::from_utf8(&res.body).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("the roster starts with a BOM");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The CSV text of rows in the roster's column order.
pub fn roster_csv(rows: &[BTreeMap<String, String>]) -> String {
    let columns: Vec<&str> = kaozheng_server::roster::COLUMNS
        .iter()
        .map(|c| c.0)
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&columns).unwrap();
    for r in rows {
        w.write_record(columns.iter().map(|c| r.get(*c).map_or("", String::as_str)))
            .unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

async fn move_plan(t: &TestApp, token: &str, id: &str, step: &str) -> Res {
    t.post_as(
        &format!("/api/v1/admin/plans/{id}/phase"),
        token,
        json!({"move": step}),
    )
    .await
}

async fn results_count(t: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM results")
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap()
}

/// A plan CSV row at the Tianjin demo site (its school: 示例职业技术学院), for the certificate level
/// and fee of a Tianjin demo plan (Tianjin sets one fee per certificate level).
async fn tianjin_plan_csv(t: &TestApp, id: &str, phase: &str, times: [&str; 4]) -> String {
    let plan = kaozheng_server::db::plans::list(&t.state.db.pool, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.site_id == "demo-site-tianjin")
        .unwrap();
    format!(
        "id,name,certificate_id,level,province,site_id,phase,window_opens_at,window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen\n\
         {id},往返测试计划,{},{},天津,demo-site-tianjin,{phase},{},{},{},{},30,{}\n",
        plan.certificate_id,
        plan.level.as_str(),
        times[0],
        times[1],
        times[2],
        times[3],
        plan.fee_fen
    )
}

async fn listed(t: &TestApp, id: &str) -> bool {
    t.get("/api/v1/plans").await.json()["plans"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == id)
}

/// A student's results on one plan.
async fn own(t: &TestApp, token: &str, plan: &str) -> Vec<Value> {
    t.get_as("/api/v1/results", token).await.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["plan_id"] == plan)
        .cloned()
        .collect()
}

fn china(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> chrono::DateTime<Utc> {
    kaozheng_core::time::china()
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .with_timezone(&Utc)
}

on_both! {
    /// The whole exam session without a command line: a school's staff import and publish a plan,
    /// students register, staff close registration, export the roster, fill in the results and
    /// import them back (checked first, then applied), start scoring and publicize; the student
    /// sees the result only then. The filled roster imports again unchanged; a workbook does too.
    async fn an_exam_session_runs_from_plan_to_published_result(b) {
        let t = TestApp::on(b).await;
        let school = token_for(&t, Some(TIANJIN_SCHOOL)).await;
        let plan_csv = tianjin_plan_csv(&t, "rt-plan", "draft", ["2026-11-20 09:00", "2026-11-30 17:00", "2026-12-05 09:00", "2026-12-05 11:00"]).await;
        let res = t.import(&school, "plans", "text/csv", plan_csv).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert!(!listed(&t, "rt-plan").await, "a draft is not listed to students");
        let res = move_plan(&t, &school, "rt-plan", "publish").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(res.json()["state"], "open");
        assert_eq!(res.json()["moves"], json!(["close"]));
        assert!(listed(&t, "rt-plan").await);

        let li = t.login("TJ2024002").await;
        let liu = t.login("TJ2024004").await;
        let zhang = t.login("TJ2024003").await;
        for (who, tok) in [("li", &li), ("liu", &liu), ("zhang", &zhang)] {
            let res = t.post_as("/api/v1/registrations", tok, json!({"client_id": format!("rt-{who}"), "plan_id": "rt-plan"})).await;
            assert_eq!(res.status, StatusCode::CREATED, "{who}: {}", res.text());
        }
        let zhang_reg = t.get_as("/api/v1/registrations", &zhang).await.json()["registrations"]
            .as_array().unwrap().iter().find(|r| r["plan_id"] == "rt-plan").unwrap()["id"].as_str().unwrap().to_string();
        assert_eq!(t.delete_as(&format!("/api/v1/registrations/{zhang_reg}"), &zhang).await.status, StatusCode::OK);

        let res = move_plan(&t, &school, "rt-plan", "close").await;
        assert_eq!(res.json()["state"], "closed", "{}", res.text());
        let late = t.post_as("/api/v1/registrations", &zhang, json!({"client_id": "rt-late", "plan_id": "rt-plan"})).await;
        assert_eq!(late.code(), "window_closed", "closed now, not at the planned end");

        // The roster: two confirmed rows by default, the cancelled one on request.
        let roster = get_bytes(&t, "/api/v1/admin/export/registrations?plan_id=rt-plan", &school).await;
        assert_eq!(roster.header("content-type"), "text/csv; charset=utf-8");
        assert_eq!(roster.header("content-disposition"), "attachment; filename=\"roster-rt-plan.csv\"");
        assert_eq!(roster.header("cache-control"), "no-store");
        assert!(String::from_utf8_lossy(&roster.body).contains("\r\n"), "CRLF line ends");
        let rows = roster_rows(&roster);
        let students: Vec<&str> = rows.iter().map(|r| r["student_no"].as_str()).collect();
        assert_eq!(rows.len(), 2, "{students:?}");
        assert!(students.contains(&"TJ2024002") && students.contains(&"TJ2024004"));
        for r in &rows {
            assert_eq!(r["school"], TIANJIN_SCHOOL);
            assert_eq!(r["site_id"], "demo-site-tianjin");
            assert_eq!(r["exam_starts_at"], "2026-12-05 09:00");
            assert_eq!(r["status"], "有效");
            assert!(!r["payer"].is_empty() && !r["fee_reason"].is_empty() && !r["registered_at"].is_empty());
            // The check code is the ticket's own: an exam site's scan accepts it.
            let v = t.get(&format!("/api/v1/tickets/verify?ticket_no={}&check={}", r["ticket_no"], r["ticket_check"])).await;
            assert_eq!(v.json()["valid"], true, "{}", v.text());
        }
        let all = roster_rows(&get_bytes(&t, "/api/v1/admin/export/registrations?plan_id=rt-plan&include_cancelled=true", &school).await);
        assert_eq!(all.len(), 3);
        assert_eq!(all.iter().filter(|r| r["status"] == "已取消").count(), 1);

        // Filled in: 李静 sat the exam and passed; 刘芳 was absent (her row stays blank).
        let mut filled = rows.clone();
        for r in &mut filled {
            if r["student_no"] == "TJ2024002" {
                r.insert("theory_score".into(), "85".into());
                r.insert("theory_pass_mark".into(), "60".into());
                r.insert("practical_score".into(), "90.5".into());
                r.insert("practical_pass_mark".into(), "60".into());
                r.insert("certificate_no".into(), "RT-0001".into());
                r.insert("issued_on".into(), "2026-12-20".into());
            }
        }
        let file = roster_csv(&filled);
        let early = t.import(&school, "results", "text/csv", file.clone()).await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(early.text().contains("has not taken place"), "{}", early.text());

        t.clock.set(china(2026, 12, 5, 10, 0));
        let res = move_plan(&t, &school, "rt-plan", "score").await;
        assert_eq!(res.json()["state"], "scoring", "{}", res.text());
        assert_eq!(res.json()["awaiting_results"], 2);

        let before = results_count(&t).await;
        let dry = t.import(&school, "results?dry_run=true", "text/csv", file.clone()).await;
        assert_eq!(dry.status, StatusCode::OK, "{}", dry.text());
        assert_eq!((dry.json()["dry_run"].clone(), dry.json()["applied"].clone(), dry.json()["unchanged"].clone()), (json!(true), json!(1), json!(1)));
        assert_eq!(results_count(&t).await, before, "a dry run writes nothing");
        let res = t.import(&school, "results", "text/csv", file.clone()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!((res.json()["applied"].clone(), res.json()["unchanged"].clone()), (json!(1), json!(1)));
        assert!(res.json().get("dry_run").is_none());
        assert_eq!(results_count(&t).await, before + 1);

        assert!(own(&t, &li, "rt-plan").await.is_empty(), "scoring: not yet visible");
        let res = move_plan(&t, &school, "rt-plan", "publicize").await;
        assert_eq!(res.json()["state"], "publicized", "{}", res.text());
        let seen = own(&t, &li, "rt-plan").await;
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0]["passed"], true);
        assert_eq!(seen[0]["certificate_no"], "RT-0001");
        assert_eq!(seen[0]["modules"][1]["score"], json!(90.5));
        assert!(own(&t, &liu, "rt-plan").await.is_empty(), "no result for the absent student");

        // Exported again, the stored result is filled in, and importing it changes nothing.
        let again = roster_rows(&get_bytes(&t, "/api/v1/admin/export/registrations?plan_id=rt-plan", &school).await);
        let li_row = again.iter().find(|r| r["student_no"] == "TJ2024002").unwrap();
        assert_eq!((li_row["theory_score"].as_str(), li_row["practical_score"].as_str(), li_row["certificate_no"].as_str(), li_row["issued_on"].as_str()), ("85.00", "90.50", "RT-0001", "2026-12-20"));
        let res = t.import(&school, "results", "text/csv", roster_csv(&again)).await;
        assert_eq!((res.json()["applied"].clone(), res.json()["unchanged"].clone()), (json!(0), json!(2)), "{}", res.text());

        // A row moved to another student is refused whole.
        let mut swapped = again.clone();
        for r in &mut swapped {
            if r["student_no"] == "TJ2024002" {
                r.insert("student_no".into(), "TJ2024004".into());
            }
        }
        let res = t.import(&school, "results", "text/csv", roster_csv(&swapped)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.json()["rejected"][0]["field"], "student_no");

        // The workbook: identifiers as text, and filled in Excel it imports too (刘芳 took a
        // make-up and failed the theory module).
        let book = get_bytes(&t, "/api/v1/admin/export/registrations?plan_id=rt-plan&format=xlsx", &school).await;
        assert_eq!(book.header("content-type"), XLSX);
        assert_eq!(book.header("content-disposition"), "attachment; filename=\"roster-rt-plan.xlsx\"");
        let sheet = kaozheng_server::import::spreadsheet::to_csv(&book.body).unwrap();
        assert!(sheet.starts_with("ticket_no,ticket_check,student_no,name,"));
        let liu_row = again.iter().find(|r| r["student_no"] == "TJ2024004").unwrap();
        assert!(sheet.contains(&format!("{},{},TJ2024004,刘芳,", liu_row["ticket_no"], liu_row["ticket_check"])), "{sheet}");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["ticket_no", "student_no", "theory_score", "theory_pass_mark"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, &liu_row["ticket_no"]).unwrap();
        ws.write_string(1, 1, "TJ2024004").unwrap();
        ws.write_number(1, 2, 48.5).unwrap();
        ws.write_number(1, 3, 60).unwrap();
        let res = t.import(&school, "results", XLSX, wb.save_to_buffer().unwrap()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(res.json()["applied"], 1);
        let liu_seen = own(&t, &liu, "rt-plan").await;
        assert_eq!((liu_seen[0]["passed"].clone(), liu_seen[0]["modules"][0]["score"].clone()), (json!(false), json!(48.5)));

        let res = move_plan(&t, &school, "rt-plan", "end").await;
        assert_eq!(res.json()["state"], "ended");
        assert_eq!(res.json()["moves"], json!([]));
    }
}

on_both! {
    /// A school's staff import their own school's rows only: every other row is refused like a
    /// bad row and the whole file writes nothing; the catalog and the rules are the province's.
    async fn school_staff_import_only_their_own_rows(b) {
        let t = TestApp::on(b).await;
        let henan = token_for(&t, Some(HENAN_SCHOOL)).await;
        let ticket: String = sqlx::query_scalar("SELECT ticket_no FROM registrations WHERE student_no = 'TJ2024001' AND status = 'confirmed' ORDER BY ticket_no LIMIT 1")
            .fetch_one(&t.state.db.pool).await.unwrap();
        let before = dump_except(&t.state.db, RATE_LIMIT_TABLES).await;
        let refused: Vec<(&str, String, &str)> = vec![
            ("students", format!("student_no,name,school,school_level,province,password\nHA9,新生,{HENAN_SCHOOL},中职,河南,password-123\nTJ9,外校,{TIANJIN_SCHOOL},高职,天津,password-123\n"), "school"),
            ("students", format!("student_no,name,school,school_level,province\nTJ2024001,改名,{HENAN_SCHOOL},中职,河南\n"), "student_no"),
            ("sites", format!("id,name,province,city,address,school\nha-new,新考点,河南,郑州,某路1号,{TIANJIN_SCHOOL}\n"), "school"),
            ("sites", "id,name,province,city,address\ndemo-site-tianjin,改名考点,天津,天津,某路2号\n".to_string(), "id"),
            ("sites", "id,name,province,city,address\ndemo-site-nanjing,改名考点,江苏,南京,某路3号\n".to_string(), "id"),
            ("sites", "id,name,province,city,address,school\ndemo-site-zhengzhou,示例职业技术学院考点,河南,郑州,郑州市示例区演示路1号（虚构地址，仅供演示）,\n".to_string(), "school"),
            ("plans", tianjin_plan_csv(&t, "ha-plan", "draft", ["2026-11-20 09:00", "2026-11-30 17:00", "2026-12-05 09:00", "2026-12-05 11:00"]).await, "site_id"),
        ];
        for (kind, file, field) in &refused {
            let res = t.import(&henan, kind, "text/csv", file.clone()).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}: {}", res.text());
            let fields: Vec<String> = res.json()["rejected"].as_array().unwrap().iter().filter_map(|r| r["field"].as_str().map(str::to_string)).collect();
            assert!(fields.iter().any(|f| f == field), "{kind}: {fields:?} in {}", res.text());
        }
        // Another school's plan is not moved to our site, and another school's ticket is not ours.
        let tianjin_plan = kaozheng_server::db::plans::list(&t.state.db.pool, &Default::default()).await.unwrap().into_iter().find(|p| p.site_id == "demo-site-tianjin").unwrap();
        let moved = format!(
            "id,name,certificate_id,level,province,site_id,phase,window_opens_at,window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen\n{},{},{},{},河南,demo-site-zhengzhou,draft,2026-11-20 09:00,2026-11-30 17:00,2026-12-05 09:00,2026-12-05 11:00,{},{}\n",
            tianjin_plan.id, tianjin_plan.name, tianjin_plan.certificate_id, tianjin_plan.level.as_str(), tianjin_plan.capacity, tianjin_plan.fee_fen
        );
        let res = t.import(&henan, "plans", "text/csv", moved).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
        assert_eq!(res.json()["rejected"][0]["field"], "id");
        let res = t.import(&henan, "results", "text/csv", format!("ticket_no,theory_score,theory_pass_mark\n{ticket},99,60\n")).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        let rejected = &res.json()["rejected"];
        assert_eq!(rejected.as_array().unwrap().len(), 1, "nothing more about another school's ticket: {rejected}");
        assert_eq!(rejected[0]["field"], "ticket_no");
        assert!(rejected[0]["reason"].as_str().unwrap().contains("another school"));
        for kind in ["catalog", "rules"] {
            let res = t.import(&henan, kind, "application/json", "{}").await;
            assert_eq!((res.status, res.code().as_str()), (StatusCode::FORBIDDEN, "province_only"), "{kind}");
        }
        let after = dump_except(&t.state.db, RATE_LIMIT_TABLES).await;
        assert!(before == after, "a refused file changed {:#?}", diff(&before, &after));

        // Its own rows go in: a new site becomes the school's without a school column, then a
        // plan at it and a student of the school.
        let res = t.import(&henan, "sites", "text/csv", "id,name,province,city,address\nha-site,河南新考点,河南,郑州,某路9号\n").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let schools = kaozheng_server::db::staff::site_schools(&t.state.db.pool).await.unwrap();
        assert_eq!(schools.get("ha-site").map(String::as_str), Some(HENAN_SCHOOL));
        let res = t.import(&henan, "students", "text/csv", format!("student_no,name,school,school_level,province,password\nHA9,新生,{HENAN_SCHOOL},中职,河南,password-123\n")).await;
        assert_eq!(res.json()["applied"], 1, "{}", res.text());
        // The same sites file without the column keeps the school (backward compatible).
        let res = t.import(&henan, "sites", "text/csv", "id,name,province,city,address\nha-site,河南新考点,河南,郑州,某路9号\n").await;
        assert_eq!((res.json()["applied"].clone(), res.json()["unchanged"].clone()), (json!(0), json!(1)));

        // The province gives a site to a school, and takes it back with an empty cell.
        let province = t.admin_token().await;
        let res = t.import(&province, "sites", "text/csv", "id,name,province,city,address,school\ndemo-site-nanjing,示例技师学院考点,江苏,南京,南京市示例区范例路20号（虚构地址，仅供演示）,江苏示例学校\n").await;
        assert_eq!(res.json()["applied"], 1, "{}", res.text());
        let schools = kaozheng_server::db::staff::site_schools(&t.state.db.pool).await.unwrap();
        assert_eq!(schools.get("demo-site-nanjing").map(String::as_str), Some("江苏示例学校"));
        let res = t.import(&province, "sites", "text/csv", "id,name,province,city,address,school\ndemo-site-nanjing,示例技师学院考点,江苏,南京,南京市示例区范例路20号（虚构地址，仅供演示）,\n").await;
        assert_eq!(res.json()["applied"], 1, "{}", res.text());
        assert!(!kaozheng_server::db::staff::site_schools(&t.state.db.pool).await.unwrap().contains_key("demo-site-nanjing"));
    }
}

on_both! {
    /// Plans and rosters by reach: a school's staff see the plans at their sites (which they
    /// move) and the plans their students registered for elsewhere (which they do not), and
    /// export their own students only.
    async fn school_staff_see_their_plans_and_their_students_only(b) {
        let t = TestApp::on(b).await;
        let tianjin = staff_login(&t, "demo-tianjin").await;
        let henan = staff_login(&t, "demo-henan").await;
        let province = staff_login(&t, "demo-province").await;
        let me = t.get_as("/api/v1/admin/me", &tianjin).await.json();
        assert_eq!(me, json!({"name": "demo-tianjin", "role": "school", "school": TIANJIN_SCHOOL}));
        assert_eq!(t.get_as("/api/v1/admin/me", &province).await.json(), json!({"name": "demo-province", "role": "province"}));

        let list = |tok: String| {
            let t = &t;
            async move { t.get_as("/api/v1/admin/plans", &tok).await.json()["plans"].as_array().unwrap().clone() }
        };
        let all = list(province.clone()).await;
        let total = kaozheng_server::db::plans::count(&t.state.db.pool).await.unwrap();
        assert_eq!(all.len() as i64, total, "the province sees every plan, drafts too");
        assert!(all.iter().all(|p| p["managed"] == true));
        let tj = list(tianjin.clone()).await;
        assert!(tj.len() < all.len());
        let wang = t.login("TJ2024001").await;
        let wang_plans: Vec<String> = t.get_as("/api/v1/registrations", &wang).await.json()["registrations"].as_array().unwrap().iter().map(|r| r["plan_id"].as_str().unwrap().to_string()).collect();
        for p in &tj {
            let at_home = p["site_id"] == "demo-site-tianjin";
            assert_eq!(p["managed"], at_home, "{p}");
            if !at_home {
                assert_eq!(p["moves"], json!([]), "not moved by a school that does not run its site");
            }
        }
        for id in &wang_plans {
            assert!(tj.iter().any(|p| p["id"] == *id), "the plans its students took are listed: {id}");
        }
        assert!(list(henan.clone()).await.iter().all(|p| !wang_plans.contains(&p["id"].as_str().unwrap().to_string()) || p["site_id"] == "demo-site-zhengzhou"));

        // Another school's plan cannot be moved.
        let plan_csv = tianjin_plan_csv(&t, "tj-draft", "draft", ["2026-11-20 09:00", "2026-11-30 17:00", "2026-12-05 09:00", "2026-12-05 11:00"]).await;
        assert_eq!(t.import(&province, "plans", "text/csv", plan_csv).await.status, StatusCode::OK);
        let tj = list(tianjin.clone()).await;
        let draft = tj.iter().find(|p| p["id"] == "tj-draft").unwrap();
        assert_eq!((draft["managed"].clone(), draft["moves"].clone()), (json!(true), json!(["publish"])));
        let draft = "tj-draft".to_string();
        let res = move_plan(&t, &henan, &draft, "publish").await;
        assert_eq!((res.status, res.code().as_str()), (StatusCode::FORBIDDEN, "out_of_scope"));
        assert_eq!(kaozheng_server::db::plans::get(&t.state.db.pool, &draft).await.unwrap().unwrap().phase, kaozheng_core::PlanPhase::Draft);

        // Rosters: 王晓明's plan lists him to his school and the province, never to Henan.
        let plan = &wang_plans[0];
        let uri = format!("/api/v1/admin/export/registrations?plan_id={plan}&include_cancelled=true");
        let p_rows = roster_rows(&t.get_as(&uri, &province).await);
        let tj_rows = roster_rows(&t.get_as(&uri, &tianjin).await);
        let ha = t.get_as(&uri, &henan).await;
        assert!(p_rows.iter().any(|r| r["student_no"] == "TJ2024001"));
        assert!(tj_rows.iter().any(|r| r["student_no"] == "TJ2024001"));
        assert!(tj_rows.iter().all(|r| r["school"] == TIANJIN_SCHOOL));
        assert!(p_rows.len() >= tj_rows.len());
        assert!(roster_rows(&ha).is_empty());
        assert!(!String::from_utf8_lossy(&ha.body).contains("王晓明"));
        // The whole roster of a school is its students', every plan.
        let everything = roster_rows(&t.get_as("/api/v1/admin/export/registrations?include_cancelled=true", &tianjin).await);
        let mine: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registrations r JOIN students s ON s.student_no = r.student_no WHERE s.school = $1")
            .bind(TIANJIN_SCHOOL).fetch_one(&t.state.db.pool).await.unwrap();
        assert_eq!(everything.len() as i64, mine);
        let res = t.get_as("/api/v1/admin/export/registrations?plan_id=no-such-plan", &tianjin).await;
        assert_eq!(res.code(), "plan_not_found");
        for bad in ["format=pdf", "exam_starts_at=tomorrow", "include_cancelled=maybe", "unknown=1"] {
            let res = t.get_as(&format!("/api/v1/admin/export/registrations?{bad}"), &tianjin).await;
            assert_eq!((res.status, res.code().as_str()), (StatusCode::BAD_REQUEST, "invalid_query"), "{bad}");
        }
        // A session: the plans of one exam start.
        let first = &all[0];
        let at = first["exam_starts_at"].as_str().unwrap();
        let session = roster_rows(&t.get_as(&format!("/api/v1/admin/export/registrations?exam_starts_at={}", at.replace('+', "%2B")), &province).await);
        assert!(session.iter().all(|r| all.iter().any(|p| p["id"] == r["plan_id"].as_str() && p["exam_starts_at"] == at)));

        // Feedback: a school gets its own students' (still without identity).
        let count = |school: Option<&str>| {
            let pool = t.state.db.pool.clone();
            let school = school.map(str::to_string);
            async move {
                match school {
                    None => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM feedback").fetch_one(&pool).await.unwrap(),
                    Some(s) => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM feedback f JOIN students s ON s.student_no = f.student_no WHERE s.school = $1").bind(s).fetch_one(&pool).await.unwrap(),
                }
            }
        };
        let lines = |res: Res| String::from_utf8(res.body.to_vec()).unwrap().trim_end().split("\r\n").count() as i64 - 1;
        assert_eq!(lines(t.get_as("/api/v1/admin/export/feedback.csv", &province).await), count(None).await);
        let tj_feedback = lines(t.get_as("/api/v1/admin/export/feedback.csv", &tianjin).await);
        assert_eq!(tj_feedback, count(Some(TIANJIN_SCHOOL)).await);
        assert_eq!(lines(t.get_as("/api/v1/admin/export/feedback.csv", &henan).await), count(Some(HENAN_SCHOOL)).await);
        assert!(tj_feedback > 0);
    }
}

on_both! {
    /// Moves follow the core's lifecycle: each from its one state, refused otherwise with the
    /// plan's state; two moves of one plan at once make one.
    async fn phase_moves_follow_the_lifecycle_and_race_to_one(b) {
        let t = TestApp::on(b).await;
        let province = t.admin_token().await;
        let plan_csv = tianjin_plan_csv(&t, "ph-plan", "draft", ["2026-11-20 09:00", "2026-11-30 17:00", "2026-12-05 09:00", "2026-12-05 11:00"]).await;
        assert_eq!(t.import(&province, "plans", "text/csv", plan_csv).await.status, StatusCode::OK);
        for step in ["close", "score", "publicize", "end"] {
            let res = move_plan(&t, &province, "ph-plan", step).await;
            assert_eq!((res.status, res.code().as_str()), (StatusCode::CONFLICT, "phase_move_refused"), "{step}");
            assert!(res.json()["error"]["message"].as_str().unwrap().contains("this one is draft"));
        }
        assert_eq!(move_plan(&t, &province, "ph-plan", "publish").await.status, StatusCode::OK);
        assert_eq!(move_plan(&t, &province, "ph-plan", "publish").await.status, StatusCode::CONFLICT);
        assert_eq!(move_plan(&t, &province, "ph-plan", "score").await.code(), "phase_move_refused", "not before the exam");
        assert_eq!(move_plan(&t, &province, "no-such", "publish").await.code(), "plan_not_found");
        let bad = move_plan(&t, &province, "ph-plan", "scoring").await;
        assert_eq!((bad.status, bad.code().as_str()), (StatusCode::BAD_REQUEST, "invalid_body"));

        t.clock.set(china(2026, 12, 5, 9, 30));
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let app = t.app.clone();
                let province = province.clone();
                tokio::spawn(async move {
                    let req = Request::post("/api/v1/admin/plans/ph-plan/phase")
                        .header("authorization", format!("Bearer {province}"))
                        .header("content-type", "application/json")
                        .body(Body::from(r#"{"move":"score"}"#))
                        .unwrap();
                    tower::ServiceExt::oneshot(app, req).await.unwrap().status()
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap().as_u16());
        }
        statuses.sort();
        assert_eq!(statuses, vec![200, 409], "one move, one refusal");
        let plan = kaozheng_server::db::plans::get(&t.state.db.pool, "ph-plan").await.unwrap().unwrap();
        assert_eq!(plan.phase, kaozheng_core::PlanPhase::Scoring);
    }
}

on_both! {
    /// Staff sign in like students: argon2 hashes, the same limits per account and address,
    /// sessions that expire and end at sign-out or when the account is disabled.
    async fn staff_sessions_are_hashed_limited_and_end(b) {
        let t = TestApp::on(b).await;
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM staff WHERE username = 'demo-tianjin'").fetch_one(&t.state.db.pool).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        let login = |user: &str, pw: &str| {
            let body = json!({"username": user, "password": pw});
            let t = &t;
            async move { t.call(Method::POST, "/api/v1/auth/staff/login", None, Some(body)).await }
        };
        assert_eq!(login("demo-tianjin", "wrong-password").await.code(), "invalid_credentials");
        assert_eq!(login("nobody", "wrong-password").await.code(), "invalid_credentials");
        for _ in 0..4 {
            assert_eq!(login("demo-tianjin", "wrong-password").await.status, StatusCode::UNAUTHORIZED);
        }
        let locked = login("demo-tianjin", kaozheng_server::demo::PASSWORD).await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(locked.header("retry-after").parse::<i64>().unwrap() > 0);
        t.clock.set(now() + Duration::minutes(16));
        let ok = login("demo-tianjin", kaozheng_server::demo::PASSWORD).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
        let session = ok.json();
        assert_eq!(session["staff"], json!({"name": "demo-tianjin", "role": "school", "school": TIANJIN_SCHOOL}));
        let token = session["token"].as_str().unwrap().to_string();
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_sessions WHERE token_hash = $1").bind(&token).fetch_one(&t.state.db.pool).await.unwrap();
        assert_eq!(stored, 0, "only the token's digest is stored");
        assert_eq!(t.get_as("/api/v1/admin/plans", &token).await.status, StatusCode::OK);
        // A staff session is never a student.
        assert_eq!(t.get_as("/api/v1/me", &token).await.code(), "student_only");
        // Expiry after 12 hours.
        t.clock.set(now() + Duration::minutes(16) + Duration::hours(12));
        assert_eq!(t.get_as("/api/v1/admin/plans", &token).await.code(), "session_expired");
        // Sign-out ends it; an admin token is no session to sign out.
        let token = staff_login(&t, "demo-henan").await;
        assert_eq!(t.call(Method::POST, "/api/v1/auth/staff/logout", Some(&token), None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(t.get_as("/api/v1/admin/plans", &token).await.code(), "unauthorized");
        let admin = t.admin_token().await;
        assert_eq!(t.call(Method::POST, "/api/v1/auth/staff/logout", Some(&admin), None).await.code(), "staff_session_only");
        // A disabled account signs in no more, and its sessions end.
        let token = staff_login(&t, "demo-shanxi").await;
        let ended = kaozheng_server::staff::accounts::disable(&t.state.db, "demo-shanxi", t.clock.now()).await.unwrap();
        assert_eq!(ended, 1);
        assert_eq!(t.get_as("/api/v1/admin/plans", &token).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(login("demo-shanxi", kaozheng_server::demo::PASSWORD).await.code(), "invalid_credentials");
        // A new password ends the sessions too.
        let token = staff_login(&t, "demo-province").await;
        kaozheng_server::staff::accounts::set_password(&t.state.db, &t.state.auth.passwords, "demo-province", "another-password-1", t.clock.now()).await.unwrap();
        assert_eq!(t.get_as("/api/v1/admin/plans", &token).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(login("demo-province", "another-password-1").await.status, StatusCode::OK);
    }
}

on_both! {
    /// A database from before roles (migrations 1–7) upgrades in place: its admin tokens are the
    /// province's and keep working, its sites belong to no school, and staff tables are there.
    async fn a_database_from_before_roles_upgrades_with_province_tokens(b) {
        use kaozheng_server::db::{self, Db};
        use sqlx::Executor;
        let dir = tempfile::tempdir().unwrap();
        let pg = match b {
            crate::server::support::Backend::Sqlite => None,
            crate::server::support::Backend::Postgres => Some(crate::server::support::PgDatabase::create().await),
        };
        let url = match &pg {
            Some(p) => p.url.clone(),
            None => db::sqlite_url(&dir.path().join("k.sqlite3")).unwrap(),
        };
        let database = Db::connect(&url).await.unwrap();
        let mut old = db::migrator(database.backend);
        old.migrations = old.migrations.iter().filter(|m| m.version <= 7).cloned().collect::<Vec<_>>().into();
        old.run(&database.pool).await.unwrap();
        let token = kaozheng_server::auth::tokens::new_token();
        let hash = kaozheng_server::auth::tokens::token_hash(&token);
        database.pool.execute(format!("INSERT INTO admin_tokens (id, name, token_hash, created_at) VALUES ('adm-1', 'ops', '{hash}', 1)").as_str()).await.unwrap();
        database.pool.execute("INSERT INTO sites (id, name, province, city, address) VALUES ('s1', '考点', '河南', '郑州', '地址')").await.unwrap();

        database.migrate().await.unwrap();

        assert_eq!(
            db::staff::admin_token(&database.pool, &hash).await.unwrap(),
            Some(("ops".to_string(), Scope::Province)),
            "a token made before roles keeps its global rights"
        );
        assert!(db::staff::site_schools(&database.pool).await.unwrap().is_empty());
        let staff: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff").fetch_one(&database.pool).await.unwrap();
        assert_eq!(staff, 0);
        // The checks hold: a school role needs a school; an unknown role is refused.
        assert!(database.pool.execute("INSERT INTO staff (username, name, role, password_hash, created_at) VALUES ('x', 'x', 'school', 'h', 1)").await.is_err());
        assert!(database.pool.execute("UPDATE admin_tokens SET role = 'teacher'").await.is_err());
        database.migrate().await.unwrap();
        database.pool.close().await;
        drop(pg);
    }
}

/// The CLI: staff accounts (password on stdin, never an argument), scoped admin tokens, the
/// roster export in both formats and a phase move, on the database `serve` would use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_makes_staff_and_tokens_exports_rosters_and_moves_plans() {
    use std::io::Write;
    use std::process::Stdio;

    use super::harness::{DbTarget, command};
    let t = TestApp::new().await;
    let dir = t.dir.path().join("var");
    let db = DbTarget::Sqlite(dir.clone());
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut c = command();
        c.args(args).args(db.args()).env("RUST_LOG", "warn");
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(s) = stdin {
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    };
    let cheap = ["--argon2-memory-kib", "64", "--argon2-iterations", "1"];
    let mut add = vec![
        "staff",
        "add",
        "--username",
        "tj-office",
        "--name",
        "教务处",
        "--role",
        "school",
        "--school",
        TIANJIN_SCHOOL,
    ];
    add.extend(cheap);
    let out = run(&add, Some("a-long-password\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&add, Some("a-long-password\n"));
    assert!(!out.status.success(), "the same username twice");
    let mut bad = vec![
        "staff",
        "add",
        "--username",
        "x",
        "--name",
        "x",
        "--role",
        "school",
    ];
    bad.extend(cheap);
    assert!(
        !run(&bad, Some("a-long-password\n")).status.success(),
        "a school role needs --school"
    );
    let listed = String::from_utf8(run(&["staff", "list"], None).stdout).unwrap();
    assert!(
        listed.contains(&format!(
            "tj-office\t教务处\tschool {TIANJIN_SCHOOL}\tactive"
        )),
        "{listed}"
    );
    assert!(!listed.contains("a-long-password"));
    // The account signs in with the password given on stdin.
    let res = t
        .call(
            Method::POST,
            "/api/v1/auth/staff/login",
            None,
            Some(json!({"username": "tj-office", "password": "a-long-password"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());

    let out = run(
        &[
            "admin-token",
            "create",
            "--name",
            "tj",
            "--school",
            TIANJIN_SCHOOL,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(
        t.get_as("/api/v1/admin/me", &token).await.json()["school"],
        TIANJIN_SCHOOL
    );
    let tokens = String::from_utf8(run(&["admin-token", "list"], None).stdout).unwrap();
    assert!(
        tokens.contains(&format!("\ttj\tschool {TIANJIN_SCHOOL}\t")),
        "{tokens}"
    );

    let out = run(
        &["export", "registrations", "--school", TIANJIN_SCHOOL],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let api = t.get_as("/api/v1/admin/export/registrations", &token).await;
    assert_eq!(
        out.stdout,
        api.body.to_vec(),
        "the CLI writes what the API serves"
    );
    assert!(
        !run(&["export", "registrations", "--format", "xlsx"], None)
            .status
            .success(),
        "a workbook needs --output"
    );
    let file = t.dir.path().join("roster.xlsx");
    let out = run(
        &[
            "export",
            "registrations",
            "--format",
            "xlsx",
            "--output",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success());
    let csv = kaozheng_server::import::spreadsheet::to_csv(&std::fs::read(&file).unwrap()).unwrap();
    assert!(csv.lines().count() > 1 && csv.starts_with("ticket_no,"));

    let plan_csv = tianjin_plan_csv(
        &t,
        "cli-plan",
        "draft",
        [
            "2026-11-20 09:00",
            "2026-11-30 17:00",
            "2026-12-05 09:00",
            "2026-12-05 11:00",
        ],
    )
    .await;
    assert_eq!(
        t.import(&t.admin_token().await, "plans", "text/csv", plan_csv)
            .await
            .status,
        StatusCode::OK
    );
    let out = run(&["plan", "move", "cli-plan", "close"], None);
    assert!(!out.status.success(), "a draft is not closed");
    assert!(String::from_utf8_lossy(&out.stderr).contains("this one is draft"));
    let out = run(&["plan", "move", "cli-plan", "publish"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let phase = kaozheng_server::db::plans::get(&t.state.db.pool, "cli-plan")
        .await
        .unwrap()
        .unwrap()
        .phase;
    assert_eq!(phase, kaozheng_core::PlanPhase::Published);

    let out = run(&["staff", "disable", "tj-office"], None);
    assert!(out.status.success());
    let res = t
        .call(
            Method::POST,
            "/api/v1/auth/staff/login",
            None,
            Some(json!({"username": "tj-office", "password": "a-long-password"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

/// Real answers of the school's endpoints validate against the document's schemas.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_school_endpoints_answer_as_documented() {
    let doc: Value = kaozheng_api::openapi::document();
    let check = |name: &str, instance: &Value| {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": format!("#/components/schemas/{name}"),
            "components": doc["components"],
        });
        let v = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let errors: Vec<String> = v.iter_errors(instance).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:#?} in {instance}");
    };
    let t = TestApp::new().await;
    let login = t
        .call(
            Method::POST,
            "/api/v1/auth/staff/login",
            None,
            Some(json!({"username": "demo-tianjin", "password": kaozheng_server::demo::PASSWORD})),
        )
        .await;
    check("StaffSession", &login.json());
    let token = login.json()["token"].as_str().unwrap().to_string();
    check(
        "StaffIdentity",
        &t.get_as("/api/v1/admin/me", &token).await.json(),
    );
    let plans = t.get_as("/api/v1/admin/plans", &token).await.json();
    check("StaffPlanList", &plans);
    assert!(
        plans["plans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["site_school"].is_null()),
        "a plan elsewhere"
    );
    let province = t.admin_token().await;
    let plan_csv = tianjin_plan_csv(
        &t,
        "doc-plan",
        "draft",
        [
            "2026-11-20 09:00",
            "2026-11-30 17:00",
            "2026-12-05 09:00",
            "2026-12-05 11:00",
        ],
    )
    .await;
    let dry = t
        .import(
            &province,
            "plans?dry_run=true",
            "text/csv",
            plan_csv.clone(),
        )
        .await;
    check("ImportReport", &dry.json());
    assert_eq!(dry.json()["dry_run"], true);
    assert_eq!(
        t.import(&province, "plans", "text/csv", plan_csv)
            .await
            .status,
        StatusCode::OK
    );
    let moved = move_plan(&t, &token, "doc-plan", "publish").await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    check("StaffPlan", &moved.json());
    let refused = move_plan(&t, &token, "doc-plan", "publish").await;
    check("Error", &refused.json());
    let henan = staff_login(&t, "demo-henan").await;
    check(
        "Error",
        &move_plan(&t, &henan, "doc-plan", "close").await.json(),
    );
}
