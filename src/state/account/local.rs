//! What the account state keeps on the phone: loading it at start, reading it back after a
//! change, writing it into a database recreated under the page, and asking the browser to keep it.

use std::rc::Rc;
use std::sync::Arc;

use kaozheng_core::outbox::OutboxEntry;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::Account;
use crate::state::clock;
use crate::state::network::Network;
use crate::storage::Db;

/// The outcome of writing the page's unsent changes back into a recreated database.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    /// Unsent changes stored again (they will be sent as usual).
    pub kept: usize,
    /// Unsent changes that could not be stored again: they are gone, and the student is told
    /// which.
    pub lost: Vec<OutboxEntry>,
}

impl Account {
    /// Loads once the database is open, then sends what is waiting; syncs again when the network
    /// comes back, the tab is shown, or the connection was replaced; restores into a recreated
    /// database.
    pub(super) fn start(self, network: Network) {
        let conn = self.conn;
        Effect::new(move |done: Option<bool>| {
            if done == Some(true) || !conn.ready.get() {
                return done.unwrap_or(false);
            }
            spawn_local(async move {
                self.load().await;
                // Checked here as well as in `sync`: V8 compiles a WASM function on its first
                // call, on the main thread, and a signed-out visitor's start need not compile
                // the sync pass (about 34 KB of code) only to return from it.
                if self.session.with_untracked(Option::is_some) {
                    self.sync(false).await;
                }
            });
            true
        });
        Effect::new(move |prev: Option<bool>| {
            let online = network.online.get();
            if prev == Some(false) && online {
                spawn_local(self.sync(false));
            }
            online
        });
        conn.on_recreated(Rc::new(move |db| {
            Box::pin(async move { self.restore(&db).await })
        }));
        Effect::new(move |prev: Option<u32>| {
            let n = conn.reconnected.get();
            if prev.is_some_and(|p| p != n) {
                spawn_local(self.sync(false));
            }
            n
        });
        let visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
            if !document().hidden() {
                spawn_local(self.sync(false));
            }
        });
        std::mem::forget(visible);
    }

    /// The database was deleted underneath the page: stores the session, registrations and
    /// unsent changes this page holds into the new one, all or none. When they cannot be stored,
    /// each unsent change is reported as lost; the lists then show what the server has.
    async fn restore(self, db: &Db) {
        let session = self.session.get_untracked();
        let regs = self.registrations.get_untracked();
        let entries = self.outbox.get_untracked();
        let restored = db
            .restore_personal(session.as_deref(), &regs, &entries)
            .await;
        if let Err(e) = &restored {
            self.storage_failed(e.clone());
            // The session alone is small and lets the student go on online.
            if let Some(s) = &session {
                let _ = db.save_session(s).await;
            }
        }
        if !entries.is_empty() {
            let lost = match restored {
                Ok(()) => Vec::new(),
                Err(_) => entries.to_vec(),
            };
            self.restored.set(Some(Restored {
                kept: entries.len() - lost.len(),
                lost,
            }));
        }
        self.reload_local(db).await;
    }

    /// Asks the browser to keep this site's data until the student clears it (else it may evict
    /// it under storage pressure, or after 7 days without a visit in Safari, with unsent changes
    /// in it). Asked once the student has something worth keeping, never at first paint.
    pub(super) fn keep_storage(self, ask: bool) {
        if self.persisted.get_untracked() == Some(true) {
            return;
        }
        spawn_local(async move {
            if let Some(granted) = crate::platform::persistence::persist(ask).await {
                self.persisted.set(Some(granted));
            }
        });
    }

    /// Reads everything personal from IndexedDB into the signals.
    async fn load(self) {
        let Some(db) = self.db() else {
            self.loaded.set(true);
            return;
        };
        // A sign-in that finished while the database was still opening is newer than anything
        // stored: keep it and store it now, instead of putting back what the database held.
        if let Some(current) = self.session.get_untracked() {
            if let Err(e) = db.save_session(&current).await {
                self.storage_failed(e);
            }
        } else {
            match db.load_session().await {
                Ok(s) => {
                    if let Some(s) = &s {
                        self.expired.set(s.expires_at <= clock::now());
                        self.keep_storage(false);
                    }
                    // Signed in while this read ran: that session wins.
                    if self.session.with_untracked(Option::is_none) {
                        self.session.set(s.map(Arc::new));
                    }
                }
                Err(e) => self.storage_failed(e),
            }
        }
        self.reload_local(&db).await;
        self.loaded.set(true);
    }

    pub(super) async fn reload_local(&self, db: &Db) {
        match db.local_registrations().await {
            Ok(l) => {
                self.catalog.skipped.update(|n| *n += l.skipped.len());
                self.registrations.set(Arc::new(l.value));
            }
            Err(e) => self.storage_failed(e),
        }
        match db.outbox().await {
            Ok(o) => {
                self.catalog.skipped.update(|n| *n += o.skipped.len());
                self.outbox.set(Arc::new(o.value));
            }
            Err(e) => self.storage_failed(e),
        }
        match db.own_feedback().await {
            Ok(f) => self.feedback.set(Arc::new(f)),
            Err(e) => self.storage_failed(e),
        }
        match db.load_results().await {
            Ok(r) => {
                self.catalog.skipped.update(|n| *n += r.skipped.len());
                self.results_synced.set_value(r.meta.is_some());
                self.results.set(Arc::new(r.value));
            }
            Err(e) => self.storage_failed(e),
        }
    }
}
