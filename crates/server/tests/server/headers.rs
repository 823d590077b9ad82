//! Security headers on every kind of response (API answers, refusals of every status, 304s,
//! files, the app shell for SPA routes, HEAD, CORS preflights, the server without a built app):
//! the app's policy on pages and the service worker, the inert one on everything else, a referrer policy only
//! where a browser sends requests under it; and on the real built app (`dist/` from `trunk build --release`): every script, module preload
//! and WASM preload carries an `integrity` hash that matches the bytes the server sends, and every
//! inline script is allowed by its hash in the CSP.
//!
//! The built-app test skips with a message when `dist/` was not built (plain `cargo test`);
//! `KZ_REQUIRE_DIST=1` makes a missing build a failure (scripts/test.sh sets it after building).

use std::collections::BTreeSet;
use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use sha2::{Digest, Sha256, Sha384};

use super::support::{Backend, CSS, JS, LOADER, Res, TestApp, WASM};

const PORTAL: &str = "https://portal.example.edu.cn";
const ANCESTOR: &str = "https://intranet.example.edu.cn";

fn sha256_source(s: &str) -> String {
    format!("'sha256-{}'", STANDARD.encode(Sha256::digest(s.as_bytes())))
}

/// The directives of a policy by name.
fn directives(csp: &str) -> Vec<(String, Vec<String>)> {
    csp.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_whitespace().map(str::to_string);
            (words.next().unwrap(), words.collect())
        })
        .collect()
}

/// The policy of what a browser never runs as a page or script.
const INERT: &str = "default-src 'none'; frame-ancestors 'none'";

/// Which policies a response carried: the app's CSP (else the inert one), and a referrer policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Carried {
    app_policy: bool,
    referrer: bool,
}

/// The headers every response must carry; `inline` are the page's inline scripts. The policy is
/// either the inert one or the app's, checked in full; a referrer policy, where present, is the
/// app's. Answers which the response got; callers check which responses got which.
fn assert_security_headers(
    what: &str,
    res: &Res,
    inline: &[String],
    ancestors: &[&str],
) -> Carried {
    assert_eq!(res.header("x-content-type-options"), "nosniff", "{what}");
    let referrer = res.headers.get("referrer-policy").is_some();
    if referrer {
        assert_eq!(
            res.header("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{what}"
        );
    }
    let csp = res.header("content-security-policy");
    if csp == INERT {
        return Carried {
            app_policy: false,
            referrer,
        };
    }
    let d = directives(csp);
    let get = |name: &str| {
        d.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{what}: no {name} in {csp}"))
    };
    assert_eq!(get("default-src"), ["'self'"], "{what}");
    let script = get("script-src");
    assert!(
        script.contains(&"'self'".to_string())
            && script.contains(&"'wasm-unsafe-eval'".to_string()),
        "{what}: {csp}"
    );
    for s in &script {
        assert!(
            s == "'self'" || s == "'wasm-unsafe-eval'" || s.starts_with("'sha256-"),
            "{what}: script-src allows {s}: {csp}"
        );
    }
    for script_source in inline {
        assert!(
            script.contains(&sha256_source(script_source)),
            "{what}: an inline script is not allowed by hash: {csp}"
        );
    }
    assert!(
        !csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"),
        "{what}: {csp}"
    );
    assert_eq!(get("object-src"), ["'none'"], "{what}");
    assert_eq!(get("base-uri"), ["'self'"], "{what}");
    let mut frame = vec!["'self'".to_string()];
    frame.extend(ancestors.iter().map(|a| a.to_string()));
    assert_eq!(
        get("frame-ancestors").into_iter().collect::<BTreeSet<_>>(),
        frame.into_iter().collect(),
        "{what}"
    );
    Carried {
        app_policy: true,
        referrer,
    }
}

fn request(
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Request<Body> {
    let mut r = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.body(body.into()).unwrap()
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let t = TestApp::on_with(Backend::Sqlite, |c| {
        c.frame_ancestors = vec![ANCESTOR.into()];
        c.portals = kaozheng_server::auth::embed::parse_portals(&format!(
            r#"[{{"iss": "p", "secret": "0123456789abcdef0123456789abcdef", "aud": "k", "origins": ["{PORTAL}"]}}]"#
        ))
        .unwrap();
    })
    .await;
    let student = t.session_for("TJ2024001").await;
    let admin = t.admin_token().await;
    let catalog_etag = t.get("/api/v1/catalog").await.header("etag").to_string();
    let js_modified = t
        .get(&format!("/{JS}"))
        .await
        .header("last-modified")
        .to_string();
    let bearer = format!("Bearer {student}");
    let admin_bearer = format!("Bearer {admin}");
    let mut cases: Vec<(&str, Request<Body>, StatusCode)> = vec![
        (
            "API 200",
            request(Method::GET, "/api/v1/plans", &[], Body::empty()),
            StatusCode::OK,
        ),
        (
            "API 200 signed in",
            request(
                Method::GET,
                "/api/v1/me",
                &[("authorization", &bearer)],
                Body::empty(),
            ),
            StatusCode::OK,
        ),
        (
            "API 304",
            request(
                Method::GET,
                "/api/v1/catalog",
                &[("if-none-match", &catalog_etag)],
                Body::empty(),
            ),
            StatusCode::NOT_MODIFIED,
        ),
        (
            "API 400",
            request(
                Method::GET,
                "/api/v1/plans?level=expert",
                &[],
                Body::empty(),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            "API 401",
            request(Method::GET, "/api/v1/me", &[], Body::empty()),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "API 403",
            request(
                Method::GET,
                "/api/v1/me",
                &[("authorization", &admin_bearer)],
                Body::empty(),
            ),
            StatusCode::FORBIDDEN,
        ),
        (
            "API 404",
            request(Method::GET, "/api/v1/nope", &[], Body::empty()),
            StatusCode::NOT_FOUND,
        ),
        (
            "API 405",
            request(Method::DELETE, "/api/v1/plans", &[], Body::empty()),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            "API 413",
            request(
                Method::POST,
                "/api/v1/auth/login",
                &[("content-type", "application/json")],
                vec![b' '; 70 * 1024],
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "API 415",
            request(
                Method::POST,
                "/api/v1/auth/login",
                &[("content-type", "text/plain")],
                "x",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "API 422",
            request(
                Method::POST,
                "/api/v1/admin/import/sites",
                &[
                    ("authorization", &admin_bearer),
                    ("content-type", "text/csv"),
                ],
                "id\n",
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "API CSV export",
            request(
                Method::GET,
                "/api/v1/admin/export/feedback.csv",
                &[("authorization", &admin_bearer)],
                Body::empty(),
            ),
            StatusCode::OK,
        ),
        (
            "CORS preflight",
            request(
                Method::OPTIONS,
                "/api/v1/registrations",
                &[
                    ("origin", PORTAL),
                    ("access-control-request-method", "POST"),
                ],
                Body::empty(),
            ),
            StatusCode::OK,
        ),
        (
            "app shell",
            request(Method::GET, "/", &[], Body::empty()),
            StatusCode::OK,
        ),
        (
            "SPA route",
            request(Method::GET, "/certificates/bim", &[], Body::empty()),
            StatusCode::OK,
        ),
        (
            "embed route",
            request(Method::GET, "/embed?school=x", &[], Body::empty()),
            StatusCode::OK,
        ),
        (
            "HEAD app shell",
            request(Method::HEAD, "/catalog", &[], Body::empty()),
            StatusCode::OK,
        ),
        (
            "script",
            request(
                Method::GET,
                &format!("/{JS}"),
                &[("accept-encoding", "br")],
                Body::empty(),
            ),
            StatusCode::OK,
        ),
        (
            "WASM",
            request(Method::GET, &format!("/{WASM}"), &[], Body::empty()),
            StatusCode::OK,
        ),
        (
            "style sheet",
            request(Method::GET, &format!("/{CSS}"), &[], Body::empty()),
            StatusCode::OK,
        ),
        (
            "service worker",
            request(Method::GET, "/sw.js", &[], Body::empty()),
            StatusCode::OK,
        ),
        (
            "file 304",
            request(
                Method::GET,
                &format!("/{JS}"),
                &[("if-modified-since", &js_modified)],
                Body::empty(),
            ),
            StatusCode::NOT_MODIFIED,
        ),
        (
            "file 404",
            request(Method::GET, "/missing.js", &[], Body::empty()),
            StatusCode::NOT_FOUND,
        ),
        (
            "file 405",
            request(Method::POST, "/catalog", &[], Body::empty()),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ];
    for _ in 0..5 {
        t.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"student_no": "TJ2024003", "password": "wrong-password"})),
        )
        .await;
    }
    cases.push((
        "API 429",
        request(
            Method::POST,
            "/api/v1/auth/login",
            &[("content-type", "application/json")],
            json!({"student_no": "TJ2024003", "password": "x"}).to_string(),
        ),
        StatusCode::TOO_MANY_REQUESTS,
    ));
    let count = cases.len();
    let mut statuses = BTreeSet::new();
    let mut with_app_policy = Vec::new();
    let mut with_referrer = Vec::new();
    for (what, req, status) in cases {
        let res = t.send(req).await;
        assert_eq!(
            res.status,
            status,
            "{what}: {}",
            String::from_utf8_lossy(&res.body)
        );
        let carried =
            assert_security_headers(what, &res, &[LOADER.to_string()], &[ANCESTOR, PORTAL]);
        if carried.app_policy {
            with_app_policy.push(what);
        }
        if carried.referrer {
            with_referrer.push(what);
        }
        statuses.insert(status.as_u16());
    }
    // Pages and the service worker carry the app's policy; everything else (every API answer, the
    // WASM, the style sheet, the JS glue, which runs under its page's policy, refusals) the inert
    // one.
    assert_eq!(
        with_app_policy,
        [
            "app shell",
            "SPA route",
            "embed route",
            "HEAD app shell",
            "service worker",
            "file 304",
        ]
    );
    // A referrer policy only where a browser sends requests under it: pages, scripts, the style
    // sheet; never on an API answer, the WASM or a refusal.
    assert_eq!(
        with_referrer,
        [
            "app shell",
            "SPA route",
            "embed route",
            "HEAD app shell",
            "script",
            "style sheet",
            "service worker",
            "file 304",
        ]
    );

    // Without a built app: the 503 (plain text, so inert) and the API still carry them.
    let bare = TestApp::in_dir(tempfile::tempdir().unwrap()).await;
    for (uri, app_policy) in [("/", false), ("/api/v1/sites", false)] {
        let res = bare.get(uri).await;
        assert_eq!(
            assert_security_headers(uri, &res, &[], &[]),
            Carried {
                app_policy,
                referrer: false,
            },
            "{uri}"
        );
        statuses.insert(res.status.as_u16());
    }
    println!(
        "security headers: {} responses ({} statuses) checked",
        count + 2,
        statuses.len()
    );
}

/// `name=value` attributes of a start tag, values quoted or not (Trunk's minified output leaves
/// most unquoted).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let inner = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let mut out = Vec::new();
    let bytes = inner.as_bytes();
    let mut i = inner.find(char::is_whitespace).unwrap_or(inner.len());
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' {
            i += 1;
        }
        let name = inner[start..i].to_ascii_lowercase();
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let q = bytes[i];
                let end = inner[i + 1..]
                    .find(q as char)
                    .map_or(bytes.len(), |e| i + 1 + e);
                value = inner[i + 1..end].to_string();
                i = end + 1;
            } else {
                let end = inner[i..]
                    .find(char::is_whitespace)
                    .map_or(bytes.len(), |e| i + e);
                value = inner[i..end].to_string();
                i = end;
            }
        }
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

/// Every start tag named `name` (`<script`, `<link`) with its text up to `>`.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(at) = html[pos..].find(&open).map(|i| pos + i) {
        let end = html[at..].find('>').map_or(html.len(), |e| at + e + 1);
        out.push(&html[at..end]);
        pos = end;
    }
    out
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn the_built_app_loads_every_script_and_wasm_with_a_matching_integrity_hash() {
    let dist = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist");
    if !dist.join("index.html").is_file() {
        assert!(
            std::env::var("KZ_REQUIRE_DIST").is_err(),
            "KZ_REQUIRE_DIST is set but {} has no index.html",
            dist.display()
        );
        println!(
            "SKIPPED: {} was not built (trunk build --release); scripts/test.sh checks it after its release build",
            dist.display()
        );
        return;
    }
    let t = TestApp::on_with(Backend::Sqlite, |c| c.dist = dist.clone()).await;
    let page = t.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();

    // Inline scripts: each allowed by its hash, none by 'unsafe-inline'. (The first screen's
    // embedded data is a JSON data block, which never runs and needs no hash.)
    let mut inline = Vec::new();
    for tag in tags(&html, "script") {
        let attrs = attributes(tag);
        if attr(&attrs, "src").is_none() && attr(&attrs, "type") != Some("application/json") {
            let start = html.find(tag).unwrap() + tag.len();
            let end = start + html[start..].find("</script>").unwrap();
            inline.push(html[start..end].to_string());
        }
    }
    assert_security_headers("built index.html", &page, &inline, &[]);

    // Every referenced script, module, WASM and style sheet with its integrity hash.
    let mut pinned = BTreeSet::new();
    let mut checked = 0;
    for tag in tags(&html, "script").into_iter().chain(tags(&html, "link")) {
        let attrs = attributes(tag);
        let Some(url) = attr(&attrs, "src").or_else(|| attr(&attrs, "href")) else {
            continue;
        };
        let rel = attr(&attrs, "rel").unwrap_or("");
        let loads_code = url.ends_with(".js") || url.ends_with(".wasm");
        if !(loads_code || rel == "stylesheet") {
            continue;
        }
        let integrity =
            attr(&attrs, "integrity").unwrap_or_else(|| panic!("no integrity on {tag}"));
        let (alg, want) = integrity.split_once('-').unwrap_or_else(|| panic!("{tag}"));
        assert_eq!(alg, "sha384", "{tag}");
        if rel == "modulepreload" || rel == "preload" {
            assert!(
                attr(&attrs, "crossorigin").is_some(),
                "{tag}: a CORS-mode fetch needs crossorigin for its integrity check"
            );
        }
        let res = t.get_with(url, &[("accept-encoding", "identity")]).await;
        assert_eq!(res.status, StatusCode::OK, "{url}");
        assert!(res.headers.get("content-encoding").is_none(), "{url}");
        assert_eq!(
            STANDARD.encode(Sha384::digest(&res.body)),
            want,
            "{url}: the integrity hash does not match the served bytes"
        );
        pinned.insert(url.trim_start_matches('/').to_string());
        checked += 1;
    }
    // The release loader fetches the WASM itself after the first paint
    // (scripts/defer-wasm.mjs): `fetch('/….wasm', { integrity: 'sha384-…', … })`.
    for script in &inline {
        for call in script.split("fetch('").skip(1) {
            let (url, rest) = call.split_once('\'').unwrap();
            let integrity = rest
                .split_once("integrity: '")
                .and_then(|(_, r)| r.split_once('\''))
                .map(|(i, _)| i)
                .unwrap_or_else(|| panic!("the loader fetches {url} without an integrity hash"));
            let want = integrity
                .strip_prefix("sha384-")
                .expect("a sha384 integrity");
            let res = t.get_with(url, &[("accept-encoding", "identity")]).await;
            assert_eq!(res.status, StatusCode::OK, "{url}");
            assert_eq!(
                STANDARD.encode(Sha384::digest(&res.body)),
                want,
                "{url}: the loader's integrity hash does not match the served bytes"
            );
            pinned.insert(url.trim_start_matches('/').to_string());
            checked += 1;
        }
    }
    // Every script and WASM the page names, the loader's imports included, is pinned.
    for word in
        html.split(|c: char| c == '\'' || c == '"' || c.is_whitespace() || c == '>' || c == '=')
    {
        if word.starts_with('/') && (word.ends_with(".js") || word.ends_with(".wasm")) {
            assert!(
                pinned.contains(word.trim_start_matches('/')),
                "{word} is loaded without an integrity hash"
            );
        }
    }
    // Every script and WASM file of the build: pinned by the page, or one of the two loaded
    // otherwise (the service worker, which browsers register without SRI, and the portal loader,
    // which portals pin with the README's hash).
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    for entry in std::fs::read_dir(&dist).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !(name.ends_with(".js") || name.ends_with(".wasm")) || pinned.contains(&name) {
            continue;
        }
        match name.as_str() {
            "sw.js" => {
                let res = t.get("/sw.js").await;
                assert_eq!(
                    res.header("cache-control"),
                    "no-cache",
                    "the service worker is revalidated on every check"
                );
            }
            "embed.js" => {
                let res = t
                    .get_with("/embed.js", &[("accept-encoding", "identity")])
                    .await;
                let hash = format!("sha384-{}", STANDARD.encode(Sha384::digest(&res.body)));
                assert!(
                    readme.contains(&format!("integrity=\"{hash}\"")),
                    "the README's snippet pins another embed.js than the one served ({hash})"
                );
                checked += 1;
            }
            other => panic!("{other} is in dist/ but loaded without an integrity hash"),
        }
    }
    assert!(
        checked >= 3,
        "the page pins its script, WASM and style sheet ({checked} checked)"
    );
    println!(
        "built app: {checked} integrity hashes match the served bytes; {} inline scripts allowed by hash",
        inline.len()
    );
}
