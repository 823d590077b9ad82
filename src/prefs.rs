//! The student's display preferences (language, theme), kept in `localStorage` so they survive
//! reloads and apply before data arrives, and in a cookie, so the pages the server renders come in
//! the same language and theme.

use crate::i18n::Locale;

const LOCALE_KEY: &str = "kz.locale";
const THEME_KEY: &str = "kz.theme";
const WATCH_KEY: &str = "kz.watch";
/// The cookies the server reads when it renders a page.
pub const LOCALE_COOKIE: &str = "kz-locale";
pub const THEME_COOKIE: &str = "kz-theme";
/// The tag of the catalog this phone holds in IndexedDB (URI-encoded). A page the server renders
/// for a phone that holds the current catalog leaves it out of the embedded data (the app reads
/// it from IndexedDB): a returning student does not download the catalog with every page.
pub const CATALOG_COOKIE: &str = "kz-catalog";

/// Colour scheme: follow the system unless the student picked one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    /// The next choice on the toggle: system → light → dark → system.
    pub fn next(self) -> Self {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn from_key(s: &str) -> Option<Self> {
        [Theme::System, Theme::Light, Theme::Dark]
            .into_iter()
            .find(|t| t.key() == s)
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn read(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

/// Preferences are a convenience: if storage is unavailable (private mode) they just don't persist.
fn write(key: &str, value: &str) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(key, value);
    }
}

/// Certificates the student asked to be reminded about when exam plans are announced. Kept on
/// the phone (not personal data, so signing out keeps it).
pub fn watched() -> Vec<String> {
    read(WATCH_KEY)
        .map(|s| {
            s.split(',')
                .filter(|id| !id.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

pub fn save_watched(ids: &[String]) {
    write(WATCH_KEY, &ids.join(","));
}

/// `name=` in the page's query: the header's language and theme forms, and shared `?lang=` links.
fn from_query(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    search.trim_start_matches('?').split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// `?lang=` in the URL, else the saved language, else Chinese (the product's default).
pub fn initial_locale() -> Locale {
    from_query("lang")
        .and_then(|tag| Locale::from_tag(&tag))
        .or_else(|| read(LOCALE_KEY).and_then(|t| Locale::from_tag(&t)))
        .unwrap_or(Locale::Zh)
}

pub fn save_locale(locale: Locale) {
    write(LOCALE_KEY, locale.tag());
    write_cookie(LOCALE_COOKIE, locale.tag());
}

/// A year-long, first-party cookie with no personal data: which language, theme or catalog.
fn write_cookie(name: &str, value: &str) {
    set_cookie(name, value, 31_536_000);
}

/// `max_age` 0 removes the cookie.
fn set_cookie(name: &str, value: &str, max_age: u32) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        let cookie = format!("{name}={value}; path=/; max-age={max_age}; samesite=lax");
        let _ = js_sys::Reflect::set(&doc, &"cookie".into(), &cookie.into());
    }
}

/// Tells the server which catalog the phone holds, or that it holds none it can read.
pub fn remember_catalog(tag: Option<&str>) {
    match tag {
        Some(tag) => write_cookie(
            CATALOG_COOKIE,
            &String::from(js_sys::encode_uri_component(tag)),
        ),
        None => set_cookie(CATALOG_COOKIE, "", 0),
    }
}

/// `?theme=` in the URL (the header's form before the app ran), else the saved theme.
pub fn initial_theme() -> Theme {
    from_query("theme")
        .or_else(|| read(THEME_KEY))
        .and_then(|t| Theme::from_key(&t))
        .unwrap_or(Theme::System)
}

pub fn save_theme(theme: Theme) {
    write(THEME_KEY, theme.key());
    remember_theme(theme);
}

/// Keeps the theme cookie in step with the theme shown, for the pages the server renders.
pub fn remember_theme(theme: Theme) {
    write_cookie(THEME_COOKIE, theme.key());
}

fn root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

/// Sets `<html lang>` so screen readers and fonts follow the language.
pub fn apply_locale(locale: Locale) {
    if let Some(r) = root() {
        let _ = r.set_attribute("lang", locale.tag());
    }
}

/// Sets `<html data-theme>`; the stylesheet follows the system when it is absent.
pub fn apply_theme(theme: Theme) {
    if let Some(r) = root() {
        let _ = match theme {
            Theme::System => r.remove_attribute("data-theme"),
            t => r.set_attribute("data-theme", t.key()),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_cycles_through_all_three() {
        let mut t = Theme::System;
        let mut seen = vec![];
        for _ in 0..3 {
            seen.push(t);
            t = t.next();
        }
        assert_eq!(t, Theme::System);
        assert_eq!(seen, vec![Theme::System, Theme::Light, Theme::Dark]);
        for t in seen {
            assert_eq!(Theme::from_key(t.key()), Some(t));
        }
    }
}
