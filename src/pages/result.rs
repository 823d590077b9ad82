use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::feedback_form::FeedbackForm;
use crate::components::qr_code::QrCode;
use crate::components::share_link::ShareLink;
use crate::components::sign_in_required::SignInRequired;
use crate::i18n::{tr, use_i18n};
use crate::state::account::use_account;
use crate::state::catalog::use_catalog;

/// The public check URL a certificate's QR carries (this server's `/verify` page).
fn verify_url(no: &str, check: &str) -> String {
    let origin = window().location().origin().unwrap_or_default();
    format!(
        "{origin}/verify?no={}&check={}",
        js_sys::encode_uri_component(no),
        js_sys::encode_uri_component(check)
    )
}

/// One result: each module's score against its pass mark, pass or not, certificate number and date.
#[component]
pub fn ResultPage() -> impl IntoView {
    let i18n = use_i18n();
    let st = use_catalog();
    let acc = use_account();
    let params = use_params_map();
    // The page is rebuilt only when this result itself changes: a sync that brings the same
    // result again must not reset the feedback the student is filling in.
    let found = Memo::new(move |_| {
        let id = params.read().get("id").unwrap_or_default();
        acc.results.with(|v| {
            v.iter()
                .find(|(r, _)| r.registration_id == id)
                .map(|(r, _)| r.clone())
        })
    });
    let body = move || {
        let Some(r) = found.get() else {
            return view! { <p class="empty">{tr(|t| t.result_not_found)}</p> }.into_any();
        };
        let name = {
            let (id, fallback) = (r.certificate_id.clone(), r.plan_name.clone());
            move || {
                st.catalog.with(|c| {
                    c.as_ref()
                        .and_then(|l| l.catalog.certificate(&id))
                        .map_or_else(|| fallback.clone(), |c| c.name.clone())
                })
            }
        };
        let level = r.level;
        let state = r.state;
        let passed = r.passed;
        view! {
            <h1 data-testid="result-title">{name} "（" {move || i18n.locale.get().pick(level.zh(), level.en())} "）"</h1>
            <p class="cert-meta">
                <span class=if passed { "badge badge-pass" } else { "badge badge-fail" } data-testid="result-verdict">
                    {if passed { tr(|t| t.passed) } else { tr(|t| t.failed) }}
                </span>
                <span class="chip">{move || i18n.locale.get().pick(state.zh(), state.en())}</span>
            </p>
            {(state == kaozheng_core::PlanState::Publicized).then(|| view! {
                <p class="status-note" data-testid="result-provisional">{tr(|t| t.result_provisional)}</p>
            })}
            <p class="plan-name">{r.plan_name.clone()}</p>
            {(!passed).then(|| view! {
                <a href=format!("/certificates/{}", r.certificate_id) class="button button-wide" data-testid="failed-next">
                    {tr(|t| t.failed_next)}
                </a>
            })}
            <table class="scores" data-testid="scores">
                <thead>
                    <tr>
                        <th scope="col">{tr(|t| t.modules)}</th>
                        <th scope="col">{tr(|t| t.score)}</th>
                        <th scope="col">{tr(|t| t.pass_mark)}</th>
                    </tr>
                </thead>
                <tbody>
                    {r.modules
                        .iter()
                        .map(|m| {
                            let module = m.module;
                            let score = if m.exempted {
                                tr(|t| t.exempted).into_any()
                            } else {
                                match m.score {
                                    Some(s) => s.to_string().into_any(),
                                    None => tr(|t| t.not_scored).into_any(),
                                }
                            };
                            view! {
                                <tr class:below=!m.passed()>
                                    <th scope="row">{move || i18n.locale.get().pick(module.zh(), module.en())}</th>
                                    <td>{score}</td>
                                    <td>{m.pass_mark.to_string()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <dl class="facts">
                {r.certificate_no.clone().map(|n| view! {
                    <dt>{tr(|t| t.certificate_no)}</dt>
                    <dd class="mono" data-testid="certificate-no">{n}</dd>
                })}
                {r.issued_on.map(|d| view! {
                    <dt>{tr(|t| t.issued_on)}</dt>
                    <dd>{kaozheng_core::time::date_text(d)}</dd>
                })}
            </dl>
            {r.certificate_no.clone().filter(|_| !r.certificate_check.is_empty()).map(|no| {
                let url = verify_url(&no, &r.certificate_check);
                view! {
                    <section class="panel verify-qr">
                        <QrCode text=url.clone() label=tr(|t| t.verify_qr_label)/>
                        <p class="hint">{tr(|t| t.verify_qr_hint)}</p>
                        <p class="mono small" data-testid="verify-url">{url.clone()}</p>
                        <ShareLink url=url/>
                    </section>
                }
            })}
            <FeedbackForm certificate_id=r.certificate_id.clone() level=r.level/>
        }
        .into_any()
    };
    view! {
        <section class="page result-page">
            <p class="back"><a href="/results">{tr(|t| t.results_title)}</a></p>
            <SignInRequired>{body}</SignInRequired>
        </section>
    }
}
