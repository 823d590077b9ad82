use kaozheng_core::rules::{Citation, CitationField};
use leptos::prelude::*;

use crate::i18n::tr;

/// The source of a rule: document, issuer, number, date, link, and the sentence it encodes. A
/// field the document's own text does not give is marked as added, with where it came from.
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
    let added: Vec<_> = citation
        .added
        .iter()
        .map(|a| {
            let field = match a.field {
                CitationField::Title => "标题",
                CitationField::Issuer => "发文单位",
                CitationField::DocumentNo => "文号",
                CitationField::IssuedOn => "日期",
            };
            format!("{field}：{}", a.from)
        })
        .collect();
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
            {(!added.is_empty()).then(|| view! {
                <details class="cite-added" data-testid="citation-added">
                    <summary>{tr(|t| t.citation_added)}</summary>
                    <ul lang="zh-CN">{added.into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul>
                </details>
            })}
        </figure>
    }
}
