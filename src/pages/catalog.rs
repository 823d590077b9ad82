use std::sync::Arc;

use kaozheng_core::search::Hit;
use kaozheng_core::{Query, XLevel};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::components::catalog_filters::{CatalogFilters, Filters};
use crate::components::certificate_card::CertificateCard;
use crate::i18n::{tr, use_i18n};
use crate::state::catalog::{LoadedCatalog, use_catalog};
use crate::state::startup::use_startup;

/// How many results render at first and per "show more": keeps each keystroke cheap on phones.
const PAGE: usize = 40;

/// Search results tied to the catalog they index into.
#[derive(Clone)]
struct Results {
    loaded: Arc<LoadedCatalog>,
    hits: Vec<Hit>,
}

impl PartialEq for Results {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.loaded, &other.loaded) && self.hits == other.hits
    }
}

/// A filter from the address; empty is "any" (the plain form sends every field, empty or not).
fn param(q: &ParamsMap, key: &str) -> Option<String> {
    q.get(key).filter(|v| !v.is_empty())
}

fn level_param(q: &ParamsMap) -> Option<XLevel> {
    q.get("level").and_then(|l| XLevel::parse(&l))
}

/// The catalog: a search box answering on every keystroke, filters, and the results list.
/// The query lives in the URL so a search can be shared, reloaded or reached offline.
#[component]
pub fn CatalogPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let st = use_catalog();
    let startup = use_startup();
    let query = use_query_map();

    let initial = query.get_untracked();
    let text = RwSignal::new(initial.get("q").unwrap_or_default());
    let filters = Filters {
        batch: RwSignal::new(initial.get("batch").and_then(|b| b.parse().ok())),
        level: RwSignal::new(level_param(&initial)),
        org: RwSignal::new(param(&initial, "org")),
        field: RwSignal::new(param(&initial, "field")),
    };
    // A link to /catalog?… while already here updates the search rather than remounting.
    Effect::new(move |prev: Option<()>| {
        let q = query.get();
        if prev.is_some() {
            text.set(q.get("q").unwrap_or_default());
            filters
                .batch
                .set(q.get("batch").and_then(|b| b.parse().ok()));
            filters.level.set(level_param(&q));
            filters.org.set(param(&q, "org"));
            filters.field.set(param(&q, "field"));
        }
    });
    // Mirror the search into the address bar without a router navigation per keystroke.
    Effect::new(move |_| {
        let mut parts = Vec::new();
        let mut push = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", js_sys::encode_uri_component(&v)));
            }
        };
        push("q", Some(text.get()));
        push("batch", filters.batch.get().map(|b| b.to_string()));
        push("level", filters.level.get().map(|l| l.as_str().to_string()));
        push("org", filters.org.get());
        push("field", filters.field.get());
        let url = if parts.is_empty() {
            "/catalog".to_string()
        } else {
            format!("/catalog?{}", parts.join("&"))
        };
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    });

    let limit = RwSignal::new(PAGE);
    let results = Memo::new(move |_| {
        let loaded = st.catalog.get()?;
        let q = Query {
            text: text.get(),
            batch: filters.batch.get(),
            level: filters.level.get(),
            org_id: filters.org.get(),
            field: filters.field.get(),
        };
        let span = crate::platform::perf::Span::start("kz:search");
        let hits = loaded.index.search(&q);
        span.end();
        Some(Results { loaded, hits })
    });
    // A new search starts from the top of the list.
    Effect::new(move |_| {
        results.track();
        limit.set(PAGE);
    });
    let total = move || results.with(|r| r.as_ref().map_or(0, |r| r.hits.len()));
    let visible = move || {
        results.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.hits
                        .iter()
                        .take(limit.get().min(startup.cards()))
                        .map(|h| (r.loaded.clone(), *h))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let catalog_signal = Signal::derive(move || st.catalog.get());
    let coverage = move || {
        st.catalog.with(|c| {
            c.as_ref().map(|l| {
                let cat = &l.catalog;
                (
                    (t().coverage)(cat.certificates.len(), cat.total_in_system),
                    cat.source.clone(),
                    cat.synthetic,
                )
            })
        })
    };

    view! {
        <section class="page catalog-page">
            <h1>{tr(|t| t.catalog_title)}</h1>
            // A plain GET form: the app answers on every keystroke, and a browser that cannot run
            // the app submits it to the server, which renders the same results.
            <form
                class="catalog-form"
                role="search"
                action="/catalog"
                method="get"
                on:submit=|ev| ev.prevent_default()
            >
                <div class="search-box">
                    <label for="catalog-search">{tr(|t| t.search_label)}</label>
                    <div class="search-row">
                        <input
                            id="catalog-search"
                            name="q"
                            type="search"
                            autocomplete="off"
                            autocapitalize="off"
                            spellcheck="false"
                            enterkeyhint="search"
                            placeholder=tr(|t| t.search_placeholder)
                            value=initial.get("q").unwrap_or_default()
                            prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))
                        />
                        <button type="submit" class="button">{tr(|t| t.home_search_button)}</button>
                    </div>
                </div>
                <CatalogFilters loaded=catalog_signal filters=filters/>
            </form>
            {move || {
                if st.catalog.with(Option::is_none) {
                    let msg = if st.local_read_done.get() && !st.syncing.get() {
                        t().catalog_unavailable
                    } else {
                        t().catalog_loading
                    };
                    return view! { <p class="empty" data-testid="catalog-empty">{msg}</p> }.into_any();
                }
                view! {
                    <p class="result-count" aria-live="polite" data-testid="result-count">
                        {move || (t().results_count)(total())}
                    </p>
                    <Show when=move || total() == 0>
                        <p class="empty">{tr(|t| t.no_results)}</p>
                    </Show>
                    <ul class="cert-list" data-testid="results">
                        <For
                            each=visible
                            key=|(l, h)| (Arc::as_ptr(l) as usize, h.index, h.kind)
                            children=move |(loaded, hit)| {
                                view! { <CertificateCard loaded=loaded index=hit.index kind=hit.kind/> }
                            }
                        />
                    </ul>
                    <Show when=move || { total() > limit.get() }>
                        <button
                            type="button"
                            class="button more"
                            on:click=move |_| limit.update(|l| *l += PAGE)
                        >
                            {move || (t().show_more)(PAGE.min(total() - limit.get()))}
                        </button>
                    </Show>
                }
                    .into_any()
            }}
            {move || {
                coverage()
                    .map(|(cov, source, synthetic)| {
                        view! {
                            <footer class="data-note">
                                <p>{cov}</p>
                                <p>
                                    <span>{tr(|t| t.data_source)} "："</span>
                                    {source}
                                </p>
                                {synthetic
                                    .then(|| {
                                        view! { <p class="warning">{tr(|t| t.synthetic_data)}</p> }
                                    })}
                            </footer>
                        }
                    })
            }}
        </section>
    }
}
