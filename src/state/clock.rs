//! The app's one clock: the current time as a signal, so plan states (open, closed…) change on
//! screen as time passes, and [`now`] for code that needs the instant. Nothing else in the app
//! reads the system time (`clippy.toml` forbids `Utc::now` elsewhere), so every rule gets its
//! `now` from here and tests can pass their own.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// How often "now" advances; registration windows are set to the minute.
const TICK_MS: u32 = 30_000;

#[derive(Clone, Copy)]
pub struct Clock {
    pub now: RwSignal<DateTime<Utc>>,
}

/// The current instant.
#[allow(clippy::disallowed_methods)]
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// `start`: the instant the app starts at (the server's, when it renders a page); `ticking`: in
/// the browser, where time then moves on.
pub fn provide_clock(start: DateTime<Utc>, ticking: bool) {
    let now = RwSignal::new(start);
    if ticking {
        let tick = gloo_timers::callback::Interval::new(TICK_MS, move || now.set(self::now()));
        // The clock lives as long as the app.
        tick.forget();
    }
    provide_context(Clock { now });
}

pub fn use_now() -> RwSignal<DateTime<Utc>> {
    expect_context::<Clock>().now
}
