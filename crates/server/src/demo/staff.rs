//! The demo's staff: a province administrator and one account per demo school, and which demo
//! exam site each school runs (the site in its province). Seeded once, like the rest of the demo;
//! a site an administrator already gave a school keeps it.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use super::PASSWORD;
use super::people::{HENAN_SCHOOL, SHANXI_SCHOOL, TIANJIN_SCHOOL};
use crate::auth::password::Passwords;
use crate::auth::staff::Scope;
use crate::db::{self, DbResult, staff::StaffAccount};

/// Set once the demo staff were written.
pub const STAFF_SEEDED_AT: &str = "demo_staff_seeded_at";

/// `(username, display name, school)`; no school is the province administrator.
pub const ACCOUNTS: [(&str, &str, Option<&str>); 4] = [
    ("demo-province", "省级管理员（示例）", None),
    ("demo-tianjin", "天津教务（示例）", Some(TIANJIN_SCHOOL)),
    ("demo-henan", "河南教务（示例）", Some(HENAN_SCHOOL)),
    ("demo-shanxi", "山西教务（示例）", Some(SHANXI_SCHOOL)),
];

/// The demo sites each demo school runs (the two others are no school's).
pub const SITE_SCHOOLS: [(&str, &str); 3] = [
    ("demo-site-tianjin", TIANJIN_SCHOOL),
    ("demo-site-zhengzhou", HENAN_SCHOOL),
    ("demo-site-taiyuan", SHANXI_SCHOOL),
];

/// Writes the demo staff and the sites' schools; returns the accounts written.
pub async fn seed(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    passwords: &Passwords,
) -> DbResult<usize> {
    let schools = db::staff::site_schools(&mut *conn).await?;
    let sites = db::sites::list(&mut *conn).await?;
    for (site, school) in SITE_SCHOOLS {
        if sites.iter().any(|s| s.id == site) && !schools.contains_key(site) {
            db::staff::set_site_school(&mut *conn, site, Some(school)).await?;
        }
    }
    let mut written = 0;
    for (username, name, school) in ACCOUNTS {
        if db::staff::get(&mut *conn, username).await?.is_some() {
            continue;
        }
        let account = StaffAccount {
            username: username.into(),
            name: name.into(),
            scope: school.map_or(Scope::Province, |s| Scope::School(s.into())),
            created_at: now.timestamp(),
            disabled_at: None,
        };
        let hash = passwords.hash_blocking(PASSWORD.to_string()).await;
        db::staff::insert(&mut *conn, &account, &hash).await?;
        written += 1;
    }
    Ok(written)
}
