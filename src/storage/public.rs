//! The public data sets: catalog, exam plans, sites and rule documents.

use chrono::{DateTime, Utc};
use indexed_db_futures::transaction::TransactionMode;
use kaozheng_core::{Catalog, Certificate, EvaluationOrg, ExamPlan, Site};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::codec::Record;
use super::{
    BY_CERTIFICATE, CATALOG_KEY, CERTIFICATES, CatalogMeta, Db, Loaded, META, ORGS, PLANS,
    PLANS_KEY, PlansMeta, RULES, RecordsRequest, SITES_KEY, SitesMeta, StorageError, StoredRules,
    StoredTags,
};

impl Db {
    /// The stored catalog, or `None` if none was ever saved.
    pub async fn load_catalog(&self) -> Result<Option<Loaded<Catalog, CatalogMeta>>, StorageError> {
        let tx = self.transaction(&[CERTIFICATES, ORGS, META], TransactionMode::Readonly)?;
        let header = self.request_text(&tx, META, CATALOG_KEY)?;
        let orgs = RecordsRequest::<EvaluationOrg>::start(&tx)?;
        let certificates = RecordsRequest::<Certificate>::start(&tx)?;
        let Some(meta) = self
            .finish_text::<CatalogMeta>(header, META, CATALOG_KEY)
            .await?
        else {
            return Ok(None);
        };
        let codec = self.codec();
        let mut skipped = Vec::new();
        let orgs = orgs
            .finish(&codec, &mut skipped)
            .await
            .map_err(|e| self.fail(e))?;
        let certificates = certificates
            .finish(&codec, &mut skipped)
            .await
            .map_err(|e| self.fail(e))?;
        let catalog = Catalog {
            format: meta.format,
            version: meta.version.clone(),
            source: meta.source.clone(),
            synthetic: meta.synthetic,
            total_in_system: meta.total_in_system,
            orgs,
            certificates,
        };
        Ok(Some(Loaded {
            value: catalog,
            meta,
            skipped,
        }))
    }

    /// Replaces the stored catalog, atomically: certificates and orgs absent from `catalog` go.
    pub async fn save_catalog(
        &self,
        catalog: &Catalog,
        etag: Option<&str>,
        synced_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let meta = CatalogMeta {
            format: catalog.format,
            version: catalog.version.clone(),
            source: catalog.source.clone(),
            synthetic: catalog.synthetic,
            total_in_system: catalog.total_in_system,
            etag: etag.map(str::to_owned),
            synced_at: Some(synced_at),
        };
        let tx = self.transaction(&[CERTIFICATES, ORGS, META], TransactionMode::Readwrite)?;
        let codec = self.codec();
        self.replace_all(&tx, &codec, &catalog.orgs)?;
        self.replace_all(&tx, &codec, &catalog.certificates)?;
        self.put_text(&tx, META, CATALOG_KEY, &meta)?;
        self.commit(tx).await
    }

    /// Records that the server confirmed the stored catalog (HTTP 304): only `synced_at` changes.
    /// Returns `false` if there is no stored catalog to confirm.
    pub async fn touch_catalog(&self, synced_at: DateTime<Utc>) -> Result<bool, StorageError> {
        let tx = self.transaction(&[META], TransactionMode::Readwrite)?;
        let Some(mut meta) = self
            .read_text::<CatalogMeta>(&tx, META, CATALOG_KEY)
            .await?
        else {
            return Ok(false);
        };
        meta.synced_at = Some(synced_at);
        self.put_text(&tx, META, CATALOG_KEY, &meta)?;
        self.commit(tx).await?;
        Ok(true)
    }

    /// The tags of the stored catalog, plans and sites, read without the sets themselves: a page
    /// the server rendered embeds the current sets, and only those whose tag differs are stored.
    pub async fn stored_tags(&self) -> Result<StoredTags, StorageError> {
        let tx = self.transaction(&[META], TransactionMode::Readonly)?;
        let catalog = self
            .read_text::<CatalogMeta>(&tx, META, CATALOG_KEY)
            .await?;
        let plans = self.read_text::<PlansMeta>(&tx, META, PLANS_KEY).await?;
        let sites = self.read_text::<SitesMeta>(&tx, META, SITES_KEY).await?;
        Ok(StoredTags {
            catalog: catalog.and_then(|m| m.etag),
            plans: plans.and_then(|m| m.etag),
            sites: sites.and_then(|m| m.etag),
        })
    }

    /// The stored exam plans, in the order they were saved, or `None` if never saved.
    pub async fn load_plans(
        &self,
    ) -> Result<Option<Loaded<Vec<ExamPlan>, PlansMeta>>, StorageError> {
        self.load_set(PLANS_KEY).await
    }

    /// Replaces the stored exam plans atomically.
    pub async fn save_plans(
        &self,
        plans: &[ExamPlan],
        as_of: DateTime<Utc>,
        synced_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.save_plans_tagged(plans, as_of, synced_at, None).await
    }

    /// [`Db::save_plans`] with the server's tag for the list.
    pub async fn save_plans_tagged(
        &self,
        plans: &[ExamPlan],
        as_of: DateTime<Utc>,
        synced_at: DateTime<Utc>,
        etag: Option<&str>,
    ) -> Result<(), StorageError> {
        let meta = PlansMeta {
            as_of,
            synced_at,
            etag: etag.map(str::to_owned),
        };
        self.save_set(plans, PLANS_KEY, &meta).await
    }

    /// The stored exam sites, in the order they were saved, or `None` if never saved.
    pub async fn load_sites(&self) -> Result<Option<Loaded<Vec<Site>, SitesMeta>>, StorageError> {
        self.load_set(SITES_KEY).await
    }

    /// Replaces the stored exam sites atomically.
    pub async fn save_sites(
        &self,
        sites: &[Site],
        synced_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.save_sites_tagged(sites, synced_at, None).await
    }

    /// [`Db::save_sites`] with the server's tag for the list.
    pub async fn save_sites_tagged(
        &self,
        sites: &[Site],
        synced_at: DateTime<Utc>,
        etag: Option<&str>,
    ) -> Result<(), StorageError> {
        let meta = SitesMeta {
            synced_at,
            etag: etag.map(str::to_owned),
        };
        self.save_set(sites, SITES_KEY, &meta).await
    }

    /// The stored plans of one certificate, in saved order, read through the `by_certificate`
    /// index so only those records are read and decoded.
    pub async fn plans_for_certificate(
        &self,
        certificate_id: &str,
    ) -> Result<Loaded<Vec<ExamPlan>>, StorageError> {
        let tx = self.transaction(&[PLANS], TransactionMode::Readonly)?;
        let store = self.store(&tx, PLANS)?;
        let codec = self.codec();
        let mut skipped = Vec::new();
        let value = if self.version < 2 {
            // Schema v1 has no index (its records are opaque text): scan.
            let mut plans = RecordsRequest::<ExamPlan>::start_on(&store)?
                .finish(&codec, &mut skipped)
                .await
                .map_err(|e| self.fail(e))?;
            plans.retain(|p| p.certificate_id == certificate_id);
            plans
        } else {
            RecordsRequest::<ExamPlan>::start_where(&store, BY_CERTIFICATE, certificate_id)
                .map_err(|e| self.fail(e))?
                .finish(&codec, &mut skipped)
                .await
                .map_err(|e| self.fail(e))?
        };
        Ok(Loaded {
            value,
            meta: (),
            skipped,
        })
    }

    /// Stores a rule document's JSON text as received, replacing the previous one of that `kind`
    /// (the API path's last segment: `fees`, `grades`, `credits`; a province-specific document can
    /// add it, as in `grades:河南`).
    pub async fn save_rules(
        &self,
        kind: &str,
        json: &str,
        etag: Option<&str>,
        synced_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let rules = StoredRules {
            json: json.to_owned(),
            etag: etag.map(str::to_owned),
            synced_at,
        };
        let tx = self.transaction_v3(&[RULES], TransactionMode::Readwrite)?;
        self.put_text(&tx, RULES, kind, &rules)?;
        self.commit(tx).await
    }

    /// The stored rule document of `kind` with its tag and when it was synced, or `None` if
    /// never saved.
    pub async fn load_rules(&self, kind: &str) -> Result<Option<StoredRules>, StorageError> {
        let tx = self.transaction_v3(&[RULES], TransactionMode::Readonly)?;
        self.read_text::<StoredRules>(&tx, RULES, kind).await
    }

    pub(super) async fn load_set<R: Record, M: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<Loaded<Vec<R>, M>>, StorageError> {
        let tx = self.transaction(&[R::STORE, META], TransactionMode::Readonly)?;
        let header = self.request_text(&tx, META, key)?;
        let records = RecordsRequest::<R>::start(&tx)?;
        let Some(meta) = self.finish_text::<M>(header, META, key).await? else {
            return Ok(None);
        };
        let mut skipped = Vec::new();
        let value = records
            .finish(&self.codec(), &mut skipped)
            .await
            .map_err(|e| self.fail(e))?;
        Ok(Some(Loaded {
            value,
            meta,
            skipped,
        }))
    }

    pub(super) async fn save_set<R: Record, M: Serialize>(
        &self,
        records: &[R],
        key: &str,
        meta: &M,
    ) -> Result<(), StorageError> {
        let tx = self.transaction(&[R::STORE, META], TransactionMode::Readwrite)?;
        self.replace_all(&tx, &self.codec(), records)?;
        self.put_text(&tx, META, key, meta)?;
        self.commit(tx).await
    }
}
