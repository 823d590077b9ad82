//! Shared set-up: a fixture catalog, a clock the test controls, a built-app directory, and helpers
//! to send requests through the router.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
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

/// A config over `root/var` and `root/dist` with the fixture catalog, a test clock, the demo school
/// and a cheap password hash (argon2 at its lowest cost keeps the tests fast).
pub fn config(root: &Path, clock: &TestClock) -> Config {
    let mut c = Config::new(root.join("var"), root.join("dist"));
    c.port = 0;
    c.demo = true;
    c.catalog = Some(Arc::new(fixture_catalog()));
    c.clock = clock.clock();
    c.catalog_recheck = Duration::ZERO;
    c.argon2_memory_kib = 64;
    c.argon2_iterations = 1;
    c
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the PostgreSQL variants use (scripts/with-postgres.sh sets it).
pub const POSTGRES_URL_VAR: &str = "KAOZHENG_TEST_POSTGRES_URL";

/// Runs a test body once on SQLite and once on PostgreSQL. The PostgreSQL variant is `#[ignore]`d
/// with its reason, so a plain `cargo test` says it did not run; scripts/test.sh runs it with
/// `--include-ignored` inside scripts/with-postgres.sh. Each variant gets its own database.
#[macro_export]
macro_rules! on_both {
    ($(#[$meta:meta])* async fn $name:ident($b:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($b: $crate::server::support::Backend) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::server::support::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = "PostgreSQL variant: needs KAOZHENG_TEST_POSTGRES_URL (scripts/with-postgres.sh sets it); run with --include-ignored"]
            async fn postgres() {
                run($crate::server::support::Backend::Postgres).await
            }
        }
    };
}

/// A throwaway PostgreSQL database, dropped (with its connections) when the test ends.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    pub async fn create() -> PgDatabase {
        use sqlx::{Connection, Executor};
        let admin_url = std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| {
            panic!("set {POSTGRES_URL_VAR} to a PostgreSQL server (scripts/with-postgres.sh does)")
        });
        sqlx::any::install_default_drivers();
        let name = format!("kz_test_{}", kaozheng_server::auth::tokens::random_id(""));
        let mut conn = sqlx::AnyConnection::connect(&admin_url).await.unwrap();
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        conn.close().await.unwrap();
        let url = database_url(&admin_url, &name);
        PgDatabase {
            admin_url,
            name,
            url,
        }
    }
}

/// `admin_url` with its database replaced by `name`.
fn database_url(admin_url: &str, name: &str) -> String {
    let scheme_end = admin_url.find("://").map_or(0, |i| i + 3);
    let (base, query) = match admin_url.find('?') {
        Some(q) => (&admin_url[..q], &admin_url[q..]),
        None => (admin_url, ""),
    };
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    format!("{}/{name}{query}", &base[..host_end])
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; a fresh thread with its own runtime may block.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                use sqlx::{Connection, Executor};
                if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin_url).await {
                    let _ = conn
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}

pub struct TestApp {
    pub dir: TempDir,
    pub clock: TestClock,
    pub state: AppState,
    pub app: Router,
    pub config: Config,
    pub pg: Option<PgDatabase>,
}

impl TestApp {
    /// A seeded server on SQLite at [`now`] with a built app in dist/.
    pub async fn new() -> TestApp {
        TestApp::on(Backend::Sqlite).await
    }

    pub async fn on(backend: Backend) -> TestApp {
        TestApp::on_with(backend, |_| {}).await
    }

    /// A seeded server on `backend` whose config `adjust` may change first.
    pub async fn on_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        write_dist(&dir.path().join("dist"));
        let clock = TestClock::at(now());
        let mut c = config(dir.path(), &clock);
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgDatabase::create().await),
        };
        c.database_url = pg.as_ref().map(|p| p.url.clone());
        adjust(&mut c);
        let mut t = TestApp::with_config(dir, clock, c).await;
        t.pg = pg;
        t
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
            config,
            pg: None,
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

    /// A request with an optional bearer token and an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Res {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let body = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Body::from(serde_json::to_vec(&v).unwrap())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    pub async fn get_as(&self, uri: &str, token: &str) -> Res {
        self.call(Method::GET, uri, Some(token), None).await
    }

    pub async fn post_as(&self, uri: &str, token: &str, body: serde_json::Value) -> Res {
        self.call(Method::POST, uri, Some(token), Some(body)).await
    }

    pub async fn delete_as(&self, uri: &str, token: &str) -> Res {
        self.call(Method::DELETE, uri, Some(token), None).await
    }

    /// Logs a demo student in with the demo password and returns the session token.
    pub async fn login(&self, student_no: &str) -> String {
        let res = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({
                    "student_no": student_no,
                    "password": kaozheng_server::demo::PASSWORD,
                })),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        res.json()["token"].as_str().unwrap().to_string()
    }

    /// A session for `student_no` written straight to the database (no login, no rate limit).
    pub async fn session_for(&self, student_no: &str) -> String {
        use kaozheng_server::auth::tokens;
        let token = tokens::new_token();
        let now = self.clock.now().timestamp();
        kaozheng_server::db::sessions::insert(
            &self.state.db.pool,
            &tokens::token_hash(&token),
            student_no,
            "password",
            now,
            now + 3600 * 24 * 30,
        )
        .await
        .unwrap();
        token
    }

    /// A new admin token, as `kaozheng-server admin-token create` makes one.
    pub async fn admin_token(&self) -> String {
        kaozheng_server::cli::admin_token_create(&self.state.db, "tests", self.clock.now())
            .await
            .unwrap()
    }

    /// Posts a file to the admin import endpoint.
    pub async fn import(
        &self,
        token: &str,
        kind: &str,
        content_type: &str,
        body: impl Into<Vec<u8>>,
    ) -> Res {
        let req = Request::post(format!("/api/v1/admin/import/{kind}"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", content_type)
            .body(Body::from(body.into()))
            .unwrap();
        self.send(req).await
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

impl TestClock {
    pub fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.0.load(Ordering::SeqCst), 0).unwrap()
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

    /// The error code of an error response.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("not an error: {}", self.text()))
            .to_string()
    }
}

pub fn brotli_compress(data: &[u8]) -> Vec<u8> {
    brotli_compress_at(data, 9)
}

/// Brotli at `quality` (0–11), with the window every server response uses.
pub fn brotli_compress_at(data: &[u8], quality: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, quality, 22);
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

/// A server on a real loopback port, running in its own task, for tests that need sockets.
pub struct Listening {
    pub url: String,
    pub addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Listening {
    pub fn serve(server: kaozheng_server::Server) -> Listening {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        Listening {
            url: server.url(),
            addr: server.local_addr(),
            stop: Some(stop),
            task: tokio::spawn(server.run(async {
                let _ = stopped.await;
            })),
        }
    }

    /// Asks for a graceful shutdown; requests already running may still finish.
    pub fn request_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).expect("the server is still running");
        }
    }

    pub fn finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Shuts down gracefully and waits (at most 10 s) for the server to end without error.
    pub async fn stop(mut self) {
        self.request_stop();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("graceful shutdown")
            .unwrap()
            .unwrap();
    }
}

/// Signs in over HTTP (for servers on a real port, in-process or child) and returns the token.
pub async fn http_login(
    client: &reqwest::Client,
    url: &str,
    student_no: &str,
    password: &str,
) -> String {
    let res: serde_json::Value = client
        .post(format!("{url}api/v1/auth/login"))
        .json(&serde_json::json!({"student_no": student_no, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    res["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token for {student_no}: {res}"))
        .to_string()
}
