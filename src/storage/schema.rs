//! The versioned schema and its migrations.
//!
//! `MIGRATIONS[i]` takes a database from version `i` to `i + 1`. Opening at version N runs every
//! step above the stored version, in order, inside the one `versionchange` transaction: a phone that
//! skipped releases catches up step by step, and a failing step aborts the transaction, which rolls
//! the whole upgrade back and leaves the old version and its data as they were.

use std::future::Future;
use std::pin::Pin;

use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction};

use super::StorageError;
use super::codec::Codec;
use super::names::*;

/// One schema step.
pub struct Migration {
    /// The version this step produces.
    pub version: u32,
    pub summary: &'static str,
    run: Step,
}

type StepFuture<'a> = Pin<Box<dyn Future<Output = Result<(), StorageError>> + 'a>>;
type Step = for<'a> fn(&'a Upgrade) -> StepFuture<'a>;

/// What a step works with: the connection being upgraded and its `versionchange` transaction
/// (the only transaction allowed to change stores and indexes, and the one data rewrites must use
/// to be atomic with them).
pub(crate) struct Upgrade {
    pub db: IdbDatabase,
    pub tx: IdbTransaction,
    /// The version stored before this upgrade; 0 for a new database.
    pub old_version: u32,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        summary: "stores for certificates, orgs, plans, sites and meta; records as JSON text",
        run: create_stores,
    },
    Migration {
        version: 2,
        summary: "records become envelope objects; plans indexed by certificate",
        run: envelopes_and_certificate_index,
    },
    Migration {
        version: 3,
        summary: "stores for the session, registrations (indexed by plan), outbox, results and rules",
        run: personal_stores,
    },
];

/// The version this build of the app reads and writes.
pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;

/// Runs the steps from `up.old_version` to `new_version`.
pub(crate) async fn upgrade(up: &Upgrade, new_version: u32) -> Result<(), StorageError> {
    for step in MIGRATIONS
        .iter()
        .filter(|m| m.version > up.old_version && m.version <= new_version)
    {
        (step.run)(up).await.map_err(|e| match e {
            StorageError::Other(why) => {
                StorageError::Other(format!("upgrade to schema v{}: {why}", step.version))
            }
            e => e,
        })?;
    }
    Ok(())
}

fn create_stores(up: &Upgrade) -> StepFuture<'_> {
    Box::pin(async move {
        for name in [CERTIFICATES, ORGS, PLANS, SITES, META] {
            // Out-of-line keys: a v1 value is a string, which cannot carry its own key.
            up.db.create_object_store(name)?;
        }
        Ok(())
    })
}

fn envelopes_and_certificate_index(up: &Upgrade) -> StepFuture<'_> {
    Box::pin(async move {
        up.tx
            .object_store(PLANS)?
            .create_index_with_str(BY_CERTIFICATE, CERTIFICATE_ID)?;
        if up.old_version == 0 {
            // The stores were created empty by step 1 of this same upgrade.
            return Ok(());
        }
        let codec = Codec::new(2);
        for name in RECORD_STORES {
            let store = up.tx.object_store(name)?;
            let keys = store.get_all_keys()?;
            let values = store.get_all()?;
            let keys: Array = request(&keys).await?.unchecked_into();
            let values: Array = request(&values).await?.unchecked_into();
            for (key, value) in keys.iter().zip(values.iter()) {
                if let Some(envelope) = codec.upgrade_v1(&value) {
                    // Not awaited one by one: the transaction commits only after every put has
                    // succeeded, and a failed put aborts it (and so the upgrade).
                    store.put_with_key(&envelope, &key)?;
                }
            }
        }
        Ok(())
    })
}

/// Only creates stores: nothing written at v2 changes layout, so no record is rewritten.
fn personal_stores(up: &Upgrade) -> StepFuture<'_> {
    Box::pin(async move {
        for name in [SESSION, REGISTRATIONS, OUTBOX, RESULTS, RULES] {
            up.db.create_object_store(name)?;
        }
        up.tx
            .object_store(REGISTRATIONS)?
            .create_index_with_str(BY_PLAN, PLAN_ID)?;
        Ok(())
    })
}

/// Awaits a raw request. indexed_db_futures 0.6 gives no handle on the `versionchange` transaction's
/// existing stores, so steps use web_sys. The promise settles inside the request's event, and the
/// step continues in the same microtask checkpoint, while the transaction is still active.
async fn request(req: &IdbRequest) -> Result<wasm_bindgen::JsValue, StorageError> {
    let settled = js_sys::Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(settled).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    match outcome {
        Ok(_) => Ok(req.result()?),
        Err(_) => Err(match req.error()? {
            Some(e) => StorageError::from_dom_exception(&e),
            None => StorageError::Other("a request failed without an error".into()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_one_by_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "{}", m.summary);
        }
        assert_eq!(CURRENT_VERSION, 3);
    }
}
