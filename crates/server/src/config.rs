//! How a server is set up: where it listens, where its data and the built app live, which database.
//! The CLI fills it from flags and environment; tests build it directly.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kaozheng_core::Catalog;

/// The server's notion of now. Everything time-dependent (plan states, demo plans) takes its time
/// from here, so tests can stand at any moment.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// The SQLite file used when no database URL is given.
pub const SQLITE_FILE: &str = "kaozheng.sqlite3";

#[derive(Clone)]
pub struct Config {
    pub bind: IpAddr,
    /// 0 asks the OS for a free port; the real one is printed at start.
    pub port: u16,
    /// Holds the default SQLite database; created when missing.
    pub data_dir: PathBuf,
    /// The built app (Trunk's `dist/`); may be missing, then only the API is served.
    pub dist: PathBuf,
    /// `sqlite:…` or `postgres://…`; `None` uses `<data_dir>/kaozheng.sqlite3`.
    pub database_url: Option<String>,
    /// Write demo sites and exam plans into an empty database.
    pub demo: bool,
    /// Origins allowed to frame the app besides itself (a school portal embedding it), as CSP
    /// source expressions such as `https://portal.example.edu.cn`.
    pub frame_ancestors: Vec<String>,
    /// The catalog an empty database starts with; `None` means the one built into the binary.
    pub catalog: Option<Arc<Catalog>>,
    pub clock: Clock,
    /// How often a request may look in the database for a catalog changed by another server.
    pub catalog_recheck: Duration,
}

impl Config {
    /// The defaults the CLI documents, with the given directories.
    pub fn new(data_dir: impl Into<PathBuf>, dist: impl Into<PathBuf>) -> Config {
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            data_dir: data_dir.into(),
            dist: dist.into(),
            database_url: None,
            demo: true,
            frame_ancestors: Vec::new(),
            catalog: None,
            clock: system_clock(),
            catalog_recheck: Duration::from_secs(2),
        }
    }

    /// The default SQLite file in `data_dir`.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join(SQLITE_FILE)
    }

    /// Checks what can be checked before touching the network or the disk.
    pub fn validate(&self) -> anyhow::Result<()> {
        for origin in &self.frame_ancestors {
            check_source_expression(origin)?;
        }
        Ok(())
    }
}

/// A frame-ancestors source must stay one CSP token: nothing that could end the directive or add
/// another.
fn check_source_expression(s: &str) -> anyhow::Result<()> {
    let ok = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'\'' | b'"'));
    if ok {
        Ok(())
    } else {
        anyhow::bail!("frame ancestor {s:?} is not a CSP source like https://portal.example.edu.cn")
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("port", &self.port)
            .field("data_dir", &self.data_dir)
            .field("dist", &self.dist)
            // A PostgreSQL URL may carry a password.
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field("demo", &self.demo)
            .field("frame_ancestors", &self.frame_ancestors)
            .field("catalog", &self.catalog.as_ref().map(|c| &c.version))
            .field("catalog_recheck", &self.catalog_recheck)
            .finish_non_exhaustive()
    }
}

/// The URL without the password, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact_url("postgres://kz:s3cret@db.internal:5432/kaozheng"),
            "postgres://kz:***@db.internal:5432/kaozheng"
        );
        assert_eq!(redact_url("sqlite:///tmp/k.db"), "sqlite:///tmp/k.db");
        let mut c = Config::new("/tmp/d", "/tmp/dist");
        c.database_url = Some("postgres://kz:s3cret@h/k".into());
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn frame_ancestors_must_be_single_csp_sources() {
        let mut c = Config::new("/tmp/d", "/tmp/dist");
        c.frame_ancestors = vec!["https://portal.example.edu.cn".into()];
        assert!(c.validate().is_ok());
        for bad in ["https://a; script-src *", "'unsafe-inline'", "a b", ""] {
            c.frame_ancestors = vec![bad.into()];
            assert!(c.validate().is_err(), "{bad:?} accepted");
        }
    }
}
