use chrono::{DateTime, Utc};
use kaozheng_core::{ExamPlan, PlanState, Site};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::format;
use crate::i18n::{tr, use_i18n};

/// An exam plan: its state now, window, exam time, site, fee and seats left as of the last sync.
#[component]
pub fn PlanCard(
    plan: ExamPlan,
    site: Option<Site>,
    now: Signal<DateTime<Utc>>,
    /// The certificate's name, when the card stands outside its certificate page.
    #[prop(optional)]
    certificate: Option<(String, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let p = plan.clone();
    let state = Memo::new(move |_| p.state_at(now.get()));
    let state_label = move || {
        let s = state.get();
        i18n.locale.get().pick(s.zh(), s.en())
    };
    let level = plan.level;
    let level_label = move || i18n.locale.get().pick(level.zh(), level.en());
    let window = format!(
        "{} – {}",
        format::minute(plan.window_opens_at),
        format::minute(plan.window_closes_at)
    );
    let exam = format!(
        "{} – {}",
        format::minute(plan.exam_starts_at),
        kaozheng_core::time::format_hm(plan.exam_ends_at)
    );
    let (left, cap) = (plan.seats_left, plan.capacity);
    let seats = move || {
        if left == 0 {
            t().full.to_string()
        } else {
            (t().seats_left)(left, cap)
        }
    };
    let site_text = site
        .map(|s| format!("{} · {}{} {}", s.name, s.province, s.city, s.address))
        .unwrap_or_else(|| plan.site_id.clone());
    let fee = format::yuan(plan.fee_fen);
    let register_href = format!("/register/{}", plan.id);
    view! {
        <article class="plan-card" data-state=move || state.get().as_str()>
            <header class="plan-head">
                {certificate
                    .map(|(id, name)| {
                        view! {
                            <A href=format!("/certificates/{id}") attr:class="plan-cert">
                                {name}
                            </A>
                        }
                    })}
                <span class="badge">{level_label}</span>
                <span class=move || {
                    format!(
                        "state state-{}",
                        if state.get() == PlanState::Open { "open" } else { "other" },
                    )
                }>{state_label}</span>
            </header>
            <h3 class="plan-name">{plan.name.clone()}</h3>
            <dl class="plan-facts">
                <dt>{tr(|t| t.registration_window)}</dt>
                <dd>{window}</dd>
                <dt>{tr(|t| t.exam_time)}</dt>
                <dd>{exam}</dd>
                <dt>{tr(|t| t.site)}</dt>
                <dd>{site_text}</dd>
                <dt>{tr(|t| t.fee)}</dt>
                <dd>{fee}</dd>
            </dl>
            <p class="seats" class:seats-full=left == 0 title=tr(|t| t.seats_as_of)>
                {seats}
            </p>
            <Show when=move || state.get() == PlanState::Open>
                <A href=register_href.clone() attr:class="button plan-register" attr:data-testid="plan-register">
                    {tr(|t| t.register)}
                </A>
            </Show>
        </article>
    }
}
