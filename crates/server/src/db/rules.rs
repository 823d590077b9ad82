//! Versioned rule documents (`rule_sets`): every validated document of every kind is kept; meta
//! `rules.<kind>` names the version in use.

use sqlx::{Any, AnyConnection, Executor};

use super::{DbResult, meta};

/// One stored document.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredRules {
    pub kind: String,
    pub version: String,
    /// The document as canonical JSON (what the API serves).
    pub body: String,
    /// `embedded` (shipped with the binary) or `admin` (imported on purpose).
    pub origin: String,
}

pub fn meta_key(kind: &str) -> String {
    format!("rules.{kind}")
}

pub async fn get_version<'e, E>(db: E, kind: &str, version: &str) -> DbResult<Option<StoredRules>>
where
    E: Executor<'e, Database = Any>,
{
    Ok(sqlx::query_as(
        "SELECT kind, version, body, origin FROM rule_sets WHERE kind = $1 AND version = $2",
    )
    .bind(kind)
    .bind(version)
    .fetch_optional(db)
    .await?)
}

/// The document of `kind` in use, if any.
pub async fn current(conn: &mut AnyConnection, kind: &str) -> DbResult<Option<StoredRules>> {
    match meta::get(&mut *conn, &meta_key(kind)).await? {
        Some(version) => get_version(&mut *conn, kind, &version).await,
        None => Ok(None),
    }
}

/// Stores a document (or refreshes the origin of the same version) and makes it the one in use.
pub async fn store(conn: &mut AnyConnection, doc: &StoredRules, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO rule_sets (kind, version, body, origin, imported_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (kind, version) DO UPDATE SET origin = excluded.origin",
    )
    .bind(&doc.kind)
    .bind(&doc.version)
    .bind(&doc.body)
    .bind(&doc.origin)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    meta::set(&mut *conn, &meta_key(&doc.kind), &doc.version).await
}
