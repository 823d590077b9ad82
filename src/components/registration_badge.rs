use kaozheng_core::outbox::LocalState;
use leptos::prelude::*;

use crate::i18n::use_i18n;

/// The state of a registration on this phone: queued, sending, confirmed, refused, cancelled.
#[component]
pub fn RegistrationBadge(
    #[prop(into)] state: Signal<LocalState>,
    #[prop(into)] sending: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = move || {
        let t = i18n.t();
        if sending.get() {
            return t.state_sending;
        }
        match state.get() {
            LocalState::Queued => t.state_queued,
            LocalState::Confirmed => t.state_confirmed,
            LocalState::Rejected => t.state_rejected,
            LocalState::CancelQueued => t.state_cancel_queued,
            LocalState::Cancelled => t.state_cancelled,
        }
    };
    let class = move || {
        let s = if sending.get() {
            "sending"
        } else {
            state.get().as_str()
        };
        format!("reg-state reg-{s}")
    };
    view! {
        <span class=class data-testid="registration-state">
            {label}
        </span>
    }
}
