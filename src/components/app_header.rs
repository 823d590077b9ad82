use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::language_toggle::LanguageToggle;
use crate::components::theme_toggle::ThemeToggle;
use crate::i18n::tr;

/// The top bar: brand, main navigation and display preferences.
#[component]
pub fn AppHeader() -> impl IntoView {
    view! {
        <header class="app-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"考"</span>
                <span class="brand-text">
                    <span class="brand-name">{tr(|t| t.app_name)}</span>
                    <span class="brand-tagline">{tr(|t| t.tagline)}</span>
                </span>
            </A>
            <div class="header-tools">
                <LanguageToggle/>
                <ThemeToggle/>
            </div>
            <nav class="main-nav" aria-label=tr(|t| t.nav_label)>
                <A href="/" exact=true>{tr(|t| t.nav_home)}</A>
                <A href="/catalog">{tr(|t| t.nav_catalog)}</A>
            </nav>
        </header>
    }
}
