use kaozheng_core::Module;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::qr_code::QrCode;
use crate::components::sign_in_required::SignInRequired;
use crate::format;
use crate::i18n::{tr, use_i18n};
use crate::state::account::use_account;
use crate::state::catalog::use_catalog;

/// What an exam site scans: `KZT1|<ticket number>|<server check code>`. The check code is made by
/// the server, so a ticket number typed into a QR generator does not verify.
pub fn ticket_qr_text(ticket_no: &str, check: &str) -> String {
    format!("KZT1|{ticket_no}|{check}")
}

/// 准考证: everything the student brings to the exam, on one printable A4 page, available offline.
#[component]
pub fn TicketPage() -> impl IntoView {
    let i18n = use_i18n();
    let st = use_catalog();
    let acc = use_account();
    let params = use_params_map();
    let client_id = move || params.read().get("client_id").unwrap_or_default();

    let body = move || {
        let id = client_id();
        let local = acc
            .registrations
            .with(|r| r.iter().find(|r| r.client_id == id).cloned());
        let Some(reg) = local
            .and_then(|l| l.registration)
            .filter(|r| r.is_confirmed())
        else {
            return view! { <p class="empty" data-testid="ticket-missing">{tr(|t| t.ticket_not_found)}</p> }
                .into_any();
        };
        let student = acc.student();
        let plan = st
            .plans
            .with(|p| p.iter().find(|p| p.id == reg.plan_id).cloned());
        let site = plan.as_ref().and_then(|p| {
            st.sites
                .with(|s| s.iter().find(|s| s.id == p.site_id).cloned())
        });
        let cert = st.catalog.with(|c| {
            c.as_ref()
                .and_then(|l| l.catalog.certificate(&reg.certificate_id))
                .map(|c| c.name.clone())
        });
        let level = reg.level;
        let exam = format!(
            "{} – {}（北京时间 UTC+8）",
            format::minute(reg.exam_starts_at),
            kaozheng_core::time::format_hm(reg.exam_ends_at)
        );
        let modules = move || {
            [Module::Theory, Module::Practical]
                .iter()
                .map(|m| i18n.locale.get().pick(m.zh(), m.en()))
                .collect::<Vec<_>>()
                .join("、")
        };
        let qr = ticket_qr_text(&reg.ticket_no, &reg.ticket_check);
        view! {
            <article class="ticket" data-testid="ticket">
                <header class="ticket-head">
                    <h1>{tr(|t| t.ticket)}</h1>
                    <QrCode text=qr label=tr(|t| t.ticket_qr_label)/>
                </header>
                <dl class="facts ticket-facts">
                    <dt>{tr(|t| t.name)}</dt>
                    <dd data-testid="ticket-name">{student.as_ref().map(|s| s.name.clone())}</dd>
                    <dt>{tr(|t| t.student_no)}</dt>
                    <dd class="mono">{student.as_ref().map(|s| s.student_no.clone())}</dd>
                    <dt>{tr(|t| t.ticket_no)}</dt>
                    <dd class="mono ticket-no" data-testid="ticket-no">{reg.ticket_no.clone()}</dd>
                    <dt>{tr(|t| t.certificate)}</dt>
                    <dd>{cert}</dd>
                    <dt>{tr(|t| t.level)}</dt>
                    <dd>{move || i18n.locale.get().pick(level.zh(), level.en())}</dd>
                    <dt>{tr(|t| t.plan)}</dt>
                    <dd>{plan.as_ref().map(|p| p.name.clone())}</dd>
                    <dt>{tr(|t| t.exam_time)}</dt>
                    <dd data-testid="ticket-exam-time">{exam}</dd>
                    <dt>{tr(|t| t.site)}</dt>
                    <dd>{site.as_ref().map(|s| s.name.clone())}</dd>
                    <dt>{tr(|t| t.address)}</dt>
                    <dd>{site.as_ref().map(|s| format!("{}{} {}", s.province, s.city, s.address))}</dd>
                    <dt>{tr(|t| t.modules)}</dt>
                    <dd>{modules}</dd>
                </dl>
            </article>
            <p class="no-print actions">
                <button type="button" class="button" on:click=move |_| { let _ = window().print(); }>
                    {tr(|t| t.print)}
                </button>
                <a href="/me/registrations" class="button button-secondary">{tr(|t| t.my_registrations)}</a>
            </p>
        }
        .into_any()
    };

    view! {
        <section class="page ticket-page">
            <SignInRequired>{body}</SignInRequired>
        </section>
    }
}
