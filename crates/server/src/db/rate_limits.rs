//! Fixed-window counters in the database, so every server behind a load balancer counts the same
//! attempts.

use sqlx::{Any, Executor};

use super::DbResult;

/// Adds one to `key`'s counter for the window starting at `window_start` (a new window starts at
/// 1) and returns the count after it.
pub async fn hit<'e, E>(db: E, key: &str, window_start: i64) -> DbResult<i64>
where
    E: Executor<'e, Database = Any>,
{
    Ok(sqlx::query_scalar(
        "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
         count = CASE WHEN rate_limits.window_start = excluded.window_start \
                      THEN rate_limits.count + 1 ELSE 1 END, \
         window_start = excluded.window_start \
         RETURNING count",
    )
    .bind(key)
    .bind(window_start)
    .fetch_one(db)
    .await?)
}

/// Takes one back from `key`'s counter if it is still in the window starting at `window_start`.
pub async fn give_back<'e, E>(db: E, key: &str, window_start: i64) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "UPDATE rate_limits SET count = count - 1 \
         WHERE key = $1 AND window_start = $2 AND count > 0",
    )
    .bind(key)
    .bind(window_start)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn reset<'e, E>(db: E, key: &str) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("DELETE FROM rate_limits WHERE key = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets windows that started before `before`.
pub async fn delete_older<'e, E>(db: E, before: i64) -> DbResult<u64>
where
    E: Executor<'e, Database = Any>,
{
    Ok(
        sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(before)
            .execute(db)
            .await?
            .rows_affected(),
    )
}
