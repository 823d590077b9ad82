//! Certificate quality feedback: one row per student per certificate level (`feedback`), and every
//! applied request by its `client_id` (`feedback_requests`). Levels are stored as platform codes.

use chrono::{DateTime, Utc};
use kaozheng_core::XLevel;
use kaozheng_core::feedback::{Feedback, Ratings};
use sqlx::{Any, AnyConnection, Executor};

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

/// The three rating columns.
#[derive(sqlx::FromRow)]
struct RatingsRow {
    content_quality: i64,
    social_recognition: i64,
    learning_effect: i64,
}

impl TryFrom<RatingsRow> for Ratings {
    type Error = DbError;

    fn try_from(r: RatingsRow) -> DbResult<Ratings> {
        Ok(Ratings {
            content_quality: rating(r.content_quality, "content_quality")?,
            social_recognition: rating(r.social_recognition, "social_recognition")?,
            learning_effect: rating(r.learning_effect, "learning_effect")?,
        })
    }
}

/// A `feedback_requests` row: what was asked, without who and when.
#[derive(sqlx::FromRow)]
struct RequestRow {
    certificate_id: String,
    level: i64,
    #[sqlx(flatten)]
    ratings: RatingsRow,
    comment: Option<String>,
}

impl TryFrom<RequestRow> for FeedbackRequest {
    type Error = DbError;

    fn try_from(r: RequestRow) -> DbResult<FeedbackRequest> {
        Ok(FeedbackRequest {
            certificate_id: r.certificate_id,
            level: level_from_code(r.level)?,
            ratings: r.ratings.try_into()?,
            comment: r.comment,
        })
    }
}

const FEEDBACK_COLUMNS: &str = "certificate_id, level, content_quality, social_recognition, \
     learning_effect, comment, updated_at";

/// A `feedback` row ([`FEEDBACK_COLUMNS`]).
#[derive(sqlx::FromRow)]
struct FeedbackRow {
    #[sqlx(flatten)]
    request: RequestRow,
    updated_at: i64,
}

impl TryFrom<FeedbackRow> for Feedback {
    type Error = DbError;

    fn try_from(r: FeedbackRow) -> DbResult<Feedback> {
        let request = FeedbackRequest::try_from(r.request)?;
        Ok(Feedback {
            certificate_id: request.certificate_id,
            level: request.level,
            ratings: request.ratings,
            comment: request.comment,
            updated_at: to_time(r.updated_at, "updated_at")?,
        })
    }
}

/// Respondents and rating sums of one level.
#[derive(sqlx::FromRow)]
struct SumsRow {
    level: i64,
    respondents: i64,
    social_recognition: i64,
    content_quality: i64,
    learning_effect: i64,
}

/// A feedback with its certificate's name, for the export.
#[derive(sqlx::FromRow)]
struct ExportedRow {
    #[sqlx(flatten)]
    feedback: FeedbackRow,
    name: Option<String>,
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
    sqlx::query_as::<_, RequestRow>(
        "SELECT certificate_id, level, content_quality, social_recognition, learning_effect, comment \
         FROM feedback_requests WHERE student_no = $1 AND client_id = $2",
    )
    .bind(student_no)
    .bind(client_id)
    .fetch_optional(db)
    .await?
    .map(FeedbackRequest::try_from)
    .transpose()
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
    sqlx::query_as::<_, FeedbackRow>(&format!(
        "SELECT {FEEDBACK_COLUMNS} FROM feedback \
         WHERE student_no = $1 AND certificate_id = $2 AND level = $3"
    ))
    .bind(student_no)
    .bind(certificate_id)
    .bind(i64::from(level.code()))
    .fetch_optional(db)
    .await?
    .map(Feedback::try_from)
    .transpose()
}

/// Every feedback of the student, by certificate and level.
pub async fn for_student<'e, E>(db: E, student_no: &str) -> DbResult<Vec<Feedback>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, FeedbackRow>(&format!(
        "SELECT {FEEDBACK_COLUMNS} FROM feedback WHERE student_no = $1 \
         ORDER BY certificate_id, level"
    ))
    .bind(student_no)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(Feedback::try_from)
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
    let rows: Vec<SumsRow> = sqlx::query_as(
        "SELECT level, COUNT(*) AS respondents, \
         CAST(SUM(social_recognition) AS BIGINT) AS social_recognition, \
         CAST(SUM(content_quality) AS BIGINT) AS content_quality, \
         CAST(SUM(learning_effect) AS BIGINT) AS learning_effect \
         FROM feedback WHERE certificate_id = $1 GROUP BY level ORDER BY level",
    )
    .bind(certificate_id)
    .fetch_all(db)
    .await?;
    let count = |v: i64, what: &str| {
        u64::try_from(v).map_err(|_| DbError::Corrupt(format!("feedback {what} = {v}")))
    };
    rows.into_iter()
        .map(|r| {
            Ok((
                level_from_code(r.level)?,
                count(r.respondents, "count")?,
                [
                    count(r.social_recognition, "sum")?,
                    count(r.content_quality, "sum")?,
                    count(r.learning_effect, "sum")?,
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
    sqlx::query_as::<_, ExportedRow>(
        "SELECT f.certificate_id, f.level, f.content_quality, f.social_recognition, \
         f.learning_effect, f.comment, f.updated_at, c.name \
         FROM feedback f LEFT JOIN certificates c ON c.id = f.certificate_id \
         ORDER BY f.certificate_id, f.level, f.updated_at, f.content_quality, \
         f.social_recognition, f.learning_effect",
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| {
        Ok(ExportRow {
            feedback: r.feedback.try_into()?,
            certificate_name: r.name,
        })
    })
    .collect()
}

/// [`export`] restricted to the students of one school (a school's staff export theirs only).
pub async fn export_of_school<'e, E>(db: E, school: &str) -> DbResult<Vec<ExportRow>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, ExportedRow>(
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
    .into_iter()
    .map(|r| {
        Ok(ExportRow {
            feedback: r.feedback.try_into()?,
            certificate_name: r.name,
        })
    })
    .collect()
}
