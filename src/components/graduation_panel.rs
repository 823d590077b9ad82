use kaozheng_core::rules::{Coverage, coverage, funded_exams_used, graduation_progress};
use leptos::prelude::*;

use crate::components::citation_note::CitationNote;
use crate::i18n::{tr, use_i18n};
use crate::state::account::{phone_registrations, use_account};
use crate::state::catalog::use_catalog;
use crate::state::clock::use_now;

/// Progress towards the school's certificate expectation for graduation (seed 001: “原则上”, in
/// principle) and where the student stands with the exams the school funds (the fee rules of their
/// province and school), from data on the phone, each with its source.
#[component]
pub fn GraduationPanel() -> impl IntoView {
    let i18n = use_i18n();
    let acc = use_account();
    let st = use_catalog();
    let now = use_now();
    let progress = Memo::new(move |_| {
        let student = acc.student()?;
        let rules = st.graduation_rules.get()?;
        let policy = rules.policy_for(&student.school)?.clone();
        let regs = acc
            .registrations
            .with(|r| st.plans.with(|plans| phone_registrations(r, plans)));
        let today = kaozheng_core::time::to_china(now.get()).date_naive();
        let funded = st.fee_rules.with(|f| {
            f.as_ref()
                .map(|f| coverage(f, &student, today, funded_exams_used(&regs, None)))
        });
        Some((
            graduation_progress(&policy, &student, &acc.certified(), &regs, now.get()),
            policy,
            funded,
        ))
    });
    move || {
        progress.get().map(|(p, policy, funded)| {
            let required = p.required;
            let in_principle = policy.in_principle;
            let also = policy.also_counts_zh.join("、");
            let funded = match funded {
                Some(Coverage::Funded { exams, used, .. }) => {
                    Some(view! { <p data-testid="school-paid">{move || (i18n.t().funded_status)(exams, used)}</p> }.into_any())
                }
                Some(Coverage::NotPilot { .. }) => {
                    Some(view! { <p data-testid="school-paid">{tr(|t| t.funded_not_pilot)}</p> }.into_any())
                }
                _ => None,
            };
            view! {
                <section class="panel graduation" aria-labelledby="grad-title" data-testid="graduation">
                    <h2 id="grad-title">{tr(|t| t.graduation_title)}</h2>
                    <p data-testid="grad-required">{move || (i18n.t().graduation_required)(required, in_principle)}</p>
                    <dl class="counts">
                        <div>
                            <dt>{tr(|t| t.held)}</dt>
                            <dd data-testid="grad-held">{p.held}</dd>
                        </div>
                        <div>
                            <dt>{tr(|t| t.registered_count)}</dt>
                            <dd data-testid="grad-registered">{p.registered}</dd>
                        </div>
                        <div>
                            <dt>{tr(|t| t.still_needed)}</dt>
                            <dd data-testid="grad-needed">{p.still_needed}</dd>
                        </div>
                    </dl>
                    {p.met.then(|| view! { <p class="verdict verdict-ok">{tr(|t| t.requirement_met)}</p> })}
                    {p.days_left.map(|d| view! { <p data-testid="grad-days">{move || (i18n.t().days_left)(d)}</p> })}
                    <p class="hint" data-testid="grad-counts">{move || (i18n.t().graduation_counts)(&also)}</p>
                    {funded}
                    {policy.example.then(|| view! { <p class="hint">{tr(|t| t.example_data)}</p> })}
                    <details class="rule-source">
                        <summary>{tr(|t| t.source)}</summary>
                        {policy.citations.into_iter().map(|c| view! { <CitationNote citation=c/> }).collect_view()}
                    </details>
                </section>
            }
        })
    }
}
