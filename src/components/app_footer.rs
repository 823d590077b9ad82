use leptos::prelude::*;

use crate::i18n::tr;

#[component]
pub fn AppFooter() -> impl IntoView {
    view! { <footer class="app-footer">{tr(|t| t.footer)}</footer> }
}
