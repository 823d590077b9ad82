use leptos::prelude::*;

use crate::i18n::{tr, use_i18n};

/// Switches between Chinese and English; labelled in the language it switches to.
#[component]
pub fn LanguageToggle() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="button"
            class="tool-button"
            aria-label=tr(|t| t.switch_language)
            lang=move || i18n.locale.get().other().tag()
            on:click=move |_| i18n.locale.update(|l| *l = l.other())
        >
            {tr(|t| t.other_language)}
        </button>
    }
}
