//! The catalog, exam plans and sites the app shows, with where they came from and how fresh they are.
//!
//! Start-up paints from IndexedDB first (instant, and the only source offline), then refreshes from
//! the API with the stored ETag. A refresh that fails keeps what is on screen and says so; a catalog
//! that fails validation is never stored.

use std::rc::Rc;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use kaozheng_core::rules::{
    CreditRules, EligibilityRules, FeeRules, GradeRules, GraduationRules, RuleDocument,
};
use kaozheng_core::{Catalog, ExamPlan, SearchIndex, Site};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::first_screen::FirstScreen;
use crate::platform::perf;
use crate::prefs;
use crate::state::connection::Connection;
use crate::state::network::Network;
use crate::storage::{Db, StorageError};

mod refresh;

/// Tag keys of the plan and site lists (rule documents use their kind).
const PLANS: &str = "plans";
const SITES: &str = "sites";

/// Why the last refresh did not bring fresh data.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncProblem {
    /// The server could not be reached (offline, timeout, DNS…).
    Unreachable,
    /// The server answered with an error.
    Server(String),
    /// The server sent data that failed validation; the last good copy is kept.
    Rejected(String),
}

/// A catalog with its search index, swapped together so they never disagree.
pub struct LoadedCatalog {
    pub catalog: Catalog,
    pub index: SearchIndex,
}

impl LoadedCatalog {
    pub fn new(catalog: Catalog) -> Arc<Self> {
        let index = SearchIndex::new(&catalog);
        Arc::new(LoadedCatalog { catalog, index })
    }
}

#[derive(Clone, Copy)]
pub struct CatalogState {
    pub catalog: RwSignal<Option<Arc<LoadedCatalog>>>,
    pub plans: RwSignal<Arc<Vec<ExamPlan>>>,
    pub sites: RwSignal<Arc<Vec<Site>>>,
    /// Whether plans have ever been synced (an empty list then means "none", not "unknown").
    pub plans_known: RwSignal<bool>,
    /// The first read from IndexedDB has finished (so "nothing saved" can be told from "loading").
    pub local_read_done: RwSignal<bool>,
    /// The fee and eligibility rules were read from the phone, or the first try to fetch them has
    /// ended: a verdict drawn before then could change under the student's eyes (eligible, then
    /// refused by the school's rule; the school pays, then the student does).
    pub rules_settled: RwSignal<bool>,
    pub syncing: RwSignal<bool>,
    pub synced_at: RwSignal<Option<DateTime<Utc>>>,
    pub problem: RwSignal<Option<SyncProblem>>,
    /// Local records that could not be read and were skipped.
    pub skipped: RwSignal<usize>,
    pub fee_rules: RwSignal<Option<Arc<FeeRules>>>,
    pub grade_rules: RwSignal<Option<Arc<GradeRules>>>,
    pub credit_rules: RwSignal<Option<Arc<CreditRules>>>,
    pub graduation_rules: RwSignal<Option<Arc<GraduationRules>>>,
    /// Schools' own cited level restrictions (the only level refusals there are).
    pub eligibility_rules: RwSignal<Option<Arc<EligibilityRules>>>,
    etag: RwSignal<Option<String>>,
    /// The server's tags of what the phone holds, by data set (`plans`, `sites`, each rule
    /// kind): a refresh sends them and an unchanged set is a 304.
    tags: StoredValue<Vec<(&'static str, String)>>,
    /// The server's time the shown plans are as of, when they came embedded in the page.
    plans_as_of: StoredValue<Option<DateTime<Utc>>>,
    conn: Connection,
}

pub fn use_catalog() -> CatalogState {
    expect_context::<CatalogState>()
}

/// Which data sets came embedded in a server-rendered page (see `first_screen`).
#[derive(Clone, Copy, Default)]
struct Seeded {
    catalog: bool,
    plans: bool,
    sites: bool,
}

/// Creates the state, paints from the page's embedded data or else from IndexedDB, and starts the
/// first refresh. `browser`: false when the server renders a page (no storage, no network).
pub fn provide_catalog_state(
    conn: Connection,
    network: Network,
    first: Option<FirstScreen>,
    browser: bool,
) -> CatalogState {
    let st = CatalogState {
        catalog: RwSignal::new(None),
        plans: RwSignal::new(Arc::new(Vec::new())),
        sites: RwSignal::new(Arc::new(Vec::new())),
        plans_known: RwSignal::new(false),
        local_read_done: RwSignal::new(false),
        rules_settled: RwSignal::new(false),
        syncing: RwSignal::new(false),
        synced_at: RwSignal::new(None),
        problem: RwSignal::new(None),
        skipped: RwSignal::new(0),
        fee_rules: RwSignal::new(None),
        grade_rules: RwSignal::new(None),
        credit_rules: RwSignal::new(None),
        graduation_rules: RwSignal::new(None),
        eligibility_rules: RwSignal::new(None),
        etag: RwSignal::new(None),
        tags: StoredValue::new(Vec::new()),
        plans_as_of: StoredValue::new(None),
        conn,
    };
    provide_context(st);
    // A page rendered without its catalog: the server knew the phone holds it.
    let held = first.as_ref().is_some_and(|f| f.catalog.is_none());
    let seeded = first.map(|f| st.seed(f)).unwrap_or_default();
    if !browser {
        st.local_read_done.set(true);
        st.rules_settled.set(true);
        return st;
    }
    if held {
        wait_for_held_catalog(st);
    }

    // Paint from the phone once the database is open, then refresh from the server.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) || !conn.ready.get() {
            return done.unwrap_or(false);
        }
        spawn_local(async move {
            st.load_local(seeded).await;
            st.revalidate(seeded).await;
        });
        true
    });
    // A database recreated under the page gets the public data on screen, so the app still opens
    // offline; a new connection is the moment to catch up.
    conn.on_recreated(Rc::new(move |db| {
        Box::pin(async move { st.save_memory(&db).await })
    }));
    Effect::new(move |prev: Option<u32>| {
        let n = conn.reconnected.get();
        if prev.is_some_and(|p| p != n) {
            spawn_local(st.refresh());
        }
        n
    });

    // Coming back online, or back to the tab after a while, is the moment to catch up.
    Effect::new(move |prev: Option<bool>| {
        let online = network.online.get();
        if prev == Some(false) && online {
            spawn_local(st.refresh());
        }
        online
    });
    let visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
        let hidden = document().hidden();
        let stale = st
            .synced_at
            .get_untracked()
            .is_none_or(|t| crate::state::clock::now() - t > chrono::Duration::minutes(5));
        if !hidden && stale {
            spawn_local(st.refresh());
        }
    });
    std::mem::forget(visible);
    st
}

/// Keeps the server's page on screen until the catalog the phone holds is on the app's copy, so
/// taking over shows the same list instead of a moment of placeholders. If the phone lost it
/// after all (storage evicted, cookie kept), the refresh that follows downloads it; the server's
/// page, whose links and search work, stays meanwhile, for three seconds at most.
fn wait_for_held_catalog(st: CatalogState) {
    let startup = crate::state::startup::use_startup();
    startup.wait();
    Effect::new(move |_| {
        if st.catalog.with(Option::is_some) {
            startup.release();
        }
    });
    gloo_timers::callback::Timeout::new(3000, move || startup.release()).forget();
}

/// Rules saved on the phone, with their tags; a stored document that no longer parses is ignored
/// (the next refresh replaces it, unrevalidated).
async fn load_rules<T: RuleDocument>(
    db: &Db,
    into: RwSignal<Option<Arc<T>>>,
    tags: StoredValue<Vec<(&'static str, String)>>,
) {
    if let Ok(Some(stored)) = db.load_rules(T::KIND).await
        && let Ok(rules) = kaozheng_core::objects::from_str::<T>(&stored.json)
    {
        into.set(Some(Arc::new(rules)));
        if let Some(tag) = stored.etag {
            tags.update_value(|t| t.push((T::KIND, tag)));
        }
    }
}

impl CatalogState {
    fn tag(&self, set: &str) -> Option<String> {
        self.tags
            .with_value(|t| t.iter().find(|(k, _)| *k == set).map(|(_, v)| v.clone()))
    }

    fn set_tag(&self, set: &'static str, tag: Option<String>) {
        self.tags.update_value(|t| {
            t.retain(|(k, _)| *k != set);
            if let Some(tag) = tag {
                t.push((set, tag));
            }
        });
    }

    fn db(&self) -> Option<Rc<Db>> {
        self.conn.db()
    }

    fn storage_failed(&self, e: StorageError) {
        self.conn.failed(e);
    }

    /// Saves the catalog, plans and sites on screen into a recreated database, so the app still
    /// opens with them offline.
    async fn save_memory(&self, db: &Db) {
        let now = crate::state::clock::now();
        let synced = self.synced_at.get_untracked().unwrap_or(now);
        let catalog = self.catalog.get_untracked();
        let etag = self.etag.get_untracked();
        let mut result = Ok(());
        if let Some(c) = catalog {
            result = db.save_catalog(&c.catalog, etag.as_deref(), synced).await;
            prefs::remember_catalog(etag.as_deref().filter(|_| result.is_ok()));
        }
        if result.is_ok() && self.plans_known.get_untracked() {
            let plans = self.plans.get_untracked();
            result = db.save_plans(&plans, synced, synced).await;
        }
        let sites = self.sites.get_untracked();
        if result.is_ok() && !sites.is_empty() {
            result = db.save_sites(&sites, synced).await;
        }
        if let Err(e) = result {
            self.storage_failed(e);
        }
    }

    /// Shows the data a server-rendered page embedded: the same data the page was rendered from,
    /// so the app's first frame is the page already on screen.
    fn seed(&self, first: FirstScreen) -> Seeded {
        let mut seeded = Seeded::default();
        if let Some(c) = first.catalog {
            self.etag.set(c.etag);
            self.catalog.set(Some(LoadedCatalog::new(c.value)));
            seeded.catalog = true;
        }
        if let Some(p) = first.plans {
            self.set_tag(PLANS, p.etag);
            self.plans.set(Arc::new(p.value.plans));
            self.plans_known.set(true);
            self.plans_as_of.set_value(Some(p.value.as_of));
            seeded.plans = true;
        }
        if let Some(s) = first.sites {
            self.set_tag(SITES, s.etag);
            self.sites.set(Arc::new(s.value));
            seeded.sites = true;
        }
        if seeded.catalog && seeded.plans && seeded.sites {
            // As fresh as the page: the server read them for it a moment ago.
            self.synced_at
                .set(Some(crate::state::clock::use_now().get_untracked()));
        }
        seeded
    }

    /// Stores the embedded sets the phone does not hold yet (by tag), so the app opens with them
    /// offline next time.
    async fn store_seeded(&self, db: &Db, seeded: Seeded) {
        let stored = match db.stored_tags().await {
            Ok(t) => t,
            Err(e) => {
                prefs::remember_catalog(None);
                return self.storage_failed(e);
            }
        };
        let now = crate::state::clock::now();
        let differs =
            |held: Option<String>, shown: Option<String>| shown.is_none() || held != shown;
        let mut result = Ok(());
        if seeded.catalog
            && differs(stored.catalog, self.etag.get_untracked())
            && let Some(c) = self.catalog.get_untracked()
        {
            result = db
                .save_catalog(&c.catalog, self.etag.get_untracked().as_deref(), now)
                .await;
        }
        if seeded.catalog {
            let tag = self.etag.get_untracked();
            prefs::remember_catalog(tag.as_deref().filter(|_| result.is_ok()));
        }
        if result.is_ok() && seeded.plans && differs(stored.plans, self.tag(PLANS)) {
            let as_of = self.plans_as_of.get_value().unwrap_or(now);
            result = db
                .save_plans_tagged(
                    &self.plans.get_untracked(),
                    as_of,
                    now,
                    self.tag(PLANS).as_deref(),
                )
                .await;
        }
        if result.is_ok() && seeded.sites && differs(stored.sites, self.tag(SITES)) {
            result = db
                .save_sites_tagged(&self.sites.get_untracked(), now, self.tag(SITES).as_deref())
                .await;
        }
        if let Err(e) = result {
            self.storage_failed(e);
        }
    }

    async fn load_local(self, seeded: Seeded) {
        let Some(db) = self.db() else {
            prefs::remember_catalog(None);
            self.local_read_done.set(true);
            return;
        };
        self.store_seeded(&db, seeded).await;
        let mut skipped = 0;
        match if seeded.catalog {
            Ok(None)
        } else {
            db.load_catalog().await
        } {
            Ok(Some(stored)) => {
                skipped += stored.skipped.len();
                prefs::remember_catalog(stored.meta.etag.as_deref());
                self.etag.set(stored.meta.etag.clone());
                self.synced_at.set(stored.meta.synced_at);
                self.catalog.set(Some(LoadedCatalog::new(stored.value)));
                perf::mark("kz:catalog-painted-local");
            }
            Ok(None) => {}
            Err(e) => self.storage_failed(e),
        }
        match if seeded.plans {
            Ok(None)
        } else {
            db.load_plans().await
        } {
            Ok(Some(stored)) => {
                skipped += stored.skipped.len();
                self.set_tag(PLANS, stored.meta.etag.clone());
                self.plans.set(Arc::new(stored.value));
                self.plans_known.set(true);
            }
            Ok(None) => {}
            Err(e) => self.storage_failed(e),
        }
        match if seeded.sites {
            Ok(None)
        } else {
            db.load_sites().await
        } {
            Ok(Some(stored)) => {
                skipped += stored.skipped.len();
                self.set_tag(SITES, stored.meta.etag.clone());
                self.sites.set(Arc::new(stored.value));
            }
            Ok(None) => {}
            Err(e) => self.storage_failed(e),
        }
        load_rules(&db, self.fee_rules, self.tags).await;
        load_rules(&db, self.grade_rules, self.tags).await;
        load_rules(&db, self.credit_rules, self.tags).await;
        load_rules(&db, self.graduation_rules, self.tags).await;
        load_rules(&db, self.eligibility_rules, self.tags).await;
        if self.fee_rules.with_untracked(Option::is_some)
            && self.eligibility_rules.with_untracked(Option::is_some)
        {
            self.rules_settled.set(true);
        }
        self.skipped.set(skipped);
        self.local_read_done.set(true);
    }
}
