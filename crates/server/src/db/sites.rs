//! Exam sites (考点).

use kaozheng_core::Site;
use sqlx::{Any, Executor, Row};

use super::DbResult;

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
    let rows = sqlx::query("SELECT id, name, province, city, address FROM sites")
        .fetch_all(db)
        .await?;
    let mut sites = rows
        .iter()
        .map(|r| {
            Ok(Site {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                province: r.try_get(2)?,
                city: r.try_get(3)?,
                address: r.try_get(4)?,
            })
        })
        .collect::<DbResult<Vec<Site>>>()?;
    sites.sort_by(|a, b| (&a.province, &a.city, &a.id).cmp(&(&b.province, &b.city, &b.id)));
    Ok(sites)
}
