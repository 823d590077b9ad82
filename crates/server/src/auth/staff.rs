//! Who may act for whom among the people who run exams.
//!
//! Two roles. A **province** administrator (every admin token made before roles existed, a token
//! made without `--school`, a staff account with `--role province`) keeps the global rights: every
//! import, every export, every plan. A **school**'s staff (a token made with `--school NAME`, an
//! account with `--role school --school NAME`) act only within that school: students whose
//! `school` is NAME, plans at exam sites whose `school` is NAME, and the registrations and results
//! of NAME's students. The school is named exactly as its students' `school` column has it.
//!
//! Staff sign in with a username and password (argon2id, like students; the same login limits)
//! for a session that lasts [`SESSION_HOURS`]: a bearer token from `POST
//! /api/v1/auth/staff/login`, or the staff page's cookie. Admin tokens and staff sessions are
//! both accepted on `/api/v1/admin/…`; neither is ever a student, nor a student session staff.

use chrono::{DateTime, Utc};

use crate::auth::tokens;
use crate::db::{self, staff::StaffAccount};
use crate::error::ApiError;
use crate::state::AppState;

/// How long a staff session lasts: a working day. Staff sign in on shared office computers.
pub const SESSION_HOURS: i64 = 12;

/// Longest username and display name.
pub const MAX_USERNAME: usize = 64;
pub const MAX_NAME: usize = 64;
/// Longest school name (as the students import allows).
pub const MAX_SCHOOL: usize = 100;

/// What a caller may reach.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every school's data, the catalog and the rules.
    Province,
    /// One school's students, the plans at its sites, and its students' registrations and results.
    School(String),
}

impl Scope {
    /// The stored role name.
    pub fn role(&self) -> &'static str {
        match self {
            Scope::Province => "province",
            Scope::School(_) => "school",
        }
    }

    pub fn school(&self) -> Option<&str> {
        match self {
            Scope::Province => None,
            Scope::School(s) => Some(s),
        }
    }

    pub fn is_province(&self) -> bool {
        matches!(self, Scope::Province)
    }

    /// Whether a student of `school` is within reach.
    pub fn covers_student(&self, school: &str) -> bool {
        match self {
            Scope::Province => true,
            Scope::School(s) => s == school,
        }
    }

    /// Whether a site run by `site_school` (`None`: no school) is within reach.
    pub fn covers_site(&self, site_school: Option<&str>) -> bool {
        match self {
            Scope::Province => true,
            Scope::School(s) => site_school == Some(s.as_str()),
        }
    }

    /// `role=province` or `role=school school=NAME`, for logs and listings.
    pub fn describe(&self) -> String {
        match self {
            Scope::Province => "province".into(),
            Scope::School(s) => format!("school {s}"),
        }
    }

    /// A scope from a role name and an optional school, as the CLI takes them.
    pub fn from_role(role: &str, school: Option<&str>) -> Result<Scope, String> {
        let school = school.map(str::trim).filter(|s| !s.is_empty());
        match (role, school) {
            ("province", None) => Ok(Scope::Province),
            ("province", Some(_)) => Err("a province administrator has no --school".into()),
            ("school", Some(s)) => {
                check_school(s)?;
                Ok(Scope::School(s.to_string()))
            }
            ("school", None) => Err("a school's staff need --school NAME".into()),
            (other, _) => Err(format!("unknown role {other:?}: province or school")),
        }
    }
}

/// A school name: 1–100 printable characters, not starting like a spreadsheet formula.
pub fn check_school(s: &str) -> Result<(), String> {
    let n = s.chars().count();
    if n == 0 || n > MAX_SCHOOL || s.chars().any(char::is_control) || s.trim() != s {
        return Err(format!(
            "a school name has 1 to {MAX_SCHOOL} printable characters without spaces around it"
        ));
    }
    if s.starts_with(['=', '+', '-', '@']) {
        return Err("a school name cannot start with = + - or @".into());
    }
    Ok(())
}

/// A username: 1–64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit.
pub fn check_username(s: &str) -> Result<(), String> {
    let ok = (1..=MAX_USERNAME).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "a username has 1 to {MAX_USERNAME} ASCII letters, digits, '.', '_' or '-', starting \
             with a letter or digit"
        ))
    }
}

/// The rate-limit account of a staff username. Student numbers never contain `:`, so the two
/// never share a counter.
pub fn limit_account(username: &str) -> String {
    format!("staff:{username}")
}

/// A started staff session.
#[derive(Debug, Clone)]
pub struct StaffLogin {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub account: StaffAccount,
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized(
        "invalid_credentials",
        "the username or the password is wrong",
        "用户名或密码错误",
    )
}

/// Checks a username and password under the login limits and starts a session; `origin` is
/// `form` or `api`. Unknown and disabled accounts cost one argon2 verification too.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    addr: &str,
    origin: &str,
) -> Result<StaffLogin, ApiError> {
    if username.is_empty()
        || username.chars().count() > MAX_USERNAME
        || password.is_empty()
        || password.chars().count() > kaozheng_api::auth::MAX_PASSWORD
    {
        return Err(ApiError::bad_request(
            "invalid_body",
            format!(
                "username has 1 to {MAX_USERNAME} characters and password 1 to {}",
                kaozheng_api::auth::MAX_PASSWORD
            ),
            "用户名或密码长度不符合要求",
        ));
    }
    let limits = state.auth.login_limits;
    let now = state.now();
    let attempt = match limits
        .attempt(&state.db, &limit_account(username), addr, now.timestamp())
        .await?
    {
        Ok(a) => a,
        Err(retry_after) => {
            tracing::warn!(staff = %username, %addr, "staff login rate-limited");
            return Err(ApiError::too_many_attempts(retry_after));
        }
    };
    let found = db::staff::get_active_with_hash(&state.db.pool, username).await?;
    let (account, hash) = match found {
        Some((a, h)) => (Some(a), Some(h)),
        None => (None, None),
    };
    let ok = state
        .auth
        .passwords
        .verify_blocking(password.to_string(), hash)
        .await;
    let Some(account) = account.filter(|_| ok) else {
        tracing::info!(staff = %username, %addr, "staff login failed");
        return Err(invalid_credentials());
    };
    limits.succeeded(&state.db, attempt).await?;
    let now = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let expires_at = now + chrono::Duration::hours(SESSION_HOURS);
    let token = tokens::new_token();
    db::staff::insert_session(
        &state.db.pool,
        &tokens::token_hash(&token),
        &account.username,
        origin,
        now.timestamp(),
        expires_at.timestamp(),
    )
    .await?;
    tracing::info!(staff = %account.username, scope = %account.scope.describe(), origin, "staff session started");
    Ok(StaffLogin {
        token,
        expires_at,
        account,
    })
}

/// A live staff session's account, or why the token is not one: `Ok(None)` when the token is no
/// staff session at all.
pub async fn session_account(
    state: &AppState,
    token_hash: &str,
) -> Result<Option<StaffAccount>, ApiError> {
    match db::staff::session(&state.db.pool, token_hash).await? {
        None => Ok(None),
        Some(s) if s.revoked || s.account.disabled_at.is_some() => Err(ApiError::unauthorized(
            "unauthorized",
            "the staff session is not valid (signed out or disabled); sign in again",
            "登录凭证无效或已退出，请重新登录",
        )),
        Some(s) if s.expires_at <= state.now().timestamp() => Err(ApiError::unauthorized(
            "session_expired",
            "the staff session has expired; sign in again",
            "登录已过期，请重新登录",
        )),
        Some(s) => Ok(Some(s.account)),
    }
}

/// Whether the token is a live admin token or staff session (for refusing it on student
/// endpoints with 403 rather than 401).
pub async fn is_staff_token(state: &AppState, token_hash: &str) -> Result<bool, ApiError> {
    if db::staff::admin_token(&state.db.pool, token_hash)
        .await?
        .is_some()
    {
        return Ok(true);
    }
    Ok(matches!(
        session_account(state, token_hash).await,
        Ok(Some(_))
    ))
}

/// The refusal for a request outside the caller's school.
pub fn out_of_scope(what_en: impl Into<String>, what_zh: impl Into<String>) -> ApiError {
    ApiError::forbidden("out_of_scope", what_en, what_zh)
}

/// The refusal for what only a province administrator may do.
pub fn province_only(what_en: &str, what_zh: &str) -> ApiError {
    ApiError::forbidden(
        "province_only",
        format!("{what_en} is for province administrators; a school's staff cannot"),
        format!("{what_zh}仅限省级管理员，学校教务人员无权操作"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_reach_their_own_school_only() {
        let p = Scope::Province;
        let s = Scope::School("示例职业技术学院".into());
        assert!(p.covers_student("任何学校") && p.covers_site(None) && p.covers_site(Some("x")));
        assert!(s.covers_student("示例职业技术学院"));
        assert!(
            !s.covers_student("示例职业技术学院 "),
            "names compare exactly"
        );
        assert!(!s.covers_student("河南示例中等职业学校"));
        assert!(s.covers_site(Some("示例职业技术学院")));
        assert!(
            !s.covers_site(None),
            "a site of no school is the province's"
        );
        assert_eq!((p.role(), s.role()), ("province", "school"));
        assert_eq!(s.school(), Some("示例职业技术学院"));
    }

    #[test]
    fn roles_names_and_schools_are_checked() {
        assert_eq!(Scope::from_role("province", None), Ok(Scope::Province));
        assert_eq!(Scope::from_role("province", Some(" ")), Ok(Scope::Province));
        assert_eq!(
            Scope::from_role("school", Some("甲校")),
            Ok(Scope::School("甲校".into()))
        );
        assert!(Scope::from_role("school", None).is_err());
        assert!(Scope::from_role("province", Some("甲校")).is_err());
        assert!(Scope::from_role("teacher", None).is_err());
        assert!(Scope::from_role("school", Some("=cmd")).is_err());
        assert!(check_username("tj-admin.01").is_ok());
        for bad in ["", "-x", "张老师", "a b", &"x".repeat(65)] {
            assert!(check_username(bad).is_err(), "{bad:?}");
        }
        assert_eq!(limit_account("tj"), "staff:tj");
    }
}
