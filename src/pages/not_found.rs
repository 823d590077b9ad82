use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::use_i18n;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    view! {
        <section class="page">
            <h1>{move || t().not_found_title}</h1>
            <p>{move || t().not_found_body}</p>
            <p>
                <A href="/">{move || t().go_home}</A>
            </p>
        </section>
    }
}
