use leptos::prelude::*;
use leptos_router::hooks::use_location;
use wasm_bindgen::JsCast;

/// After each in-app navigation, moves focus to the main landmark, so keyboard and screen-reader
/// users start at the new page (otherwise focus falls back to the top of the document when the
/// clicked link disappears).
#[component]
pub fn RouteFocus() -> impl IntoView {
    let location = use_location();
    Effect::new(move |prev: Option<String>| {
        let path = location.pathname.get();
        if prev.is_some_and(|p| p != path)
            && let Some(main) = document()
                .get_element_by_id("main")
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = main.focus();
        }
        path
    });
}
