//! Opening the database: upgrading its schema, noticing when another tab or the browser takes the
//! connection away, and deleting it.

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;
use indexed_db_futures::database::Database;
use indexed_db_futures::factory::DBFactory;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::JsCast;

use super::{CURRENT_VERSION, DB_NAME, Db, StorageError, schema};

type LostHook = Box<dyn Fn(&StorageError)>;

/// Connection state shared with the browser's event handlers.
#[derive(Default)]
pub(super) struct Connection {
    lost: RefCell<Option<StorageError>>,
    hooks: RefCell<Vec<LostHook>>,
}

impl Connection {
    pub(super) fn lose(&self, why: StorageError) {
        if self.lost.borrow().is_some() {
            return;
        }
        *self.lost.borrow_mut() = Some(why.clone());
        // Taken out first so a hook may call back into the Db.
        let hooks = std::mem::take(&mut *self.hooks.borrow_mut());
        for hook in &hooks {
            hook(&why);
        }
    }
}

/// The upgrade's view of the open request, filled in as the request progresses.
#[derive(Default)]
pub(super) struct OpenState {
    request: Option<web_sys::IdbOpenDbRequest>,
    upgrade_tx: Option<web_sys::IdbTransaction>,
    upgrade_error: Option<StorageError>,
    /// The upgrade started from version 0: there was no database.
    created: bool,
}

impl Db {
    /// Opens the app's database at the current schema version, upgrading it if needed.
    pub async fn open() -> Result<Db, StorageError> {
        Db::open_named(DB_NAME).await
    }

    /// Opens a database by name (tests use their own) at the current schema version.
    pub async fn open_named(name: &str) -> Result<Db, StorageError> {
        Db::open_at(name, CURRENT_VERSION).await
    }

    /// Opens at an older schema `version`, so tests can create the data a phone running an
    /// older release would have; the returned `Db` reads and writes that version's layout.
    ///
    /// If another connection keeps the database open at an older version, this returns
    /// [`StorageError::Blocked`] at once instead of waiting; the upgrade still runs as soon as that
    /// connection closes, and the connection it opens is then closed again.
    pub async fn open_at(name: &str, version: u32) -> Result<Db, StorageError> {
        if !(1..=CURRENT_VERSION).contains(&version) {
            return Err(StorageError::Other(format!(
                "schema version {version} does not exist (1 to {CURRENT_VERSION})"
            )));
        }
        let factory = DBFactory::new()?;
        let state = Rc::new(RefCell::new(OpenState::default()));
        let (send, receive) = oneshot::channel::<Result<Database, StorageError>>();
        let send = Rc::new(RefCell::new(Some(send)));

        let on_blocked = {
            let send = send.clone();
            move |_| {
                if let Some(send) = send.borrow_mut().take() {
                    let _ = send.send(Err(StorageError::Blocked));
                }
                Ok(())
            }
        };
        let on_upgrade = {
            let state = state.clone();
            move |event: indexed_db_futures::database::VersionChangeEvent, db: Database| async move {
                let old_version = event.old_version() as u32;
                state.borrow_mut().created = old_version == 0;
                let result = run_upgrade(&state, old_version, version, &db).await;
                result.map_err(|e| {
                    let message = e.to_string();
                    state.borrow_mut().upgrade_error = Some(e);
                    JsValue::from_str(&message).into()
                })
            }
        };
        let request = factory
            .open_db(name)
            .with_version(version)
            .with_on_blocked(on_blocked)
            .with_on_upgrade_needed_fut(on_upgrade)
            .build()?;
        state.borrow_mut().request = Some(request.as_sys().clone());

        let opened = state.clone();
        // The request runs to its end on its own task: after `blocked` the caller has its answer,
        // but dropping the request would unhook the upgrade handler while the upgrade is pending.
        wasm_bindgen_futures::spawn_local(async move {
            let result = request.await;
            match send.borrow_mut().take() {
                Some(send) => {
                    let result = result.map_err(|e| open_failure(e, &state));
                    let _ = send.send(result);
                }
                None => {
                    if let Ok(db) = result {
                        db.close();
                    }
                }
            }
        });
        let db = receive
            .await
            .map_err(|_| StorageError::Other("the open request was dropped".into()))??;
        let created = opened.borrow().created;
        Ok(Db::wrap(db, name, version, created))
    }

    fn wrap(db: Database, name: &str, version: u32, created: bool) -> Db {
        let conn = Rc::new(Connection::default());
        let raw: web_sys::IdbDatabase = (**db.as_sys()).clone();
        let on_version_change = Closure::<dyn FnMut(web_sys::Event)>::new({
            let conn = conn.clone();
            let raw = raw.clone();
            move |_| {
                raw.close();
                conn.lose(StorageError::VersionChanged);
            }
        });
        let on_close = Closure::<dyn FnMut(web_sys::Event)>::new({
            let conn = conn.clone();
            move |_| conn.lose(StorageError::Closed)
        });
        raw.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        raw.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Db {
            db,
            name: name.into(),
            version,
            created,
            conn,
            _on_version_change: on_version_change,
            _on_close: on_close,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The schema version this connection reads and writes.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Whether this open created the database. After a lost connection, a reopened database that
    /// was just created means the browser deleted the old one (site data cleared, storage evicted):
    /// whatever the page still holds in memory is all that is left of it.
    pub fn created(&self) -> bool {
        self.created
    }

    /// Why the connection is gone, once another tab's upgrade or the browser has closed it.
    pub fn connection_lost(&self) -> Option<StorageError> {
        self.conn.lost.borrow().clone()
    }

    /// Calls `hook` once when the connection is lost (at once if it already is), so the UI can ask
    /// for a reload before the next read or write fails.
    pub fn on_connection_lost(&self, hook: impl Fn(&StorageError) + 'static) {
        let lost = self.connection_lost();
        match lost {
            Some(why) => hook(&why),
            None => self.conn.hooks.borrow_mut().push(Box::new(hook)),
        }
    }

    /// Deletes a database (tests, sign-out). Other connections of this app close themselves; one
    /// that does not (an old tab) makes this return [`StorageError::Blocked`], and the deletion
    /// then completes when it closes. Raw web_sys, because indexed_db_futures' delete request
    /// does not report `blocked` and would wait silently.
    pub async fn delete_database(name: &str) -> Result<(), StorageError> {
        let factory = web_sys::window()
            .ok_or_else(|| StorageError::NotAvailable("no window".into()))?
            .indexed_db()?
            .ok_or_else(|| StorageError::NotAvailable("indexedDB is null".into()))?;
        let request = factory.delete_database(name)?;
        let (send, receive) = oneshot::channel::<Result<(), StorageError>>();
        let send = Rc::new(RefCell::new(Some(send)));
        let settle = |send: &Rc<RefCell<Option<oneshot::Sender<_>>>>, result| {
            if let Some(send) = send.borrow_mut().take() {
                let _ = send.send(result);
            }
        };
        let on_success = Closure::<dyn FnMut(web_sys::Event)>::new({
            let send = send.clone();
            move |_| settle(&send, Ok(()))
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new({
            let send = send.clone();
            let request = request.clone();
            move |_| {
                let error = match request.error() {
                    Ok(Some(e)) => StorageError::from_dom_exception(&e),
                    Ok(None) => StorageError::Other("deleting the database failed".into()),
                    Err(e) => StorageError::from(e),
                };
                settle(&send, Err(error));
            }
        });
        let on_blocked = Closure::<dyn FnMut(web_sys::Event)>::new({
            let send = send.clone();
            move |_| settle(&send, Err(StorageError::Blocked))
        });
        request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
        request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        request.set_onblocked(Some(on_blocked.as_ref().unchecked_ref()));
        let result = receive
            .await
            .unwrap_or_else(|_| Err(StorageError::Other("the delete request was dropped".into())));
        if result == Err(StorageError::Blocked) {
            // A blocked deletion still completes later, and then calls these handlers (which
            // find the channel used up): they must outlive this call.
            on_success.forget();
            on_error.forget();
            on_blocked.forget();
        } else {
            request.set_onsuccess(None);
            request.set_onerror(None);
            request.set_onblocked(None);
        }
        result
    }
}

/// Maps a failed open: the upgrade's own error first, then the upgrade transaction's cause.
fn open_failure(
    e: indexed_db_futures::error::OpenDbError,
    state: &RefCell<OpenState>,
) -> StorageError {
    let mut state = state.borrow_mut();
    if let Some(e) = state.upgrade_error.take() {
        return e;
    }
    if let Some(dom) = state
        .upgrade_tx
        .as_ref()
        .and_then(web_sys::IdbTransaction::error)
    {
        return StorageError::from_dom_exception(&dom);
    }
    StorageError::from(e)
}

/// Runs the migrations inside the open request's `versionchange` transaction, aborting it on error
/// so the stored version and data stay as they were.
async fn run_upgrade(
    state: &RefCell<OpenState>,
    old_version: u32,
    new_version: u32,
    db: &Database,
) -> Result<(), StorageError> {
    let tx = state
        .borrow()
        .request
        .as_ref()
        .and_then(|request| request.transaction())
        .ok_or_else(|| StorageError::Other("the upgrade has no transaction".into()))?;
    state.borrow_mut().upgrade_tx = Some(tx.clone());
    let up = schema::Upgrade {
        db: (**db.as_sys()).clone(),
        tx: tx.clone(),
        old_version,
    };
    let result = schema::upgrade(&up, new_version).await;
    if result.is_err() {
        let _ = tx.abort();
    }
    result
}
