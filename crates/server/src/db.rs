//! The database: one [`AnyPool`] over SQLite (the default, a file in the data dir) or PostgreSQL
//! (`DATABASE_URL=postgres://…`, for several stateless servers sharing one store).
//!
//! Every query is written once for both: portable SQL, `$N` parameters (sqlx-sqlite binds `$N`
//! to the N-th argument), integers as `i64`, times as epoch seconds. The Any driver cannot bind or
//! decode chrono types, which is why the conversions live here and not in the schema.

pub mod admin_tokens;
pub mod catalog;
pub mod embed;
pub mod feedback;
pub mod meta;
pub mod plans;
pub mod rate_limits;
pub mod registrations;
pub mod results;
pub mod roster;
pub mod rules;
pub mod sessions;
pub mod sites;
pub mod staff;
pub mod students;

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The SQL migrations both databases run, embedded so the binary needs no files beside it.
static SHARED: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
/// Schema changes portable SQL cannot express (SQLite cannot alter a CHECK constraint; PostgreSQL
/// cannot rebuild a referenced table the SQLite way), numbered after the shared ones they follow.
static SQLITE_ONLY: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-sqlite");
static POSTGRES_ONLY: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-postgres");

/// Every migration of `backend`, in version order.
pub fn migrator(backend: Backend) -> sqlx::migrate::Migrator {
    let own = match backend {
        Backend::Sqlite => &SQLITE_ONLY,
        Backend::Postgres => &POSTGRES_ONLY,
    };
    let mut all: Vec<sqlx::migrate::Migration> = SHARED
        .migrations
        .iter()
        .chain(own.migrations.iter())
        .cloned()
        .collect();
    all.sort_by_key(|m| m.version);
    sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(all),
        ..sqlx::migrate::Migrator::DEFAULT
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    #[error("migrating the database failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database holds a value this server cannot read: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Rejected(String),
}

pub type DbResult<T> = Result<T, DbError>;

/// Which database is behind the pool; only connection set-up differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite only: this process's writers queue here, in order, instead of polling SQLite's
    /// single write lock (its busy handler sleeps up to 100 ms between tries, which made the
    /// registration p99 at 16 clients 748 ms). Other processes on the same file still meet the
    /// busy timeout.
    write_gate: Option<Arc<Mutex<()>>>,
}

/// A write transaction; on SQLite it holds the write gate until it commits or is dropped. It
/// derefs to the connection, like sqlx's own transaction.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    _gate: Option<OwnedMutexGuard<()>>,
    /// A dry run's transaction: [`WriteTx::commit`] rolls back instead.
    dry_run: bool,
}

impl WriteTx {
    pub async fn commit(self) -> DbResult<()> {
        if self.dry_run {
            self.tx.rollback().await?;
        } else {
            self.tx.commit().await?;
        }
        Ok(())
    }

    /// This transaction as a dry run's: everything it writes is rolled back at its commit.
    pub fn rolling_back_on_commit(mut self) -> WriteTx {
        self.dry_run = true;
        self
    }

    pub async fn rollback(self) -> DbResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

/// The URL of the default SQLite file inside `data_dir`, created on first connect.
pub fn sqlite_url(file: &Path) -> anyhow::Result<String> {
    let path = file.to_str().ok_or_else(|| {
        anyhow::anyhow!("the database path {} is not valid UTF-8", file.display())
    })?;
    // sqlx percent-decodes the path and splits the query at the first `?`.
    let escaped = path
        .replace('%', "%25")
        .replace('?', "%3F")
        .replace('#', "%23");
    Ok(format!("sqlite://{escaped}?mode=rwc"))
}

impl Db {
    /// Connects, and on SQLite switches the file to WAL so readers never wait for the writer.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| {
            anyhow::anyhow!("unsupported database URL (expected sqlite:… or postgres://…)")
        })?;
        // Statement logging at INFO would drown the request log; slow statements still warn.
        let options = AnyConnectOptions::from_str(url)?
            .log_statements(tracing::log::LevelFilter::Debug)
            .log_slow_statements(
                tracing::log::LevelFilter::Warn,
                std::time::Duration::from_millis(500),
            );
        let mut pool = AnyPoolOptions::new().max_connections(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        });
        if backend == Backend::Sqlite {
            pool = pool.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL makes NORMAL durable across crashes of the process (not of the OS), and
                    // much cheaper than FULL.
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    // Writers queue for the single write lock instead of failing at once; a
                    // registration holds it for about a millisecond.
                    conn.execute("PRAGMA busy_timeout = 30000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            });
        }
        let pool = pool.connect_with(options).await?;
        if backend == Backend::Sqlite {
            // Persistent in the file: set once, every later connection inherits it.
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        let write_gate = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Db {
            pool,
            backend,
            write_gate,
        })
    }

    /// A transaction that will write. On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken
    /// up front, so a transaction that reads before it writes never fails to upgrade its snapshot
    /// when another writer committed in between (SQLITE_BUSY that no busy timeout can wait out).
    /// PostgreSQL keeps read committed; the registration code takes row locks in a fixed order.
    pub async fn begin_write(&self) -> DbResult<WriteTx> {
        let gate = match &self.write_gate {
            Some(g) => Some(g.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx {
            tx,
            _gate: gate,
            dry_run: false,
        })
    }

    /// Applies pending migrations; a database migrated by a newer server is refused by sqlx.
    pub async fn migrate(&self) -> DbResult<()> {
        migrator(self.backend).run(&self.pool).await?;
        Ok(())
    }
}

/// Whether `e` is a unique-constraint violation (a racing duplicate insert).
pub fn is_unique_violation(e: &DbError) -> bool {
    matches!(e, DbError::Sql(sqlx::Error::Database(d)) if d.is_unique_violation())
}

/// Reads a 0/1 flag column.
pub(crate) fn to_bool(v: i64, what: &str) -> DbResult<bool> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(DbError::Corrupt(format!("{what} = {v}"))),
    }
}

/// Converts a stored non-negative count, refusing values that cannot be right.
pub(crate) fn to_u32(v: i64, what: &str) -> DbResult<u32> {
    u32::try_from(v).map_err(|_| DbError::Corrupt(format!("{what} = {v}")))
}

/// Reads an instant stored as epoch seconds.
pub(crate) fn to_time(v: i64, what: &str) -> DbResult<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(v, 0).ok_or_else(|| DbError::Corrupt(format!("{what} = {v}")))
}

/// Reads a day stored as `YYYY-MM-DD`, if any.
pub(crate) fn to_date(v: Option<String>, what: &str) -> DbResult<Option<chrono::NaiveDate>> {
    v.map(|d| {
        kaozheng_core::time::parse_date(&d)
            .ok_or_else(|| DbError::Corrupt(format!("{what} = {d:?}")))
    })
    .transpose()
}

/// Reads a JSON column.
pub(crate) fn to_json<T: serde::de::DeserializeOwned>(v: &str, what: &str) -> DbResult<T> {
    serde_json::from_str(v).map_err(|e| DbError::Corrupt(format!("{what}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_escape_what_sqlx_would_misread() {
        let url = sqlite_url(Path::new("/tmp/a b/50%?#/kaozheng.sqlite3")).unwrap();
        assert_eq!(
            url,
            "sqlite:///tmp/a b/50%25%3F%23/kaozheng.sqlite3?mode=rwc"
        );
        assert_eq!(Backend::of_url(&url), Some(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("postgres://u@localhost/k"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::of_url("mysql://x"), None);
    }
}
