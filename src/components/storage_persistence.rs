use leptos::prelude::*;

use crate::i18n::tr;
use crate::state::account::use_account;

/// Whether the browser agreed to keep the offline data (asked after the first sign-in or
/// registration); nothing is shown where the browser cannot tell.
#[component]
pub fn StoragePersistence() -> impl IntoView {
    let acc = use_account();
    move || {
        acc.persisted.get().map(|granted| {
            let (class, state) = if granted {
                ("hint", "granted")
            } else {
                ("status-note", "denied")
            };
            view! {
                <p class=class data-testid="storage-persisted" data-state=state>
                    {if granted { tr(|t| t.storage_persisted) } else { tr(|t| t.storage_not_persisted) }}
                </p>
            }
        })
    }
}
