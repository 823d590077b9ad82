use kaozheng_core::order;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::sign_in_required::SignInRequired;
use crate::i18n::{tr, use_i18n};
use crate::state::account::use_account;
use crate::state::catalog::use_catalog;

/// Published results, newest first, with those that arrived since the last visit marked new.
#[component]
pub fn ResultsPage() -> impl IntoView {
    let i18n = use_i18n();
    let st = use_catalog();
    let acc = use_account();
    // What was new when the page opened stays marked while the student looks; it is seen from now on.
    let shown_new = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        let new: Vec<String> = acc.results.with(|r| {
            r.iter()
                .filter(|(_, seen)| !seen)
                .map(|(r, _)| r.registration_id.clone())
                .collect()
        });
        if new.is_empty() {
            return;
        }
        shown_new.update(|v| v.extend(new.iter().cloned()));
        spawn_local(async move {
            if let Some(db) = acc.db_handle()
                && let Err(e) = db.mark_results_seen(&new).await
            {
                acc.problem.set(Some(e.into()));
            }
        });
    });
    let list = move || {
        let mut results: Vec<_> = acc.results.get().iter().map(|(r, _)| r.clone()).collect();
        order::sort_by(&mut results, |a, b| {
            (&b.plan_id, &b.registration_id).cmp(&(&a.plan_id, &a.registration_id))
        });
        if results.is_empty() {
            return view! { <p class="empty">{tr(|t| t.no_results_yet)}</p> }.into_any();
        }
        view! {
            <ul class="result-list" data-testid="results-list">
                {results
                    .into_iter()
                    .map(|r| {
                        let is_new = shown_new.with(|v| v.contains(&r.registration_id));
                        let name = st.catalog.with(|c| {
                            c.as_ref()
                                .and_then(|l| l.catalog.certificate(&r.certificate_id))
                                .map(|c| c.short_name().to_string())
                                .unwrap_or_else(|| r.plan_name.clone())
                        });
                        let level = r.level;
                        let passed = r.passed;
                        let provisional = r.state == kaozheng_core::PlanState::Publicized;
                        view! {
                            <li class="result-card">
                                <a href=format!("/results/{}", r.registration_id) class="cert-link">
                                    <span class="cert-name">
                                        {name} "（" {move || i18n.locale.get().pick(level.zh(), level.en())} "）"
                                    </span>
                                    <span class="cert-org">{r.plan_name.clone()}</span>
                                </a>
                                <p class="cert-meta">
                                    <span class=if passed { "badge badge-pass" } else { "badge badge-fail" }>
                                        {if passed { tr(|t| t.passed) } else { tr(|t| t.failed) }}
                                    </span>
                                    {is_new.then(|| view! { <span class="chip chip-new" data-testid="new-result">{tr(|t| t.new_badge)}</span> })}
                                </p>
                                {provisional.then(|| view! {
                                    <p class="hint" data-testid="result-provisional">{tr(|t| t.result_provisional)}</p>
                                })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="page results-page">
            <h1>{tr(|t| t.results_title)}</h1>
            <SignInRequired>{list}</SignInRequired>
        </section>
    }
}
