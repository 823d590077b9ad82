use leptos::prelude::*;
use leptos_router::components::A;

use crate::embed::{Section, use_embed};
use crate::i18n::{Texts, tr};

fn label(s: Section) -> fn(&'static Texts) -> &'static str {
    match s {
        Section::Catalog => |t| t.nav_catalog,
        Section::Registration => |t| t.embed_registrations,
        Section::Results => |t| t.embed_results,
        Section::Credits => |t| t.embed_credits,
        Section::Grades => |t| t.nav_grades,
    }
}

/// Compact tabs for the sections a portal chose; the portal's own page is the rest of the chrome.
#[component]
pub fn EmbedNav() -> impl IntoView {
    let sections = use_embed()
        .map(|e| e.options.with_value(|o| o.visible_sections()))
        .unwrap_or_default();
    view! {
        <nav class="embed-nav main-nav" aria-label=tr(|t| t.nav_label) data-testid="embed-nav">
            {sections
                .into_iter()
                .map(|s| view! { <A href=s.path()>{tr(label(s))}</A> })
                .collect_view()}
        </nav>
    }
}
