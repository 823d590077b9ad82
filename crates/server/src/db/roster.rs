//! The registrations of a roster (考生名单): one row per registration with its student, plan, site
//! and any stored result, in one statement.

use chrono::{DateTime, NaiveDate, Utc};
use kaozheng_core::model::{FeeReason, ModuleResult, Payer, RegistrationStatus};
use kaozheng_core::{SchoolLevel, XLevel};
use sqlx::{Any, Executor};

use super::catalog::level_from_code;
use super::students::school_level_from_name;
use super::{DbError, DbResult, to_date, to_json, to_time, to_u32};

/// Which registrations; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterFilter {
    pub plan_id: Option<String>,
    pub site_id: Option<String>,
    /// An exam session: plans whose exam starts at this instant (epoch seconds).
    pub exam_starts_at: Option<i64>,
    /// Only students of this school (a school's staff); `None` for the province.
    pub school: Option<String>,
    /// Cancelled registrations too.
    pub include_cancelled: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RosterRow {
    pub registration_id: String,
    pub ticket_no: String,
    pub student_no: String,
    pub name: String,
    pub school: String,
    pub school_level: SchoolLevel,
    pub certificate_id: String,
    /// `None` when the catalog no longer has the certificate.
    pub certificate_name: Option<String>,
    pub level: XLevel,
    pub plan_id: String,
    pub plan_name: String,
    pub site_id: String,
    pub site_name: Option<String>,
    pub exam_starts_at: DateTime<Utc>,
    pub exam_ends_at: DateTime<Utc>,
    pub fee_fen: u32,
    pub student_pays_fen: u32,
    pub payer: Payer,
    pub fee_reason: FeeReason,
    pub registered_at: DateTime<Utc>,
    pub status: RegistrationStatus,
    /// The stored result, if any: `(modules, certificate_no, issued_on)`.
    pub result: Option<(Vec<ModuleResult>, Option<String>, Option<NaiveDate>)>,
}

const SELECT: &str = "SELECT r.id AS registration_id, r.ticket_no, r.student_no, s.name, s.school, \
     s.school_level, p.certificate_id, c.name AS certificate_name, p.level, p.id AS plan_id, \
     p.name AS plan_name, p.site_id, si.name AS site_name, p.exam_starts_at, p.exam_ends_at, \
     r.fee_fen, r.student_pays_fen, r.payer, r.fee_reason, r.created_at, r.status, res.modules, \
     res.certificate_no, res.issued_on \
     FROM registrations r JOIN students s ON s.student_no = r.student_no \
     JOIN exam_plans p ON p.id = r.plan_id \
     LEFT JOIN sites si ON si.id = p.site_id \
     LEFT JOIN certificates c ON c.id = p.certificate_id \
     LEFT JOIN results res ON res.registration_id = r.id";

fn corrupt(what: &str, v: &str) -> DbError {
    DbError::Corrupt(format!("{what} = {v:?}"))
}

/// A row of [`SELECT`].
#[derive(sqlx::FromRow)]
struct RosterDbRow {
    registration_id: String,
    ticket_no: String,
    student_no: String,
    name: String,
    school: String,
    school_level: String,
    certificate_id: String,
    certificate_name: Option<String>,
    level: i64,
    plan_id: String,
    plan_name: String,
    site_id: String,
    site_name: Option<String>,
    exam_starts_at: i64,
    exam_ends_at: i64,
    fee_fen: i64,
    student_pays_fen: i64,
    payer: String,
    fee_reason: String,
    created_at: i64,
    status: String,
    modules: Option<String>,
    certificate_no: Option<String>,
    issued_on: Option<String>,
}

impl TryFrom<RosterDbRow> for RosterRow {
    type Error = DbError;

    fn try_from(r: RosterDbRow) -> DbResult<RosterRow> {
        let result = match r.modules {
            None => None,
            Some(m) => {
                let modules: Vec<ModuleResult> = to_json(&m, "result modules")?;
                let issued_on = to_date(r.issued_on, "issued_on")?;
                Some((modules, r.certificate_no, issued_on))
            }
        };
        Ok(RosterRow {
            school_level: school_level_from_name(&r.school_level)
                .ok_or_else(|| corrupt("school_level", &r.school_level))?,
            level: level_from_code(r.level)?,
            exam_starts_at: to_time(r.exam_starts_at, "exam_starts_at")?,
            exam_ends_at: to_time(r.exam_ends_at, "exam_ends_at")?,
            fee_fen: to_u32(r.fee_fen, "fee_fen")?,
            student_pays_fen: to_u32(r.student_pays_fen, "student_pays_fen")?,
            payer: Payer::parse(&r.payer).ok_or_else(|| corrupt("payer", &r.payer))?,
            fee_reason: FeeReason::parse(&r.fee_reason)
                .ok_or_else(|| corrupt("fee_reason", &r.fee_reason))?,
            registered_at: to_time(r.created_at, "created_at")?,
            status: RegistrationStatus::parse(&r.status)
                .ok_or_else(|| corrupt("status", &r.status))?,
            result,
            registration_id: r.registration_id,
            ticket_no: r.ticket_no,
            student_no: r.student_no,
            name: r.name,
            school: r.school,
            certificate_id: r.certificate_id,
            certificate_name: r.certificate_name,
            plan_id: r.plan_id,
            plan_name: r.plan_name,
            site_id: r.site_id,
            site_name: r.site_name,
        })
    }
}

/// Registrations awaiting results on one plan.
#[derive(sqlx::FromRow)]
struct AwaitingRow {
    plan_id: String,
    awaiting: i64,
}

/// The roster's rows, by exam time, plan and ticket number (sorted here, not by the database's
/// collation, so SQLite and PostgreSQL agree).
pub async fn rows<'e, E>(db: E, filter: &RosterFilter) -> DbResult<Vec<RosterRow>>
where
    E: Executor<'e, Database = Any>,
{
    // Parameters are numbered by hand: sqlx's QueryBuilder writes `?` for Any.
    let mut conditions = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if filter.plan_id.is_some() {
        conditions.push(format!("r.plan_id = {}", next()));
    }
    if filter.site_id.is_some() {
        conditions.push(format!("p.site_id = {}", next()));
    }
    if filter.exam_starts_at.is_some() {
        conditions.push(format!("p.exam_starts_at = {}", next()));
    }
    if filter.school.is_some() {
        conditions.push(format!("s.school = {}", next()));
    }
    if !filter.include_cancelled {
        conditions.push("r.status = 'confirmed'".to_string());
    }
    let mut sql = SELECT.to_string();
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    let mut q = sqlx::query_as::<_, RosterDbRow>(&sql);
    for v in [&filter.plan_id, &filter.site_id].into_iter().flatten() {
        q = q.bind(v.as_str());
    }
    if let Some(t) = filter.exam_starts_at {
        q = q.bind(t);
    }
    if let Some(s) = &filter.school {
        q = q.bind(s.as_str());
    }
    let mut rows = q
        .fetch_all(db)
        .await?
        .into_iter()
        .map(RosterRow::try_from)
        .collect::<DbResult<Vec<_>>>()?;
    rows.sort_by(|a, b| {
        (a.exam_starts_at, &a.plan_id, &a.ticket_no).cmp(&(
            b.exam_starts_at,
            &b.plan_id,
            &b.ticket_no,
        ))
    });
    Ok(rows)
}

/// Per plan: confirmed registrations whose exam has started and that have no result yet (results
/// still owed), of one school's students when `school` is given.
pub async fn awaiting_results<'e, E>(
    db: E,
    now: i64,
    school: Option<&str>,
) -> DbResult<std::collections::HashMap<String, i64>>
where
    E: Executor<'e, Database = Any>,
{
    let mut sql = String::from(
        "SELECT r.plan_id, COUNT(*) AS awaiting FROM registrations r \
         JOIN exam_plans p ON p.id = r.plan_id \
         JOIN students s ON s.student_no = r.student_no \
         LEFT JOIN results res ON res.registration_id = r.id \
         WHERE r.status = 'confirmed' AND res.registration_id IS NULL AND p.exam_starts_at <= $1",
    );
    if school.is_some() {
        sql.push_str(" AND s.school = $2");
    }
    sql.push_str(" GROUP BY r.plan_id");
    let mut q = sqlx::query_as::<_, AwaitingRow>(&sql).bind(now);
    if let Some(s) = school {
        q = q.bind(s);
    }
    Ok(q.fetch_all(db)
        .await?
        .into_iter()
        .map(|r| (r.plan_id, r.awaiting))
        .collect())
}

/// Plans where a student of `school` holds a registration (any status).
pub async fn plans_of_school<'e, E>(
    db: E,
    school: &str,
) -> DbResult<std::collections::HashSet<String>>
where
    E: Executor<'e, Database = Any>,
{
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT r.plan_id FROM registrations r \
         JOIN students s ON s.student_no = r.student_no WHERE s.school = $1",
    )
    .bind(school)
    .fetch_all(db)
    .await?
    .into_iter()
    .collect())
}
