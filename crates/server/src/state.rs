//! What every request handler shares: the database, the cached catalog body ([`crate::catalog_cache`]),
//! the built app, the authentication settings and the clock.

use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::api::BodyLimits;
use crate::auth::embed::Portal;
use crate::auth::password::Passwords;
use crate::auth::rate_limit::{CheckLimits, LoginLimits};
use crate::catalog_cache::{CatalogCache, DocumentCache};
use crate::config::{Clock, Config, redact_url};
use crate::db::{self, Db};
use crate::seed;
use crate::static_files::StaticFiles;
use crate::tickets::TicketKey;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub catalog: Arc<CatalogCache>,
    pub documents: Arc<DocumentCache>,
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
        report.log(&catalog.version);

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
            documents: Arc::default(),
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
