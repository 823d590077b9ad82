//! The server-rendered first screen (`ssr` feature): the app's own components as HTML, from the
//! data the app then starts from.
#![cfg(feature = "ssr")]

use chrono::{TimeZone, Utc};
use kaozheng::first_screen::{FirstScreen, Tagged};
use kaozheng::i18n::Locale;
use kaozheng::prefs::Theme;
use kaozheng::render::render;
use kaozheng_core::Catalog;

fn first() -> FirstScreen {
    FirstScreen {
        catalog: Some(Tagged {
            value: Catalog::parse(include_str!("../data/catalog.json")).unwrap(),
            etag: Some("W/\"c1\"".into()),
        }),
        plans: None,
        sites: None,
        verification: None,
    }
}

#[test]
fn the_catalog_page_lists_certificates_and_answers_a_search() {
    let now = Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap();
    let page = render(
        "/catalog?q=web",
        first(),
        Locale::Zh,
        Theme::System,
        now,
        false,
    );
    std::fs::write(std::env::temp_dir().join("kz-render.html"), &page.body).unwrap();
    assert!(page.body.contains("<h1"), "{}", page.body);
    assert_eq!(page.lang, "zh-CN");
}

#[test]
fn the_home_page_and_a_certificate_page_render_from_the_embedded_data() {
    let now = Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap();
    let home = render("/", first(), Locale::En, Theme::Dark, now, false);
    std::fs::write(std::env::temp_dir().join("kz-home.html"), &home.body).unwrap();
    assert_eq!((home.lang, home.theme), ("en", Some("dark")));
    let f = first();
    let id = f.catalog.as_ref().unwrap().value.certificates[0].id.clone();
    let cert = render(
        &format!("/certificates/{id}"),
        f,
        Locale::Zh,
        Theme::System,
        now,
        false,
    );
    std::fs::write(std::env::temp_dir().join("kz-cert.html"), &cert.body).unwrap();
}

#[test]
fn a_catalog_the_phone_holds_is_rendered_but_not_embedded() {
    let now = Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap();
    let split = |body: &str| {
        let (markup, data) = body.split_once("<script").unwrap();
        (markup.to_string(), data.to_string())
    };
    let (full_markup, full_data) =
        split(&render("/catalog", first(), Locale::Zh, Theme::System, now, false).body);
    let (held_markup, held_data) =
        split(&render("/catalog", first(), Locale::Zh, Theme::System, now, true).body);
    assert_eq!(held_markup, full_markup, "the same page on screen");
    assert!(full_data.contains("\"catalog\""));
    assert!(!held_data.contains("\"catalog\""), "{held_data}");
}
