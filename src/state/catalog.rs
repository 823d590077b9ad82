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

use crate::api::{self, ApiError, Fetched};
use crate::first_screen::FirstScreen;
use crate::platform::perf;
use crate::prefs;
use crate::state::connection::Connection;
use crate::state::network::Network;
use crate::storage::{Db, StorageError};

/// Parses a fetched rule document and shows it, or says why it is refused.
type KeepRules = Box<dyn FnOnce(&str) -> Result<(), ApiError>>;

/// One data set's revalidation, whatever its kind. Boxed futures measured 715 B of WASM smaller
/// than building the five rule requests first and awaiting one non-generic call each.
type Revalidation = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiError>>>>;

/// Runs the revalidations together and gives their outcomes in the order given. Polling each
/// unfinished one on every wake is nothing for eight, and measured smaller than `join_all`.
async fn join(mut all: Vec<Revalidation>) -> Vec<Option<Result<(), ApiError>>> {
    let mut done: Vec<Option<Result<(), ApiError>>> = all.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, d) in all.iter_mut().zip(done.iter_mut()) {
            if d.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(r) => *d = Some(r),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    done
}

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
        && let Ok(rules) = serde_json::from_str::<T>(&stored.json)
    {
        into.set(Some(Arc::new(rules)));
        if let Some(tag) = stored.etag {
            tags.update_value(|t| t.push((T::KIND, tag)));
        }
    }
}

impl CatalogState {
    /// Revalidates one rule document with the tag the phone holds: unchanged is a 304 and
    /// nothing to store. Only parsing depends on the kind, so the five kinds share one request.
    fn refresh_rules<T: kaozheng_api::endpoints::ServedRules>(
        &self,
        into: RwSignal<Option<Arc<T>>>,
    ) -> impl std::future::Future<Output = Result<(), ApiError>> + use<T> {
        let held = into.with_untracked(Option::is_some);
        let tag = self.tag(T::KIND).filter(|_| held);
        let keep: KeepRules = Box::new(move |text| {
            into.set(Some(Arc::new(api::parse_rules::<T>(text)?)));
            Ok(())
        });
        self.keep_rules(T::KIND, api::rules_path::<T>(), tag, keep)
    }

    /// Fetches one rule document and keeps it if `keep` accepts it: on screen, then stored with
    /// its tag. A refused document leaves the last good one in place.
    async fn keep_rules(
        self,
        kind: &'static str,
        path: &'static str,
        tag: Option<String>,
        keep: KeepRules,
    ) -> Result<(), ApiError> {
        let Fetched::Fresh { value: json, etag } = api::fetch_text(path, tag.as_deref()).await?
        else {
            return Ok(());
        };
        keep(&json)?;
        if let Some(db) = self.db()
            && let Err(e) = db
                .save_rules(kind, &json, etag.as_deref(), crate::state::clock::now())
                .await
        {
            self.storage_failed(e);
        }
        self.set_tag(kind, etag);
        Ok(())
    }

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

    /// Fetches what changed and stores it. Safe to call any time; overlapping calls are dropped.
    pub async fn refresh(self) {
        self.revalidate(Seeded::default()).await;
    }

    /// Revalidates every data set except those the page embedded (the server read them for the
    /// page a moment ago), all at once: on a weak network each request is a round trip, and eight
    /// requests one after another kept the rules off the phone for eight of them.
    async fn revalidate(self, fresh: Seeded) {
        if self.syncing.get_untracked() {
            return;
        }
        self.syncing.set(true);
        let now = crate::state::clock::now();
        let mut sets: Vec<Revalidation> = Vec::with_capacity(8);
        if !fresh.catalog {
            sets.push(Box::pin(self.refresh_catalog(now)));
        }
        if !fresh.plans {
            sets.push(Box::pin(self.refresh_plans(now)));
        }
        if !fresh.sites {
            sets.push(Box::pin(self.refresh_sites(now)));
        }
        sets.extend([
            Box::pin(self.refresh_rules(self.fee_rules)) as Revalidation,
            Box::pin(self.refresh_rules(self.grade_rules)),
            Box::pin(self.refresh_rules(self.credit_rules)),
            Box::pin(self.refresh_rules(self.graduation_rules)),
            Box::pin(self.refresh_rules(self.eligibility_rules)),
        ]);
        // The first problem in this order is the one worth showing; later ones usually repeat it.
        let problem = join(sets)
            .await
            .into_iter()
            .find_map(|r| r.and_then(Result::err))
            .map(|e| match e {
                ApiError::Network(_) => SyncProblem::Unreachable,
                ApiError::Status { status, code } => {
                    SyncProblem::Server(format!("{status} {code}"))
                }
                ApiError::Invalid(m) => SyncProblem::Rejected(m),
            });
        if problem.is_none() {
            self.synced_at.set(Some(now));
        }
        self.problem.set(problem);
        self.rules_settled.set(true);
        self.syncing.set(false);
        perf::mark("kz:refreshed");
    }

    /// Revalidates the catalog: shown first, stored after (storing 10,000 certificates takes
    /// about a second on a phone, which the student need not wait for; a failed save is still
    /// shown).
    async fn refresh_catalog(self, now: DateTime<Utc>) -> Result<(), ApiError> {
        let etag = self.etag.get_untracked();
        let have_catalog = self.catalog.with_untracked(Option::is_some);
        match api::fetch_catalog(etag.as_deref().filter(|_| have_catalog)).await? {
            Fetched::NotModified => {
                if let Some(db) = self.db()
                    && let Err(e) = db.touch_catalog(now).await
                {
                    self.storage_failed(e);
                }
            }
            Fetched::Fresh { value, etag } => {
                let loaded = LoadedCatalog::new(value);
                self.etag.set(etag.clone());
                self.catalog.set(Some(loaded.clone()));
                perf::mark("kz:catalog-painted-network");
                // No database: nothing held, so pages keep embedding the catalog.
                let saved = match self.db() {
                    Some(db) => {
                        let span = perf::Span::start("kz:idb-save-catalog");
                        let saved = db.save_catalog(&loaded.catalog, etag.as_deref(), now).await;
                        span.end();
                        Some(saved)
                    }
                    None => None,
                };
                prefs::remember_catalog(etag.as_deref().filter(|_| matches!(saved, Some(Ok(())))));
                if let Some(Err(e)) = saved {
                    self.storage_failed(e);
                }
            }
        }
        Ok(())
    }

    async fn refresh_plans(self, now: DateTime<Utc>) -> Result<(), ApiError> {
        let tag = self.tag(PLANS).filter(|_| self.plans_known.get_untracked());
        if let Fetched::Fresh { value: res, etag } = api::fetch_plans(tag.as_deref()).await? {
            if let Some(db) = self.db()
                && let Err(e) = db
                    .save_plans_tagged(&res.plans, res.as_of, now, etag.as_deref())
                    .await
            {
                self.storage_failed(e);
            }
            self.set_tag(PLANS, etag);
            self.plans.set(Arc::new(res.plans));
            self.plans_known.set(true);
        }
        Ok(())
    }

    async fn refresh_sites(self, now: DateTime<Utc>) -> Result<(), ApiError> {
        let tag = self
            .tag(SITES)
            .filter(|_| self.sites.with_untracked(|s| !s.is_empty()));
        if let Fetched::Fresh { value: sites, etag } = api::fetch_sites(tag.as_deref()).await? {
            if let Some(db) = self.db()
                && let Err(e) = db.save_sites_tagged(&sites, now, etag.as_deref()).await
            {
                self.storage_failed(e);
            }
            self.set_tag(SITES, etag);
            self.sites.set(Arc::new(sites));
        }
        Ok(())
    }
}
