use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::prefs;
use crate::state::catalog::use_catalog;
use crate::state::clock::use_now;

/// On home: the certificates the student asked to be reminded about that now have an upcoming
/// exam plan, each with a way to it; "got it" removes the reminder.
#[component]
pub fn WatchNotice() -> impl IntoView {
    let i18n = use_i18n();
    let st = use_catalog();
    let now = use_now();
    let watched = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| watched.set(prefs::watched()));
    let found = Memo::new(move |_| {
        let ids = watched.get();
        st.plans.with(|plans| {
            ids.into_iter()
                .filter(|id| {
                    plans
                        .iter()
                        .any(|p| p.certificate_id == *id && p.is_upcoming(now.get()))
                })
                .map(|id| {
                    let name = st
                        .catalog
                        .with(|c| {
                            c.as_ref()
                                .and_then(|l| l.catalog.certificate(&id))
                                .map(|c| c.short_name().to_string())
                        })
                        .unwrap_or_else(|| id.clone());
                    (id, name)
                })
                .collect::<Vec<_>>()
        })
    });
    let dismiss = move |id: String| {
        let mut ids = prefs::watched();
        ids.retain(|x| *x != id);
        prefs::save_watched(&ids);
        watched.set(ids);
    };
    move || {
        found
            .get()
            .into_iter()
            .map(|(id, name)| {
                let href = format!("/certificates/{id}");
                let text = (i18n.t().watch_found)(&name);
                view! {
                    <div class="status-note watch-notice" role="status" data-testid="watch-notice">
                        <p>{text}</p>
                        <p class="actions">
                            <a href=href class="button">{i18n.t().watch_view}</a>
                            <button type="button" class="button button-secondary" on:click=move |_| dismiss(id.clone())>
                                {i18n.t().watch_dismiss}
                            </button>
                        </p>
                    </div>
                }
            })
            .collect_view()
    }
}
