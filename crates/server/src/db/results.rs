//! Results (成绩), one per registration. The modules are stored as core's JSON; `passed` is derived
//! on write so the "already certified" rule reads only the plans of passed results.

use chrono::{DateTime, NaiveDate, Utc};
use kaozheng_core::XLevel;
use kaozheng_core::model::{ModuleResult, all_modules_passed};
use kaozheng_core::time;
use sqlx::{Any, AnyConnection, Executor};

use super::{DbError, DbResult, to_date, to_json};

/// A result as stored, before the plan's state decides whether the student may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResult {
    pub registration_id: String,
    pub modules: Vec<ModuleResult>,
    pub certificate_no: Option<String>,
    pub issued_on: Option<NaiveDate>,
}

impl StoredResult {
    pub fn passed(&self) -> bool {
        all_modules_passed(&self.modules)
    }
}

/// A student's result with the plan it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentResult {
    pub result: StoredResult,
    pub plan_id: String,
}

/// A `results` row: `registration_id, modules, certificate_no, issued_on`.
#[derive(sqlx::FromRow)]
struct ResultRow {
    registration_id: String,
    modules: String,
    certificate_no: Option<String>,
    issued_on: Option<String>,
}

impl TryFrom<ResultRow> for StoredResult {
    type Error = DbError;

    fn try_from(r: ResultRow) -> DbResult<StoredResult> {
        Ok(StoredResult {
            registration_id: r.registration_id,
            modules: to_json(&r.modules, "result modules")?,
            certificate_no: r.certificate_no,
            issued_on: to_date(r.issued_on, "issued_on")?,
        })
    }
}

/// A result with its plan id.
#[derive(sqlx::FromRow)]
struct ResultOnPlan {
    #[sqlx(flatten)]
    result: ResultRow,
    plan_id: String,
}

/// A result with its plan id and its holder's name.
#[derive(sqlx::FromRow)]
struct ResultOfHolder {
    #[sqlx(flatten)]
    result: ResultRow,
    plan_id: String,
    name: String,
}

pub async fn get<'e, E>(db: E, registration_id: &str) -> DbResult<Option<StoredResult>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, ResultRow>(
        "SELECT registration_id, modules, certificate_no, issued_on FROM results \
         WHERE registration_id = $1",
    )
    .bind(registration_id)
    .fetch_optional(db)
    .await?
    .map(StoredResult::try_from)
    .transpose()
}

/// Inserts or replaces the result of a registration.
pub async fn upsert<'e, E>(db: E, result: &StoredResult, now: i64) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    let modules = serde_json::to_string(&result.modules).expect("modules always serialize");
    sqlx::query(
        "INSERT INTO results (registration_id, modules, passed, certificate_no, issued_on, \
         imported_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (registration_id) DO UPDATE SET modules = excluded.modules, \
         passed = excluded.passed, certificate_no = excluded.certificate_no, \
         issued_on = excluded.issued_on, imported_at = excluded.imported_at",
    )
    .bind(&result.registration_id)
    .bind(modules)
    .bind(i64::from(result.passed()))
    .bind(result.certificate_no.as_deref())
    .bind(result.issued_on.map(time::date_text))
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Certificate levels the student holds as far as they may know at `now`: `(certificate_id,
/// level)` of every passed result whose plan shows results then (publicized or ended). A result
/// still being scored counts for nothing yet: it must not refuse a registration as already
/// certified, or convert credits, before the student could see it.
pub async fn certified(
    conn: &mut AnyConnection,
    student_no: &str,
    now: DateTime<Utc>,
) -> DbResult<Vec<(String, XLevel)>> {
    let plan_ids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT r.plan_id FROM results res \
         JOIN registrations r ON r.id = res.registration_id \
         WHERE r.student_no = $1 AND res.passed = 1",
    )
    .bind(student_no)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for id in plan_ids {
        let plan = super::plans::get(&mut *conn, &id)
            .await?
            .ok_or_else(|| DbError::Corrupt(format!("a result's plan {id:?} is missing")))?;
        if plan.state_at(now).results_visible() {
            out.push((plan.certificate_id, plan.level));
        }
    }
    Ok(out)
}

/// Every result of the student with its plan id, whatever the plan's state.
pub async fn for_student<'e, E>(db: E, student_no: &str) -> DbResult<Vec<StudentResult>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, ResultOnPlan>(
        "SELECT res.registration_id, res.modules, res.certificate_no, res.issued_on, r.plan_id \
         FROM results res JOIN registrations r ON r.id = res.registration_id \
         WHERE r.student_no = $1",
    )
    .bind(student_no)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| {
        Ok(StudentResult {
            result: r.result.try_into()?,
            plan_id: r.plan_id,
        })
    })
    .collect()
}

/// The registration holding a certificate number, if any.
pub async fn certificate_no_holder<'e, E>(db: E, certificate_no: &str) -> DbResult<Option<String>>
where
    E: Executor<'e, Database = Any>,
{
    Ok(
        sqlx::query_scalar("SELECT registration_id FROM results WHERE certificate_no = $1")
            .bind(certificate_no)
            .fetch_optional(db)
            .await?,
    )
}

/// The result holding a certificate number, with its plan id and its holder's name, in one
/// statement: a look-up costs the same whether or not the number exists.
pub async fn by_certificate_no<'e, E>(
    db: E,
    certificate_no: &str,
) -> DbResult<Option<(StoredResult, String, String)>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, ResultOfHolder>(
        "SELECT res.registration_id, res.modules, res.certificate_no, res.issued_on, r.plan_id, \
         s.name FROM results res JOIN registrations r ON r.id = res.registration_id \
         JOIN students s ON s.student_no = r.student_no WHERE res.certificate_no = $1",
    )
    .bind(certificate_no)
    .fetch_optional(db)
    .await?
    .map(|r| Ok((r.result.try_into()?, r.plan_id, r.name)))
    .transpose()
}

/// Results on plans matching the LIKE `plan_pattern` (demo re-timing moves their issue dates).
pub async fn on_plans<'e, E>(db: E, plan_pattern: &str) -> DbResult<Vec<StoredResult>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, ResultRow>(
        "SELECT res.registration_id, res.modules, res.certificate_no, res.issued_on \
         FROM results res JOIN registrations r ON r.id = res.registration_id \
         WHERE r.plan_id LIKE $1",
    )
    .bind(plan_pattern)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(StoredResult::try_from)
    .collect()
}

pub async fn set_issued_on<'e, E>(
    db: E,
    registration_id: &str,
    issued_on: Option<NaiveDate>,
) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE results SET issued_on = $2 WHERE registration_id = $1")
        .bind(registration_id)
        .bind(issued_on.map(time::date_text))
        .execute(db)
        .await?;
    Ok(())
}
