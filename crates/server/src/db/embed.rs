//! Portal assertion ids (`jti`) already exchanged for a session: each is accepted once, on any
//! server sharing the database.

use sqlx::{Any, Executor};

use super::DbResult;

/// Records `(issuer, jti)`; false when it was recorded before (a replay).
pub async fn claim_jti<'e, E>(db: E, issuer: &str, jti: &str, expires_at: i64) -> DbResult<bool>
where
    E: Executor<'e, Database = Any>,
{
    let done = sqlx::query(
        "INSERT INTO embed_assertions (issuer, jti, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (issuer, jti) DO NOTHING",
    )
    .bind(issuer)
    .bind(jti)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets ids of assertions that expired before `before`: an expired assertion is refused for
/// its `exp` already, so its id need not be kept.
pub async fn delete_expired<'e, E>(db: E, before: i64) -> DbResult<u64>
where
    E: Executor<'e, Database = Any>,
{
    Ok(
        sqlx::query("DELETE FROM embed_assertions WHERE expires_at < $1")
            .bind(before)
            .execute(db)
            .await?
            .rows_affected(),
    )
}
