//! `GET /api/v1/tickets/verify?ticket_no=&check=`: an exam site checks a scanned admission ticket
//! (see [`crate::tickets`]). Public, so it says as little as it can: a matching pair gets the exam
//! and the holder's masked name; an unknown number and a wrong check get the same `{"valid":
//! false}`, in time independent of which, so numbers cannot be enumerated. Failed checks are
//! rate-limited per client address.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use kaozheng_api::verify::{TicketQuery, TicketVerification, VerifiedTicket};

use crate::auth::ClientAddr;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::tickets::{mask_name, same_check};

/// Longest ticket number and check accepted (real ones have 15 and 10 characters).
pub const MAX_PARAM: usize = 64;

fn invalid_query(message: String) -> ApiError {
    ApiError::bad_request(
        "invalid_query",
        message,
        "查询参数格式错误：需要准考证号和校验码",
    )
}

/// The parameter's value: present, 1 to [`MAX_PARAM`] characters.
fn required(value: Option<String>, name: &str) -> Result<String, ApiError> {
    match value {
        Some(v) if !v.is_empty() && v.chars().count() <= MAX_PARAM => Ok(v),
        _ => Err(invalid_query(format!(
            "{name} is required, with 1 to {MAX_PARAM} characters"
        ))),
    }
}

pub async fn verify(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    query: Result<Query<TicketQuery>, QueryRejection>,
) -> Result<Json<TicketVerification>, ApiError> {
    let Query(q) = query.map_err(|e| {
        invalid_query(format!(
            "the query string could not be read: {}",
            e.body_text()
        ))
    })?;
    let ticket_no = required(q.ticket_no, "ticket_no")?;
    let check = required(q.check, "check")?;
    let pool = &state.db.pool;
    let limits = state.auth.check_limits;
    let attempt = match limits
        .attempt(&state.db, &addr, state.now().timestamp())
        .await?
    {
        Ok(a) => a,
        Err(retry_after) => {
            tracing::warn!(%addr, "ticket checks rate-limited");
            return Err(ApiError::too_many_checks(retry_after));
        }
    };
    let found = db::registrations::by_ticket(pool, &ticket_no).await?;
    // An unknown number is compared against a check too, so both failures take the same work.
    let (expected, reg) = match found {
        Some((reg, student_no)) => (
            state
                .tickets
                .check(&reg.ticket_no, &student_no, &reg.plan_id),
            Some((reg, student_no)),
        ),
        None => (state.tickets.check(&ticket_no, "", ""), None),
    };
    let matches = same_check(&expected, &check);
    let Some((reg, student_no)) = reg.filter(|_| matches) else {
        tracing::info!(%addr, "ticket check failed");
        return Ok(Json(TicketVerification {
            valid: false,
            ticket: None,
        }));
    };
    let plan = db::plans::get(pool, &reg.plan_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    let holder = db::students::get(pool, &student_no)
        .await?
        .map(|s| mask_name(&s.name))
        .ok_or_else(ApiError::internal)?;
    limits.succeeded(&state.db, attempt).await?;
    Ok(Json(TicketVerification {
        valid: true,
        ticket: Some(VerifiedTicket {
            ticket_no: reg.ticket_no,
            certificate_id: reg.certificate_id,
            level: reg.level,
            plan_id: plan.id,
            plan_name: plan.name,
            exam_starts_at: reg.exam_starts_at,
            site_id: plan.site_id,
            holder,
            status: reg.status,
        }),
    }))
}
