use kaozheng_core::FeeDecision;
use leptos::prelude::*;

use crate::components::citation_note::CitationNote;
use crate::format;
use crate::i18n::{tr, use_i18n};
use crate::state::catalog::use_catalog;

/// Who pays an exam fee and why, with the amount the student pays and the sentence of the rule
/// that decides it (a student acts on this, so the rule's source is shown where it is applied).
#[component]
pub fn FeeNote(fee: FeeDecision) -> impl IntoView {
    let i18n = use_i18n();
    let st = use_catalog();
    let payer = fee.payer;
    let reason = fee.reason;
    let policy_id = fee.policy.clone();
    let policy = Memo::new(move |_| {
        let id = policy_id.as_deref()?;
        st.fee_rules
            .with(|r| r.as_ref().and_then(|r| r.policy(id).cloned()))
    });
    view! {
        <dl class="facts fee-note" data-testid="fee-note">
            <dt>{tr(|t| t.fee)}</dt>
            <dd>{format::yuan(fee.fee_fen)}</dd>
            <dt>{tr(|t| t.who_pays)}</dt>
            <dd data-testid="fee-payer">{move || (i18n.t().payer)(payer)}</dd>
            <dt>{tr(|t| t.you_pay)}</dt>
            <dd data-testid="fee-student-pays">{format::yuan(fee.student_pays_fen)}</dd>
        </dl>
        <p class="fee-reason" data-testid="fee-reason">
            {move || (i18n.t().fee_reason)(reason)}
        </p>
        {move || policy.get().map(|p| view! {
            <details class="fee-basis" data-testid="fee-citation" data-policy=p.id.clone()>
                <summary>{tr(|t| t.rule_text)}</summary>
                {p.example.then(|| view! { <p class="hint">{tr(|t| t.example_data)}</p> })}
                {p.citations.into_iter().map(|c| view! { <CitationNote citation=c/> }).collect_view()}
            </details>
        })}
    }
}
