//! Key/value facts about the database (catalog version, seeding), readable by every server sharing it.

use sqlx::{Any, Executor};

use super::DbResult;

pub const CATALOG_VERSION: &str = "catalog_version";
pub const CATALOG_FORMAT: &str = "catalog_format";
pub const CATALOG_SOURCE: &str = "catalog_source";
pub const CATALOG_SYNTHETIC: &str = "catalog_synthetic";
pub const CATALOG_TOTAL_IN_SYSTEM: &str = "catalog_total_in_system";
/// `embedded` when the catalog came from the binary (and may be replaced by a newer binary's),
/// anything else when it was imported on purpose.
pub const CATALOG_ORIGIN: &str = "catalog_origin";
/// When a server last started; written first by seeding, which makes it the seeding lock.
pub const LAST_START_AT: &str = "last_start_at";
/// Set once the demo sites and plans were written, so a restart never writes them again.
pub const DEMO_SEEDED_AT: &str = "demo_seeded_at";

pub async fn get<'e, E>(db: E, key: &str) -> DbResult<Option<String>>
where
    E: Executor<'e, Database = Any>,
{
    Ok(
        sqlx::query_scalar::<_, String>("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(db)
            .await?,
    )
}

pub async fn set<'e, E>(db: E, key: &str, value: &str) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(db)
    .await?;
    Ok(())
}

/// Inserts the key only if absent; true when this call inserted it. Two servers starting at once
/// on one PostgreSQL database serialize on the key, so only one of them seeds.
pub async fn claim<'e, E>(db: E, key: &str, value: &str) -> DbResult<bool>
where
    E: Executor<'e, Database = Any>,
{
    let done =
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(db)
            .await?;
    Ok(done.rows_affected() == 1)
}
