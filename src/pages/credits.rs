use kaozheng_core::rules::{CreditAccount, credit_account};
use leptos::prelude::*;

use crate::components::citation_note::CitationNote;
use crate::components::sign_in_required::SignInRequired;
use crate::i18n::{tr, use_i18n};
use crate::state::account::use_account;
use crate::state::catalog::use_catalog;

/// My credits: what the student's passed certificates convert to at their school's credit bank,
/// every conversion with the rule that allowed it, every refusal with the cap or rule that stopped
/// it, and progress against the caps. Computed on the phone by the core engine from synced results.
#[component]
pub fn CreditsPage() -> impl IntoView {
    let i18n = use_i18n();
    let st = use_catalog();
    let acc = use_account();
    let account = Memo::new(move |_| {
        let student = acc.student()?;
        let rules = st.credit_rules.get()?;
        let policy = rules.policy_for(&student.school, student.major.as_deref())?;
        Some(credit_account(
            policy,
            &acc.certified(),
            &student.passed_courses,
        ))
    });
    // The school's rules the account applies, shown with it.
    let sources = Memo::new(move |_| {
        let student = acc.student()?;
        st.credit_rules.with(|r| {
            r.as_ref()?
                .policy_for(&student.school, student.major.as_deref())
                .map(|p| p.citations.clone())
        })
    });
    let cert_name = move |id: &str| {
        st.catalog.with(|c| {
            c.as_ref()
                .and_then(|l| l.catalog.certificate(id))
                .map(|c| c.short_name().to_string())
                .unwrap_or_else(|| id.to_string())
        })
    };
    // Why a certificate converts nothing, and what to do: no rule at this school, a rule for
    // a higher level (the courses it could replace), or refused (the reasons are listed below).
    let why_zero = move |a: &CreditAccount, id: &str| -> String {
        let t = i18n.t();
        if a.refused.iter().any(|r| r.certificate_id == id) {
            return t.credits_zero_refused.to_string();
        }
        let courses = acc
            .student()
            .and_then(|student| {
                st.credit_rules.with(|r| {
                    r.as_ref()?
                        .policy_for(&student.school, student.major.as_deref())
                        .map(|p| {
                            p.conversions
                                .iter()
                                .filter(|c| c.certificate_id == id)
                                .map(|c| c.course.name.clone())
                                .collect::<Vec<_>>()
                        })
                })
            })
            .unwrap_or_default();
        if courses.is_empty() {
            t.credits_zero_no_rule.to_string()
        } else {
            (t.credits_zero_level)(&courses.join("、"))
        }
    };
    let body = move || {
        let Some(a): Option<CreditAccount> = account.get() else {
            let msg = if st.credit_rules.with(Option::is_none) {
                i18n.t().rules_not_synced
            } else {
                i18n.t().no_credit_rules
            };
            return view! { <p class="empty" data-testid="no-credit-rules">{msg}</p> }.into_any();
        };
        let pct = if a.cap_total.tenths() == 0 {
            0
        } else {
            (u64::from(a.total_credits.tenths()) * 100 / u64::from(a.cap_total.tenths())).min(100)
        };
        view! {
            {a.example.then(|| view! { <p class="status-note">{tr(|t| t.example_data)}</p> })}
            <section class="panel" data-testid="credit-total">
                <h2>{tr(|t| t.credits_total)}</h2>
                <p class="grade-big">{a.total_credits.to_string()} " / " {a.cap_total.to_string()}</p>
                <div class="meter" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.to_string()
                    aria-label=tr(|t| t.credits_total)>
                    <span style:width=format!("{pct}%")></span>
                </div>
                <p class="hint">{a.school.clone()}</p>
            </section>
            <section class="panel">
                <h2>{tr(|t| t.per_certificate)}</h2>
                {a.per_certificate.is_empty().then(|| view! {
                    <p class="hint" data-testid="credit-why">{tr(|t| t.credits_zero_none)}</p>
                    <a href="/plans" class="button button-secondary">{tr(|t| t.all_plans)}</a>
                })}
                <ul class="conditions" data-testid="per-certificate">
                    {a.per_certificate.iter().map(|c| {
                        let level = c.level;
                        let why = (c.credits.tenths() == 0).then(|| why_zero(&a, &c.certificate_id));
                        view! {
                            <li>
                                {cert_name(&c.certificate_id)} "（" {move || i18n.locale.get().pick(level.zh(), level.en())} "）："
                                {c.credits.to_string()} " / " {c.cap.to_string()}
                                {why.map(|w| view! { <p class="hint" data-testid="credit-why">{w}</p> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
            <section class="panel">
                <h2>{tr(|t| t.conversions_applied)}</h2>
                {if a.applied.is_empty() {
                    view! { <p class="empty">{tr(|t| t.none_yet)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="conversion-list" data-testid="applied">
                            {a.applied.iter().cloned().map(|c| view! {
                                <li>
                                    <strong>{c.course.name.clone()}</strong> " (" {c.course.code.clone()} ") +" {c.credits.to_string()}
                                    <p class="hint">{move || (i18n.t().conversion)(&c)}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            {(!a.refused.is_empty()).then(|| view! {
                <section class="panel">
                    <h2>{tr(|t| t.conversions_refused)}</h2>
                    <ul class="conversion-list" data-testid="refused">
                        {a.refused.iter().cloned().map(|r| {
                            let code = r.why.code();
                            view! {
                                <li data-code=code>
                                    <strong>{r.course.name.clone()}</strong> " (" {r.course.code.clone()} ")"
                                    <p class="hint">{move || (i18n.t().refused_conversion)(&r)}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })}
            {move || sources.get().map(|cs| view! {
                <details class="rule-source panel" data-testid="credit-sources">
                    <summary>{tr(|t| t.source)}</summary>
                    {cs.into_iter().map(|c| view! { <CitationNote citation=c/> }).collect_view()}
                </details>
            })}
        }
        .into_any()
    };
    view! {
        <section class="page credits-page">
            <h1>{tr(|t| t.credits_title)}</h1>
            <SignInRequired>{body}</SignInRequired>
        </section>
    }
}
