//! What can go wrong with the offline copy. The student reads it worded by the interface table
//! ([`crate::i18n::storage_error`]), in their language and with what to do; `Display` is the cause
//! for the console and tests.

use indexed_db_futures::error::{Error as IdbError, OpenDbError};
use indexed_db_futures::internals::SystemRepr;

/// A storage failure; no operation swallows one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// Another tab still holds the database open with an older version of the app, so the schema
    /// cannot be upgraded yet. The upgrade finishes by itself once that tab closes.
    #[error("upgrade blocked by an older version open in another tab")]
    Blocked,
    /// Another tab upgraded (or deleted) the database, so this tab's connection was closed to let
    /// it proceed; the data is fine but this page runs older code.
    #[error("connection closed: another tab upgraded or deleted the database")]
    VersionChanged,
    /// The browser closed the database by itself (site data cleared, disk failure).
    #[error("connection closed by the browser")]
    Closed,
    /// The device or the browser's per-site quota is full.
    #[error("storage quota exceeded")]
    QuotaExceeded,
    /// No IndexedDB here: private browsing, storage disabled by policy, or a broken profile.
    #[error("IndexedDB not available: {0}")]
    NotAvailable(String),
    /// Stored data that cannot be read: the offline copy has to be downloaded again.
    #[error("damaged record {store}/{key}: {reason}")]
    Corrupt {
        store: String,
        key: String,
        reason: String,
    },
    #[error("IndexedDB failed: {0}")]
    Other(String),
}

impl StorageError {
    /// The record `store`/`key` cannot be read, and why.
    pub fn corrupt(store: &str, key: &str, reason: String) -> StorageError {
        StorageError::Corrupt {
            store: store.into(),
            key: key.into(),
            reason,
        }
    }

    /// Maps a `DOMException` by its name; the name is the only stable part across browsers.
    pub fn from_dom_exception(e: &web_sys::DomException) -> StorageError {
        let name = e.name();
        match name.as_str() {
            "QuotaExceededError" => StorageError::QuotaExceeded,
            // Opening at a lower version than stored: a newer tab has upgraded the schema.
            "VersionError" => StorageError::VersionChanged,
            _ => StorageError::Other(format!("{name}: {}", e.message())),
        }
    }
}

impl From<IdbError> for StorageError {
    fn from(e: IdbError) -> Self {
        match e {
            IdbError::DomException(d) => StorageError::from_dom_exception(d.as_sys()),
            other => StorageError::Other(other.to_string()),
        }
    }
}

/// Errors of opening, where some exceptions mean "no storage here" rather than a failure.
impl From<OpenDbError> for StorageError {
    fn from(e: OpenDbError) -> Self {
        match e {
            OpenDbError::UnsupportedEnvironment | OpenDbError::NullFactory => {
                StorageError::NotAvailable(e.to_string())
            }
            OpenDbError::VersionZero => StorageError::Other(e.to_string()),
            OpenDbError::Base(IdbError::DomException(d)) => {
                let d = d.as_sys();
                match d.name().as_str() {
                    // Firefox private windows and disabled storage refuse with these; Chromium
                    // reports a backing store it cannot open as UnknownError.
                    "InvalidStateError" | "SecurityError" | "UnknownError" | "NotAllowedError" => {
                        StorageError::NotAvailable(format!("{}: {}", d.name(), d.message()))
                    }
                    _ => StorageError::from_dom_exception(d),
                }
            }
            OpenDbError::Base(e) => StorageError::from(e),
        }
    }
}

/// For raw `web_sys` calls, which throw a `JsValue` (almost always a `DOMException`).
impl From<wasm_bindgen::JsValue> for StorageError {
    fn from(e: wasm_bindgen::JsValue) -> Self {
        StorageError::from(IdbError::from(e))
    }
}
