use kaozheng_core::outbox::{Action, OutboxEntry};
use leptos::prelude::*;

use crate::i18n::{Locale, tr, use_i18n};
use crate::state::account::use_account;
use crate::state::catalog::use_catalog;

/// After the browser deleted the database under the page: how many unsent changes were saved
/// again, or, when they could not be, each change that is lost, so the student can redo it.
#[component]
pub fn RestoredNotice() -> impl IntoView {
    let i18n = use_i18n();
    let acc = use_account();
    let st = use_catalog();
    let describe = move |e: &OutboxEntry| {
        let t = i18n.t();
        let zh = i18n.locale.get() == Locale::Zh;
        let plan_name = |plan_id: &str| {
            st.plans.with(|p| {
                p.iter()
                    .find(|p| p.id == plan_id)
                    .map_or_else(|| plan_id.to_string(), |p| p.name.clone())
            })
        };
        match &e.action {
            Action::Register { plan_id } => {
                format!("{}：{}", t.change_register, plan_name(plan_id))
            }
            Action::Cancel { client_id, .. } => {
                let plan = acc.registrations.with(|r| {
                    r.iter()
                        .find(|r| &r.client_id == client_id)
                        .map(|r| r.plan_id.clone())
                });
                let name = plan.map(|p| plan_name(&p)).unwrap_or_default();
                format!("{}：{name}", t.cancel_registration)
            }
            Action::Feedback {
                certificate_id,
                level,
                ..
            } => {
                let level = if zh { level.zh() } else { level.en() };
                format!("{}：{certificate_id}（{level}）", t.change_feedback)
            }
        }
    };
    move || {
        let r = acc.restored.get()?;
        let lost = (!r.lost.is_empty()).then(|| {
            let items = r.lost.clone();
            view! {
                <div class="status-problem" role="alert" data-testid="lost-changes">
                    <p>{tr(|t| t.storage_lost_changes)}</p>
                    <ul>
                        {items.into_iter().map(|e| view! { <li>{move || describe(&e)}</li> }).collect_view()}
                    </ul>
                </div>
            }
        });
        Some(view! {
            {(r.kept > 0).then(|| view! {
                <p class="status-note" data-testid="storage-restored">
                    {move || (i18n.t().storage_restored)(r.kept)}
                </p>
            })}
            {lost}
            <button type="button" class="link-button" on:click=move |_| acc.restored.set(None)>
                {tr(|t| t.dismiss)}
            </button>
        })
    }
}
