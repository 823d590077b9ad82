//! Kaozheng: the 1+X certificate catalog, exam plans, registration, results and the credit bank on
//! a student's phone, working offline. A Leptos client-side app; domain rules live in
//! `kaozheng-core` (see ARCHITECTURE.md for what may import what).

pub mod api;
pub mod app;
pub mod calendar;
pub mod components;
pub mod embed;
pub mod format;
pub mod i18n;
pub mod pages;
pub mod platform;
pub mod prefs;
pub mod problem;
pub mod qr;
pub mod state;
pub mod storage;
pub mod sync;

/// Replaces the static app shell in `index.html` with the live app and registers the service worker.
pub fn start() {
    if let Some(shell) = leptos::prelude::document().get_element_by_id("shell") {
        shell.remove();
    }
    let embed = embed::start_embed();
    leptos::mount::mount_to_body(move || leptos::view! { <app::App embed=embed.clone()/> });
    platform::perf::mark("kz:app-mounted");
    platform::sw::register();
}
