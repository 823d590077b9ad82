use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use crate::api::{self, ApiError, Verification};
use crate::i18n::{api_error, tr, use_i18n};

/// Public certificate check for employers: a certificate number with the holder's name, or the QR
/// from a student's result page (number + check code). No sign-in; the server answers unknown or
/// mismatched details with one neutral "not found".
#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = query.get_untracked();
    let no = RwSignal::new(q.get("no").unwrap_or_default());
    let name = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<Result<Verification, ApiError>>);
    let busy = RwSignal::new(false);

    let check = move |check_code: Option<String>| {
        busy.set(true);
        spawn_local(async move {
            let n = no.get_untracked();
            let holder = name.get_untracked();
            let res = api::verify_certificate(
                n.trim(),
                check_code.as_deref(),
                (!holder.trim().is_empty()).then_some(holder.trim()),
            )
            .await;
            answer.set(Some(res));
            busy.set(false);
        });
    };
    // Scanned QR: check at once.
    if let (Some(_), Some(code)) = (q.get("no"), q.get("check")) {
        check(Some(code));
    }

    let result = move || {
        answer.get().map(|a| match a {
            Ok(v) if v.valid || v.status == Some(api::CertificateStatus::PublicNotice) => {
                let level = v.level;
                // In 公示 the result may still change: genuine, not yet final.
                let notice = !v.valid;
                view! {
                    <section
                        class=if notice { "panel verdict-notice-panel" } else { "panel verdict-ok-panel" }
                        data-testid=if notice { "verify-public-notice" } else { "verify-valid" }
                    >
                        {if notice {
                            view! { <p class="verdict verdict-wait">{tr(|t| t.verify_public_notice)}</p> }.into_any()
                        } else {
                            view! { <p class="verdict verdict-ok">{tr(|t| t.verify_valid)}</p> }.into_any()
                        }}
                        <dl class="facts">
                            <dt>{tr(|t| t.holder)}</dt>
                            <dd data-testid="verify-holder">{v.holder.clone()}</dd>
                            <dt>{tr(|t| t.certificate)}</dt>
                            <dd>{v.certificate_name.clone()}</dd>
                            <dt>{tr(|t| t.level)}</dt>
                            <dd>{move || level.map(|l| i18n.locale.get().pick(l.zh(), l.en()))}</dd>
                            <dt>{tr(|t| t.certificate_no)}</dt>
                            <dd class="mono">{v.certificate_no.clone()}</dd>
                            <dt>{tr(|t| t.issued_on)}</dt>
                            <dd>{v.issued_on.map(kaozheng_core::time::date_text)}</dd>
                            <dt>{tr(|t| t.org)}</dt>
                            <dd>{v.org_name.clone()}</dd>
                        </dl>
                    </section>
                }
                .into_any()
            }
            Ok(_) => view! { <p class="verdict verdict-no" data-testid="verify-unknown">{tr(|t| t.verify_unknown)}</p> }.into_any(),
            Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.t(), &e)}</p> }.into_any(),
        })
    };

    view! {
        <section class="page verify-page">
            <h1>{tr(|t| t.verify_title)}</h1>
            <p class="intro">{tr(|t| t.verify_intro)}</p>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); check(None); }>
                <label for="v-no">{tr(|t| t.certificate_no_label)}</label>
                <input id="v-no" required autocomplete="off" prop:value=move || no.get() on:input=move |ev| no.set(event_target_value(&ev))/>
                <label for="v-name">{tr(|t| t.holder_name)}</label>
                <input id="v-name" required autocomplete="off" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <button type="submit" class="button" disabled=move || busy.get()>{tr(|t| t.verify_button)}</button>
            </form>
            {result}
        </section>
    }
}
