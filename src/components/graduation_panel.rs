use kaozheng_core::rules::{SchoolPaidExam, graduation_progress};
use leptos::prelude::*;

use crate::i18n::{tr, use_i18n};
use crate::state::account::{phone_registrations, use_account};
use crate::state::catalog::use_catalog;
use crate::state::clock::use_now;

/// Progress towards the school's certificate requirement for graduation (seed 001) and whether the
/// school-paid exam is still unused (seeds 000, 002), from data on the phone.
#[component]
pub fn GraduationPanel() -> impl IntoView {
    let i18n = use_i18n();
    let acc = use_account();
    let st = use_catalog();
    let now = use_now();
    let progress = Memo::new(move |_| {
        let student = acc.student()?;
        let rules = st.graduation_rules.get()?;
        let policy = rules.policy_for(&student.school)?;
        let regs = acc
            .registrations
            .with(|r| st.plans.with(|plans| phone_registrations(r, plans)));
        Some((
            graduation_progress(policy, &student, &acc.certified(), &regs, now.get()),
            policy.example,
        ))
    });
    move || {
        progress.get().map(|(p, example)| {
            let required = p.required;
            let paid = match p.school_paid {
                SchoolPaidExam::Unused => tr(|t| t.school_paid_unused),
                SchoolPaidExam::Used { .. } => tr(|t| t.school_paid_used),
                SchoolPaidExam::NotOffered => tr(|t| t.school_paid_not_offered),
            };
            view! {
                <section class="panel graduation" aria-labelledby="grad-title" data-testid="graduation">
                    <h2 id="grad-title">{tr(|t| t.graduation_title)}</h2>
                    <p>{move || (i18n.t().graduation_required)(required)}</p>
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
                    <p data-testid="school-paid">{paid}</p>
                    {example.then(|| view! { <p class="hint">{tr(|t| t.example_data)}</p> })}
                </section>
            }
        })
    }
}
