//! Kaozheng: the 1+X certificate catalog, exam plans, registration, results and the credit bank on
//! a student's phone, working offline. A Leptos client-side app; domain rules live in
//! `kaozheng-core` (see ARCHITECTURE.md for what may import what).

// The server-side build (`ssr`) nests the catalog page's view types deeper than the default allows.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod calendar;
pub mod components;
pub mod embed;
pub mod first_screen;
pub mod format;
pub mod i18n;
pub mod pages;
pub mod platform;
pub mod prefs;
pub mod problem;
pub mod qr;
#[cfg(feature = "ssr")]
pub mod render;
pub mod state;
pub mod storage;
pub mod sync;

/// Replaces the page the server rendered (or the static shell) with the live app and registers
/// the service worker. The app starts from the data the page embedded, so its first frame is the
/// same page, and it is drawn before the server's copy is removed, so nothing flashes.
///
/// Start-up is a chain of short tasks rather than one long one, so a tap on the server's page
/// while the app takes over gets an answer soon (`bench/RESULTS.md`, total blocking time): the
/// WASM is instantiated, then the embedded data is read, then the app is mounted and drawn in
/// the steps of [`state::startup`].
pub fn start() {
    later(read_first_screen);
}

fn later(f: impl FnOnce() + 'static) {
    gloo_timers::callback::Timeout::new(0, f).forget();
}

fn read_first_screen() {
    let first = leptos::prelude::document()
        .get_element_by_id(first_screen::ELEMENT_ID)
        .and_then(|e| e.text_content())
        .and_then(|text| first_screen::FirstScreen::from_embedded_json(&text));
    later(move || mount(first));
}

fn mount(first: Option<first_screen::FirstScreen>) {
    let embed = embed::start_embed();
    let startup = state::startup::Startup::stepped();
    let boot = app::Boot::Browser {
        embed,
        first,
        startup,
    };
    leptos::mount::mount_to_body(move || leptos::view! { <app::App boot=boot/> });
    platform::sw::register();
    later(move || draw(startup));
}

/// Draws the next step in this task and schedules the one after; once all is drawn, the server's
/// copy goes right before the next frame is painted, with what the visitor typed moved over, so
/// no frame shows both or neither.
fn draw(startup: state::startup::Startup) {
    startup.advance();
    if !startup.drawn_untracked() {
        later(move || draw(startup));
        return;
    }
    if startup.waiting() {
        gloo_timers::callback::Timeout::new(16, move || draw(startup)).forget();
        return;
    }
    leptos::prelude::request_animation_frame(move || {
        let document = leptos::prelude::document();
        if let Some(shell) = document.get_element_by_id("shell") {
            let typed = typed_fields(&shell, &document);
            shell.remove();
            carry_over(&document, typed);
        }
        platform::perf::mark("kz:app-mounted");
    });
}

/// A field of the server's page the visitor already used while the app loaded.
struct Typed {
    id: String,
    value: String,
    select: bool,
    focused: bool,
}

fn typed_fields(shell: &web_sys::Element, document: &web_sys::Document) -> Vec<Typed> {
    use wasm_bindgen::JsCast;
    let active = document.active_element();
    let Ok(nodes) = shell.query_selector_all("input[id], select[id]") else {
        return Vec::new();
    };
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|node| {
            let focused = active.as_ref().is_some_and(|a| a.is_same_node(Some(&node)));
            if let Some(input) = node.dyn_ref::<web_sys::HtmlInputElement>() {
                let value = input.value();
                (value != input.default_value() || focused).then(|| Typed {
                    id: input.id(),
                    value,
                    select: false,
                    focused,
                })
            } else {
                let select = node.dyn_ref::<web_sys::HtmlSelectElement>()?;
                Some(Typed {
                    id: select.id(),
                    value: select.value(),
                    select: true,
                    focused,
                })
            }
        })
        .collect()
}

/// Gives the app's copy of each field what the visitor typed or chose (as if they had, so the
/// app reacts: a search runs) and the focus, so taking over loses nothing.
fn carry_over(document: &web_sys::Document, typed: Vec<Typed>) {
    use wasm_bindgen::JsCast;
    for t in typed {
        let Some(el) = document.get_element_by_id(&t.id) else {
            continue;
        };
        let (current, event) = if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
            (input.value(), "input")
        } else if let Some(select) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
            (select.value(), "change")
        } else {
            continue;
        };
        if current != t.value {
            if t.select {
                if let Some(select) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
                    select.set_value(&t.value);
                }
            } else if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                input.set_value(&t.value);
            }
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            if let Ok(ev) = web_sys::Event::new_with_event_init_dict(event, &init) {
                let _ = el.dispatch_event(&ev);
            }
        }
        if t.focused
            && let Some(el) = el.dyn_ref::<web_sys::HtmlElement>()
        {
            let _ = el.focus();
        }
    }
}
