use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::next_step::NextStep;
use crate::components::plan_sections::PlanSections;
use crate::components::watch_notice::WatchNotice;
use crate::i18n::{tr, use_i18n};
use crate::state::account::use_account;

/// What's next. Signed in, the student's own next step leads (their exams, new results, the
/// graduation requirement), then the plans of their province, each marked for them; signed out,
/// the plans of every province. From data saved on the phone, so it answers offline too.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let acc = use_account();
    let navigate = use_navigate();
    let search = RwSignal::new(String::new());
    let province = Signal::derive(move || acc.student().map(|s| s.province));

    view! {
        <section class="page home-page">
            <h1>{tr(|t| t.home_title)}</h1>
            <Show when=move || acc.session.with(Option::is_some)>
                <NextStep/>
            </Show>
            <WatchNotice/>
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
            {move || province.get().map(|p| view! {
                <p class="section-lead" data-testid="plans-province">{(i18n.t().plans_in)(&p)}</p>
            })}
            <PlanSections province=province/>
            <p class="actions">
                <a href="/plans" class="button button-secondary">{tr(|t| t.all_plans)}</a>
                <a href="/catalog" class="button button-secondary">{tr(|t| t.browse_all)}</a>
            </p>
        </section>
    }
}
