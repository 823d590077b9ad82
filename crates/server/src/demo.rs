//! The demo school, written by `serve --demo` only: exam sites and plans in every lifecycle state
//! ([`plans`]), and students of every school level with registrations and published results
//! ([`people`]). Plain `serve` writes none of it.
//!
//! Keeping it current: the demo is timed for the moment it was first seeded (meta
//! `demo_seeded_at`). Every later `--demo` start moves every demo plan, its registrations and its
//! results' issue dates by the whole days (UTC+8) since then, and renames plans for their new exam
//! month, and moves the demo accounts' graduation days alike. Whole days keep every plan in the
//! state it was made for, with exams at their usual hours; only the one plan "being examined"
//! depends on the hour of the start. Registrations and feedback made in the demo are kept.

pub mod people;
pub mod plans;
pub mod staff;

use chrono::{DateTime, Duration, Utc};
use kaozheng_core::time;
use sqlx::AnyConnection;

use crate::auth::password::Passwords;
use crate::db::{self, DbError, DbResult, meta};

/// The password of every demo student (printed at start-up in demo mode, and in the README).
pub const PASSWORD: &str = "kaozheng-demo";

/// Ids of demo plans, as a LIKE pattern.
pub const PLAN_PATTERN: &str = "demo-%";

/// Set once the demo students were written.
pub const PEOPLE_SEEDED_AT: &str = "demo_people_seeded_at";

/// Set once graduation days, raters and feedback were written (on its own, so a demo seeded before
/// they existed gets them at its next start).
pub const FEEDBACK_SEEDED_AT: &str = "demo_feedback_seeded_at";

/// What a `--demo` start did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoReport {
    pub sites: usize,
    pub plans: usize,
    pub students: usize,
    pub registrations: usize,
    pub results: usize,
    pub feedback: usize,
    /// Demo staff accounts written.
    pub staff: usize,
    /// Whole days the existing demo was moved forward (0 when just seeded or already current).
    pub shifted_days: i64,
}

/// Seeds what is missing of the demo, or moves an existing demo to `now`.
pub async fn seed(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    passwords: &Passwords,
) -> DbResult<DemoReport> {
    let mut report = DemoReport::default();
    if meta::claim(
        &mut *conn,
        meta::DEMO_SEEDED_AT,
        &now.timestamp().to_string(),
    )
    .await?
    {
        let site_count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sites")
            .fetch_one(&mut *conn)
            .await?;
        let plan_count = db::plans::count(&mut *conn).await?;
        if site_count == 0 && plan_count == 0 {
            // The plans refer to the catalog now stored.
            let stored = db::catalog::load_in(conn)
                .await?
                .ok_or_else(|| DbError::Corrupt("no catalog after seeding it".into()))?;
            let sites = plans::demo_sites_list();
            for s in &sites {
                db::sites::insert(&mut *conn, s).await?;
            }
            let demo_plans = plans::demo_plans(&stored, &sites, now);
            for p in &demo_plans {
                db::plans::insert(&mut *conn, p).await?;
            }
            report.sites = sites.len();
            report.plans = demo_plans.len();
        }
    } else {
        report.shifted_days = refresh(conn, now).await?;
    }
    if meta::claim(&mut *conn, PEOPLE_SEEDED_AT, &now.timestamp().to_string()).await? {
        let people = people::seed(conn, now, passwords).await?;
        report.students = people.students;
        report.registrations = people.registrations;
        report.results = people.results;
    }
    if meta::claim(&mut *conn, FEEDBACK_SEEDED_AT, &now.timestamp().to_string()).await? {
        let extras = people::seed_feedback_and_graduation(conn, now, passwords).await?;
        report.students += extras.students;
        report.registrations += extras.registrations;
        report.results += extras.results;
        report.feedback = extras.feedback;
    }
    if meta::claim(
        &mut *conn,
        staff::STAFF_SEEDED_AT,
        &now.timestamp().to_string(),
    )
    .await?
    {
        report.staff = staff::seed(conn, now, passwords).await?;
    }
    Ok(report)
}

/// Moves the demo by the whole days since it was last timed; returns the days moved.
pub async fn refresh(conn: &mut AnyConnection, now: DateTime<Utc>) -> DbResult<i64> {
    let Some(anchor) = meta::get(&mut *conn, meta::DEMO_SEEDED_AT).await? else {
        return Ok(0);
    };
    let anchor: i64 = anchor
        .parse()
        .map_err(|_| DbError::Corrupt(format!("{} = {anchor:?}", meta::DEMO_SEEDED_AT)))?;
    let anchor = db::to_time(anchor, meta::DEMO_SEEDED_AT)?;
    let days = (time::to_china(now).date_naive() - time::to_china(anchor).date_naive()).num_days();
    if days == 0 {
        return Ok(0);
    }
    let shift = Duration::days(days);
    let all = db::plans::list(&mut *conn, &db::plans::PlanFilter::default()).await?;
    for mut plan in all.into_iter().filter(|p| p.id.starts_with("demo-")) {
        plan.window_opens_at += shift;
        plan.window_closes_at += shift;
        plan.exam_starts_at += shift;
        plan.exam_ends_at += shift;
        plan.name = plans::with_exam_month(&plan.name, plan.exam_starts_at);
        db::plans::update(&mut *conn, &plan).await?;
    }
    db::registrations::shift_times(&mut *conn, PLAN_PATTERN, shift.num_seconds()).await?;
    for r in db::results::on_plans(&mut *conn, PLAN_PATTERN).await? {
        if let Some(d) = r.issued_on {
            db::results::set_issued_on(&mut *conn, &r.registration_id, Some(d + shift)).await?;
        }
    }
    // Graduation days keep their distance too, so the countdown looks the same on every start.
    for a in &people::ACCOUNTS {
        if let Some(d) = db::students::get(&mut *conn, a.student_no)
            .await?
            .and_then(|s| s.graduation_on)
        {
            db::students::set_graduation_on(&mut *conn, a.student_no, Some(d + shift)).await?;
        }
    }
    meta::set(
        &mut *conn,
        meta::DEMO_SEEDED_AT,
        &(anchor + shift).timestamp().to_string(),
    )
    .await?;
    Ok(days)
}
