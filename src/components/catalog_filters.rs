use std::sync::Arc;

use kaozheng_core::XLevel;
use leptos::prelude::*;

use crate::i18n::{tr, use_i18n};
use crate::state::catalog::LoadedCatalog;

/// The filter state of the catalog page; `None` means "any".
#[derive(Clone, Copy)]
pub struct Filters {
    pub batch: RwSignal<Option<u8>>,
    pub level: RwSignal<Option<XLevel>>,
    pub org: RwSignal<Option<String>>,
    pub field: RwSignal<Option<String>>,
}

impl Filters {
    pub fn any_set(&self) -> bool {
        self.batch.with(Option::is_some)
            || self.level.with(Option::is_some)
            || self.org.with(Option::is_some)
            || self.field.with(Option::is_some)
    }

    pub fn clear(&self) {
        self.batch.set(None);
        self.level.set(None);
        self.org.set(None);
        self.field.set(None);
    }
}

fn non_empty(v: String) -> Option<String> {
    (!v.is_empty()).then_some(v)
}

/// Batch, level, organisation and field pickers, built from what the catalog actually contains.
#[component]
pub fn CatalogFilters(
    loaded: Signal<Option<Arc<LoadedCatalog>>>,
    filters: Filters,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let batches =
        move || loaded.with(|l| l.as_ref().map(|l| l.catalog.batches()).unwrap_or_default());
    let orgs = move || {
        loaded.with(|l| {
            l.as_ref()
                .map(|l| {
                    l.catalog
                        .orgs
                        .iter()
                        .map(|o| (o.id.clone(), o.name.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let fields = move || {
        loaded.with(|l| {
            l.as_ref()
                .map(|l| {
                    l.catalog
                        .fields()
                        .into_iter()
                        .map(String::from)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };

    view! {
        <fieldset class="filters">
            <legend class="visually-hidden">{tr(|t| t.filters)}</legend>
            <label class="filter">
                <span>{tr(|t| t.filter_batch)}</span>
                <select
                    data-testid="filter-batch"
                    name="batch"
                    prop:value=move || filters.batch.get().map(|b| b.to_string()).unwrap_or_default()
                    on:change=move |ev| filters.batch.set(event_target_value(&ev).parse().ok())
                >
                    <option value="">{tr(|t| t.any_batch)}</option>
                    {move || {
                        batches()
                            .into_iter()
                            .map(|b| {
                                view! {
                                    <option
                                        value=b.to_string()
                                        selected=move || filters.batch.get() == Some(b)
                                    >
                                        {move || (t().batch_n)(b)}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <label class="filter">
                <span>{tr(|t| t.filter_level)}</span>
                <select
                    data-testid="filter-level"
                    name="level"
                    prop:value=move || {
                        filters.level.get().map(|l| l.code().to_string()).unwrap_or_default()
                    }
                    on:change=move |ev| {
                        filters
                            .level
                            .set(event_target_value(&ev).parse().ok().and_then(XLevel::from_code))
                    }
                >
                    <option value="">{tr(|t| t.any_level)}</option>
                    {XLevel::ALL
                        .into_iter()
                        .map(|l| {
                            view! {
                                <option
                                    value=l.code().to_string()
                                    selected=move || filters.level.get() == Some(l)
                                >
                                    {move || i18n.locale.get().pick(l.zh(), l.en())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="filter filter-wide">
                <span>{tr(|t| t.filter_org)}</span>
                <select
                    data-testid="filter-org"
                    name="org"
                    prop:value=move || filters.org.get().unwrap_or_default()
                    on:change=move |ev| filters.org.set(non_empty(event_target_value(&ev)))
                >
                    <option value="">{tr(|t| t.any_org)}</option>
                    {move || {
                        orgs()
                            .into_iter()
                            .map(|(id, name)| {
                                let sel = id.clone();
                                view! {
                                    <option
                                        value=id
                                        selected=move || filters.org.get().as_deref() == Some(sel.as_str())
                                    >
                                        {name}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <Show when=move || !fields().is_empty()>
                <label class="filter">
                    <span>{tr(|t| t.filter_field)}</span>
                    <select
                        data-testid="filter-field"
                    name="field"
                        prop:value=move || filters.field.get().unwrap_or_default()
                        on:change=move |ev| filters.field.set(non_empty(event_target_value(&ev)))
                    >
                        <option value="">{tr(|t| t.any_field)}</option>
                        {move || {
                            fields()
                                .into_iter()
                                .map(|f| {
                                    let sel = f.clone();
                                    let value = f.clone();
                                    view! {
                                        <option
                                            value=value
                                            selected=move || {
                                                filters.field.get().as_deref() == Some(sel.as_str())
                                            }
                                        >
                                            {f}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
            </Show>
            <Show when=move || filters.any_set()>
                <button type="button" class="link-button" on:click=move |_| filters.clear()>
                    {tr(|t| t.clear_filters)}
                </button>
            </Show>
        </fieldset>
    }
}
