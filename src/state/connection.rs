//! The one owner of the IndexedDB connection: opens it, reopens it when it is lost, and tells the
//! states that use it. States ask it for the database and register what to write into a database
//! recreated under the page; it knows nothing about them, and neither state calls the other.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::storage::{Db, StorageError};

/// Writes what a state still holds in memory into a database that came back empty.
pub type RestoreHook = Rc<dyn Fn(Rc<Db>) -> Pin<Box<dyn Future<Output = ()>>>>;

#[derive(Clone, Copy)]
pub struct Connection {
    /// The first open finished (with a database or without one).
    pub ready: RwSignal<bool>,
    /// Bumped each time a lost connection was replaced by a new one: personal data syncs then.
    pub reconnected: RwSignal<u32>,
    /// The last storage failure, shown in the status line in the student's language.
    pub error: RwSignal<Option<StorageError>>,
    db: StoredValue<Option<Rc<Db>>, LocalStorage>,
    /// A lost connection is being replaced: failures of the dead one are expected, not news.
    reopening: StoredValue<bool>,
    restorers: StoredValue<Vec<RestoreHook>, LocalStorage>,
}

/// `browser`: open the database; on the server (rendering a page) there is none.
pub fn provide_connection(browser: bool) -> Connection {
    let c = Connection {
        ready: RwSignal::new(false),
        reconnected: RwSignal::new(0),
        error: RwSignal::new(None),
        db: StoredValue::new_local(None),
        reopening: StoredValue::new(false),
        restorers: StoredValue::new_local(Vec::new()),
    };
    provide_context(c);
    if browser {
        spawn_local(c.open());
    }
    c
}

pub fn use_connection() -> Connection {
    expect_context::<Connection>()
}

impl Connection {
    /// The open database; `None` before it opened, or where IndexedDB is not available.
    pub fn db(&self) -> Option<Rc<Db>> {
        self.db.get_value()
    }

    /// Shows a storage failure, except the dead connection's own while it is being replaced.
    pub fn failed(&self, e: StorageError) {
        let lost = matches!(e, StorageError::VersionChanged | StorageError::Closed);
        if lost && self.reopening.get_value() {
            return;
        }
        self.error.set(Some(e));
    }

    /// Adds what to write into a database recreated under the page, before anything reads it.
    pub fn on_recreated(&self, hook: RestoreHook) {
        self.restorers.update_value(|r| r.push(hook));
    }

    async fn open(self) {
        match Db::open().await {
            Ok(db) => self.adopt(Rc::new(db)),
            Err(e) => self.failed(e),
        }
        self.ready.set(true);
    }

    /// Uses `db` from now on, and reopens when its connection is lost.
    fn adopt(self, db: Rc<Db>) {
        db.on_connection_lost(move |_| {
            self.reopening.set_value(true);
            spawn_local(self.reopen());
        });
        self.db.set_value(Some(db));
    }

    /// The connection was lost: another tab upgraded or deleted the database, or the browser
    /// closed it (site data cleared, storage evicted). Opening again tells which: a newer schema
    /// refuses this code (VersionChanged: the page must be reloaded), a deleted database comes
    /// back empty and first gets what the page still holds (data, session, registrations, unsent
    /// changes) from every registered state, then the states sync again.
    async fn reopen(self) {
        let db = match Db::open().await {
            Ok(db) => Rc::new(db),
            Err(e) => {
                self.reopening.set_value(false);
                self.failed(e);
                return;
            }
        };
        if db.created() {
            let hooks = self.restorers.with_value(Clone::clone);
            for hook in hooks {
                hook(db.clone()).await;
            }
        }
        self.adopt(db);
        self.reopening.set_value(false);
        if matches!(
            self.error.get_untracked(),
            Some(StorageError::VersionChanged | StorageError::Closed)
        ) {
            self.error.set(None);
        }
        self.reconnected.update(|n| *n += 1);
    }
}
