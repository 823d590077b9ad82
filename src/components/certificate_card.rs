use std::sync::Arc;

use kaozheng_core::search::MatchKind;
use leptos::prelude::*;

use crate::components::level_badges::LevelBadges;
use crate::i18n::use_i18n;
use crate::state::catalog::LoadedCatalog;

/// One certificate in the results list: name, organisation, levels, batch, and why it matched.
#[component]
pub fn CertificateCard(loaded: Arc<LoadedCatalog>, index: usize, kind: MatchKind) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let c = &loaded.catalog.certificates[index];
    let org = loaded
        .catalog
        .org(&c.org_id)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    let href = format!("/certificates/{}", c.id);
    let short = c.short_name().to_string();
    let levels: Vec<_> = c.levels.iter().map(|l| l.level).collect();
    let batch = c.batch;
    let why = move || match kind {
        MatchKind::Pinyin => Some(t().match_pinyin),
        MatchKind::Initials => Some(t().match_initials),
        MatchKind::Org => Some(t().match_org),
        MatchKind::Fuzzy => Some(t().match_fuzzy),
        MatchKind::All | MatchKind::Name => None,
    };
    view! {
        <li class="cert-card">
            <a href=href class="cert-link">
                <span class="cert-name">{short}</span>
                <span class="cert-org">{org}</span>
            </a>
            <div class="cert-meta">
                <LevelBadges levels=levels/>
                {batch.map(|b| view! { <span class="chip">{move || (t().batch_n)(b)}</span> })}
                {move || why().map(|w| view! { <span class="chip chip-why">{w}</span> })}
            </div>
        </li>
    }
}
