//! Start-up and restarts: migrations on a fresh directory, idempotent seeding, data kept across
//! restarts, catalog upgrades from a newer binary, a real port, and the binary's start-up line.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use kaozheng_server::auth::password::Passwords;
use kaozheng_server::demo::DemoReport;
use kaozheng_server::seed::{self, CatalogSeed};
use kaozheng_server::{AppState, Server, db};

use super::support::{Listening, TestApp, TestClock, config, fixture_catalog, http_login, now};
use crate::on_both;

async fn counts(state: &AppState) -> (i64, i64, i64, i64) {
    let pool = &state.db.pool;
    let one = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    (
        one("SELECT COUNT(*) FROM sites").await,
        one("SELECT COUNT(*) FROM exam_plans").await,
        one("SELECT COUNT(*) FROM certificates").await,
        one("SELECT COUNT(*) FROM certificate_levels").await,
    )
}

#[tokio::test]
async fn migrations_run_on_a_directory_that_does_not_exist_yet() {
    let root = tempfile::tempdir().unwrap();
    let clock = TestClock::at(now());
    let mut c = config(root.path(), &clock);
    c.data_dir = root.path().join("not/yet/there");
    assert!(!c.data_dir.exists());
    let state = AppState::open(&c).await.unwrap();
    assert!(c.data_dir.join("kaozheng.sqlite3").is_file());
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(
        applied,
        db::migrator(state.db.backend).iter().count() as i64
    );
    assert_eq!(counts(&state).await, (5, 14, 7, 14));
}

on_both! {
    /// Seeding again changes nothing; a restart a week later keeps every record and moves the demo
    /// a week on, so its plans are still in the states they were made for.
    async fn seeding_twice_changes_nothing_and_data_survives_a_restart(b) {
        let t = TestApp::on(b).await;
        let first = counts(&t.state).await;
        assert!(
            db::plans::take_seat(&t.state.db.pool, "demo-bim-primary")
                .await
                .unwrap()
                .is_some()
        );
        let plan = db::plans::get(&t.state.db.pool, "demo-bim-primary")
            .await
            .unwrap()
            .unwrap();
        let catalog = t.get("/api/v1/catalog").await.body;
        let passwords = Passwords::new(64, 1).unwrap();

        // Seeding again directly reports that nothing was written…
        let report = seed::seed(&t.state.db, &fixture_catalog(), now(), Some(&passwords))
            .await
            .unwrap();
        assert_eq!(
            report.catalog,
            CatalogSeed::Kept {
                version: "fixture-2026-01".into()
            }
        );
        assert_eq!(report.demo, Some(DemoReport::default()));

        // …and a restart a week later writes nothing new but moves the demo by seven days.
        let TestApp { dir, state, config, pg, .. } = t;
        state.db.pool.close().await;
        let clock = TestClock::at(now() + chrono::Duration::days(7));
        let mut c = config.clone();
        c.clock = clock.clock();
        let again = AppState::open(&c).await.unwrap();
        assert_eq!(counts(&again).await, first);
        let moved = db::plans::get(&again.db.pool, "demo-bim-primary")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(moved.seats_left, plan.seats_left, "the seat taken before stays taken");
        assert_eq!(moved.exam_starts_at - plan.exam_starts_at, chrono::Duration::days(7));
        assert_eq!(moved.state_at(clock.now()), plan.state_at(now()));
        let app = kaozheng_server::app(again.clone());
        let res = tower::ServiceExt::oneshot(
            app,
            axum::http::Request::get("/api/v1/catalog")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        assert_eq!(body, catalog);
        // Starting again the same day moves nothing.
        let report = seed::seed(&again.db, &fixture_catalog(), clock.now(), Some(&passwords))
            .await
            .unwrap();
        assert_eq!(report.demo.unwrap().shifted_days, 0);
        again.db.pool.close().await;
        drop((dir, pg));
    }
}

#[tokio::test]
async fn a_newer_built_in_catalog_replaces_the_stored_one() {
    let t = TestApp::new().await;
    let TestApp {
        dir, state, clock, ..
    } = t;
    state.db.pool.close().await;

    let mut next = fixture_catalog();
    next.version = "fixture-2026-02".into();
    next.certificates[1].name = "物流管理（新版）职业技能等级证书".into();
    next.certificates[1].pinyin = "wu liu guan li xin ban zhi ye ji neng deng ji zheng shu".into();
    let mut c = config(dir.path(), &clock);
    c.catalog = Some(Arc::new(next.clone()));
    let state = AppState::open(&c).await.unwrap();
    let stored = db::catalog::load(&state.db.pool).await.unwrap().unwrap();
    assert_eq!(stored, next);
    assert_eq!(state.catalog.cached().unwrap().version, "fixture-2026-02");
    state.db.pool.close().await;

    // One that drops a certificate exam plans use is refused, and the stored one stays.
    let mut dropped = next.clone();
    dropped.version = "fixture-2026-03".into();
    dropped.certificates.retain(|c| c.id != "bim");
    c.catalog = Some(Arc::new(dropped.clone()));
    let report = {
        let db = db::Db::connect(&db::sqlite_url(&c.sqlite_path()).unwrap())
            .await
            .unwrap();
        let r = seed::seed(&db, &dropped, now(), None).await.unwrap();
        db.pool.close().await;
        r
    };
    match report.catalog {
        CatalogSeed::KeptStale { version, reason } => {
            assert_eq!(version, "fixture-2026-02");
            assert!(reason.contains("bim"), "{reason}");
        }
        other => panic!("expected KeptStale, got {other:?}"),
    }
    let state = AppState::open(&c).await.unwrap();
    assert_eq!(state.catalog.cached().unwrap().version, "fixture-2026-02");
}

on_both! {
    async fn a_catalog_imported_on_purpose_is_not_replaced_by_the_built_in_one(b) {
    let t = TestApp::on(b).await;
    let mut imported = fixture_catalog();
    imported.version = "school-import-7".into();
    let mut tx = t.state.db.pool.begin().await.unwrap();
    db::catalog::import(&mut tx, &imported, "admin")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let report = seed::seed(&t.state.db, &fixture_catalog(), now(), None)
        .await
        .unwrap();
    assert_eq!(
        report.catalog,
        CatalogSeed::Kept {
            version: "school-import-7".into()
        }
    );
    }
}

#[tokio::test]
async fn no_demo_means_no_demo_records() {
    let root = tempfile::tempdir().unwrap();
    let clock = TestClock::at(now());
    let mut c = config(root.path(), &clock);
    c.demo = false;
    let state = AppState::open(&c).await.unwrap();
    assert_eq!(counts(&state).await, (0, 0, 7, 14));
}

#[tokio::test]
async fn a_real_port_answers_http() {
    let root = tempfile::tempdir().unwrap();
    let clock = TestClock::at(now());
    super::support::write_dist(&root.path().join("dist"));
    let server = Listening::serve(Server::start(config(root.path(), &clock)).await.unwrap());
    let port = server.addr.port();
    assert_ne!(port, 0);
    let url = server.url.clone();
    assert_eq!(url, format!("http://127.0.0.1:{port}/"));

    let client = reqwest::Client::new();
    let sites: serde_json::Value = client
        .get(format!("{url}api/v1/sites"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sites["sites"].as_array().unwrap().len(), 5);
    let res = client
        .get(format!("{url}api/v1/catalog"))
        .header("if-none-match", "W/\"fixture-2026-01\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    let page = client
        .get(format!("{url}certificates/bim"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-cache");

    server.stop().await;
}

/// Kills the child on drop, so a failing assertion leaves no server behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_its_url_and_serves_the_built_in_catalog() {
    let root = tempfile::tempdir().unwrap();
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_kaozheng-server"))
            .args([
                "serve",
                "--demo",
                "--port",
                "0",
                "--argon2-memory-kib",
                "64",
            ])
            .args(["--argon2-iterations", "1", "--data-dir"])
            .arg(root.path().join("var"))
            .arg("--dist")
            .arg(root.path().join("dist"))
            .env_remove("DATABASE_URL")
            .env_remove("KAOZHENG_PORT")
            .env_remove("KAOZHENG_BIND")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    });
    let line = tokio::time::timeout(Duration::from_secs(60), line)
        .await
        .expect("the server printed its URL")
        .unwrap();
    let url = line
        .trim_end()
        .strip_prefix("Kaozheng serving on ")
        .unwrap_or_else(|| panic!("unexpected start-up line {line:?}"));
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );
    let port: u16 = url["http://127.0.0.1:".len()..url.len() - 1]
        .parse()
        .unwrap();
    assert_ne!(port, 0);

    let res = reqwest::get(format!("{url}api/v1/catalog")).await.unwrap();
    assert_eq!(res.status(), 200);
    let catalog: kaozheng_core::Catalog = res.json().await.unwrap();
    assert_eq!(catalog, seed::default_catalog().unwrap());
    let plans: serde_json::Value = reqwest::get(format!("{url}api/v1/plans"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(plans["plans"].as_array().unwrap().len() >= 8);
    let home = reqwest::get(url).await.unwrap();
    assert_eq!(home.status(), 503, "no dist/ in this test");
    assert!(root.path().join("var/kaozheng.sqlite3").is_file());
}

/// Shutdown (SIGTERM, a deploy) while a registration whose client already left is still waiting
/// for the database: the server lets it finish before closing the database, so it is stored and
/// the client's retry after the restart gets it.
#[tokio::test]
async fn shutdown_waits_for_writes_whose_clients_left() {
    let root = tempfile::tempdir().unwrap();
    let clock = TestClock::at(now());
    super::support::write_dist(&root.path().join("dist"));
    let c = config(root.path(), &clock);
    let server = Server::start(c.clone()).await.unwrap();
    let db = server.state().db.clone();
    let mut server = Listening::serve(server);
    let url = server.url.clone();
    let client = reqwest::Client::new();
    let token = http_login(&client, &url, "TJ2024002", kaozheng_server::demo::PASSWORD).await;

    // Another writer holds the database; the registration waits, and its client gives up.
    let writer = db.begin_write().await.unwrap();
    let left = client
        .post(format!("{url}api/v1/registrations"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"client_id": "left-before-shutdown", "plan_id": "demo-sensor-network-intermediate"}))
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(
        left.is_err(),
        "the request should still be waiting: {left:?}"
    );
    server.request_stop();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!server.finished(), "shutdown must wait for the write");
    writer.rollback().await.unwrap();
    server.stop().await;

    let state = AppState::open(&c).await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registrations WHERE client_id = $1")
        .bind("left-before-shutdown")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

/// The health check a load balancer polls: 200 while the database answers, 503 with the error
/// shape when it does not.
#[tokio::test]
async fn health_says_whether_the_database_answers() {
    let t = TestApp::new().await;
    let res = t.get("/api/v1/health").await;
    assert_eq!(res.status, axum::http::StatusCode::OK);
    assert_eq!(res.json(), serde_json::json!({"status": "ok"}));
    t.state.db.pool.close().await;
    let res = t.get("/api/v1/health").await;
    assert_eq!(
        (res.status, res.code().as_str()),
        (axum::http::StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    );
}

/// SIGTERM (a service manager or a rolling deploy stopping the process): the listener closes at
/// once, a request already in flight (its body half sent when the signal came) is still read,
/// answered and logged, and the process exits 0 after it.
#[tokio::test]
async fn sigterm_finishes_the_request_in_flight_then_exits_cleanly() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::harness::{DbTarget, ServerProcess};
    let root = tempfile::tempdir().unwrap();
    let db = DbTarget::Sqlite(root.path().join("var"));
    let log = root.path().join("server.log");
    let mut server = ServerProcess::start(
        &db,
        &root.path().join("dist"),
        &log,
        "info",
        &["--demo".into()],
    )
    .await;
    let health = reqwest::get(format!("{}api/v1/health", server.url))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    let body = format!(
        r#"{{"student_no": "TJ2024001", "password": "{}"}}"#,
        kaozheng_server::demo::PASSWORD
    );
    let (first, rest) = body.split_at(10);
    let mut s = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    s.write_all(
        format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{first}",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    // Let the server take the request in before the signal.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopping = tokio::spawn({
        let addr = server.addr();
        async move {
            // New connections are refused soon after the signal.
            for _ in 0..200 {
                if tokio::net::TcpStream::connect(&addr).await.is_err() {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            false
        }
    });
    server.signal_term();
    assert!(
        stopping.await.unwrap(),
        "the listener still accepts after SIGTERM"
    );
    s.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut answer))
        .await
        .expect("the request in flight is answered")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(answer.contains("\"token\""), "{answer}");
    let status = server
        .wait_exit(Duration::from_secs(15))
        .await
        .expect("the server exits after its last request");
    assert!(status.success(), "{status:?}");
    let logged = std::fs::read_to_string(&log).unwrap();
    for line in ["shutting down", "session started", "stopped"] {
        assert!(logged.contains(line), "no {line:?} in the log:\n{logged}");
    }
}
