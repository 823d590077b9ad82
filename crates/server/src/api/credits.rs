//! `GET /api/v1/credits`: the signed-in student's credit-bank account (学分银行), computed by core
//! from the school's table, the certificates the student may see they hold, and the courses the
//! school recorded as passed. The app computes the same offline; this is the authoritative copy.

use axum::Json;
use axum::extract::State;
use kaozheng_core::rules::{CreditAccount, CreditRules, credit_account};

use crate::auth::StudentSession;
use crate::db::{self, DbError};
use crate::error::ApiError;
use crate::rules;
use crate::state::AppState;

pub async fn get_credits(
    State(state): State<AppState>,
    session: StudentSession,
) -> Result<Json<CreditAccount>, ApiError> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let student = db::students::get(&mut *conn, &session.student_no)
        .await?
        .ok_or_else(|| {
            ApiError::unauthorized(
                "unauthorized",
                "the signed-in student no longer exists",
                "登录的学生已不存在",
            )
        })?;
    let table = rules::load::<CreditRules>(&mut conn).await?;
    let policy = table
        .as_ref()
        .and_then(|t| t.policy_for(&student.school, student.major.as_deref()))
        .ok_or_else(|| {
            ApiError::not_found(
                "no_credit_policy",
                format!(
                    "{} has published no credit conversion table (for {} or school-wide)",
                    student.school,
                    student.major.as_deref().unwrap_or("any programme")
                ),
                format!("{}尚未公布学分转换规则", student.school),
            )
        })?;
    let passed = db::results::certified(&mut conn, &session.student_no, state.now()).await?;
    Ok(Json(credit_account(
        policy,
        &passed,
        &student.passed_courses,
    )))
}
