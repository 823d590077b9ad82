//! What the engine needs from the server. Writes are answered whole (status and body) for the
//! outbox to classify; reads are parsed.

use kaozheng_core::XLevel;
use kaozheng_core::feedback::{Feedback, Ratings};
use kaozheng_core::{ExamResult, Registration};

use crate::api::{self, Answer, ApiError};

#[allow(async_fn_in_trait)]
pub trait Transport {
    /// `POST /registrations {client_id, plan_id}`.
    async fn register(
        &self,
        token: &str,
        client_id: &str,
        plan_id: &str,
    ) -> Result<Answer, ApiError>;
    /// `DELETE /registrations/{id}`.
    async fn cancel(&self, token: &str, registration_id: &str) -> Result<Answer, ApiError>;
    /// `PUT /feedback/{certificate_id}/{level}`.
    async fn put_feedback(
        &self,
        token: &str,
        client_id: &str,
        certificate_id: &str,
        level: XLevel,
        ratings: &Ratings,
        comment: Option<&str>,
    ) -> Result<Answer, ApiError>;
    async fn registrations(&self, token: &str) -> Result<Vec<Registration>, ApiError>;
    async fn results(&self, token: &str) -> Result<Vec<ExamResult>, ApiError>;
    async fn my_feedback(&self, token: &str) -> Result<Vec<Feedback>, ApiError>;
}

/// The browser's transport: the JSON API over HTTP.
#[derive(Debug, Clone, Copy, Default)]
pub struct Http;

impl Transport for Http {
    async fn register(
        &self,
        token: &str,
        client_id: &str,
        plan_id: &str,
    ) -> Result<Answer, ApiError> {
        api::register(token, client_id, plan_id).await
    }

    async fn cancel(&self, token: &str, registration_id: &str) -> Result<Answer, ApiError> {
        api::cancel(token, registration_id).await
    }

    async fn put_feedback(
        &self,
        token: &str,
        client_id: &str,
        certificate_id: &str,
        level: XLevel,
        ratings: &Ratings,
        comment: Option<&str>,
    ) -> Result<Answer, ApiError> {
        api::put_feedback(token, client_id, certificate_id, level, ratings, comment).await
    }

    async fn registrations(&self, token: &str) -> Result<Vec<Registration>, ApiError> {
        api::registrations(token).await
    }

    async fn results(&self, token: &str) -> Result<Vec<ExamResult>, ApiError> {
        api::results(token).await
    }

    async fn my_feedback(&self, token: &str) -> Result<Vec<Feedback>, ApiError> {
        api::my_feedback(token).await
    }
}
