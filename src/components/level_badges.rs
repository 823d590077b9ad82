use kaozheng_core::XLevel;
use leptos::prelude::*;

use crate::i18n::{tr, use_i18n};

/// The levels a certificate offers, or a note that the source lists none.
#[component]
pub fn LevelBadges(levels: Vec<XLevel>) -> impl IntoView {
    let i18n = use_i18n();
    if levels.is_empty() {
        return view! { <span class="badge badge-muted">{tr(|t| t.levels_not_listed)}</span> }
            .into_any();
    }
    view! {
        <span class="badges">
            {levels
                .into_iter()
                .map(|l| {
                    view! {
                        <span class=format!("badge level-{}", l.code())>
                            {move || i18n.locale.get().pick(l.zh(), l.en())}
                        </span>
                    }
                })
                .collect_view()}
        </span>
    }
    .into_any()
}
