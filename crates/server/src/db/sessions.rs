//! Student sessions, keyed by the SHA-256 of the bearer token (the token itself is never stored).

use sqlx::{Any, Executor};

use super::DbResult;

/// A stored session as the authentication check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub student_no: String,
    pub expires_at: i64,
    pub revoked: bool,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    student_no: String,
    expires_at: i64,
    revoked_at: Option<i64>,
}

impl From<SessionRow> for Session {
    fn from(r: SessionRow) -> Session {
        Session {
            student_no: r.student_no,
            expires_at: r.expires_at,
            revoked: r.revoked_at.is_some(),
        }
    }
}

pub async fn insert<'e, E>(
    db: E,
    token_hash: &str,
    student_no: &str,
    origin: &str,
    now: i64,
    expires_at: i64,
) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO sessions (token_hash, student_no, origin, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(student_no)
    .bind(origin)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get<'e, E>(db: E, token_hash: &str) -> DbResult<Option<Session>>
where
    E: Executor<'e, Database = Any>,
{
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT student_no, expires_at, revoked_at FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    Ok(row.map(Session::from))
}

/// Revokes a session (logout); revoking twice keeps the first time.
pub async fn revoke<'e, E>(db: E, token_hash: &str, now: i64) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL")
        .bind(token_hash)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets sessions that expired before `before`; returns how many.
pub async fn delete_expired<'e, E>(db: E, before: i64) -> DbResult<u64>
where
    E: Executor<'e, Database = Any>,
{
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(before)
        .execute(db)
        .await?
        .rows_affected())
}
