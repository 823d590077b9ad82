//! What every start makes sure of: the catalog built into the binary and the shipped rule documents
//! (each replaced when a newer binary ships a newer one, unless an administrator imported one), and
//! with `--demo` the demo school (see [`crate::demo`]).

use chrono::{DateTime, Utc};
use kaozheng_core::Catalog;

use crate::auth::password::Passwords;
use crate::db::{self, Db, DbError, meta};
#[cfg(feature = "demo")]
use crate::demo::{self, DemoReport};
use crate::rules::{self, RuleSeed};

/// The catalog document compiled into the binary (`data/catalog.json` at build time).
pub const DEFAULT_CATALOG_JSON: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/catalog.json"
));

/// `catalog_origin` of a catalog that came from the binary: a newer binary may replace it.
pub const ORIGIN_EMBEDDED: &str = "embedded";

/// Parses and validates the built-in catalog.
pub fn default_catalog() -> Result<Catalog, kaozheng_core::CatalogErrors> {
    Catalog::parse(DEFAULT_CATALOG_JSON)
}

/// What seeding did, for the start-up log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub catalog: CatalogSeed,
    pub rules: Vec<RuleSeed>,
    /// `None` without `--demo`.
    #[cfg(feature = "demo")]
    pub demo: Option<DemoReport>,
}

impl SeedReport {
    /// Tells the start-up log what seeding found and did; `built_in` is the binary's catalog version.
    pub fn log(&self, built_in: &str) {
        match &self.catalog {
            CatalogSeed::Imported { version } => {
                tracing::info!(%version, "imported the built-in catalog")
            }
            CatalogSeed::Upgraded { from, to } => {
                tracing::info!(%from, %to, "replaced the stored catalog with the built-in one")
            }
            CatalogSeed::Kept { version } => {
                tracing::info!(%version, "using the stored catalog")
            }
            CatalogSeed::KeptStale { version, reason } => tracing::warn!(
                %version,
                built_in = %built_in,
                %reason,
                "kept the stored catalog although the built-in one differs"
            ),
        }
        for r in &self.rules {
            match r {
                RuleSeed::Imported { kind, version } => {
                    tracing::info!(%kind, %version, "imported the shipped rules")
                }
                RuleSeed::Upgraded { kind, from, to } => {
                    tracing::info!(%kind, %from, %to, "replaced the stored rules with the shipped ones")
                }
                RuleSeed::Kept { kind, version } => {
                    tracing::info!(%kind, %version, "using the stored rules")
                }
                RuleSeed::SetAside {
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
        #[cfg(feature = "demo")]
        if let Some(d) = &self.demo {
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
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogSeed {
    /// The database had no catalog; the built-in one was imported.
    Imported { version: String },
    /// The stored catalog came from an older binary and was replaced by this one's.
    Upgraded { from: String, to: String },
    /// The stored catalog stays (same version, or imported on purpose).
    Kept { version: String },
    /// The built-in catalog is newer but could not replace the stored one.
    KeptStale { version: String, reason: String },
}

/// Seeds the catalog, the rules and (with `demo`, whose passwords it hashes) the demo school, all
/// in one transaction; running it again (every start does) changes nothing but the demo's timing.
pub async fn seed(
    db: &Db,
    catalog: &Catalog,
    now: DateTime<Utc>,
    demo: Option<&Passwords>,
) -> Result<SeedReport, DbError> {
    let mut tx = db.begin_write().await?;
    // A write first: with the write lock (SQLite) or the row lock (PostgreSQL) it keeps two
    // servers starting at once from seeding twice.
    meta::set(&mut *tx, meta::LAST_START_AT, &now.timestamp().to_string()).await?;

    let stored = meta::get(&mut *tx, meta::CATALOG_VERSION).await?;
    let origin = meta::get(&mut *tx, meta::CATALOG_ORIGIN).await?;
    let catalog_seed = match stored {
        None => {
            db::catalog::import(&mut tx, catalog, ORIGIN_EMBEDDED).await?;
            CatalogSeed::Imported {
                version: catalog.version.clone(),
            }
        }
        Some(v) if v == catalog.version || origin.as_deref() != Some(ORIGIN_EMBEDDED) => {
            CatalogSeed::Kept { version: v }
        }
        // Rejections are decided before anything is written, so the transaction stays usable.
        Some(v) => match db::catalog::import(&mut tx, catalog, ORIGIN_EMBEDDED).await {
            Ok(()) => CatalogSeed::Upgraded {
                from: v,
                to: catalog.version.clone(),
            },
            Err(DbError::Rejected(reason)) => CatalogSeed::KeptStale { version: v, reason },
            Err(e) => return Err(e),
        },
    };
    let rule_seeds = rules::seed(&mut tx, now).await?;
    #[cfg(feature = "demo")]
    let demo_report = match demo {
        Some(passwords) => Some(demo::seed(&mut tx, now, passwords).await?),
        None => None,
    };
    // `Config::validate` refuses `--demo` in a build without the demo data.
    #[cfg(not(feature = "demo"))]
    let _ = demo;
    tx.commit().await?;
    Ok(SeedReport {
        catalog: catalog_seed,
        rules: rule_seeds,
        #[cfg(feature = "demo")]
        demo: demo_report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_catalog_is_valid() {
        let c = default_catalog().unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.certificates.is_empty());
    }
}
