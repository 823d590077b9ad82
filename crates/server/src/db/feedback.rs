//! Certificate quality feedback: one row per student per certificate level (`feedback`), and every
//! applied request by its `client_id` (`feedback_requests`). Levels are stored as platform codes.

use chrono::{DateTime, Utc};
use kaozheng_core::XLevel;
use kaozheng_core::feedback::{Feedback, Ratings};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};

use super::catalog::level_from_code;
use super::{DbError, DbResult, to_time};

/// What a request asked for: compared with a request sent again under the same `client_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRequest {
    pub certificate_id: String,
    pub level: XLevel,
    pub ratings: Ratings,
    /// Normalized (trimmed, `None` when empty).
    pub comment: Option<String>,
}

fn rating(v: i64, what: &str) -> DbResult<u8> {
    u8::try_from(v)
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| DbError::Corrupt(format!("{what} = {v}")))
}

/// Ratings from three columns starting at `at`.
fn ratings_at(r: &AnyRow, at: usize) -> DbResult<Ratings> {
    Ok(Ratings {
        content_quality: rating(r.try_get(at)?, "content_quality")?,
        social_recognition: rating(r.try_get(at + 1)?, "social_recognition")?,
        learning_effect: rating(r.try_get(at + 2)?, "learning_effect")?,
    })
}

const FEEDBACK_COLUMNS: &str = "certificate_id, level, content_quality, social_recognition, \
     learning_effect, comment, updated_at";

fn feedback_row(r: &AnyRow) -> DbResult<Feedback> {
    Ok(Feedback {
        certificate_id: r.try_get(0)?,
        level: level_from_code(r.try_get(1)?)?,
        ratings: ratings_at(r, 2)?,
        comment: r.try_get(5)?,
        updated_at: to_time(r.try_get(6)?, "updated_at")?,
    })
}

/// The request applied earlier with this `client_id`, if any.
pub async fn request<'e, E>(
    db: E,
    student_no: &str,
    client_id: &str,
) -> DbResult<Option<FeedbackRequest>>
where
    E: Executor<'e, Database = Any>,
{
    let row = sqlx::query(
        "SELECT certificate_id, level, content_quality, social_recognition, learning_effect, comment \
         FROM feedback_requests WHERE student_no = $1 AND client_id = $2",
    )
    .bind(student_no)
    .bind(client_id)
    .fetch_optional(db)
    .await?;
    match row {
        Some(r) => Ok(Some(FeedbackRequest {
            certificate_id: r.try_get(0)?,
            level: level_from_code(r.try_get(1)?)?,
            ratings: ratings_at(&r, 2)?,
            comment: r.try_get(5)?,
        })),
        None => Ok(None),
    }
}

/// The student's feedback on one certificate level.
pub async fn get<'e, E>(
    db: E,
    student_no: &str,
    certificate_id: &str,
    level: XLevel,
) -> DbResult<Option<Feedback>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(&format!(
        "SELECT {FEEDBACK_COLUMNS} FROM feedback \
         WHERE student_no = $1 AND certificate_id = $2 AND level = $3"
    ))
    .bind(student_no)
    .bind(certificate_id)
    .bind(i64::from(level.code()))
    .fetch_optional(db)
    .await?
    .as_ref()
    .map(feedback_row)
    .transpose()
}

/// Every feedback of the student, by certificate and level.
pub async fn for_student<'e, E>(db: E, student_no: &str) -> DbResult<Vec<Feedback>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(&format!(
        "SELECT {FEEDBACK_COLUMNS} FROM feedback WHERE student_no = $1 \
         ORDER BY certificate_id, level"
    ))
    .bind(student_no)
    .fetch_all(db)
    .await?
    .iter()
    .map(feedback_row)
    .collect()
}

/// Writes the student's feedback on `req`'s level (replacing an earlier one) and records the
/// request under `client_id`, both in the caller's transaction. A `client_id` already recorded
/// fails with a unique violation.
pub async fn apply(
    conn: &mut AnyConnection,
    student_no: &str,
    client_id: &str,
    req: &FeedbackRequest,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let level = i64::from(req.level.code());
    let r = &req.ratings;
    sqlx::query(
        "INSERT INTO feedback_requests (student_no, client_id, certificate_id, level, \
         content_quality, social_recognition, learning_effect, comment, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(student_no)
    .bind(client_id)
    .bind(&req.certificate_id)
    .bind(level)
    .bind(i64::from(r.content_quality))
    .bind(i64::from(r.social_recognition))
    .bind(i64::from(r.learning_effect))
    .bind(req.comment.as_deref())
    .bind(now.timestamp())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO feedback (student_no, certificate_id, level, content_quality, \
         social_recognition, learning_effect, comment, client_id, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (student_no, certificate_id, level) DO UPDATE SET \
         content_quality = excluded.content_quality, social_recognition = excluded.social_recognition, \
         learning_effect = excluded.learning_effect, comment = excluded.comment, \
         client_id = excluded.client_id, updated_at = excluded.updated_at",
    )
    .bind(student_no)
    .bind(&req.certificate_id)
    .bind(level)
    .bind(i64::from(r.content_quality))
    .bind(i64::from(r.social_recognition))
    .bind(i64::from(r.learning_effect))
    .bind(req.comment.as_deref())
    .bind(client_id)
    .bind(now.timestamp())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Per level of a certificate: how many answered and the sum of each rating, ascending by level.
/// Sums, not rows, leave the database: nobody's single answer is read here.
pub async fn sums<'e, E>(db: E, certificate_id: &str) -> DbResult<Vec<(XLevel, u64, [u64; 3])>>
where
    E: Executor<'e, Database = Any>,
{
    let rows = sqlx::query(
        "SELECT level, COUNT(*), CAST(SUM(social_recognition) AS BIGINT), \
         CAST(SUM(content_quality) AS BIGINT), CAST(SUM(learning_effect) AS BIGINT) \
         FROM feedback WHERE certificate_id = $1 GROUP BY level ORDER BY level",
    )
    .bind(certificate_id)
    .fetch_all(db)
    .await?;
    let count = |v: i64, what: &str| {
        u64::try_from(v).map_err(|_| DbError::Corrupt(format!("feedback {what} = {v}")))
    };
    rows.iter()
        .map(|r| {
            Ok((
                level_from_code(r.try_get(0)?)?,
                count(r.try_get(1)?, "count")?,
                [
                    count(r.try_get(2)?, "sum")?,
                    count(r.try_get(3)?, "sum")?,
                    count(r.try_get(4)?, "sum")?,
                ],
            ))
        })
        .collect()
}

/// One row of the administrators' export: no student identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub feedback: Feedback,
    /// `None` when the catalog no longer has the certificate.
    pub certificate_name: Option<String>,
}

/// Every feedback for the export, by certificate, level and time.
pub async fn export<'e, E>(db: E) -> DbResult<Vec<ExportRow>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "SELECT f.certificate_id, f.level, f.content_quality, f.social_recognition, \
         f.learning_effect, f.comment, f.updated_at, c.name \
         FROM feedback f LEFT JOIN certificates c ON c.id = f.certificate_id \
         ORDER BY f.certificate_id, f.level, f.updated_at, f.content_quality, \
         f.social_recognition, f.learning_effect",
    )
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| {
        Ok(ExportRow {
            feedback: feedback_row(r)?,
            certificate_name: r.try_get(7)?,
        })
    })
    .collect()
}

/// [`export`] restricted to the students of one school (a school's staff export theirs only).
pub async fn export_of_school<'e, E>(db: E, school: &str) -> DbResult<Vec<ExportRow>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "SELECT f.certificate_id, f.level, f.content_quality, f.social_recognition, \
         f.learning_effect, f.comment, f.updated_at, c.name \
         FROM feedback f LEFT JOIN certificates c ON c.id = f.certificate_id \
         JOIN students s ON s.student_no = f.student_no WHERE s.school = $1 \
         ORDER BY f.certificate_id, f.level, f.updated_at, f.content_quality, \
         f.social_recognition, f.learning_effect",
    )
    .bind(school)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| {
        Ok(ExportRow {
            feedback: feedback_row(r)?,
            certificate_name: r.try_get(7)?,
        })
    })
    .collect()
}
