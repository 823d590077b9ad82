//! Registrations (报名). Certificate, level and exam times come from the plan by a join, so a plan
//! moved by its administrator moves its registrations' times too (and the clash rule sees them).

use chrono::{DateTime, Utc};
use kaozheng_core::model::{FeeDecision, FeeReason, Payer, Registration, RegistrationStatus};
use sqlx::{Any, Executor};

use super::catalog::level_from_code;
use super::{DbError, DbResult, to_time, to_u32};

const SELECT: &str = "SELECT r.id, r.client_id, r.plan_id, p.certificate_id, p.level, r.status, \
     r.ticket_no, r.fee_fen, r.student_pays_fen, r.payer, r.fee_reason, p.exam_starts_at, \
     p.exam_ends_at, r.created_at, r.cancelled_at, r.student_no, r.fee_policy, r.fee_paid_at \
     FROM registrations r JOIN exam_plans p ON p.id = r.plan_id";

/// A row of [`SELECT`]: the registration with its plan's certificate, level and exam times.
#[derive(sqlx::FromRow)]
struct RegistrationRow {
    id: String,
    client_id: String,
    plan_id: String,
    certificate_id: String,
    level: i64,
    status: String,
    ticket_no: String,
    fee_fen: i64,
    student_pays_fen: i64,
    payer: String,
    fee_reason: String,
    exam_starts_at: i64,
    exam_ends_at: i64,
    created_at: i64,
    cancelled_at: Option<i64>,
    student_no: String,
    fee_policy: Option<String>,
    fee_paid_at: Option<i64>,
}

impl TryFrom<RegistrationRow> for Registration {
    type Error = DbError;

    fn try_from(r: RegistrationRow) -> DbResult<Registration> {
        Ok(Registration {
            level: level_from_code(r.level)?,
            status: RegistrationStatus::parse(&r.status)
                .ok_or_else(|| DbError::Corrupt(format!("status = {:?}", r.status)))?,
            // Not stored: the API computes it from the server secret (see crate::tickets).
            ticket_check: String::new(),
            fee: FeeDecision {
                fee_fen: to_u32(r.fee_fen, "fee_fen")?,
                student_pays_fen: to_u32(r.student_pays_fen, "student_pays_fen")?,
                payer: Payer::parse(&r.payer)
                    .ok_or_else(|| DbError::Corrupt(format!("payer = {:?}", r.payer)))?,
                reason: FeeReason::parse(&r.fee_reason)
                    .ok_or_else(|| DbError::Corrupt(format!("fee_reason = {:?}", r.fee_reason)))?,
                policy: r.fee_policy,
            },
            exam_starts_at: to_time(r.exam_starts_at, "exam_starts_at")?,
            exam_ends_at: to_time(r.exam_ends_at, "exam_ends_at")?,
            created_at: to_time(r.created_at, "created_at")?,
            cancelled_at: r
                .cancelled_at
                .map(|t| to_time(t, "cancelled_at"))
                .transpose()?,
            id: r.id,
            client_id: r.client_id,
            plan_id: r.plan_id,
            certificate_id: r.certificate_id,
            ticket_no: r.ticket_no,
            fee_paid_at: r
                .fee_paid_at
                .map(|t| to_time(t, "fee_paid_at"))
                .transpose()?,
        })
    }
}

/// The student's registration made with `client_id`, if any.
pub async fn by_client_id<'e, E>(
    db: E,
    student_no: &str,
    client_id: &str,
) -> DbResult<Option<Registration>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, RegistrationRow>(&format!(
        "{SELECT} WHERE r.student_no = $1 AND r.client_id = $2"
    ))
    .bind(student_no)
    .bind(client_id)
    .fetch_optional(db)
    .await?
    .map(Registration::try_from)
    .transpose()
}

/// Every registration of the student, oldest first.
pub async fn for_student<'e, E>(db: E, student_no: &str) -> DbResult<Vec<Registration>>
where
    E: Executor<'e, Database = Any>,
{
    let mut regs =
        sqlx::query_as::<_, RegistrationRow>(&format!("{SELECT} WHERE r.student_no = $1"))
            .bind(student_no)
            .fetch_all(db)
            .await?
            .into_iter()
            .map(Registration::try_from)
            .collect::<DbResult<Vec<_>>>()?;
    regs.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(regs)
}

/// The registration `id` if it belongs to the student; another student's is `None`, exactly like
/// one that does not exist.
pub async fn get_for_student<'e, E>(
    db: E,
    id: &str,
    student_no: &str,
) -> DbResult<Option<Registration>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, RegistrationRow>(&format!("{SELECT} WHERE r.id = $1 AND r.student_no = $2"))
        .bind(id)
        .bind(student_no)
        .fetch_optional(db)
        .await?
        .map(Registration::try_from)
        .transpose()
}

/// The registration holding a ticket number, with its student.
pub async fn by_ticket<'e, E>(db: E, ticket_no: &str) -> DbResult<Option<(Registration, String)>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, RegistrationRow>(&format!("{SELECT} WHERE r.ticket_no = $1"))
        .bind(ticket_no)
        .fetch_optional(db)
        .await?
        .map(|r| {
            let student_no = r.student_no.clone();
            Ok((Registration::try_from(r)?, student_no))
        })
        .transpose()
}

/// Records when the student paid (none: takes a payment recorded by mistake back).
pub async fn set_paid<'e, E>(db: E, id: &str, paid_at: Option<DateTime<Utc>>) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE registrations SET fee_paid_at = $2 WHERE id = $1")
        .bind(id)
        .bind(paid_at.map(|t| t.timestamp()))
        .execute(db)
        .await?;
    Ok(())
}

/// Stores a new registration of `student_no`.
pub async fn insert<'e, E>(db: E, student_no: &str, reg: &Registration) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO registrations (id, student_no, client_id, plan_id, status, ticket_no, \
         fee_fen, student_pays_fen, payer, fee_reason, created_at, cancelled_at, fee_policy, \
         fee_paid_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&reg.id)
    .bind(student_no)
    .bind(&reg.client_id)
    .bind(&reg.plan_id)
    .bind(reg.status.as_str())
    .bind(&reg.ticket_no)
    .bind(i64::from(reg.fee.fee_fen))
    .bind(i64::from(reg.fee.student_pays_fen))
    .bind(reg.fee.payer.as_str())
    .bind(reg.fee.reason.as_str())
    .bind(reg.created_at.timestamp())
    .bind(reg.cancelled_at.map(|t| t.timestamp()))
    .bind(reg.fee.policy.as_deref())
    .bind(reg.fee_paid_at.map(|t| t.timestamp()))
    .execute(db)
    .await?;
    Ok(())
}

/// Marks a confirmed registration cancelled; false when it was not confirmed.
pub async fn cancel<'e, E>(db: E, id: &str, now: i64) -> DbResult<bool>
where
    E: Executor<'e, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE registrations SET status = 'cancelled', cancelled_at = $2 \
         WHERE id = $1 AND status = 'confirmed'",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves the creation and cancellation times of registrations on plans matching the LIKE
/// `plan_pattern` by `seconds` (demo re-timing, together with their plans).
pub async fn shift_times<'e, E>(db: E, plan_pattern: &str, seconds: i64) -> DbResult<u64>
where
    E: Executor<'e, Database = Any>,
{
    Ok(sqlx::query(
        "UPDATE registrations SET created_at = created_at + $2, \
         cancelled_at = cancelled_at + $2 WHERE plan_id LIKE $1",
    )
    .bind(plan_pattern)
    .bind(seconds)
    .execute(db)
    .await?
    .rows_affected())
}
