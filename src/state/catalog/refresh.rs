//! Bringing the catalog, plans, sites and rule documents up to date from the API: every data set
//! revalidated with the tag the phone holds, all at once, each shown and then stored.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use super::{CatalogState, LoadedCatalog, PLANS, SITES, Seeded, SyncProblem};
use crate::api::{self, ApiError, Fetched};
use crate::platform::perf;
use crate::prefs;

/// Parses a rule document and shows it, or says why it is refused.
type KeepRules = Box<dyn FnOnce(&str) -> Result<(), ApiError>>;

/// One data set's revalidation, whatever its kind. Boxed futures measured 715 B of WASM smaller
/// than building the five rule requests first and awaiting one non-generic call each.
type Revalidation = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiError>>>>;

/// Runs the revalidations together and gives their outcomes in the order given. Polling each
/// unfinished one on every wake is nothing for eight, and measured smaller than `join_all`.
async fn join(mut all: Vec<Revalidation>) -> Vec<Option<Result<(), ApiError>>> {
    let mut done: Vec<Option<Result<(), ApiError>>> = all.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, d) in all.iter_mut().zip(done.iter_mut()) {
            if d.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(r) => *d = Some(r),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    done
}

impl CatalogState {
    /// Fetches what changed and stores it. Safe to call any time; overlapping calls are dropped.
    pub async fn refresh(self) {
        self.revalidate(Seeded::default()).await;
    }

    /// Revalidates every data set except those the page embedded (the server read them for the
    /// page a moment ago), all at once: on a weak network each request is a round trip, and eight
    /// requests one after another kept the rules off the phone for eight of them.
    pub(super) async fn revalidate(self, fresh: Seeded) {
        if self.syncing.get_untracked() {
            return;
        }
        self.syncing.set(true);
        let now = crate::state::clock::now();
        let mut sets: Vec<Revalidation> = Vec::with_capacity(8);
        if !fresh.catalog {
            sets.push(Box::pin(self.refresh_catalog(now)));
        }
        if !fresh.plans {
            sets.push(Box::pin(self.refresh_plans(now)));
        }
        if !fresh.sites {
            sets.push(Box::pin(self.refresh_sites(now)));
        }
        sets.push(Box::pin(self.refresh_rules()));
        // The first problem in this order is the one worth showing; later ones usually repeat it.
        let problem = join(sets)
            .await
            .into_iter()
            .find_map(|r| r.and_then(Result::err))
            .map(|e| match e {
                ApiError::Network(_) => SyncProblem::Unreachable,
                ApiError::Status { status, code } => {
                    SyncProblem::Server(format!("{status} {code}"))
                }
                ApiError::Invalid(m) => SyncProblem::Rejected(m),
            });
        if problem.is_none() {
            self.synced_at.set(Some(now));
        }
        self.problem.set(problem);
        self.rules_settled.set(true);
        self.syncing.set(false);
        perf::mark("kz:refreshed");
    }

    /// Revalidates the catalog: shown first, stored after (storing 10,000 certificates takes
    /// about a second on a phone, which the student need not wait for; a failed save is still
    /// shown).
    async fn refresh_catalog(self, now: DateTime<Utc>) -> Result<(), ApiError> {
        let etag = self.etag.get_untracked();
        let have_catalog = self.catalog.with_untracked(Option::is_some);
        match api::fetch_catalog(etag.as_deref().filter(|_| have_catalog)).await? {
            Fetched::NotModified => {
                if let Some(db) = self.db()
                    && let Err(e) = db.touch_catalog(now).await
                {
                    self.storage_failed(e);
                }
            }
            Fetched::Fresh { value, etag } => {
                let loaded = LoadedCatalog::new(value);
                self.etag.set(etag.clone());
                self.catalog.set(Some(loaded.clone()));
                perf::mark("kz:catalog-painted-network");
                // No database: nothing held, so pages keep embedding the catalog.
                let saved = match self.db() {
                    Some(db) => {
                        let span = perf::Span::start("kz:idb-save-catalog");
                        let saved = db.save_catalog(&loaded.catalog, etag.as_deref(), now).await;
                        span.end();
                        Some(saved)
                    }
                    None => None,
                };
                prefs::remember_catalog(etag.as_deref().filter(|_| matches!(saved, Some(Ok(())))));
                if let Some(Err(e)) = saved {
                    self.storage_failed(e);
                }
            }
        }
        Ok(())
    }

    async fn refresh_plans(self, now: DateTime<Utc>) -> Result<(), ApiError> {
        let tag = self.tag(PLANS).filter(|_| self.plans_known.get_untracked());
        if let Fetched::Fresh { value: res, etag } = api::fetch_plans(tag.as_deref()).await? {
            if let Some(db) = self.db()
                && let Err(e) = db
                    .save_plans_tagged(&res.plans, res.as_of, now, etag.as_deref())
                    .await
            {
                self.storage_failed(e);
            }
            self.set_tag(PLANS, etag);
            self.plans.set(Arc::new(res.plans));
            self.plans_known.set(true);
        }
        Ok(())
    }

    async fn refresh_sites(self, now: DateTime<Utc>) -> Result<(), ApiError> {
        let tag = self
            .tag(SITES)
            .filter(|_| self.sites.with_untracked(|s| !s.is_empty()));
        if let Fetched::Fresh { value: sites, etag } = api::fetch_sites(tag.as_deref()).await? {
            if let Some(db) = self.db()
                && let Err(e) = db.save_sites_tagged(&sites, now, etag.as_deref()).await
            {
                self.storage_failed(e);
            }
            self.set_tag(SITES, etag);
            self.sites.set(Arc::new(sites));
        }
        Ok(())
    }

    /// Revalidates the five rule documents in one request with the tag the phone holds: the set's,
    /// when all five on screen came from it (unchanged is a 304 and nothing to store). Each member
    /// is checked and kept on its own, on screen and then stored with the set's tag, so a refused
    /// one leaves the last good copy of its kind while the others are kept.
    async fn refresh_rules(self) -> Result<(), ApiError> {
        let (tag, kinds) = self.rules_on_screen();
        let Fetched::Fresh { value: json, etag } =
            api::fetch_text(api::rule_set_path(), tag.as_deref()).await?
        else {
            return Ok(());
        };
        let kept = keep_members(&json, kinds)?;
        let now = crate::state::clock::now();
        for (kind, text) in kept.texts {
            if let Some(db) = self.db()
                && let Err(e) = db.save_rules(kind, text, etag.as_deref(), now).await
            {
                self.storage_failed(e);
            }
            self.set_tag(kind, etag.clone());
        }
        kept.refused.map_or(Ok(()), Err)
    }

    /// How each rule document is kept, and the set's tag when all five on screen came from it.
    fn rules_on_screen(&self) -> (Option<String>, [RulesSlot; 5]) {
        let kinds = [
            rules_slot(self.fee_rules),
            rules_slot(self.grade_rules),
            rules_slot(self.credit_rules),
            rules_slot(self.graduation_rules),
            rules_slot(self.eligibility_rules),
        ];
        let mut tags = kinds
            .iter()
            .map(|(kind, held, _)| self.tag(kind).filter(|_| *held));
        let first = tags.next().flatten();
        let tag = first.filter(|t| tags.all(|o| o.as_ref() == Some(t)));
        (tag, kinds)
    }
}

/// A rule document's kind, whether one is on screen, and how a text of it is checked and shown.
type RulesSlot = (&'static str, bool, KeepRules);

/// What a rule set gave: the texts shown (to store, by kind) and the first refusal.
struct Kept<'a> {
    texts: Vec<(&'static str, &'a str)>,
    refused: Option<ApiError>,
}

/// Shows each member of a rule set that passes its checks.
fn keep_members(json: &str, kinds: [RulesSlot; 5]) -> Result<Kept<'_>, ApiError> {
    let members = api::rule_members(json)?;
    let mut kept = Kept {
        texts: Vec::new(),
        refused: None,
    };
    for (kind, _, keep) in kinds {
        let Some(&(_, text)) = members.iter().find(|(k, _)| *k == kind) else {
            continue;
        };
        match keep(text) {
            Ok(()) => kept.texts.push((kind, text)),
            Err(e) => {
                kept.refused.get_or_insert(e);
            }
        }
    }
    Ok(kept)
}

fn rules_slot<T: kaozheng_core::rules::RuleDocument>(into: RwSignal<Option<Arc<T>>>) -> RulesSlot {
    let keep: KeepRules = Box::new(move |text| {
        into.set(Some(Arc::new(api::parse_rules::<T>(text)?)));
        Ok(())
    });
    (T::KIND, into.with_untracked(Option::is_some), keep)
}
