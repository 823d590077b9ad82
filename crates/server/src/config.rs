//! How a server is set up: where it listens, where its data and the built app live, which database.
//! The CLI fills it from flags and environment; tests build it directly.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kaozheng_core::Catalog;

use crate::auth::embed::Portal;
use crate::auth::rate_limit::{CheckLimits, LoginLimits};

/// The server's notion of now. Everything time-dependent (plan states, demo plans) takes its time
/// from here, so tests can stand at any moment.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The wall clock: the server's only reader of the system time.
#[allow(clippy::disallowed_methods)]
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
    /// Seed (and keep current) the demo school: sites, plans, students, registrations, results.
    pub demo: bool,
    /// Origins allowed to frame the app besides itself (a school portal embedding it), as CSP
    /// source expressions such as `https://portal.example.edu.cn`.
    pub frame_ancestors: Vec<String>,
    /// Origins whose pages may call the API from a browser (CORS), e.g. `https://m.example.edu.cn`.
    pub cors_origins: Vec<String>,
    /// Portals that may exchange signed assertions for sessions (`POST /api/v1/auth/embed`). Their
    /// origins are added to the CORS origins and the frame ancestors.
    pub portals: Vec<Portal>,
    /// How long a student session lasts.
    pub session_ttl: Duration,
    /// argon2id cost for new password hashes (argon2's defaults: 19456 KiB, 2 iterations).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub login_limits: LoginLimits,
    /// Failed admission-ticket checks per client address.
    pub check_limits: CheckLimits,
    /// Take the client address from the last `X-Forwarded-For` entry (behind a load balancer that
    /// sets it); otherwise the TCP peer address.
    pub trust_forwarded_for: bool,
    /// Largest request body of the student API.
    pub api_body_limit: usize,
    /// Largest admin import file.
    pub import_body_limit: usize,
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
            demo: false,
            frame_ancestors: Vec::new(),
            cors_origins: Vec::new(),
            portals: Vec::new(),
            session_ttl: Duration::from_secs(30 * 24 * 3600),
            argon2_memory_kib: argon2::Params::DEFAULT_M_COST,
            argon2_iterations: argon2::Params::DEFAULT_T_COST,
            login_limits: LoginLimits::default(),
            check_limits: CheckLimits::default(),
            trust_forwarded_for: false,
            api_body_limit: 64 * 1024,
            import_body_limit: 16 * 1024 * 1024,
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
        for origin in self.all_frame_ancestors() {
            check_source_expression(&origin)?;
        }
        for origin in self.all_cors_origins() {
            check_origin(&origin)?;
        }
        anyhow::ensure!(
            self.session_ttl >= Duration::from_secs(60),
            "sessions must last at least a minute"
        );
        anyhow::ensure!(
            cfg!(feature = "demo") || !self.demo,
            "this server was built without the demo school (feature `demo`); serve without --demo"
        );
        Ok(())
    }

    /// `--frame-ancestor` origins and every portal's origins.
    pub fn all_frame_ancestors(&self) -> Vec<String> {
        let mut out = self.frame_ancestors.clone();
        for p in &self.portals {
            out.extend(p.origins.iter().cloned());
        }
        out.sort();
        out.dedup();
        out
    }

    /// The exact origins the embedded widget exchanges `postMessage` with (`GET
    /// /api/v1/embed/config`): every portal's origins and every `--frame-ancestor` that names one
    /// origin, as browsers serialize it (lowercase, no default port, no path), sorted, once each.
    /// Wildcard and scheme-only ancestors may still frame the app but are left out: a message
    /// needs one exact target origin.
    pub fn embed_portal_origins(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .frame_ancestors
            .iter()
            .chain(self.portals.iter().flat_map(|p| p.origins.iter()))
            .filter_map(|s| exact_origin(s))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// `--cors-origin` origins and every portal's origins.
    pub fn all_cors_origins(&self) -> Vec<String> {
        let mut out = self.cors_origins.clone();
        for p in &self.portals {
            out.extend(p.origins.iter().cloned());
        }
        out.sort();
        out.dedup();
        out
    }
}

/// A CORS origin is exactly `scheme://host[:port]`, compared byte for byte with the browser's
/// `Origin` header, so anything else could never match.
fn check_origin(s: &str) -> anyhow::Result<()> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let ok = rest.is_some_and(|host| {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    });
    if ok {
        Ok(())
    } else {
        anyhow::bail!("CORS origin {s:?} is not an origin like https://m.example.edu.cn")
    }
}

/// `scheme://host[:port]` of an http(s) URL or CSP host source, serialized as a browser's
/// `location.origin`: scheme and host lowercased, the scheme's default port dropped, any path
/// dropped. `None` for anything that is not one origin: wildcards, other schemes, user info.
pub fn exact_origin(source: &str) -> Option<String> {
    let (scheme, rest) = source.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = match authority.strip_prefix('[') {
        // An IPv6 literal: `[::1]` or `[::1]:8080`.
        Some(v6) => {
            let (addr, after) = v6.split_once(']')?;
            let ok = !addr.is_empty() && addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
            if !ok {
                return None;
            }
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':')?),
            };
            (format!("[{}]", addr.to_ascii_lowercase()), port)
        }
        None => {
            let (host, port) = match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            };
            let ok = !host.is_empty()
                && !host.starts_with(['.', '-'])
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
            if !ok {
                return None;
            }
            (host.to_ascii_lowercase(), port)
        }
    };
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().ok()?).filter(|&n| n != default_port)
        }
        Some(_) => return None,
    };
    Some(match port {
        Some(n) => format!("{scheme}://{host}:{n}"),
        None => format!("{scheme}://{host}"),
    })
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
            .field("cors_origins", &self.cors_origins)
            .field("portals", &self.portals)
            .field("session_ttl", &self.session_ttl)
            .field("login_limits", &self.login_limits)
            .field("check_limits", &self.check_limits)
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

    #[test]
    fn exact_origins_are_serialized_as_browsers_do() {
        for (source, want) in [
            (
                "https://portal.example.edu.cn",
                "https://portal.example.edu.cn",
            ),
            (
                "HTTPS://Portal.Example.EDU.cn/",
                "https://portal.example.edu.cn",
            ),
            (
                "https://portal.example.edu.cn:443/app?x=1",
                "https://portal.example.edu.cn",
            ),
            ("http://127.0.0.1:80", "http://127.0.0.1"),
            ("http://127.0.0.1:8443", "http://127.0.0.1:8443"),
            (
                "https://portal.example.edu.cn:80",
                "https://portal.example.edu.cn:80",
            ),
            ("http://[::1]:3000/", "http://[::1]:3000"),
            ("http://[FE80::1]", "http://[fe80::1]"),
            ("http://localhost:3000#top", "http://localhost:3000"),
        ] {
            assert_eq!(exact_origin(source).as_deref(), Some(want), "{source}");
        }
        for not_one in [
            "https://*.example.edu.cn",
            "https://portal.example.edu.cn:*",
            "https:",
            "'self'",
            "*",
            "portal.example.edu.cn",
            "ftp://portal.example.edu.cn",
            "javascript://portal.example.edu.cn",
            "https://user@portal.example.edu.cn",
            "https://",
            "https://:443",
            "https://portal.example.edu.cn:",
            "https://portal.example.edu.cn:99999",
            "https://portal.example.edu.cn:8a",
            "http://[::1",
            "http://[::g]",
            "http://[::1]x",
        ] {
            assert_eq!(exact_origin(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn the_embed_allowlist_joins_frame_ancestors_and_portal_origins_once() {
        let mut c = Config::new("/tmp/d", "/tmp/dist");
        assert!(c.embed_portal_origins().is_empty());
        c.frame_ancestors = vec![
            "https://Portal.Example.edu.cn/".into(),
            "https://*.example.org".into(),
            "http://127.0.0.1:80".into(),
        ];
        c.portals = crate::auth::embed::parse_portals(
            r#"[{"iss": "p", "secret": "0123456789abcdef0123456789abcdef", "aud": "k",
                 "origins": ["https://portal.example.edu.cn", "http://localhost:3000"]}]"#,
        )
        .unwrap();
        assert_eq!(
            c.embed_portal_origins(),
            vec![
                "http://127.0.0.1",
                "http://localhost:3000",
                "https://portal.example.edu.cn"
            ]
        );
    }

    #[test]
    fn cors_origins_are_bare_origins_and_portals_add_theirs() {
        let mut c = Config::new("/tmp/d", "/tmp/dist");
        c.cors_origins = vec![
            "https://m.example.edu.cn".into(),
            "http://127.0.0.1:3000".into(),
        ];
        assert!(c.validate().is_ok());
        for bad in [
            "https://m.example.edu.cn/",
            "*",
            "m.example.edu.cn",
            "https://a b",
        ] {
            c.cors_origins = vec![bad.into()];
            assert!(c.validate().is_err(), "{bad:?} accepted");
        }
        c.cors_origins = vec!["https://m.example.edu.cn".into()];
        c.portals = crate::auth::embed::parse_portals(
            r#"[{"iss": "p", "secret": "0123456789abcdef0123456789abcdef", "aud": "k",
                 "origins": ["https://portal.example.edu.cn"]}]"#,
        )
        .unwrap();
        assert_eq!(
            c.all_cors_origins(),
            vec!["https://m.example.edu.cn", "https://portal.example.edu.cn"]
        );
        assert_eq!(
            c.all_frame_ancestors(),
            vec!["https://portal.example.edu.cn"]
        );
        assert!(!format!("{c:?}").contains("0123456789abcdef"));
    }
}
