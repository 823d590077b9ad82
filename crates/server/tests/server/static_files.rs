//! The built app: SPA fallback, cache headers, precompressed and dynamic compression, the CSP and
//! the other security headers, and the server without a built app.

use axum::http::StatusCode;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::support::{
    CSS, JS, LOADER, TestApp, WASM, brotli_decompress, index_html, js_text, wasm_bytes,
};

fn sha256_source(s: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
    )
}

#[tokio::test]
async fn app_routes_get_index_html_and_missing_files_get_404() {
    let t = TestApp::new().await;
    let index = index_html(LOADER);
    for route in [
        "/",
        "/catalog",
        "/certificates/x",
        "/certificates/c123/",
        "/index.html",
    ] {
        let res = t.get(route).await;
        assert_eq!(res.status, StatusCode::OK, "{route}");
        assert_eq!(
            res.header("content-type"),
            "text/html; charset=utf-8",
            "{route}"
        );
        assert_eq!(res.header("cache-control"), "no-cache", "{route}");
        assert_eq!(res.text(), index, "{route}");
    }
    for missing in ["/missing.js", "/certificates/x.png", "/icons/none.png"] {
        let res = t.get(missing).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{missing}");
        assert!(!res.text().contains("<html"), "{missing}");
    }
    let api = t.get("/api/v1/nope").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.json()["error"]["code"], "not_found");
    assert!(!api.text().contains("<html"));
}

#[tokio::test]
async fn cache_headers_follow_the_file_kind() {
    let t = TestApp::new().await;
    for (path, want, content_type) in [
        (
            format!("/{WASM}"),
            "public, max-age=31536000, immutable",
            "application/wasm",
        ),
        (
            format!("/{JS}"),
            "public, max-age=31536000, immutable",
            "text/javascript",
        ),
        (
            format!("/{CSS}"),
            "public, max-age=31536000, immutable",
            "text/css",
        ),
        ("/sw.js".to_string(), "no-cache", "text/javascript"),
        (
            "/manifest.webmanifest".to_string(),
            "public, max-age=3600",
            "application/manifest+json",
        ),
        (
            "/icons/icon-192.png".to_string(),
            "public, max-age=3600",
            "image/png",
        ),
    ] {
        let res = t.get(&path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert_eq!(res.header("cache-control"), want, "{path}");
        assert!(
            res.header("content-type").starts_with(content_type),
            "{path}: {}",
            res.header("content-type")
        );
    }
    let index = t.get("/index.html").await;
    assert_eq!(index.header("cache-control"), "no-cache");
}

#[tokio::test]
async fn precompressed_siblings_are_served_once_compressed() {
    let t = TestApp::new().await;
    let sibling = std::fs::read(t.dir.path().join("dist").join(format!("{JS}.br"))).unwrap();
    let res = t
        .get_with(&format!("/{JS}"), &[("accept-encoding", "br, gzip")])
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-encoding"), "br");
    assert!(res.header("content-type").starts_with("text/javascript"));
    assert_eq!(
        res.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(res.header("vary"), "accept-encoding");
    // The sibling's bytes, not compressed a second time.
    assert_eq!(res.body.to_vec(), sibling);
    assert_eq!(brotli_decompress(&res.body), js_text().into_bytes());

    // Without Accept-Encoding, the plain file.
    let plain = t.get(&format!("/{JS}")).await;
    assert!(plain.headers.get("content-encoding").is_none());
    assert_eq!(plain.body.to_vec(), js_text().into_bytes());
}

#[tokio::test]
async fn wasm_without_a_sibling_is_compressed_on_the_fly() {
    let t = TestApp::new().await;
    let res = t
        .get_with(&format!("/{WASM}"), &[("accept-encoding", "br")])
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-type"), "application/wasm");
    assert_eq!(res.header("content-encoding"), "br");
    assert_eq!(brotli_decompress(&res.body), wasm_bytes());
    assert!(res.body.len() < wasm_bytes().len());

    let gz = t
        .get_with(&format!("/{WASM}"), &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(gz.header("content-encoding"), "gzip");
    assert_eq!(&gz.body[..2], &[0x1f, 0x8b], "gzip magic");
}

#[tokio::test]
async fn a_returning_browser_gets_the_wasm_as_a_delta_from_the_release_it_holds() {
    let t = TestApp::new().await;
    let dist = t.dir.path().join("dist");
    let releases = t.dir.path().join("releases");
    // The release on the phone, kept by the build that made it, and this one's delta from it.
    let mut held = wasm_bytes();
    held.truncate(4_000);
    std::fs::create_dir_all(&releases).unwrap();
    std::fs::write(releases.join("kaozheng-0123456789ab_bg.wasm"), &held).unwrap();
    let written = kaozheng_server::delta::write_deltas(&dist, &releases).unwrap();
    assert_eq!(written.len(), 1);
    let offered = format!(
        ":{}:",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&held))
    );

    // Every WASM is marked as the dictionary for the next release's.
    let whole = t
        .get_with(&format!("/{WASM}"), &[("accept-encoding", "br")])
        .await;
    assert_eq!(
        whole.header("use-as-dictionary"),
        "match=\"/kaozheng-*_bg.wasm\""
    );
    assert_eq!(
        whole.header("vary"),
        "accept-encoding, available-dictionary"
    );

    let delta = t
        .get_with(
            &format!("/{WASM}"),
            &[
                ("accept-encoding", "gzip, br, zstd, dcb, dcz"),
                ("available-dictionary", &offered),
            ],
        )
        .await;
    assert_eq!(delta.status, StatusCode::OK);
    assert_eq!(delta.header("content-encoding"), "dcz");
    assert_eq!(delta.header("content-type"), "application/wasm");
    assert_eq!(
        delta.header("vary"),
        "accept-encoding, available-dictionary"
    );
    assert_eq!(
        kaozheng_server::delta::decode(&held, &delta.body).unwrap(),
        wasm_bytes()
    );
    assert!(
        delta.body.len() < wasm_bytes().len() / 10,
        "{} B",
        delta.body.len()
    );

    // A release the server has no delta from, or a browser that does not take dcz: the whole file.
    let unknown = format!(
        ":{}:",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"another release"))
    );
    for headers in [
        [
            ("accept-encoding", "br, dcz"),
            ("available-dictionary", unknown.as_str()),
        ],
        [
            ("accept-encoding", "br, dcb"),
            ("available-dictionary", offered.as_str()),
        ],
        [
            ("accept-encoding", "br, dcz"),
            ("available-dictionary", "../../etc/passwd"),
        ],
    ] {
        let res = t.get_with(&format!("/{WASM}"), &headers).await;
        assert_eq!(res.header("content-encoding"), "br", "{headers:?}");
        assert_eq!(brotli_decompress(&res.body), wasm_bytes());
    }
}

#[tokio::test]
async fn the_csp_allows_exactly_the_inline_loader_by_hash() {
    let t = TestApp::new().await;
    let loader_hash = sha256_source(LOADER);
    // What never runs under a policy of its own (all but pages and the service worker) may load
    // nothing and be framed by no one.
    for path in [
        "/api/v1/sites",
        "/missing.js",
        "/api/v1/nope",
        &format!("/{WASM}"),
        // The JS glue runs under the policy of the page that loads it.
        &format!("/{JS}"),
    ] {
        let res = t.get(path).await;
        assert_eq!(
            res.header("content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(res.header("x-content-type-options"), "nosniff", "{path}");
    }
    for path in ["/", "/catalog", "/sw.js"] {
        let res = t.get(path).await;
        let csp = res.header("content-security-policy");
        assert!(
            csp.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' "),
            "{path}: {csp}"
        );
        assert!(
            csp.contains(&loader_hash),
            "{path}: {csp} lacks {loader_hash}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}");
        for directive in [
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "manifest-src 'self'",
            "worker-src 'self'",
            "frame-ancestors 'self'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        ] {
            assert!(
                csp.contains(directive),
                "{path}: {directive} missing in {csp}"
            );
        }
        assert_eq!(res.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(
            res.header("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_rebuilt_index_html_brings_its_own_csp() {
    let t = TestApp::new().await;
    let old = sha256_source(LOADER);
    assert!(
        t.get("/")
            .await
            .header("content-security-policy")
            .contains(&old)
    );

    let new_loader = LOADER.replace("9f8e7d6c5b4a3210", "00112233445566778899aabb");
    let html = index_html(&new_loader);
    // A different length guarantees the change is seen even on coarse file-time filesystems.
    assert_ne!(html.len(), index_html(LOADER).len());
    std::fs::write(t.dir.path().join("dist/index.html"), &html).unwrap();

    let res = t.get("/certificates/x").await;
    assert_eq!(res.text(), html);
    let csp = res.header("content-security-policy");
    assert!(csp.contains(&sha256_source(&new_loader)), "{csp}");
    assert!(!csp.contains(&old), "{csp}");
}

#[tokio::test]
async fn without_a_built_app_the_api_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    let t = TestApp::in_dir(dir).await;
    let res = t.get("/").await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.header("content-type").starts_with("text/plain"));
    assert!(
        res.text().contains("trunk build --release"),
        "{}",
        res.text()
    );
    assert_eq!(
        t.get("/catalog").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(t.get("/api/v1/sites").await.status, StatusCode::OK);
    assert_eq!(t.get("/api/v1/catalog").await.status, StatusCode::OK);
    // The 503 is plain text, never a page: the inert policy.
    assert_eq!(
        res.header("content-security-policy"),
        "default-src 'none'; frame-ancestors 'none'"
    );
}

#[tokio::test]
async fn only_get_and_head_reach_the_files() {
    let t = TestApp::new().await;
    let res = t
        .send(
            axum::http::Request::post("/catalog")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED);
    let head = t
        .send(
            axum::http::Request::head(format!("/{CSS}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(
        head.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
}
