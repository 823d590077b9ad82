//! Staff accounts and scoped admin tokens, as the CLI makes them: `kaozheng-server staff add|
//! password|disable|list` and `admin-token create --school NAME`.

use chrono::{DateTime, Utc};

use crate::auth::password::{self, Passwords};
use crate::auth::staff::{MAX_NAME, Scope, check_username};
use crate::auth::tokens;
use crate::db::staff::StaffAccount;
use crate::db::{self, Db};

fn check_name(name: &str) -> anyhow::Result<()> {
    let n = name.chars().count();
    anyhow::ensure!(
        (1..=MAX_NAME).contains(&n)
            && !name.chars().any(char::is_control)
            && !name.starts_with(['=', '+', '-', '@']),
        "a display name has 1 to {MAX_NAME} printable characters, not starting with = + - or @"
    );
    Ok(())
}

/// Makes a staff account with `password` (hashed with argon2id).
pub async fn add(
    db: &Db,
    passwords: &Passwords,
    username: &str,
    name: &str,
    scope: Scope,
    password: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<StaffAccount> {
    check_username(username).map_err(anyhow::Error::msg)?;
    check_name(name)?;
    if let Err((en, _)) = password::check_policy(password) {
        anyhow::bail!("{en}");
    }
    anyhow::ensure!(
        db::staff::get(&db.pool, username).await?.is_none(),
        "a staff account {username:?} exists already"
    );
    let hash = passwords.hash_blocking(password.to_string()).await;
    let account = StaffAccount {
        username: username.to_string(),
        name: name.to_string(),
        scope,
        created_at: now.timestamp(),
        disabled_at: None,
    };
    db::staff::insert(&db.pool, &account, &hash).await?;
    Ok(account)
}

/// Sets a staff member's password and ends their sessions.
pub async fn set_password(
    db: &Db,
    passwords: &Passwords,
    username: &str,
    password: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if let Err((en, _)) = password::check_policy(password) {
        anyhow::bail!("{en}");
    }
    let hash = passwords.hash_blocking(password.to_string()).await;
    let mut tx = db.begin_write().await?;
    anyhow::ensure!(
        db::staff::set_password(&mut *tx, username, &hash).await?,
        "no staff account {username:?}"
    );
    db::staff::revoke_sessions_of(&mut *tx, username, now.timestamp()).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables an account and ends its sessions; returns how many sessions ended.
pub async fn disable(db: &Db, username: &str, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut tx = db.begin_write().await?;
    anyhow::ensure!(
        db::staff::disable(&mut *tx, username, now.timestamp()).await?,
        "no active staff account {username:?}"
    );
    let ended = db::staff::revoke_sessions_of(&mut *tx, username, now.timestamp()).await?;
    tx.commit().await?;
    Ok(ended)
}

/// Makes an admin token named `name` for `scope`; the token is returned once.
pub async fn admin_token(
    db: &Db,
    name: &str,
    scope: &Scope,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    let n = name.chars().count();
    anyhow::ensure!(
        (1..=100).contains(&n) && !name.chars().any(char::is_control),
        "a token name has 1 to 100 printable characters"
    );
    let token = tokens::new_token();
    let id = tokens::random_id("adm-");
    let mut tx = db.begin_write().await?;
    db::admin_tokens::insert(
        &mut *tx,
        &id,
        name,
        &tokens::token_hash(&token),
        now.timestamp(),
    )
    .await?;
    db::staff::set_admin_token_scope(&mut *tx, &id, scope).await?;
    tx.commit().await?;
    Ok(token)
}
