use leptos::prelude::*;

use crate::i18n::tr;
use crate::state::account::use_account;

/// Whether the browser agreed to keep the offline data (asked after the first sign-in or
/// registration). A refusal is a warning only while changes wait to be sent: those are what the
/// browser could delete; nothing is shown where the browser cannot tell.
#[component]
pub fn StoragePersistence() -> impl IntoView {
    let acc = use_account();
    let waiting = move || acc.outbox.with(|o| !o.is_empty());
    move || match acc.persisted.get() {
        Some(true) => Some(view! {
            <p class="hint" data-testid="storage-persisted" data-state="granted">
                {tr(|t| t.storage_persisted)}
            </p>
        }),
        Some(false) if waiting() => Some(view! {
            <p class="status-note" data-testid="storage-persisted" data-state="denied">
                {tr(|t| t.storage_not_persisted)}
            </p>
        }),
        _ => None,
    }
}
