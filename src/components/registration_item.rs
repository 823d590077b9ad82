use kaozheng_core::PlanState;
use kaozheng_core::outbox::{Action, LocalRegistration, LocalState};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::fee_note::FeeNote;
use crate::components::payment_note::PaymentNote;
use crate::components::registration_badge::RegistrationBadge;
use crate::format;
use crate::i18n::{refused_key, tr, use_i18n};
use crate::state::account::use_account;
use crate::state::catalog::use_catalog;
use crate::state::clock::use_now;
use crate::state::network::use_network;

/// One registration in the list.
#[component]
pub fn RegistrationItem(reg: LocalRegistration) -> impl IntoView {
    let i18n = use_i18n();
    let st = use_catalog();
    let acc = use_account();
    let now = use_now();
    let net = use_network();
    let client_id = reg.client_id.clone();
    let plan = st
        .plans
        .with(|p| p.iter().find(|p| p.id == reg.plan_id).cloned());
    let cert = st.catalog.with(|c| {
        c.as_ref()
            .and_then(|l| l.catalog.certificate(&reg.certificate_id))
            .map(|c| c.short_name().to_string())
    });
    let level = reg.level;
    let title = move || {
        format!(
            "{}（{}）",
            cert.clone().unwrap_or_default(),
            i18n.locale.get().pick(level.zh(), level.en())
        )
    };
    let state = Signal::derive({
        let id = client_id.clone();
        move || {
            acc.registrations
                .with(|r| r.iter().find(|r| r.client_id == id).map(|r| r.state))
                .unwrap_or(LocalState::Queued)
        }
    });
    let sending = Signal::derive({
        let id = client_id.clone();
        move || {
            acc.sending.with(|s| {
                s.as_ref().is_some_and(|s| {
                    *s == id
                        || acc.outbox.with(|o| {
                            o.iter().any(|e| {
                                e.id == *s && matches!(&e.action, Action::Cancel { client_id, .. } if *client_id == id)
                            })
                        })
                })
            })
        }
    });
    let window_open = {
        let plan = plan.clone();
        move || {
            plan.as_ref()
                .is_some_and(|p| p.state_at(now.get()) == PlanState::Open)
        }
    };
    let asking = RwSignal::new(false);
    let cancel = Callback::new({
        let id = client_id.clone();
        move |_: ()| {
            let id = id.clone();
            asking.set(false);
            spawn_local(async move {
                if let Err(e) = acc.cancel(&id).await {
                    acc.problem.set(Some(e.into()));
                }
            });
        }
    });
    let ticket = reg
        .registration
        .as_ref()
        .filter(|r| r.is_confirmed())
        .map(|r| r.ticket_no.clone());
    let fee = reg
        .registration
        .as_ref()
        .map(|r| r.fee.clone())
        .or_else(|| reg.fee_preview.clone())
        // A refused request pays nothing and uses no funded exam: its preview would mislead.
        .filter(|_| reg.state != LocalState::Rejected);
    let refusals = reg.refusals.clone();
    // A code alone: a refusal without structured reasons, or a refused cancel (the registration
    // still stands, so it is said as such).
    let refusal_code = reg.refusal_code.clone();
    let cancel_refused = reg.state != LocalState::Rejected;
    // Whether the fee is paid is known once the server has confirmed the registration.
    let paid = reg
        .registration
        .as_ref()
        .filter(|r| r.is_confirmed())
        .map(|r| (r.fee.student_pays_fen, r.fee_paid_at));
    let payment = plan.as_ref().and_then(|p| p.payment.clone());
    let plan_name = plan.as_ref().map(|p| p.name.clone());
    let exam = plan.as_ref().map(|p| format::minute(p.exam_starts_at));
    let ticket_href = format!("/tickets/{client_id}");
    view! {
        <li class="reg-card" data-client-id=client_id.clone()>
            <header class="plan-head">
                <span class="plan-cert">{title}</span>
                <RegistrationBadge state=state sending=sending/>
            </header>
            {plan_name.map(|n| view! { <p class="plan-name">{n}</p> })}
            <dl class="facts">
                {exam.map(|e| view! { <dt>{tr(|t| t.exam_time)}</dt> <dd>{e}</dd> })}
                {ticket.clone().map(|no| view! {
                    <dt>{tr(|t| t.ticket_no)}</dt>
                    <dd class="mono" data-testid="ticket-no">{no}</dd>
                })}
            </dl>
            {fee.map(|f| view! { <FeeNote fee=f/> })}
            {paid.map(|(owed, paid_at)| view! {
                <PaymentNote payment=payment owed_fen=owed paid=Some(paid_at)/>
            })}
            {(!refusals.is_empty() || refusal_code.is_some()).then(|| {
                let code = refusal_code.clone().filter(|_| refusals.is_empty());
                let refusals = refusals.clone();
                view! {
                    <div class="verdict verdict-no" data-testid="refusal">
                        <ul>
                            {refusals.into_iter().map(|x| {
                                let code = x.code();
                                view! { <li data-code=code>{move || (i18n.t().refusal)(&x)}</li> }
                            }).collect_view()}
                        </ul>
                        {code.map(|c| {
                            let data_code = c.clone();
                            view! {
                            <p class="hint" data-code=data_code>
                                {cancel_refused.then(|| tr(|t| t.cancel_refused))}
                                {tr(refused_key(&c))}
                            </p>
                            }
                        })}
                    </div>
                }
            })}
            <div class="actions">
                {ticket.map(|_| view! { <a href=ticket_href.clone() class="button button-secondary">{tr(|t| t.view_ticket)}</a> })}
                <Show when=move || {
                    window_open() && matches!(state.get(), LocalState::Confirmed | LocalState::Queued)
                }>
                    <Show
                        when=move || asking.get()
                        fallback=move || view! {
                            <button type="button" class="button button-secondary" on:click=move |_| asking.set(true)>
                                {tr(|t| t.cancel_registration)}
                            </button>
                        }
                    >
                        <p class="confirm-row" role="group">
                            <span>{tr(|t| t.cancel_confirm)}</span>
                            <button type="button" class="button button-danger" data-testid="confirm-cancel" on:click=move |_| cancel.run(())>
                                {tr(|t| t.cancel_registration)}
                            </button>
                            <button type="button" class="link-button" on:click=move |_| asking.set(false)>
                                {tr(|t| t.cancel_action)}
                            </button>
                        </p>
                    </Show>
                </Show>
            </div>
            <Show when=move || {
                !net.online.get() && matches!(state.get(), LocalState::Queued | LocalState::CancelQueued)
            }>
                <p class="hint">{tr(|t| t.queued_note)}</p>
            </Show>
        </li>
    }
}
