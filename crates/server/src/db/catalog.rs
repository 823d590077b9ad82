//! The catalog in normalized tables: orgs (+ aliases), certificates, certificate levels, and the
//! document's header fields in `meta`. [`import`] replaces the whole catalog in the caller's
//! transaction; [`load`] rebuilds the exact [`Catalog`] document.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use kaozheng_core::{Catalog, Certificate, EvaluationOrg, LevelInfo, SchoolLevel, XLevel};
use sqlx::{AnyConnection, AnyPool};

use super::{DbError, DbResult, meta};

/// Writes `catalog` over whatever catalog is stored, all in the caller's transaction.
///
/// Refused (nothing written) when the document is invalid or when it drops a certificate that
/// exam plans still use: the plans would point at nothing.
pub async fn import(conn: &mut AnyConnection, catalog: &Catalog, origin: &str) -> DbResult<()> {
    catalog
        .validate()
        .map_err(|e| DbError::Rejected(e.to_string()))?;
    let new_ids: HashSet<&str> = catalog.certificates.iter().map(|c| c.id.as_str()).collect();

    let planned: Vec<String> = sqlx::query_scalar("SELECT DISTINCT certificate_id FROM exam_plans")
        .fetch_all(&mut *conn)
        .await?;
    let mut orphaned: Vec<&str> = planned
        .iter()
        .map(String::as_str)
        .filter(|id| !new_ids.contains(id))
        .collect();
    orphaned.sort_unstable();
    if !orphaned.is_empty() {
        return Err(DbError::Rejected(format!(
            "the new catalog drops certificates that exam plans use: {}",
            orphaned.join(", ")
        )));
    }

    for (i, o) in catalog.orgs.iter().enumerate() {
        sqlx::query(
            "INSERT INTO orgs (id, sort_order, name, pinyin, url) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET sort_order = excluded.sort_order, \
             name = excluded.name, pinyin = excluded.pinyin, url = excluded.url",
        )
        .bind(&o.id)
        .bind(i as i64)
        .bind(&o.name)
        .bind(&o.pinyin)
        .bind(o.url.as_deref())
        .execute(&mut *conn)
        .await?;
    }
    for (i, c) in catalog.certificates.iter().enumerate() {
        sqlx::query(
            "INSERT INTO certificates (id, sort_order, name, org_id, batch, field, pinyin, description) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET sort_order = excluded.sort_order, name = excluded.name, \
             org_id = excluded.org_id, batch = excluded.batch, field = excluded.field, \
             pinyin = excluded.pinyin, description = excluded.description",
        )
        .bind(&c.id)
        .bind(i as i64)
        .bind(&c.name)
        .bind(&c.org_id)
        .bind(c.batch.map(i64::from))
        .bind(c.field.as_deref())
        .bind(&c.pinyin)
        .bind(c.description.as_deref())
        .execute(&mut *conn)
        .await?;
    }

    let stored: Vec<String> = sqlx::query_scalar("SELECT id FROM certificates")
        .fetch_all(&mut *conn)
        .await?;
    for id in stored.iter().filter(|id| !new_ids.contains(id.as_str())) {
        // Levels go with it (ON DELETE CASCADE).
        sqlx::query("DELETE FROM certificates WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let new_orgs: HashSet<&str> = catalog.orgs.iter().map(|o| o.id.as_str()).collect();
    let stored: Vec<String> = sqlx::query_scalar("SELECT id FROM orgs")
        .fetch_all(&mut *conn)
        .await?;
    for id in stored.iter().filter(|id| !new_orgs.contains(id.as_str())) {
        sqlx::query("DELETE FROM orgs WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }

    sqlx::query("DELETE FROM org_aliases")
        .execute(&mut *conn)
        .await?;
    for o in &catalog.orgs {
        for (i, alias) in o.aliases.iter().enumerate() {
            sqlx::query("INSERT INTO org_aliases (org_id, sort_order, alias) VALUES ($1, $2, $3)")
                .bind(&o.id)
                .bind(i as i64)
                .bind(alias)
                .execute(&mut *conn)
                .await?;
        }
    }
    sqlx::query("DELETE FROM certificate_levels")
        .execute(&mut *conn)
        .await?;
    for c in &catalog.certificates {
        for l in &c.levels {
            sqlx::query(
                "INSERT INTO certificate_levels \
                 (certificate_id, level, platform_id, hours, suitable_for, updated_on, \
                 standard_url) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&c.id)
            .bind(i64::from(l.level.code()))
            .bind(l.platform_id.as_deref())
            .bind(l.hours.map(i64::from))
            .bind(l.suitable_for.as_deref().map(encode_school_levels))
            .bind(l.updated_on.map(|d| d.format("%Y-%m-%d").to_string()))
            .bind(l.standard_url.as_deref())
            .execute(&mut *conn)
            .await?;
        }
    }

    let total = catalog
        .total_in_system
        .map(|n| n.to_string())
        .unwrap_or_default();
    for (key, value) in [
        (meta::CATALOG_FORMAT, catalog.format.to_string()),
        (meta::CATALOG_SOURCE, catalog.source.clone()),
        (meta::CATALOG_SYNTHETIC, catalog.synthetic.to_string()),
        (meta::CATALOG_TOTAL_IN_SYSTEM, total),
        (meta::CATALOG_ORIGIN, origin.to_string()),
        // Last, so a reader that sees the new version also sees the new rows.
        (meta::CATALOG_VERSION, catalog.version.clone()),
    ] {
        meta::set(&mut *conn, key, &value).await?;
    }
    Ok(())
}

/// The stored catalog, or `None` before one was imported.
///
/// Reads take several statements; on PostgreSQL (read committed) an import could land between
/// them, so the version is read before and after and a mismatch reads again.
pub async fn load(pool: &AnyPool) -> DbResult<Option<Catalog>> {
    let mut conn = pool.acquire().await?;
    for _ in 0..5 {
        let Some(before) = meta::get(&mut *conn, meta::CATALOG_VERSION).await? else {
            return Ok(None);
        };
        let catalog = load_version(&mut conn, before.clone()).await?;
        if meta::get(&mut *conn, meta::CATALOG_VERSION)
            .await?
            .as_deref()
            == Some(before.as_str())
        {
            return Ok(Some(catalog));
        }
    }
    Err(DbError::Corrupt(
        "the catalog kept changing while it was read".into(),
    ))
}

/// The catalog as seen by `conn`, e.g. inside the caller's transaction.
pub async fn load_in(conn: &mut AnyConnection) -> DbResult<Option<Catalog>> {
    match meta::get(&mut *conn, meta::CATALOG_VERSION).await? {
        Some(version) => Ok(Some(load_version(conn, version).await?)),
        None => Ok(None),
    }
}

/// An `orgs` row, without its aliases.
#[derive(sqlx::FromRow)]
struct OrgRow {
    id: String,
    name: String,
    pinyin: String,
    url: Option<String>,
}

/// A `certificate_levels` row, without its certificate.
#[derive(sqlx::FromRow)]
struct LevelRow {
    level: i64,
    platform_id: Option<String>,
    hours: Option<i64>,
    suitable_for: Option<String>,
    updated_on: Option<String>,
    standard_url: Option<String>,
}

impl TryFrom<LevelRow> for LevelInfo {
    type Error = DbError;

    fn try_from(r: LevelRow) -> DbResult<LevelInfo> {
        Ok(LevelInfo {
            level: level_from_code(r.level)?,
            platform_id: r.platform_id,
            hours: r
                .hours
                .map(|h| u16::try_from(h).map_err(|_| DbError::Corrupt(format!("hours = {h}"))))
                .transpose()?,
            suitable_for: r
                .suitable_for
                .map(|s| decode_school_levels(&s))
                .transpose()?,
            updated_on: r
                .updated_on
                .map(|d| {
                    d.parse::<NaiveDate>()
                        .map_err(|_| DbError::Corrupt(format!("updated_on = {d:?}")))
                })
                .transpose()?,
            standard_url: r.standard_url,
        })
    }
}

/// A level with the certificate it belongs to.
#[derive(sqlx::FromRow)]
struct CertificateLevelRow {
    certificate_id: String,
    #[sqlx(flatten)]
    level: LevelRow,
}

/// A `certificates` row, without its levels.
#[derive(sqlx::FromRow)]
struct CertificateRow {
    id: String,
    name: String,
    org_id: String,
    batch: Option<i64>,
    field: Option<String>,
    pinyin: String,
    description: Option<String>,
}

async fn load_version(conn: &mut AnyConnection, version: String) -> DbResult<Catalog> {
    let meta_map: HashMap<String, String> = sqlx::query_as("SELECT key, value FROM meta")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    let get = |k: &str| meta_map.get(k).map(String::as_str).unwrap_or_default();
    let format = get(meta::CATALOG_FORMAT).parse().map_err(|_| {
        DbError::Corrupt(format!(
            "{} = {:?}",
            meta::CATALOG_FORMAT,
            get(meta::CATALOG_FORMAT)
        ))
    })?;
    let total_in_system =
        match get(meta::CATALOG_TOTAL_IN_SYSTEM) {
            "" => None,
            n => Some(n.parse().map_err(|_| {
                DbError::Corrupt(format!("{} = {n:?}", meta::CATALOG_TOTAL_IN_SYSTEM))
            })?),
        };

    let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
    let alias_rows: Vec<(String, String)> =
        sqlx::query_as("SELECT org_id, alias FROM org_aliases ORDER BY org_id, sort_order")
            .fetch_all(&mut *conn)
            .await?;
    for (org_id, alias) in alias_rows {
        aliases.entry(org_id).or_default().push(alias);
    }
    let orgs = sqlx::query_as::<_, OrgRow>(
        "SELECT id, name, pinyin, url FROM orgs ORDER BY sort_order, id",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| EvaluationOrg {
        aliases: aliases.remove(&r.id).unwrap_or_default(),
        id: r.id,
        name: r.name,
        pinyin: r.pinyin,
        url: r.url,
    })
    .collect();

    let mut levels: HashMap<String, Vec<LevelInfo>> = HashMap::new();
    for r in sqlx::query_as::<_, CertificateLevelRow>(
        "SELECT certificate_id, level, platform_id, hours, suitable_for, updated_on, standard_url \
         FROM certificate_levels ORDER BY certificate_id, level",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        levels
            .entry(r.certificate_id)
            .or_default()
            .push(r.level.try_into()?);
    }
    let mut certificates = Vec::new();
    for r in sqlx::query_as::<_, CertificateRow>(
        "SELECT id, name, org_id, batch, field, pinyin, description \
         FROM certificates ORDER BY sort_order, id",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let batch = r
            .batch
            .map(|b| u8::try_from(b).map_err(|_| DbError::Corrupt(format!("batch = {b}"))))
            .transpose()?;
        certificates.push(Certificate {
            levels: levels.remove(&r.id).unwrap_or_default(),
            id: r.id,
            name: r.name,
            org_id: r.org_id,
            batch,
            field: r.field,
            pinyin: r.pinyin,
            description: r.description,
        });
    }

    Ok(Catalog {
        format,
        version,
        source: get(meta::CATALOG_SOURCE).to_string(),
        synthetic: get(meta::CATALOG_SYNTHETIC) == "true",
        total_in_system,
        orgs,
        certificates,
    })
}

/// What the catalog says about one level of a certificate (its `suitable_for` decides eligibility),
/// `None` when the certificate does not offer it.
pub async fn level_info(
    conn: &mut AnyConnection,
    certificate_id: &str,
    level: XLevel,
) -> DbResult<Option<LevelInfo>> {
    sqlx::query_as::<_, LevelRow>(
        "SELECT level, platform_id, hours, suitable_for, updated_on, standard_url \
         FROM certificate_levels WHERE certificate_id = $1 AND level = $2",
    )
    .bind(certificate_id)
    .bind(i64::from(level.code()))
    .fetch_optional(&mut *conn)
    .await?
    .map(LevelInfo::try_from)
    .transpose()
}

/// The certificate's name and its organisation's name, `None` when the catalog has no such
/// certificate.
pub async fn names(
    conn: &mut AnyConnection,
    certificate_id: &str,
) -> DbResult<Option<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT c.name AS certificate_name, o.name AS org_name \
         FROM certificates c JOIN orgs o ON o.id = c.org_id WHERE c.id = $1",
    )
    .bind(certificate_id)
    .fetch_optional(&mut *conn)
    .await?)
}

pub(crate) fn level_from_code(code: i64) -> DbResult<XLevel> {
    u8::try_from(code)
        .ok()
        .and_then(XLevel::from_code)
        .ok_or_else(|| DbError::Corrupt(format!("level = {code}")))
}

fn school_level_name(s: SchoolLevel) -> &'static str {
    match s {
        SchoolLevel::Secondary => "secondary",
        SchoolLevel::Higher => "higher",
        SchoolLevel::Undergraduate => "undergraduate",
        SchoolLevel::Social => "social",
    }
}

fn encode_school_levels(v: &[SchoolLevel]) -> String {
    v.iter()
        .map(|s| school_level_name(*s))
        .collect::<Vec<_>>()
        .join(",")
}

fn decode_school_levels(s: &str) -> DbResult<Vec<SchoolLevel>> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|name| {
            SchoolLevel::ALL
                .into_iter()
                .find(|l| school_level_name(*l) == name)
                .ok_or_else(|| DbError::Corrupt(format!("suitable_for contains {name:?}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_level_lists_round_trip_and_keep_empty_apart_from_unknown() {
        for v in [
            vec![],
            vec![SchoolLevel::Secondary],
            SchoolLevel::ALL.to_vec(),
        ] {
            assert_eq!(decode_school_levels(&encode_school_levels(&v)).unwrap(), v);
        }
        // The names are the JSON names, so the column reads like the API.
        for l in SchoolLevel::ALL {
            assert_eq!(
                serde_json::to_value(l).unwrap(),
                serde_json::Value::from(school_level_name(l))
            );
        }
        assert!(decode_school_levels("secondary,phd").is_err());
    }
}
