//! Transactions, requests and record reads shared by the data sets.

use indexed_db_futures::future::GetAllPrimitiveRequest;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use kaozheng_core::order;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

use super::codec::{Codec, Record};
use super::{Db, SkippedRecord, StorageError, codec};

impl Db {
    pub(super) fn codec(&self) -> Codec {
        Codec::new(self.version)
    }

    /// A lost connection explains any later failure better than the browser's InvalidStateError.
    pub(super) fn fail(&self, e: StorageError) -> StorageError {
        self.connection_lost().unwrap_or(e)
    }

    pub(super) fn transaction(
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
    pub(super) fn require_v3(&self, stores: &[&str]) -> Result<(), StorageError> {
        if self.version < 3 {
            return Err(StorageError::Other(format!(
                "schema v{} has no {} store (added in v3)",
                self.version,
                stores.join(", ")
            )));
        }
        Ok(())
    }

    pub(super) fn transaction_v3(
        &self,
        stores: &[&str],
        mode: TransactionMode,
    ) -> Result<Transaction<'_>, StorageError> {
        self.require_v3(stores)?;
        self.transaction(stores, mode)
    }

    pub(super) fn store<'t>(
        &self,
        tx: &'t Transaction<'_>,
        name: &str,
    ) -> Result<ObjectStore<'t>, StorageError> {
        tx.object_store(name).map_err(|e| self.fail(e.into()))
    }

    /// Clears `R`'s store and puts every record. The requests are queued, not awaited one by one:
    /// the commit waits for all of them, and any failure aborts the whole transaction.
    pub(super) fn replace_all<R: Record>(
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
    pub(super) fn put_text<T: Serialize>(
        &self,
        tx: &Transaction<'_>,
        store: &str,
        key: &str,
        value: &T,
    ) -> Result<(), StorageError> {
        let os = self.store(tx, store)?;
        put(&os, codec::encode_text(value)?, key).map_err(|e| self.fail(e))
    }

    pub(super) fn request_text(
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

    pub(super) async fn finish_text<T: DeserializeOwned>(
        &self,
        request: indexed_db_futures::future::BasicRequest<Option<JsValue>>,
        store: &str,
        key: &str,
    ) -> Result<Option<T>, StorageError> {
        match self.finish_value(request).await? {
            None => Ok(None),
            Some(value) => codec::decode_text(store, key, &value).map(Some),
        }
    }

    /// The awaited value, whatever it decodes to: one copy of the request's future in the WASM.
    async fn finish_value(
        &self,
        request: indexed_db_futures::future::BasicRequest<Option<JsValue>>,
    ) -> Result<Option<JsValue>, StorageError> {
        request.await.map_err(|e| self.fail(e.into()))
    }

    /// Reads one JSON-text record; one that does not decode is [`StorageError::Corrupt`].
    pub(super) async fn read_text<T: DeserializeOwned>(
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
    pub(super) async fn read_record<R: Record>(
        &self,
        store: &ObjectStore<'_>,
        codec: &Codec,
        key: &str,
    ) -> Result<Option<(u32, R)>, StorageError> {
        let request = store
            .get::<JsValue, _, _>(key)
            .primitive()
            .map_err(|e| self.fail(e.into()))?;
        self.finish_value(request)
            .await?
            .map(|v| {
                codec
                    .decode(&v)
                    .map_err(|reason| StorageError::corrupt(R::STORE, key, reason))
            })
            .transpose()
    }

    /// How many records `store` holds, or whether it holds `key` (0 or 1).
    pub(super) async fn count(
        &self,
        store: &ObjectStore<'_>,
        key: Option<&str>,
    ) -> Result<u32, StorageError> {
        let request = match key {
            Some(key) => store.count().with_query(key).primitive(),
            None => store.count().primitive(),
        };
        request
            .map_err(|e| self.fail(e.into()))?
            .await
            .map_err(|e| self.fail(e.into()))
    }

    pub(super) async fn commit(&self, tx: Transaction<'_>) -> Result<(), StorageError> {
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

/// Queues a put; like every queued write, a failure surfaces at the commit and aborts it.
pub(super) fn put(store: &ObjectStore<'_>, value: JsValue, key: &str) -> Result<(), StorageError> {
    let _queued = store
        .put(value)
        .with_key(key)
        .without_key_type()
        .primitive()?;
    Ok(())
}

/// Queues an insert that fails (and so aborts the transaction) if `key` already exists.
pub(super) fn add(store: &ObjectStore<'_>, value: JsValue, key: &str) -> Result<(), StorageError> {
    let _queued = store
        .add(value)
        .with_key(key)
        .without_key_type()
        .primitive()?;
    Ok(())
}

pub(super) fn delete(store: &ObjectStore<'_>, key: &str) -> Result<(), StorageError> {
    let _queued = store.delete(key).primitive()?;
    Ok(())
}

/// The keys and values of a store or index range, requested together so both are in flight
/// before the first is awaited.
pub(super) struct RecordsRequest<R> {
    keys: GetAllPrimitiveRequest<JsValue>,
    values: GetAllPrimitiveRequest<JsValue>,
    record: std::marker::PhantomData<R>,
}

impl<R: Record> RecordsRequest<R> {
    pub(super) fn start(tx: &Transaction<'_>) -> Result<Self, StorageError> {
        Self::start_on(&tx.object_store(R::STORE)?)
    }

    pub(super) fn start_on(store: &ObjectStore<'_>) -> Result<Self, StorageError> {
        Ok(Self::from_parts(
            store.get_all_keys::<JsValue>().primitive()?,
            store.get_all::<JsValue>().primitive()?,
        ))
    }

    /// The records whose `index` key is `value`.
    pub(super) fn start_where(
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

    pub(super) fn from_parts(
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
    pub(super) async fn finish(
        self,
        codec: &Codec,
        skipped: &mut Vec<SkippedRecord>,
    ) -> Result<Vec<R>, StorageError> {
        let rows = self.finish_ordered(codec, skipped).await?;
        Ok(rows.into_iter().map(|(_, record)| record).collect())
    }

    /// [`Self::finish`] keeping each record's saved position, for writing it back in place.
    pub(super) async fn finish_ordered(
        self,
        codec: &Codec,
        skipped: &mut Vec<SkippedRecord>,
    ) -> Result<Vec<(u32, R)>, StorageError> {
        let pairs = keys_and_values(self.keys, self.values).await?;
        let mut rows = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            match codec.decode::<R>(&value) {
                Ok(row) => rows.push(row),
                Err(reason) => skipped.push(SkippedRecord {
                    store: R::STORE,
                    key: key_text(&key),
                    reason,
                }),
            }
        }
        order::sort_by_key(&mut rows, |(order, _)| *order);
        Ok(rows)
    }
}

/// The keys and values of a range, awaited: whatever the record type, one copy of the requests'
/// futures in the WASM; only decoding depends on the type.
async fn keys_and_values(
    keys: GetAllPrimitiveRequest<JsValue>,
    values: GetAllPrimitiveRequest<JsValue>,
) -> Result<Vec<(JsValue, JsValue)>, StorageError> {
    let keys = keys.await?;
    let values = values.await?;
    let mut pairs = Vec::with_capacity(values.len());
    for (key, value) in keys.zip(values) {
        pairs.push((key?, value?));
    }
    Ok(pairs)
}

pub(super) fn key_text(key: &JsValue) -> String {
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
