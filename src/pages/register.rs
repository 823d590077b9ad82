use kaozheng_core::rules::{Advice, Eligibility, Refusal, advise_registration, check_registration};
use kaozheng_core::{PlanState, Registration};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::components::citation_note::CitationNote;
use crate::components::fee_note::FeeNote;
use crate::components::plan_card::PlanCard;
use crate::components::sign_in_required::SignInRequired;
use crate::i18n::{storage_error, tr, use_i18n};
use crate::state::account::{phone_registrations, use_account};
use crate::state::catalog::use_catalog;
use crate::state::clock::use_now;
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
    // and the advice the student may pass, both by the core rules the server applies.
    let verdict = Memo::new(move |_| {
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
    let refusals = Memo::new(move |_| verdict.get().map(|(r, _)| r));
    let advice = Memo::new(move |_| verdict.get().map(|(_, a)| a).unwrap_or_default());
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
        let full = p.seats_left == 0 && p.state_at(crate::state::clock::now()) == PlanState::Open;
        view! {
            {match cert {
                Some(c) => view! { <PlanCard plan=p.clone() site=site now=Signal::from(now) certificate=c/> }.into_any(),
                None => view! { <PlanCard plan=p.clone() site=site now=Signal::from(now)/> }.into_any(),
            }}
            <section aria-labelledby="elig-title" class="panel">
                <h2 id="elig-title">{tr(|t| t.eligibility)}</h2>
                {move || match (existing(), refusals.get()) {
                    (Some(_), _) => view! {
                        <p class="status-note" data-testid="already-registered">
                            {tr(|t| t.state_queued)} " / " {tr(|t| t.state_confirmed)} " · "
                            <A href="/me/registrations">{tr(|t| t.my_registrations)}</A>
                        </p>
                    }
                        .into_any(),
                    (None, Some(r)) if r.is_empty() => view! {
                        <p class="verdict verdict-ok" data-testid="eligibility-ok">{tr(|t| t.eligible)}</p>
                    }
                        .into_any(),
                    (None, Some(r)) => {
                        let sources = restriction_sources(&r);
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
                    }
                        .into_any()
                    }
                    (None, None) => ().into_any(),
                }}
                {move || {
                    let a = advice.get();
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
            {move || fee.get().map(|f| {
                let funded = f.reason == kaozheng_core::FeeReason::PilotExamCovered;
                view! {
                <section aria-labelledby="fee-title" class="panel">
                    <h2 id="fee-title">{tr(|t| t.who_pays)}</h2>
                    <FeeNote fee=f/>
                    {funded.then(|| view! {
                        <p class="status-note" data-testid="uses-school-paid">{tr(|t| t.uses_funded_exam)}</p>
                    })}
                </section>
            }})}
            {full.then(|| view! { <p class="status-problem">{tr(|t| t.full)}</p> })}
            {move || error.get().map(|e| {
                let message = storage_error(i18n.t(), &e);
                view! {
                    <p class="form-error" role="alert" data-testid="register-error">
                        {message} " " {tr(|t| t.register_not_saved)}
                    </p>
                }
            })}
            <button
                type="button"
                class="button button-wide"
                data-testid="confirm-register"
                disabled=move || {
                    busy.get() || existing().is_some()
                        || refusals.get().is_none_or(|r| !r.is_empty())
                }
                on:click=confirm.clone()
            >
                {tr(|t| t.confirm_register)}
            </button>
            <p class="hint">{tr(|t| t.queued_note)}</p>
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
