use leptos::prelude::*;

/// A QR code drawn as SVG, so it works offline and prints sharply.
#[component]
pub fn QrCode(text: String, #[prop(into)] label: Signal<&'static str>) -> impl IntoView {
    match crate::qr::svg_path(&text) {
        Some((side, path)) => view! {
            <svg
                class="qr"
                viewBox=format!("0 0 {side} {side}")
                role="img"
                aria-label=label
                data-testid="ticket-qr"
                data-qr-text=text
                shape-rendering="crispEdges"
            >
                <rect width=side.to_string() height=side.to_string() fill="#fff"></rect>
                <path d=path fill="#000"></path>
            </svg>
        }
        .into_any(),
        None => ().into_any(),
    }
}
