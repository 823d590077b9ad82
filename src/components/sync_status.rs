use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::restored_notice::RestoredNotice;
use crate::format;
use crate::i18n::{problems, storage_error, tr, use_i18n};
use crate::state::account::use_account;
use crate::state::catalog::{SyncProblem, use_catalog};
use crate::state::clock::use_now;
use crate::state::connection::use_connection;
use crate::state::network::use_network;
use crate::storage::StorageError;

/// Online/offline, when the data was last updated, how many changes wait to be sent, and any
/// problem with syncing or storage.
///
/// Problems are shown, never swallowed: a failed refresh keeps the saved data and says so; a
/// database another tab upgraded asks for a reload.
#[component]
pub fn SyncStatus() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let st = use_catalog();
    let conn = use_connection();
    let net = use_network();
    let now = use_now();
    let acc = use_account();
    let pending = move || acc.outbox.with(|o| o.len());

    let offline = move || !net.online.get() || st.problem.get() == Some(SyncProblem::Unreachable);
    let updated = move || match st.synced_at.get() {
        Some(at) => view! {
            <span>
                {t().updated_at} " "
                <time datetime=kaozheng_core::time::rfc3339_china(at) title=format::minute(at)>
                    {format::age(t(), at, now.get())}
                </time>
            </span>
        }
        .into_any(),
        None => view! { <span>{t().never_synced}</span> }.into_any(),
    };
    let problem = move || {
        let p = st.problem.get()?;
        let text = match p {
            SyncProblem::Unreachable => t().offline_note.to_string(),
            SyncProblem::Server(answer) => {
                format!("{} {}", t().sync_failed, problems::answer(t(), &answer))
            }
            SyncProblem::Rejected(_) => t().catalog_rejected.to_string(),
        };
        Some(view! {
            <p class="status-problem" data-testid="sync-problem">
                <span class="problem-text">{text}</span>
                <button
                    type="button"
                    class="link-button"
                    disabled=move || st.syncing.get()
                    on:click=move |_| spawn_local(st.refresh())
                >
                    {tr(|t| t.retry)}
                </button>
            </p>
        })
    };
    let storage = move || {
        conn.error.get().map(|e| {
            let message = storage_error(t(), &e);
            // This page's connection is gone for good: only a reload (newer code) helps.
            let gone = matches!(
                e,
                StorageError::VersionChanged | StorageError::Closed | StorageError::Blocked
            );
            view! {
                <p class="status-problem" role="alert" data-testid="storage-error">
                    <span class="problem-text">
                        {(!gone).then(|| t().storage_failed)}
                        {message}
                    </span>
                    {gone.then(|| view! {
                        <button
                            type="button"
                            class="link-button"
                            data-testid="reload-app"
                            on:click=move |_| {
                                let _ = window().location().reload();
                            }
                        >
                            {tr(|t| t.reload_page)}
                        </button>
                    })}
                </p>
            }
        })
    };
    let skipped = move || {
        let n = st.skipped.get();
        (n > 0).then(|| {
            view! {
                <p class="status-note" data-testid="skipped-records">
                    {(t().skipped_records)(n)}
                    <button type="button" class="link-button" on:click=move |_| st.skipped.set(0)>
                        {tr(|t| t.dismiss)}
                    </button>
                </p>
            }
        })
    };

    view! {
        <section class="sync-status" role="status" aria-live="polite" data-testid="sync-status">
            <p class="status-line">
                <span class="net" class:net-offline=offline data-testid="network-state">
                    <span class="dot" aria-hidden="true"></span>
                    {move || if offline() { t().offline } else { t().online }}
                </span>
                <span class="status-sep" aria-hidden="true">"·"</span>
                {updated}
                <Show when=move || st.syncing.get()>
                    <span class="status-sep" aria-hidden="true">"·"</span>
                    <span class="syncing">{tr(|t| t.syncing)}</span>
                </Show>
                <Show when=move || { pending() > 0 }>
                    <a href="/me/registrations" class="badge" data-testid="pending-count">
                        {move || (t().pending_changes)(pending())}
                    </a>
                </Show>
            </p>
            {problem}
            {storage}
            <RestoredNotice/>
            {skipped}
        </section>
    }
}
