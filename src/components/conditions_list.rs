use leptos::prelude::*;

use crate::i18n::{Locale, use_i18n};

/// The conditions a rule attaches to its answer.
#[component]
pub fn ConditionsList(items: Vec<kaozheng_core::rules::Bilingual>) -> impl IntoView {
    let i18n = use_i18n();
    (!items.is_empty()).then(|| {
        view! {
            <ul class="conditions">
                {items.into_iter().map(|c| view! {
                    <li>{move || match i18n.locale.get() { Locale::Zh => c.zh.clone(), Locale::En => c.en.clone() }}</li>
                }).collect_view()}
            </ul>
        }
    })
}
