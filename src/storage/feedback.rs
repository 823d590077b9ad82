//! The student's feedback on certificate levels: what the server holds (one JSON record in the
//! personal `session` store, so signing out wipes it with the rest) and edits waiting in the outbox.
//!
//! No schema change: a feedback edit is an outbox entry (`Action::Feedback`) until the server takes
//! it, and a newer edit of the same certificate level replaces an older one still waiting, in one
//! transaction, so only the student's last word is sent.

use indexed_db_futures::transaction::TransactionMode;
use kaozheng_core::feedback::Feedback;
use kaozheng_core::outbox::{Action, OutboxEntry};

use super::names::{OUTBOX, SESSION};
use super::{Db, RecordsRequest, StorageError, add, delete};

/// The key of the feedback record in `session`.
const FEEDBACK_KEY: &str = "feedback";
/// Outbox records carry no set order.
const NO_ORDER: u32 = 0;

impl Db {
    /// Queues a feedback edit, dropping any older unsent edit of the same certificate level.
    pub async fn enqueue_feedback(&self, entry: &OutboxEntry) -> Result<(), StorageError> {
        let Action::Feedback {
            certificate_id,
            level,
            ..
        } = &entry.action
        else {
            return Err(StorageError::Other(format!(
                "outbox entry {} is not a feedback edit",
                entry.id
            )));
        };
        let codec = self.codec();
        let value = codec.encode(NO_ORDER, entry)?;
        let tx = self.transaction_v3(&[OUTBOX], TransactionMode::Readwrite)?;
        let outbox = self.store(&tx, OUTBOX)?;
        let waiting = RecordsRequest::<OutboxEntry>::start(&tx)
            .map_err(|e| self.fail(e))?
            .finish(&codec, &mut Vec::new())
            .await
            .map_err(|e| self.fail(e))?;
        for old in waiting.iter().filter(|e| {
            matches!(&e.action, Action::Feedback { certificate_id: c, level: l, .. }
                if c == certificate_id && l == level)
        }) {
            delete(&outbox, &old.id).map_err(|e| self.fail(e))?;
        }
        add(&outbox, value, &entry.id).map_err(|e| self.fail(e))?;
        self.commit(tx).await
    }

    /// Stores the feedback the server holds for the student (`GET /feedback`).
    pub async fn save_own_feedback(&self, list: &[Feedback]) -> Result<(), StorageError> {
        let tx = self.transaction_v3(&[SESSION], TransactionMode::Readwrite)?;
        self.put_text(&tx, SESSION, FEEDBACK_KEY, &list)?;
        self.commit(tx).await
    }

    /// The feedback last received from the server; empty when none was stored.
    pub async fn own_feedback(&self) -> Result<Vec<Feedback>, StorageError> {
        let tx = self.transaction_v3(&[SESSION], TransactionMode::Readonly)?;
        Ok(self
            .read_text::<Vec<Feedback>>(&tx, SESSION, FEEDBACK_KEY)
            .await?
            .unwrap_or_default())
    }
}
