//! Exam plans (考核计划). The table keeps `seats_taken`; the API's `seats_left` is derived, so the
//! one number registrations change is updated in a single guarded statement ([`take_seat`]).

use kaozheng_core::{ExamPlan, FeePayment, PayMethod, PlanPhase, XLevel};
use sqlx::{Any, Executor};

use super::catalog::level_from_code;
use super::{DbError, DbResult, to_time, to_u32};

/// Which plans to list; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanFilter {
    pub certificate_id: Option<String>,
    pub level: Option<XLevel>,
    pub province: Option<String>,
}

pub fn phase_name(p: PlanPhase) -> &'static str {
    match p {
        PlanPhase::Draft => "draft",
        PlanPhase::Published => "published",
        PlanPhase::Scoring => "scoring",
        PlanPhase::Publicized => "publicized",
        PlanPhase::Ended => "ended",
    }
}

fn phase_from_name(s: &str) -> DbResult<PlanPhase> {
    [
        PlanPhase::Draft,
        PlanPhase::Published,
        PlanPhase::Scoring,
        PlanPhase::Publicized,
        PlanPhase::Ended,
    ]
    .into_iter()
    .find(|p| phase_name(*p) == s)
    .ok_or_else(|| DbError::Corrupt(format!("phase = {s:?}")))
}

/// The most seats a plan may have: ticket numbers give the per-plan sequence six digits.
pub const MAX_CAPACITY: u32 = 999_999;

/// Stores a new plan with the next free plan number; its `seats_left` becomes
/// `seats_taken = capacity - seats_left` (demo plans start partly booked by other schools).
pub async fn insert<'e, E>(db: E, plan: &ExamPlan) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    let taken = i64::from(plan.capacity) - i64::from(plan.seats_left);
    if taken < 0 {
        return Err(DbError::Rejected(format!(
            "plan {}: seats_left {} exceeds capacity {}",
            plan.id, plan.seats_left, plan.capacity
        )));
    }
    sqlx::query(
        "INSERT INTO exam_plans (id, name, certificate_id, level, province, site_id, phase, \
         window_opens_at, window_closes_at, exam_starts_at, exam_ends_at, capacity, seats_taken, \
         fee_fen, pay_method, pay_place, pay_due_at, plan_no) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         (SELECT COALESCE(MAX(plan_no), 0) + 1 FROM exam_plans))",
    )
    .bind(&plan.id)
    .bind(&plan.name)
    .bind(&plan.certificate_id)
    .bind(i64::from(plan.level.code()))
    .bind(&plan.province)
    .bind(&plan.site_id)
    .bind(phase_name(plan.phase))
    .bind(plan.window_opens_at.timestamp())
    .bind(plan.window_closes_at.timestamp())
    .bind(plan.exam_starts_at.timestamp())
    .bind(plan.exam_ends_at.timestamp())
    .bind(i64::from(plan.capacity))
    .bind(taken)
    .bind(i64::from(plan.fee_fen))
    .bind(pay_method(plan))
    .bind(plan.payment.as_ref().and_then(|p| p.place.clone()))
    .bind(pay_due_at(plan))
    .execute(db)
    .await?;
    Ok(())
}

/// Rewrites what an administrator sets on a stored plan; seats taken, the plan number and the
/// ticket sequence stay (they are the server's).
pub async fn update<'e, E>(db: E, plan: &ExamPlan) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "UPDATE exam_plans SET name = $2, certificate_id = $3, level = $4, province = $5, \
         site_id = $6, phase = $7, window_opens_at = $8, window_closes_at = $9, \
         exam_starts_at = $10, exam_ends_at = $11, capacity = $12, fee_fen = $13, \
         pay_method = $14, pay_place = $15, pay_due_at = $16 WHERE id = $1",
    )
    .bind(&plan.id)
    .bind(&plan.name)
    .bind(&plan.certificate_id)
    .bind(i64::from(plan.level.code()))
    .bind(&plan.province)
    .bind(&plan.site_id)
    .bind(phase_name(plan.phase))
    .bind(plan.window_opens_at.timestamp())
    .bind(plan.window_closes_at.timestamp())
    .bind(plan.exam_starts_at.timestamp())
    .bind(plan.exam_ends_at.timestamp())
    .bind(i64::from(plan.capacity))
    .bind(i64::from(plan.fee_fen))
    .bind(pay_method(plan))
    .bind(plan.payment.as_ref().and_then(|p| p.place.clone()))
    .bind(pay_due_at(plan))
    .execute(db)
    .await?;
    Ok(())
}

fn pay_method(plan: &ExamPlan) -> Option<&'static str> {
    plan.payment.as_ref().map(|p| p.method.as_str())
}

fn pay_due_at(plan: &ExamPlan) -> Option<i64> {
    plan.payment
        .as_ref()
        .and_then(|p| p.due_at)
        .map(|t| t.timestamp())
}

const COLUMNS: &str = "id, name, certificate_id, level, province, site_id, phase, window_opens_at, \
     window_closes_at, exam_starts_at, exam_ends_at, capacity, seats_taken, fee_fen, pay_method, \
     pay_place, pay_due_at";

/// Plans matching `filter`, by exam start time, then id (compared here, not by the database's
/// collation, so SQLite and PostgreSQL agree).
pub async fn list<'e, E>(db: E, filter: &PlanFilter) -> DbResult<Vec<ExamPlan>>
where
    E: Executor<'e, Database = Any>,
{
    // Parameters are numbered by hand: sqlx's QueryBuilder writes `?` for Any, which PostgreSQL
    // rejects.
    let mut conditions = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if filter.certificate_id.is_some() {
        conditions.push(format!("certificate_id = {}", next()));
    }
    if filter.level.is_some() {
        conditions.push(format!("level = {}", next()));
    }
    if filter.province.is_some() {
        conditions.push(format!("province = {}", next()));
    }
    let mut sql = format!("SELECT {COLUMNS} FROM exam_plans");
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }

    let mut q = sqlx::query_as::<_, PlanRow>(&sql);
    if let Some(c) = &filter.certificate_id {
        q = q.bind(c);
    }
    if let Some(l) = filter.level {
        q = q.bind(i64::from(l.code()));
    }
    if let Some(p) = &filter.province {
        q = q.bind(p);
    }
    let mut plans = q
        .fetch_all(db)
        .await?
        .into_iter()
        .map(ExamPlan::try_from)
        .collect::<DbResult<Vec<ExamPlan>>>()?;
    plans.sort_by(|a, b| (a.exam_starts_at, &a.id).cmp(&(b.exam_starts_at, &b.id)));
    Ok(plans)
}

pub async fn get<'e, E>(db: E, id: &str) -> DbResult<Option<ExamPlan>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, PlanRow>(&format!("SELECT {COLUMNS} FROM exam_plans WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .map(ExamPlan::try_from)
        .transpose()
}

/// A seat taken by [`take_seat`]: the plan's number and the ticket sequence number it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seat {
    pub plan_no: i64,
    pub seq: i64,
}

/// Takes one seat if any is left and draws the next ticket sequence number; `None` when the plan
/// is full (or unknown). One guarded statement, so two servers racing for the last seat cannot
/// both win, and the sequence never goes back (a cancelled ticket number is never reused).
pub async fn take_seat<'e, E>(db: E, id: &str) -> DbResult<Option<Seat>>
where
    E: Executor<'e, Database = Any>,
{
    let row: Option<SeatRow> = sqlx::query_as(
        "UPDATE exam_plans SET seats_taken = seats_taken + 1, tickets_issued = tickets_issued + 1 \
         WHERE id = $1 AND seats_taken < capacity RETURNING plan_no, tickets_issued",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Seat {
            plan_no: r
                .plan_no
                .ok_or_else(|| DbError::Corrupt(format!("plan {id} has no plan_no")))?,
            seq: r.tickets_issued,
        })
    })
    .transpose()
}

/// Gives a seat back (a cancelled registration); false when none was taken.
pub async fn release_seat<'e, E>(db: E, id: &str) -> DbResult<bool>
where
    E: Executor<'e, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE exam_plans SET seats_taken = seats_taken - 1 WHERE id = $1 AND seats_taken > 0",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count<'e, E>(db: E) -> DbResult<i64>
where
    E: Executor<'e, Database = Any>,
{
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM exam_plans")
        .fetch_one(db)
        .await?)
}

/// How many registrations (any status) refer to the plan.
pub async fn registration_count<'e, E>(db: E, id: &str) -> DbResult<i64>
where
    E: Executor<'e, Database = Any>,
{
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM registrations WHERE plan_id = $1")
            .bind(id)
            .fetch_one(db)
            .await?,
    )
}

/// An `exam_plans` row ([`COLUMNS`]).
#[derive(sqlx::FromRow)]
struct PlanRow {
    id: String,
    name: String,
    certificate_id: String,
    level: i64,
    province: String,
    site_id: String,
    phase: String,
    window_opens_at: i64,
    window_closes_at: i64,
    exam_starts_at: i64,
    exam_ends_at: i64,
    capacity: i64,
    seats_taken: i64,
    fee_fen: i64,
    pay_method: Option<String>,
    pay_place: Option<String>,
    pay_due_at: Option<i64>,
}

impl TryFrom<PlanRow> for ExamPlan {
    type Error = DbError;

    fn try_from(r: PlanRow) -> DbResult<ExamPlan> {
        let capacity = to_u32(r.capacity, "capacity")?;
        let taken = to_u32(r.seats_taken, "seats_taken")?;
        let payment = match r.pay_method {
            None => None,
            Some(m) => Some(FeePayment {
                method: PayMethod::parse(&m)
                    .ok_or_else(|| DbError::Corrupt(format!("pay_method = {m:?}")))?,
                place: r.pay_place,
                due_at: r.pay_due_at.map(|t| to_time(t, "pay_due_at")).transpose()?,
            }),
        };
        Ok(ExamPlan {
            level: level_from_code(r.level)?,
            phase: phase_from_name(&r.phase)?,
            window_opens_at: to_time(r.window_opens_at, "window_opens_at")?,
            window_closes_at: to_time(r.window_closes_at, "window_closes_at")?,
            exam_starts_at: to_time(r.exam_starts_at, "exam_starts_at")?,
            exam_ends_at: to_time(r.exam_ends_at, "exam_ends_at")?,
            seats_left: capacity.saturating_sub(taken),
            capacity,
            fee_fen: to_u32(r.fee_fen, "fee_fen")?,
            id: r.id,
            name: r.name,
            certificate_id: r.certificate_id,
            province: r.province,
            site_id: r.site_id,
            payment,
        })
    }
}

/// What [`take_seat`] reads back.
#[derive(sqlx::FromRow)]
struct SeatRow {
    plan_no: Option<i64>,
    tickets_issued: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_names_are_the_json_names() {
        for p in [
            PlanPhase::Draft,
            PlanPhase::Published,
            PlanPhase::Scoring,
            PlanPhase::Publicized,
            PlanPhase::Ended,
        ] {
            assert_eq!(phase_from_name(phase_name(p)).unwrap(), p);
            assert_eq!(
                serde_json::to_value(p).unwrap(),
                serde_json::Value::from(phase_name(p))
            );
        }
        assert!(phase_from_name("open").is_err());
    }
}
