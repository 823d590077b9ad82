//! Browser notifications for newly published results, only with the student's permission.

use wasm_bindgen_futures::JsFuture;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

/// Whether notifications are allowed now.
pub fn allowed() -> bool {
    Notification::permission() == NotificationPermission::Granted
}

/// Whether the browser has notifications at all.
pub fn supported() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &"Notification".into()).unwrap_or(false)
}

/// Asks the student (from a click: browsers require a user gesture). Returns whether granted.
pub async fn request() -> bool {
    if !supported() {
        return false;
    }
    match Notification::request_permission() {
        Ok(p) => {
            JsFuture::from(p)
                .await
                .ok()
                .and_then(|v| v.as_string())
                .as_deref()
                == Some("granted")
        }
        Err(_) => false,
    }
}

/// "<certificate> result published", if allowed. Failing to show one is not worth bothering the
/// student about: the result itself is on the results page, marked new.
pub fn result_published(name: &str) {
    if !supported() || !allowed() {
        return;
    }
    let locale = crate::prefs::initial_locale();
    let opts = NotificationOptions::new();
    opts.set_body(&(locale.texts().new_result_notification)(name));
    opts.set_tag("kz-result");
    let _ = Notification::new_with_options(locale.texts().app_name, &opts);
}
