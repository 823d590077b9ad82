//! Exam sites (考点).

use kaozheng_core::Site;
use sqlx::{Any, Executor};

use super::DbResult;

/// A `sites` row: the same fields as the core [`Site`] (core stays free of sqlx).
#[derive(sqlx::FromRow)]
struct SiteRow {
    id: String,
    name: String,
    province: String,
    city: String,
    address: String,
}

impl From<SiteRow> for Site {
    fn from(r: SiteRow) -> Site {
        Site {
            id: r.id,
            name: r.name,
            province: r.province,
            city: r.city,
            address: r.address,
        }
    }
}

pub async fn insert<'e, E>(db: E, site: &Site) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO sites (id, name, province, city, address) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&site.id)
    .bind(&site.name)
    .bind(&site.province)
    .bind(&site.city)
    .bind(&site.address)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn update<'e, E>(db: E, site: &Site) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE sites SET name = $2, province = $3, city = $4, address = $5 WHERE id = $1")
        .bind(&site.id)
        .bind(&site.name)
        .bind(&site.province)
        .bind(&site.city)
        .bind(&site.address)
        .execute(db)
        .await?;
    Ok(())
}

/// Every site, by province, then city, then id, so lists group naturally. Sorted here, not in
/// SQL: text order follows the database's collation, which differs between SQLite and PostgreSQL.
pub async fn list<'e, E>(db: E) -> DbResult<Vec<Site>>
where
    E: Executor<'e, Database = Any>,
{
    let mut sites: Vec<Site> =
        sqlx::query_as::<_, SiteRow>("SELECT id, name, province, city, address FROM sites")
            .fetch_all(db)
            .await?
            .into_iter()
            .map(Site::from)
            .collect();
    sites.sort_by(|a, b| (&a.province, &a.city, &a.id).cmp(&(&b.province, &b.city, &b.id)));
    Ok(sites)
}
