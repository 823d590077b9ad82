use leptos::prelude::*;

use crate::i18n::tr;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <section class="page">
            <h1>{tr(|t| t.not_found_title)}</h1>
            <p>{tr(|t| t.not_found_body)}</p>
            <p>
                <a href="/">{tr(|t| t.go_home)}</a>
            </p>
        </section>
    }
}
