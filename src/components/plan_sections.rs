use kaozheng_core::order;
use kaozheng_core::rules::PlanMark;
use kaozheng_core::{ExamPlan, PlanState};
use leptos::prelude::*;

use crate::components::plan_card::{PlanCard, mark_for};
use crate::i18n::{tr, use_i18n};
use crate::state::catalog::use_catalog;
use crate::state::clock::use_now;
use crate::state::startup::{DRAWN, FIRST_CARD_COUNT, use_startup};

/// How many upcoming exams are listed before pointing to the catalog.
const UPCOMING: usize = 5;

/// Open registration windows (what the student can act on first, then closing soonest) and
/// upcoming exams, from the plans saved on the phone, so it answers offline too. `province`
/// narrows both to one province (the signed-in student's).
#[component]
pub fn PlanSections(#[prop(into)] province: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let st = use_catalog();
    let startup = use_startup();
    let now = use_now();

    let pick = move |states: &[PlanState]| {
        let now = now.get();
        let province = province.get();
        let mut v: Vec<ExamPlan> = st
            .plans
            .get()
            .iter()
            .filter(|p| states.contains(&p.state_at(now)))
            .filter(|p| province.as_ref().is_none_or(|pr| *pr == p.province))
            .cloned()
            .collect();
        order::sort_by_cached_key(&mut v, |p| {
            // Plans the student can act on first: open, then full (may queue), then the rest.
            let rank = match mark_for(p, now) {
                None | Some(PlanMark::Open) => 0,
                Some(PlanMark::Full) => 1,
                Some(PlanMark::Registered) => 2,
                _ => 3,
            };
            (rank, p.window_closes_at, p.exam_starts_at, p.id.clone())
        });
        v
    };
    let open = Memo::new(move |_| pick(&[PlanState::Open]));
    let upcoming = Memo::new(move |_| {
        let mut v = pick(&[PlanState::Announced, PlanState::Closed]);
        order::sort_by(&mut v, |a, b| {
            (a.exam_starts_at, &a.id).cmp(&(b.exam_starts_at, &b.id))
        });
        v.truncate(UPCOMING);
        v
    });

    let card = move |p: ExamPlan| {
        let site = st
            .sites
            .with(|s| s.iter().find(|s| s.id == p.site_id).cloned());
        let cert = st.catalog.with(|c| {
            c.as_ref()
                .and_then(|l| l.catalog.certificate(&p.certificate_id))
                .map(|c| (c.id.clone(), c.short_name().to_string()))
        });
        let now = Signal::from(now);
        match cert {
            Some(cert) => {
                view! { <PlanCard plan=p site=site now=now certificate=cert/> }.into_any()
            }
            None => view! { <PlanCard plan=p site=site now=now/> }.into_any(),
        }
    };
    let list = move |plans: Memo<Vec<ExamPlan>>, none: fn() -> &'static str| {
        move || {
            if !st.plans_known.get() {
                if !st.local_read_done.get() || st.syncing.get() {
                    // Room for the cards that are on their way, so the sections below do not
                    // jump down when they arrive (the page's largest layout shift).
                    return view! {
                        <div class="plan-list plans-loading" aria-hidden="true" data-testid="plans-loading">
                            <span></span>
                            <span></span>
                        </div>
                    }
                    .into_any();
                }
                return view! { <p class="empty">{t().plans_not_synced}</p> }.into_any();
            }
            let mut plans = plans.get();
            if plans.is_empty() {
                return view! { <p class="empty">{none()}</p> }.into_any();
            }
            let later = if startup.drawn_untracked() {
                Vec::new()
            } else {
                plans.split_off(FIRST_CARD_COUNT.min(plans.len()))
            };
            view! {
                <div class="plan-list">
                    {plans.into_iter().map(card).collect_view()}
                    {move || {
                        startup
                            .reached(DRAWN)
                            .then(|| later.clone().into_iter().map(card).collect_view())
                    }}
                </div>
            }
            .into_any()
        }
    };

    view! {
        <section aria-labelledby="open-title" data-testid="open-windows">
            <h2 id="open-title">{tr(|t| t.open_windows)}</h2>
            {list(open, || use_i18n().t().no_open_windows)}
        </section>
        <section aria-labelledby="upcoming-title" data-testid="upcoming-exams">
            <h2 id="upcoming-title">{tr(|t| t.upcoming_exams)}</h2>
            {list(upcoming, || use_i18n().t().no_upcoming_exams)}
        </section>
    }
}
