use kaozheng_core::order;
use kaozheng_core::{ExamPlan, LevelInfo};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::feedback_summary::FeedbackSummary;
use crate::components::level_badges::LevelBadges;
use crate::components::level_conversions::LevelConversions;
use crate::components::plan_card::PlanCard;
use crate::components::plan_watch::PlanWatch;
use crate::components::study_resources::StudyResources;
use crate::i18n::{tr, use_i18n};
use crate::state::catalog::use_catalog;
use crate::state::clock::use_now;

/// One certificate: organisation, batch, each level with what is known about it, and its exam plans.
#[component]
pub fn CertificatePage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let st = use_catalog();
    let now = use_now();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();

    let cert = Memo::new(move |_| {
        let id = id();
        st.catalog.with(|c| {
            c.as_ref().and_then(|l| {
                let cert = l.catalog.certificate(&id)?.clone();
                let org = l.catalog.org(&cert.org_id).cloned();
                Some((cert, org))
            })
        })
    });
    let plans = Memo::new(move |_| {
        let id = id();
        let mut v: Vec<ExamPlan> = st
            .plans
            .get()
            .iter()
            .filter(|p| p.certificate_id == id)
            .cloned()
            .collect();
        order::sort_by(&mut v, |a, b| {
            (a.exam_starts_at, a.level, &a.id).cmp(&(b.exam_starts_at, b.level, &b.id))
        });
        v
    });

    let level_row = move |cert_id: String, org_url: Option<String>, l: LevelInfo| {
        let level = l.level;
        let resources = view! { <StudyResources certificate_id=cert_id.clone() level=l.clone() org_url=org_url/> };
        let hours = match l.hours {
            Some(h) => h.to_string().into_any(),
            None => tr(|t| t.not_published).into_any(),
        };
        let suitable = match l.suitable_for {
            Some(v) => (move || {
                v.iter()
                    .map(|s| i18n.locale.get().pick(s.zh(), s.en()))
                    .collect::<Vec<_>>()
                    .join("、")
            })
            .into_any(),
            None => tr(|t| t.not_published).into_any(),
        };
        view! {
            <li class="level-row">
                <h3>{move || i18n.locale.get().pick(level.zh(), level.en())}</h3>
                <dl class="facts">
                    <dt>{tr(|t| t.hours)}</dt>
                    <dd>{hours}</dd>
                    <dt>{tr(|t| t.suitable_for)}</dt>
                    <dd>{suitable}</dd>
                    {l.platform_id.map(|p| {
                        view! {
                            <dt>{tr(|t| t.platform_id)}</dt>
                            <dd class="mono">{p}</dd>
                        }
                    })}
                    {l.updated_on.map(|d| {
                        view! {
                            <dt>{tr(|t| t.updated_on_platform)}</dt>
                            <dd>{kaozheng_core::time::date_text(d)}</dd>
                        }
                    })}
                </dl>
                <LevelConversions certificate_id=cert_id level=level/>
                {resources}
            </li>
        }
    };

    let body = move || {
        let Some((c, org)) = cert.get() else {
            let msg = if st.catalog.with(Option::is_none) {
                t().catalog_loading
            } else {
                t().certificate_not_found
            };
            return view! {
                <h1>{tr(|t| t.catalog_title)}</h1>
                <p class="empty" data-testid="certificate-missing">{msg}</p>
            }
            .into_any();
        };
        let levels: Vec<_> = c.levels.iter().map(|l| l.level).collect();
        // Somewhere to go from a certificate with little known: its organisation's others.
        let siblings: Vec<(String, String)> = st.catalog.with(|l| {
            l.as_ref()
                .map(|l| {
                    l.catalog
                        .certificates
                        .iter()
                        .filter(|o| o.org_id == c.org_id && o.id != c.id)
                        .take(8)
                        .map(|o| (o.id.clone(), o.short_name().to_string()))
                        .collect()
                })
                .unwrap_or_default()
        });
        let batch = c.batch;
        let cert_id = c.id.clone();
        view! {
            <h1 data-testid="certificate-name">{c.name.clone()}</h1>
            <LevelBadges levels=levels/>
            <dl class="facts cert-facts">
                <dt>{tr(|t| t.org)}</dt>
                <dd data-testid="certificate-org">
                    {org.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| c.org_id.clone())}
                </dd>
                <dt>{tr(|t| t.batch)}</dt>
                <dd>
                    {move || match batch {
                        Some(b) => (t().batch_n)(b),
                        None => t().batch_unknown.to_string(),
                    }}
                </dd>
                {c.field.clone().map(|f| {
                    view! {
                        <dt>{tr(|t| t.field)}</dt>
                        <dd>{f}</dd>
                    }
                })}
            </dl>
            {c.description.clone().map(|d| view! { <p class="description">{d}</p> })}
            <section aria-labelledby="levels-title">
                <h2 id="levels-title">{tr(|t| t.levels)}</h2>
                {if c.levels.is_empty() {
                    view! { <p class="empty">{tr(|t| t.levels_unknown)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="level-list">
                            {c
                                .levels
                                .clone()
                                .into_iter()
                                .map(|l| {
                                    level_row(
                                        c.id.clone(),
                                        org.as_ref().and_then(|o| o.url.clone()),
                                        l,
                                    )
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
            {(!c.levels.is_empty()).then(|| view! {
                <FeedbackSummary
                    certificate_id=c.id.clone()
                    levels=c.levels.iter().map(|l| l.level).collect()
                />
            })}
            <section aria-labelledby="plans-title" data-testid="certificate-plans">
                <h2 id="plans-title">{tr(|t| t.exam_plans)}</h2>
                {move || {
                    let plans = plans.get();
                    if plans.is_empty() {
                        return view! {
                            <div data-testid="no-plans">
                                <p class="empty">{t().no_plans}</p>
                                <p class="hint">{t().no_plans_next}</p>
                                <PlanWatch certificate_id=cert_id.clone()/>
                                <a href="/plans" class="button button-secondary">{tr(|t| t.all_plans)}</a>
                            </div>
                        }
                        .into_any();
                    }
                    view! {
                        <div class="plan-list">
                            {plans
                                .into_iter()
                                .map(|p| {
                                    let site = st
                                        .sites
                                        .with(|s| s.iter().find(|s| s.id == p.site_id).cloned());
                                    view! { <PlanCard plan=p site=site now=Signal::from(now)/> }
                                })
                                .collect_view()}
                        </div>
                    }
                        .into_any()
                }}
            </section>
            {(!siblings.is_empty()).then(|| view! {
                <section aria-labelledby="org-title" data-testid="org-certificates">
                    <h2 id="org-title">{tr(|t| t.org_other_certs)}</h2>
                    <nav class="link-list" aria-labelledby="org-title">
                        {siblings.into_iter().map(|(id, name)| view! {
                            <a href=format!("/certificates/{id}")>{name}</a>
                        }).collect_view()}
                    </nav>
                </section>
            })}
        }
        .into_any()
    };

    view! {
        <article class="page certificate-page">
            <p class="back">
                <a href="/catalog">{tr(|t| t.back_to_catalog)}</a>
            </p>
            {body}
        </article>
    }
}
