//! Shared set-up: a fixture catalog, a clock the test controls, a built-app directory, and helpers
//! to send requests through the router.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use kaozheng_core::Catalog;
use kaozheng_server::{AppState, Config};
use tempfile::TempDir;
use tower::ServiceExt;

pub const FIXTURE_JSON: &str = include_str!("../fixtures/catalog.json");

pub fn fixture_catalog() -> Catalog {
    Catalog::parse(FIXTURE_JSON).expect("the fixture catalog is valid")
}

/// 2026-11-21 15:37:12 in China.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 7, 37, 12).unwrap()
}

/// A clock tests move by hand.
#[derive(Clone)]
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub fn at(t: DateTime<Utc>) -> TestClock {
        TestClock(Arc::new(AtomicI64::new(t.timestamp())))
    }

    pub fn set(&self, t: DateTime<Utc>) {
        self.0.store(t.timestamp(), Ordering::SeqCst);
    }

    pub fn clock(&self) -> kaozheng_server::config::Clock {
        let secs = self.0.clone();
        Arc::new(move || DateTime::from_timestamp(secs.load(Ordering::SeqCst), 0).unwrap())
    }
}

/// A config over `root/var` and `root/dist` with the fixture catalog and a test clock.
pub fn config(root: &Path, clock: &TestClock) -> Config {
    let mut c = Config::new(root.join("var"), root.join("dist"));
    c.port = 0;
    c.catalog = Some(Arc::new(fixture_catalog()));
    c.clock = clock.clock();
    c.catalog_recheck = Duration::ZERO;
    c
}

pub struct TestApp {
    pub dir: TempDir,
    pub clock: TestClock,
    pub state: AppState,
    pub app: Router,
}

impl TestApp {
    /// A seeded server at [`now`] with a built app in dist/.
    pub async fn new() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        write_dist(&dir.path().join("dist"));
        TestApp::in_dir(dir).await
    }

    pub async fn in_dir(dir: TempDir) -> TestApp {
        let clock = TestClock::at(now());
        let c = config(dir.path(), &clock);
        TestApp::with_config(dir, clock, c).await
    }

    pub async fn with_config(dir: TempDir, clock: TestClock, config: Config) -> TestApp {
        let state = AppState::open(&config).await.unwrap();
        TestApp {
            app: kaozheng_server::app(state.clone()),
            dir,
            clock,
            state,
        }
    }

    pub async fn get(&self, uri: &str) -> Res {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Res {
        let mut req = Request::get(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    pub async fn send(&self, req: Request<Body>) -> Res {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = axum::body::to_bytes(res.into_body(), 64 << 20)
            .await
            .unwrap();
        Res {
            status,
            headers,
            body,
        }
    }
}

pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Res {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).unwrap()
    }
}

pub fn brotli_compress(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        std::io::Write::write_all(&mut w, data).unwrap();
    }
    out
}

pub fn brotli_decompress(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut brotli::Decompressor::new(data, 4096), &mut out).unwrap();
    out
}

pub const WASM: &str = "kaozheng-9f8e7d6c5b4a3210_bg.wasm";
pub const JS: &str = "kaozheng-9f8e7d6c5b4a3210.js";
pub const CSS: &str = "main-0123456789abcdef.css";

/// The inline module script Trunk injects (its exact bytes are what the CSP hash covers).
pub const LOADER: &str = "\nimport init, * as bindings from '/kaozheng-9f8e7d6c5b4a3210.js';\nconst wasm = await init({ module_or_path: '/kaozheng-9f8e7d6c5b4a3210_bg.wasm' });\n\nwindow.wasmBindings = bindings;\n\ndispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {detail: {wasm}}));\n";

pub fn index_html(loader: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>考证</title>\
         <link rel=\"stylesheet\" href=\"/{CSS}\">\
         <link rel=\"modulepreload\" href=\"/{JS}\">\
         <link rel=\"manifest\" href=\"/manifest.webmanifest\">\
         <script type=\"module\">{loader}</script></head><body></body></html>"
    )
}

/// What `trunk build --release` leaves in dist/, in small: the app shell, hashed assets (the JS
/// with a precompressed .br sibling, the WASM without), the service worker and the manifest.
pub fn write_dist(dist: &Path) -> PathBuf {
    std::fs::create_dir_all(dist.join("icons")).unwrap();
    std::fs::write(dist.join("index.html"), index_html(LOADER)).unwrap();
    std::fs::write(dist.join(WASM), wasm_bytes()).unwrap();
    let js = js_text();
    std::fs::write(dist.join(JS), &js).unwrap();
    std::fs::write(
        dist.join(format!("{JS}.br")),
        brotli_compress(js.as_bytes()),
    )
    .unwrap();
    std::fs::write(
        dist.join(CSS),
        "body{margin:0;font-family:sans-serif}\n".repeat(20),
    )
    .unwrap();
    std::fs::write(
        dist.join("sw.js"),
        "self.addEventListener('install', () => self.skipWaiting());\n",
    )
    .unwrap();
    std::fs::write(
        dist.join("manifest.webmanifest"),
        "{\"name\":\"考证\",\"start_url\":\"/\",\"display\":\"standalone\"}",
    )
    .unwrap();
    std::fs::write(dist.join("icons/icon-192.png"), [0x89, b'P', b'N', b'G']).unwrap();
    dist.to_path_buf()
}

pub fn wasm_bytes() -> Vec<u8> {
    let mut v = b"\0asm\x01\0\0\0".to_vec();
    for i in 0..6000u32 {
        v.push((i % 7) as u8);
    }
    v
}

pub fn js_text() -> String {
    "export function greet(name) { return 'hello ' + name; }\n".repeat(80)
}
