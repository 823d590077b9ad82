use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::language_toggle::LanguageToggle;
use crate::components::theme_toggle::ThemeToggle;
use crate::i18n::tr;
use crate::state::account::use_account;

/// The top bar: brand, main navigation and display preferences.
#[component]
pub fn AppHeader() -> impl IntoView {
    let acc = use_account();
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
            // On phones this is the bottom tab bar (CSS), so it stays in reach on long pages.
            <nav class="main-nav" aria-label=tr(|t| t.nav_label)>
                <A href="/" exact=true attr:class="nav-home">{tr(|t| t.nav_home)}</A>
                <A href="/plans" attr:class="nav-plans">{tr(|t| t.nav_plans)}</A>
                <A href="/catalog" attr:class="nav-catalog">{tr(|t| t.nav_catalog)}</A>
                <A href="/grades" attr:class="nav-grades">{tr(|t| t.nav_grades)}</A>
                <A href="/verify" attr:class="nav-verify">{tr(|t| t.nav_verify)}</A>
                <Show
                    when=move || acc.session.with(Option::is_some)
                    fallback=|| view! { <A href="/signin" attr:class="nav-me">{tr(|t| t.nav_sign_in)}</A> }
                >
                    <A href="/me" attr:class="nav-me">{tr(|t| t.nav_me)}</A>
                </Show>
            </nav>
        </header>
    }
}
