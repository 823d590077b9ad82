//! The same schema, queries and flows on PostgreSQL. Needs a throwaway database (the test empties
//! its `public` schema): `KAOZHENG_TEST_POSTGRES_URL=postgres://… cargo test -p kaozheng-server --
//! --ignored`.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use kaozheng_core::Catalog;
use kaozheng_server::seed::{self, CatalogSeed};
use kaozheng_server::{AppState, db};
use sqlx::Executor;

use super::support::{TestApp, TestClock, config, fixture_catalog, now, write_dist};

const URL_VAR: &str = "KAOZHENG_TEST_POSTGRES_URL";

#[tokio::test]
#[ignore = "needs KAOZHENG_TEST_POSTGRES_URL, a throwaway PostgreSQL database"]
async fn postgres_serves_the_same_api() {
    let url = std::env::var(URL_VAR)
        .unwrap_or_else(|_| panic!("set {URL_VAR} to a throwaway PostgreSQL database"));
    {
        let db = db::Db::connect(&url).await.unwrap();
        assert_eq!(db.backend, db::Backend::Postgres);
        db.pool.execute("DROP SCHEMA public CASCADE").await.unwrap();
        db.pool.execute("CREATE SCHEMA public").await.unwrap();
        db.pool.close().await;
    }

    let dir = tempfile::tempdir().unwrap();
    write_dist(&dir.path().join("dist"));
    let clock = TestClock::at(now());
    let mut c = config(dir.path(), &clock);
    c.database_url = Some(url.clone());
    let t = TestApp::with_config(dir, clock.clone(), c.clone()).await;
    assert!(
        !c.data_dir.exists(),
        "no SQLite file is made when a database URL is given"
    );

    // Catalog: exact round trip, ETag, 304.
    let res = t.get("/api/v1/catalog").await;
    assert_eq!(res.status, StatusCode::OK);
    let served: Catalog = serde_json::from_slice(&res.body).unwrap();
    assert_eq!(served, fixture_catalog());
    let res = t
        .get_with(
            "/api/v1/catalog",
            &[("if-none-match", "W/\"fixture-2026-01\"")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_MODIFIED);

    // Plans and sites, with the same order as on SQLite.
    let all = t.get("/api/v1/plans").await.json();
    let plans = all["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 14);
    assert_eq!(all["as_of"], "2026-11-21T15:37:12+08:00");
    let mid = t
        .get("/api/v1/plans?level=intermediate&province=%E6%B2%B3%E5%8D%97")
        .await
        .json();
    for p in mid["plans"].as_array().unwrap() {
        assert_eq!(
            (p["level"].as_str(), p["province"].as_str()),
            (Some("intermediate"), Some("河南"))
        );
    }
    let sites = t.get("/api/v1/sites").await.json();
    let provinces: Vec<&str> = sites["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["province"].as_str().unwrap())
        .collect();
    let mut sorted = provinces.clone();
    sorted.sort();
    assert_eq!(provinces, sorted);

    // Seats: the guarded update cannot overbook under concurrency.
    let nearly_full = plans
        .iter()
        .find(|p| p["state"] == "open" && p["seats_left"].as_u64().unwrap() <= 2)
        .unwrap();
    let id = nearly_full["id"].as_str().unwrap().to_string();
    let left = nearly_full["seats_left"].as_u64().unwrap() as usize;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let pool = t.state.db.pool.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            db::plans::take_seat(&pool, &id).await.unwrap()
        }));
    }
    let mut won = 0;
    for task in tasks {
        won += usize::from(task.await.unwrap());
    }
    assert_eq!(won, left);

    // A catalog change made elsewhere reaches this server's cache.
    let mut next = fixture_catalog();
    next.version = "fixture-2026-02".into();
    let mut tx = t.state.db.pool.begin().await.unwrap();
    db::catalog::import(&mut tx, &next, "admin").await.unwrap();
    tx.commit().await.unwrap();
    let res = t.get("/api/v1/catalog").await;
    assert_eq!(res.header("etag"), "W/\"fixture-2026-02\"");

    // Restart: nothing seeded twice, seats kept.
    let ids_before: BTreeSet<String> = sqlx::query_scalar("SELECT id FROM exam_plans")
        .fetch_all(&t.state.db.pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    t.state.db.pool.close().await;
    let again = AppState::open(&c).await.unwrap();
    let report = seed::seed(&again.db, &fixture_catalog(), now(), true)
        .await
        .unwrap();
    assert_eq!(
        report.catalog,
        CatalogSeed::Kept {
            version: "fixture-2026-02".into()
        }
    );
    assert_eq!((report.demo_sites, report.demo_plans), (0, 0));
    let ids_after: BTreeSet<String> = sqlx::query_scalar("SELECT id FROM exam_plans")
        .fetch_all(&again.db.pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(ids_after, ids_before);
    let plan = db::plans::get(&again.db.pool, &id).await.unwrap().unwrap();
    assert_eq!(plan.seats_left, 0);
    again.db.pool.close().await;
}
