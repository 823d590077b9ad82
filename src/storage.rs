//! The offline copy in IndexedDB (database `kaozheng`): the public catalog, exam plans, sites and
//! rule documents (`public.rs`); the signed-in student's session and results (`personal.rs`); their
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
//! Layout: [`schema`] holds the versions and migrations, [`codec`] how a record is encoded,
//! `open.rs` opening and losing the connection, `requests.rs` the transactions every data set uses.

mod codec;
mod error;
mod feedback;
mod names;
mod open;
mod outbox;
mod personal;
mod public;
mod requests;
mod schema;

use std::rc::Rc;

use chrono::{DateTime, Utc};
use indexed_db_futures::database::Database;
use indexed_db_futures::internals::SystemRepr;
use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;

pub use error::StorageError;
pub use names::{
    BY_CERTIFICATE, BY_PLAN, CERTIFICATES, META, ORGS, OUTBOX, PERSONAL_STORES, PLANS,
    RECORD_STORES, REGISTRATIONS, RESULTS, RULES, SESSION, SITES,
};
use open::Connection;
pub use personal::{ResultsMeta, Session};
use requests::{RecordsRequest, add, delete, put};
pub use schema::{CURRENT_VERSION, MIGRATIONS, Migration};

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlansMeta {
    /// The server's "as of" time for seats left.
    #[serde(with = "kaozheng_core::time::cst")]
    pub as_of: DateTime<Utc>,
    #[serde(with = "kaozheng_core::time::cst")]
    pub synced_at: DateTime<Utc>,
    /// The server's tag for this list: the next refresh sends it and gets a 304 when unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitesMeta {
    #[serde(with = "kaozheng_core::time::cst")]
    pub synced_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

/// The server's tags of the stored public sets (`None`: not stored, or stored untagged).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredTags {
    pub catalog: Option<String>,
    pub plans: Option<String>,
    pub sites: Option<String>,
}

/// A stored rule document: the API's JSON text as received, so it is parsed by the same code
/// (`serde_json` into e.g. `FeeRules`) whether it came from the network or from here, with the tag
/// the server sent, so the next refresh is a 304 when nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRules {
    pub json: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(with = "kaozheng_core::time::cst")]
    pub synced_at: DateTime<Utc>,
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

impl Drop for Db {
    fn drop(&mut self) {
        let raw: &web_sys::IdbDatabase = self.db.as_sys();
        raw.set_onversionchange(None);
        raw.set_onclose(None);
        raw.close();
    }
}
