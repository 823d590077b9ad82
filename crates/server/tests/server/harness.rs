//! Helpers for tests that run the real binary or compare whole databases: a `serve` process that
//! is killed on drop (SIGKILL), the CLI, and a dump of every table for before/after comparisons.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use kaozheng_server::db::{Backend as DbBackend, Db};
use sqlx::Row;

/// The binary under test, built by cargo for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_kaozheng-server");

/// Where the binary's database is: the SQLite file of a data directory, or a PostgreSQL URL.
#[derive(Debug, Clone)]
pub enum DbTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbTarget {
    pub fn args(&self) -> Vec<String> {
        match self {
            DbTarget::Sqlite(dir) => vec!["--data-dir".into(), dir.display().to_string()],
            DbTarget::Postgres(url) => vec!["--database-url".into(), url.clone()],
        }
    }

    /// The sqlx URL a test connects with to inspect what the binary wrote.
    pub fn url(&self) -> String {
        match self {
            DbTarget::Sqlite(dir) => {
                kaozheng_server::db::sqlite_url(&dir.join(kaozheng_server::config::SQLITE_FILE))
                    .unwrap()
            }
            DbTarget::Postgres(url) => url.clone(),
        }
    }
}

/// A command of the binary with a clean environment: no database, port or data directory leaks in
/// from the shell that runs the tests.
pub fn command() -> Command {
    let mut c = Command::new(BIN);
    for var in [
        "DATABASE_URL",
        "KAOZHENG_DATA_DIR",
        "KAOZHENG_PORT",
        "KAOZHENG_BIND",
        "KAOZHENG_DIST",
        "KAOZHENG_PORTALS_FILE",
        "KAOZHENG_SESSION_DAYS",
        "KAOZHENG_ARGON2_MEMORY_KIB",
        "KAOZHENG_ARGON2_ITERATIONS",
        "KAOZHENG_LOG_FORMAT",
    ] {
        c.env_remove(var);
    }
    c
}

/// Runs a CLI command (argon2 at its cheapest, as in the other tests) and returns its output.
pub fn cli(args: &[&str], db: &DbTarget) -> Output {
    command()
        .args(args)
        .args(db.args())
        .args(["--argon2-memory-kib", "64", "--argon2-iterations", "1"])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// `kaozheng-server serve` on a free port. Dropping it sends SIGKILL, so a failed assertion
/// leaves no server behind.
pub struct ServerProcess {
    child: std::process::Child,
    pub url: String,
    /// Everything it wrote to stdout, the start-up line included.
    pub stdout: std::sync::Arc<std::sync::Mutex<String>>,
}

impl ServerProcess {
    /// Starts `serve` and waits (up to a minute) for its start-up line. Its log goes to `log`
    /// (appended, so restarts keep one file per test); `extra` are more `serve` flags.
    pub async fn start(
        db: &DbTarget,
        dist: &Path,
        log: &Path,
        rust_log: &str,
        extra: &[String],
    ) -> ServerProcess {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let mut child = command()
            .args(["serve", "--port", "0", "--dist"])
            .arg(dist)
            .args(["--argon2-memory-kib", "64", "--argon2-iterations", "1"])
            .args(db.args())
            .args(extra)
            .env("RUST_LOG", rust_log)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let printed = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let keep = printed.clone();
        // Reads the start-up line, then keeps draining stdout so the server never blocks on it.
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            keep.lock().unwrap().push_str(&line);
            let _ = tx.send(line);
            let mut rest = String::new();
            while reader.read_line(&mut rest).unwrap_or(0) > 0 {
                keep.lock().unwrap().push_str(&rest);
                rest.clear();
            }
        });
        let line =
            tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)).ok())
                .await
                .unwrap()
                .unwrap_or_default();
        let url = line
            .trim_end()
            .strip_prefix("Kaozheng serving on ")
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "the server did not start ({line:?}); its log:\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                )
            })
            .to_string();
        ServerProcess {
            child,
            url,
            stdout: printed,
        }
    }

    /// SIGKILL: no graceful shutdown, no flushing, open transactions cut off mid-way.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Sends SIGTERM, as a service manager or a container runtime stops a server.
    pub fn signal_term(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM failed");
    }

    /// Waits (at most `patience`) for the process to end; `None` when it did not.
    pub async fn wait_exit(&mut self, patience: Duration) -> Option<std::process::ExitStatus> {
        let started = std::time::Instant::now();
        while started.elapsed() < patience {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    /// The address it listens on, `host:port`.
    pub fn addr(&self) -> String {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string()
    }

    /// Whether the process is still running (it must not die on its own).
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The tables that count rate-limited attempts: tests that compare whole databases leave them out
/// where failed attempts count by design.
pub const RATE_LIMIT_TABLES: &[&str] = &["rate_limits", "rate_limit_hits", "rate_limit_keys"];

/// Every table's rows as sorted `column=value` lines, keyed by table name. Left out: sqlx's own
/// migration bookkeeping, and the `last_start_at` meta row, which every start of the binary (a CLI
/// import included) stamps by design.
pub async fn dump(db: &Db) -> BTreeMap<String, Vec<String>> {
    dump_except(db, &[]).await
}

/// [`dump`] without the tables named in `skip`.
pub async fn dump_except(db: &Db, skip: &[&str]) -> BTreeMap<String, Vec<String>> {
    let tables_sql = match db.backend {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        DbBackend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = 'public'"
        }
    };
    let tables: Vec<String> = sqlx::query_scalar(tables_sql)
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for table in tables {
        if skip.contains(&table.as_str()) || table.starts_with("_sqlx") {
            continue;
        }
        // Table names come from the catalog of the database itself, never from input.
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(&db.pool)
            .await
            .unwrap();
        let mut lines: Vec<String> = rows
            .iter()
            .map(|r| {
                use sqlx::Column;
                r.columns()
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("{}={}", c.name(), cell(r, i)))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .filter(|l| !(table == "meta" && l.starts_with("key=\"last_start_at\"|")))
            .collect();
        lines.sort();
        out.insert(table, lines);
    }
    out
}

/// One value of an `AnyRow` as text: the schema has only integers and text.
fn cell(r: &sqlx::any::AnyRow, i: usize) -> String {
    if let Ok(v) = r.try_get::<Option<i64>, _>(i) {
        return v.map_or("NULL".into(), |v| v.to_string());
    }
    if let Ok(v) = r.try_get::<Option<String>, _>(i) {
        return v.map_or("NULL".into(), |v| format!("{v:?}"));
    }
    if let Ok(v) = r.try_get::<Option<f64>, _>(i) {
        return v.map_or("NULL".into(), |v| v.to_string());
    }
    if let Ok(v) = r.try_get::<Option<bool>, _>(i) {
        return v.map_or("NULL".into(), |v| v.to_string());
    }
    if let Ok(v) = r.try_get::<Option<Vec<u8>>, _>(i) {
        return v.map_or("NULL".into(), |v| format!("{v:?}"));
    }
    panic!("column {i} has a type the dump cannot read")
}

/// The tables whose rows differ between two dumps, with a few of the differing rows, for a
/// readable assertion message.
pub fn diff(
    before: &BTreeMap<String, Vec<String>>,
    after: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut out = Vec::new();
    let tables: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for t in tables {
        let empty = Vec::new();
        let (a, b) = (
            before.get(t).unwrap_or(&empty),
            after.get(t).unwrap_or(&empty),
        );
        if a != b {
            let gone: Vec<&String> = a.iter().filter(|r| !b.contains(r)).take(3).collect();
            let new: Vec<&String> = b.iter().filter(|r| !a.contains(r)).take(3).collect();
            out.push(format!("{t}: -{gone:?} +{new:?}"));
        }
    }
    out
}

/// Connects to what a binary wrote (SQLite file or PostgreSQL), for inspection.
pub async fn connect(db: &DbTarget) -> Db {
    Db::connect(&db.url()).await.unwrap()
}
