//! What every request handler shares: the database, the cached catalog body, the built app, the
//! authentication settings and the clock.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Bytes;
use axum::http::HeaderValue;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::api::BodyLimits;
use crate::auth::embed::Portal;
use crate::auth::password::Passwords;
use crate::auth::rate_limit::{CheckLimits, LoginLimits};
use crate::config::{Clock, Config, redact_url};
use crate::db::{self, Db, DbResult, meta};
use crate::seed;
use crate::static_files::StaticFiles;
use crate::tickets::TicketKey;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub catalog: Arc<CatalogCache>,
    pub static_files: Arc<StaticFiles>,
    pub auth: Arc<AuthSettings>,
    pub http: Arc<HttpSettings>,
    /// The secret behind admission-ticket checks, shared through the database.
    pub tickets: Arc<TicketKey>,
    pub clock: Clock,
    /// Held (shared) by every state-changing request while it runs; shutdown takes it exclusively
    /// before closing the database, so a write whose client already left still finishes.
    pub writes: Arc<tokio::sync::RwLock<()>>,
}

/// How students and portals sign in.
pub struct AuthSettings {
    pub passwords: Passwords,
    pub session_ttl: chrono::Duration,
    pub login_limits: LoginLimits,
    pub check_limits: CheckLimits,
    pub portals: Vec<Portal>,
    pub trust_forwarded_for: bool,
}

/// What the router is built with.
pub struct HttpSettings {
    pub body_limits: BodyLimits,
    pub cors_origins: Vec<String>,
    /// Exact origins the embedded widget talks to ([`Config::embed_portal_origins`]).
    pub portal_origins: Vec<String>,
}

impl AppState {
    /// Opens (or creates) the database, migrates and seeds it, and loads the caches.
    pub async fn open(config: &Config) -> anyhow::Result<AppState> {
        config.validate()?;
        let url = match &config.database_url {
            Some(url) => {
                tracing::info!(database = %redact_url(url), "using the configured database");
                url.clone()
            }
            None => {
                std::fs::create_dir_all(&config.data_dir).with_context(|| {
                    format!("creating the data directory {}", config.data_dir.display())
                })?;
                let path = config.sqlite_path();
                tracing::info!(database = %path.display(), "using the SQLite file");
                db::sqlite_url(&path)?
            }
        };
        let db = Db::connect(&url)
            .await
            .with_context(|| format!("connecting to {}", redact_url(&url)))?;
        db.migrate().await?;

        let catalog = match &config.catalog {
            Some(c) => c.as_ref().clone(),
            None => seed::default_catalog().context("the built-in catalog is invalid")?,
        };
        let passwords = Passwords::new(config.argon2_memory_kib, config.argon2_iterations)?;
        let now = (config.clock)();
        let report = seed::seed(&db, &catalog, now, config.demo.then_some(&passwords)).await?;
        match &report.catalog {
            seed::CatalogSeed::Imported { version } => {
                tracing::info!(%version, "imported the built-in catalog")
            }
            seed::CatalogSeed::Upgraded { from, to } => {
                tracing::info!(%from, %to, "replaced the stored catalog with the built-in one")
            }
            seed::CatalogSeed::Kept { version } => {
                tracing::info!(%version, "using the stored catalog")
            }
            seed::CatalogSeed::KeptStale { version, reason } => tracing::warn!(
                %version,
                built_in = %catalog.version,
                %reason,
                "kept the stored catalog although the built-in one differs"
            ),
        }
        for r in &report.rules {
            match r {
                crate::rules::RuleSeed::Imported { kind, version } => {
                    tracing::info!(%kind, %version, "imported the shipped rules")
                }
                crate::rules::RuleSeed::Upgraded { kind, from, to } => {
                    tracing::info!(%kind, %from, %to, "replaced the stored rules with the shipped ones")
                }
                crate::rules::RuleSeed::Kept { kind, version } => {
                    tracing::info!(%kind, %version, "using the stored rules")
                }
                crate::rules::RuleSeed::SetAside {
                    kind,
                    from,
                    to,
                    why,
                } => tracing::warn!(
                    %kind,
                    %from,
                    %to,
                    %why,
                    "the imported rules no longer fit this server and were set aside for the \
                     shipped ones (still stored); import them again in the current shape"
                ),
            }
        }
        if let Some(d) = &report.demo {
            tracing::info!(
                sites = d.sites,
                plans = d.plans,
                students = d.students,
                registrations = d.registrations,
                results = d.results,
                shifted_days = d.shifted_days,
                "demo school ready"
            );
        }

        for source in &config.frame_ancestors {
            if crate::config::exact_origin(source).is_none() {
                tracing::warn!(
                    %source,
                    "this frame ancestor is not one exact origin: it may frame the app, but the \
                     widget exchanges no messages with it (no height, no portal sign-in)"
                );
            }
        }
        let tickets = TicketKey::load_or_create(&db).await?;
        let cache = CatalogCache::new(config.catalog_recheck);
        cache.rebuild(&db).await?;
        Ok(AppState {
            db,
            catalog: Arc::new(cache),
            static_files: Arc::new(StaticFiles::new(
                &config.dist,
                &config.all_frame_ancestors(),
            )),
            auth: Arc::new(AuthSettings {
                passwords,
                session_ttl: chrono::Duration::from_std(config.session_ttl)
                    .context("the session lifetime is too long")?,
                login_limits: config.login_limits,
                check_limits: config.check_limits,
                portals: config.portals.clone(),
                trust_forwarded_for: config.trust_forwarded_for,
            }),
            http: Arc::new(HttpSettings {
                body_limits: BodyLimits {
                    api: config.api_body_limit,
                    import: config.import_body_limit,
                },
                cors_origins: config.all_cors_origins(),
                portal_origins: config.embed_portal_origins(),
            }),
            tickets: Arc::new(tickets),
            clock: config.clock.clone(),
            writes: Arc::new(tokio::sync::RwLock::new(())),
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }
}

/// The catalog document, serialized and compressed once per version: every phone downloads the
/// same bytes, so compressing them per request (as the generic compression layer would) only burns
/// CPU, and once per version affords brotli's best setting.
#[derive(Debug)]
pub struct CatalogBody {
    pub version: String,
    /// `W/"<version>"`: weak, since compression changes the bytes but not the meaning.
    pub etag: HeaderValue,
    pub json: Bytes,
    pub br: Bytes,
    pub gzip: Bytes,
}

impl CatalogBody {
    #[cfg(test)]
    pub(crate) fn new_for_test(version: String, json: Vec<u8>) -> CatalogBody {
        CatalogBody::new(version, json)
    }

    fn new(version: String, json: Vec<u8>) -> CatalogBody {
        // Quality 11 takes seconds on multi-megabyte test catalogs; 9 is nearly as small.
        let quality = if json.len() > 1 << 20 { 9 } else { 11 };
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 64 * 1024, quality, 22);
            std::io::Write::write_all(&mut w, &json).expect("compressing into memory cannot fail");
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &json).expect("compressing into memory cannot fail");
        let gzip = gz.finish().expect("compressing into memory cannot fail");
        CatalogBody {
            etag: weak_etag(&version),
            version,
            json: Bytes::from(json),
            br: Bytes::from(br),
            gzip: Bytes::from(gzip),
        }
    }
}

/// Keeps the serialized catalog in memory and notices when another server (or an import) changed
/// the version in `meta`, at most once per `recheck`.
pub struct CatalogCache {
    current: RwLock<Option<Arc<CatalogBody>>>,
    last_check: Mutex<Option<Instant>>,
    recheck: Duration,
    rebuilding: tokio::sync::Mutex<()>,
}

impl CatalogCache {
    pub fn new(recheck: Duration) -> CatalogCache {
        CatalogCache {
            current: RwLock::new(None),
            last_check: Mutex::new(None),
            recheck,
            rebuilding: tokio::sync::Mutex::new(()),
        }
    }

    /// The cached body, without looking at the database.
    pub fn cached(&self) -> Option<Arc<CatalogBody>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Reads the catalog from the database and replaces the cached body; call after any change.
    pub async fn rebuild(&self, db: &Db) -> DbResult<Option<Arc<CatalogBody>>> {
        let _one_at_a_time = self.rebuilding.lock().await;
        self.rebuild_locked(db).await
    }

    async fn rebuild_locked(&self, db: &Db) -> DbResult<Option<Arc<CatalogBody>>> {
        let body = match db::catalog::load(&db.pool).await? {
            Some(c) => {
                let json = c.to_json().into_bytes();
                // Compression is CPU work: keep it off the async workers.
                let body = tokio::task::spawn_blocking(move || CatalogBody::new(c.version, json))
                    .await
                    .expect("compressing the catalog does not panic");
                Some(Arc::new(body))
            }
            None => None,
        };
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = body.clone();
        *self.last_check.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        Ok(body)
    }

    /// The current body, rebuilt first when the stored version moved on. When the database cannot
    /// be asked, the cached body is still served: a catalog a few seconds old beats an error.
    pub async fn current(&self, db: &Db) -> DbResult<Option<Arc<CatalogBody>>> {
        let cached = self.cached();
        if !self.check_due()
            && let Some(body) = &cached
        {
            return Ok(Some(body.clone()));
        }
        let stored = match meta::get(&db.pool, meta::CATALOG_VERSION).await {
            Ok(v) => v,
            Err(e) if cached.is_some() => {
                tracing::warn!(error = %e, "could not check the catalog version; serving the cached one");
                return Ok(cached);
            }
            Err(e) => return Err(e),
        };
        *self.last_check.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        let current = |body: &Option<Arc<CatalogBody>>| match (body, &stored) {
            (Some(body), Some(v)) => body.version == *v,
            (None, None) => true,
            _ => false,
        };
        if current(&cached) {
            return Ok(cached);
        }
        let _one_at_a_time = self.rebuilding.lock().await;
        // Requests that waited for the lock find the work done.
        let cached = self.cached();
        if current(&cached) {
            return Ok(cached);
        }
        match self.rebuild_locked(db).await {
            Ok(body) => Ok(body),
            Err(e) if cached.is_some() => {
                tracing::warn!(error = %e, "could not reload the changed catalog; serving the cached one");
                Ok(cached)
            }
            Err(e) => Err(e),
        }
    }

    fn check_due(&self) -> bool {
        match *self.last_check.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(t) => t.elapsed() >= self.recheck,
            None => true,
        }
    }
}

/// `W/"<version>"`, or a digest of the version when it has characters an entity tag cannot hold.
pub fn weak_etag(version: &str) -> HeaderValue {
    let fits = !version.is_empty()
        && version
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b));
    let tag = if fits {
        version.to_string()
    } else {
        let digest = Sha256::digest(version.as_bytes());
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        format!("sha256-{hex}")
    };
    HeaderValue::from_str(&format!("W/\"{tag}\"")).expect("an entity tag is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_are_weak_and_always_valid() {
        assert_eq!(weak_etag("2026.11-abc"), "W/\"2026.11-abc\"");
        let odd = weak_etag("版本 \"2\"");
        let s = odd.to_str().unwrap();
        assert!(s.starts_with("W/\"sha256-") && s.ends_with('"'), "{s}");
        assert_eq!(s.len(), "W/\"sha256-\"".len() + 32);
        assert_ne!(weak_etag("版本 1"), weak_etag("版本 2"));
    }
}
