//! What can go wrong with the offline copy, in words a student can act on.

use indexed_db_futures::error::{Error as IdbError, OpenDbError};
use indexed_db_futures::internals::SystemRepr;

/// A storage failure. `Display` is the English message for the screen, [`StorageError::zh`] the
/// Chinese one; neither hides the cause, and no operation swallows one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// Another tab still holds the database open with an older version of the app, so the schema
    /// cannot be upgraded yet. The upgrade finishes by itself once that tab closes.
    #[error(
        "Kaozheng is open in another tab with an older version. Close the other Kaozheng tabs, then reload."
    )]
    Blocked,
    /// Another tab upgraded (or deleted) the database, so this tab's connection was closed to let
    /// it proceed; the data is fine but this page runs older code.
    #[error("Kaozheng was updated in another tab. Reload this page to continue.")]
    VersionChanged,
    /// The browser closed the database by itself (site data cleared, disk failure).
    #[error("The browser closed the offline copy of the data. Reload this page.")]
    Closed,
    /// The device or the browser's per-site quota is full.
    #[error(
        "Not enough storage space on this device to keep the data offline. Free some space and try again."
    )]
    QuotaExceeded,
    /// No IndexedDB here: private browsing, storage disabled by policy, or a broken profile.
    #[error("Offline storage is not available in this browser (private mode or disabled): {0}")]
    NotAvailable(String),
    /// Stored data that cannot be read: the offline copy has to be downloaded again.
    #[error(
        "The offline copy is damaged ({store}/{key}: {reason}); it has to be downloaded again."
    )]
    Corrupt {
        store: String,
        key: String,
        reason: String,
    },
    #[error("Offline storage failed: {0}")]
    Other(String),
}

impl StorageError {
    /// The message in Chinese, for the default interface language.
    pub fn zh(&self) -> String {
        match self {
            StorageError::Blocked => {
                "考证已在另一个标签页中以旧版本打开。请关闭其他考证标签页后刷新。".into()
            }
            StorageError::VersionChanged => "考证已在另一个标签页中更新，请刷新本页。".into(),
            StorageError::Closed => "浏览器关闭了离线数据，请刷新本页。".into(),
            StorageError::QuotaExceeded => {
                "设备存储空间不足，无法离线保存数据。请清理空间后重试。".into()
            }
            StorageError::NotAvailable(why) => {
                format!("此浏览器无法使用离线存储（无痕模式或已禁用）：{why}")
            }
            StorageError::Corrupt { store, key, reason } => {
                format!("离线数据已损坏（{store}/{key}：{reason}），需要重新下载。")
            }
            StorageError::Other(why) => format!("离线存储出错：{why}"),
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
