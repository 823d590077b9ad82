//! What the engine needs from the phone's storage. Each method is one atomic step (one IndexedDB
//! transaction in the browser), with the guarantees the engine relies on spelled out.

use std::rc::Rc;

use chrono::{DateTime, Duration, Utc};
use kaozheng_core::feedback::Feedback;
use kaozheng_core::outbox::{LocalRegistration, OutboxEntry};
use kaozheng_core::{ExamResult, Registration};

use crate::storage::{Db, StorageError};

#[allow(async_fn_in_trait)]
pub trait SyncStore {
    /// The waiting entries in sending order (oldest first).
    async fn outbox(&self) -> Result<Vec<OutboxEntry>, StorageError>;
    /// Every registration on the phone, oldest first.
    async fn registrations(&self) -> Result<Vec<LocalRegistration>, StorageError>;
    /// Writes `reg` and its `Register` entry together, unless a live registration of the plan is
    /// stored (then nothing, and `false`).
    async fn enqueue(
        &self,
        reg: &LocalRegistration,
        entry: &OutboxEntry,
    ) -> Result<bool, StorageError>;
    /// Marks registration `client_id` cancel-queued and adds `entry`, together; `false` (nothing
    /// written) unless it is queued or confirmed.
    async fn enqueue_cancel(
        &self,
        client_id: &str,
        entry: &OutboxEntry,
    ) -> Result<bool, StorageError>;
    async fn enqueue_feedback(&self, entry: &OutboxEntry) -> Result<(), StorageError>;
    /// Deletes entry `entry_id` and stores `updated` (if any), together; `false` (nothing written)
    /// when the entry is already gone (another tab settled it).
    async fn settle(
        &self,
        entry_id: &str,
        updated: Option<&LocalRegistration>,
    ) -> Result<bool, StorageError>;
    /// Stores the entry's new attempt count and time; `false` when it was settled meanwhile.
    async fn reschedule(&self, entry: &OutboxEntry) -> Result<bool, StorageError>;
    /// Reconciles the server's list with the phone's ([`kaozheng_core::outbox::merge_server`])
    /// and returns the result.
    async fn merge_server(
        &self,
        server: &[Registration],
        now: DateTime<Utc>,
    ) -> Result<Vec<LocalRegistration>, StorageError>;
    /// Takes or renews the right to send, so one tab sends at a time.
    async fn try_lease(
        &self,
        tab_id: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<bool, StorageError>;
    async fn release_lease(&self, tab_id: &str) -> Result<bool, StorageError>;
    /// The student's ratings as the server last confirmed them.
    async fn feedback(&self) -> Result<Vec<Feedback>, StorageError>;
    async fn save_feedback(&self, list: &[Feedback]) -> Result<(), StorageError>;
    /// Stores the results and returns the ids never stored before (news for the student).
    async fn save_results(
        &self,
        list: &[ExamResult],
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, StorageError>;
}

/// The browser's store: the IndexedDB database.
impl SyncStore for Rc<Db> {
    async fn outbox(&self) -> Result<Vec<OutboxEntry>, StorageError> {
        Db::outbox(self).await.map(|l| l.value)
    }

    async fn registrations(&self) -> Result<Vec<LocalRegistration>, StorageError> {
        self.local_registrations().await.map(|l| l.value)
    }

    async fn enqueue(
        &self,
        reg: &LocalRegistration,
        entry: &OutboxEntry,
    ) -> Result<bool, StorageError> {
        Db::enqueue(self, reg, entry).await
    }

    async fn enqueue_cancel(
        &self,
        client_id: &str,
        entry: &OutboxEntry,
    ) -> Result<bool, StorageError> {
        Db::enqueue_cancel(self, client_id, entry).await
    }

    async fn enqueue_feedback(&self, entry: &OutboxEntry) -> Result<(), StorageError> {
        Db::enqueue_feedback(self, entry).await
    }

    async fn settle(
        &self,
        entry_id: &str,
        updated: Option<&LocalRegistration>,
    ) -> Result<bool, StorageError> {
        match updated {
            Some(r) => Db::settle(self, entry_id, r).await,
            None => self.settle_orphan(entry_id).await,
        }
    }

    async fn reschedule(&self, entry: &OutboxEntry) -> Result<bool, StorageError> {
        Db::reschedule(self, entry).await
    }

    async fn merge_server(
        &self,
        server: &[Registration],
        now: DateTime<Utc>,
    ) -> Result<Vec<LocalRegistration>, StorageError> {
        self.merge_server_registrations(server, now)
            .await
            .map(|l| l.value)
    }

    async fn try_lease(
        &self,
        tab_id: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<bool, StorageError> {
        Db::try_lease(self, tab_id, now, ttl).await
    }

    async fn release_lease(&self, tab_id: &str) -> Result<bool, StorageError> {
        Db::release_lease(self, tab_id).await
    }

    async fn feedback(&self) -> Result<Vec<Feedback>, StorageError> {
        self.own_feedback().await
    }

    async fn save_feedback(&self, list: &[Feedback]) -> Result<(), StorageError> {
        self.save_own_feedback(list).await
    }

    async fn save_results(
        &self,
        list: &[ExamResult],
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, StorageError> {
        Db::save_results(self, list, now).await
    }
}
