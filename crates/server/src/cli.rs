//! The administration commands besides `serve`: imports, admin tokens and password resets. They
//! open the same database `serve` would (migrated, and seeded with the built-in catalog and rules,
//! so a fresh database accepts plans right away).

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::api::school::{RosterFormat, RosterRequest};
use crate::auth::password::{self, Passwords};
use crate::auth::staff::Scope;
use crate::auth::tokens;
use crate::config::redact_url;
use crate::db::{self, Db};
use crate::import::{self, Ctx, Format, ImportReport, Kind};
use crate::seed;

/// Opens `database_url`, or the SQLite file in `data_dir`; migrates and seeds it.
pub async fn open_db(
    data_dir: &Path,
    database_url: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<Db> {
    let url = match database_url {
        Some(u) => u.to_string(),
        None => {
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("creating {}", data_dir.display()))?;
            db::sqlite_url(&data_dir.join(crate::config::SQLITE_FILE))?
        }
    };
    let db = Db::connect(&url)
        .await
        .with_context(|| format!("connecting to {}", redact_url(&url)))?;
    db.migrate().await?;
    let catalog = seed::default_catalog().context("the built-in catalog is invalid")?;
    seed::seed(&db, &catalog, now, None).await?;
    Ok(db)
}

/// Imports one file; the format comes from its extension, else its content.
pub async fn import_file(
    db: &Db,
    passwords: &Passwords,
    kind: Kind,
    file: &Path,
    rules_kind: Option<String>,
    now: DateTime<Utc>,
) -> anyhow::Result<ImportReport> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let format = file
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(Format::from_file_name);
    let ctx = Ctx {
        db,
        passwords,
        now,
        rules_kind,
        scope: crate::auth::staff::Scope::Province,
        dry_run: false,
    };
    Ok(import::run_file(&ctx, kind, format, &bytes).await?)
}

fn check_token_name(name: &str) -> anyhow::Result<()> {
    let n = name.chars().count();
    anyhow::ensure!(
        (1..=100).contains(&n) && !name.chars().any(char::is_control),
        "a token name has 1 to 100 printable characters"
    );
    Ok(())
}

/// Makes an admin token named `name`; the token is returned once and only its hash is kept.
pub async fn admin_token_create(db: &Db, name: &str, now: DateTime<Utc>) -> anyhow::Result<String> {
    check_token_name(name)?;
    let token = tokens::new_token();
    db::admin_tokens::insert(
        &db.pool,
        &tokens::random_id("adm-"),
        name,
        &tokens::token_hash(&token),
        now.timestamp(),
    )
    .await?;
    Ok(token)
}

/// Revokes every active admin token named `name`; returns how many.
pub async fn admin_token_revoke(db: &Db, name: &str, now: DateTime<Utc>) -> anyhow::Result<u64> {
    Ok(db::admin_tokens::revoke_by_name(&db.pool, name, now.timestamp()).await?)
}

/// Sets a student's password (and signs them out everywhere).
pub async fn set_student_password(
    db: &Db,
    passwords: &Passwords,
    student_no: &str,
    new_password: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if let Err((en, _)) = password::check_policy(new_password) {
        anyhow::bail!("{en}");
    }
    let hash = passwords.hash_blocking(new_password.to_string()).await;
    let mut tx = db.begin_write().await?;
    anyhow::ensure!(
        db::students::set_password(&mut *tx, student_no, &hash).await?,
        "no student {student_no:?}"
    );
    sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE student_no = $1 AND revoked_at IS NULL")
        .bind(student_no)
        .bind(now.timestamp())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A command's `--school`: that school's staff scope, or the province's without it.
pub fn scope_of(school: Option<&str>) -> anyhow::Result<Scope> {
    match school {
        Some(_) => Scope::from_role("school", school),
        None => Ok(Scope::Province),
    }
    .map_err(anyhow::Error::msg)
}

/// Every admin token, one tab-separated line each: id, name, scope, created, state.
pub async fn admin_token_lines(db: &Db) -> anyhow::Result<Vec<String>> {
    let scopes: std::collections::HashMap<String, Scope> = db::staff::admin_token_scopes(&db.pool)
        .await?
        .into_iter()
        .collect();
    let at = |s: i64| {
        DateTime::from_timestamp(s, 0)
            .map(kaozheng_core::time::rfc3339_china)
            .unwrap_or_default()
    };
    Ok(db::admin_tokens::list(&db.pool)
        .await?
        .into_iter()
        .map(|t| {
            format!(
                "{}\t{}\t{}\tcreated {}\t{}",
                t.id,
                t.name,
                scopes.get(&t.id).map_or("province".into(), Scope::describe),
                at(t.created_at),
                t.revoked_at
                    .map_or("active".to_string(), |r| format!("revoked {}", at(r)))
            )
        })
        .collect())
}

/// Every staff account, one tab-separated line each: username, name, scope, state.
pub async fn staff_lines(db: &Db) -> anyhow::Result<Vec<String>> {
    Ok(db::staff::list(&db.pool)
        .await?
        .into_iter()
        .map(|a| {
            let state = if a.disabled_at.is_some() {
                "disabled"
            } else {
                "active"
            };
            format!(
                "{}\t{}\t{}\t{state}",
                a.username,
                a.name,
                a.scope.describe()
            )
        })
        .collect())
}

/// The roster `query` selects within `scope`, as the file its format names, with its row count:
/// the same rows and columns as `GET /api/v1/admin/export/registrations`.
pub async fn export_roster(
    db: &Db,
    scope: &Scope,
    query: kaozheng_api::staff::RosterQuery,
) -> anyhow::Result<(Vec<u8>, usize)> {
    let (filter, format) = query.filter().map_err(|e| anyhow::anyhow!(e.message))?;
    let key = crate::tickets::TicketKey::load_or_create(db).await?;
    let rows = crate::school::roster(db, scope, filter)
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let bytes = match format {
        RosterFormat::Csv => crate::roster::csv(&rows, &key),
        RosterFormat::Xlsx => crate::roster::xlsx(&rows, &key)?,
    };
    Ok((bytes, rows.len()))
}
