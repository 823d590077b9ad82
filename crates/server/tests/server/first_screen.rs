//! The public pages' first screen rendered by the server: readable and usable as plain HTML (no
//! script runs here), with the data the app continues from embedded, the visitor's language and
//! theme, the plain shell inside a portal's iframe, and certificate verification without the app.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use kaozheng::first_screen::FirstScreen;

use super::support::{Res, TestApp};

/// index.html as Trunk writes it: a static shell the server fills with the rendered page.
const INDEX: &str = "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head><meta charset=\"utf-8\"><title>考证</title></head>\n<body>\n  <div id=\"shell\">\n    <main><h1>正在打开考证…</h1></main>\n  </div>\n</body>\n</html>\n";

async fn app() -> TestApp {
    let t = TestApp::new().await;
    std::fs::write(t.dir.path().join("dist/index.html"), INDEX).unwrap();
    t
}

/// The page's text without tags, scripts and the embedded data.
fn text(res: &Res) -> String {
    let html = res.text();
    let html = html.split("<script").next().unwrap_or_default();
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
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn embedded(res: &Res) -> FirstScreen {
    let html = res.text();
    let start = html.find("id=\"kz-first\">").expect("embedded data") + "id=\"kz-first\">".len();
    let end = html[start..].find("</script>").unwrap() + start;
    FirstScreen::from_embedded_json(&html[start..end]).expect("valid embedded data")
}

#[tokio::test]
async fn the_catalog_answers_a_search_as_plain_html_with_its_data_embedded() {
    let t = app().await;
    let res = t.get("/catalog?q=wlgl").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("cache-control"), "no-cache");
    let page = text(&res);
    assert!(
        !page.contains("正在打开考证"),
        "the shell is replaced: {page}"
    );
    assert!(page.contains("证书目录"), "{page}");
    // Initials of 物流管理 find it; the other certificates are not listed.
    assert!(
        page.contains("共 1 个证书") && page.contains("物流管理"),
        "{page}"
    );
    assert!(!page.contains("Web前端开发"), "{page}");
    let html = res.text();
    assert!(html.contains("action=\"/catalog\""), "a plain GET form");
    assert!(
        html.contains("name=\"q\"") && html.contains("value=\"wlgl\""),
        "the query is kept"
    );
    // The data the page was rendered from, tagged as the API tags it.
    let first = embedded(&res);
    let api = t.get("/api/v1/catalog").await;
    assert_eq!(
        first.catalog.as_ref().unwrap().etag.as_deref(),
        Some(api.header("etag"))
    );
    let plans = t.get("/api/v1/plans").await;
    assert_eq!(
        first.plans.as_ref().unwrap().etag.as_deref(),
        Some(plans.header("etag"))
    );
    let sites = t.get("/api/v1/sites").await;
    assert_eq!(
        first.sites.as_ref().unwrap().etag.as_deref(),
        Some(sites.header("etag"))
    );
    assert!(
        !html.contains("</script><script>alert"),
        "data cannot close its element"
    );
}

#[tokio::test]
async fn home_and_a_certificate_page_come_rendered_and_an_unknown_certificate_is_a_404() {
    let t = app().await;
    let home = t.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    let page = text(&home);
    assert!(page.contains("接下来"), "{page}");
    assert!(
        home.text().contains("action=\"/catalog\""),
        "home search works without the app"
    );

    let cert = t.get("/certificates/logistics").await;
    assert_eq!(cert.status, StatusCode::OK);
    let page = text(&cert);
    assert!(page.contains("物流管理职业技能等级证书"), "{page}");
    assert!(
        page.contains("初级") && page.contains("中级") && page.contains("高级"),
        "{page}"
    );

    let missing = t.get("/certificates/no-such-certificate").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.header("content-type").starts_with("text/html"));
}

#[tokio::test]
async fn language_and_theme_follow_the_cookies_and_iframes_get_the_plain_shell() {
    let t = app().await;
    let res = t
        .get_with("/catalog", &[("cookie", "kz-locale=en; kz-theme=dark")])
        .await;
    assert!(
        res.text()
            .contains("<html lang=\"en\" data-theme=\"dark\">"),
        "{}",
        res.text()
    );
    assert!(text(&res).contains("Certificate catalog"));
    assert_eq!(res.header("vary"), "cookie");
    assert!(
        res.headers.get("set-cookie").is_none(),
        "cookies alone set nothing"
    );

    // The header's language and theme forms, before the app runs: the query wins over the
    // cookies, and is kept in cookies for the next page.
    let res = t
        .get_with(
            "/catalog?q=wlgl&lang=zh-CN&theme=light",
            &[("cookie", "kz-locale=en; kz-theme=dark")],
        )
        .await;
    assert!(
        res.text()
            .contains("<html lang=\"zh-CN\" data-theme=\"light\">"),
        "{}",
        res.text()
    );
    let set: Vec<_> = res
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert_eq!(
        set,
        [
            "kz-locale=zh-CN; Path=/; Max-Age=31536000; SameSite=Lax",
            "kz-theme=light; Path=/; Max-Age=31536000; SameSite=Lax"
        ]
    );
    // The forms themselves are on the page, as plain GET forms.
    assert!(
        res.text().contains("name=\"lang\" value=\"en\""),
        "{}",
        res.text()
    );
    assert!(
        res.text().contains("name=\"theme\" value=\"dark\""),
        "{}",
        res.text()
    );

    let framed = t
        .get_with("/catalog", &[("sec-fetch-dest", "iframe")])
        .await;
    assert_eq!(framed.text(), INDEX);
    // Other app routes and /index.html stay the plain shell the service worker keeps.
    assert_eq!(t.get("/me").await.text(), INDEX);
    assert_eq!(t.get("/index.html").await.text(), INDEX);
}

#[tokio::test]
async fn a_certificate_is_verified_without_the_app_by_form_or_scanned_code() {
    let t = app().await;
    let wang = t.login("TJ2024001").await;
    let results = t.get_as("/api/v1/results", &wang).await.json();
    let r = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["certificate_no"].is_string())
        .unwrap()
        .clone();
    let no = r["certificate_no"].as_str().unwrap();
    let check = r["certificate_check"].as_str().unwrap();

    // The form, sent by a browser that could not run the app (POST: the name stays out of URLs).
    let form = format!("no={no}&name=%E7%8E%8B%E6%99%93%E6%98%8E");
    let res = t
        .send(
            Request::post("/verify")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(form))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let page = text(&res);
    assert!(page.contains("王**"), "{page}");
    assert!(
        !res.text().contains("王晓明"),
        "the full name is not echoed"
    );
    let answer = embedded(&res).verification.expect("the answer is embedded");
    assert_eq!(answer.no, no);
    assert!(answer.answer.is_ok());

    // A wrong name answers the neutral "not found".
    let res = t
        .send(
            Request::post("/verify")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("no={no}&name=%E6%9D%8E%E5%9B%9B")))
                .unwrap(),
        )
        .await;
    assert!(!text(&res).contains("王**"));
    assert_eq!(
        embedded(&res).verification.unwrap().answer.map(|v| v.valid),
        Ok(false)
    );

    // The QR code's link answers at once.
    let res = t.get(&format!("/verify?no={no}&check={check}")).await;
    assert!(text(&res).contains("王**"), "{}", text(&res));
}

#[tokio::test]
async fn a_phone_that_holds_the_current_catalog_gets_the_page_without_it_embedded() {
    let t = app().await;
    let tag = t.get("/api/v1/catalog").await.header("etag").to_string();
    let full = t.get("/catalog?q=wlgl").await;
    // The tag as the app writes it: URI-encoded, as encodeURIComponent does.
    let encoded: String = tag
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    let held = t
        .get_with(
            "/catalog?q=wlgl",
            &[("cookie", &format!("kz-locale=zh-CN; kz-catalog={encoded}"))],
        )
        .await;
    assert_eq!(held.status, StatusCode::OK);
    // The same page on screen, rendered from the catalog...
    assert_eq!(text(&held), text(&full));
    assert!(text(&held).contains("物流管理"));
    // ...but the phone is not sent the catalog again; plans and sites still come with it.
    let first = embedded(&held);
    assert!(first.catalog.is_none(), "the catalog is left out");
    assert!(first.plans.is_some() && first.sites.is_some());
    assert!(
        held.text().len() < full.text().len(),
        "{} B against {} B",
        held.text().len(),
        full.text().len()
    );

    // A phone holding an older catalog, or saying nothing usable, gets it embedded.
    for cookie in ["kz-catalog=W%2F%22older%22", "kz-catalog=", "kz-theme=dark"] {
        let res = t.get_with("/catalog", &[("cookie", cookie)]).await;
        assert_eq!(
            embedded(&res).catalog.and_then(|c| c.etag).as_deref(),
            Some(tag.as_str()),
            "{cookie}"
        );
    }
}

#[tokio::test]
async fn a_rendered_page_is_compressed_harder_than_the_generic_default() {
    let t = app().await;
    let plain = t.get("/catalog").await;
    let sent = t.get_with("/catalog", &[("accept-encoding", "br")]).await;
    assert_eq!(sent.header("content-encoding"), "br");
    assert_eq!(super::support::brotli_decompress(&sent.body), plain.body);
    // Brotli's quality 4, the compression layer's default: the first screen on a weak network
    // is worth the fraction of a millisecond quality 5 costs.
    let q4 = super::support::brotli_compress_at(&plain.body, 4);
    assert!(
        sent.body.len() * 100 < q4.len() * 95,
        "{} B sent, {} B at quality 4 ({} B plain)",
        sent.body.len(),
        q4.len(),
        plain.body.len()
    );
}
