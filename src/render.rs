//! The first screen of a public page as HTML, rendered on the server by the app's own components
//! from the data the app then starts from (`first_screen`). A phone sees the page before the WASM
//! arrives, and a browser that cannot run the WASM at all still gets a working page.

use std::sync::Once;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::location::RequestUrl;

use crate::app::{App, Boot};
use crate::first_screen::FirstScreen;
use crate::i18n::Locale;
use crate::prefs::{LOCALE_COOKIE, THEME_COOKIE, Theme};

/// A rendered page: the markup that takes the static shell's place and the `<html>` attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The app's markup followed by the embedded data element.
    pub body: String,
    /// `<html lang>`.
    pub lang: &'static str,
    /// `<html data-theme>`, when the visitor chose one.
    pub theme: Option<&'static str>,
}

/// Runs nothing it is given: on the server the page is rendered once, synchronously, and the
/// effects and tasks that would talk to storage, the network or timers belong to the browser.
struct Idle;

impl any_spawner::CustomExecutor for Idle {
    fn spawn(&self, _: any_spawner::PinnedFuture<()>) {}
    fn spawn_local(&self, _: any_spawner::PinnedLocalFuture<()>) {}
    fn poll_local(&self) {}
}

/// The language and theme the browser app would pick: `?lang=` first, then the cookies the app
/// keeps in step with its preferences, then Chinese and the system theme.
pub fn preferences(path_and_query: &str, cookie_header: &str) -> (Locale, Theme) {
    let cookie = |name: &str| {
        cookie_header.split(';').find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.trim().to_string())
        })
    };
    let query = |name: &str| {
        let (_, q) = path_and_query.split_once('?')?;
        q.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    };
    // The header's language and theme buttons are GET forms, so they work before the app runs.
    let locale = query("lang")
        .and_then(|t| Locale::from_tag(&t))
        .or_else(|| cookie(LOCALE_COOKIE).and_then(|t| Locale::from_tag(&t)))
        .unwrap_or(Locale::Zh);
    let theme = query("theme")
        .and_then(|t| Theme::from_key(&t))
        .or_else(|| cookie(THEME_COOKIE).and_then(|t| Theme::from_key(&t)))
        .unwrap_or(Theme::System);
    (locale, theme)
}

/// Renders the page at `path_and_query` (an app route) as a visitor who is not signed in sees it.
/// `catalog_held`: the phone holds this catalog (`prefs::CATALOG_COOKIE`), so the page is rendered
/// with it but the embedded data leaves it out.
pub fn render(
    path_and_query: &str,
    first: FirstScreen,
    locale: Locale,
    theme: Theme,
    now: DateTime<Utc>,
    catalog_held: bool,
) -> Rendered {
    static IDLE: Once = Once::new();
    IDLE.call_once(|| {
        // Another executor already set (a test binary that also runs the browser code) is fine:
        // the server never polls it.
        let _ = any_spawner::Executor::init_custom_executor(Idle);
    });
    let data = if catalog_held {
        FirstScreen {
            catalog: None,
            ..first.clone()
        }
        .to_embedded_json()
    } else {
        first.to_embedded_json()
    };
    let owner = Owner::new();
    let markup = owner.with(|| {
        provide_context(RequestUrl::new(path_and_query));
        let boot = Boot::Server {
            first,
            locale,
            theme,
            now,
        };
        untrack(move || view! { <App boot=boot/> }.to_html())
    });
    drop(owner);
    Rendered {
        body: format!(
            "{markup}<script type=\"application/json\" id=\"{}\">{data}</script>",
            crate::first_screen::ELEMENT_ID
        ),
        lang: locale.tag(),
        theme: match theme {
            Theme::System => None,
            t => Some(t.key()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_follow_query_then_cookie() {
        assert_eq!(preferences("/", ""), (Locale::Zh, Theme::System));
        assert_eq!(
            preferences("/catalog?q=x", "a=b; kz-locale=en; kz-theme=dark"),
            (Locale::En, Theme::Dark)
        );
        assert_eq!(
            preferences("/catalog?lang=zh-CN", "kz-locale=en"),
            (Locale::Zh, Theme::System)
        );
        assert_eq!(
            preferences("/", "kz-theme=purple"),
            (Locale::Zh, Theme::System)
        );
    }
}
