//! Registering and cancelling: the core rules decide eligibility and the fee, the database decides
//! seats. Everything for one request happens in one write transaction:
//!
//! 1. bump the student's `registration_rev` (the student's row lock on PostgreSQL, so two requests
//!    of one student cannot both pass the duplicate and clash checks);
//! 2. a stored registration with the same `client_id` answers the request (idempotency);
//! 3. [`check_registration`] with the student's registrations, the certificates whose results
//!    the student can see (a result still being scored is not yet held) and their school's cited
//!    restrictions; any refusal ends it;
//! 4. the guarded seat update (`seats_taken < capacity`), which also draws the ticket sequence;
//! 5. [`fee_for`]: the fee rules of the student's province and school in force today (UTC+8),
//!    and the insert.
//!
//! A concurrent request with the same `client_id` that loses the race hits the unique constraint,
//! rolls back (seat included) and answers with the stored registration.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use kaozheng_core::model::{Registration, RegistrationStatus};
use kaozheng_core::rules::{
    Eligibility, EligibilityRules, FeeRules, Refusal, check_registration, fee_for,
};
use kaozheng_core::{PlanState, time};
use sqlx::AnyConnection;

use crate::auth::tokens::random_id;
use crate::db::plans::Seat;
use crate::db::{self, Db, is_unique_violation};
use crate::error::ApiError;
use crate::rules;

/// The outcome of a registration request.
#[derive(Debug, Clone, PartialEq)]
pub enum Registered {
    /// Made by this request (201).
    Created(Registration),
    /// Made earlier with the same `client_id` (200, the same body).
    Existing(Registration),
}

/// 准考证号: the exam's year and month (UTC+8, 4 digits), the plan's number (5 digits, more past
/// 99999) and the plan's ticket sequence (6 digits). Digits only; unique by construction while a
/// plan's sequence stays below a million (the database's constraint holds beyond); never reused,
/// since the sequence only grows.
pub fn ticket_number(exam_starts_at: DateTime<Utc>, seat: Seat) -> String {
    let day = time::to_china(exam_starts_at);
    format!(
        "{:02}{:02}{:05}{:06}",
        chrono::Datelike::year(&day).rem_euclid(100),
        chrono::Datelike::month(&day),
        seat.plan_no,
        seat.seq
    )
}

/// Whole seconds: what the database stores, so a replayed request returns byte-identical JSON.
fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).expect("a valid instant stays valid")
}

fn plan_not_found(plan_id: &str) -> ApiError {
    ApiError::not_found(
        "plan_not_found",
        format!("there is no exam plan {plan_id:?}"),
        format!("考核计划不存在：{plan_id}"),
    )
}

enum Failure {
    Api(ApiError),
    /// Lost a race on `(student_no, client_id)`: read the winner's registration.
    Race,
}

impl<E: Into<ApiError>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Api(e.into())
    }
}

/// Registers `student_no` for `plan_id` at `now`, idempotently on `client_id`.
pub async fn register(
    db: &Db,
    now: DateTime<Utc>,
    student_no: &str,
    client_id: &str,
    plan_id: &str,
) -> Result<Registered, ApiError> {
    let now = whole_seconds(now);
    for _ in 0..3 {
        match try_register(db, now, student_no, client_id, plan_id).await {
            Ok(r) => return Ok(r),
            Err(Failure::Api(e)) => return Err(e),
            Err(Failure::Race) => continue,
        }
    }
    Err(ApiError::internal())
}

async fn try_register(
    db: &Db,
    now: DateTime<Utc>,
    student_no: &str,
    client_id: &str,
    plan_id: &str,
) -> Result<Registered, Failure> {
    let mut tx = db.begin_write().await?;
    if !db::students::lock_for_registration(&mut *tx, student_no).await? {
        return Err(Failure::Api(ApiError::unauthorized(
            "unauthorized",
            "the signed-in student no longer exists",
            "登录的学生已不存在",
        )));
    }
    if let Some(existing) = db::registrations::by_client_id(&mut *tx, student_no, client_id).await?
    {
        return if existing.plan_id == plan_id {
            Ok(Registered::Existing(existing))
        } else {
            Err(Failure::Api(ApiError::unprocessable(
                "client_id_reused",
                format!(
                    "client_id {client_id:?} was already used for plan {:?}; make a new id for a new registration",
                    existing.plan_id
                ),
                "该 client_id 已用于另一个考核计划的报名，请为新的报名生成新的 client_id",
            )))
        };
    }
    let plan = db::plans::get(&mut *tx, plan_id)
        .await?
        .ok_or_else(|| plan_not_found(plan_id))?;
    let student = db::students::get(&mut *tx, student_no)
        .await?
        .ok_or_else(ApiError::internal)?;
    let registrations = db::registrations::for_student(&mut *tx, student_no).await?;
    let certified = db::results::certified(&mut tx, student_no, now).await?;
    let restrictions = rules::load::<EligibilityRules>(&mut tx).await?;
    let mut refusals = check_registration(
        now,
        &plan,
        &Eligibility {
            student: &student,
            registrations: &registrations,
            certified: &certified,
            restrictions: restrictions.as_ref(),
        },
    );
    if plan.seats_left == 0 {
        refusals.push(Refusal::Full);
    }
    if !refusals.is_empty() {
        return Err(Failure::Api(ApiError::refused(refusals)));
    }
    let Some(seat) = db::plans::take_seat(&mut *tx, plan_id).await? else {
        return Err(Failure::Api(ApiError::refused(vec![Refusal::Full])));
    };
    let fee_rules = rules::load::<FeeRules>(&mut tx).await?;
    let registration = Registration {
        id: random_id("reg-"),
        client_id: client_id.to_string(),
        plan_id: plan.id.clone(),
        certificate_id: plan.certificate_id.clone(),
        level: plan.level,
        status: RegistrationStatus::Confirmed,
        ticket_no: ticket_number(plan.exam_starts_at, seat),
        // Computed from the secret when the API answers (see crate::tickets), never stored.
        ticket_check: String::new(),
        fee: fee_for(&plan, &student, fee_rules.as_ref(), &registrations, now),
        exam_starts_at: plan.exam_starts_at,
        exam_ends_at: plan.exam_ends_at,
        created_at: now,
        cancelled_at: None,
        fee_paid_at: None,
    };
    match db::registrations::insert(&mut *tx, student_no, &registration).await {
        Ok(()) => {}
        Err(e) if is_unique_violation(&e) => return Err(Failure::Race),
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Registered::Created(registration))
}

/// Cancels the student's registration `id` while its plan's window is open, giving the seat back
/// in the same transaction. Cancelling a cancelled registration changes nothing; another
/// student's registration is reported as not found.
pub async fn cancel(
    db: &Db,
    now: DateTime<Utc>,
    student_no: &str,
    id: &str,
) -> Result<Registration, ApiError> {
    let now = whole_seconds(now);
    let not_found = || {
        ApiError::not_found(
            "registration_not_found",
            format!("you have no registration {id:?}"),
            "没有找到该报名记录",
        )
    };
    // Ids are short printable ASCII; anything else (a NUL, which PostgreSQL cannot even compare)
    // names no registration.
    if id.len() > 128 || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(not_found());
    }
    let mut tx = db.begin_write().await?;
    db::students::lock_for_registration(&mut *tx, student_no).await?;
    let mut reg = db::registrations::get_for_student(&mut *tx, id, student_no)
        .await?
        .ok_or_else(not_found)?;
    if reg.status == RegistrationStatus::Cancelled {
        return Ok(reg);
    }
    let plan = db::plans::get(&mut *tx, &reg.plan_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    if plan.state_at(now) != PlanState::Open {
        return Err(ApiError::refused(vec![Refusal::WindowClosed {
            closed_at: plan.window_closes_at,
        }]));
    }
    release(&mut tx, &reg, now).await?;
    tx.commit().await?;
    reg.status = RegistrationStatus::Cancelled;
    reg.cancelled_at = Some(now);
    Ok(reg)
}

async fn release(
    conn: &mut AnyConnection,
    reg: &Registration,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if db::registrations::cancel(&mut *conn, &reg.id, now.timestamp()).await? {
        db::plans::release_seat(&mut *conn, &reg.plan_id).await?;
    }
    Ok(())
}

/// The HTTP status of a registration outcome.
pub fn status_of(r: &Registered) -> StatusCode {
    match r {
        Registered::Created(_) => StatusCode::CREATED,
        Registered::Existing(_) => StatusCode::OK,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn ticket_numbers_are_digits_from_month_plan_and_sequence() {
        let exam = time::china()
            .with_ymd_and_hms(2026, 12, 6, 9, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let t = ticket_number(
            exam,
            Seat {
                plan_no: 42,
                seq: 7,
            },
        );
        assert_eq!(t, "261200042000007");
        assert_eq!(t.len(), 15);
        assert!(t.bytes().all(|b| b.is_ascii_digit()));
        // Distinct plans or sequence numbers never share a number.
        assert_ne!(
            t,
            ticket_number(
                exam,
                Seat {
                    plan_no: 4,
                    seq: 2_000_007
                }
            )
        );
        assert_ne!(
            t,
            ticket_number(
                exam,
                Seat {
                    plan_no: 42,
                    seq: 8
                }
            )
        );
    }
}
