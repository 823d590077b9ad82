//! Embedding in portals: the widget's allowlist (`GET /api/v1/embed/config`), the frame-ancestors
//! policy built from the same flags, and the loader `embed.js` that portals include cross-origin.

use axum::http::StatusCode;
use serde_json::json;

use super::support::{Backend, JS, TestApp};

const SECRET: &str = "0123456789abcdef0123456789abcdef";

/// The `frame-ancestors` sources of a response's CSP, in order.
fn frame_ancestors(csp: &str) -> Vec<String> {
    let directive = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-ancestors "))
        .unwrap_or_else(|| panic!("no frame-ancestors in {csp}"));
    directive.split_whitespace().map(str::to_string).collect()
}

#[tokio::test]
async fn the_allowlist_joins_portal_origins_and_frame_ancestors_normalized_once() {
    let t = TestApp::on_with(Backend::Sqlite, |c| {
        c.frame_ancestors = vec![
            "https://Portal.Example.edu.cn/".into(),
            "http://127.0.0.1:8081".into(),
            "https://*.example.org".into(),
        ];
        c.portals = kaozheng_server::auth::embed::parse_portals(&format!(
            r#"[{{"iss": "a", "secret": "{SECRET}", "aud": "kaozheng",
                  "origins": ["https://portal.example.edu.cn", "http://localhost:3000"]}},
                {{"iss": "b", "secret": "{SECRET}", "aud": "kaozheng",
                  "origins": ["https://portal.example.edu.cn:443"]}}]"#
        ))
        .unwrap();
    })
    .await;
    let res = t.get("/api/v1/embed/config").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("cache-control"), "public, max-age=60");
    assert!(res.header("content-type").starts_with("application/json"));
    assert_eq!(
        res.json(),
        json!({"portal_origins": [
            "http://127.0.0.1:8081",
            "http://localhost:3000",
            "https://portal.example.edu.cn",
        ]})
    );
    // Anyone may read it (the widget asks before it knows who frames it): no token needed, and it
    // says nothing a framing page could not learn from a page's CSP.
    let csp = t
        .get("/embed")
        .await
        .header("content-security-policy")
        .to_string();
    let ancestors = frame_ancestors(&csp);
    assert_eq!(ancestors[0], "'self'", "{csp}");
    for origin in [
        "http://127.0.0.1:8081",
        "http://localhost:3000",
        "https://portal.example.edu.cn",
        "https://*.example.org",
    ] {
        assert!(ancestors.iter().any(|a| a == origin), "{origin} in {csp}");
    }
}

#[tokio::test]
async fn without_portals_the_allowlist_is_empty_and_only_the_app_frames_itself() {
    let t = TestApp::new().await;
    let res = t.get("/api/v1/embed/config").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json(), json!({"portal_origins": []}));
    for path in ["/embed", "/"] {
        let res = t.get(path).await;
        assert_eq!(
            frame_ancestors(res.header("content-security-policy")),
            vec!["'self'"],
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_embed_route_is_framed_only_by_self_and_the_configured_portals() {
    let t = TestApp::on_with(Backend::Sqlite, |c| {
        c.frame_ancestors = vec!["https://intranet.example.edu.cn".into()];
        c.portals = kaozheng_server::auth::embed::parse_portals(&format!(
            r#"[{{"iss": "a", "secret": "{SECRET}", "aud": "kaozheng",
                  "origins": ["https://portal.example.edu.cn"]}}]"#
        ))
        .unwrap();
    })
    .await;
    let res = t
        .get("/embed?locale=en&parent=https%3A%2F%2Fportal.example.edu.cn")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").starts_with("text/html"));
    let mut ancestors = frame_ancestors(res.header("content-security-policy"));
    ancestors.sort();
    assert_eq!(
        ancestors,
        vec![
            "'self'",
            "https://intranet.example.edu.cn",
            "https://portal.example.edu.cn"
        ]
    );
    // No legacy header that could contradict the policy.
    assert!(res.headers.get("x-frame-options").is_none());
}

#[tokio::test]
async fn the_loader_is_served_for_cross_origin_integrity_checks() {
    let t = TestApp::new().await;
    let dist = t.dir.path().join("dist");
    let loader = "(function(){'use strict';})();\n".repeat(20);
    std::fs::write(dist.join("embed.js"), &loader).unwrap();
    std::fs::write(
        dist.join("embed.js.br"),
        super::support::brotli_compress(loader.as_bytes()),
    )
    .unwrap();

    let plain = t
        .get_with("/embed.js", &[("origin", "https://portal.example.edu.cn")])
        .await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.text(), loader);
    assert!(plain.header("content-type").starts_with("text/javascript"));
    assert_eq!(plain.header("access-control-allow-origin"), "*");
    // Not content-hashed: an hour, and a new version needs a new integrity hash in the snippet.
    assert_eq!(plain.header("cache-control"), "public, max-age=3600");
    assert_eq!(plain.header("x-content-type-options"), "nosniff");

    let br = t
        .get_with(
            "/embed.js",
            &[
                ("origin", "https://portal.example.edu.cn"),
                ("accept-encoding", "br"),
            ],
        )
        .await;
    assert_eq!(br.header("content-encoding"), "br");
    assert_eq!(br.header("access-control-allow-origin"), "*");
    assert_eq!(
        super::support::brotli_decompress(&br.body),
        loader.as_bytes()
    );

    // Only the loader: the app's own files stay same-origin, and so does a file that merely
    // shares the name somewhere else.
    let app_js = t
        .get_with(
            &format!("/{JS}"),
            &[("origin", "https://portal.example.edu.cn")],
        )
        .await;
    assert_eq!(app_js.status, StatusCode::OK);
    assert!(app_js.headers.get("access-control-allow-origin").is_none());
    std::fs::create_dir_all(dist.join("other")).unwrap();
    std::fs::write(dist.join("other/embed.js"), "x").unwrap();
    let other = t.get("/other/embed.js").await;
    assert_eq!(other.status, StatusCode::OK);
    assert!(other.headers.get("access-control-allow-origin").is_none());
}
