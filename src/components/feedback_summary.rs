use kaozheng_core::XLevel;
use kaozheng_core::feedback::{CertificateAggregates, Dimension, tenths_text};
use leptos::prelude::*;

use crate::api;
use crate::i18n::{tr, use_i18n};

/// Students' ratings of a certificate, as aggregates only and only for levels with enough
/// respondents (the server never sends more). Needs the network; offline it shows nothing.
#[component]
pub fn FeedbackSummary(certificate_id: String, levels: Vec<XLevel>) -> impl IntoView {
    let i18n = use_i18n();
    let data = LocalResource::new(move || {
        let id = certificate_id.clone();
        async move { api::feedback_aggregates(&id).await.ok() }
    });
    move || {
        let agg: Option<CertificateAggregates> = data.get().flatten();
        agg.map(|a| {
            let min = a.min_respondents;
            let rows = levels
                .iter()
                .map(|l| {
                    let level = *l;
                    let found = a.levels.iter().find(|x| x.level == level).map(|x| x.aggregate);
                    view! {
                        <li data-level=level.as_str()>
                            <strong>{move || i18n.locale.get().pick(level.zh(), level.en())}</strong>
                            {match found {
                                Some(g) => view! {
                                    <span class="hint">" · " {move || (i18n.t().respondents)(g.count)}</span>
                                    <ul class="means" data-testid="feedback-means">
                                        {Dimension::ALL.into_iter().map(|d| view! {
                                            <li>
                                                {move || i18n.locale.get().pick(d.zh(), d.en())} "："
                                                <span class="mean">{tenths_text(g.mean_tenths(d))}</span> " / 5"
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }
                                .into_any(),
                                None => view! {
                                    <span class="hint" data-testid="feedback-hidden">" · " {move || (i18n.t().ratings_hidden)(min)}</span>
                                }
                                .into_any(),
                            }}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section aria-labelledby="ratings-title" data-testid="feedback-summary">
                    <h2 id="ratings-title">{tr(|t| t.ratings_title)}</h2>
                    <ul class="level-ratings">{rows}</ul>
                </section>
            }
        })
    }
}
