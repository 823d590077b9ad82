//! Sliding-window attempt logs in the database, so every server behind a load balancer counts the
//! same attempts: each counted attempt is a row with its time, and a key's count at a moment is the
//! number of its rows younger than the window.

use sqlx::{Any, Executor};

use super::{Db, DbResult};
use crate::auth::tokens;

/// Records an attempt under `key` at `now` unless `admit` refuses the times of the key's attempts
/// since `since` (oldest first). The key's row is locked meanwhile, so concurrent attempts on any
/// server count one after another. `Ok(id)` is the recorded attempt (to give back), `Err(e)` what
/// `admit` refused with; a refused attempt leaves nothing behind.
pub async fn record<E>(
    db: &Db,
    key: &str,
    now: i64,
    since: i64,
    admit: impl FnOnce(&[i64]) -> Result<(), E>,
) -> DbResult<Result<String, E>> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO rate_limit_keys (key) VALUES ($1) \
         ON CONFLICT (key) DO UPDATE SET key = excluded.key",
    )
    .bind(key)
    .execute(&mut *tx)
    .await?;
    let times: Vec<i64> =
        sqlx::query_scalar("SELECT at FROM rate_limit_hits WHERE key = $1 AND at > $2 ORDER BY at")
            .bind(key)
            .bind(since)
            .fetch_all(&mut *tx)
            .await?;
    if let Err(e) = admit(&times) {
        tx.rollback().await?;
        return Ok(Err(e));
    }
    let id = tokens::random_id("hit-");
    sqlx::query("INSERT INTO rate_limit_hits (id, key, at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// Takes one recorded attempt back.
pub async fn give_back<'e, E>(db: E, id: &str) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("DELETE FROM rate_limit_hits WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets every attempt under `key`.
pub async fn reset<'e, E>(db: E, key: &str) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("DELETE FROM rate_limit_hits WHERE key = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets attempts made before `before`, and keys left without any; returns how many attempts.
pub async fn delete_older(db: &Db, before: i64) -> DbResult<u64> {
    let hits = sqlx::query("DELETE FROM rate_limit_hits WHERE at < $1")
        .bind(before)
        .execute(&db.pool)
        .await?
        .rows_affected();
    // Key rows only serialize attempts: one deleted while an attempt counts under it is made
    // again by the next attempt, which then counts after the first committed.
    sqlx::query(
        "DELETE FROM rate_limit_keys WHERE NOT EXISTS \
         (SELECT 1 FROM rate_limit_hits h WHERE h.key = rate_limit_keys.key)",
    )
    .execute(&db.pool)
    .await?;
    Ok(hits)
}
