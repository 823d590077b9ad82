//! Administrator tokens: made by the CLI, stored as SHA-256 hashes, revoked by name.

use sqlx::{Any, Executor};

use super::DbResult;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AdminToken {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

pub async fn insert<'e, E>(db: E, id: &str, name: &str, token_hash: &str, now: i64) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO admin_tokens (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// The name of the active token with this hash.
pub async fn active_name<'e, E>(db: E, token_hash: &str) -> DbResult<Option<String>>
where
    E: Executor<'e, Database = Any>,
{
    Ok(sqlx::query_scalar(
        "SELECT name FROM admin_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?)
}

/// Revokes every active token with this name; returns how many.
pub async fn revoke_by_name<'e, E>(db: E, name: &str, now: i64) -> DbResult<u64>
where
    E: Executor<'e, Database = Any>,
{
    Ok(sqlx::query(
        "UPDATE admin_tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
    )
    .bind(name)
    .bind(now)
    .execute(db)
    .await?
    .rows_affected())
}

pub async fn list<'e, E>(db: E) -> DbResult<Vec<AdminToken>>
where
    E: Executor<'e, Database = Any>,
{
    let mut out: Vec<AdminToken> =
        sqlx::query_as("SELECT id, name, created_at, revoked_at FROM admin_tokens")
            .fetch_all(db)
            .await?;
    out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(out)
}
