use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::prefs::{self, Theme};

/// Whether the system asks for dark colours (what `Theme::System` shows); unknown, so light, where
/// the server renders a page.
fn system_dark() -> bool {
    if !cfg!(target_arch = "wasm32") {
        return false;
    }
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Light or dark, named by what a tap does ("深色" while light), so the first tap always changes
/// what the student sees; until then the scheme follows the system.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let i18n = use_i18n();
    let theme = expect_context::<RwSignal<Theme>>();
    let dark = move || match theme.get() {
        Theme::Dark => true,
        Theme::Light => false,
        Theme::System => system_dark(),
    };
    // A GET form like the language's: `?theme=` works on the server's page before the app runs.
    view! {
        <form
            class="tool-form"
            method="get"
            on:submit=move |ev| {
                ev.prevent_default();
                let next = if dark() { Theme::Light } else { Theme::Dark };
                theme.set(next);
                prefs::save_theme(next);
            }
        >
            <input
                type="hidden"
                name="theme"
                value=move || if dark() { Theme::Light.key() } else { Theme::Dark.key() }
            />
            <button
                type="submit"
                class="tool-button theme-button"
                data-testid="theme-toggle"
                aria-label=move || {
                    let t = i18n.t();
                    if dark() { t.theme_to_light_label } else { t.theme_to_dark_label }
                }
            >
                <span aria-hidden="true">{move || if dark() { "☀ " } else { "☾ " }}</span>
                {move || {
                    let t = i18n.t();
                    if dark() { t.theme_to_light } else { t.theme_to_dark }
                }}
            </button>
        </form>
    }
}
