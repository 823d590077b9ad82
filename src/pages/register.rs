use kaozheng_core::Registration;
use kaozheng_core::rules::{Advice, Eligibility, Refusal, advise_registration, check_registration};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::components::citation_note::CitationNote;
use crate::components::fee_note::FeeNote;
use crate::components::payment_note::PaymentNote;
use crate::components::plan_card::PlanCard;
use crate::components::registration_badge::RegistrationBadge;
use crate::components::sign_in_required::SignInRequired;
use crate::components::skeleton::Skeleton;
use crate::i18n::{storage_error, tr, use_i18n};
use crate::state::account::{phone_registrations, use_account};
use crate::state::catalog::SyncProblem;
use crate::state::catalog::use_catalog;
use crate::state::clock::use_now;
use crate::state::network::use_network;
use crate::storage::StorageError;

/// Registering for one exam plan: the plan, the eligibility verdict and the fee, both worked out on
/// the phone by the same core rules the server applies, then "confirm" queues it (offline too).
#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let st = use_catalog();
    let acc = use_account();
    let now = use_now();
    let params = use_params_map();
    let navigate = use_navigate();
    let plan_id = move || params.read().get("plan_id").unwrap_or_default();
    let plan = Memo::new(move |_| {
        let id = plan_id();
        st.plans.with(|p| p.iter().find(|p| p.id == id).cloned())
    });
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<StorageError>);

    // The refusals (the plan, the student's other exams, a level passed, a school's cited rule)
    // and the advice the student may pass, both by the core rules the server applies. None until
    // the phone's records (their registrations, the rule documents) are read: a verdict from half
    // of them would flip, say from "the school pays" to "you pay", under the student's eyes. A new
    // phone waits for the rules from the server too (or for that fetch to fail).
    let ready = move || acc.loaded.get() && st.local_read_done.get() && st.rules_settled.get();
    let verdict = Memo::new(move |_| {
        if !ready() {
            return None;
        }
        let plan = plan.get()?;
        let student = acc.student()?;
        let regs: Vec<Registration> = acc
            .registrations
            .with(|r| st.plans.with(|plans| phone_registrations(r, plans)));
        let certified = acc.certified();
        let info = st.catalog.with(|c| {
            c.as_ref()
                .and_then(|l| l.catalog.certificate(&plan.certificate_id))
                .and_then(|c| c.level(plan.level).cloned())
        });
        let restrictions = st.eligibility_rules.get();
        let who = Eligibility {
            student: &student,
            registrations: &regs,
            certified: &certified,
            restrictions: restrictions.as_deref(),
        };
        Some((
            check_registration(now.get(), &plan, &who),
            advise_registration(&plan, info.as_ref(), &who),
        ))
    });
    let refusals = move || verdict.get().map(|(r, _)| r);
    let advice = move || verdict.get().map(|(_, a)| a).unwrap_or_default();
    // The school's document behind a school restriction, shown with the refusal.
    let restriction_sources = move |r: &[Refusal]| {
        r.iter()
            .filter_map(|x| match x {
                Refusal::SchoolRestriction { restriction_id, .. } => Some(restriction_id.clone()),
                _ => None,
            })
            .filter_map(|id| {
                st.eligibility_rules
                    .with(|e| e.as_ref().and_then(|e| e.restriction(&id).cloned()))
            })
            .flat_map(|r| r.citations)
            .collect::<Vec<_>>()
    };
    let existing = move || plan.get().and_then(|p| acc.live_for_plan(&p.id));
    let net = use_network();
    // As the status line says it: offline when the browser says so or the server was unreachable.
    let online = move || net.online.get() && st.problem.get() != Some(SyncProblem::Unreachable);

    let confirm = move |_| {
        let Some(p) = plan.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match acc.register(&p).await {
                Ok(_) => navigate("/me/registrations", Default::default()),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };

    let body = move || {
        let Some(p) = plan.get() else {
            let msg = if st.plans_known.get() {
                i18n.t().plan_not_found
            } else {
                i18n.t().loading
            };
            return view! { <p class="empty">{msg}</p> }.into_any();
        };
        let site = st
            .sites
            .with(|s| s.iter().find(|s| s.id == p.site_id).cloned());
        let cert = st.catalog.with(|c| {
            c.as_ref()
                .and_then(|l| l.catalog.certificate(&p.certificate_id))
                .map(|c| (c.id.clone(), c.short_name().to_string()))
        });
        let fee = {
            let p = p.clone();
            Memo::new(move |_| st.plans.with(|plans| acc.fee_preview(&p, plans)))
        };
        let full = p.seats_left == 0;
        let confirm = confirm.clone();
        let cert_href = format!("/certificates/{}", p.certificate_id);
        // One verdict: registered (its real state), refused (why), full at the last sync (may
        // queue, the server decides), or eligible.
        let eligible = move || existing().is_none() && refusals().is_some_and(|r| r.is_empty());
        let synced = move || {
            st.synced_at
                .get()
                .map(crate::format::minute)
                .unwrap_or_else(|| i18n.t().never_synced.to_string())
        };
        view! {
            {match cert {
                Some(c) => view! { <PlanCard plan=p.clone() site=site now=Signal::from(now) certificate=c summary=true/> }.into_any(),
                None => view! { <PlanCard plan=p.clone() site=site now=Signal::from(now) summary=true/> }.into_any(),
            }}
            <section aria-labelledby="elig-title" class="panel confirm-summary">
                <h2 id="elig-title">{tr(|t| t.eligibility)}</h2>
                {move || match (existing(), refusals()) {
                    (Some(reg), _) => {
                        let id = reg.client_id.clone();
                        let state = Signal::derive(move || {
                            acc.registrations
                                .with(|r| r.iter().find(|r| r.client_id == id).map(|r| r.state))
                                .unwrap_or(reg.state)
                        });
                        let sending = Signal::derive(move || acc.sending.with(Option::is_some));
                        view! {
                        <p class="status-note" data-testid="already-registered">
                            {tr(|t| t.your_state)} <RegistrationBadge state=state sending=sending/>
                        </p>
                        <a href="/me/registrations" class="button button-wide">{tr(|t| t.view_registration)}</a>
                    }
                        .into_any()
                    }
                    (None, Some(r)) if r.is_empty() && full => view! {
                        <p class="verdict verdict-full" data-testid="eligibility-full">
                            {move || (i18n.t().full_queue_note)(&synced())}
                        </p>
                    }
                        .into_any(),
                    (None, Some(r)) if r.is_empty() => view! {
                        <p class="verdict verdict-ok" data-testid="eligibility-ok">{tr(|t| t.eligible)}</p>
                    }
                        .into_any(),
                    (None, Some(r)) => {
                        let sources = restriction_sources(&r);
                        let href = cert_href.clone();
                        view! {
                        <div class="verdict verdict-no" data-testid="eligibility-refusals">
                            <p>{tr(|t| t.not_eligible)}</p>
                            <ul>
                                {r.into_iter()
                                    .map(|x: Refusal| {
                                        let code = x.code();
                                        view! { <li data-code=code>{move || (i18n.t().refusal)(&x)}</li> }
                                    })
                                    .collect_view()}
                            </ul>
                            {sources.into_iter().map(|c| view! { <CitationNote citation=c/> }).collect_view()}
                        </div>
                        <a href=href class="button button-secondary button-wide" data-testid="other-plans">{tr(|t| t.other_plans)}</a>
                    }
                        .into_any()
                    }
                    (None, None) => view! { <Skeleton testid="verdict-loading"/> }.into_any(),
                }}
                {move || eligible().then(|| fee.get()).flatten().map(|f| {
                    let funded = f.reason == kaozheng_core::FeeReason::PilotExamCovered;
                    view! {
                        <h3 id="fee-title">{tr(|t| t.who_pays)}</h3>
                        <FeeNote fee=f/>
                        {funded.then(|| view! {
                            <p class="hint" data-testid="uses-school-paid">{tr(|t| t.uses_funded_exam)}</p>
                        })}
                    }
                })}
                {move || error.get().map(|e| {
                    let message = storage_error(i18n.t(), &e);
                    view! {
                        <p class="form-error" role="alert" data-testid="register-error">
                            {message} " " {tr(|t| t.register_not_saved)}
                        </p>
                    }
                })}
                <Show when=eligible>
                    <button
                        type="button"
                        class=if full { "button button-secondary button-wide" } else { "button button-wide" }
                        data-testid="confirm-register"
                        disabled=move || busy.get()
                        on:click=confirm.clone()
                    >
                        {if full { tr(|t| t.join_queue) } else { tr(|t| t.confirm_register) }}
                    </button>
                    <p class="hint" data-testid="send-note">
                        {move || if online() { i18n.t().send_note_online } else { i18n.t().send_note_offline }}
                    </p>
                </Show>
                // What comes after the button: how, where and by when to pay (registering is not
                // paying), kept below it so the decision stays on the first screen.
                {move || eligible().then(|| fee.get()).flatten().map(|f| view! {
                    <PaymentNote
                        payment=plan.get().and_then(|p| p.payment)
                        owed_fen=f.student_pays_fen
                        paid=None
                    />
                })}
                {move || {
                    let a = advice();
                    (!a.is_empty() && existing().is_none()).then(|| view! {
                        <div class="status-note advice" data-testid="eligibility-advice">
                            <p>{tr(|t| t.advice_title)}</p>
                            <ul>
                                {a.into_iter()
                                    .map(|x: Advice| {
                                        let code = x.code();
                                        view! { <li data-code=code>{move || (i18n.t().advice)(&x)}</li> }
                                    })
                                    .collect_view()}
                            </ul>
                        </div>
                    })
                }}
                <p class="hint">{tr(|t| t.checked_offline)}</p>
            </section>
        }
        .into_any()
    };

    view! {
        <section class="page register-page">
            <h1>{tr(|t| t.register_title)}</h1>
            <SignInRequired>{body.clone()}</SignInRequired>
        </section>
    }
}
