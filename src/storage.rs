//! The offline copy in IndexedDB (database `kaozheng`): the public catalog, exam plans, sites and
//! rule documents (this file); the signed-in student's session and results (`personal.rs`); their
//! registrations and the outbox that carries them to the server (`outbox.rs`).
//!
//! The app paints from here first, then refreshes from the API. Three rules shape this module:
//! - a save replaces a whole data set in one transaction (clear, put every record, header), so a
//!   crash or a closed tab leaves the old set or the new one, never half of each; a change that
//!   spans stores (a registration and its outbox entry) is one transaction too;
//! - a record that no longer decodes is skipped and reported ([`Loaded::skipped`]), never fatal:
//!   one bad row must not blank the catalog on a phone that is offline;
//! - when another tab upgrades the schema, this tab closes its connection at once so the upgrade
//!   is not blocked, and every later call returns [`StorageError::VersionChanged`] ("reload").
//!
//! Layout: [`schema`] holds the versions and migrations, [`codec`] how a record is encoded.

mod codec;
mod error;
mod feedback;
mod outbox;
mod personal;
mod schema;

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use futures_channel::oneshot;
use indexed_db_futures::database::Database;
use indexed_db_futures::factory::DBFactory;
use indexed_db_futures::future::GetAllPrimitiveRequest;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use kaozheng_core::{Catalog, Certificate, EvaluationOrg, ExamPlan, Site};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::JsCast;

use codec::{Codec, Record};
pub use error::StorageError;
pub use personal::{ResultsMeta, Session};
pub use schema::{
    BY_CERTIFICATE, BY_PLAN, CERTIFICATES, CURRENT_VERSION, META, MIGRATIONS, Migration, ORGS,
    OUTBOX, PERSONAL_STORES, PLANS, RECORD_STORES, REGISTRATIONS, RESULTS, RULES, SESSION, SITES,
};

/// The app's database.
pub const DB_NAME: &str = "kaozheng";

/// `meta` keys of the data set headers.
const CATALOG_KEY: &str = "catalog";
const PLANS_KEY: &str = "plans";
const SITES_KEY: &str = "sites";
const RESULTS_KEY: &str = "results";
/// The outbox flush lease (see [`Db::try_lease`]).
const LEASE_KEY: &str = "outbox_lease";

/// What a load returns: the value, its header, and the records that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded<T, M = ()> {
    pub value: T,
    pub meta: M,
    pub skipped: Vec<SkippedRecord>,
}

/// A stored record that failed to decode and was left out of a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRecord {
    pub store: &'static str,
    pub key: String,
    pub reason: String,
}

/// The catalog's header: everything of [`Catalog`] but its records, plus how it was fetched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogMeta {
    pub format: u32,
    pub version: String,
    pub source: String,
    pub synthetic: bool,
    pub total_in_system: Option<u32>,
    /// The API's `ETag`, for `If-None-Match` on the next refresh.
    pub etag: Option<String>,
    /// When the server last confirmed this catalog (a 200 or a 304).
    #[serde(with = "kaozheng_core::time::cst::option")]
    pub synced_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlansMeta {
    /// The server's "as of" time for seats left.
    #[serde(with = "kaozheng_core::time::cst")]
    pub as_of: DateTime<Utc>,
    #[serde(with = "kaozheng_core::time::cst")]
    pub synced_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitesMeta {
    #[serde(with = "kaozheng_core::time::cst")]
    pub synced_at: DateTime<Utc>,
}

/// A stored rule document: the API's JSON text as received, so it is parsed by the same code
/// (`serde_json` into e.g. `FeeRules`) whether it came from the network or from here.
#[derive(Serialize, Deserialize)]
struct StoredRules {
    json: String,
    #[serde(with = "kaozheng_core::time::cst")]
    synced_at: DateTime<Utc>,
}

/// An open connection. Dropping it closes the connection.
pub struct Db {
    db: Database,
    name: String,
    version: u32,
    /// This open created the database (it did not exist: first start, or the browser deleted it).
    created: bool,
    conn: Rc<Connection>,
    _on_version_change: Closure<dyn FnMut(web_sys::Event)>,
    _on_close: Closure<dyn FnMut(web_sys::Event)>,
}

type LostHook = Box<dyn Fn(&StorageError)>;

/// Connection state shared with the browser's event handlers.
#[derive(Default)]
struct Connection {
    lost: RefCell<Option<StorageError>>,
    hooks: RefCell<Vec<LostHook>>,
}

impl Connection {
    fn lose(&self, why: StorageError) {
        if self.lost.borrow().is_some() {
            return;
        }
        *self.lost.borrow_mut() = Some(why.clone());
        // Taken out first so a hook may call back into the Db.
        let hooks = std::mem::take(&mut *self.hooks.borrow_mut());
        for hook in &hooks {
            hook(&why);
        }
    }
}

/// The upgrade's view of the open request, filled in as the request progresses.
#[derive(Default)]
struct OpenState {
    request: Option<web_sys::IdbOpenDbRequest>,
    upgrade_tx: Option<web_sys::IdbTransaction>,
    upgrade_error: Option<StorageError>,
    /// The upgrade started from version 0: there was no database.
    created: bool,
}

impl Db {
    /// Opens the app's database at the current schema version, upgrading it if needed.
    pub async fn open() -> Result<Db, StorageError> {
        Db::open_named(DB_NAME).await
    }

    /// Opens a database by name (tests use their own) at the current schema version.
    pub async fn open_named(name: &str) -> Result<Db, StorageError> {
        Db::open_at(name, CURRENT_VERSION).await
    }

    /// Opens at an older schema `version`, so tests can create the data a phone running an
    /// older release would have; the returned `Db` reads and writes that version's layout.
    ///
    /// If another connection keeps the database open at an older version, this returns
    /// [`StorageError::Blocked`] at once instead of waiting; the upgrade still runs as soon as that
    /// connection closes, and the connection it opens is then closed again.
    pub async fn open_at(name: &str, version: u32) -> Result<Db, StorageError> {
        if !(1..=CURRENT_VERSION).contains(&version) {
            return Err(StorageError::Other(format!(
                "schema version {version} does not exist (1 to {CURRENT_VERSION})"
            )));
        }
        let factory = DBFactory::new()?;
        let state = Rc::new(RefCell::new(OpenState::default()));
        let (send, receive) = oneshot::channel::<Result<Database, StorageError>>();
        let send = Rc::new(RefCell::new(Some(send)));

        let on_blocked = {
            let send = send.clone();
            move |_| {
                if let Some(send) = send.borrow_mut().take() {
                    let _ = send.send(Err(StorageError::Blocked));
                }
                Ok(())
            }
        };
        let on_upgrade = {
            let state = state.clone();
            move |event: indexed_db_futures::database::VersionChangeEvent, db: Database| async move {
                let old_version = event.old_version() as u32;
                state.borrow_mut().created = old_version == 0;
                let result = run_upgrade(&state, old_version, version, &db).await;
                result.map_err(|e| {
                    let message = e.to_string();
                    state.borrow_mut().upgrade_error = Some(e);
                    JsValue::from_str(&message).into()
                })
            }
        };
        let request = factory
            .open_db(name)
            .with_version(version)
            .with_on_blocked(on_blocked)
            .with_on_upgrade_needed_fut(on_upgrade)
            .build()?;
        state.borrow_mut().request = Some(request.as_sys().clone());

        let opened = state.clone();
        // The request runs to its end on its own task: after `blocked` the caller has its answer,
        // but dropping the request would unhook the upgrade handler while the upgrade is pending.
        wasm_bindgen_futures::spawn_local(async move {
            let result = request.await;
            match send.borrow_mut().take() {
                Some(send) => {
                    let result = result.map_err(|e| open_failure(e, &state));
                    let _ = send.send(result);
                }
                None => {
                    if let Ok(db) = result {
                        db.close();
                    }
                }
            }
        });
        let db = receive
            .await
            .map_err(|_| StorageError::Other("the open request was dropped".into()))??;
        let created = opened.borrow().created;
        Ok(Db::wrap(db, name, version, created))
    }

    fn wrap(db: Database, name: &str, version: u32, created: bool) -> Db {
        let conn = Rc::new(Connection::default());
        let raw: web_sys::IdbDatabase = (**db.as_sys()).clone();
        let on_version_change = Closure::<dyn FnMut(web_sys::Event)>::new({
            let conn = conn.clone();
            let raw = raw.clone();
            move |_| {
                raw.close();
                conn.lose(StorageError::VersionChanged);
            }
        });
        let on_close = Closure::<dyn FnMut(web_sys::Event)>::new({
            let conn = conn.clone();
            move |_| conn.lose(StorageError::Closed)
        });
        raw.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        raw.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Db {
            db,
            name: name.into(),
            version,
            created,
            conn,
            _on_version_change: on_version_change,
            _on_close: on_close,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The schema version this connection reads and writes.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Whether this open created the database. After a lost connection, a reopened database that
    /// was just created means the browser deleted the old one (site data cleared, storage evicted):
    /// whatever the page still holds in memory is all that is left of it.
    pub fn created(&self) -> bool {
        self.created
    }

    /// Why the connection is gone, once another tab's upgrade or the browser has closed it.
    pub fn connection_lost(&self) -> Option<StorageError> {
        self.conn.lost.borrow().clone()
    }

    /// Calls `hook` once when the connection is lost (at once if it already is), so the UI can ask
    /// for a reload before the next read or write fails.
    pub fn on_connection_lost(&self, hook: impl Fn(&StorageError) + 'static) {
        let lost = self.connection_lost();
        match lost {
            Some(why) => hook(&why),
            None => self.conn.hooks.borrow_mut().push(Box::new(hook)),
        }
    }

    /// Deletes a database (tests, sign-out). Other connections of this app close themselves; one
    /// that does not (an old tab) makes this return [`StorageError::Blocked`], and the deletion
    /// then completes when it closes. Raw web_sys, because indexed_db_futures' delete request
    /// does not report `blocked` and would wait silently.
    pub async fn delete_database(name: &str) -> Result<(), StorageError> {
        let factory = web_sys::window()
            .ok_or_else(|| StorageError::NotAvailable("no window".into()))?
            .indexed_db()?
            .ok_or_else(|| StorageError::NotAvailable("indexedDB is null".into()))?;
        let request = factory.delete_database(name)?;
        let (send, receive) = oneshot::channel::<Result<(), StorageError>>();
        let send = Rc::new(RefCell::new(Some(send)));
        let settle = |send: &Rc<RefCell<Option<oneshot::Sender<_>>>>, result| {
            if let Some(send) = send.borrow_mut().take() {
                let _ = send.send(result);
            }
        };
        let on_success = Closure::<dyn FnMut(web_sys::Event)>::new({
            let send = send.clone();
            move |_| settle(&send, Ok(()))
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new({
            let send = send.clone();
            let request = request.clone();
            move |_| {
                let error = match request.error() {
                    Ok(Some(e)) => StorageError::from_dom_exception(&e),
                    Ok(None) => StorageError::Other("deleting the database failed".into()),
                    Err(e) => StorageError::from(e),
                };
                settle(&send, Err(error));
            }
        });
        let on_blocked = Closure::<dyn FnMut(web_sys::Event)>::new({
            let send = send.clone();
            move |_| settle(&send, Err(StorageError::Blocked))
        });
        request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
        request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        request.set_onblocked(Some(on_blocked.as_ref().unchecked_ref()));
        let result = receive
            .await
            .unwrap_or_else(|_| Err(StorageError::Other("the delete request was dropped".into())));
        if result == Err(StorageError::Blocked) {
            // A blocked deletion still completes later, and then calls these handlers (which
            // find the channel used up): they must outlive this call.
            on_success.forget();
            on_error.forget();
            on_blocked.forget();
        } else {
            request.set_onsuccess(None);
            request.set_onerror(None);
            request.set_onblocked(None);
        }
        result
    }

    /// The stored catalog, or `None` if none was ever saved.
    pub async fn load_catalog(&self) -> Result<Option<Loaded<Catalog, CatalogMeta>>, StorageError> {
        let tx = self.transaction(&[CERTIFICATES, ORGS, META], TransactionMode::Readonly)?;
        let header = self.request_text(&tx, META, CATALOG_KEY)?;
        let orgs = RecordsRequest::<EvaluationOrg>::start(&tx)?;
        let certificates = RecordsRequest::<Certificate>::start(&tx)?;
        let Some(meta) = self
            .finish_text::<CatalogMeta>(header, META, CATALOG_KEY)
            .await?
        else {
            return Ok(None);
        };
        let codec = self.codec();
        let mut skipped = Vec::new();
        let orgs = orgs
            .finish(&codec, &mut skipped)
            .await
            .map_err(|e| self.fail(e))?;
        let certificates = certificates
            .finish(&codec, &mut skipped)
            .await
            .map_err(|e| self.fail(e))?;
        let catalog = Catalog {
            format: meta.format,
            version: meta.version.clone(),
            source: meta.source.clone(),
            synthetic: meta.synthetic,
            total_in_system: meta.total_in_system,
            orgs,
            certificates,
        };
        Ok(Some(Loaded {
            value: catalog,
            meta,
            skipped,
        }))
    }

    /// Replaces the stored catalog, atomically: certificates and orgs absent from `catalog` go.
    pub async fn save_catalog(
        &self,
        catalog: &Catalog,
        etag: Option<&str>,
        synced_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let meta = CatalogMeta {
            format: catalog.format,
            version: catalog.version.clone(),
            source: catalog.source.clone(),
            synthetic: catalog.synthetic,
            total_in_system: catalog.total_in_system,
            etag: etag.map(str::to_owned),
            synced_at: Some(synced_at),
        };
        let tx = self.transaction(&[CERTIFICATES, ORGS, META], TransactionMode::Readwrite)?;
        let codec = self.codec();
        self.replace_all(&tx, &codec, &catalog.orgs)?;
        self.replace_all(&tx, &codec, &catalog.certificates)?;
        self.put_text(&tx, META, CATALOG_KEY, &meta)?;
        self.commit(tx).await
    }

    /// Records that the server confirmed the stored catalog (HTTP 304): only `synced_at` changes.
    /// Returns `false` if there is no stored catalog to confirm.
    pub async fn touch_catalog(&self, synced_at: DateTime<Utc>) -> Result<bool, StorageError> {
        let tx = self.transaction(&[META], TransactionMode::Readwrite)?;
        let Some(mut meta) = self
            .read_text::<CatalogMeta>(&tx, META, CATALOG_KEY)
            .await?
        else {
            return Ok(false);
        };
        meta.synced_at = Some(synced_at);
        self.put_text(&tx, META, CATALOG_KEY, &meta)?;
        self.commit(tx).await?;
        Ok(true)
    }

    /// The stored exam plans, in the order they were saved, or `None` if never saved.
    pub async fn load_plans(
        &self,
    ) -> Result<Option<Loaded<Vec<ExamPlan>, PlansMeta>>, StorageError> {
        self.load_set(PLANS_KEY).await
    }

    /// Replaces the stored exam plans atomically.
    pub async fn save_plans(
        &self,
        plans: &[ExamPlan],
        as_of: DateTime<Utc>,
        synced_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.save_set(plans, PLANS_KEY, &PlansMeta { as_of, synced_at })
            .await
    }

    /// The stored exam sites, in the order they were saved, or `None` if never saved.
    pub async fn load_sites(&self) -> Result<Option<Loaded<Vec<Site>, SitesMeta>>, StorageError> {
        self.load_set(SITES_KEY).await
    }

    /// Replaces the stored exam sites atomically.
    pub async fn save_sites(
        &self,
        sites: &[Site],
        synced_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.save_set(sites, SITES_KEY, &SitesMeta { synced_at })
            .await
    }

    /// The stored plans of one certificate, in saved order, read through the `by_certificate`
    /// index so only those records are read and decoded.
    pub async fn plans_for_certificate(
        &self,
        certificate_id: &str,
    ) -> Result<Loaded<Vec<ExamPlan>>, StorageError> {
        let tx = self.transaction(&[PLANS], TransactionMode::Readonly)?;
        let store = self.store(&tx, PLANS)?;
        let codec = self.codec();
        let mut skipped = Vec::new();
        let value = if self.version < 2 {
            // Schema v1 has no index (its records are opaque text): scan.
            let mut plans = RecordsRequest::<ExamPlan>::start_on(&store)?
                .finish(&codec, &mut skipped)
                .await
                .map_err(|e| self.fail(e))?;
            plans.retain(|p| p.certificate_id == certificate_id);
            plans
        } else {
            RecordsRequest::<ExamPlan>::start_where(&store, BY_CERTIFICATE, certificate_id)
                .map_err(|e| self.fail(e))?
                .finish(&codec, &mut skipped)
                .await
                .map_err(|e| self.fail(e))?
        };
        Ok(Loaded {
            value,
            meta: (),
            skipped,
        })
    }

    /// Stores a rule document's JSON text as received, replacing the previous one of that `kind`
    /// (the API path's last segment: `fees`, `grades`, `credits`; a province-specific document can
    /// add it, as in `grades:河南`).
    pub async fn save_rules(
        &self,
        kind: &str,
        json: &str,
        synced_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let rules = StoredRules {
            json: json.to_owned(),
            synced_at,
        };
        let tx = self.transaction_v3(&[RULES], TransactionMode::Readwrite)?;
        self.put_text(&tx, RULES, kind, &rules)?;
        self.commit(tx).await
    }

    /// The stored rule document of `kind` and when it was synced, or `None` if never saved.
    pub async fn load_rules(
        &self,
        kind: &str,
    ) -> Result<Option<(String, DateTime<Utc>)>, StorageError> {
        let tx = self.transaction_v3(&[RULES], TransactionMode::Readonly)?;
        let rules = self.read_text::<StoredRules>(&tx, RULES, kind).await?;
        Ok(rules.map(|r| (r.json, r.synced_at)))
    }

    async fn load_set<R: Record, M: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<Loaded<Vec<R>, M>>, StorageError> {
        let tx = self.transaction(&[R::STORE, META], TransactionMode::Readonly)?;
        let header = self.request_text(&tx, META, key)?;
        let records = RecordsRequest::<R>::start(&tx)?;
        let Some(meta) = self.finish_text::<M>(header, META, key).await? else {
            return Ok(None);
        };
        let mut skipped = Vec::new();
        let value = records
            .finish(&self.codec(), &mut skipped)
            .await
            .map_err(|e| self.fail(e))?;
        Ok(Some(Loaded {
            value,
            meta,
            skipped,
        }))
    }

    async fn save_set<R: Record, M: Serialize>(
        &self,
        records: &[R],
        key: &str,
        meta: &M,
    ) -> Result<(), StorageError> {
        let tx = self.transaction(&[R::STORE, META], TransactionMode::Readwrite)?;
        self.replace_all(&tx, &self.codec(), records)?;
        self.put_text(&tx, META, key, meta)?;
        self.commit(tx).await
    }

    fn codec(&self) -> Codec {
        Codec::new(self.version)
    }

    /// A lost connection explains any later failure better than the browser's InvalidStateError.
    fn fail(&self, e: StorageError) -> StorageError {
        self.connection_lost().unwrap_or(e)
    }

    fn transaction(
        &self,
        stores: &[&str],
        mode: TransactionMode,
    ) -> Result<Transaction<'_>, StorageError> {
        if let Some(lost) = self.connection_lost() {
            return Err(lost);
        }
        self.db
            .transaction(stores)
            .with_mode(mode)
            .build()
            .map_err(|e| self.fail(e.into()))
    }

    /// On an older connection (tests open one with [`Db::open_at`]), says that the stores schema v3
    /// added are missing, instead of the browser's NotFoundError.
    fn require_v3(&self, stores: &[&str]) -> Result<(), StorageError> {
        if self.version < 3 {
            return Err(StorageError::Other(format!(
                "schema v{} has no {} store (added in v3)",
                self.version,
                stores.join(", ")
            )));
        }
        Ok(())
    }

    fn transaction_v3(
        &self,
        stores: &[&str],
        mode: TransactionMode,
    ) -> Result<Transaction<'_>, StorageError> {
        self.require_v3(stores)?;
        self.transaction(stores, mode)
    }

    fn store<'t>(
        &self,
        tx: &'t Transaction<'_>,
        name: &str,
    ) -> Result<ObjectStore<'t>, StorageError> {
        tx.object_store(name).map_err(|e| self.fail(e.into()))
    }

    /// Clears `R`'s store and puts every record. The requests are queued, not awaited one by one:
    /// the commit waits for all of them, and any failure aborts the whole transaction.
    fn replace_all<R: Record>(
        &self,
        tx: &Transaction<'_>,
        codec: &Codec,
        records: &[R],
    ) -> Result<(), StorageError> {
        let store = self.store(tx, R::STORE)?;
        let _cleared = store.clear().map_err(|e| self.fail(e.into()))?;
        for (order, record) in records.iter().enumerate() {
            let order = u32::try_from(order)
                .map_err(|_| StorageError::Other(format!("too many records for {}", R::STORE)))?;
            let value = codec.encode(order, record)?;
            put(&store, value, record.key()).map_err(|e| self.fail(e))?;
        }
        Ok(())
    }

    /// Queues a put of a JSON-text record (header, session, rule document, lease).
    fn put_text<T: Serialize>(
        &self,
        tx: &Transaction<'_>,
        store: &str,
        key: &str,
        value: &T,
    ) -> Result<(), StorageError> {
        let os = self.store(tx, store)?;
        put(&os, codec::encode_text(value)?, key).map_err(|e| self.fail(e))
    }

    fn request_text(
        &self,
        tx: &Transaction<'_>,
        store: &str,
        key: &str,
    ) -> Result<indexed_db_futures::future::BasicRequest<Option<JsValue>>, StorageError> {
        self.store(tx, store)?
            .get::<JsValue, _, _>(key)
            .primitive()
            .map_err(|e| self.fail(e.into()))
    }

    async fn finish_text<T: DeserializeOwned>(
        &self,
        request: indexed_db_futures::future::BasicRequest<Option<JsValue>>,
        store: &str,
        key: &str,
    ) -> Result<Option<T>, StorageError> {
        match request.await.map_err(|e| self.fail(e.into()))? {
            None => Ok(None),
            Some(value) => codec::decode_text(store, key, &value).map(Some),
        }
    }

    /// Reads one JSON-text record; one that does not decode is [`StorageError::Corrupt`].
    async fn read_text<T: DeserializeOwned>(
        &self,
        tx: &Transaction<'_>,
        store: &str,
        key: &str,
    ) -> Result<Option<T>, StorageError> {
        let request = self.request_text(tx, store, key)?;
        self.finish_text(request, store, key).await
    }

    /// Reads one record by key with its saved position; one that does not decode is
    /// [`StorageError::Corrupt`] (a single record the caller asked for cannot be skipped).
    async fn read_record<R: Record>(
        &self,
        store: &ObjectStore<'_>,
        codec: &Codec,
        key: &str,
    ) -> Result<Option<(u32, R)>, StorageError> {
        let value = store
            .get::<JsValue, _, _>(key)
            .primitive()
            .map_err(|e| self.fail(e.into()))?
            .await
            .map_err(|e| self.fail(e.into()))?;
        value
            .map(|v| {
                codec.decode(&v).map_err(|reason| StorageError::Corrupt {
                    store: R::STORE.into(),
                    key: key.into(),
                    reason,
                })
            })
            .transpose()
    }

    /// How many records `store` holds, or whether it holds `key` (0 or 1).
    async fn count(&self, store: &ObjectStore<'_>, key: Option<&str>) -> Result<u32, StorageError> {
        let request = match key {
            Some(key) => store.count().with_query(key).primitive(),
            None => store.count().primitive(),
        };
        request
            .map_err(|e| self.fail(e.into()))?
            .await
            .map_err(|e| self.fail(e.into()))
    }

    async fn commit(&self, tx: Transaction<'_>) -> Result<(), StorageError> {
        let raw: web_sys::IdbTransaction = (**tx.as_sys()).clone();
        tx.commit().await.map_err(|e| {
            // An abort (quota, disk) carries its cause on the transaction, not on a request.
            let cause = match raw.error() {
                Some(dom) => StorageError::from_dom_exception(&dom),
                None => StorageError::from(e),
            };
            self.fail(cause)
        })
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let raw: &web_sys::IdbDatabase = self.db.as_sys();
        raw.set_onversionchange(None);
        raw.set_onclose(None);
        raw.close();
    }
}

/// Queues a put; like every queued write, a failure surfaces at the commit and aborts it.
fn put(store: &ObjectStore<'_>, value: JsValue, key: &str) -> Result<(), StorageError> {
    let _queued = store
        .put(value)
        .with_key(key)
        .without_key_type()
        .primitive()?;
    Ok(())
}

/// Queues an insert that fails (and so aborts the transaction) if `key` already exists.
fn add(store: &ObjectStore<'_>, value: JsValue, key: &str) -> Result<(), StorageError> {
    let _queued = store
        .add(value)
        .with_key(key)
        .without_key_type()
        .primitive()?;
    Ok(())
}

fn delete(store: &ObjectStore<'_>, key: &str) -> Result<(), StorageError> {
    let _queued = store.delete(key).primitive()?;
    Ok(())
}

/// The keys and values of a store or index range, requested together so both are in flight
/// before the first is awaited.
struct RecordsRequest<R> {
    keys: GetAllPrimitiveRequest<JsValue>,
    values: GetAllPrimitiveRequest<JsValue>,
    record: std::marker::PhantomData<R>,
}

impl<R: Record> RecordsRequest<R> {
    fn start(tx: &Transaction<'_>) -> Result<Self, StorageError> {
        Self::start_on(&tx.object_store(R::STORE)?)
    }

    fn start_on(store: &ObjectStore<'_>) -> Result<Self, StorageError> {
        Ok(Self::from_parts(
            store.get_all_keys::<JsValue>().primitive()?,
            store.get_all::<JsValue>().primitive()?,
        ))
    }

    /// The records whose `index` key is `value`.
    fn start_where(
        store: &ObjectStore<'_>,
        index: &str,
        value: &str,
    ) -> Result<Self, StorageError> {
        let index = store.index(index)?;
        Ok(Self::from_parts(
            index
                .get_all_keys::<JsValue>()
                .with_query(value)
                .primitive()?,
            index.get_all::<JsValue>().with_query(value).primitive()?,
        ))
    }

    fn from_parts(
        keys: GetAllPrimitiveRequest<JsValue>,
        values: GetAllPrimitiveRequest<JsValue>,
    ) -> Self {
        RecordsRequest {
            keys,
            values,
            record: std::marker::PhantomData,
        }
    }

    /// Decodes in saved order; what fails to decode goes to `skipped` with its key and reason.
    async fn finish(
        self,
        codec: &Codec,
        skipped: &mut Vec<SkippedRecord>,
    ) -> Result<Vec<R>, StorageError> {
        let rows = self.finish_ordered(codec, skipped).await?;
        Ok(rows.into_iter().map(|(_, record)| record).collect())
    }

    /// [`Self::finish`] keeping each record's saved position, for writing it back in place.
    async fn finish_ordered(
        self,
        codec: &Codec,
        skipped: &mut Vec<SkippedRecord>,
    ) -> Result<Vec<(u32, R)>, StorageError> {
        let keys = self.keys.await?;
        let values = self.values.await?;
        let mut rows = Vec::with_capacity(values.len());
        for (key, value) in keys.zip(values) {
            let (key, value) = (key?, value?);
            match codec.decode::<R>(&value) {
                Ok(row) => rows.push(row),
                Err(reason) => skipped.push(SkippedRecord {
                    store: R::STORE,
                    key: key_text(&key),
                    reason,
                }),
            }
        }
        rows.sort_unstable_by_key(|(order, _)| *order);
        Ok(rows)
    }
}

fn key_text(key: &JsValue) -> String {
    key.as_string()
        // Keys here are strings or integers; integer text avoids float formatting code in the WASM.
        .or_else(|| key.as_f64().map(|n| (n as i64).to_string()))
        .or_else(|| {
            js_sys::JSON::stringify(key)
                .ok()
                .and_then(|s| s.as_string())
        })
        .unwrap_or_default()
}

/// Maps a failed open: the upgrade's own error first, then the upgrade transaction's cause.
fn open_failure(
    e: indexed_db_futures::error::OpenDbError,
    state: &RefCell<OpenState>,
) -> StorageError {
    let mut state = state.borrow_mut();
    if let Some(e) = state.upgrade_error.take() {
        return e;
    }
    if let Some(dom) = state
        .upgrade_tx
        .as_ref()
        .and_then(web_sys::IdbTransaction::error)
    {
        return StorageError::from_dom_exception(&dom);
    }
    StorageError::from(e)
}

/// Runs the migrations inside the open request's `versionchange` transaction, aborting it on error
/// so the stored version and data stay as they were.
async fn run_upgrade(
    state: &RefCell<OpenState>,
    old_version: u32,
    new_version: u32,
    db: &Database,
) -> Result<(), StorageError> {
    let tx = state
        .borrow()
        .request
        .as_ref()
        .and_then(|request| request.transaction())
        .ok_or_else(|| StorageError::Other("the upgrade has no transaction".into()))?;
    state.borrow_mut().upgrade_tx = Some(tx.clone());
    let up = schema::Upgrade {
        db: (**db.as_sys()).clone(),
        tx: tx.clone(),
        old_version,
    };
    let result = schema::upgrade(&up, new_version).await;
    if result.is_err() {
        let _ = tx.abort();
    }
    result
}
