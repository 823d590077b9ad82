use kaozheng_core::FeeDecision;
use leptos::prelude::*;

use crate::format;
use crate::i18n::{tr, use_i18n};

/// Who pays an exam fee and why, with the amount the student pays.
#[component]
pub fn FeeNote(fee: FeeDecision) -> impl IntoView {
    let i18n = use_i18n();
    let payer = fee.payer;
    let reason = fee.reason;
    view! {
        <dl class="facts fee-note" data-testid="fee-note">
            <dt>{tr(|t| t.fee)}</dt>
            <dd>{format::yuan(fee.fee_fen)}</dd>
            <dt>{tr(|t| t.who_pays)}</dt>
            <dd data-testid="fee-payer">{move || i18n.locale.get().pick(payer.zh(), payer.en())}</dd>
            <dt>{tr(|t| t.you_pay)}</dt>
            <dd data-testid="fee-student-pays">{format::yuan(fee.student_pays_fen)}</dd>
        </dl>
        <p class="fee-reason" data-testid="fee-reason">
            {move || i18n.locale.get().pick(reason.zh(), reason.en())}
        </p>
    }
}
