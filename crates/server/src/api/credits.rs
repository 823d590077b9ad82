//! `GET /api/v1/credits`: the signed-in student's credit-bank account (学分银行), computed by core
//! from the school's table, the certificates the student may see they hold, and the courses the
//! school recorded as passed. The app computes the same offline; this is the authoritative copy.

use axum::Json;
use axum::extract::State;
use kaozheng_api::words;
use kaozheng_core::rules::{
    AppliedConversion, CertificateCredits, CreditAccount, CreditRules, Credits, RefusedConversion,
    credit_account,
};
use serde::Serialize;

use crate::auth::StudentSession;
use crate::db::{self, DbError};
use crate::error::ApiError;
use crate::rules;
use crate::state::AppState;

pub async fn get_credits(
    State(state): State<AppState>,
    session: StudentSession,
) -> Result<Json<WordedAccount>, ApiError> {
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
    Ok(Json(WordedAccount::from(credit_account(
        policy,
        &passed,
        &student.passed_courses,
    ))))
}

/// The account as the API documents it: core's codes and facts, with each conversion's reason and
/// each refusal's detail in both languages for API users (the app words them itself).
#[derive(Serialize)]
pub struct WordedAccount {
    school: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    major: Option<String>,
    example: bool,
    applied: Vec<WordedConversion>,
    refused: Vec<WordedRefusal>,
    total_credits: Credits,
    cap_total: Credits,
    per_certificate: Vec<CertificateCredits>,
}

#[derive(Serialize)]
struct WordedConversion {
    #[serde(flatten)]
    conversion: AppliedConversion,
    reason_zh: String,
    reason_en: String,
}

#[derive(Serialize)]
struct WordedRefusal {
    #[serde(flatten)]
    refusal: RefusedConversion,
    detail_zh: String,
    detail_en: String,
}

impl From<CreditAccount> for WordedAccount {
    fn from(a: CreditAccount) -> Self {
        WordedAccount {
            school: a.school,
            major: a.major,
            example: a.example,
            applied: a
                .applied
                .into_iter()
                .map(|c| WordedConversion {
                    reason_zh: words::zh::conversion(&c),
                    reason_en: words::en::conversion(&c),
                    conversion: c,
                })
                .collect(),
            refused: a
                .refused
                .into_iter()
                .map(|r| WordedRefusal {
                    detail_zh: words::zh::refused_conversion(&r),
                    detail_en: words::en::refused_conversion(&r),
                    refusal: r,
                })
                .collect(),
            total_credits: a.total_credits,
            cap_total: a.cap_total,
            per_certificate: a.per_certificate,
        }
    }
}
