//! Persistent storage (`navigator.storage.persist()`): a site whose storage is persistent is not
//! evicted by the browser under storage pressure (nor, in Safari, after 7 days without a visit),
//! so unsent changes in the outbox are not deleted with it.
//!
//! Called through `Reflect` rather than web-sys bindings: two calls do not need a binding crate
//! feature, and browsers without the API simply answer `None`.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Whether storage is persistent; when it is not and `ask` is set, asks for it first (the browser
/// may grant it silently, prompt, or refuse). `None` where the API is missing or fails.
pub async fn persist(ask: bool) -> Option<bool> {
    let navigator = web_sys::window()?.navigator();
    let storage = Reflect::get(&navigator, &JsValue::from_str("storage")).ok()?;
    if storage.is_undefined() || storage.is_null() {
        return None;
    }
    let already = call(&storage, "persisted").await?;
    if already || !ask {
        return Some(already);
    }
    call(&storage, "persist").await
}

async fn call(storage: &JsValue, method: &str) -> Option<bool> {
    let f: Function = Reflect::get(storage, &JsValue::from_str(method))
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: Promise = f.call0(storage).ok()?.dyn_into().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}
