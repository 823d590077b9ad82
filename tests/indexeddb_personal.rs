//! The student's own data in `kaozheng::storage` (schema v3) against the real IndexedDB of headless
//! Chromium: session, registrations and their outbox, results, rules, the flush lease, sign-out.
//!
//! Run: `cargo test -p kaozheng --target wasm32-unknown-unknown --test indexeddb_personal`
//! (runner and environment in `.cargo/config.toml`). Every test works on a database of its own
//! and deletes it at the end.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

use chrono::{DateTime, Duration, TimeZone, Utc};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use kaozheng::storage::{Db, META, OUTBOX, REGISTRATIONS, RESULTS, Session, StorageError};
use kaozheng_core::model::{
    ExamResult, FeeDecision, FeeReason, ModuleResult, Payer, Registration, RegistrationStatus,
    Score, Student,
};
use kaozheng_core::outbox::{Action, LocalRegistration, LocalState, OutboxEntry};
use kaozheng_core::rules::{FeePolicy, FeeRule, FeeRules, Scope};
use kaozheng_core::{
    Catalog, Certificate, EvaluationOrg, ExamPlan, Module, PlanPhase, PlanState, SchoolLevel, Site,
    XLevel,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn unique_name(test: &str) -> String {
    format!("kz-test-{test}-{}", js_sys::Math::random().to_bits())
}

/// 2026-12-01 09:00 UTC plus `minutes`.
fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn plan(id: &str) -> ExamPlan {
    ExamPlan {
        id: id.into(),
        name: format!("2026年12月Web前端开发职业技能等级证书（中级）考试 {id}"),
        certificate_id: "web-frontend".into(),
        level: XLevel::Intermediate,
        province: "河南".into(),
        site_id: "site-zz".into(),
        phase: PlanPhase::Published,
        window_opens_at: t(0),
        window_closes_at: t(60 * 24 * 7),
        exam_starts_at: t(60 * 24 * 20),
        exam_ends_at: t(60 * 24 * 20 + 120),
        capacity: 50,
        seats_left: 7,
        fee_fen: 30_000,
        payment: None,
    }
}

/// A registration as the student confirms it, and its `Register` entry.
fn queued(client_id: &str, plan_id: &str, at: DateTime<Utc>) -> (LocalRegistration, OutboxEntry) {
    let reg = LocalRegistration::queued(client_id.into(), &plan(plan_id), None, at);
    let entry = OutboxEntry::new(
        client_id.into(),
        Action::Register {
            plan_id: plan_id.into(),
        },
        at,
    );
    (reg, entry)
}

fn cancel(id: &str, client_id: &str, registration_id: &str, at: DateTime<Utc>) -> OutboxEntry {
    OutboxEntry::new(
        id.into(),
        Action::Cancel {
            client_id: client_id.into(),
            registration_id: registration_id.into(),
        },
        at,
    )
}

/// The server's record of `client_id`'s registration, with id `r-<client_id>`.
fn server(client_id: &str, plan_id: &str, status: RegistrationStatus) -> Registration {
    let p = plan(plan_id);
    Registration {
        id: format!("r-{client_id}"),
        client_id: client_id.into(),
        plan_id: plan_id.into(),
        certificate_id: p.certificate_id,
        level: p.level,
        status,
        ticket_no: format!("2026000100{client_id}"),
        ticket_check: String::new(),
        fee: FeeDecision {
            fee_fen: 30_000,
            student_pays_fen: 0,
            payer: Payer::NotCharged,
            reason: FeeReason::InSchoolFree,
            policy: Some("henan-2022-in-school-not-charged".into()),
        },
        exam_starts_at: p.exam_starts_at,
        exam_ends_at: p.exam_ends_at,
        created_at: t(1),
        cancelled_at: (status == RegistrationStatus::Cancelled).then(|| t(2)),
        fee_paid_at: None,
    }
}

fn student() -> Student {
    Student {
        student_no: "2024010203".into(),
        name: "李雷".into(),
        school: "郑州职业技术学院".into(),
        school_level: SchoolLevel::Higher,
        major: Some("软件技术".into()),
        province: "河南".into(),
        hardship: false,
        pilot: false,
        passed_courses: Vec::new(),
        graduation_on: None,
    }
}

fn exam_result(registration_id: &str, theory: &str) -> ExamResult {
    let pass_mark = Score::parse("60").unwrap();
    let modules = vec![
        ModuleResult {
            module: Module::Theory,
            score: Score::parse(theory),
            pass_mark,
            exempted: false,
        },
        ModuleResult {
            module: Module::Practical,
            score: None,
            pass_mark,
            exempted: true,
        },
    ];
    ExamResult {
        registration_id: registration_id.into(),
        plan_id: "p1".into(),
        plan_name: "2026年12月Web前端开发职业技能等级证书（中级）考试".into(),
        certificate_id: "web-frontend".into(),
        level: XLevel::Intermediate,
        state: PlanState::Publicized,
        passed: kaozheng_core::model::all_modules_passed(&modules),
        modules,
        certificate_no: None,
        issued_on: None,
        certificate_check: String::new(),
    }
}

/// Queues `client_id` on `plan_id`, then settles it as the server confirmed it.
async fn confirmed(
    db: &Db,
    client_id: &str,
    plan_id: &str,
    at: DateTime<Utc>,
) -> LocalRegistration {
    let (mut reg, entry) = queued(client_id, plan_id, at);
    assert!(db.enqueue(&reg, &entry).await.unwrap());
    reg.confirm(
        server(client_id, plan_id, RegistrationStatus::Confirmed),
        at,
    );
    assert!(db.settle(&entry.id, &reg).await.unwrap());
    reg
}

async fn registrations(db: &Db) -> Vec<LocalRegistration> {
    let loaded = db.local_registrations().await.unwrap();
    assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);
    loaded.value
}

async fn entry_ids(db: &Db) -> Vec<String> {
    let loaded = db.outbox().await.unwrap();
    assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);
    loaded.value.into_iter().map(|e| e.id).collect()
}

fn state_of(regs: &[LocalRegistration], client_id: &str) -> Option<LocalState> {
    regs.iter()
        .find(|r| r.client_id == client_id)
        .map(|r| r.state)
}

/// Runs two futures at once, as two tabs would.
async fn both<A, B>(a: impl Future<Output = A>, b: impl Future<Output = B>) -> (A, B) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    poll_fn(|cx| {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        match (ra.take(), rb.take()) {
            (Some(a), Some(b)) => Poll::Ready((a, b)),
            (x, y) => {
                (ra, rb) = (x, y);
                Poll::Pending
            }
        }
    })
    .await
}

/// Writes `value` under `key`, bypassing the storage layer, to damage a record.
async fn raw_put(name: &str, store: &str, key: &str, value: JsValue) {
    let db = Database::open(name).await.expect("raw open");
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
    drop(os);
    tx.commit().await.unwrap();
    db.close();
}

async fn raw_get(name: &str, store: &str, key: &str) -> Option<JsValue> {
    let db = Database::open(name).await.expect("raw open");
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

#[wasm_bindgen_test]
async fn a_session_round_trips_and_clears() {
    let name = unique_name("session");
    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.load_session().await.unwrap(), None);
    let session = Session {
        token: "secret-token-123".into(),
        expires_at: t(60 * 24),
        student: student(),
    };
    db.save_session(&session).await.unwrap();
    drop(db);

    let db = Db::open_named(&name).await.unwrap();
    let loaded = db.load_session().await.unwrap().expect("saved session");
    assert_eq!(loaded, session);
    assert!(!loaded.is_expired(t(60 * 24 - 1)));
    assert!(loaded.is_expired(t(60 * 24)));
    assert!(!format!("{loaded:?}").contains("secret-token-123"));
    assert!(format!("{loaded:?}").contains("李雷"));

    let next = Session {
        token: "other".into(),
        ..session
    };
    db.save_session(&next).await.unwrap();
    assert_eq!(db.load_session().await.unwrap(), Some(next));
    db.clear_session().await.unwrap();
    assert_eq!(db.load_session().await.unwrap(), None);
    db.clear_session().await.unwrap();
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn enqueue_writes_the_registration_and_its_entry_together() {
    let name = unique_name("enqueue");
    let db = Db::open_named(&name).await.unwrap();
    let (reg, entry) = queued("u1", "p1", t(0));
    assert!(db.enqueue(&reg, &entry).await.unwrap());
    assert_eq!(registrations(&db).await, vec![reg.clone()]);
    assert_eq!(db.outbox().await.unwrap().value, vec![entry.clone()]);
    assert_eq!(db.pending_count().await.unwrap(), 1);
    drop(db);

    // The plan id is a real property of the stored record, for the `by_plan` index.
    let stored = raw_get(&name, REGISTRATIONS, "u1").await.unwrap();
    let plan_id = js_sys::Reflect::get(&stored, &"plan_id".into()).unwrap();
    assert_eq!(plan_id, "p1");

    // An entry that does not register this registration is refused before anything is written.
    let db = Db::open_named(&name).await.unwrap();
    let (other, _) = queued("u2", "p2", t(1));
    let (_, wrong_plan) = queued("u2", "p3", t(1));
    for (reg, entry) in [(&other, &entry), (&other, &wrong_plan)] {
        assert!(matches!(
            db.enqueue(reg, entry).await,
            Err(StorageError::Other(_))
        ));
    }
    assert_eq!(registrations(&db).await.len(), 1);
    assert_eq!(db.pending_count().await.unwrap(), 1);
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_failing_enqueue_writes_neither_registration_nor_entry() {
    let name = unique_name("atomic");
    let db = Db::open_named(&name).await.unwrap();
    let (first, first_entry) = queued("u1", "p1", t(0));
    assert!(db.enqueue(&first, &first_entry).await.unwrap());
    let cancel_entry = cancel("c1", "u1", "", t(1));
    assert!(db.enqueue_cancel("u1", &cancel_entry).await.unwrap());
    assert_eq!(entry_ids(&db).await, ["u1", "c1"]);

    // A new registration whose entry id is already taken in the outbox: the registration's own
    // `add` succeeds, the entry's fails, and the transaction takes the registration back with it.
    let (clash, clash_entry) = queued("c1", "p2", t(2));
    match db.enqueue(&clash, &clash_entry).await {
        Err(StorageError::Other(why)) => assert!(why.contains("ConstraintError"), "{why}"),
        other => panic!("expected a ConstraintError, got {other:?}"),
    }
    let regs = registrations(&db).await;
    assert_eq!(regs.len(), 1, "{regs:?}");
    assert_eq!(state_of(&regs, "c1"), None);
    let outbox = db.outbox().await.unwrap().value;
    assert_eq!(outbox, vec![first_entry.clone(), cancel_entry]);
    assert_eq!(db.pending_count().await.unwrap(), 2);

    // The other way round: a client id that is taken (a rejected registration, its entry settled)
    // fails the registration's `add`, and its new entry is not written either.
    let name2 = unique_name("atomic-2");
    let db2 = Db::open_named(&name2).await.unwrap();
    let (mut rejected, entry) = queued("u1", "p1", t(0));
    assert!(db2.enqueue(&rejected, &entry).await.unwrap());
    rejected.reject(Vec::new(), Some("名额已满 / full".into()), t(1));
    assert!(db2.settle(&entry.id, &rejected).await.unwrap());
    assert_eq!(db2.pending_count().await.unwrap(), 0);
    let (again, again_entry) = queued("u1", "p1", t(2));
    assert!(db2.enqueue(&again, &again_entry).await.is_err());
    assert_eq!(db2.pending_count().await.unwrap(), 0);
    assert_eq!(registrations(&db2).await, vec![rejected]);
    drop(db);
    drop(db2);
    Db::delete_database(&name).await.unwrap();
    Db::delete_database(&name2).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_second_enqueue_for_a_live_plan_is_refused_and_writes_nothing() {
    let name = unique_name("live");
    let db = Db::open_named(&name).await.unwrap();
    let (first, first_entry) = queued("u1", "p1", t(0));
    assert!(db.enqueue(&first, &first_entry).await.unwrap());
    let (second, second_entry) = queued("u2", "p1", t(1));
    assert!(!db.enqueue(&second, &second_entry).await.unwrap());
    assert_eq!(registrations(&db).await, vec![first.clone()]);
    assert_eq!(entry_ids(&db).await, ["u1"]);

    // Another plan is fine.
    let (other, other_entry) = queued("u3", "p2", t(2));
    assert!(db.enqueue(&other, &other_entry).await.unwrap());

    // Confirmed and cancel-queued registrations are live too; rejected and cancelled are not.
    let mut confirmed_first = first.clone();
    confirmed_first.confirm(server("u1", "p1", RegistrationStatus::Confirmed), t(3));
    assert!(db.settle("u1", &confirmed_first).await.unwrap());
    assert!(!db.enqueue(&second, &second_entry).await.unwrap());
    assert!(
        db.enqueue_cancel("u1", &cancel("c1", "u1", "r-u1", t(4)))
            .await
            .unwrap()
    );
    assert!(!db.enqueue(&second, &second_entry).await.unwrap());
    let mut cancelled = confirmed_first.clone();
    cancelled.confirm(server("u1", "p1", RegistrationStatus::Cancelled), t(5));
    assert!(db.settle("c1", &cancelled).await.unwrap());
    assert!(db.enqueue(&second, &second_entry).await.unwrap());
    assert_eq!(entry_ids(&db).await, ["u2", "u3"], "oldest first");

    // Two tabs confirming the same plan at the same moment: one queues, the other is refused.
    let other_tab = Db::open_named(&name).await.unwrap();
    let (a, a_entry) = queued("tab-a", "p9", t(10));
    let (b, b_entry) = queued("tab-b", "p9", t(10));
    let (queued_a, queued_b) =
        both(db.enqueue(&a, &a_entry), other_tab.enqueue(&b, &b_entry)).await;
    assert_ne!(
        queued_a.unwrap(),
        queued_b.unwrap(),
        "exactly one of them queues"
    );
    let regs = registrations(&db).await;
    assert_eq!(regs.iter().filter(|r| r.plan_id == "p9").count(), 1);
    assert_eq!(
        db.outbox()
            .await
            .unwrap()
            .value
            .iter()
            .filter(|e| e.id.starts_with("tab-"))
            .count(),
        1
    );
    drop(other_tab);
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn settle_reschedule_and_cancel_move_registrations_through_their_states() {
    let name = unique_name("transitions");
    let db = Db::open_named(&name).await.unwrap();
    // Key order (a2 before z1) differs from sending order (z1 is older).
    let (z1, z1_entry) = queued("z1", "p1", t(0));
    let (a2, a2_entry) = queued("a2", "p2", t(5));
    assert!(db.enqueue(&a2, &a2_entry).await.unwrap());
    assert!(db.enqueue(&z1, &z1_entry).await.unwrap());
    assert_eq!(entry_ids(&db).await, ["z1", "a2"]);
    assert_eq!(db.pending_count().await.unwrap(), 2);

    // A transient failure: the entry waits with its backoff and reason.
    let mut retry = z1_entry.clone();
    retry.failed(t(6), "offline".into(), 0.0);
    assert!(db.reschedule(&retry).await.unwrap());
    let outbox = db.outbox().await.unwrap().value;
    assert_eq!(outbox[0], retry);
    assert_eq!(outbox[0].attempts, 1);
    assert!(!outbox[0].is_due(t(6)));

    // Done: the entry goes and the registration is confirmed, together.
    let mut done = z1.clone();
    done.confirm(server("z1", "p1", RegistrationStatus::Confirmed), t(7));
    assert!(db.settle("z1", &done).await.unwrap());
    assert_eq!(entry_ids(&db).await, ["a2"]);
    let regs = registrations(&db).await;
    assert_eq!(state_of(&regs, "z1"), Some(LocalState::Confirmed));
    let stored = regs.iter().find(|r| r.client_id == "z1").unwrap();
    assert_eq!(stored, &done);

    // A second settle (another tab) and a late reschedule change nothing.
    let mut stale = z1.clone();
    stale.reject(Vec::new(), Some("stale".into()), t(8));
    assert!(!db.settle("z1", &stale).await.unwrap());
    assert!(!db.reschedule(&retry).await.unwrap());
    assert_eq!(db.pending_count().await.unwrap(), 1);
    assert_eq!(
        state_of(&registrations(&db).await, "z1"),
        Some(LocalState::Confirmed)
    );

    // Cancel: the registration becomes CancelQueued and the entry joins the outbox, in order.
    let c1 = cancel("c1", "z1", "r-z1", t(10));
    assert!(db.enqueue_cancel("z1", &c1).await.unwrap());
    assert_eq!(
        state_of(&registrations(&db).await, "z1"),
        Some(LocalState::CancelQueued)
    );
    assert_eq!(entry_ids(&db).await, ["a2", "c1"]);
    // A second tap, an unknown registration, and a mismatched entry queue nothing.
    assert!(
        !db.enqueue_cancel("z1", &cancel("c2", "z1", "r-z1", t(11)))
            .await
            .unwrap()
    );
    assert!(
        !db.enqueue_cancel("nobody", &cancel("c3", "nobody", "r-x", t(11)))
            .await
            .unwrap()
    );
    assert!(db.enqueue_cancel("a2", &c1).await.is_err());
    assert!(db.enqueue_cancel("a2", &a2_entry).await.is_err());
    assert_eq!(db.pending_count().await.unwrap(), 2);

    // The cancel is done: Cancelled, and not cancellable again.
    let mut gone = done.clone();
    gone.confirm(server("z1", "p1", RegistrationStatus::Cancelled), t(12));
    assert!(db.settle("c1", &gone).await.unwrap());
    assert_eq!(
        state_of(&registrations(&db).await, "z1"),
        Some(LocalState::Cancelled)
    );
    assert!(
        !db.enqueue_cancel("z1", &cancel("c4", "z1", "r-z1", t(13)))
            .await
            .unwrap()
    );

    // A queued registration can be cancelled before it reaches the server.
    assert!(
        db.enqueue_cancel("a2", &cancel("c5", "a2", "", t(14)))
            .await
            .unwrap()
    );
    assert_eq!(
        state_of(&registrations(&db).await, "a2"),
        Some(LocalState::CancelQueued)
    );
    assert_eq!(entry_ids(&db).await, ["a2", "c5"]);

    // An entry without a registration to update is dropped on its own.
    assert!(db.settle_orphan("a2").await.unwrap());
    assert!(!db.settle_orphan("a2").await.unwrap());
    assert_eq!(entry_ids(&db).await, ["c5"]);
    assert_eq!(
        state_of(&registrations(&db).await, "a2"),
        Some(LocalState::CancelQueued),
        "settle_orphan leaves registrations alone"
    );
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn unreadable_registrations_and_entries_are_reported_not_fatal() {
    let name = unique_name("corrupt");
    let db = Db::open_named(&name).await.unwrap();
    let (reg, entry) = queued("u1", "p1", t(0));
    assert!(db.enqueue(&reg, &entry).await.unwrap());
    drop(db);
    raw_put(&name, REGISTRATIONS, "bad-reg", JsValue::from(42)).await;
    raw_put(&name, OUTBOX, "bad-entry", JsValue::from_str("{")).await;

    let db = Db::open_named(&name).await.unwrap();
    let regs = db.local_registrations().await.unwrap();
    assert_eq!(regs.value, vec![reg]);
    assert_eq!(regs.skipped.len(), 1);
    assert_eq!(
        (regs.skipped[0].store, regs.skipped[0].key.as_str()),
        (REGISTRATIONS, "bad-reg")
    );
    let outbox = db.outbox().await.unwrap();
    assert_eq!(outbox.value, vec![entry]);
    assert_eq!(outbox.skipped.len(), 1);
    assert_eq!(
        (outbox.skipped[0].store, outbox.skipped[0].key.as_str()),
        (OUTBOX, "bad-entry")
    );
    assert_eq!(
        db.pending_count().await.unwrap(),
        2,
        "counted even unreadable"
    );
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn merging_the_server_list_applies_each_rule() {
    use RegistrationStatus::{Cancelled, Confirmed};
    let name = unique_name("merge");
    let db = Db::open_named(&name).await.unwrap();
    // Still queued, not on the server yet.
    let (q1, q1_entry) = queued("q1", "p1", t(0));
    assert!(db.enqueue(&q1, &q1_entry).await.unwrap());
    // Queued here, but the server has it (the answer was lost).
    let (q2, q2_entry) = queued("q2", "p2", t(1));
    assert!(db.enqueue(&q2, &q2_entry).await.unwrap());
    // Confirmed, and the server agrees.
    let c1 = confirmed(&db, "c1", "p3", t(2)).await;
    // Confirmed here, gone from the server.
    confirmed(&db, "c2", "p4", t(3)).await;
    // Cancels queued here: the server still says confirmed / already says cancelled.
    confirmed(&db, "x1", "p5", t(4)).await;
    assert!(
        db.enqueue_cancel("x1", &cancel("cx1", "x1", "r-x1", t(5)))
            .await
            .unwrap()
    );
    confirmed(&db, "x2", "p6", t(4)).await;
    assert!(
        db.enqueue_cancel("x2", &cancel("cx2", "x2", "r-x2", t(5)))
            .await
            .unwrap()
    );
    // Rejected, unknown to the server.
    let (mut r1, r1_entry) = queued("r1", "p7", t(6));
    assert!(db.enqueue(&r1, &r1_entry).await.unwrap());
    r1.reject(Vec::new(), None, t(7));
    assert!(db.settle("r1", &r1).await.unwrap());
    drop(db);
    // An unreadable record the server's list will repair.
    raw_put(&name, REGISTRATIONS, "o1", JsValue::from(42)).await;
    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.local_registrations().await.unwrap().skipped.len(), 1);
    let pending = db.pending_count().await.unwrap();

    let list = vec![
        server("q2", "p2", Confirmed),
        server("c1", "p3", Confirmed),
        server("x1", "p5", Confirmed),
        server("x2", "p6", Cancelled),
        // Registered on another device.
        server("o1", "p8", Confirmed),
        server("o2", "p9", Cancelled),
    ];
    let now = t(60);
    let merged = db.merge_server_registrations(&list, now).await.unwrap();
    assert!(merged.skipped.is_empty(), "the server's record replaced it");
    let stored = db.local_registrations().await.unwrap();
    assert_eq!(stored, merged, "what is returned is what is stored");
    let regs = merged.value;
    let get = |id: &str| regs.iter().find(|r| r.client_id == id).unwrap();
    assert_eq!(get("q1").state, LocalState::Queued);
    assert_eq!(get("q1"), &q1, "untouched");
    assert_eq!(get("q2").state, LocalState::Confirmed);
    assert_eq!(get("q2").registration, Some(list[0].clone()));
    assert_eq!(get("q2").updated_at, now);
    assert_eq!(
        get("c1"),
        &c1,
        "unchanged, so not rewritten: updated_at stays"
    );
    assert_eq!(get("c2").state, LocalState::Cancelled);
    assert_eq!(get("c2").updated_at, now);
    assert_eq!(get("x1").state, LocalState::CancelQueued);
    assert_eq!(get("x2").state, LocalState::Cancelled);
    assert_eq!(get("r1"), &r1);
    let o1 = get("o1");
    assert_eq!(
        (o1.state, o1.plan_id.as_str(), o1.created_at),
        (LocalState::Confirmed, "p8", list[4].created_at)
    );
    assert_eq!(o1.registration, Some(list[4].clone()));
    assert_eq!(get("o2").state, LocalState::Cancelled);
    assert_eq!(regs.len(), 9);
    assert_eq!(
        db.pending_count().await.unwrap(),
        pending,
        "the outbox is not touched"
    );

    // Merging the same list again changes nothing.
    let again = db.merge_server_registrations(&list, t(120)).await.unwrap();
    assert_eq!(again.value, regs);
    // The index knows the added records: p8 now has a live registration.
    let (dup, dup_entry) = queued("d1", "p8", t(121));
    assert!(!db.enqueue(&dup, &dup_entry).await.unwrap());
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn results_report_new_ids_once_and_keep_seen_flags() {
    let name = unique_name("results");
    let db = Db::open_named(&name).await.unwrap();
    let none = db.load_results().await.unwrap();
    assert_eq!((none.value.len(), none.meta), (0, None), "never synced");

    let (r1, r2) = (exam_result("r1", "78.5"), exam_result("r2", "59.99"));
    let new = db
        .save_results(&[r1.clone(), r2.clone()], t(0))
        .await
        .unwrap();
    assert_eq!(new, ["r1", "r2"]);
    let loaded = db.load_results().await.unwrap();
    assert_eq!(loaded.value, vec![(r1.clone(), false), (r2.clone(), false)]);
    assert_eq!(loaded.meta.map(|m| m.synced_at), Some(t(0)));
    assert!(!loaded.value[1].0.passed);

    // The same set again: nothing is new.
    let new = db
        .save_results(&[r1.clone(), r2.clone()], t(1))
        .await
        .unwrap();
    assert!(new.is_empty(), "{new:?}");

    assert_eq!(
        db.mark_results_seen(&["r1", "not-stored"]).await.unwrap(),
        1
    );
    assert_eq!(
        db.mark_results_seen(&["r1"]).await.unwrap(),
        0,
        "already seen"
    );

    // A new set: r2 changed (certificate issued), r3 arrived, in the server's order.
    let mut r2b = r2.clone();
    r2b.certificate_no = Some("X-2026-0001".into());
    let r3 = exam_result("r3", "100");
    let new = db
        .save_results(&[r2b.clone(), r1.clone(), r3.clone()], t(2))
        .await
        .unwrap();
    assert_eq!(new, ["r3"]);
    let loaded = db.load_results().await.unwrap();
    assert_eq!(
        loaded.value,
        vec![
            (r2b.clone(), false),
            (r1.clone(), true),
            (r3.clone(), false)
        ]
    );
    assert_eq!(loaded.meta.map(|m| m.synced_at), Some(t(2)));

    // The seen flag survives a restart; results the server no longer lists go.
    db.mark_results_seen(&[String::from("r3")]).await.unwrap();
    drop(db);
    let db = Db::open_named(&name).await.unwrap();
    let new = db
        .save_results(std::slice::from_ref(&r3), t(3))
        .await
        .unwrap();
    assert!(new.is_empty());
    assert_eq!(
        db.load_results().await.unwrap().value,
        vec![(r3.clone(), true)]
    );
    drop(db);

    // An unreadable record is reported, and counts as new when the server sends it again.
    raw_put(&name, RESULTS, "r1", JsValue::from_str("garbage")).await;
    let db = Db::open_named(&name).await.unwrap();
    let loaded = db.load_results().await.unwrap();
    assert_eq!(loaded.value, vec![(r3.clone(), true)]);
    assert_eq!(loaded.skipped.len(), 1);
    assert_eq!(loaded.skipped[0].key, "r1");
    let new = db
        .save_results(&[r1.clone(), r3.clone()], t(4))
        .await
        .unwrap();
    assert_eq!(new, ["r1"]);
    let loaded = db.load_results().await.unwrap();
    assert!(loaded.skipped.is_empty());
    assert_eq!(loaded.value, vec![(r1, false), (r3, true)]);
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn rule_documents_round_trip_by_kind() {
    let name = unique_name("rules");
    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.load_rules("fees").await.unwrap(), None);
    let rules = FeeRules {
        version: "2026-1".into(),
        policies: vec![FeePolicy {
            id: "henan-2021".into(),
            scope: Scope::Province("河南".into()),
            effective_from: chrono::NaiveDate::from_ymd_opt(2021, 3, 1).unwrap(),
            example: false,
            rule: FeeRule::InSchoolNotCharged,
            citations: Vec::new(),
        }],
    };
    let json = serde_json::to_string(&rules).unwrap();
    db.save_rules("fees", &json, Some("W/\"2026-1\""), t(0))
        .await
        .unwrap();
    db.save_rules("grades", "{\"version\":\"g1\"}", None, t(1))
        .await
        .unwrap();
    let stored = db.load_rules("fees").await.unwrap().unwrap();
    assert_eq!(
        (stored.json.as_str(), stored.synced_at),
        (json.as_str(), t(0))
    );
    assert_eq!(stored.etag.as_deref(), Some("W/\"2026-1\""));
    assert_eq!(
        serde_json::from_str::<FeeRules>(&stored.json).unwrap(),
        rules
    );
    // A new version replaces the text and the tag.
    db.save_rules("fees", "{\"version\":\"2026-2\"}", None, t(5))
        .await
        .unwrap();
    let stored = db.load_rules("fees").await.unwrap().unwrap();
    assert_eq!(
        (stored.json.as_str(), stored.etag, stored.synced_at),
        ("{\"version\":\"2026-2\"}", None, t(5))
    );
    assert_eq!(
        db.load_rules("grades").await.unwrap().map(|r| r.synced_at),
        Some(t(1))
    );
    assert_eq!(db.load_rules("credits").await.unwrap(), None);
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_outbox_lease_goes_to_one_tab_at_a_time() {
    let name = unique_name("lease");
    let db = Db::open_named(&name).await.unwrap();
    let ttl = Duration::seconds(30);
    let s = |secs: i64| t(0) + Duration::seconds(secs);
    assert!(db.try_lease("A", s(0), ttl).await.unwrap());
    assert!(!db.try_lease("B", s(10), ttl).await.unwrap(), "A holds it");
    assert!(
        db.try_lease("A", s(20), ttl).await.unwrap(),
        "A renews until 50 s"
    );
    assert!(!db.try_lease("B", s(40), ttl).await.unwrap());
    assert!(
        db.try_lease("B", s(50), ttl).await.unwrap(),
        "A's lease expired"
    );
    assert!(!db.try_lease("A", s(51), ttl).await.unwrap());
    assert!(!db.release_lease("A").await.unwrap(), "not A's to release");
    assert!(!db.try_lease("A", s(52), ttl).await.unwrap());
    assert!(db.release_lease("B").await.unwrap());
    assert!(!db.release_lease("B").await.unwrap(), "already released");
    assert!(db.try_lease("A", s(53), ttl).await.unwrap(), "free again");
    assert!(db.release_lease("A").await.unwrap());

    // Two tabs asking at the same moment: exactly one gets it.
    let other_tab = Db::open_named(&name).await.unwrap();
    let (a, b) = both(
        db.try_lease("A", s(100), ttl),
        other_tab.try_lease("B", s(100), ttl),
    )
    .await;
    assert_ne!(a.unwrap(), b.unwrap());
    drop(other_tab);
    drop(db);

    // An unreadable lease grants nothing: it is taken over.
    raw_put(
        &name,
        META,
        "outbox_lease",
        JsValue::from_str("{\"tab_id\":"),
    )
    .await;
    let db = Db::open_named(&name).await.unwrap();
    assert!(db.try_lease("C", s(101), ttl).await.unwrap());
    assert!(!db.try_lease("A", s(102), ttl).await.unwrap());
    drop(db);
    Db::delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn wiping_personal_data_keeps_the_public_data() {
    let name = unique_name("wipe");
    let db = Db::open_named(&name).await.unwrap();
    // Public data.
    let catalog = Catalog {
        format: 1,
        version: "v1".into(),
        source: "test".into(),
        synthetic: true,
        total_in_system: None,
        orgs: vec![EvaluationOrg {
            id: "org-a".into(),
            name: "工业和信息化部教育与考试中心".into(),
            aliases: Vec::new(),
            pinyin: "gong ye".into(),
            url: None,
        }],
        certificates: vec![Certificate {
            id: "web-frontend".into(),
            name: "Web前端开发职业技能等级证书".into(),
            org_id: "org-a".into(),
            batch: Some(1),
            field: None,
            levels: Vec::new(),
            pinyin: "web qian duan".into(),
            description: None,
        }],
    };
    let sites = vec![Site {
        id: "site-zz".into(),
        name: "郑州职业技术学院考点".into(),
        province: "河南".into(),
        city: "郑州".into(),
        address: String::new(),
    }];
    db.save_catalog(&catalog, Some("e1"), t(0)).await.unwrap();
    db.save_plans(&[plan("p1"), plan("p2")], t(0), t(0))
        .await
        .unwrap();
    db.save_sites(&sites, t(0)).await.unwrap();
    db.save_rules("fees", "{}", None, t(0)).await.unwrap();
    // Personal data.
    db.save_session(&Session {
        token: "tok".into(),
        expires_at: t(600),
        student: student(),
    })
    .await
    .unwrap();
    let (q1, q1_entry) = queued("q1", "p1", t(1));
    assert!(db.enqueue(&q1, &q1_entry).await.unwrap());
    confirmed(&db, "c1", "p2", t(2)).await;
    assert!(
        db.enqueue_cancel("c1", &cancel("cc1", "c1", "r-c1", t(3)))
            .await
            .unwrap()
    );
    db.save_results(&[exam_result("r-c1", "88")], t(4))
        .await
        .unwrap();
    assert!(
        db.try_lease("A", t(5), Duration::seconds(30))
            .await
            .unwrap()
    );
    assert_eq!(db.pending_count().await.unwrap(), 2);

    assert_eq!(
        db.wipe_personal().await.unwrap(),
        2,
        "two entries dropped unsent"
    );
    drop(db);

    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.load_session().await.unwrap(), None);
    let regs = db.local_registrations().await.unwrap();
    assert!(regs.value.is_empty() && regs.skipped.is_empty());
    let outbox = db.outbox().await.unwrap();
    assert!(outbox.value.is_empty() && outbox.skipped.is_empty());
    assert_eq!(db.pending_count().await.unwrap(), 0);
    let results = db.load_results().await.unwrap();
    assert_eq!((results.value.len(), results.meta), (0, None));
    assert!(
        db.try_lease("B", t(5), Duration::seconds(30))
            .await
            .unwrap(),
        "the lease went too"
    );
    // The next student can register for the same plan: the index was emptied with its store.
    let (next, next_entry) = queued("n1", "p1", t(6));
    assert!(db.enqueue(&next, &next_entry).await.unwrap());

    let kept = db.load_catalog().await.unwrap().unwrap();
    assert_eq!(kept.value, catalog);
    assert_eq!(kept.meta.etag.as_deref(), Some("e1"));
    assert_eq!(db.load_plans().await.unwrap().unwrap().value.len(), 2);
    assert_eq!(db.load_sites().await.unwrap().unwrap().value, sites);
    assert_eq!(
        db.load_rules("fees")
            .await
            .unwrap()
            .map(|r| (r.json, r.synced_at)),
        Some(("{}".to_string(), t(0)))
    );
    assert_eq!(db.wipe_personal().await.unwrap(), 1);
    assert_eq!(db.wipe_personal().await.unwrap(), 0);
    drop(db);
    Db::delete_database(&name).await.unwrap();
}
