use leptos::prelude::*;

use crate::i18n::{tr, use_i18n};

/// Switches between Chinese and English; labelled in the language it switches to. A GET form, so
/// on the page the server rendered it works before the app runs (`?lang=`); the app switches in
/// place.
#[component]
pub fn LanguageToggle() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form
            class="tool-form"
            method="get"
            on:submit=move |ev| {
                ev.prevent_default();
                i18n.locale.update(|l| *l = l.other());
            }
        >
            <input type="hidden" name="lang" value=move || i18n.locale.get().other().tag()/>
            <button
                type="submit"
                class="tool-button"
                aria-label=tr(|t| t.switch_language)
                lang=move || i18n.locale.get().other().tag()
            >
                {tr(|t| t.other_language)}
            </button>
        </form>
    }
}
