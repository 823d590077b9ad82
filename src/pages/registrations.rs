use kaozheng_core::order;
use kaozheng_core::outbox::LocalRegistration;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::registration_item::RegistrationItem;
use crate::components::sign_in_required::SignInRequired;
use crate::i18n::{retry_reason, tr, use_i18n};
use crate::state::account::use_account;

/// My registrations: every request made on this phone and every registration the server knows,
/// with its state, ticket, fee, refusal reasons, and cancel while the window is open.
#[component]
pub fn MyRegistrationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let acc = use_account();
    let pending = move || acc.outbox.with(|o| o.len());
    let last_error = move || {
        acc.outbox
            .with(|o| o.iter().find_map(|e| e.last_error.clone()))
    };
    let sorted = move || {
        let mut v: Vec<LocalRegistration> = acc.registrations.get().to_vec();
        order::sort_by(&mut v, |a, b| {
            (b.created_at, &b.client_id).cmp(&(a.created_at, &a.client_id))
        });
        v
    };
    let list = move || {
        let regs = sorted();
        if regs.is_empty() {
            return view! { <p class="empty">{tr(|t| t.no_registrations)}</p> }.into_any();
        }
        view! {
            <ul class="reg-list" data-testid="registrations">
                {regs.into_iter().map(|r| view! { <RegistrationItem reg=r/> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="page registrations-page">
            <h1>{tr(|t| t.my_registrations)}</h1>
            <SignInRequired>
                <Show when=move || { pending() > 0 }>
                    <div class="status-note" data-testid="pending">
                        <span>{move || (i18n.t().pending_changes)(pending())}</span>
                        <button
                            type="button"
                            class="link-button"
                            on:click=move |_| spawn_local(acc.sync(true))
                        >
                            {tr(|t| t.send_now)}
                        </button>
                        {move || {
                            last_error().map(|e| view! { <span class="problem-text">{tr(|t| t.will_retry)} {retry_reason(i18n.t(), &e)}</span> })
                        }}
                    </div>
                </Show>
                {list}
            </SignInRequired>
        </section>
    }
}
