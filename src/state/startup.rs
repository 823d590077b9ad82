//! Start-up draws the app in steps, one task each, while the server's copy of the page stays on
//! screen: drawn in one go, start-up was one task of about 180 ms on a mid-range phone (4× CPU),
//! and a tap in that time waited for all of it (`bench/RESULTS.md`, total blocking time). The
//! app's copy stays hidden until the last step (`#shell ~ *` in the style sheet), so no frame
//! shows half of it.

use leptos::prelude::*;

/// The app's state and router.
pub const FRAME: u8 = 0;
/// The header and the sync status.
pub const CHROME: u8 = 1;
/// The route's page, with the first cards of each list.
pub const PAGE: u8 = 2;
/// Everything: the rest of each list, and the footer.
pub const DRAWN: u8 = 3;

/// How many cards a list draws before the last step.
pub const FIRST_CARD_COUNT: usize = 4;

/// Which step start-up has reached. After start-up (and on the server) it is always `DRAWN`.
#[derive(Clone, Copy)]
pub struct Startup {
    step: RwSignal<u8>,
    /// Data the server's page showed but did not embed (the catalog the phone holds) is still
    /// being read: the server's copy stays until it is on the app's copy too.
    waiting: StoredValue<bool>,
}

impl Startup {
    /// Start-up in the browser, at its first step.
    pub fn stepped() -> Self {
        Self {
            step: RwSignal::new(FRAME),
            waiting: StoredValue::new(false),
        }
    }

    /// Drawn at once: the server renders the whole page in one pass.
    pub fn drawn() -> Self {
        Self {
            step: RwSignal::new(DRAWN),
            waiting: StoredValue::new(false),
        }
    }

    /// Whether start-up has reached `step` (reactive).
    pub fn reached(self, step: u8) -> bool {
        self.step.get() >= step
    }

    /// Whether everything is drawn, without tracking it.
    pub fn drawn_untracked(self) -> bool {
        self.step.get_untracked() >= DRAWN
    }

    /// Keeps the server's copy on screen until [`Startup::release`].
    pub fn wait(self) {
        self.waiting.set_value(true);
    }

    pub fn release(self) {
        self.waiting.set_value(false);
    }

    /// Whether the server's copy must stay a little longer.
    pub fn waiting(self) -> bool {
        self.waiting.get_value()
    }

    /// How many cards a list may draw now (reactive).
    pub fn cards(self) -> usize {
        if self.reached(DRAWN) {
            usize::MAX
        } else {
            FIRST_CARD_COUNT
        }
    }

    /// Goes to the next step, if there is one.
    pub fn advance(self) {
        let step = self.step.get_untracked();
        if step < DRAWN {
            self.step.set(step + 1);
        }
    }
}

pub fn provide_startup(startup: Startup) {
    provide_context(startup);
}

pub fn use_startup() -> Startup {
    expect_context::<Startup>()
}
