//! Whether the browser believes it is online. A `true` here only means "worth trying": the sync
//! status reports whether the server was actually reached.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Network {
    pub online: RwSignal<bool>,
}

/// `browser`: listen to the browser; on the server (rendering a page) the network is simply up.
pub fn provide_network(browser: bool) -> Network {
    let online = RwSignal::new(true);
    if browser {
        online.set(
            web_sys::window()
                .map(|w| w.navigator().on_line())
                .unwrap_or(true),
        );
        let on = window_event_listener(leptos::ev::online, move |_| online.set(true));
        let off = window_event_listener(leptos::ev::offline, move |_| online.set(false));
        // Both listeners live as long as the app.
        std::mem::forget((on, off));
    }
    let n = Network { online };
    provide_context(n);
    n
}

pub fn use_network() -> Network {
    expect_context::<Network>()
}
