//! The browser side of embed mode: options kept for the iframe's session, the portal's theme,
//! height reports, and the assertion handshake.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::{EmbedOptions, Ignored, STORAGE_KEY, check_message, parse_options, to_query};
use crate::api;
use crate::state::account::Account;

/// Embed mode's options and the server's portal allowlist, provided at the root.
#[derive(Clone, Copy)]
pub struct EmbedState {
    pub options: StoredValue<EmbedOptions>,
    /// Origins allowed to embed the app (`GET /api/v1/embed/config`); empty until loaded.
    pub allowed: RwSignal<Vec<String>>,
}

pub fn use_embed() -> Option<EmbedState> {
    use_context::<EmbedState>()
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn in_iframe() -> bool {
    web_sys::window()
        .and_then(|w| Some(w.parent().ok()??.ne(&w)))
        .unwrap_or(false)
}

/// Decides embed mode before the app mounts. `/embed?…` stores the options for this iframe and
/// moves to the start page; a reload inside the iframe finds them again in `sessionStorage`.
pub fn start_embed() -> Option<EmbedOptions> {
    let window = web_sys::window()?;
    let location = window.location();
    let path = location.pathname().ok()?;
    if path == "/embed" || path.starts_with("/embed/") {
        let options = parse_options(&location.search().unwrap_or_default());
        if let Some(s) = session_storage() {
            let _ = s.set_item(STORAGE_KEY, &to_query(&options));
        }
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(options.start_path()),
            );
        }
        return Some(options);
    }
    if !in_iframe() {
        return None;
    }
    let stored = session_storage()?.get_item(STORAGE_KEY).ok()??;
    Some(parse_options(&stored))
}

/// Applies the portal's theme as the stylesheet's custom properties.
fn apply_theme(o: &EmbedOptions) {
    let Some(root) = document().document_element() else {
        return;
    };
    let _ = root.class_list().add_1("kz-embed");
    let Some(el) = root.dyn_ref::<web_sys::HtmlElement>() else {
        return;
    };
    let style = el.style();
    if let Some(c) = &o.primary {
        let _ = style.set_property("--kz-brand", c);
        let _ = style.set_property("--kz-focus", c);
    }
    if let Some(r) = o.radius {
        let _ = style.set_property("--kz-radius", &format!("{r}px"));
        let _ = style.set_property("--kz-radius-small", &format!("{}px", r.div_ceil(2)));
    }
    if let Some(f) = &o.font {
        let _ = style.set_property("--kz-font", f);
    }
}

/// The parent's real origin where the browser tells it (Chromium, Safari): a declared `parent`
/// that differs is not trusted.
fn actual_parent_origin() -> Option<String> {
    let location = web_sys::window()?.location();
    let list = js_sys::Reflect::get(&location, &"ancestorOrigins".into()).ok()?;
    if list.is_undefined() {
        return None;
    }
    js_sys::Reflect::get(&list, &0.into()).ok()?.as_string()
}

/// Posts to the portal, only to its exact allowlisted origin.
fn post(state: EmbedState, message: serde_json::Value) {
    let parent = state.options.with_value(|o| o.parent.clone());
    let Some(parent) = parent else { return };
    if !state.allowed.with_untracked(|a| a.contains(&parent)) {
        return;
    }
    if actual_parent_origin().is_some_and(|actual| actual != parent) {
        return;
    }
    let Some(target) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    if let Ok(value) = js_sys::JSON::parse(&message.to_string()) {
        let _ = target.post_message(&value, &parent);
    }
}

fn field(data: &wasm_bindgen::JsValue, name: &str) -> Option<String> {
    js_sys::Reflect::get(data, &name.into()).ok()?.as_string()
}

/// Starts embed mode inside the mounted app.
pub fn provide_embed(options: EmbedOptions, account: Account) {
    apply_theme(&options);
    let state = EmbedState {
        options: StoredValue::new(options),
        allowed: RwSignal::new(Vec::new()),
    };
    provide_context(state);

    // Height reports: the portal sizes the iframe to the content, so there is one scrollbar.
    let last = Rc::new(Cell::new(0i32));
    let report = {
        let last = last.clone();
        move || {
            // The body, not the root: the root is never shorter than the iframe itself, so it could
            // only ever report growth.
            let height = document().body().map(|b| b.scroll_height()).unwrap_or(0);
            if height != last.get() {
                last.set(height);
                post(
                    state,
                    serde_json::json!({"type": "kz:height", "height": height}),
                );
            }
        }
    };
    let on_resize = Closure::<dyn Fn()>::new(report.clone());
    if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref())
        && let Some(body) = document().body()
    {
        observer.observe(&body);
        std::mem::forget(observer);
    }
    on_resize.forget();

    // Portal assertions, accepted only from an allowlisted parent.
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(
        move |ev: web_sys::MessageEvent| {
            let data = ev.data();
            let from_parent = web_sys::window()
                .and_then(|w| w.parent().ok().flatten())
                .zip(ev.source())
                .is_some_and(|(parent, source)| {
                    let source: &wasm_bindgen::JsValue = source.as_ref();
                    let parent: &wasm_bindgen::JsValue = parent.as_ref();
                    source == parent
                });
            let verdict = state.allowed.with_untracked(|allowed| {
                check_message(
                    &ev.origin(),
                    allowed,
                    from_parent,
                    field(&data, "type").as_deref(),
                    field(&data, "assertion").as_deref(),
                )
            });
            match verdict {
                Ok(assertion) => spawn_local(async move {
                    match api::embed(&assertion).await {
                        Ok(signed) => {
                            let student_no = signed.student.student_no.clone();
                            match account.sign_in(signed).await {
                                Ok(()) => post(
                                    state,
                                    serde_json::json!({"type": "kz:signed-in", "student_no": student_no}),
                                ),
                                Err(e) => post(
                                    state,
                                    serde_json::json!({"type": "kz:sign-in-failed", "code": "storage", "message": e.to_string()}),
                                ),
                            }
                        }
                        Err(e) => {
                            let code = match &e {
                                api::ApiError::Network(_) => "network".to_string(),
                                api::ApiError::Status { status, .. } => format!("http_{status}"),
                                api::ApiError::Invalid(_) => "invalid".to_string(),
                            };
                            web_sys::console::warn_1(
                                &format!("portal assertion refused: {e}").into(),
                            );
                            post(
                                state,
                                serde_json::json!({"type": "kz:sign-in-failed", "code": code}),
                            );
                        }
                    }
                }),
                Err(Ignored::NotOurs) => {}
                Err(why) => web_sys::console::warn_1(&format!("message ignored: {why:?}").into()),
            }
        },
    );
    let _ =
        window().add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    on_message.forget();

    // The allowlist decides everything above; ready is said once it is known.
    spawn_local(async move {
        match api::embed_config().await {
            Ok(origins) => {
                state.allowed.set(origins);
                post(state, serde_json::json!({"type": "kz:ready"}));
                report();
            }
            Err(e) => web_sys::console::warn_1(&format!("embed allowlist unavailable: {e}").into()),
        }
    });
}
