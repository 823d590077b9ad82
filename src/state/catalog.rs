//! The catalog, exam plans and sites the app shows, with where they came from and how fresh they are.
//!
//! Start-up paints from IndexedDB first (instant, and the only source offline), then refreshes from
//! the API with the stored ETag. A refresh that fails keeps what is on screen and says so; a catalog
//! that fails validation is never stored.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use kaozheng_core::rules::{CreditRules, EligibilityRules, FeeRules, GradeRules, GraduationRules};
use kaozheng_core::{Catalog, ExamPlan, SearchIndex, Site};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, Fetched};
use crate::perf;
use crate::state::network::Network;
use crate::storage::{Db, StorageError};

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
    pub syncing: RwSignal<bool>,
    pub synced_at: RwSignal<Option<DateTime<Utc>>>,
    pub problem: RwSignal<Option<SyncProblem>>,
    /// The last storage failure, shown in the status line in the student's language.
    pub storage_error: RwSignal<Option<StorageError>>,
    /// Bumped each time a lost connection was replaced by a new one (personal data syncs then).
    pub reconnected: RwSignal<u32>,
    /// Local records that could not be read and were skipped.
    pub skipped: RwSignal<usize>,
    pub fee_rules: RwSignal<Option<Arc<FeeRules>>>,
    pub grade_rules: RwSignal<Option<Arc<GradeRules>>>,
    pub credit_rules: RwSignal<Option<Arc<CreditRules>>>,
    pub graduation_rules: RwSignal<Option<Arc<GraduationRules>>>,
    /// Schools' own cited level restrictions (the only level refusals there are).
    pub eligibility_rules: RwSignal<Option<Arc<EligibilityRules>>>,
    /// IndexedDB is open (or failed to open): personal data can load now.
    pub db_ready: RwSignal<bool>,
    etag: RwSignal<Option<String>>,
    db: StoredValue<Option<Rc<Db>>, LocalStorage>,
    /// A lost connection is being replaced: failures of the dead one are expected, not news.
    reopening: StoredValue<bool>,
    /// Writes the signed-in student's records back into a database that was deleted underneath
    /// the page (set by the account state, which holds them).
    restore_personal: StoredValue<Option<RestoreHook>, LocalStorage>,
}

/// See [`CatalogState::on_recreated`].
pub type RestoreHook = Rc<dyn Fn(Rc<Db>) -> Pin<Box<dyn Future<Output = ()>>>>;

pub fn use_catalog() -> CatalogState {
    expect_context::<CatalogState>()
}

/// Creates the state, paints from IndexedDB and starts the first refresh.
pub fn provide_catalog_state(network: Network) -> CatalogState {
    let st = CatalogState {
        catalog: RwSignal::new(None),
        plans: RwSignal::new(Arc::new(Vec::new())),
        sites: RwSignal::new(Arc::new(Vec::new())),
        plans_known: RwSignal::new(false),
        local_read_done: RwSignal::new(false),
        syncing: RwSignal::new(false),
        synced_at: RwSignal::new(None),
        problem: RwSignal::new(None),
        storage_error: RwSignal::new(None),
        reconnected: RwSignal::new(0),
        skipped: RwSignal::new(0),
        fee_rules: RwSignal::new(None),
        grade_rules: RwSignal::new(None),
        credit_rules: RwSignal::new(None),
        graduation_rules: RwSignal::new(None),
        eligibility_rules: RwSignal::new(None),
        db_ready: RwSignal::new(false),
        etag: RwSignal::new(None),
        db: StoredValue::new_local(None),
        reopening: StoredValue::new(false),
        restore_personal: StoredValue::new_local(None),
    };
    provide_context(st);

    spawn_local(async move {
        st.load_local().await;
        st.refresh().await;
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
            .is_none_or(|t| Utc::now() - t > chrono::Duration::minutes(5));
        if !hidden && stale {
            spawn_local(st.refresh());
        }
    });
    std::mem::forget(visible);
    st
}

/// Rules saved on the phone; a stored document that no longer parses is ignored (the next refresh
/// replaces it).
async fn load_rules<T>(db: &Db, kind: &str, into: RwSignal<Option<Arc<T>>>)
where
    T: serde::de::DeserializeOwned + Send + Sync + 'static,
{
    if let Ok(Some((json, _))) = db.load_rules(kind).await
        && let Ok(rules) = serde_json::from_str::<T>(&json)
    {
        into.set(Some(Arc::new(rules)));
    }
}

impl CatalogState {
    async fn refresh_rules<T>(
        &self,
        kind: &str,
        into: RwSignal<Option<Arc<T>>>,
        check: fn(&T) -> Result<(), String>,
        note: &mut impl FnMut(ApiError),
    ) where
        T: serde::de::DeserializeOwned + Send + Sync + 'static,
    {
        match api::rules::<T>(kind, check).await {
            Ok((rules, json)) => {
                if let Some(db) = self.db()
                    && let Err(e) = db.save_rules(kind, &json, Utc::now()).await
                {
                    self.storage_failed(e);
                }
                into.set(Some(Arc::new(rules)));
            }
            Err(e) => note(e),
        }
    }

    /// The open database, shared with the account state.
    pub fn db(&self) -> Option<Rc<Db>> {
        self.db.get_value()
    }

    /// Shows a storage failure, except the dead connection's own while it is being replaced.
    pub fn storage_failed(&self, e: StorageError) {
        let lost = matches!(e, StorageError::VersionChanged | StorageError::Closed);
        if lost && self.reopening.get_value() {
            return;
        }
        self.storage_error.set(Some(e));
    }

    /// Sets what writes the student's records back into a recreated database.
    pub fn on_recreated(&self, hook: RestoreHook) {
        self.restore_personal.set_value(Some(hook));
    }

    /// Uses `db` from now on, and reopens when its connection is lost.
    fn adopt(self, db: Rc<Db>) {
        db.on_connection_lost(move |_| {
            self.reopening.set_value(true);
            spawn_local(self.reopen());
        });
        self.db.set_value(Some(db));
    }

    /// The connection was lost: another tab upgraded or deleted the database, or the browser
    /// closed it (site data cleared, storage evicted). Opening again tells which: a newer schema
    /// refuses this code (VersionChanged: the page must be reloaded), a deleted database comes
    /// back empty and gets what this page still holds (data, session, registrations, unsent
    /// changes) before anything reads from it, then everything is synced again.
    async fn reopen(self) {
        let db = match Db::open().await {
            Ok(db) => Rc::new(db),
            Err(e) => {
                self.reopening.set_value(false);
                self.storage_failed(e);
                return;
            }
        };
        if db.created() {
            self.save_memory(&db).await;
            let hook = self.restore_personal.get_value();
            if let Some(hook) = hook {
                hook(db.clone()).await;
            }
        }
        self.adopt(db);
        self.reopening.set_value(false);
        if matches!(
            self.storage_error.get_untracked(),
            Some(StorageError::VersionChanged | StorageError::Closed)
        ) {
            self.storage_error.set(None);
        }
        self.reconnected.update(|n| *n += 1);
        spawn_local(self.refresh());
    }

    /// Saves the catalog, plans and sites on screen into a recreated database, so the app still
    /// opens with them offline.
    async fn save_memory(&self, db: &Db) {
        let now = Utc::now();
        let synced = self.synced_at.get_untracked().unwrap_or(now);
        let catalog = self.catalog.get_untracked();
        let etag = self.etag.get_untracked();
        let mut result = Ok(());
        if let Some(c) = catalog {
            result = db.save_catalog(&c.catalog, etag.as_deref(), synced).await;
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

    async fn load_local(self) {
        let db = match Db::open().await {
            Ok(db) => Rc::new(db),
            Err(e) => {
                self.storage_failed(e);
                self.local_read_done.set(true);
                self.db_ready.set(true);
                return;
            }
        };
        self.adopt(db.clone());
        self.db_ready.set(true);
        let mut skipped = 0;
        match db.load_catalog().await {
            Ok(Some(stored)) => {
                skipped += stored.skipped.len();
                self.etag.set(stored.meta.etag.clone());
                self.synced_at.set(stored.meta.synced_at);
                self.catalog.set(Some(LoadedCatalog::new(stored.value)));
                perf::mark("kz:catalog-painted-local");
            }
            Ok(None) => {}
            Err(e) => self.storage_failed(e),
        }
        match db.load_plans().await {
            Ok(Some(stored)) => {
                skipped += stored.skipped.len();
                self.plans.set(Arc::new(stored.value));
                self.plans_known.set(true);
            }
            Ok(None) => {}
            Err(e) => self.storage_failed(e),
        }
        match db.load_sites().await {
            Ok(Some(stored)) => {
                skipped += stored.skipped.len();
                self.sites.set(Arc::new(stored.value));
            }
            Ok(None) => {}
            Err(e) => self.storage_failed(e),
        }
        load_rules(&db, "fees", self.fee_rules).await;
        load_rules(&db, "grades", self.grade_rules).await;
        load_rules(&db, "credits", self.credit_rules).await;
        load_rules(&db, "graduation", self.graduation_rules).await;
        load_rules(&db, "eligibility", self.eligibility_rules).await;
        self.skipped.set(skipped);
        self.local_read_done.set(true);
    }

    /// Fetches what changed and stores it. Safe to call any time; overlapping calls are dropped.
    pub async fn refresh(self) {
        if self.syncing.get_untracked() {
            return;
        }
        self.syncing.set(true);
        let mut problem = None;
        let mut note = |e: ApiError| {
            let p = match e {
                ApiError::Network(_) => SyncProblem::Unreachable,
                ApiError::Status { status, code } => {
                    SyncProblem::Server(format!("{status} {code}"))
                }
                ApiError::Invalid(m) => SyncProblem::Rejected(m),
            };
            // The first problem is the one worth showing; later ones usually repeat it.
            problem.get_or_insert(p);
        };
        let now = Utc::now();

        let etag = self.etag.get_untracked();
        let have_catalog = self.catalog.with_untracked(Option::is_some);
        match api::fetch_catalog(etag.as_deref().filter(|_| have_catalog)).await {
            Ok(Fetched::NotModified) => {
                if let Some(db) = self.db()
                    && let Err(e) = db.touch_catalog(now).await
                {
                    self.storage_failed(e);
                }
            }
            Ok(Fetched::Fresh { value, etag }) => {
                // Shown first, stored after: storing 10,000 certificates takes about a second on
                // a phone, which the student need not wait for. A failed save is still shown.
                let loaded = LoadedCatalog::new(value);
                self.etag.set(etag.clone());
                self.catalog.set(Some(loaded.clone()));
                perf::mark("kz:catalog-painted-network");
                if let Some(db) = self.db() {
                    let span = perf::Span::start("kz:idb-save-catalog");
                    let saved = db.save_catalog(&loaded.catalog, etag.as_deref(), now).await;
                    span.end();
                    if let Err(e) = saved {
                        self.storage_failed(e);
                    }
                }
            }
            Err(e) => note(e),
        }

        match api::fetch_plans().await {
            Ok(res) => {
                if let Some(db) = self.db()
                    && let Err(e) = db.save_plans(&res.plans, res.as_of, now).await
                {
                    self.storage_failed(e);
                }
                self.plans.set(Arc::new(res.plans));
                self.plans_known.set(true);
            }
            Err(e) => note(e),
        }
        match api::fetch_sites().await {
            Ok(sites) => {
                if let Some(db) = self.db()
                    && let Err(e) = db.save_sites(&sites, now).await
                {
                    self.storage_failed(e);
                }
                self.sites.set(Arc::new(sites));
            }
            Err(e) => note(e),
        }

        self.refresh_rules("fees", self.fee_rules, api::check_fees, &mut note)
            .await;
        self.refresh_rules("grades", self.grade_rules, api::check_grades, &mut note)
            .await;
        self.refresh_rules("credits", self.credit_rules, api::check_credits, &mut note)
            .await;
        self.refresh_rules(
            "graduation",
            self.graduation_rules,
            api::check_graduation,
            &mut note,
        )
        .await;
        self.refresh_rules(
            "eligibility",
            self.eligibility_rules,
            api::check_eligibility,
            &mut note,
        )
        .await;

        if problem.is_none() {
            self.synced_at.set(Some(now));
        }
        self.problem.set(problem);
        self.syncing.set(false);
    }
}
