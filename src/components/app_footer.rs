use leptos::prelude::*;

use crate::i18n::use_i18n;

#[component]
pub fn AppFooter() -> impl IntoView {
    let i18n = use_i18n();
    view! { <footer class="app-footer">{move || i18n.t().footer}</footer> }
}
