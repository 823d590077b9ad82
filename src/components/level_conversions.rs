use kaozheng_core::XLevel;
use kaozheng_core::rules::what_if;
use leptos::prelude::*;

use crate::i18n::{tr, use_i18n};
use crate::state::account::use_account;
use crate::state::catalog::use_catalog;

/// "At your school this level converts to …": what passing `level` of `certificate_id` would add to
/// the signed-in student's credit-bank account, by the school's rules. Nothing for guests or schools
/// without a table.
#[component]
pub fn LevelConversions(certificate_id: String, level: XLevel) -> impl IntoView {
    let i18n = use_i18n();
    let st = use_catalog();
    let acc = use_account();
    let outcome = Memo::new(move |_| {
        let student = acc.student()?;
        let rules = st.credit_rules.get()?;
        let policy = rules.policy_for(&student.school, student.major.as_deref())?;
        Some(what_if(
            policy,
            &acc.certified(),
            &student.passed_courses,
            &certificate_id,
            level,
        ))
    });
    move || {
        outcome.get().map(|w| {
            if w.new_conversions.is_empty() {
                return view! { <p class="hint" data-testid="no-conversion">{tr(|t| t.no_conversion_here)}</p> }
                    .into_any();
            }
            let added = w.added_credits.to_string();
            view! {
                <div class="conversions" data-testid="level-conversions">
                    <p>{tr(|t| t.converts_here)} " " {move || (i18n.t().adds_credits)(&added)}</p>
                    <ul>
                        {w.new_conversions.into_iter().map(|c| view! {
                            <li>
                                {c.course.name.clone()} " (" {c.course.code.clone()} ") +" {c.credits.to_string()}
                                <span class="hint">" · " {move || (i18n.t().conversion)(&c)}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                </div>
            }
            .into_any()
        })
    }
}
