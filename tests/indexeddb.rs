//! `kaozheng::storage` against the real IndexedDB of headless Chromium.
//!
//! Run: `cargo test --target wasm32-unknown-unknown --test indexeddb` (runner and environment in
//! `.cargo/config.toml`). Every test works on a database of its own and deletes it at the end.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;

use chrono::{DateTime, TimeZone, Utc};
use gloo_timers::future::TimeoutFuture;
use indexed_db_futures::database::Database;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use kaozheng::i18n::{ZH, storage_error};
use kaozheng::storage::{
    BY_CERTIFICATE, BY_PLAN, CERTIFICATES, CURRENT_VERSION, Db, META, PLANS, REGISTRATIONS,
    StorageError,
};
use kaozheng_core::order;
use kaozheng_core::{
    Catalog, Certificate, EvaluationOrg, ExamPlan, LevelInfo, PlanPhase, SchoolLevel, Site, XLevel,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn unique_name(test: &str) -> String {
    format!("kz-test-{test}-{}", js_sys::Math::random().to_bits())
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
}

fn org(id: &str, name: &str, aliases: &[&str]) -> EvaluationOrg {
    EvaluationOrg {
        id: id.into(),
        name: name.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        pinyin: "pin yin".into(),
        url: None,
    }
}

fn certificate(id: &str, name: &str, org_id: &str) -> Certificate {
    Certificate {
        id: id.into(),
        name: name.into(),
        org_id: org_id.into(),
        batch: None,
        field: None,
        levels: Vec::new(),
        pinyin: "ce shi".into(),
        description: None,
    }
}

/// Ids deliberately not in alphabetical order, so a load that returns key order fails.
fn sample_catalog() -> Catalog {
    let mut web = certificate("web-frontend", "Web前端开发职业技能等级证书", "org-b");
    web.batch = Some(1);
    web.field = Some("信息技术".into());
    web.description = Some("面向前端开发岗位：HTML、CSS、JavaScript。".into());
    web.levels = vec![
        LevelInfo {
            level: XLevel::Primary,
            platform_id: Some("1001".into()),
            hours: Some(120),
            suitable_for: Some(vec![SchoolLevel::Secondary, SchoolLevel::Higher]),
            updated_on: chrono::NaiveDate::from_ymd_opt(2025, 3, 14),
            standard_url: None,
        },
        LevelInfo::new(XLevel::Intermediate),
        LevelInfo {
            level: XLevel::Advanced,
            platform_id: None,
            hours: Some(200),
            suitable_for: Some(Vec::new()),
            updated_on: None,
            standard_url: None,
        },
    ];
    Catalog {
        format: 1,
        version: "sha256:3f2a".into(),
        source: "全国职业院校技能等级证书信息管理服务平台（节选）".into(),
        synthetic: false,
        total_in_system: Some(447),
        orgs: vec![
            org("org-b", "北京新奥时代科技有限责任公司", &["新奥时代"]),
            org("org-a", "工业和信息化部教育与考试中心", &[]),
        ],
        certificates: vec![
            certificate("zz-last-id", "智能财税职业技能等级证书", "org-a"),
            web,
            certificate("aa-first-id", "老年照护职业技能等级证书", "org-a"),
            certificate("mm-middle", "物流管理职业技能等级证书", "org-b"),
        ],
    }
}

fn plan(id: &str, certificate_id: &str, site_id: &str, day: u32) -> ExamPlan {
    ExamPlan {
        id: id.into(),
        name: format!("2026年12月{certificate_id}职业技能等级证书（中级）考试"),
        certificate_id: certificate_id.into(),
        level: XLevel::Intermediate,
        province: "河南".into(),
        site_id: site_id.into(),
        phase: PlanPhase::Published,
        window_opens_at: at(day, 9),
        window_closes_at: at(day + 1, 17),
        exam_starts_at: at(day + 5, 9),
        exam_ends_at: at(day + 5, 11),
        capacity: 50,
        seats_left: 7,
        fee_fen: 30_000,
        payment: None,
    }
}

fn sample_plans() -> Vec<ExamPlan> {
    vec![
        plan("p-3", "web-frontend", "site-zz", 1),
        plan("p-1", "mm-middle", "site-aa", 2),
        plan("p-2", "web-frontend", "site-aa", 3),
        plan("p-0", "zz-last-id", "site-zz", 4),
    ]
}

fn sample_sites() -> Vec<Site> {
    vec![
        Site {
            id: "site-zz".into(),
            name: "郑州职业技术学院考点".into(),
            province: "河南".into(),
            city: "郑州".into(),
            address: "郑州市中原区桐柏北路".into(),
        },
        Site {
            id: "site-aa".into(),
            name: "开封大学考点".into(),
            province: "河南".into(),
            city: "开封".into(),
            address: String::new(),
        },
    ]
}

/// Awaits `fut`, failing the test instead of hanging if it takes longer than `ms`.
async fn within<T>(ms: u32, fut: impl Future<Output = T>) -> T {
    let mut fut = pin!(fut);
    let mut timer = pin!(TimeoutFuture::new(ms));
    poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
    .unwrap_or_else(|| panic!("did not finish within {ms} ms"))
}

/// A raw connection, for looking at and tampering with what is stored.
async fn raw(name: &str) -> Database {
    Database::open(name).await.expect("raw open")
}

async fn raw_put(name: &str, store: &str, key: &str, value: JsValue) {
    let db = raw(name).await;
    let tx = db
        .transaction(store)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let os = tx.object_store(store).unwrap();
    os.put(value)
        .with_key(key)
        .without_key_type()
        .primitive()
        .unwrap()
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close();
}

async fn raw_get(name: &str, store: &str, key: &str) -> Option<JsValue> {
    let db = raw(name).await;
    let tx = db.transaction(store).build().unwrap();
    let os = tx.object_store(store).unwrap();
    let value = os
        .get::<JsValue, _, _>(key)
        .primitive()
        .unwrap()
        .await
        .unwrap();
    drop(os);
    drop(tx);
    db.close();
    value
}

/// Every store of schema v3, sorted.
const ALL_STORES: [&str; 10] = [
    "certificates",
    "meta",
    "orgs",
    "outbox",
    "plans",
    "registrations",
    "results",
    "rules",
    "session",
    "sites",
];

fn assert_index(raw: &Database, store: &str, index: &str, key_path: &str) {
    let tx = raw.transaction(store).build().unwrap();
    let os = tx.object_store(store).unwrap();
    let found = os.index(index).unwrap();
    assert_eq!(found.as_sys().key_path().unwrap(), key_path);
}

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

#[wasm_bindgen_test]
async fn fresh_database_has_the_current_schema_and_nothing_saved() {
    let name = unique_name("fresh");
    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.version(), CURRENT_VERSION);
    assert_eq!(db.name(), name);
    assert_eq!(db.load_catalog().await.unwrap(), None);
    assert_eq!(db.load_plans().await.unwrap(), None);
    assert_eq!(db.load_sites().await.unwrap(), None);
    assert!(
        !db.touch_catalog(at(1, 0)).await.unwrap(),
        "nothing to touch"
    );
    assert!(
        db.plans_for_certificate("web-frontend")
            .await
            .unwrap()
            .value
            .is_empty()
    );
    drop(db);

    let raw = raw(&name).await;
    assert_eq!(raw.version() as u32, CURRENT_VERSION);
    let mut stores: Vec<String> = raw.object_store_names().collect();
    order::sort(&mut stores);
    assert_eq!(stores, ALL_STORES);
    assert_index(&raw, PLANS, BY_CERTIFICATE, "certificate_id");
    assert_index(&raw, REGISTRATIONS, BY_PLAN, "plan_id");
    raw.close();

    assert!(matches!(
        Db::open_at(&name, CURRENT_VERSION + 1).await,
        Err(StorageError::Other(_))
    ));
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn catalog_plans_and_sites_round_trip_in_order() {
    let name = unique_name("round-trip");
    let db = Db::open_named(&name).await.unwrap();
    let catalog = sample_catalog();
    db.save_catalog(&catalog, Some("\"v-3f2a\""), at(2, 8))
        .await
        .unwrap();
    db.save_plans(&sample_plans(), at(2, 7), at(2, 8))
        .await
        .unwrap();
    db.save_sites(&sample_sites(), at(2, 9)).await.unwrap();
    drop(db);

    // A new connection, as after a restart.
    let db = Db::open_named(&name).await.unwrap();
    let loaded = db.load_catalog().await.unwrap().expect("saved catalog");
    assert_eq!(loaded.value, catalog);
    assert!(loaded.skipped.is_empty());
    assert_eq!(loaded.meta.etag.as_deref(), Some("\"v-3f2a\""));
    assert_eq!(loaded.meta.synced_at, Some(at(2, 8)));
    assert_eq!(loaded.meta.total_in_system, Some(447));

    let plans = db.load_plans().await.unwrap().expect("saved plans");
    assert_eq!(plans.value, sample_plans());
    assert_eq!(plans.meta.as_of, at(2, 7));
    assert_eq!(plans.meta.synced_at, at(2, 8));
    let sites = db.load_sites().await.unwrap().expect("saved sites");
    assert_eq!(sites.value, sample_sites());
    assert_eq!(sites.meta.synced_at, at(2, 9));

    let web = db.plans_for_certificate("web-frontend").await.unwrap();
    let ids: Vec<&str> = web.value.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        ["p-3", "p-2"],
        "only that certificate's plans, in saved order"
    );
    assert!(
        db.plans_for_certificate("nobody")
            .await
            .unwrap()
            .value
            .is_empty()
    );

    // No ETag and no optional fields survive as None, not as empty strings.
    let mut bare = catalog.clone();
    bare.total_in_system = None;
    bare.synthetic = true;
    bare.certificates.truncate(1);
    db.save_catalog(&bare, None, at(3, 0)).await.unwrap();
    let loaded = db.load_catalog().await.unwrap().unwrap();
    assert_eq!(loaded.value, bare);
    assert_eq!(loaded.meta.etag, None);
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn saving_replaces_the_whole_set() {
    let name = unique_name("replace");
    let db = Db::open_named(&name).await.unwrap();
    db.save_catalog(&sample_catalog(), Some("a"), at(1, 0))
        .await
        .unwrap();
    db.save_plans(&sample_plans(), at(1, 0), at(1, 0))
        .await
        .unwrap();

    let mut next = sample_catalog();
    next.version = "sha256:next".into();
    next.certificates.retain(|c| c.id != "aa-first-id");
    next.certificates[0].name = "智能财税职业技能等级证书（2026版）".into();
    next.orgs.pop();
    db.save_catalog(&next, Some("b"), at(2, 0)).await.unwrap();
    db.save_plans(&sample_plans()[2..], at(2, 0), at(2, 0))
        .await
        .unwrap();

    let loaded = db.load_catalog().await.unwrap().unwrap();
    assert_eq!(loaded.value, next);
    assert!(
        loaded
            .value
            .certificates
            .iter()
            .all(|c| c.id != "aa-first-id")
    );
    assert_eq!(loaded.meta.version, "sha256:next");
    assert_eq!(loaded.meta.etag.as_deref(), Some("b"));
    let plans = db.load_plans().await.unwrap().unwrap().value;
    assert_eq!(plans, sample_plans()[2..]);
    let web = db
        .plans_for_certificate("web-frontend")
        .await
        .unwrap()
        .value;
    assert_eq!(web.len(), 1, "the index forgets replaced plans too");
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn touching_the_catalog_changes_only_the_sync_time() {
    let name = unique_name("touch");
    let db = Db::open_named(&name).await.unwrap();
    db.save_catalog(&sample_catalog(), Some("etag-1"), at(1, 0))
        .await
        .unwrap();
    let before = db.load_catalog().await.unwrap().unwrap();
    assert!(db.touch_catalog(at(5, 12)).await.unwrap());
    let after = db.load_catalog().await.unwrap().unwrap();
    assert_eq!(after.meta.synced_at, Some(at(5, 12)));
    assert_eq!(after.value, before.value);
    let mut expected = before.meta.clone();
    expected.synced_at = Some(at(5, 12));
    assert_eq!(after.meta, expected, "ETag and header otherwise unchanged");
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_corrupt_record_is_skipped_and_reported() {
    let name = unique_name("corrupt");
    let db = Db::open_named(&name).await.unwrap();
    let catalog = sample_catalog();
    db.save_catalog(&catalog, None, at(1, 0)).await.unwrap();
    db.save_plans(&sample_plans(), at(1, 0), at(1, 0))
        .await
        .unwrap();
    drop(db);

    raw_put(&name, CERTIFICATES, "broken-number", JsValue::from(42)).await;
    let bad_json = js_sys::Object::new();
    js_sys::Reflect::set(&bad_json, &"order".into(), &JsValue::from(1)).unwrap();
    js_sys::Reflect::set(&bad_json, &"json".into(), &"{\"id\": ".into()).unwrap();
    raw_put(&name, CERTIFICATES, "broken-json", bad_json.into()).await;
    let bad_plan = js_sys::Object::new();
    js_sys::Reflect::set(&bad_plan, &"order".into(), &JsValue::from(0)).unwrap();
    js_sys::Reflect::set(&bad_plan, &"certificate_id".into(), &"web-frontend".into()).unwrap();
    js_sys::Reflect::set(&bad_plan, &"json".into(), &"{\"id\":\"p-9\"}".into()).unwrap();
    raw_put(&name, PLANS, "p-9", bad_plan.into()).await;

    let db = Db::open_named(&name).await.unwrap();
    let loaded = db.load_catalog().await.unwrap().unwrap();
    assert_eq!(
        loaded.value, catalog,
        "every good record still loads, in order"
    );
    let mut skipped: Vec<(&str, &str)> = loaded
        .skipped
        .iter()
        .map(|s| (s.store, s.key.as_str()))
        .collect();
    order::sort(&mut skipped);
    assert_eq!(
        skipped,
        [
            (CERTIFICATES, "broken-json"),
            (CERTIFICATES, "broken-number")
        ]
    );
    assert!(loaded.skipped.iter().all(|s| !s.reason.is_empty()));
    let number = loaded
        .skipped
        .iter()
        .find(|s| s.key == "broken-number")
        .unwrap();
    assert!(number.reason.contains("number"), "{}", number.reason);

    let web = db.plans_for_certificate("web-frontend").await.unwrap();
    assert_eq!(web.value.len(), 2);
    assert_eq!(
        web.skipped.len(),
        1,
        "a bad plan found through the index is reported too"
    );
    assert_eq!(web.skipped[0].key, "p-9");
    assert!(
        web.skipped[0].reason.contains("missing field"),
        "{}",
        web.skipped[0].reason
    );
    drop(db);

    // A damaged header cannot be skipped: the whole set is unusable and says so.
    raw_put(&name, META, "catalog", JsValue::from_str("{\"format\":")).await;
    let db = Db::open_named(&name).await.unwrap();
    match db.load_catalog().await {
        Err(StorageError::Corrupt { store, key, .. }) => {
            assert_eq!((store.as_str(), key.as_str()), (META, "catalog"));
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn data_written_at_v1_survives_the_migration() {
    let name = unique_name("migrate");
    let old = Db::open_at(&name, 1).await.unwrap();
    assert_eq!(old.version(), 1);
    let catalog = sample_catalog();
    old.save_catalog(&catalog, Some("v1-etag"), at(1, 0))
        .await
        .unwrap();
    old.save_plans(&sample_plans(), at(1, 1), at(1, 2))
        .await
        .unwrap();
    old.save_sites(&sample_sites(), at(1, 3)).await.unwrap();
    // v1 has no index; the same question is answered by a scan.
    let web = old
        .plans_for_certificate("web-frontend")
        .await
        .unwrap()
        .value;
    assert_eq!(web.len(), 2);
    drop(old);

    let stored = raw_get(&name, PLANS, "p-3").await.unwrap();
    assert!(stored.is_string(), "v1 stores JSON text");
    raw_put(
        &name,
        CERTIFICATES,
        "v1-garbage",
        JsValue::from_str("not json"),
    )
    .await;

    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.version(), CURRENT_VERSION);
    let loaded = db.load_catalog().await.unwrap().unwrap();
    assert_eq!(loaded.value, catalog);
    assert_eq!(loaded.meta.etag.as_deref(), Some("v1-etag"));
    assert_eq!(loaded.skipped.len(), 1, "{:?}", loaded.skipped);
    assert_eq!(loaded.skipped[0].key, "v1-garbage");
    let plans = db.load_plans().await.unwrap().unwrap();
    assert_eq!(plans.value, sample_plans());
    assert_eq!(
        (plans.meta.as_of, plans.meta.synced_at),
        (at(1, 1), at(1, 2))
    );
    assert_eq!(
        db.load_sites().await.unwrap().unwrap().value,
        sample_sites()
    );
    let web = db
        .plans_for_certificate("web-frontend")
        .await
        .unwrap()
        .value;
    let ids: Vec<&str> = web.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["p-3", "p-2"], "the new index covers migrated plans");
    drop(db);

    let stored = raw_get(&name, PLANS, "p-3").await.unwrap();
    assert!(stored.is_object(), "v2 stores envelope objects");
    let promoted = js_sys::Reflect::get(&stored, &"certificate_id".into()).unwrap();
    assert_eq!(promoted, "web-frontend");
    // Both steps ran: the v3 stores exist too.
    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.pending_count().await.unwrap(), 0);
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn data_written_at_v2_survives_the_v3_migration() {
    let name = unique_name("migrate-v3");
    let old = Db::open_at(&name, 2).await.unwrap();
    assert_eq!(old.version(), 2);
    let catalog = sample_catalog();
    old.save_catalog(&catalog, Some("v2-etag"), at(1, 0))
        .await
        .unwrap();
    old.save_plans(&sample_plans(), at(1, 1), at(1, 2))
        .await
        .unwrap();
    old.save_sites(&sample_sites(), at(1, 3)).await.unwrap();
    // A v2 connection has no personal stores, and says so rather than failing obscurely.
    for error in [
        old.load_session().await.map(|_| ()).unwrap_err(),
        old.pending_count().await.map(|_| ()).unwrap_err(),
        old.wipe_personal().await.map(|_| ()).unwrap_err(),
        old.load_rules("fees").await.map(|_| ()).unwrap_err(),
        old.try_lease("tab", at(1, 0), chrono::Duration::seconds(30))
            .await
            .map(|_| ())
            .unwrap_err(),
    ] {
        match error {
            StorageError::Other(why) => assert!(why.contains("v3"), "{why}"),
            other => panic!("expected Other, got {other:?}"),
        }
    }
    drop(old);
    let check = raw(&name).await;
    assert_eq!(check.version() as u32, 2);
    assert_eq!(check.object_store_names().count(), 5);
    check.close();

    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.version(), 3);
    let loaded = db.load_catalog().await.unwrap().unwrap();
    assert_eq!(loaded.value, catalog);
    assert!(loaded.skipped.is_empty());
    assert_eq!(loaded.meta.etag.as_deref(), Some("v2-etag"));
    let plans = db.load_plans().await.unwrap().unwrap();
    assert_eq!(plans.value, sample_plans());
    assert_eq!(
        (plans.meta.as_of, plans.meta.synced_at),
        (at(1, 1), at(1, 2))
    );
    assert_eq!(
        db.load_sites().await.unwrap().unwrap().value,
        sample_sites()
    );
    let web = db
        .plans_for_certificate("web-frontend")
        .await
        .unwrap()
        .value;
    let ids: Vec<&str> = web.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["p-3", "p-2"], "the v2 index still answers");
    // The new stores are there, empty and usable.
    assert_eq!(db.load_session().await.unwrap(), None);
    assert!(db.local_registrations().await.unwrap().value.is_empty());
    assert!(db.outbox().await.unwrap().value.is_empty());
    assert_eq!(db.load_results().await.unwrap().meta, None);
    assert_eq!(db.load_rules("fees").await.unwrap(), None);
    db.save_rules("fees", "{}", Some("W/\"v1\""), at(2, 0))
        .await
        .unwrap();
    let stored = db.load_rules("fees").await.unwrap().unwrap();
    assert_eq!(
        (
            stored.json.as_str(),
            stored.etag.as_deref(),
            stored.synced_at
        ),
        ("{}", Some("W/\"v1\""), at(2, 0))
    );
    drop(db);

    let check = raw(&name).await;
    assert_eq!(check.version() as u32, CURRENT_VERSION);
    let mut stores: Vec<String> = check.object_store_names().collect();
    order::sort(&mut stores);
    assert_eq!(stores, ALL_STORES);
    assert_index(&check, PLANS, BY_CERTIFICATE, "certificate_id");
    assert_index(&check, REGISTRATIONS, BY_PLAN, "plan_id");
    check.close();
    let stored = raw_get(&name, PLANS, "p-2").await.unwrap();
    assert!(stored.is_object(), "v2 envelopes are kept as they are");
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_upgrade_in_another_connection_closes_ours_instead_of_hanging() {
    let name = unique_name("version-change");
    let old = Db::open_at(&name, 1).await.unwrap();
    old.save_sites(&sample_sites(), at(1, 0)).await.unwrap();
    let seen = Rc::new(RefCell::new(None));
    old.on_connection_lost({
        let seen = seen.clone();
        move |e| *seen.borrow_mut() = Some(e.clone())
    });
    assert_eq!(old.connection_lost(), None);

    // Another tab (here: another connection) with newer code opens at the current version.
    let new = within(10_000, Db::open_named(&name))
        .await
        .expect("the upgrade is not blocked by the old connection");
    assert_eq!(old.connection_lost(), Some(StorageError::VersionChanged));
    assert_eq!(*seen.borrow(), Some(StorageError::VersionChanged));
    assert_eq!(
        old.load_sites().await.unwrap_err(),
        StorageError::VersionChanged
    );
    assert_eq!(
        old.save_sites(&[], at(2, 0)).await.unwrap_err(),
        StorageError::VersionChanged
    );
    assert_eq!(
        new.load_sites().await.unwrap().unwrap().value,
        sample_sites()
    );

    // A hook registered after the fact still hears about it.
    let late = Rc::new(RefCell::new(false));
    old.on_connection_lost({
        let late = late.clone();
        move |_| *late.borrow_mut() = true
    });
    assert!(*late.borrow());
    drop(old);
    drop(new);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn opening_while_an_old_connection_holds_on_reports_blocked() {
    let name = unique_name("blocked");
    let v1 = Db::open_at(&name, 1).await.unwrap();
    v1.save_sites(&sample_sites(), at(1, 0)).await.unwrap();
    drop(v1);

    // An old tab's connection that ignores `versionchange`.
    let stubborn = raw(&name).await;
    assert_eq!(stubborn.version() as u32, 1);
    let result = within(10_000, Db::open_named(&name)).await;
    assert_eq!(result.err(), Some(StorageError::Blocked));

    // Once the old tab lets go, the pending upgrade runs its migrations by itself.
    stubborn.close();
    let db = within(10_000, Db::open_named(&name)).await.unwrap();
    assert_eq!(
        db.load_sites().await.unwrap().unwrap().value,
        sample_sites()
    );
    drop(db);
    let check = raw(&name).await;
    assert_eq!(check.version() as u32, CURRENT_VERSION);
    check.close();
    let stored = raw_get(&name, "sites", "site-aa").await.unwrap();
    assert!(stored.is_object(), "migrated by the background upgrade");
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn deleting_the_database_removes_everything() {
    let name = unique_name("delete");
    let db = Db::open_named(&name).await.unwrap();
    db.save_catalog(&sample_catalog(), None, at(1, 0))
        .await
        .unwrap();
    // The open connection closes itself when the deletion asks it to.
    Db::delete_database(&name).await.unwrap();
    assert_eq!(db.connection_lost(), Some(StorageError::VersionChanged));
    drop(db);
    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.load_catalog().await.unwrap(), None);
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
fn dom_exceptions_map_to_what_the_student_can_do() {
    let dom = |name: &str| web_sys::DomException::new_with_message_and_name("m", name).unwrap();
    assert_eq!(
        StorageError::from_dom_exception(&dom("QuotaExceededError")),
        StorageError::QuotaExceeded
    );
    assert_eq!(
        StorageError::from_dom_exception(&dom("VersionError")),
        StorageError::VersionChanged
    );
    let other = StorageError::from_dom_exception(&dom("DataError"));
    assert_eq!(other, StorageError::Other("DataError: m".into()));
    assert!(StorageError::QuotaExceeded.to_string().contains("quota"));
    assert!(storage_error(&ZH, &StorageError::QuotaExceeded).contains("空间"));
    assert!(storage_error(&ZH, &StorageError::Blocked).contains("标签页"));
}

#[wasm_bindgen_test]
async fn five_thousand_certificates_save_and_load() {
    const N: usize = 5_000;
    let name = unique_name("bulk");
    let mut catalog = sample_catalog();
    catalog.certificates = (0..N)
        .map(|i| {
            let mut c = certificate(
                &format!("cert-{:05}", (i * 7919) % N),
                &format!("测试证书{i}号职业技能等级证书"),
                if i % 2 == 0 { "org-a" } else { "org-b" },
            );
            c.batch = Some((i % 4) as u8 + 1);
            c.field = Some("现代服务".into());
            c.pinyin = format!("ce shi zheng shu {i} hao");
            c.description = (i % 3 == 0).then(|| {
                "培训评价组织负责标准开发、教材和学习资源开发、考核站点建设、考核颁证等工作。"
                    .into()
            });
            c.levels = XLevel::ALL
                .into_iter()
                .map(|level| LevelInfo {
                    platform_id: Some(format!("{i}-{}", level.code())),
                    hours: Some(90),
                    ..LevelInfo::new(level)
                })
                .collect();
            c
        })
        .collect();
    let db = Db::open_named(&name).await.unwrap();

    let start = now_ms();
    db.save_catalog(&catalog, Some("bulk"), at(1, 0))
        .await
        .unwrap();
    let saved = now_ms();
    let loaded = db.load_catalog().await.unwrap().unwrap();
    let done = now_ms();
    web_sys::console::log_1(
        &format!(
            "indexeddb: {N} certificates: save {:.0} ms, load {:.0} ms",
            saved - start,
            done - saved
        )
        .into(),
    );
    assert_eq!(loaded.value.certificates.len(), N);
    assert!(loaded.skipped.is_empty());
    assert_eq!(loaded.value, catalog);
    drop(db);
    Db::delete_database(&name).await.unwrap();
}
