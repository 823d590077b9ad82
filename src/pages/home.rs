use kaozheng_core::{ExamPlan, PlanState};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::graduation_panel::GraduationPanel;
use crate::components::plan_card::PlanCard;
use crate::i18n::{tr, use_i18n};
use crate::state::catalog::use_catalog;
use crate::state::clock::use_now;

/// How many upcoming exams the home page lists before pointing to the catalog.
const UPCOMING: usize = 5;

/// What's next: open registration windows (closing soonest first) and upcoming exams, from the
/// plans saved on the phone, so it answers offline too.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let st = use_catalog();
    let now = use_now();
    let navigate = use_navigate();
    let search = RwSignal::new(String::new());

    let pick = move |states: &[PlanState]| {
        let now = now.get();
        let mut v: Vec<ExamPlan> = st
            .plans
            .get()
            .iter()
            .filter(|p| states.contains(&p.state_at(now)))
            .cloned()
            .collect();
        v.sort_unstable_by(|a, b| {
            (a.window_closes_at, a.exam_starts_at, &a.id).cmp(&(
                b.window_closes_at,
                b.exam_starts_at,
                &b.id,
            ))
        });
        v
    };
    let open = Memo::new(move |_| pick(&[PlanState::Open]));
    let upcoming = Memo::new(move |_| {
        let mut v = pick(&[PlanState::Announced, PlanState::Closed]);
        v.sort_unstable_by(|a, b| (a.exam_starts_at, &a.id).cmp(&(b.exam_starts_at, &b.id)));
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
            let plans = plans.get();
            if plans.is_empty() {
                return view! { <p class="empty">{none()}</p> }.into_any();
            }
            view! {
                <div class="plan-list">
                    {plans.into_iter().map(card).collect_view()}
                </div>
            }
            .into_any()
        }
    };

    view! {
        <section class="page home-page">
            <h1>{tr(|t| t.home_title)}</h1>
            <GraduationPanel/>
            <form
                class="search-box home-search"
                role="search"
                action="/catalog"
                method="get"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let q = search.get_untracked();
                    let url = if q.trim().is_empty() {
                        "/catalog".to_string()
                    } else {
                        format!("/catalog?q={}", js_sys::encode_uri_component(q.trim()))
                    };
                    navigate(&url, Default::default());
                }
            >
                <label for="home-search">{tr(|t| t.home_search_label)}</label>
                <div class="search-row">
                    <input
                        id="home-search"
                        name="q"
                        type="search"
                        autocomplete="off"
                        enterkeyhint="search"
                        placeholder=tr(|t| t.search_placeholder)
                        prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev))
                    />
                    <button type="submit" class="button">{tr(|t| t.home_search_button)}</button>
                </div>
            </form>
            <section aria-labelledby="open-title" data-testid="open-windows">
                <h2 id="open-title">{tr(|t| t.open_windows)}</h2>
                {list(open, || use_i18n().t().no_open_windows)}
            </section>
            <section aria-labelledby="upcoming-title" data-testid="upcoming-exams">
                <h2 id="upcoming-title">{tr(|t| t.upcoming_exams)}</h2>
                {list(upcoming, || use_i18n().t().no_upcoming_exams)}
            </section>
            <p>
                <A href="/catalog" attr:class="button button-secondary">
                    {tr(|t| t.browse_all)}
                </A>
            </p>
        </section>
    }
}
