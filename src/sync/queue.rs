//! The local writes that queue a change: each stores the change and its outbox entry in one step,
//! before anything is sent.

use chrono::{DateTime, Utc};
use kaozheng_core::feedback::{self, Ratings};
use kaozheng_core::outbox::{Action, LocalRegistration, OutboxEntry};
use kaozheng_core::{ExamPlan, FeeDecision, XLevel};

use super::{Engine, SyncStore, Transport};
use crate::storage::StorageError;

impl<S: SyncStore, T: Transport> Engine<S, T> {
    /// Queues a registration for `plan` with the fee the phone previews. `None` when this plan
    /// already has a live registration on the phone (a double click, another tab).
    pub async fn register(
        &self,
        client_id: String,
        plan: &ExamPlan,
        fee_preview: Option<FeeDecision>,
        now: DateTime<Utc>,
    ) -> Result<Option<(LocalRegistration, OutboxEntry)>, StorageError> {
        let local = LocalRegistration::queued(client_id.clone(), plan, fee_preview, now);
        let entry = OutboxEntry::new(
            client_id,
            Action::Register {
                plan_id: plan.id.clone(),
            },
            now,
        );
        Ok(self
            .store
            .enqueue(&local, &entry)
            .await?
            .then_some((local, entry)))
    }

    /// Queues cancelling registration `client_id`. A registration that has not reached the server
    /// has no server id yet: the flush looks it up once its register entry is answered.
    pub async fn cancel(
        &self,
        entry_id: String,
        local: &LocalRegistration,
        now: DateTime<Utc>,
    ) -> Result<Option<OutboxEntry>, StorageError> {
        let registration_id = local
            .registration
            .as_ref()
            .map(|r| r.id.clone())
            .unwrap_or_default();
        let entry = OutboxEntry::new(
            entry_id,
            Action::Cancel {
                client_id: local.client_id.clone(),
                registration_id,
            },
            now,
        );
        Ok(self
            .store
            .enqueue_cancel(&local.client_id, &entry)
            .await?
            .then_some(entry))
    }

    /// Queues the student's rating of a certificate level, checked by core first (the reason it is
    /// refused is a code for the form to explain).
    pub async fn rate(
        &self,
        entry_id: String,
        certificate_id: &str,
        level: XLevel,
        ratings: Ratings,
        comment: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Result<OutboxEntry, feedback::FeedbackError>, StorageError> {
        let comment = match feedback::validate(&ratings, comment) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let entry = OutboxEntry::new(
            entry_id,
            Action::Feedback {
                certificate_id: certificate_id.to_string(),
                level,
                ratings,
                comment,
            },
            now,
        );
        self.store.enqueue_feedback(&entry).await?;
        Ok(Ok(entry))
    }
}
