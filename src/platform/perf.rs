//! Names on the page's performance timeline that the benchmarks (bench/) read, so load, search and
//! storage timings come from the app itself:
//!
//! - marks `kz:app-mounted` (the app has taken the server page's place on screen),
//!   `kz:catalog-painted-local` (from IndexedDB), `kz:catalog-painted-network`
//! - measures `kz:search` (one search over the catalog, per keystroke) and `kz:idb-save-catalog`
//!   (writing a downloaded catalog to IndexedDB)

/// The page's timeline; none outside a browser (the server renders pages with the same code).
fn performance() -> Option<web_sys::Performance> {
    if cfg!(target_arch = "wasm32") {
        web_sys::window().and_then(|w| w.performance())
    } else {
        None
    }
}

/// Records a mark; a no-op where the API is missing.
pub fn mark(name: &str) {
    if let Some(p) = performance() {
        let _ = p.mark(name);
    }
}

/// Marks the start of a span measured by [`Span::end`].
pub struct Span(&'static str);

impl Span {
    pub fn start(name: &'static str) -> Span {
        mark(&format!("{name}:start"));
        Span(name)
    }

    /// Records the measure `name` from the start mark to now.
    pub fn end(self) {
        if let Some(p) = performance() {
            let start = format!("{}:start", self.0);
            let end = format!("{}:end", self.0);
            let _ = p.mark(&end);
            let _ = p.measure_with_start_mark_and_end_mark(self.0, &start, &end);
            p.clear_marks_with_mark_name(&start);
            p.clear_marks_with_mark_name(&end);
        }
    }
}
