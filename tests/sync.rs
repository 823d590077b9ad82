//! The outbox sync engine, natively: every state and transition of a registration and its entry,
//! the lease between tabs, settling races, and random interleavings of changes, faults, passes and
//! reloads (nothing lost, nothing sent twice). The browser tiers test the IndexedDB store and the
//! pages; this tests the logic between them without a browser.

#![cfg(not(target_arch = "wasm32"))]

use std::cell::Cell;

use chrono::{DateTime, Duration, TimeZone, Utc};
use futures_executor::block_on;
use kaozheng::sync::{
    Engine, MemoryStore, Pass, Report, ScriptedServer, ServerFault, SyncStore, Transport,
};
use kaozheng_core::feedback::Ratings;
use kaozheng_core::order;
use kaozheng_core::outbox::{Action, LocalRegistration, LocalState};
use kaozheng_core::{ExamPlan, PlanPhase, RegistrationStatus, XLevel};
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 1, 0, 0).unwrap()
}

fn plan(i: u32) -> ExamPlan {
    ExamPlan {
        id: format!("p{i}"),
        name: format!("计划{i}"),
        certificate_id: format!("c{i}"),
        level: XLevel::Primary,
        province: "天津".into(),
        site_id: "s".into(),
        phase: PlanPhase::Published,
        window_opens_at: t0() - Duration::days(1),
        window_closes_at: t0() + Duration::days(10),
        exam_starts_at: t0() + Duration::days(20 + i64::from(i)),
        exam_ends_at: t0() + Duration::days(20 + i64::from(i)) + Duration::hours(2),
        capacity: 10,
        seats_left: 10,
        fee_fen: 30_000,
        payment: None,
    }
}

/// One phone (a store shared by its tabs) talking to one server, with a clock the test moves.
struct World {
    store: MemoryStore,
    server: ScriptedServer,
    now: Cell<DateTime<Utc>>,
    ids: Cell<u32>,
}

impl World {
    fn new(seats: &[u32]) -> World {
        let plans = seats
            .iter()
            .enumerate()
            .map(|(i, s)| (plan(i as u32), *s))
            .collect();
        World {
            store: MemoryStore::new(),
            server: ScriptedServer::new(plans, t0()),
            now: Cell::new(t0()),
            ids: Cell::new(0),
        }
    }

    fn tab(&self, name: &str) -> Engine<MemoryStore, ScriptedServer> {
        Engine::new(self.store.clone(), self.server.clone(), name)
    }

    fn id(&self) -> String {
        self.ids.set(self.ids.get() + 1);
        format!("u{}", self.ids.get())
    }

    fn advance(&self, secs: i64) {
        self.now.set(self.now.get() + Duration::seconds(secs));
    }

    fn sync(&self, tab: &Engine<MemoryStore, ScriptedServer>, manual: bool) -> Report {
        self.sync_as(tab, manual, Some("token"))
    }

    fn sync_as(
        &self,
        tab: &Engine<MemoryStore, ScriptedServer>,
        manual: bool,
        token: Option<&str>,
    ) -> Report {
        let now = || self.now.get();
        let jitter = || 0.0;
        let sending = |_: Option<&str>| {};
        block_on(tab.sync(&Pass {
            token,
            manual,
            results_known: true,
            now: &now,
            jitter: &jitter,
            sending: &sending,
        }))
    }

    fn register(&self, tab: &Engine<MemoryStore, ScriptedServer>, p: u32) -> Option<String> {
        block_on(tab.register(self.id(), &plan(p), None, self.now.get()))
            .unwrap()
            .map(|(l, _)| l.client_id)
    }

    fn cancel(&self, tab: &Engine<MemoryStore, ScriptedServer>, client_id: &str) -> bool {
        let local = self.local(client_id);
        block_on(tab.cancel(self.id(), &local, self.now.get()))
            .unwrap()
            .is_some()
    }

    fn local(&self, client_id: &str) -> LocalRegistration {
        self.store
            .snapshot()
            .0
            .into_iter()
            .find(|r| r.client_id == client_id)
            .unwrap()
    }

    fn state(&self, client_id: &str) -> LocalState {
        self.local(client_id).state
    }

    fn waiting(&self) -> usize {
        self.store.snapshot().1.len()
    }

    fn confirmed_on_server(&self, client_id: &str) -> usize {
        self.server
            .registrations()
            .iter()
            .filter(|r| r.client_id == client_id && r.status == RegistrationStatus::Confirmed)
            .count()
    }
}

#[test]
fn online_a_registration_is_confirmed_with_its_ticket_and_its_entry_settled() {
    let w = World::new(&[5]);
    let tab = w.tab("a");
    let id = w.register(&tab, 0).unwrap();
    assert_eq!((w.state(&id), w.waiting()), (LocalState::Queued, 1));
    let report = w.sync(&tab, false);
    assert_eq!(report.settled, vec![id.clone()]);
    let local = w.local(&id);
    assert_eq!(local.state, LocalState::Confirmed);
    assert_eq!(local.registration.unwrap().ticket_no.len(), 15);
    assert_eq!(w.waiting(), 0);
    assert_eq!(w.confirmed_on_server(&id), 1);
    assert_eq!(
        report.problem,
        Some(None),
        "the pull after the flush worked"
    );
    // The same plan again on this phone: refused locally, nothing queued.
    assert_eq!(w.register(&tab, 0), None);
    assert_eq!(w.waiting(), 0);
}

#[test]
fn offline_the_entry_backs_off_and_goes_when_due_or_when_the_student_asks() {
    let w = World::new(&[5]);
    let tab = w.tab("a");
    let id = w.register(&tab, 0).unwrap();
    w.server
        .script([ServerFault::Offline, ServerFault::Offline]);
    let report = w.sync(&tab, false);
    assert!(report.settled.is_empty());
    let (_, outbox) = w.store.snapshot();
    assert_eq!(outbox[0].attempts, 1);
    assert_eq!(
        outbox[0].next_attempt_at,
        Some(w.now.get() + Duration::seconds(2))
    );
    assert_eq!(w.state(&id), LocalState::Queued);
    // Not due yet: an automatic pass leaves it (the second fault met the pull).
    w.advance(1);
    w.sync(&tab, false);
    assert_eq!((w.waiting(), w.server.log().len()), (1, 0));
    // "Send now" ignores the backoff.
    w.sync(&tab, true);
    assert_eq!(w.state(&id), LocalState::Confirmed);
    assert_eq!(w.confirmed_on_server(&id), 1);
}

#[test]
fn an_answer_lost_after_the_server_acted_is_sent_again_and_registers_once() {
    let w = World::new(&[5]);
    let tab = w.tab("a");
    let id = w.register(&tab, 0).unwrap();
    w.server.script([ServerFault::DropAnswer]);
    w.sync(&tab, false);
    // The pull after the failed flush already brings the server's record; the entry still waits.
    assert_eq!((w.state(&id), w.waiting()), (LocalState::Confirmed, 1));
    assert_eq!(w.confirmed_on_server(&id), 1);
    w.advance(5);
    // …and the retry is answered with the same registration (idempotent on the entry id).
    w.sync(&tab, false);
    assert_eq!((w.state(&id), w.waiting()), (LocalState::Confirmed, 0));
    assert_eq!(w.server.registrations().len(), 1);
    assert_eq!(
        w.server.log(),
        vec![format!("register {id}"), format!("register {id}")]
    );
}

#[test]
fn a_server_error_is_retried_and_a_refusal_is_final_with_its_reasons() {
    let w = World::new(&[0, 5]);
    let tab = w.tab("a");
    let full = w.register(&tab, 0).unwrap();
    let ok = w.register(&tab, 1).unwrap();
    w.server.script([ServerFault::ServerError]);
    w.sync(&tab, false);
    // The first entry met a 500: it waits, and so does the one behind it.
    assert_eq!(
        (w.state(&full), w.state(&ok), w.waiting()),
        (LocalState::Queued, LocalState::Queued, 2)
    );
    w.advance(5);
    w.sync(&tab, false);
    let refused = w.local(&full);
    assert_eq!(refused.state, LocalState::Rejected);
    assert_eq!(
        refused
            .refusals
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>(),
        vec!["full"]
    );
    assert_eq!((w.state(&ok), w.waiting()), (LocalState::Confirmed, 0));
}

#[test]
fn an_ended_session_keeps_every_entry_until_the_student_signs_in_again() {
    let w = World::new(&[5]);
    let tab = w.tab("a");
    let id = w.register(&tab, 0).unwrap();
    w.server.script([ServerFault::Unauthorized]);
    let report = w.sync(&tab, false);
    assert!(report.expired);
    assert_eq!(report.problem, None, "no pull with an ended session");
    assert_eq!((w.state(&id), w.waiting()), (LocalState::Queued, 1));
    // Signed out or expired: nothing is sent (the refused request did nothing either).
    w.sync_as(&tab, true, None);
    assert_eq!(w.server.log().len(), 0);
    w.sync(&tab, true);
    assert_eq!(w.state(&id), LocalState::Confirmed);
}

#[test]
fn cancelling_frees_the_seat_and_a_refused_cancel_leaves_the_registration_standing() {
    let w = World::new(&[1]);
    let tab = w.tab("a");
    let id = w.register(&tab, 0).unwrap();
    w.sync(&tab, false);
    assert!(w.cancel(&tab, &id));
    assert_eq!(w.state(&id), LocalState::CancelQueued);
    // A second tap finds it cancel-queued: nothing more is queued.
    assert!(!w.cancel(&tab, &id));
    w.sync(&tab, false);
    assert_eq!((w.state(&id), w.waiting()), (LocalState::Cancelled, 0));
    assert_eq!(w.confirmed_on_server(&id), 0);
    // The seat is back: another registration of the plan goes through.
    let again = w.register(&tab, 0).unwrap();
    w.sync(&tab, false);
    assert_eq!(w.state(&again), LocalState::Confirmed);

    // A cancel the server refuses (here: the registration is unknown to it).
    let w = World::new(&[1]);
    let tab = w.tab("a");
    let id = w.register(&tab, 0).unwrap();
    w.sync(&tab, false);
    let mut local = w.local(&id);
    local.registration.as_mut().unwrap().id = "reg-unknown".into();
    block_on(tab.cancel(w.id(), &local, w.now.get())).unwrap();
    w.sync(&tab, false);
    assert_eq!(w.state(&id), LocalState::Confirmed);
    assert!(w.local(&id).refusal_code.is_some());
}

#[test]
fn a_cancel_queued_before_the_registration_reached_the_server_waits_for_it_then_finds_it() {
    let w = World::new(&[5]);
    let tab = w.tab("a");
    let id = w.register(&tab, 0).unwrap();
    // Offline: the register entry backs off; the cancel queued behind it must not go first.
    w.server.script([ServerFault::Offline]);
    w.sync(&tab, false);
    assert!(w.cancel(&tab, &id));
    let (_, outbox) = w.store.snapshot();
    assert!(
        matches!(&outbox[1].action, Action::Cancel { registration_id, .. } if registration_id.is_empty())
    );
    w.sync(&tab, false);
    assert!(
        w.server.log().is_empty(),
        "the cancel waited for its registration"
    );
    // Due now: the registration goes, then the cancel finds its server id and cancels it.
    w.advance(5);
    w.sync(&tab, false);
    assert_eq!((w.state(&id), w.waiting()), (LocalState::Cancelled, 0));
    assert_eq!(w.confirmed_on_server(&id), 0);

    // The registration's answer was lost, so the phone never learnt its server id: the cancel
    // asks the server for it.
    let w = World::new(&[5]);
    let tab = w.tab("a");
    let id = w.register(&tab, 0).unwrap();
    w.server
        .script([ServerFault::DropAnswer, ServerFault::Offline]);
    w.sync(&tab, false);
    assert!(w.cancel(&tab, &id));
    w.advance(5);
    w.sync(&tab, true);
    assert_eq!((w.state(&id), w.waiting()), (LocalState::Cancelled, 0));
    assert_eq!(w.confirmed_on_server(&id), 0);
}

#[test]
fn one_tab_sends_at_a_time_and_another_takes_over_when_the_lease_runs_out() {
    let w = World::new(&[5]);
    let a = w.tab("a");
    let b = w.tab("b");
    let id = w.register(&a, 0).unwrap();
    // Tab a took the lease and was killed mid-pass: its lease stays until it runs out.
    assert!(block_on(w.store.try_lease("a", w.now.get(), Duration::seconds(15))).unwrap());
    w.sync(&b, true);
    assert_eq!((w.waiting(), w.server.log().len()), (1, 0), "b only pulls");
    assert_eq!(w.store.lease_holder().as_deref(), Some("a"));
    w.advance(16);
    w.sync(&b, true);
    assert_eq!((w.state(&id), w.waiting()), (LocalState::Confirmed, 0));
    assert_eq!(w.store.lease_holder(), None, "given back after the pass");
}

#[test]
fn an_entry_settled_by_another_tab_is_not_settled_again() {
    let w = World::new(&[5]);
    let a = w.tab("a");
    let id = w.register(&a, 0).unwrap();
    w.sync(&a, false);
    // The student cancels; another tab still holding the old entry id settles it late.
    assert!(w.cancel(&a, &id));
    let old = w.local(&id);
    assert!(!block_on(w.store.settle(&id, Some(&old))).unwrap());
    assert_eq!(
        w.state(&id),
        LocalState::CancelQueued,
        "the late settle changed nothing"
    );
}

#[test]
fn the_servers_list_wins_for_what_it_lists_and_the_phone_for_what_it_has_not_sent() {
    let w = World::new(&[5, 5, 5]);
    let phone = w.tab("a");
    // Registered from another device: appears here.
    let other = World::new(&[]);
    let elsewhere = Engine::new(other.store.clone(), w.server.clone(), "x");
    block_on(elsewhere.register("o1".into(), &plan(1), None, w.now.get())).unwrap();
    other.sync(&elsewhere, false);
    // Confirmed here, then cancelled elsewhere (by the school): shows cancelled here.
    let mine = w.register(&phone, 0).unwrap();
    w.sync(&phone, false);
    let theirs = block_on(other.store.registrations()).unwrap();
    let server_id = w.local(&mine).registration.unwrap().id;
    block_on(Transport::cancel(&w.server, "t", &server_id)).unwrap();
    // Queued here and not sent: stays queued.
    let queued = w.register(&phone, 2).unwrap();
    w.server.script([ServerFault::Offline]);
    let report = w.sync(&phone, false);
    let regs = report.registrations.unwrap();
    let state = |id: &str| regs.iter().find(|r| r.client_id == id).map(|r| r.state);
    assert_eq!(state("o1"), Some(LocalState::Confirmed));
    assert_eq!(state(&mine), Some(LocalState::Cancelled));
    assert_eq!(state(&queued), Some(LocalState::Queued));
    assert_eq!(theirs.len(), 1);
}

#[test]
fn ratings_replace_an_older_waiting_edit_and_a_refusal_is_reported() {
    let w = World::new(&[]);
    let tab = w.tab("a");
    let r = |n| Ratings {
        social_recognition: n,
        content_quality: n,
        learning_effect: n,
    };
    block_on(tab.rate(w.id(), "c0", XLevel::Primary, r(3), None, w.now.get()))
        .unwrap()
        .unwrap();
    block_on(tab.rate(
        w.id(),
        "c0",
        XLevel::Primary,
        r(5),
        Some("  好  "),
        w.now.get(),
    ))
    .unwrap()
    .unwrap();
    assert_eq!(w.waiting(), 1, "only the last word is sent");
    // Out of range is refused before anything is stored.
    let bad = block_on(tab.rate(w.id(), "c0", XLevel::Primary, r(6), None, w.now.get())).unwrap();
    assert!(bad.is_err());
    assert_eq!(w.waiting(), 1);
    let report = w.sync(&tab, false);
    assert_eq!(w.waiting(), 0);
    let mine = report.feedback.unwrap();
    assert_eq!(
        (mine.len(), mine[0].ratings, mine[0].comment.as_deref()),
        (1, r(5), Some("好"))
    );
}

#[test]
fn a_reload_mid_way_loses_nothing_and_sends_nothing_twice() {
    let w = World::new(&[5, 5]);
    let first = w.tab("a");
    let a = w.register(&first, 0).unwrap();
    let b = w.register(&first, 1).unwrap();
    w.server.script([ServerFault::DropAnswer]);
    w.sync(&first, false);
    // The page reloads: a new engine over the same store, the same tab id.
    let reloaded = w.tab("a");
    w.advance(5);
    w.sync(&reloaded, false);
    assert_eq!(
        (w.state(&a), w.state(&b), w.waiting()),
        (LocalState::Confirmed, LocalState::Confirmed, 0)
    );
    assert_eq!(w.server.registrations().len(), 2);
}

/// One step of a random run.
#[derive(Debug, Clone)]
enum Op {
    Register(u32),
    Cancel(usize),
    Fault(ServerFault),
    Sync { tab: bool, manual: bool },
    Wait(i64),
    Reload,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u32..3).prop_map(Op::Register),
        2 => (0usize..6).prop_map(Op::Cancel),
        2 => prop_oneof![
            Just(ServerFault::Offline),
            Just(ServerFault::DropAnswer),
            Just(ServerFault::ServerError),
            Just(ServerFault::Unauthorized),
        ]
        .prop_map(Op::Fault),
        4 => (any::<bool>(), any::<bool>()).prop_map(|(tab, manual)| Op::Sync { tab, manual }),
        1 => (1i64..400).prop_map(Op::Wait),
        1 => Just(Op::Reload),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("KZ_SYNC_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    /// Whatever the order of registrations, cancels, faults, passes of two tabs and reloads: once
    /// the network is back and the phone syncs, every change reached the server exactly once, the
    /// phone and the server agree, and nothing waits.
    #[test]
    fn random_interleavings_lose_nothing_and_send_nothing_twice(ops in prop::collection::vec(op(), 1..40)) {
        let w = World::new(&[2, 3, 1]);
        let mut tabs = [w.tab("a"), w.tab("b")];
        let mut queued: Vec<String> = Vec::new();
        for op in ops {
            match op {
                Op::Register(p) => {
                    if let Some(id) = w.register(&tabs[0], p) {
                        queued.push(id);
                    }
                }
                Op::Cancel(i) => {
                    if let Some(id) = queued.get(i) {
                        w.cancel(&tabs[0], id);
                    }
                }
                Op::Fault(f) => w.server.script([f]),
                Op::Sync { tab, manual } => {
                    w.sync(&tabs[usize::from(tab)], manual);
                }
                Op::Wait(s) => w.advance(s),
                Op::Reload => tabs[0] = w.tab("a"),
            }
        }
        // The network is back for good; leases of killed passes run out; the student syncs.
        w.server.heal();
        w.advance(60);
        for _ in 0..5 {
            w.sync(&tabs[0], true);
        }
        let (regs, outbox) = w.store.snapshot();
        prop_assert!(outbox.is_empty(), "still waiting: {outbox:?}");
        let server = w.server.registrations();
        // Nothing twice: one server record per client id, and no plan held twice.
        let mut ids: Vec<&str> = server.iter().map(|r| r.client_id.as_str()).collect();
        order::sort(&mut ids);
        let n = ids.len();
        ids.dedup();
        prop_assert_eq!(ids.len(), n);
        for p in 0..3 {
            let held = server.iter().filter(|r| r.plan_id == format!("p{p}") && r.status == RegistrationStatus::Confirmed).count();
            prop_assert!(held <= 1, "plan p{} held {} times", p, held);
        }
        // Nothing lost: every queued registration was answered, and the phone agrees with the server.
        for id in &queued {
            let local = regs.iter().find(|r| &r.client_id == id);
            prop_assert!(local.is_some(), "{} vanished", id);
            let local = local.unwrap();
            prop_assert!(matches!(local.state, LocalState::Confirmed | LocalState::Cancelled | LocalState::Rejected), "{} left {:?}", id, local.state);
            let on_server = w.confirmed_on_server(id);
            prop_assert_eq!(on_server == 1, local.state == LocalState::Confirmed, "{} is {:?} here, {} confirmed there", id, local.state, on_server);
        }
        // Nothing phantom: every server record was asked for on this phone.
        for r in &server {
            prop_assert!(queued.contains(&r.client_id), "{} was never queued", r.client_id);
        }
    }
}
