//! The current time as a signal, so plan states (open, closed…) change on screen as time passes.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// How often "now" advances; registration windows are set to the minute.
const TICK_MS: u32 = 30_000;

#[derive(Clone, Copy)]
pub struct Clock {
    pub now: RwSignal<DateTime<Utc>>,
}

pub fn provide_clock() {
    let now = RwSignal::new(Utc::now());
    let tick = gloo_timers::callback::Interval::new(TICK_MS, move || now.set(Utc::now()));
    // The clock lives as long as the app.
    tick.forget();
    provide_context(Clock { now });
}

pub fn use_now() -> RwSignal<DateTime<Utc>> {
    expect_context::<Clock>().now
}
