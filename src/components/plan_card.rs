use chrono::{DateTime, Utc};
use kaozheng_core::rules::{Eligibility, PlanMark, plan_mark};
use kaozheng_core::{ExamPlan, PlanState, Site};
use leptos::prelude::*;

use crate::format;
use crate::i18n::{tr, use_i18n};
use crate::state::account::{phone_registrations, use_account};
use crate::state::catalog::use_catalog;

/// Where the signed-in student stands with `plan` (core's [`plan_mark`] over the data on the
/// phone); `None` when nobody is signed in.
pub fn mark_for(plan: &ExamPlan, now: DateTime<Utc>) -> Option<PlanMark> {
    let acc = use_account();
    let st = use_catalog();
    let student = acc.student()?;
    let regs = acc
        .registrations
        .with(|r| st.plans.with(|plans| phone_registrations(r, plans)));
    let certified = acc.certified();
    let restrictions = st.eligibility_rules.get();
    Some(plan_mark(
        now,
        plan,
        &Eligibility {
            student: &student,
            registrations: &regs,
            certified: &certified,
            restrictions: restrictions.as_deref(),
        },
    ))
}

/// An exam plan: its state now, window, exam time, site, fee and seats left as of the last sync,
/// marked for the signed-in student (registered, clash, not open to them and why, full), with the
/// one action that fits: a plan full at the last sync or not open to the student never shows the
/// primary 报名.
#[component]
pub fn PlanCard(
    plan: ExamPlan,
    site: Option<Site>,
    now: Signal<DateTime<Utc>>,
    /// The certificate's name, when the card stands outside its certificate page.
    #[prop(optional)]
    certificate: Option<(String, String)>,
    /// Shown on the registration page itself: the page has the action, the fee and the seats,
    /// and the window is open, so the card keeps to what and where.
    #[prop(optional)]
    summary: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let st = use_catalog();
    let p = plan.clone();
    let state = Memo::new(move |_| p.state_at(now.get()));
    let p = plan.clone();
    let mark = Memo::new(move |_| {
        mark_for(&p, now.get()).unwrap_or(if p.seats_left == 0 {
            PlanMark::Full
        } else {
            PlanMark::Open
        })
    });
    let state_label = move || {
        let s = state.get();
        i18n.locale.get().pick(s.zh(), s.en())
    };
    let level = plan.level;
    let level_label = move || i18n.locale.get().pick(level.zh(), level.en());
    let window = format!(
        "{} – {}",
        format::minute(plan.window_opens_at),
        format::minute(plan.window_closes_at)
    );
    let exam = format!(
        "{} – {}",
        format::minute(plan.exam_starts_at),
        kaozheng_core::time::format_hm(plan.exam_ends_at)
    );
    let (left, cap) = (plan.seats_left, plan.capacity);
    let synced = move || {
        st.synced_at
            .get()
            .map(format::minute)
            .unwrap_or_else(|| t().never_synced.to_string())
    };
    let seats = move || {
        if left == 0 {
            (t().full_as_of)(&synced())
        } else {
            (t().seats_left)(left, cap)
        }
    };
    let site_text = site
        .map(|s| format!("{} · {}{} {}", s.name, s.province, s.city, s.address))
        .unwrap_or_else(|| plan.site_id.clone());
    let fee = format::yuan(plan.fee_fen);
    let register_href = format!("/register/{}", plan.id);
    let open = move || state.get() == PlanState::Open;
    // The student's mark, where it says something: registered always, the rest while open.
    let chip = move || {
        let (class, label) = match mark.get() {
            PlanMark::Registered => ("chip chip-ok", t().mark_registered),
            _ if !open() => return None,
            PlanMark::Clash => ("chip chip-warn", t().mark_clash),
            PlanMark::NotEligible(_) => ("chip chip-muted", t().mark_not_eligible),
            PlanMark::Full => ("chip chip-warn", t().mark_full),
            PlanMark::Open => return None,
        };
        Some(view! { <span class=class data-testid="plan-mark">{label}</span> })
    };
    let why = move || match mark.get() {
        PlanMark::Clash if open() => Some(t().clash_note.to_string()),
        PlanMark::NotEligible(r) if open() => Some((t().refusal)(&r)),
        _ => None,
    };
    let action = move || {
        if summary {
            return None;
        }
        let href = register_href.clone();
        let (class, label, testid) = match mark.get() {
            PlanMark::Registered => {
                return Some(
                    view! {
                        <a href="/me/registrations" class="button button-secondary plan-register">
                            {tr(|t| t.view_registration)}
                        </a>
                    }
                    .into_any(),
                );
            }
            _ if !open() => return None,
            PlanMark::Open => ("button plan-register", t().register, "plan-register"),
            PlanMark::Full => (
                "button button-secondary plan-register",
                t().join_queue,
                "plan-queue",
            ),
            _ => ("link-button plan-register", t().see_why, "plan-why"),
        };
        Some(
            view! {
                <a href=href class=class data-testid=testid>
                    {label}
                </a>
            }
            .into_any(),
        )
    };
    view! {
        <article class="plan-card" data-state=move || state.get().as_str()>
            <header class="plan-head">
                {certificate
                    .map(|(id, name)| {
                        view! {
                            <a href=format!("/certificates/{id}") class="plan-cert">
                                {name}
                            </a>
                        }
                    })}
                <span class="chip chip-level">{level_label}</span>
                <span class=move || {
                    format!("chip {}", if open() { "chip-open" } else { "chip-muted" })
                }>{state_label}</span>
                {chip}
            </header>
            <h3 class="plan-name">{plan.name.clone()}</h3>
            <dl class="plan-facts">
                {(!summary).then(|| view! {
                    <dt>{tr(|t| t.registration_window)}</dt>
                    <dd>{window}</dd>
                })}
                <dt>{tr(|t| t.exam_time)}</dt>
                <dd>{exam}</dd>
                <dt>{tr(|t| t.site)}</dt>
                <dd>{site_text}</dd>
                {(!summary).then(|| view! {
                    <dt>{tr(|t| t.fee)}</dt>
                    <dd>{fee}</dd>
                })}
            </dl>
            {(!summary).then(|| view! {
                <p class="seats" class:seats-full=left == 0 title=tr(|t| t.seats_as_of) data-testid="seats">
                    {seats}
                </p>
            })}
            {move || why().map(|w| view! { <p class="plan-why-text hint">{w}</p> })}
            {action}
        </article>
    }
}
