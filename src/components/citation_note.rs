use kaozheng_core::rules::Citation;
use leptos::prelude::*;

use crate::i18n::tr;

/// The source of a rule: document, issuer, number, date, link, and the sentence it encodes.
#[component]
pub fn CitationNote(citation: Citation) -> impl IntoView {
    let meta = [
        Some(citation.issuer.clone()),
        citation.document_no.clone(),
        citation.issued_on.map(kaozheng_core::time::date_text),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <figure class="citation" data-testid="citation">
            <blockquote lang="zh-CN">{citation.quote.clone()}</blockquote>
            <figcaption>
                <span class="cite-label">{tr(|t| t.source)} "："</span>
                {match citation.url.clone() {
                    Some(url) => view! {
                        <a href=url target="_blank" rel="noopener noreferrer">
                            "《" {citation.title.clone()} "》"
                        </a>
                    }
                    .into_any(),
                    None => view! { <cite>"《" {citation.title.clone()} "》"</cite> }.into_any(),
                }}
                " " <span class="cite-meta">{meta}</span>
            </figcaption>
        </figure>
    }
}
