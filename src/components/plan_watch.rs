use leptos::prelude::*;

use crate::i18n::tr;
use crate::prefs;

/// "Remind me when exam plans are announced" for a certificate without plans: a next step where
/// there would be a dead end. The reminder is a note on the phone that home reads after each
/// update ([`WatchNotice`](super::watch_notice::WatchNotice)).
#[component]
pub fn PlanWatch(certificate_id: String) -> impl IntoView {
    let watching = RwSignal::new(false);
    {
        let id = certificate_id.clone();
        // In the browser only: the server renders the page without the phone's storage.
        Effect::new(move |_| watching.set(prefs::watched().contains(&id)));
    }
    let toggle = move |_| {
        let mut ids = prefs::watched();
        if watching.get_untracked() {
            ids.retain(|x| *x != certificate_id);
        } else if !ids.contains(&certificate_id) {
            ids.push(certificate_id.clone());
        }
        prefs::save_watched(&ids);
        watching.set(!watching.get_untracked());
    };
    view! {
        <div class="plan-watch" data-testid="plan-watch">
            {move || watching.get().then(|| view! {
                <p class="hint" role="status" data-testid="watching">{tr(|t| t.watching)}</p>
            })}
            <button
                type="button"
                class="button button-secondary"
                aria-pressed=move || watching.get().to_string()
                data-testid="watch-toggle"
                on:click=toggle
            >
                {move || if watching.get() { tr(|t| t.unwatch).into_any() } else { tr(|t| t.watch_plans).into_any() }}
            </button>
        </div>
    }
}
