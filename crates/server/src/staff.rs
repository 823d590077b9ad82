//! The staff page at `/staff`: server-rendered HTML forms for the people who run exams, in
//! Chinese and English, with no script at all and nothing of it in the students' app. A school's
//! staff (or the province) sign in, check an import file as a dry run and read its row-level
//! report before applying it, see their plans with seats taken and results still owed, download
//! rosters and the feedback export, and move a plan along its lifecycle.
//!
//! Sessions are staff sessions ([`crate::auth::staff`]) carried by an HttpOnly, SameSite=Strict
//! cookie scoped to `/staff`. Every form that changes something also carries a token derived from
//! the session's secret, and a POST whose `Origin` is another site is refused. Pages are
//! `no-store`: they show students' data. The stylesheet comes from the binary; the server's
//! Content-Security-Policy (no inline script or style) holds here as everywhere.

pub mod accounts;
mod desk;
pub mod multipart;
mod report;
mod sign_in;
pub mod words;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FormRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use kaozheng_core::model::PhaseMove;
use kaozheng_core::time;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::api::BodyLimits;
use crate::api::school::{RosterFormat, RosterRequest, download, roster_download};
use crate::auth::ClientAddr;
use crate::auth::staff::{self as roles, Scope};
use crate::auth::tokens;
use crate::db::{self, staff::StaffAccount};
use crate::error::ApiError;
use crate::import::{self, Ctx, Format, ImportReport, Kind, spreadsheet};
use crate::school;
use crate::state::AppState;
use desk::{export_feedback, export_roster, move_plan, page};
use kaozheng_api::staff::{RosterQuery, StaffPlan};
use report::{apply_upload, check_upload};
use sign_in::{login, logout};
use words::Lang;

/// The session cookie.
pub const COOKIE: &str = "kz_staff";
/// The language cookie (`zh` or `en`), set by `?lang=`.
pub const LANG_COOKIE: &str = "kz_staff_lang";
/// The stylesheet, served at `/staff/staff.css`.
pub const CSS: &str = include_str!("staff/staff.css");
/// How long a checked file waits to be applied.
pub const UPLOAD_TTL_SECS: i64 = 3600;
/// Form bodies besides the upload.
const FORM_LIMIT: usize = 16 * 1024;

/// The page's routes; everything else under `/staff/` is a page-not-found (never the students'
/// app).
pub fn router(limits: BodyLimits) -> Router<AppState> {
    Router::new()
        .route("/staff", get(page))
        .route("/staff/", get(home))
        .route("/staff/staff.css", get(css))
        .route("/staff/login", post(login).get(home))
        .route("/staff/logout", post(logout).get(home))
        .route(
            "/staff/import",
            post(check_upload)
                .get(home)
                // The file plus the form's few fields and multipart framing.
                .layer(DefaultBodyLimit::max(limits.import + 64 * 1024)),
        )
        .route("/staff/import/apply", post(apply_upload).get(home))
        .route("/staff/plans/{id}/move", post(move_plan).get(home))
        .route("/staff/export/registrations", get(export_roster))
        .route("/staff/export/feedback.csv", get(export_feedback))
        .route("/staff/{*rest}", any(not_found))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
}

/// HTML-escapes text for element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn url_part(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// A cookie's value from the request.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The language: `?lang=`, else the cookie, else the browser's, else Chinese.
fn lang_of(headers: &HeaderMap, asked: Option<&str>) -> Lang {
    asked
        .and_then(Lang::parse)
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::parse))
        .unwrap_or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map_or(Lang::Zh, Lang::from_accept_language)
        })
}

/// Whether a form POST comes from this site: no `Origin` (not a browser, or one that does not
/// send it), or one naming the host the request was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match origin.to_str().ok().and_then(|o| o.split_once("://")) {
        Some((_, rest)) => Some(rest) == host,
        None => false,
    }
}

/// The request came over TLS, as a trusted proxy says.
fn over_tls(state: &AppState, headers: &HeaderMap) -> bool {
    state.auth.trust_forwarded_for
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next_back())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// A signed-in staff member and the form token of their session.
struct Signed {
    account: StaffAccount,
    token_hash: String,
    csrf: String,
}

impl Signed {
    fn scope(&self) -> &Scope {
        &self.account.scope
    }
}

/// The token every form of a session carries: derived from the session's secret, so another site
/// cannot know it.
fn csrf_of(token: &str) -> String {
    tokens::hex(&Sha256::digest(format!("staff-form|{token}").as_bytes()))[..32].to_string()
}

/// The staff member the session cookie names, if it is a live session.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<Signed>, ApiError> {
    let Some(token) = cookie(headers, COOKIE).filter(|t| {
        (16..=256).contains(&t.len())
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    }) else {
        return Ok(None);
    };
    let token_hash = tokens::token_hash(token);
    match roles::session_account(state, &token_hash).await {
        Ok(Some(account)) => Ok(Some(Signed {
            account,
            csrf: csrf_of(token),
            token_hash,
        })),
        Ok(None) => Ok(None),
        Err(e) if e.status == StatusCode::UNAUTHORIZED => Ok(None),
        Err(e) => Err(e),
    }
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn see_other(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, to.to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
    )
        .into_response()
}

/// The whole page around `main`.
fn shell(lang: Lang, title: &str, who: Option<&Signed>, main: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · {}</title><link rel=\"stylesheet\" href=\"/staff/staff.css\"></head><body>\
         <a class=\"skip\" href=\"#main\">{}</a><header class=\"top\"><span class=\"brand\">{}</span>",
        lang.html(),
        esc(title),
        lang.pick("考证 教务", "Kaozheng staff"),
        lang.pick("跳到主要内容", "Skip to main content"),
        lang.pick("考证 · 教务工作台", "Kaozheng · Staff desk"),
    );
    if let Some(s) = who {
        let role = match s.scope() {
            Scope::Province => lang
                .pick("省级管理员", "province administrator")
                .to_string(),
            Scope::School(school) => esc(school),
        };
        let _ = write!(
            out,
            "<span class=\"who\" data-testid=\"who\">{}：{}（{}）</span>\
             <form method=\"post\" action=\"/staff/logout\"><input type=\"hidden\" name=\"csrf\" \
             value=\"{}\"><button class=\"quiet\" type=\"submit\">{}</button></form>",
            lang.pick("已登录", "Signed in"),
            esc(&s.account.name),
            role,
            s.csrf,
            lang.pick("退出登录", "Sign out"),
        );
    }
    let other = lang.other();
    let _ = write!(
        out,
        "<a href=\"/staff?lang={}\" lang=\"{}\" hreflang=\"{}\">{}</a></header>\
         <main id=\"main\" tabindex=\"-1\">{main}</main>\
         <footer>{}</footer></body></html>",
        other.code(),
        other.html(),
        other.html(),
        other.pick("中文", "English"),
        lang.pick(
            "仅供学校和省级教务人员使用。学生请使用考证应用。",
            "For school and province staff. Students use the Kaozheng app."
        ),
    );
    out
}

fn notice(ok: bool, text: &str) -> String {
    format!(
        "<div class=\"notice {}\" role=\"{}\" data-testid=\"notice\">{}</div>",
        if ok { "ok" } else { "bad" },
        if ok { "status" } else { "alert" },
        esc(text)
    )
}

/// An error's message in the page's language.
fn message(lang: Lang, e: &ApiError) -> &str {
    lang.pick(&e.message_zh, &e.message)
}

fn sign_in_page(lang: Lang, problem: Option<&str>) -> String {
    let mut main = format!(
        "<h1>{}</h1><p class=\"hint\">{}</p>",
        lang.pick("教务人员登录", "Staff sign-in"),
        lang.pick(
            "学校教务人员和省级管理员在此导入名册、导出考生名单、录入成绩和推进考核计划。",
            "School staff and province administrators import rosters, export candidate lists, enter results and move exam plans here."
        ),
    );
    if let Some(p) = problem {
        main.push_str(&notice(false, p));
    }
    let _ = write!(
        main,
        "<form class=\"stack\" method=\"post\" action=\"/staff/login\">\
         <div><label for=\"username\">{}</label><input type=\"text\" id=\"username\" \
         name=\"username\" autocomplete=\"username\" required maxlength=\"64\"></div>\
         <div><label for=\"password\">{}</label><input type=\"password\" id=\"password\" \
         name=\"password\" autocomplete=\"current-password\" required></div>\
         <div><button type=\"submit\">{}</button></div></form>",
        lang.pick("用户名", "Username"),
        lang.pick("密码", "Password"),
        lang.pick("登录", "Sign in"),
    );
    shell(lang, lang.pick("登录", "Sign in"), None, &main)
}

/// A page for a failure outside the normal flow (a database error, an expired form).
fn failure(lang: Lang, who: Option<&Signed>, e: &ApiError) -> Response {
    if e.status.is_server_error() {
        tracing::error!(code = e.code, message = %e.message, "staff page failed");
    }
    let main = format!(
        "<h1>{}</h1>{}<p><a href=\"/staff\">{}</a></p>",
        lang.pick("无法完成", "Could not be done"),
        notice(false, message(lang, e)),
        lang.pick("返回工作台", "Back to the staff desk"),
    );
    html(
        e.status,
        shell(lang, lang.pick("出错了", "Problem"), who, &main),
    )
}

fn signed_out(lang: Lang) -> Response {
    html(
        StatusCode::UNAUTHORIZED,
        sign_in_page(
            lang,
            Some(lang.pick(
                "请先登录（登录已过期或已退出）。",
                "Please sign in (your session ended or expired).",
            )),
        ),
    )
}

fn stale_form(lang: Lang, who: Option<&Signed>) -> Response {
    failure(
        lang,
        who,
        &ApiError::forbidden(
            "out_of_scope",
            "this form is no longer valid (signed in again, or sent from another site); go back and try again",
            "表单已失效（已重新登录，或来自其他网站），请返回后重试",
        ),
    )
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        CSS,
    )
        .into_response()
}

async fn home() -> Response {
    see_other("/staff")
}

async fn not_found(headers: HeaderMap) -> Response {
    let lang = lang_of(&headers, None);
    let main = format!(
        "<h1>{}</h1><p><a href=\"/staff\">{}</a></p>",
        lang.pick("页面不存在", "Page not found"),
        lang.pick("返回工作台", "Back to the staff desk"),
    );
    html(
        StatusCode::NOT_FOUND,
        shell(lang, lang.pick("页面不存在", "Page not found"), None, &main),
    )
}

fn bad_form(lang: Lang, s: &Signed, zh: &str, en: &str) -> Response {
    failure(
        lang,
        Some(s),
        &ApiError::bad_request("invalid_body", en.to_string(), zh.to_string()),
    )
}

/// A form that changes something carries the session's anti-forgery token.
trait WithCsrf {
    fn csrf(&self) -> &str;
}

/// A change posted by a signed-in member of staff, from this origin, with their session's token:
/// the language, the session and the form, or the page that says what went wrong.
async fn signed_form<F: WithCsrf>(
    state: &AppState,
    headers: &HeaderMap,
    form: Result<Form<F>, FormRejection>,
) -> Result<(Lang, Signed, F), Response> {
    let lang = lang_of(headers, None);
    let s = match signed_in(state, headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return Err(signed_out(lang)),
        Err(e) => return Err(failure(lang, None, &e)),
    };
    let Ok(Form(f)) = form else {
        return Err(bad_form(
            lang,
            &s,
            "表单无法读取。",
            "The form could not be read.",
        ));
    };
    if !same_origin(headers) || f.csrf() != s.csrf {
        return Err(stale_form(lang, Some(&s)));
    }
    Ok((lang, s, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_cookies_found() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; kz_staff=tok; kz_staff_lang=en"),
        );
        assert_eq!(cookie(&h, COOKIE), Some("tok"));
        assert_eq!(cookie(&h, LANG_COOKIE), Some("en"));
        assert_eq!(lang_of(&h, None), Lang::En);
        assert_eq!(lang_of(&h, Some("zh")), Lang::Zh);
        assert_eq!(cookie(&h, "kz"), None);
    }

    #[test]
    fn only_this_site_posts_forms() {
        let mut h = HeaderMap::new();
        assert!(same_origin(&h), "no Origin: not a cross-site browser form");
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
        assert_ne!(csrf_of("a"), csrf_of("b"));
        assert_eq!(csrf_of("a").len(), 32);
    }

    #[test]
    fn the_stylesheet_has_no_imports_or_urls() {
        // Everything the page needs is in the binary: no request leaves for another origin.
        assert!(!CSS.contains("@import") && !CSS.contains("url("));
    }
}
