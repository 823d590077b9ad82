use kaozheng_core::rules::SetTerms;
use leptos::prelude::*;

use crate::components::citation_note::CitationNote;
use crate::i18n::{Locale, tr, use_i18n};

/// What a province's grade rules rest on besides the rule itself: the school's prerequisites (its
/// own evaluation body, filed with the human-resources department) and the notice's plan period,
/// with a request to confirm with the school once that period is over.
#[component]
pub fn RuleTerms(terms: SetTerms) -> impl IntoView {
    let i18n = use_i18n();
    let period = terms.period.clone();
    let over = terms.period_over;
    view! {
        {period.map(|p| {
            let end = kaozheng_core::time::date_text(p.ends_on);
            view! {
                <p
                    class=if over { "status-problem" } else { "hint" }
                    data-testid=if over { "period-over" } else { "period-runs" }
                >
                    {move || {
                        if over { (i18n.t().period_over)(&end) } else { (i18n.t().period_runs)(&end) }
                    }}
                </p>
                <details class="rule-source">
                    <summary>{tr(|t| t.source)}</summary>
                    <CitationNote citation=p.citation/>
                </details>
            }
        })}
        {(!terms.prerequisites.is_empty()).then(|| view! {
            <section class="rule-prerequisites" data-testid="prerequisites">
                <h3>{tr(|t| t.recognition_prerequisites)}</h3>
                {terms.prerequisites.into_iter().map(|p| {
                    let text = p.text.clone();
                    view! {
                        <p>{move || match i18n.locale.get() {
                            Locale::Zh => text.zh.clone(),
                            Locale::En => text.en.clone(),
                        }}</p>
                        <CitationNote citation=p.citation/>
                    }
                }).collect_view()}
            </section>
        })}
    }
}
