use leptos::prelude::*;

use crate::i18n::tr;

/// Placeholder bars while the phone reads what a page needs, so nothing is shown that the next
/// moment contradicts; screen readers hear "loading".
#[component]
pub fn Skeleton(#[prop(optional, into)] testid: Option<&'static str>) -> impl IntoView {
    view! {
        <div class="shell-skeleton" role="status" aria-busy="true" data-testid=testid>
            <p class="visually-hidden">{tr(|t| t.loading)}</p>
            <span></span>
            <span></span>
        </div>
    }
}
