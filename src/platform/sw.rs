//! Registers the service worker (`public/sw.js`) that keeps the app shell available offline.

use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

/// Registration failures are logged, not shown: the app works online without it, and IndexedDB
/// still holds the data.
pub fn register() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    spawn_local(async move {
        if let Err(e) = JsFuture::from(container.register("/sw.js")).await {
            web_sys::console::warn_1(&e);
        }
    });
}
