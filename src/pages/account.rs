use kaozheng_core::PlanState;
use kaozheng_core::rules::{Eligibility, check_registration};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::calendar::{self, CalendarEntry};
use crate::components::sign_in_required::SignInRequired;
use crate::components::storage_persistence::StoragePersistence;
use crate::i18n::{tr, use_i18n};
use crate::platform::notify;
use crate::state::account::{phone_registrations, use_account};
use crate::state::catalog::use_catalog;

/// 我的: profile, links to registrations and results, calendar export, notifications, sign out.
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let acc = use_account();
    let st = use_catalog();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let notify_on = RwSignal::new(notify::supported() && notify::allowed());
    let notify_denied = RwSignal::new(false);

    let sign_out = Callback::new(move |force: bool| {
        let pending = acc.outbox.with_untracked(|o| o.len());
        if pending > 0 && !force {
            confirming.set(true);
            return;
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            match acc.sign_out().await {
                Ok(_) => navigate("/", Default::default()),
                Err(e) => acc.problem.set(Some(e.into())),
            }
        });
    });

    let export = move |_| {
        let now = crate::state::clock::now();
        let locale = i18n.locale.get_untracked();
        let t = locale.texts();
        let level = |l: kaozheng_core::XLevel| locale.pick(l.zh(), l.en());
        let entries = st.plans.with_untracked(|plans| {
            st.catalog.with_untracked(|cat| {
                let name = |cert: &str| {
                    cat.as_ref()
                        .and_then(|l| l.catalog.certificate(cert))
                        .map(|c| c.short_name().to_string())
                        .unwrap_or_default()
                };
                let site = |id: &str| {
                    st.sites.with_untracked(|s| {
                        s.iter()
                            .find(|s| s.id == id)
                            .map(|s| format!("{}，{}{} {}", s.name, s.province, s.city, s.address))
                    })
                };
                let mut out = Vec::new();
                let locals = acc.registrations.get_untracked();
                for l in locals.iter().filter(|l| l.state.is_live()) {
                    let Some(p) = plans.iter().find(|p| p.id == l.plan_id) else {
                        continue;
                    };
                    if p.exam_ends_at < now {
                        continue;
                    }
                    let ticket = l
                        .registration
                        .as_ref()
                        .map(|r| r.ticket_no.clone())
                        .unwrap_or_default();
                    out.push(CalendarEntry {
                        uid: calendar::exam_uid(&l.client_id),
                        summary: (t.calendar_exam)(&name(&p.certificate_id), level(p.level)),
                        description: if ticket.is_empty() {
                            p.name.clone()
                        } else {
                            format!("{}\\n{} {ticket}", p.name, t.ticket_no)
                        },
                        location: site(&p.site_id),
                        starts: p.exam_starts_at,
                        ends: p.exam_ends_at,
                    });
                }
                // Deadlines of open plans this student could still register for.
                if let Some(student) = acc.student() {
                    let regs = phone_registrations(&locals, plans);
                    let certified = acc.certified();
                    let restrictions = st.eligibility_rules.get_untracked();
                    let who = Eligibility {
                        student: &student,
                        registrations: &regs,
                        certified: &certified,
                        restrictions: restrictions.as_deref(),
                    };
                    for p in plans.iter().filter(|p| p.state_at(now) == PlanState::Open) {
                        if !check_registration(now, p, &who).is_empty() {
                            continue;
                        }
                        out.push(CalendarEntry {
                            uid: calendar::deadline_uid(&p.id),
                            summary: (t.calendar_deadline)(
                                &name(&p.certificate_id),
                                level(p.level),
                            ),
                            description: p.name.clone(),
                            location: None,
                            starts: p.window_closes_at - chrono::Duration::minutes(30),
                            ends: p.window_closes_at,
                        });
                    }
                }
                out
            })
        });
        download(
            "kaozheng.ics",
            "text/calendar;charset=utf-8",
            &calendar::to_ics(&entries, now),
        );
    };

    let toggle_notify = move |_| {
        spawn_local(async move {
            let granted = notify::request().await;
            notify_on.set(granted);
            notify_denied.set(!granted);
        });
    };

    let profile = move || {
        acc.student().map(|s| {
            let level = s.school_level;
            view! {
                <dl class="facts" data-testid="profile">
                    <dt>{tr(|t| t.name)}</dt>
                    <dd data-testid="profile-name">{s.name.clone()}</dd>
                    <dt>{tr(|t| t.student_no)}</dt>
                    <dd class="mono">{s.student_no.clone()}</dd>
                    <dt>{tr(|t| t.school)}</dt>
                    <dd>{s.school.clone()}</dd>
                    <dt>{tr(|t| t.school_level)}</dt>
                    <dd>{move || i18n.locale.get().pick(level.zh(), level.en())}</dd>
                    {s.major.clone().map(|m| view! { <dt>{tr(|t| t.major)}</dt> <dd>{m}</dd> })}
                    <dt>{tr(|t| t.province)}</dt>
                    <dd>{s.province.clone()}</dd>
                    {s.hardship.then(|| view! { <dt>{tr(|t| t.hardship)}</dt> <dd>"✓"</dd> })}
                </dl>
            }
        })
    };

    view! {
        <section class="page account-page">
            <h1>{tr(|t| t.nav_me)}</h1>
            <SignInRequired>
                <h2>{tr(|t| t.profile)}</h2>
                {profile}
                <StoragePersistence/>
                <nav class="link-list" aria-label=tr(|t| t.nav_me)>
                    <a href="/me/registrations">{tr(|t| t.my_registrations)}</a>
                    <a href="/results">{tr(|t| t.my_results)}</a>
                    <a href="/me/credits">{tr(|t| t.credits_title)}</a>
                </nav>
                <section class="panel">
                    <button type="button" class="button button-secondary" data-testid="export-ics" on:click=export>
                        {tr(|t| t.export_calendar)}
                    </button>
                    <p class="hint">{tr(|t| t.export_calendar_note)}</p>
                </section>
                <Show when=notify::supported>
                    <section class="panel">
                        <label class="check">
                            <input type="checkbox" prop:checked=move || notify_on.get() disabled=move || notify_on.get() on:change=toggle_notify/>
                            {tr(|t| t.notify_results)}
                        </label>
                        <Show when=move || notify_denied.get()>
                            <p class="hint">{tr(|t| t.notify_denied)}</p>
                        </Show>
                    </section>
                </Show>
                <section class="panel">
                    <p class="hint">{tr(|t| t.sign_out_note)}</p>
                    <Show
                        when=move || confirming.get()
                        fallback=move || view! {
                            <button type="button" class="button button-secondary" data-testid="sign-out" on:click=move |_| sign_out.run(false)>
                                {tr(|t| t.sign_out)}
                            </button>
                        }
                    >
                        <div class="status-problem" role="alertdialog" data-testid="sign-out-warning">
                            <p>{move || (i18n.t().sign_out_pending)(acc.outbox.with(|o| o.len()))}</p>
                            <button type="button" class="button button-danger" data-testid="sign-out-anyway" on:click=move |_| sign_out.run(true)>
                                {tr(|t| t.sign_out_confirm)}
                            </button>
                            <button type="button" class="link-button" on:click=move |_| confirming.set(false)>
                                {tr(|t| t.cancel_action)}
                            </button>
                        </div>
                    </Show>
                </section>
            </SignInRequired>
        </section>
    }
}

/// Saves `text` as a file through a temporary object URL (works offline; nothing is uploaded).
fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = document().create_element("a") {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", name);
        if let Some(a) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&a) {
            a.click();
        }
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
