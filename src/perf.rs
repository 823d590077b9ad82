//! `performance.mark` names the benchmarks read, so load and search timings come from the app itself.

/// Records a mark on the page's performance timeline; a no-op where the API is missing.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}
