//! The staff page (/staff): server-rendered forms with no script, behind a session cookie and a
//! per-session form token. A refused import changes nothing; a checked one is applied only when
//! asked; phase moves, downloads, languages, sign-out, and the app never answers for it.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use kaozheng_server::demo::people::TIANJIN_SCHOOL;

use super::harness::{RATE_LIMIT_TABLES, diff, dump_except};
use super::school::{XLSX, roster_rows};
use super::support::{Res, TestApp};
use crate::on_both;

const BOUNDARY: &str = "----KaozhengTestBoundary";

/// A signed-in browser: its cookie and the form token of its pages.
struct Browser {
    cookie: String,
    csrf: String,
}

fn form_token(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form token");
    html[at + 19..at + 19 + 32].to_string()
}

async fn sign_in(t: &TestApp, username: &str) -> Browser {
    let res = post_form(
        t,
        None,
        "/staff/login",
        &format!(
            "username={username}&password={}",
            kaozheng_server::demo::PASSWORD
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(res.header("location"), "/staff");
    let set = res.header("set-cookie");
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/staff",
        "Max-Age=43200",
    ] {
        assert!(set.contains(part), "{set}");
    }
    let cookie = set.split(';').next().unwrap().to_string();
    let page = get_page(t, Some(&cookie), "/staff").await;
    assert_eq!(page.status, StatusCode::OK);
    Browser {
        csrf: form_token(&page.text()),
        cookie,
    }
}

async fn get_page(t: &TestApp, cookie: Option<&str>, uri: &str) -> Res {
    let mut req = Request::get(uri);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    t.send(req.body(Body::empty()).unwrap()).await
}

async fn post_form(t: &TestApp, cookie: Option<&str>, uri: &str, body: &str) -> Res {
    let mut req = Request::post(uri).header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    t.send(req.body(Body::from(body.to_string())).unwrap())
        .await
}

fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        out.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

async fn upload(t: &TestApp, b: &Browser, kind: &str, name: &str, bytes: &[u8]) -> Res {
    let body = multipart(&[("csrf", &b.csrf), ("kind", kind)], Some((name, bytes)));
    let req = Request::post("/staff/import")
        .header("cookie", &b.cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    t.send(req).await
}

fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// No script and no inline style anywhere: the page keeps the server's CSP without exceptions.
fn assert_plain(res: &Res) {
    let html = res.text();
    assert!(res.header("content-type").starts_with("text/html"));
    assert_eq!(res.header("cache-control"), "no-store");
    let csp = res.header("content-security-policy");
    assert!(
        csp.contains("style-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let lower = html.to_ascii_lowercase();
    for bad in ["<script", " style=", "<style", "javascript:", " on"] {
        if bad == " on" {
            // No event handler attributes (onclick=, onload=).
            assert!(
                !lower.split('<').any(|tag| tag
                    .split('>')
                    .next()
                    .unwrap_or_default()
                    .split_whitespace()
                    .skip(1)
                    .any(|a| a.starts_with("on"))),
                "an event handler in {html}"
            );
        } else {
            assert!(!lower.contains(bad), "{bad} in {html}");
        }
    }
}

on_both! {
    /// Sign in, check a refused file (nothing changes), check a good one (nothing changes), apply
    /// it, move a plan, download its roster, sign out.
    async fn the_staff_page_runs_on_forms_alone(b) {
        let t = TestApp::on(b).await;
        let page = get_page(&t, None, "/staff").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_plain(&page);
        assert!(page.text().contains("<html lang=\"zh-CN\">"));
        assert!(page.text().contains("教务人员登录"));
        let css = get_page(&t, None, "/staff/staff.css").await;
        assert!(css.header("content-type").starts_with("text/css"));
        assert!(css.text().contains("color-scheme"));

        let wrong = post_form(&t, None, "/staff/login", "username=demo-tianjin&password=wrong-password").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.text().contains("用户名或密码错误"));
        assert!(wrong.headers.get("set-cookie").is_none());
        let evil = Request::post("/staff/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("host", "127.0.0.1:8080")
            .header("origin", "https://evil.example")
            .body(Body::from(format!("username=demo-tianjin&password={}", kaozheng_server::demo::PASSWORD)))
            .unwrap();
        let evil = t.send(evil).await;
        assert_eq!(evil.status, StatusCode::FORBIDDEN, "a sign-in posted from another site");
        assert!(evil.headers.get("set-cookie").is_none());

        let br = sign_in(&t, "demo-tianjin").await;
        let desk = get_page(&t, Some(&br.cookie), "/staff").await;
        assert_plain(&desk);
        let html = desk.text();
        assert!(html.contains(TIANJIN_SCHOOL) && html.contains("data-testid=\"plans\""));
        assert!(!html.contains("value=\"catalog\""), "a school imports no catalog");

        // A refused file: the report names the row; nothing is kept or written.
        let before = dump_except(&t.state.db, RATE_LIMIT_TABLES).await;
        let bad = format!("student_no,name,school,school_level,province,password\nNEW1,新同学,{TIANJIN_SCHOOL},高职,天津,password-123\nNEW2,外校生,河南示例中等职业学校,中职,河南,password-123\n");
        let res = upload(&t, &br, "students", "students.csv", bad.as_bytes()).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
        assert_plain(&res);
        let text = visible_text(&res.text());
        assert!(text.contains("未写入任何数据"), "{text}");
        assert!(res.text().contains("data-testid=\"rejections\""));
        assert!(text.contains(" 3 ") && text.contains("school"), "row 3, column school: {text}");
        assert!(!res.text().contains("/staff/import/apply"), "no way to apply a refused file");
        let after = dump_except(&t.state.db, RATE_LIMIT_TABLES).await;
        assert!(before == after, "a refused check changed {:#?}", diff(&before, &after));

        // A good file: checked (nothing written), then applied.
        let good = format!("student_no,name,school,school_level,province,password\nNEW1,新同学,{TIANJIN_SCHOOL},高职,天津,password-123\n");
        let res = upload(&t, &br, "students", "students.csv", good.as_bytes()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert!(res.text().contains("data-testid=\"applied\">1<"));
        assert!(kaozheng_server::db::students::get(&t.state.db.pool, "NEW1").await.unwrap().is_none(), "checked, not written");
        let html = res.text();
        let at = html.find("name=\"upload\" value=\"").unwrap() + 21;
        let id = html[at..].split('"').next().unwrap().to_string();
        let stale = post_form(&t, Some(&br.cookie), "/staff/import/apply", &format!("csrf=0123456789abcdef0123456789abcdef&upload={id}")).await;
        assert_eq!(stale.status, StatusCode::FORBIDDEN, "a wrong form token");
        let applied = post_form(&t, Some(&br.cookie), "/staff/import/apply", &format!("csrf={}&upload={id}", br.csrf)).await;
        assert_eq!(applied.status, StatusCode::OK, "{}", applied.text());
        assert!(visible_text(&applied.text()).contains("已应用"));
        assert!(kaozheng_server::db::students::get(&t.state.db.pool, "NEW1").await.unwrap().is_some());
        let again = post_form(&t, Some(&br.cookie), "/staff/import/apply", &format!("csrf={}&upload={id}", br.csrf)).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "applied once only");
        // Another staff member cannot apply this one's check.
        let res = upload(&t, &br, "students", "students.csv", format!("student_no,name,school,school_level,province,password\nNEW3,新同学三,{TIANJIN_SCHOOL},高职,天津,password-123\n").as_bytes()).await;
        let html = res.text();
        let at = html.find("name=\"upload\" value=\"").unwrap() + 21;
        let theirs = html[at..].split('"').next().unwrap().to_string();
        let other = sign_in(&t, "demo-province").await;
        let res = post_form(&t, Some(&other.cookie), "/staff/import/apply", &format!("csrf={}&upload={theirs}", other.csrf)).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);

        // A workbook uploads too.
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, v) in ["student_no", "name", "school", "school_level", "province", "password"].iter().enumerate() {
            ws.write_string(0, c as u16, *v).unwrap();
        }
        for (c, v) in ["NEW4", "表格生", TIANJIN_SCHOOL, "中职", "天津", "password-123"].iter().enumerate() {
            ws.write_string(1, c as u16, *v).unwrap();
        }
        let res = upload(&t, &br, "students", "名册.xlsx", &wb.save_to_buffer().unwrap()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert!(res.text().contains("名册.xlsx") && res.text().contains("data-testid=\"applied\">1<"));

        // A phase move: the form token and this site's origin are required; then it moves.
        let plan_csv = "id,name,certificate_id,level,province,site_id,phase,window_opens_at,window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen\n";
        let p = kaozheng_server::db::plans::list(&t.state.db.pool, &Default::default()).await.unwrap().into_iter().find(|p| p.site_id == "demo-site-tianjin").unwrap();
        let row = format!("{plan_csv}page-plan,页面计划,{},{},天津,demo-site-tianjin,draft,2026-11-20 09:00,2026-11-30 17:00,2026-12-05 09:00,2026-12-05 11:00,30,{}\n", p.certificate_id, p.level.as_str(), p.fee_fen);
        assert_eq!(t.import(&t.admin_token().await, "plans", "text/csv", row).await.status, StatusCode::OK);
        let desk = get_page(&t, Some(&br.cookie), "/staff").await.text();
        assert!(desk.contains("data-testid=\"move-page-plan\""));
        let res = post_form(&t, Some(&br.cookie), "/staff/plans/page-plan/move", "csrf=0123456789abcdef0123456789abcdef&move=publish").await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = post_form(&t, Some(&br.cookie), "/staff/plans/page-plan/move", &format!("csrf={}&move=score", br.csrf)).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "not from a draft");
        assert!(visible_text(&res.text()).contains("草稿"), "the refusal names the state");
        let res = post_form(&t, Some(&br.cookie), "/staff/plans/page-plan/move", &format!("csrf={}&move=publish", br.csrf)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
        let next = res.header("location").to_string();
        assert!(next.starts_with("/staff?moved=page%2Dplan&did=publish"), "{next}");
        let desk = get_page(&t, Some(&br.cookie), &next).await.text();
        assert!(visible_text(&desk).contains("页面计划：已发布"), "{}", visible_text(&desk));
        assert!(desk.contains("data-testid=\"state-page-plan\">报名中<"));

        // Downloads with the cookie: the roster in both formats, the feedback export.
        let csv = get_page(&t, Some(&br.cookie), "/staff/export/registrations?plan_id=&site_id=&exam_starts_at=&format=csv").await;
        assert_eq!(csv.header("content-disposition"), "attachment; filename=\"roster.csv\"");
        assert!(roster_rows(&csv).iter().all(|r| r["school"] == TIANJIN_SCHOOL));
        let xlsx = get_page(&t, Some(&br.cookie), "/staff/export/registrations?plan_id=page-plan&format=xlsx").await;
        assert_eq!(xlsx.header("content-type"), XLSX);
        let feedback = get_page(&t, Some(&br.cookie), "/staff/export/feedback.csv").await;
        assert!(feedback.text().starts_with("\u{feff}certificate_id,"));
        // Without a session: the sign-in page, never a file.
        let none = get_page(&t, None, "/staff/export/registrations?format=csv").await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED);
        assert!(none.header("content-type").starts_with("text/html"));

        // English, remembered in a cookie.
        let en = get_page(&t, Some(&br.cookie), "/staff?lang=en").await;
        assert!(en.text().contains("<html lang=\"en\">") && en.text().contains("Staff desk"));
        assert!(en.header("set-cookie").starts_with("kz_staff_lang=en"));

        // Pages under /staff that do not exist are the staff page's 404, never the students' app.
        let missing = get_page(&t, None, "/staff/no-such-page").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(!missing.text().contains("wasm"));

        // Sign-out ends the session.
        let out = post_form(&t, Some(&br.cookie), "/staff/logout", &format!("csrf={}", br.csrf)).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert!(out.header("set-cookie").contains("Max-Age=0"));
        let after = get_page(&t, Some(&br.cookie), "/staff").await;
        assert!(after.text().contains("教务人员登录"), "signed out");
        let res = upload(&t, &br, "students", "students.csv", good.as_bytes()).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
}
