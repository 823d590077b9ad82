//! What a school's staff (and the province) do between imports, shared by the admin API and the
//! staff page: list the plans in reach with their counts, move a plan along its lifecycle with the
//! core's rules, and read a roster.

use chrono::{DateTime, Utc};
use kaozheng_api::staff::StaffPlan;
use kaozheng_core::PlanPhase;
use kaozheng_core::model::{MoveRefusal, PhaseMove};

use crate::auth::staff::{Scope, out_of_scope};
use crate::db::roster::{RosterFilter, RosterRow};
use crate::db::{self, Db, plans::PlanFilter};
use crate::error::ApiError;
use crate::state::AppState;

/// The plans a caller deals with, by exam time: every plan for the province; for a school's
/// staff, the plans at their school's sites (which they manage) and the plans elsewhere their
/// students registered for (whose rosters and results are theirs).
pub async fn plans(state: &AppState, scope: &Scope) -> Result<Vec<StaffPlan>, ApiError> {
    let now = state.now();
    let pool = &state.db.pool;
    let schools = db::staff::site_schools(pool).await?;
    let awaiting = db::roster::awaiting_results(pool, now.timestamp(), scope.school()).await?;
    let registered = match scope.school() {
        Some(school) => db::roster::plans_of_school(pool, school).await?,
        None => Default::default(),
    };
    let plans = db::plans::list(pool, &PlanFilter::default()).await?;
    Ok(plans
        .into_iter()
        .filter_map(|plan| {
            let site_school = schools.get(&plan.site_id).cloned();
            let managed = scope.covers_site(site_school.as_deref());
            if !managed && !registered.contains(&plan.id) {
                return None;
            }
            Some(StaffPlan {
                state: plan.state_at(now),
                seats_taken: plan.capacity - plan.seats_left,
                awaiting_results: awaiting
                    .get(&plan.id)
                    .map_or(0, |n| u32::try_from(*n).unwrap_or(u32::MAX)),
                managed,
                moves: if managed {
                    plan.moves_at(now)
                } else {
                    Vec::new()
                },
                site_school,
                plan,
            })
        })
        .collect())
}

fn plan_not_found(id: &str) -> ApiError {
    ApiError::not_found(
        "plan_not_found",
        format!("there is no exam plan {id:?}"),
        "考核计划不存在",
    )
}

/// The message of a refused move.
fn refused(m: PhaseMove, r: MoveRefusal) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::CONFLICT,
        "phase_move_refused",
        crate::text::move_refusal_en(m, r),
        crate::text::move_refusal_zh(r),
    )
}

/// Makes `m` on plan `id` at the server's now, if the plan is in reach and in the state the move
/// starts from. The write only lands if the plan is still as read, so two staff moving one plan at
/// once make one move, and the other is told.
pub async fn move_plan(
    db: &Db,
    now: DateTime<Utc>,
    scope: &Scope,
    who: &str,
    id: &str,
    m: PhaseMove,
) -> Result<StaffPlan, ApiError> {
    let pool = &db.pool;
    let plan = db::plans::get(pool, id)
        .await?
        .ok_or_else(|| plan_not_found(id))?;
    let schools = db::staff::site_schools(pool).await?;
    let site_school = schools.get(&plan.site_id).cloned();
    if !scope.covers_site(site_school.as_deref()) {
        return Err(out_of_scope(
            "this plan is held at another school's exam site",
            "该考核计划不在本校考点",
        ));
    }
    let next = plan.apply_move(m, now).map_err(|r| refused(m, r))?;
    if !db::staff::move_plan_if_unchanged(pool, &plan, &next).await? {
        let current = db::plans::get(pool, id)
            .await?
            .ok_or_else(|| plan_not_found(id))?;
        return Err(refused(
            m,
            MoveRefusal::WrongState {
                state: current.state_at(now),
                needs: m.from_state(),
            },
        ));
    }
    tracing::info!(
        staff = %who,
        scope = %scope.describe(),
        plan = %id,
        r#move = m.as_str(),
        from = plan.state_at(now).as_str(),
        to = next.state_at(now).as_str(),
        "plan moved"
    );
    if next.phase == PlanPhase::Publicized {
        tracing::info!(plan = %id, "results in public notice: students see them now");
    }
    let awaiting = db::roster::awaiting_results(pool, now.timestamp(), scope.school()).await?;
    Ok(StaffPlan {
        state: next.state_at(now),
        seats_taken: next.capacity - next.seats_left,
        awaiting_results: awaiting
            .get(&next.id)
            .map_or(0, |n| u32::try_from(*n).unwrap_or(u32::MAX)),
        managed: true,
        moves: next.moves_at(now),
        site_school,
        plan: next,
    })
}

/// A roster's rows: for a school's staff, their own students only (personal data goes to the
/// student's school alone, whoever runs the site).
pub async fn roster(
    db: &Db,
    scope: &Scope,
    mut filter: RosterFilter,
) -> Result<Vec<RosterRow>, ApiError> {
    if let Some(id) = &filter.plan_id
        && db::plans::get(&db.pool, id).await?.is_none()
    {
        return Err(plan_not_found(id));
    }
    filter.school = scope.school().map(str::to_string);
    Ok(db::roster::rows(&db.pool, &filter).await?)
}

/// The download name of a roster: `roster-<plan or site>.<ext>` (ids are ASCII by the imports'
/// rules), else `roster.<ext>`.
pub fn roster_file_name(filter: &RosterFilter, ext: &str) -> String {
    match filter.plan_id.as_deref().or(filter.site_id.as_deref()) {
        Some(id)
            if id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) =>
        {
            format!("roster-{id}.{ext}")
        }
        _ => format!("roster.{ext}"),
    }
}
