use kaozheng_core::order;
use kaozheng_core::outbox::LocalState;
use leptos::prelude::*;

use crate::components::graduation_panel::GraduationPanel;
use crate::components::registration_badge::RegistrationBadge;
use crate::format;
use crate::i18n::{tr, use_i18n};
use crate::state::account::use_account;
use crate::state::catalog::use_catalog;
use crate::state::clock::use_now;

/// The signed-in student's next step, first thing on home: results that just came out, their
/// exams still ahead with a countdown and the ticket, and what the graduation requirement needs.
#[component]
pub fn NextStep() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let acc = use_account();
    let st = use_catalog();
    let now = use_now();
    let news = move || {
        acc.results
            .with(|r| r.iter().filter(|(_, seen)| !seen).count())
    };
    // Live registrations whose exam is not over, soonest first.
    let exams = Memo::new(move |_| {
        let now = now.get();
        let mut v: Vec<_> = acc.registrations.with(|regs| {
            st.plans.with(|plans| {
                regs.iter()
                    .filter(|r| r.state.is_live())
                    .filter_map(|r| {
                        let p = plans.iter().find(|p| p.id == r.plan_id)?;
                        (p.exam_ends_at > now).then(|| (r.clone(), p.clone()))
                    })
                    .collect()
            })
        });
        order::sort_by_key(&mut v, |(_, p)| p.exam_starts_at);
        v
    });
    let exam_list = move || {
        let v = exams.get();
        if v.is_empty() {
            return view! { <p class="empty" data-testid="no-exams">{t().no_exams_yet}</p> }
                .into_any();
        }
        let today = kaozheng_core::time::to_china(now.get()).date_naive();
        view! {
            <ul class="my-exams" data-testid="my-exams">
                {v.into_iter()
                    .map(|(r, p)| {
                        let days = (kaozheng_core::time::to_china(p.exam_starts_at).date_naive()
                            - today)
                            .num_days();
                        let cert = st.catalog.with(|c| {
                            c.as_ref()
                                .and_then(|l| l.catalog.certificate(&p.certificate_id))
                                .map(|c| c.short_name().to_string())
                                .unwrap_or_default()
                        });
                        let level = p.level;
                        let id = r.client_id.clone();
                        let state = Signal::derive({
                            let id = id.clone();
                            move || {
                                acc.registrations
                                    .with(|x| x.iter().find(|x| x.client_id == id).map(|x| x.state))
                                    .unwrap_or(LocalState::Queued)
                            }
                        });
                        let sending = Signal::derive({
                            let id = id.clone();
                            move || acc.sending.with(|s| s.as_deref() == Some(id.as_str()))
                        });
                        let confirmed = r.state == LocalState::Confirmed;
                        view! {
                            <li class="my-exam">
                                <div class="my-exam-head">
                                    <span class="my-exam-name">
                                        {cert} "（" {move || i18n.locale.get().pick(level.zh(), level.en())} "）"
                                    </span>
                                    <span class="chip chip-open" data-testid="countdown">
                                        {move || (i18n.t().exam_in)(days)}
                                    </span>
                                </div>
                                <p class="my-exam-when">
                                    {format::minute(p.exam_starts_at)} " "
                                    <RegistrationBadge state=state sending=sending/>
                                </p>
                                {confirmed.then(|| view! {
                                    <a href=format!("/tickets/{id}") class="button button-secondary" data-testid="next-ticket">
                                        {tr(|t| t.view_ticket)}
                                    </a>
                                })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="next-step" aria-labelledby="next-title" data-testid="next-step">
            <h2 id="next-title">{tr(|t| t.next_step)}</h2>
            {move || (news() > 0).then(|| view! {
                <a href="/results" class="news" data-testid="results-news">
                    {move || (i18n.t().new_results)(news())}
                </a>
            })}
            <h3>{tr(|t| t.my_exams)}</h3>
            {exam_list}
            <GraduationPanel/>
        </section>
    }
}
