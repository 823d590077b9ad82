//! The catalog as a whole document: JSON as `crates/catalog-build` writes it, or CSV with one row per
//! certificate level.

use std::collections::HashMap;

use chrono::NaiveDate;
use kaozheng_core::{Catalog, Certificate, EvaluationOrg, LevelInfo, SchoolLevel, XLevel};
use serde::Deserialize;

use sqlx::AnyConnection;

use super::super::read::{self, Columns, Parsed, de};
use super::super::{Ctx, Format, ImportReport, Importer, Kind, Rejection};
use crate::db::{self, DbError, DbResult};

/// `catalog_origin` of a catalog an administrator imported: never replaced by the built-in one.
pub const CATALOG_ORIGIN_ADMIN: &str = "admin";

pub const CATALOG_COLUMNS: Columns = Columns {
    required: &[
        "org_id",
        "org_name",
        "org_pinyin",
        "certificate_id",
        "certificate_name",
        "certificate_pinyin",
        "level",
    ],
    optional: &[
        "org_aliases",
        "batch",
        "field",
        "description",
        "platform_id",
        "hours",
        "suitable_for",
        "updated_on",
        "org_url",
        "standard_url",
    ],
};

#[derive(Debug, Deserialize)]
struct CatalogRow {
    org_id: String,
    org_name: String,
    org_pinyin: String,
    #[serde(default, deserialize_with = "de::opt_text")]
    org_aliases: Option<String>,
    certificate_id: String,
    certificate_name: String,
    certificate_pinyin: String,
    #[serde(default)]
    batch: Option<u8>,
    #[serde(default, deserialize_with = "de::opt_text")]
    field: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    description: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    level: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    platform_id: Option<String>,
    #[serde(default)]
    hours: Option<u16>,
    #[serde(default, deserialize_with = "de::opt_text")]
    suitable_for: Option<String>,
    #[serde(default, deserialize_with = "de::opt_date")]
    updated_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "de::opt_text")]
    org_url: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    standard_url: Option<String>,
}

/// Builds a catalog from CSV rows; problems go to the report.
fn catalog_from_csv(text: &str, report: &mut ImportReport) -> Option<Catalog> {
    let rows = match read::csv_rows::<CatalogRow>(text, &CATALOG_COLUMNS) {
        Ok(rows) => rows,
        Err(problems) => {
            report.rejected = problems;
            return None;
        }
    };
    // In file order, with an index by id: a large file is read in linear time.
    let mut orgs: Vec<(EvaluationOrg, usize)> = Vec::new();
    let mut org_index: HashMap<String, usize> = HashMap::new();
    let mut certs: Vec<(Certificate, usize)> = Vec::new();
    let mut cert_index: HashMap<String, usize> = HashMap::new();
    for parsed in rows {
        let row = parsed.row;
        let r = match parsed.value {
            Ok(r) => r,
            Err(rej) => {
                report.rejected.push(rej);
                continue;
            }
        };
        for (field, value) in [
            ("org_name", &r.org_name),
            ("certificate_name", &r.certificate_name),
        ] {
            read::check_text(report, row, field, value, 200);
        }
        for (field, value) in [("org_url", &r.org_url), ("standard_url", &r.standard_url)] {
            if let Some(Err(why)) = value.as_deref().map(kaozheng_core::catalog::check_url) {
                report.reject(row, Some(field), format!("{value:?} {why}"));
            }
        }
        let org = EvaluationOrg {
            id: r.org_id.clone(),
            name: r.org_name.clone(),
            aliases: r
                .org_aliases
                .as_deref()
                .map(|a| a.split('|').map(|s| s.trim().to_string()).collect())
                .unwrap_or_default(),
            pinyin: r.org_pinyin.clone(),
            url: r.org_url.clone(),
        };
        match org_index.get(&org.id).map(|i| &orgs[*i]) {
            Some((o, first)) if *o != org => report.reject(
                row,
                Some("org_id"),
                format!("organisation columns differ from row {first}"),
            ),
            Some(_) => {}
            None => {
                org_index.insert(org.id.clone(), orgs.len());
                orgs.push((org, row));
            }
        }
        let level = match r.level.as_deref().map(|l| (l, XLevel::parse(l))) {
            None => None,
            Some((_, Some(l))) => Some(l),
            Some((l, None)) => {
                report.reject(row, Some("level"), format!("{l:?} is not 初级/中级/高级"));
                continue;
            }
        };
        let suitable_for = match &r.suitable_for {
            None => None,
            Some(list) => {
                let parsed: Option<Vec<SchoolLevel>> =
                    list.split('|').map(read::parse_school_level).collect();
                if parsed.is_none() {
                    report.reject(
                        row,
                        Some("suitable_for"),
                        "school levels separated by |: secondary, higher, undergraduate, social",
                    );
                }
                parsed
            }
        };
        let cert = Certificate {
            id: r.certificate_id.clone(),
            name: r.certificate_name.clone(),
            org_id: r.org_id.clone(),
            batch: r.batch,
            field: r.field.clone(),
            levels: Vec::new(),
            pinyin: r.certificate_pinyin.clone(),
            description: r.description.clone(),
        };
        let index = match cert_index.get(&cert.id).copied() {
            Some(i) => {
                if certs[i].0.name != cert.name
                    || certs[i].0.org_id != cert.org_id
                    || certs[i].0.batch != cert.batch
                    || certs[i].0.field != cert.field
                    || certs[i].0.pinyin != cert.pinyin
                    || certs[i].0.description != cert.description
                {
                    report.reject(
                        row,
                        Some("certificate_id"),
                        format!("certificate columns differ from row {}", certs[i].1),
                    );
                }
                i
            }
            None => {
                cert_index.insert(cert.id.clone(), certs.len());
                certs.push((cert, row));
                certs.len() - 1
            }
        };
        if let Some(level) = level {
            certs[index].0.levels.push(LevelInfo {
                level,
                platform_id: r.platform_id,
                hours: r.hours,
                suitable_for,
                updated_on: r.updated_on,
                standard_url: r.standard_url,
            });
        }
    }
    if !report.ok() {
        return None;
    }
    let mut certificates: Vec<Certificate> = certs.into_iter().map(|(c, _)| c).collect();
    for c in &mut certificates {
        c.levels.sort_by_key(|l| l.level);
    }
    let mut catalog = Catalog {
        format: kaozheng_core::catalog::FORMAT,
        version: String::new(),
        source: "CSV import".into(),
        synthetic: false,
        total_in_system: None,
        orgs: orgs.into_iter().map(|(o, _)| o).collect(),
        certificates,
    };
    // The same definition as the built-in catalog's: the content, not the file's bytes.
    catalog.set_content_version();
    Some(catalog)
}

/// The catalog document, replacing the stored one whole.
pub struct CatalogDocument;

impl Importer for CatalogDocument {
    type Record = Catalog;
    type Checked = Catalog;
    const DOCUMENT: bool = true;

    fn read(
        &self,
        _ctx: &Ctx<'_>,
        text: &str,
        format: Format,
    ) -> Result<Vec<Parsed<Catalog>>, Vec<Rejection>> {
        let invalid = |errs: kaozheng_core::CatalogErrors| {
            errs.0
                .into_iter()
                .map(|e| Rejection {
                    row: 0,
                    field: Some(e.path),
                    reason: e.message,
                })
                .collect::<Vec<_>>()
        };
        let catalog = match format {
            Format::Json => Catalog::parse(text).map_err(invalid)?,
            Format::Csv => {
                let mut problems = ImportReport::new(Kind::Catalog);
                let catalog = catalog_from_csv(text, &mut problems).ok_or(problems.rejected)?;
                catalog.validate().map_err(invalid)?;
                catalog
            }
        };
        Ok(vec![Parsed {
            row: 0,
            value: Ok(catalog),
        }])
    }

    async fn check(
        &mut self,
        _ctx: &Ctx<'_>,
        _tx: &mut AnyConnection,
        _row: usize,
        catalog: Catalog,
        _report: &mut ImportReport,
    ) -> DbResult<Option<Catalog>> {
        Ok(Some(catalog))
    }

    async fn apply(
        &mut self,
        _ctx: &Ctx<'_>,
        tx: &mut AnyConnection,
        checked: Vec<Catalog>,
        report: &mut ImportReport,
    ) -> DbResult<()> {
        for catalog in checked {
            if db::catalog::load_in(tx).await?.as_ref() == Some(&catalog) {
                report.count(false);
                continue;
            }
            match db::catalog::import(tx, &catalog, CATALOG_ORIGIN_ADMIN).await {
                Ok(()) => report.count(true),
                Err(DbError::Rejected(reason)) => report.reject(0, Some("certificates"), reason),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Kind;

    #[test]
    fn a_csv_catalog_groups_levels_under_certificates() {
        let text = "org_id,org_name,org_pinyin,certificate_id,certificate_name,certificate_pinyin,level,suitable_for\n\
            o1,示例评价组织,shi li,c1,示例职业技能等级证书,shi li,中级,higher|本科\n\
            o1,示例评价组织,shi li,c1,示例职业技能等级证书,shi li,初级,\n\
            o1,示例评价组织,shi li,c2,另一职业技能等级证书,ling yi,,\n";
        let mut report = ImportReport::new(Kind::Catalog);
        let c = catalog_from_csv(text, &mut report).unwrap();
        assert!(report.ok(), "{:?}", report.rejected);
        assert_eq!(c.orgs.len(), 1);
        assert_eq!(c.certificates.len(), 2);
        let levels: Vec<XLevel> = c.certificates[0].levels.iter().map(|l| l.level).collect();
        assert_eq!(levels, vec![XLevel::Primary, XLevel::Intermediate]);
        assert_eq!(
            c.certificates[0].levels[1].suitable_for,
            Some(vec![SchoolLevel::Higher, SchoolLevel::Undergraduate])
        );
        assert!(c.certificates[1].levels.is_empty());
        // The content version, as the built-in catalog's: 16 hex digits, the same for the same rows.
        assert_eq!(c.version.len(), 16);
        let mut again = c.clone();
        again.set_content_version();
        assert_eq!(again.version, c.version);

        let clash = "org_id,org_name,org_pinyin,certificate_id,certificate_name,certificate_pinyin,level\n\
            o1,甲,jia,c1,证书,zheng shu,初级\n\
            o1,乙,yi,c1,证书,zheng shu,中级\n";
        let mut report = ImportReport::new(Kind::Catalog);
        assert!(catalog_from_csv(clash, &mut report).is_none());
        assert_eq!(report.rejected[0].row, 3);
    }

    #[test]
    fn csv_catalog_links_are_https_only_and_checked_per_row() {
        let header = "org_id,org_name,org_pinyin,certificate_id,certificate_name,certificate_pinyin,level,org_url,standard_url\n";
        let good = format!(
            "{header}o1,甲,jia,c1,证书,zheng shu,初级,https://org.example.cn,https://std.example.cn/c1-1.pdf\n\
             o1,甲,jia,c1,证书,zheng shu,中级,https://org.example.cn,\n"
        );
        let mut report = ImportReport::new(Kind::Catalog);
        let c = catalog_from_csv(&good, &mut report).expect("valid");
        assert_eq!(c.orgs[0].url.as_deref(), Some("https://org.example.cn"));
        assert_eq!(
            c.certificates[0].levels[0].standard_url.as_deref(),
            Some("https://std.example.cn/c1-1.pdf")
        );
        assert_eq!(c.certificates[0].levels[1].standard_url, None);
        let bad = format!(
            "{header}o1,甲,jia,c1,证书,zheng shu,初级,http://org.example.cn,\n\
             o1,甲,jia,c1,证书,zheng shu,中级,,https://std example.cn\n"
        );
        let mut report = ImportReport::new(Kind::Catalog);
        assert!(catalog_from_csv(&bad, &mut report).is_none());
        let at: Vec<(usize, Option<&str>)> = report
            .rejected
            .iter()
            .map(|r| (r.row, r.field.as_deref()))
            .collect();
        assert!(at.contains(&(2, Some("org_url"))), "{:?}", report.rejected);
        assert!(
            at.contains(&(3, Some("standard_url"))),
            "{:?}",
            report.rejected
        );
    }
}
