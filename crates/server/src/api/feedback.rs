//! Certificate quality feedback (seed 002's 1+X 证书质量评价系统):
//!
//! - `PUT /api/v1/feedback/{certificate_id}/{level}` (student): rate a certificate level whose
//!   result the student can see; one feedback per level, replaced by the next; idempotent on
//!   `client_id` (see [`crate::feedback`]).
//! - `GET /api/v1/feedback` (student): the student's own feedback.
//! - `GET /api/v1/feedback/aggregates?certificate_id=` (public): per level, the count and mean
//!   ratings, only for levels at least [`MIN_RESPONDENTS`] students rated; never a single answer
//!   or a comment.
//! - `GET /api/v1/admin/export/feedback.csv` (admin): every feedback without student identity.

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use kaozheng_api::feedback::{AggregatesQuery, FeedbackList, FeedbackRequest};
use kaozheng_api::{MAX_CERTIFICATE_ID, MAX_CLIENT_ID, valid_client_id};
use kaozheng_core::XLevel;
use kaozheng_core::feedback::{
    CertificateAggregates, Feedback, LevelAggregate, MIN_RESPONDENTS, aggregate_sums, can_rate,
    validate,
};

use super::json::ApiJson;
use crate::auth::{Admin, StudentSession};
use crate::db::feedback::FeedbackRequest as StoredRequest;
use crate::db::{self, DbError};
use crate::error::ApiError;
use crate::state::AppState;

fn invalid_path(message: String) -> ApiError {
    ApiError::bad_request(
        "invalid_path",
        message,
        "路径参数格式错误：需要证书编号和等级",
    )
}

fn invalid_query(message: String) -> ApiError {
    ApiError::bad_request("invalid_query", message, "查询参数格式错误：需要证书编号")
}

/// A certificate id as a path or query value: 1 to [`MAX_CERTIFICATE_ID`] characters.
fn certificate_id_ok(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= MAX_CERTIFICATE_ID
}

/// The level's JSON name only (`primary`, `intermediate`, `advanced`): one spelling per URL.
fn level_of(s: &str) -> Option<XLevel> {
    XLevel::ALL.into_iter().find(|l| l.as_str() == s)
}

pub async fn put(
    State(state): State<AppState>,
    session: StudentSession,
    path: Result<Path<(String, String)>, PathRejection>,
    ApiJson(body): ApiJson<FeedbackRequest>,
) -> Result<Json<Feedback>, ApiError> {
    let Path((certificate_id, level)) =
        path.map_err(|e| invalid_path(format!("the path could not be read: {}", e.body_text())))?;
    if !certificate_id_ok(&certificate_id) {
        return Err(invalid_path(format!(
            "certificate_id has 1 to {MAX_CERTIFICATE_ID} characters"
        )));
    }
    let level = level_of(&level).ok_or_else(|| {
        invalid_path(format!(
            "level {level:?} is not primary, intermediate or advanced"
        ))
    })?;
    if !valid_client_id(&body.client_id) {
        return Err(ApiError::bad_request(
            "invalid_body",
            format!(
                "client_id has 1 to {MAX_CLIENT_ID} characters: ASCII letters, digits, '.', '_', ':' or '-'"
            ),
            "client_id 格式不正确",
        ));
    }
    let ratings = body.ratings;
    let comment = validate(&ratings, body.comment.as_deref()).map_err(|e| {
        ApiError::unprocessable(
            e.code(),
            kaozheng_api::words::en::feedback_error(&e),
            kaozheng_api::words::zh::feedback_error(&e),
        )
    })?;
    let results = super::results::published(&state, &session.student_no).await?;
    if !can_rate(&results, &certificate_id, level) {
        return Err(ApiError::forbidden(
            "no_published_result",
            "you can rate a certificate level once your result for it is published",
            "该等级证书的考核成绩公示后才能评价",
        ));
    }
    let req = StoredRequest {
        certificate_id,
        level,
        ratings,
        comment,
    };
    let fb = crate::feedback::submit(
        &state.db,
        state.now(),
        &session.student_no,
        &body.client_id,
        &req,
    )
    .await?;
    tracing::info!(
        student = %session.student_no,
        certificate = %fb.certificate_id,
        level = fb.level.as_str(),
        "feedback"
    );
    Ok(Json(fb))
}

pub async fn list(
    State(state): State<AppState>,
    session: StudentSession,
) -> Result<Json<FeedbackList>, ApiError> {
    let feedback = db::feedback::for_student(&state.db.pool, &session.student_no).await?;
    Ok(Json(FeedbackList { feedback }))
}

pub async fn aggregates(
    State(state): State<AppState>,
    query: Result<Query<AggregatesQuery>, QueryRejection>,
) -> Result<Json<CertificateAggregates>, ApiError> {
    let Query(q) = query.map_err(|e| {
        invalid_query(format!(
            "the query string could not be read: {}",
            e.body_text()
        ))
    })?;
    let certificate_id = q
        .certificate_id
        .filter(|id| certificate_id_ok(id))
        .ok_or_else(|| {
            invalid_query(format!(
                "certificate_id is required, with 1 to {MAX_CERTIFICATE_ID} characters"
            ))
        })?;
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    if db::catalog::names(&mut conn, &certificate_id)
        .await?
        .is_none()
    {
        return Err(ApiError::not_found(
            "certificate_not_found",
            format!("there is no certificate {certificate_id:?} in the catalog"),
            "目录中没有该证书",
        ));
    }
    let levels = db::feedback::sums(&mut *conn, &certificate_id)
        .await?
        .into_iter()
        .filter_map(|(level, count, sums)| {
            aggregate_sums(count, sums).map(|aggregate| LevelAggregate { level, aggregate })
        })
        .collect();
    Ok(Json(CertificateAggregates {
        certificate_id,
        min_respondents: MIN_RESPONDENTS as u32,
        levels,
    }))
}

pub async fn export_csv(State(state): State<AppState>, admin: Admin) -> Result<Response, ApiError> {
    let rows = match admin.scope.school() {
        None => db::feedback::export(&state.db.pool).await?,
        Some(school) => db::feedback::export_of_school(&state.db.pool, school).await?,
    };
    tracing::info!(admin = %admin.name, scope = %admin.scope.describe(), rows = rows.len(), "feedback exported");
    let mut res = Response::new(Body::from(crate::feedback::export_csv(&rows)));
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"feedback.csv\""),
    );
    // Comments are the students' words: no cache keeps a copy.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_in_urls_have_one_spelling() {
        assert_eq!(level_of("primary"), Some(XLevel::Primary));
        assert_eq!(level_of("advanced"), Some(XLevel::Advanced));
        for other in ["初级", "1", "Primary", "", "expert"] {
            assert_eq!(level_of(other), None, "{other:?}");
        }
        assert!(certificate_id_ok("c02464a0d471f"));
        assert!(!certificate_id_ok(""));
        assert!(!certificate_id_ok(&"c".repeat(MAX_CERTIFICATE_ID + 1)));
    }
}
