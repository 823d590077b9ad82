//! `GET /api/v1/certificates/verify?no=&check=` or `?no=&name=`: an employer checks a certificate
//! (seeds 001 and 004 ask for certificate look-up). Public, so it says as little as it can:
//!
//! - a number alone never answers: it needs the check code from the result page's QR, or the
//!   holder's full name, so numbers (which an organisation may issue in sequence) cannot be
//!   enumerated into names;
//! - a genuine pair answers the holder's masked name, the certificate, its level, the issue date
//!   and the issuing organisation, and only once the result is published; while the plan's
//!   results are in public notice (公示) they may still change, so the answer is `valid: false`
//!   with `status: "public_notice"`, and `valid: true` (`status: "valid"`) once the plan ended;
//! - an unknown number, a wrong check and a wrong name all answer the same bytes, `{"valid":
//!   false}`, after the same work (the check and the name are compared in constant time, the name
//!   through MACs), and count against a per-address limit; a genuine answer gives its attempt back.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use kaozheng_api::verify::{CertificateQuery, CertificateStatus, CertificateVerification};
use kaozheng_core::PlanState;

use crate::auth::ClientAddr;
use crate::auth::rate_limit::CERTIFICATE_CHECKS;
use crate::db::{self, DbError};
use crate::error::ApiError;
use crate::state::AppState;
use crate::tickets::{mask_name, same_check};

/// Longest certificate number and check accepted.
pub const MAX_PARAM: usize = 64;
/// Longest name accepted (as imported names are).
pub const MAX_NAME: usize = 50;

fn invalid_query(message: String) -> ApiError {
    ApiError::bad_request(
        "invalid_query",
        message,
        "查询参数格式错误：需要证书编号，以及校验码或持证人姓名之一",
    )
}

/// The parameter's value, if given: 1 to `max` characters.
fn bounded(value: Option<String>, name: &str, max: usize) -> Result<Option<String>, ApiError> {
    match value {
        None => Ok(None),
        Some(v) if !v.is_empty() && v.chars().count() <= max => Ok(Some(v)),
        Some(_) => Err(invalid_query(format!("{name} has 1 to {max} characters"))),
    }
}

/// How the asker proves they hold more than the number.
enum Proof {
    Check(String),
    Name(String),
}

/// `{"valid": false}` alone.
fn neutral() -> Json<CertificateVerification> {
    Json(CertificateVerification::default())
}

pub async fn verify(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    query: Result<Query<CertificateQuery>, QueryRejection>,
) -> Result<Json<CertificateVerification>, ApiError> {
    let Query(q) = query.map_err(|e| {
        invalid_query(format!(
            "the query string could not be read: {}",
            e.body_text()
        ))
    })?;
    let no = bounded(q.no, "no", MAX_PARAM)?.ok_or_else(|| {
        invalid_query(format!("no is required, with 1 to {MAX_PARAM} characters"))
    })?;
    let proof = match (
        bounded(q.check, "check", MAX_PARAM)?,
        bounded(q.name, "name", MAX_NAME)?,
    ) {
        (Some(check), None) => Proof::Check(check),
        (None, Some(name)) => Proof::Name(name),
        _ => {
            return Err(invalid_query(
                "give either check (from the certificate's QR code) or name (the holder's full \
                 name), not both: a number alone is never answered"
                    .into(),
            ));
        }
    };
    let pool = &state.db.pool;
    let limits = state.auth.check_limits;
    let attempt = match limits
        .attempt_in(
            &state.db,
            CERTIFICATE_CHECKS,
            &addr,
            state.now().timestamp(),
        )
        .await?
    {
        Ok(a) => a,
        Err(retry_after) => {
            tracing::warn!(%addr, "certificate look-ups rate-limited");
            return Err(ApiError::too_many_lookups(retry_after));
        }
    };
    let found = db::results::by_certificate_no(pool, &no).await?;
    // An unknown number is compared too, against values no one can give, so every failure takes
    // the same work.
    let (stored_no, holder_name) = match &found {
        Some((result, _, name)) => (
            result.certificate_no.clone().unwrap_or_default(),
            name.clone(),
        ),
        None => (format!("unknown|{no}"), String::new()),
    };
    let matches = match &proof {
        Proof::Check(check) => same_check(&state.tickets.certificate_check(&stored_no), check),
        Proof::Name(name) => state.tickets.same_name(&holder_name, name) & found.is_some(),
    };
    let Some((result, plan_id, holder_name)) = found.filter(|_| matches) else {
        tracing::info!(%addr, "certificate look-up failed");
        return Ok(neutral());
    };
    let plan = db::plans::get(pool, &plan_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    // Not a certificate yet while its result is being scored (or if it was not passed).
    let plan_state = plan.state_at(state.now());
    if !plan_state.results_visible() || !result.passed() {
        tracing::info!(%addr, "certificate look-up of an unpublished result");
        return Ok(neutral());
    }
    let mut conn = pool.acquire().await.map_err(DbError::from)?;
    let (certificate_name, org_name) = db::catalog::names(&mut conn, &plan.certificate_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    limits.succeeded(&state.db, attempt).await?;
    // In public notice (公示) the result may still change: not valid yet, and said so.
    let final_ = plan_state == PlanState::Ended;
    // A genuine certificate answers every field.
    Ok(Json(CertificateVerification {
        valid: final_,
        status: Some(if final_ {
            CertificateStatus::Valid
        } else {
            CertificateStatus::PublicNotice
        }),
        certificate_no: Some(stored_no),
        holder: Some(mask_name(&holder_name)),
        certificate_id: Some(plan.certificate_id),
        certificate_name: Some(certificate_name),
        level: Some(plan.level),
        issued_on: result.issued_on,
        org_name: Some(org_name),
    }))
}
