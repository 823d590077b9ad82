//! Staff accounts, their sessions and checked uploads, the role and school of admin tokens, and
//! which school an exam site belongs to (migration 0008).

use std::collections::HashMap;

use sqlx::{Any, Executor};

use super::{DbError, DbResult};
use crate::auth::staff::Scope;

/// A stored staff account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    pub username: String,
    pub name: String,
    pub scope: Scope,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

/// The scope stored as `(role, school)`.
pub fn scope_from(role: &str, school: Option<String>) -> DbResult<Scope> {
    match (role, school) {
        ("province", None) => Ok(Scope::Province),
        ("school", Some(s)) => Ok(Scope::School(s)),
        (role, school) => Err(DbError::Corrupt(format!(
            "role = {role:?}, school = {school:?}"
        ))),
    }
}

/// A `staff` row ([`ACCOUNT_COLUMNS`]).
#[derive(sqlx::FromRow)]
struct AccountRow {
    username: String,
    name: String,
    role: String,
    school: Option<String>,
    created_at: i64,
    disabled_at: Option<i64>,
}

impl TryFrom<AccountRow> for StaffAccount {
    type Error = DbError;

    fn try_from(r: AccountRow) -> DbResult<StaffAccount> {
        Ok(StaffAccount {
            scope: scope_from(&r.role, r.school)?,
            username: r.username,
            name: r.name,
            created_at: r.created_at,
            disabled_at: r.disabled_at,
        })
    }
}

/// An account with its password hash.
#[derive(sqlx::FromRow)]
struct AccountWithHash {
    #[sqlx(flatten)]
    account: AccountRow,
    password_hash: String,
}

/// An account with one of its sessions.
#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    account: AccountRow,
    expires_at: i64,
    revoked_at: Option<i64>,
}

/// A role and school as stored for staff and admin tokens, with what they belong to: an admin
/// token's name or id.
#[derive(sqlx::FromRow)]
struct ScopeRow {
    owner: String,
    role: String,
    school: Option<String>,
}

impl ScopeRow {
    fn into_pair(self) -> DbResult<(String, Scope)> {
        Ok((self.owner, scope_from(&self.role, self.school)?))
    }
}

/// An id with a text stored for it (a site's school, a certificate's name).
#[derive(sqlx::FromRow)]
struct IdText {
    id: String,
    text: String,
}

fn id_map(rows: Vec<IdText>) -> HashMap<String, String> {
    rows.into_iter().map(|r| (r.id, r.text)).collect()
}

const ACCOUNT_COLUMNS: &str = "username, name, role, school, created_at, disabled_at";

pub async fn insert<'e, E>(db: E, account: &StaffAccount, password_hash: &str) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO staff (username, name, role, school, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&account.username)
    .bind(&account.name)
    .bind(account.scope.role())
    .bind(account.scope.school())
    .bind(password_hash)
    .bind(account.created_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get<'e, E>(db: E, username: &str) -> DbResult<Option<StaffAccount>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, AccountRow>(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM staff WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(db)
    .await?
    .map(StaffAccount::try_from)
    .transpose()
}

/// The account and its hash, for signing in; a disabled account is `None`, like an unknown one.
pub async fn get_active_with_hash<'e, E>(
    db: E,
    username: &str,
) -> DbResult<Option<(StaffAccount, String)>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, AccountWithHash>(&format!(
        "SELECT {ACCOUNT_COLUMNS}, password_hash FROM staff \
         WHERE username = $1 AND disabled_at IS NULL"
    ))
    .bind(username)
    .fetch_optional(db)
    .await?
    .map(|r| Ok((r.account.try_into()?, r.password_hash)))
    .transpose()
}

/// Every account, by username.
pub async fn list<'e, E>(db: E) -> DbResult<Vec<StaffAccount>>
where
    E: Executor<'e, Database = Any>,
{
    let mut out = sqlx::query_as::<_, AccountRow>(&format!("SELECT {ACCOUNT_COLUMNS} FROM staff"))
        .fetch_all(db)
        .await?
        .into_iter()
        .map(StaffAccount::try_from)
        .collect::<DbResult<Vec<_>>>()?;
    out.sort_by(|a, b| a.username.cmp(&b.username));
    Ok(out)
}

/// Sets the password hash; false when there is no such account.
pub async fn set_password<'e, E>(db: E, username: &str, hash: &str) -> DbResult<bool>
where
    E: Executor<'e, Database = Any>,
{
    Ok(
        sqlx::query("UPDATE staff SET password_hash = $2 WHERE username = $1")
            .bind(username)
            .bind(hash)
            .execute(db)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Disables an active account; false when there is none.
pub async fn disable<'e, E>(db: E, username: &str, now: i64) -> DbResult<bool>
where
    E: Executor<'e, Database = Any>,
{
    Ok(
        sqlx::query(
            "UPDATE staff SET disabled_at = $2 WHERE username = $1 AND disabled_at IS NULL",
        )
        .bind(username)
        .bind(now)
        .execute(db)
        .await?
        .rows_affected()
            == 1,
    )
}

/// Ends every open session of the account; returns how many.
pub async fn revoke_sessions_of<'e, E>(db: E, username: &str, now: i64) -> DbResult<u64>
where
    E: Executor<'e, Database = Any>,
{
    Ok(sqlx::query(
        "UPDATE staff_sessions SET revoked_at = $2 WHERE username = $1 AND revoked_at IS NULL",
    )
    .bind(username)
    .bind(now)
    .execute(db)
    .await?
    .rows_affected())
}

pub async fn insert_session<'e, E>(
    db: E,
    token_hash: &str,
    username: &str,
    origin: &str,
    now: i64,
    expires_at: i64,
) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO staff_sessions (token_hash, username, origin, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(username)
    .bind(origin)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// A staff session as the authentication check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSession {
    pub account: StaffAccount,
    pub expires_at: i64,
    pub revoked: bool,
}

/// The session with this token hash and its account (disabled accounts included: the caller
/// refuses them).
pub async fn session<'e, E>(db: E, token_hash: &str) -> DbResult<Option<StaffSession>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, SessionRow>(
        "SELECT a.username, a.name, a.role, a.school, a.created_at, a.disabled_at, \
         s.expires_at, s.revoked_at FROM staff_sessions s \
         JOIN staff a ON a.username = s.username WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?
    .map(|r| {
        Ok(StaffSession {
            account: r.account.try_into()?,
            expires_at: r.expires_at,
            revoked: r.revoked_at.is_some(),
        })
    })
    .transpose()
}

/// Ends one session (sign-out); ending it twice keeps the first time.
pub async fn revoke_session<'e, E>(db: E, token_hash: &str, now: i64) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "UPDATE staff_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets sessions that expired before `before` and uploads made before `uploads_before`.
pub async fn delete_expired<'e, E>(db: E, before: i64, uploads_before: i64) -> DbResult<u64>
where
    E: Executor<'e, Database = Any> + Copy,
{
    let sessions = sqlx::query("DELETE FROM staff_sessions WHERE expires_at < $1")
        .bind(before)
        .execute(db)
        .await?
        .rows_affected();
    let uploads = sqlx::query("DELETE FROM staff_uploads WHERE created_at < $1")
        .bind(uploads_before)
        .execute(db)
        .await?
        .rows_affected();
    Ok(sessions + uploads)
}

/// The name and scope of the active admin token with this hash.
pub async fn admin_token<'e, E>(db: E, token_hash: &str) -> DbResult<Option<(String, Scope)>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, ScopeRow>(
        "SELECT name AS owner, role, school FROM admin_tokens \
         WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?
    .map(ScopeRow::into_pair)
    .transpose()
}

/// Gives a freshly made admin token its scope.
pub async fn set_admin_token_scope<'e, E>(db: E, id: &str, scope: &Scope) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE admin_tokens SET role = $2, school = $3 WHERE id = $1")
        .bind(id)
        .bind(scope.role())
        .bind(scope.school())
        .execute(db)
        .await?;
    Ok(())
}

/// The scope of every admin token by id (for `admin-token list`).
pub async fn admin_token_scopes<'e, E>(db: E) -> DbResult<Vec<(String, Scope)>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, ScopeRow>("SELECT id AS owner, role, school FROM admin_tokens")
        .fetch_all(db)
        .await?
        .into_iter()
        .map(ScopeRow::into_pair)
        .collect()
}

/// The school of every site that has one, by site id.
pub async fn site_schools<'e, E>(db: E) -> DbResult<HashMap<String, String>>
where
    E: Executor<'e, Database = Any>,
{
    Ok(id_map(
        sqlx::query_as("SELECT id, school AS text FROM sites WHERE school IS NOT NULL")
            .fetch_all(db)
            .await?,
    ))
}

/// Sets (or with `None` clears) the school of a site.
pub async fn set_site_school<'e, E>(db: E, site_id: &str, school: Option<&str>) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE sites SET school = $2 WHERE id = $1")
        .bind(site_id)
        .bind(school)
        .execute(db)
        .await?;
    Ok(())
}

/// An import file kept after a dry run that rejected nothing.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Upload {
    pub id: String,
    pub username: String,
    pub kind: String,
    pub rules_kind: Option<String>,
    pub format: String,
    pub file_name: String,
    pub body: String,
    pub digest: String,
    pub created_at: i64,
}

pub async fn insert_upload<'e, E>(db: E, u: &Upload) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO staff_uploads (id, username, kind, rules_kind, format, file_name, body, \
         digest, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&u.id)
    .bind(&u.username)
    .bind(&u.kind)
    .bind(u.rules_kind.as_deref())
    .bind(&u.format)
    .bind(&u.file_name)
    .bind(&u.body)
    .bind(&u.digest)
    .bind(u.created_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The staff member's own upload `id`; another's is `None`, like one that does not exist.
pub async fn upload<'e, E>(db: E, id: &str, username: &str) -> DbResult<Option<Upload>>
where
    E: Executor<'e, Database = Any>,
{
    Ok(sqlx::query_as::<_, Upload>(
        "SELECT id, username, kind, rules_kind, format, file_name, body, digest, created_at \
         FROM staff_uploads WHERE id = $1 AND username = $2",
    )
    .bind(id)
    .bind(username)
    .fetch_optional(db)
    .await?)
}

pub async fn delete_upload<'e, E>(db: E, id: &str) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("DELETE FROM staff_uploads WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Writes a plan's moved phase and window end if the stored plan still has `before`'s; false when
/// someone changed it in between.
pub async fn move_plan_if_unchanged<'e, E>(
    db: E,
    before: &kaozheng_core::ExamPlan,
    after: &kaozheng_core::ExamPlan,
) -> DbResult<bool>
where
    E: Executor<'e, Database = Any>,
{
    use super::plans::phase_name;
    Ok(sqlx::query(
        "UPDATE exam_plans SET phase = $2, window_closes_at = $3 \
         WHERE id = $1 AND phase = $4 AND window_closes_at = $5",
    )
    .bind(&before.id)
    .bind(phase_name(after.phase))
    .bind(after.window_closes_at.timestamp())
    .bind(phase_name(before.phase))
    .bind(before.window_closes_at.timestamp())
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

/// Every certificate's name by id (for listing plans).
pub async fn certificate_names<'e, E>(db: E) -> DbResult<HashMap<String, String>>
where
    E: Executor<'e, Database = Any>,
{
    Ok(id_map(
        sqlx::query_as("SELECT id, name AS text FROM certificates")
            .fetch_all(db)
            .await?,
    ))
}
