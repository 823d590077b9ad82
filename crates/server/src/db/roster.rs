//! The registrations of a roster (考生名单): one row per registration with its student, plan, site
//! and any stored result, in one statement.

use chrono::{DateTime, NaiveDate, Utc};
use kaozheng_core::model::{FeeReason, ModuleResult, Payer, RegistrationStatus};
use kaozheng_core::{SchoolLevel, XLevel, time};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use super::catalog::level_from_code;
use super::students::school_level_from_name;
use super::{DbError, DbResult, to_time, to_u32};

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

const SELECT: &str = "SELECT r.id, r.ticket_no, r.student_no, s.name, s.school, s.school_level, \
     p.certificate_id, c.name, p.level, p.id, p.name, p.site_id, si.name, p.exam_starts_at, \
     p.exam_ends_at, r.fee_fen, r.student_pays_fen, r.payer, r.fee_reason, r.created_at, r.status, \
     res.modules, res.certificate_no, res.issued_on \
     FROM registrations r JOIN students s ON s.student_no = r.student_no \
     JOIN exam_plans p ON p.id = r.plan_id \
     LEFT JOIN sites si ON si.id = p.site_id \
     LEFT JOIN certificates c ON c.id = p.certificate_id \
     LEFT JOIN results res ON res.registration_id = r.id";

fn corrupt(what: &str, v: &str) -> DbError {
    DbError::Corrupt(format!("{what} = {v:?}"))
}

fn from_row(r: &AnyRow) -> DbResult<RosterRow> {
    let level_name: String = r.try_get(5)?;
    let payer: String = r.try_get(17)?;
    let reason: String = r.try_get(18)?;
    let status: String = r.try_get(20)?;
    let modules: Option<String> = r.try_get(21)?;
    let result = match modules {
        None => None,
        Some(m) => {
            let modules: Vec<ModuleResult> = serde_json::from_str(&m)
                .map_err(|e| DbError::Corrupt(format!("result modules: {e}")))?;
            let issued_on = r
                .try_get::<Option<String>, _>(23)?
                .map(|d| time::parse_date(&d).ok_or_else(|| corrupt("issued_on", &d)))
                .transpose()?;
            Some((modules, r.try_get(22)?, issued_on))
        }
    };
    Ok(RosterRow {
        registration_id: r.try_get(0)?,
        ticket_no: r.try_get(1)?,
        student_no: r.try_get(2)?,
        name: r.try_get(3)?,
        school: r.try_get(4)?,
        school_level: school_level_from_name(&level_name)
            .ok_or_else(|| corrupt("school_level", &level_name))?,
        certificate_id: r.try_get(6)?,
        certificate_name: r.try_get(7)?,
        level: level_from_code(r.try_get(8)?)?,
        plan_id: r.try_get(9)?,
        plan_name: r.try_get(10)?,
        site_id: r.try_get(11)?,
        site_name: r.try_get(12)?,
        exam_starts_at: to_time(r.try_get(13)?, "exam_starts_at")?,
        exam_ends_at: to_time(r.try_get(14)?, "exam_ends_at")?,
        fee_fen: to_u32(r.try_get(15)?, "fee_fen")?,
        student_pays_fen: to_u32(r.try_get(16)?, "student_pays_fen")?,
        payer: Payer::parse(&payer).ok_or_else(|| corrupt("payer", &payer))?,
        fee_reason: FeeReason::parse(&reason).ok_or_else(|| corrupt("fee_reason", &reason))?,
        registered_at: to_time(r.try_get(19)?, "created_at")?,
        status: RegistrationStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        result,
    })
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
    let mut q = sqlx::query(&sql);
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
        .iter()
        .map(from_row)
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
        "SELECT r.plan_id, COUNT(*) FROM registrations r \
         JOIN exam_plans p ON p.id = r.plan_id \
         JOIN students s ON s.student_no = r.student_no \
         LEFT JOIN results res ON res.registration_id = r.id \
         WHERE r.status = 'confirmed' AND res.registration_id IS NULL AND p.exam_starts_at <= $1",
    );
    if school.is_some() {
        sql.push_str(" AND s.school = $2");
    }
    sql.push_str(" GROUP BY r.plan_id");
    let mut q = sqlx::query(&sql).bind(now);
    if let Some(s) = school {
        q = q.bind(s);
    }
    q.fetch_all(db)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
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
