use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::components::skeleton::Skeleton;
use crate::i18n::tr;
use crate::state::account::use_account;

/// Shows `children` for a student with a session on this phone (even expired: their saved data
/// stays readable offline), else a link to sign in that comes back here.
#[component]
pub fn SignInRequired(children: ChildrenFn) -> impl IntoView {
    let acc = use_account();
    let location = use_location();
    let next = move || {
        format!(
            "/signin?next={}",
            js_sys::encode_uri_component(&format!(
                "{}{}",
                location.pathname.get(),
                location.search.get()
            ))
        )
    };
    view! {
        <Show
            when=move || acc.session.with(Option::is_some)
            fallback=move || {
                view! {
                    <Show
                        when=move || acc.loaded.get()
                        fallback=|| view! { <Skeleton/> }
                    >
                        <p class="empty">
                            <a href=next>{tr(|t| t.sign_in_needed)}</a>
                        </p>
                    </Show>
                }
            }
        >
            <Show when=move || acc.expired.get()>
                <p class="status-problem" role="alert">
                    {tr(|t| t.session_expired)} " " <a href=next>{tr(|t| t.nav_sign_in)}</a>
                </p>
            </Show>
            {children()}
        </Show>
    }
}
