use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::prefs::{self, Theme};

/// Cycles the colour scheme: follow the system, light, dark.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let i18n = use_i18n();
    let theme = expect_context::<RwSignal<Theme>>();
    let name = move || {
        let t = i18n.t();
        match theme.get() {
            Theme::System => t.theme_system,
            Theme::Light => t.theme_light,
            Theme::Dark => t.theme_dark,
        }
    };
    let icon = move || match theme.get() {
        Theme::System => "◐",
        Theme::Light => "☀",
        Theme::Dark => "☾",
    };
    view! {
        <button
            type="button"
            class="tool-button"
            aria-label=move || format!("{}{}", i18n.t().theme_switch, name())
            title=name
            on:click=move |_| {
                theme.update(|t| *t = t.next());
                prefs::save_theme(theme.get_untracked());
            }
        >
            <span aria-hidden="true">{icon}</span>
        </button>
    }
}
