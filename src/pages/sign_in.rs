use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api;
use crate::i18n::{problem, tr, use_i18n};
use crate::problem::Problem;
use crate::state::account::use_account;
use crate::state::network::use_network;

/// Only same-app paths are followed after signing in (no open redirects).
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//"))
        .unwrap_or_else(|| "/me".to_string())
}

/// Student number and password. Signing in needs the network; everything after works offline.
#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let acc = use_account();
    let net = use_network();
    let navigate = use_navigate();
    let query = use_query_map();
    let student_no = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Problem>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        let next = safe_next(query.get_untracked().get("next"));
        spawn_local(async move {
            let no = student_no.get_untracked();
            let pw = password.get_untracked();
            match api::login(no.trim(), &pw).await {
                Ok(signed) => match acc.sign_in(signed).await {
                    Ok(()) => {
                        password.set(String::new());
                        navigate(&next, Default::default());
                    }
                    Err(e) => error.set(Some(e.into())),
                },
                Err(e) => error.set(Some(e.into())),
            }
            busy.set(false);
        });
    };

    view! {
        <section class="page sign-in-page">
            <h1>{tr(|t| t.sign_in_title)}</h1>
            <p class="intro">{tr(|t| t.sign_in_intro)}</p>
            <Show when=move || acc.expired.get()>
                <p class="status-problem" role="alert">{tr(|t| t.session_expired)}</p>
            </Show>
            <form class="form" on:submit=submit>
                <label for="student-no">{tr(|t| t.student_no)}</label>
                <input
                    id="student-no"
                    name="username"
                    autocomplete="username"
                    inputmode="numeric"
                    required
                    prop:value=move || student_no.get()
                    on:input=move |ev| student_no.set(event_target_value(&ev))
                />
                <label for="password">{tr(|t| t.password)}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                {move || {
                    error
                        .get()
                        .map(|e| {
                            view! {
                                <p class="form-error" role="alert" data-testid="sign-in-error">
                                    {problem(t(), &e)}
                                </p>
                            }
                        })
                }}
                <button type="submit" class="button" disabled=move || busy.get() || !net.online.get()>
                    {move || if busy.get() { t().signing_in } else { t().sign_in_button }}
                </button>
                <Show when=move || !net.online.get()>
                    <p class="empty">{tr(|t| t.sign_in_offline)}</p>
                </Show>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            safe_next(Some("/me/registrations".into())),
            "/me/registrations"
        );
        assert_eq!(safe_next(Some("//evil.example/x".into())), "/me");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/me");
        assert_eq!(safe_next(None), "/me");
    }
}
