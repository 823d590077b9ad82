//! The signed-in student's own data besides registrations (schema v3): the session, published
//! results with their "seen" flags, and [`Db::wipe_personal`] for signing out on a shared phone.

use std::fmt;

use chrono::{DateTime, Utc};
use indexed_db_futures::transaction::TransactionMode;
use kaozheng_core::model::{ExamResult, Student};
use serde::{Deserialize, Serialize};

use super::codec::ResultRecord;
use super::names::{META, OUTBOX, PERSONAL_STORES, RESULTS, SESSION};
use super::{Db, LEASE_KEY, Loaded, RESULTS_KEY, RecordsRequest, StorageError, delete, put};

/// The key of the one record in `session`.
pub(super) const SESSION_KEY: &str = "current";

/// A signed-in student (`POST /auth/login` or `/auth/embed`), kept so the app opens signed in and
/// offline. `Debug` leaves the token out, so it cannot end up in a log.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    #[serde(with = "kaozheng_core::time::cst")]
    pub expires_at: DateTime<Utc>,
    pub student: Student,
}

impl Session {
    /// Past its expiry the token is refused (401): the student signs in again, and the outbox
    /// waits for the new token.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("token", &"…")
            .field("expires_at", &self.expires_at)
            .field("student", &self.student)
            .finish()
    }
}

/// The results set's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsMeta {
    /// When the server last sent the student's results.
    #[serde(with = "kaozheng_core::time::cst")]
    pub synced_at: DateTime<Utc>,
}

impl Db {
    /// Stores the session, replacing any other.
    pub async fn save_session(&self, session: &Session) -> Result<(), StorageError> {
        let tx = self.transaction_v3(&[SESSION], TransactionMode::Readwrite)?;
        self.put_text(&tx, SESSION, SESSION_KEY, session)?;
        self.commit(tx).await
    }

    /// The stored session, expired or not ([`Session::is_expired`]); `None` when signed out.
    pub async fn load_session(&self) -> Result<Option<Session>, StorageError> {
        let tx = self.transaction_v3(&[SESSION], TransactionMode::Readonly)?;
        self.read_text(&tx, SESSION, SESSION_KEY).await
    }

    /// Forgets the session only (the token was refused): registrations and queued changes stay for
    /// when the same student signs in again. Signing out is [`Db::wipe_personal`].
    pub async fn clear_session(&self) -> Result<(), StorageError> {
        let tx = self.transaction_v3(&[SESSION], TransactionMode::Readwrite)?;
        delete(&self.store(&tx, SESSION)?, SESSION_KEY).map_err(|e| self.fail(e))?;
        self.commit(tx).await
    }

    /// Replaces the stored results with the server's set, in one transaction, and returns the
    /// registration ids of results that were not stored before (in `results` order), for a "new
    /// results" notice. Results that stay keep their "seen" flag; new ones are unseen. A stored
    /// result that no longer decodes counts as new, so it is announced rather than hidden.
    pub async fn save_results(
        &self,
        results: &[ExamResult],
        synced_at: DateTime<Utc>,
    ) -> Result<Vec<String>, StorageError> {
        let codec = self.codec();
        let tx = self.transaction_v3(&[RESULTS, META], TransactionMode::Readwrite)?;
        let stored = RecordsRequest::<ResultRecord>::start(&tx)
            .map_err(|e| self.fail(e))?
            .finish(&codec, &mut Vec::new())
            .await
            .map_err(|e| self.fail(e))?;
        let mut new = Vec::new();
        let records: Vec<ResultRecord> = results
            .iter()
            .map(|result| {
                let id = &result.registration_id;
                let before = stored.iter().find(|s| s.result.registration_id == *id);
                if before.is_none() {
                    new.push(id.clone());
                }
                ResultRecord {
                    seen: before.is_some_and(|s| s.seen),
                    result: result.clone(),
                }
            })
            .collect();
        self.replace_all(&tx, &codec, &records)?;
        self.put_text(&tx, META, RESULTS_KEY, &ResultsMeta { synced_at })?;
        self.commit(tx).await?;
        Ok(new)
    }

    /// The stored results in the server's order, each with its "seen" flag. `meta` is `None` when
    /// results were never saved (not synced yet, as opposed to none published). Unreadable records
    /// are skipped and reported.
    pub async fn load_results(
        &self,
    ) -> Result<Loaded<Vec<(ExamResult, bool)>, Option<ResultsMeta>>, StorageError> {
        self.require_v3(&[RESULTS])?;
        let loaded = self
            .load_set::<ResultRecord, ResultsMeta>(RESULTS_KEY)
            .await?;
        Ok(match loaded {
            None => Loaded {
                value: Vec::new(),
                meta: None,
                skipped: Vec::new(),
            },
            Some(loaded) => Loaded {
                value: loaded
                    .value
                    .into_iter()
                    .map(|r| (r.result, r.seen))
                    .collect(),
                meta: Some(loaded.meta),
                skipped: loaded.skipped,
            },
        })
    }

    /// Marks the results of these registration ids as seen; returns how many were unseen. Ids not
    /// stored are ignored (the set may have been replaced since the screen showed them).
    pub async fn mark_results_seen<S: AsRef<str>>(
        &self,
        registration_ids: &[S],
    ) -> Result<usize, StorageError> {
        let codec = self.codec();
        let tx = self.transaction_v3(&[RESULTS], TransactionMode::Readwrite)?;
        let store = self.store(&tx, RESULTS)?;
        let stored = RecordsRequest::<ResultRecord>::start_on(&store)
            .map_err(|e| self.fail(e))?
            .finish_ordered(&codec, &mut Vec::new())
            .await
            .map_err(|e| self.fail(e))?;
        let mut marked = 0;
        for (order, mut record) in stored {
            let id = record.result.registration_id.as_str();
            if record.seen || !registration_ids.iter().any(|s| s.as_ref() == id) {
                continue;
            }
            record.seen = true;
            let value = codec.encode(order, &record)?;
            put(&store, value, &record.result.registration_id).map_err(|e| self.fail(e))?;
            marked += 1;
        }
        self.commit(tx).await?;
        Ok(marked)
    }

    /// Signs out on a shared phone: clears the session, registrations, outbox, results (and their
    /// header) and the outbox lease in one transaction, so the next student finds nothing of this
    /// one. Public data (catalog, plans, sites, rules) stays. Returns how many outbox entries were
    /// dropped unsent; the UI warns first when [`Db::pending_count`] is not zero.
    pub async fn wipe_personal(&self) -> Result<usize, StorageError> {
        let mut stores = PERSONAL_STORES.to_vec();
        stores.push(META);
        let tx = self.transaction_v3(&stores, TransactionMode::Readwrite)?;
        let dropped = self.count(&self.store(&tx, OUTBOX)?, None).await?;
        for name in PERSONAL_STORES {
            let _cleared = self
                .store(&tx, name)?
                .clear()
                .map_err(|e| self.fail(e.into()))?;
        }
        let meta = self.store(&tx, META)?;
        for key in [RESULTS_KEY, LEASE_KEY] {
            delete(&meta, key).map_err(|e| self.fail(e))?;
        }
        self.commit(tx).await?;
        Ok(dropped as usize)
    }
}
