use kaozheng_core::{ExamPlan, LevelInfo};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::components::level_badges::LevelBadges;
use crate::components::plan_card::PlanCard;
use crate::i18n::use_i18n;
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
        v.sort_by_key(|p| (p.exam_starts_at, p.level));
        v
    });

    let level_row = move |l: LevelInfo| {
        let not_published = move || t().not_published;
        let level = l.level;
        view! {
            <li class="level-row">
                <h3>{move || i18n.locale.get().pick(level.zh(), level.en())}</h3>
                <dl class="facts">
                    <dt>{move || t().hours}</dt>
                    <dd>{l.hours.map(|h| h.to_string()).unwrap_or_else(|| not_published().into())}</dd>
                    <dt>{move || t().suitable_for}</dt>
                    <dd>
                        {match l.suitable_for {
                            Some(v) => {
                                let v2 = v.clone();
                                (move || {
                                    v2.iter()
                                        .map(|s| i18n.locale.get().pick(s.zh(), s.en()))
                                        .collect::<Vec<_>>()
                                        .join("、")
                                })
                                    .into_any()
                            }
                            None => not_published.into_any(),
                        }}
                    </dd>
                    {l.platform_id.map(|p| {
                        view! {
                            <dt>{move || t().platform_id}</dt>
                            <dd class="mono">{p}</dd>
                        }
                    })}
                    {l.updated_on.map(|d| {
                        view! {
                            <dt>{move || t().updated_on_platform}</dt>
                            <dd>{d.to_string()}</dd>
                        }
                    })}
                </dl>
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
                <h1>{move || t().catalog_title}</h1>
                <p class="empty" data-testid="certificate-missing">{msg}</p>
            }
            .into_any();
        };
        let levels: Vec<_> = c.levels.iter().map(|l| l.level).collect();
        let batch = c.batch;
        view! {
            <h1 data-testid="certificate-name">{c.name.clone()}</h1>
            <LevelBadges levels=levels/>
            <dl class="facts cert-facts">
                <dt>{move || t().org}</dt>
                <dd data-testid="certificate-org">
                    {org.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| c.org_id.clone())}
                </dd>
                <dt>{move || t().batch}</dt>
                <dd>
                    {move || match batch {
                        Some(b) => (t().batch_n)(b),
                        None => t().batch_unknown.to_string(),
                    }}
                </dd>
                {c.field.clone().map(|f| {
                    view! {
                        <dt>{move || t().field}</dt>
                        <dd>{f}</dd>
                    }
                })}
            </dl>
            {c.description.clone().map(|d| view! { <p class="description">{d}</p> })}
            <section aria-labelledby="levels-title">
                <h2 id="levels-title">{move || t().levels}</h2>
                {if c.levels.is_empty() {
                    view! { <p class="empty">{move || t().levels_unknown}</p> }.into_any()
                } else {
                    view! {
                        <ul class="level-list">
                            {c.levels.clone().into_iter().map(level_row).collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
            <section aria-labelledby="plans-title" data-testid="certificate-plans">
                <h2 id="plans-title">{move || t().exam_plans}</h2>
                {move || {
                    let plans = plans.get();
                    if plans.is_empty() {
                        return view! { <p class="empty">{t().no_plans}</p> }.into_any();
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
        }
        .into_any()
    };

    view! {
        <article class="page certificate-page">
            <p class="back">
                <A href="/catalog">{move || t().back_to_catalog}</A>
            </p>
            {body}
        </article>
    }
}
