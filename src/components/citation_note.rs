use kaozheng_core::rules::{Citation, CitationField};
use leptos::prelude::*;

use crate::i18n::{Texts, tr};

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
    let added: Vec<(CitationField, String)> = citation
        .added
        .iter()
        .map(|a| (a.field, a.from.clone()))
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
                    <ul>
                        {added.into_iter().map(|(field, from)| view! {
                            <li>{tr(field_name(field))} <span lang="zh-CN">{from}</span></li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
        </figure>
    }
}

fn field_name(f: CitationField) -> fn(&'static Texts) -> &'static str {
    match f {
        CitationField::Title => |t| (t.citation_field)(CitationField::Title),
        CitationField::Issuer => |t| (t.citation_field)(CitationField::Issuer),
        CitationField::DocumentNo => |t| (t.citation_field)(CitationField::DocumentNo),
        CitationField::IssuedOn => |t| (t.citation_field)(CitationField::IssuedOn),
    }
}
