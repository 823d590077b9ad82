use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::{tr, use_i18n};

/// What became of the last tap.
#[derive(Clone, Copy, PartialEq)]
enum Shared {
    Not,
    Copied,
    Failed,
}

/// Calls `navigator[name](arg)` when the browser has it, so a missing API costs no feature flag.
fn call_navigator(target: &JsValue, name: &str, arg: &JsValue) -> Option<js_sys::Promise> {
    let f = js_sys::Reflect::get(target, &JsValue::from_str(name)).ok()?;
    let f = f.dyn_ref::<js_sys::Function>()?;
    f.call1(target, arg).ok()?.dyn_into().ok()
}

/// Shares a link through the phone's own share sheet (Web Share API, where WeChat and QQ are),
/// falling back to copying it, and says which happened.
#[component]
pub fn ShareLink(url: String) -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(Shared::Not);
    let share = move |_| {
        let url = url.clone();
        leptos::task::spawn_local(async move {
            let Some(nav) = web_sys::window().map(|w| JsValue::from(w.navigator())) else {
                return;
            };
            let data = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&data, &"url".into(), &JsValue::from_str(&url));
            if let Some(p) = call_navigator(&nav, "share", &data) {
                // Shared, or the student closed the sheet: either way, nothing more to do.
                let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                return;
            }
            let copied = match js_sys::Reflect::get(&nav, &"clipboard".into()) {
                Ok(clip) if !clip.is_undefined() => {
                    match call_navigator(&clip, "writeText", &JsValue::from_str(&url)) {
                        Some(p) => wasm_bindgen_futures::JsFuture::from(p).await.is_ok(),
                        None => false,
                    }
                }
                _ => false,
            };
            state.set(if copied {
                Shared::Copied
            } else {
                Shared::Failed
            });
        });
    };
    view! {
        <button type="button" class="button button-secondary" data-testid="share-verify" on:click=share>
            {tr(|t| t.share_verify)}
        </button>
        <p class="hint" data-testid="share-state" aria-live="polite">
            {move || match state.get() {
                Shared::Not => "",
                Shared::Copied => i18n.t().link_copied,
                Shared::Failed => i18n.t().copy_failed,
            }}
        </p>
    }
}
