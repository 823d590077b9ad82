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
pub mod multipart;
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
use kaozheng_api::staff::{RosterQuery, StaffPlan};
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

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    lang: Option<String>,
    /// After a move: the plan moved and the move made.
    moved: Option<String>,
    did: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let asked = q.lang.as_deref().and_then(Lang::parse);
    let lang = lang_of(&headers, q.lang.as_deref());
    let mut res = match signed_in(&state, &headers).await {
        Err(e) => failure(lang, None, &e),
        Ok(None) => html(StatusCode::OK, sign_in_page(lang, None)),
        Ok(Some(s)) => {
            let done = match (
                q.moved.as_deref(),
                q.did.as_deref().and_then(PhaseMove::parse),
            ) {
                (Some(plan), Some(m)) => Some((plan.to_string(), m)),
                _ => None,
            };
            match dashboard(&state, lang, &s, Done::Moved(done)).await {
                Ok(body) => html(StatusCode::OK, body),
                Err(e) => failure(lang, Some(&s), &e),
            }
        }
    };
    if let Some(l) = asked {
        let c = format!(
            "{LANG_COOKIE}={}; Path=/staff; Max-Age=31536000; SameSite=Lax",
            l.code()
        );
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// What the dashboard says at its top.
enum Done {
    Moved(Option<(String, PhaseMove)>),
    Refused(String),
}

fn plan_rows(
    lang: Lang,
    s: &Signed,
    plans: &[StaffPlan],
    certificates: &HashMap<String, String>,
    sites: &HashMap<String, String>,
) -> String {
    let mut out = String::new();
    for p in plans {
        let plan = &p.plan;
        let cert = certificates
            .get(&plan.certificate_id)
            .map_or(plan.certificate_id.as_str(), String::as_str);
        let site = sites
            .get(&plan.site_id)
            .map_or(plan.site_id.as_str(), String::as_str);
        let q = format!("plan_id={}", url_part(&plan.id));
        let move_cell = match p.moves.first() {
            Some(m) => format!(
                "<form method=\"post\" action=\"/staff/plans/{}/move\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                 <input type=\"hidden\" name=\"move\" value=\"{}\">\
                 <button type=\"submit\" data-testid=\"move-{}\">{}<span class=\"vh\"> · {}</span></button></form>",
                url_part(&plan.id),
                s.csrf,
                m.as_str(),
                esc(&plan.id),
                words::move_label(lang, *m),
                esc(&plan.name),
            ),
            None => "—".to_string(),
        };
        let _ = write!(
            out,
            "<tr data-plan=\"{id}\"><td>{name}<span class=\"id\">{id}</span></td>\
             <td>{cert}（{level}）</td><td>{site}</td><td>{exam}</td>\
             <td data-testid=\"state-{id}\">{state}</td>\
             <td class=\"num\" data-testid=\"taken-{id}\">{taken} / {cap}</td>\
             <td class=\"num\" data-testid=\"awaiting-{id}\">{awaiting}</td>\
             <td><a href=\"/staff/export/registrations?{q}&amp;format=csv\">CSV<span class=\"vh\"> · {name}</span></a> \
             <a href=\"/staff/export/registrations?{q}&amp;format=xlsx\">Excel<span class=\"vh\"> · {name}</span></a></td>\
             <td>{move_cell}</td></tr>",
            id = esc(&plan.id),
            name = esc(&plan.name),
            cert = esc(cert),
            level = words::level(lang, plan.level),
            site = esc(site),
            exam = time::format_minute(plan.exam_starts_at),
            state = words::state(lang, p.state),
            taken = p.seats_taken,
            cap = plan.capacity,
            awaiting = p.awaiting_results,
        );
    }
    out
}

async fn dashboard(
    state: &AppState,
    lang: Lang,
    s: &Signed,
    done: Done,
) -> Result<String, ApiError> {
    let scope = s.scope();
    let plans = school::plans(state, scope).await?;
    let pool = &state.db.pool;
    let certificates = db::staff::certificate_names(pool).await?;
    let site_schools = db::staff::site_schools(pool).await?;
    let all_sites = db::sites::list(pool).await?;
    let sites: HashMap<String, String> = all_sites
        .iter()
        .map(|x| (x.id.clone(), x.name.clone()))
        .collect();
    let mut main = format!("<h1>{}</h1>", lang.pick("教务工作台", "Staff desk"));
    match done {
        Done::Moved(Some((id, m))) => {
            let name = plans
                .iter()
                .find(|p| p.plan.id == id)
                .map_or(id.clone(), |p| p.plan.name.clone());
            main.push_str(&notice(true, &format!("{name}：{}", words::moved(lang, m))));
        }
        Done::Moved(None) => {}
        Done::Refused(why) => main.push_str(&notice(false, &why)),
    }

    // Plans.
    let _ = write!(
        main,
        "<section aria-labelledby=\"plans-h\"><h2 id=\"plans-h\">{}</h2><p class=\"hint\">{}</p>",
        lang.pick("考核计划", "Exam plans"),
        match scope {
            Scope::Province => lang.pick(
                "全省所有考核计划（含草稿）。“待录成绩”是考试已开始、尚无成绩的有效报名。",
                "Every exam plan in the province, drafts included. “Results owed” counts confirmed registrations whose exam has started and that have no result yet."
            ),
            Scope::School(_) => lang.pick(
                "本校考点的考核计划（含草稿，可推进），以及本校学生报考的其他考点的计划（由其考点管理）。“待录成绩”是本校学生考试已开始、尚无成绩的有效报名；名单只含本校学生。",
                "Exam plans at your school's sites (drafts included; you move them along), and plans elsewhere your students registered for (their sites move them). “Results owed” counts your students' confirmed registrations whose exam has started and that have no result yet; rosters list your students only."
            ),
        },
    );
    if plans.is_empty() {
        let _ = write!(
            main,
            "<p>{}</p>",
            lang.pick(
                "还没有考核计划。先导入考点，再导入考核计划。",
                "No exam plans yet. Import your exam sites, then your plans."
            )
        );
    } else {
        let _ = write!(
            main,
            "<div class=\"table-wrap\"><table data-testid=\"plans\"><caption>{}</caption><thead><tr>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th>\
             <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             </tr></thead><tbody>{}</tbody></table></div>",
            lang.pick("按考试时间排列", "By exam time"),
            lang.pick("计划", "Plan"),
            lang.pick("证书（等级）", "Certificate (level)"),
            lang.pick("考点", "Site"),
            lang.pick("考试时间", "Exam"),
            lang.pick("状态", "State"),
            lang.pick("已报名 / 容量", "Taken / seats"),
            lang.pick("待录成绩", "Results owed"),
            lang.pick("考生名单", "Roster"),
            lang.pick("下一步", "Next step"),
            plan_rows(lang, s, &plans, &certificates, &sites),
        );
    }
    main.push_str("</section>");

    // Import.
    let mut kinds = vec![Kind::Results, Kind::Students, Kind::Plans, Kind::Sites];
    if scope.is_province() {
        kinds.extend([Kind::Catalog, Kind::Rules]);
    }
    let options: String = kinds
        .iter()
        .map(|k| {
            format!(
                "<option value=\"{}\">{}</option>",
                k.as_str(),
                words::kind(lang, *k)
            )
        })
        .collect();
    let _ = write!(
        main,
        "<section aria-labelledby=\"import-h\"><h2 id=\"import-h\">{}</h2><p class=\"hint\">{}</p>\
         <form class=\"stack\" method=\"post\" action=\"/staff/import\" enctype=\"multipart/form-data\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <div><label for=\"kind\">{}</label><select id=\"kind\" name=\"kind\">{options}</select></div>",
        lang.pick("导入文件", "Import a file"),
        lang.pick(
            "先检查：报告逐行列出问题，此时不写入任何数据；确认无误后再应用。支持 CSV（UTF-8）、JSON 和 Excel（.xlsx，读取第一个工作表）。",
            "Check first: the report lists every problem row by row and nothing is written; apply it once it is right. CSV (UTF-8), JSON and Excel (.xlsx, its first sheet)."
        ),
        s.csrf,
        lang.pick("文件内容", "What the file holds"),
    );
    if scope.is_province() {
        let _ = write!(
            main,
            "<div><label for=\"rules_kind\">{} <span class=\"sub\">{}</span></label>\
             <select id=\"rules_kind\" name=\"rules_kind\"><option value=\"\">{}</option>\
             <option value=\"fees\">fees</option><option value=\"grades\">grades</option>\
             <option value=\"credits\">credits</option><option value=\"graduation\">graduation</option>\
             <option value=\"eligibility\">eligibility</option></select></div>",
            lang.pick("规则类型", "Rule kind"),
            lang.pick("（仅规则文件）", "(rules files only)"),
            lang.pick("按文件内容识别", "From the file"),
        );
    }
    let _ = write!(
        main,
        "<div><label for=\"file\">{}</label><input type=\"file\" id=\"file\" name=\"file\" \
         accept=\".csv,.json,.xlsx,text/csv,application/json,{}\" required></div>\
         <div><button type=\"submit\">{}</button></div></form></section>",
        lang.pick("文件", "File"),
        spreadsheet::XLSX_CONTENT_TYPE,
        lang.pick("检查（不写入）", "Check (writes nothing)"),
    );

    // Exports.
    let plan_options: String = plans
        .iter()
        .map(|p| {
            format!(
                "<option value=\"{}\">{}</option>",
                esc(&p.plan.id),
                esc(&p.plan.name)
            )
        })
        .collect();
    let site_options: String = all_sites
        .iter()
        .filter(|x| scope.covers_site(site_schools.get(&x.id).map(String::as_str)))
        .map(|x| format!("<option value=\"{}\">{}</option>", esc(&x.id), esc(&x.name)))
        .collect();
    let sessions: BTreeMap<i64, String> = plans
        .iter()
        .map(|p| {
            (
                p.plan.exam_starts_at.timestamp(),
                time::rfc3339_china(p.plan.exam_starts_at),
            )
        })
        .collect();
    let session_options: String = sessions
        .iter()
        .filter_map(|(t, v)| {
            let t = chrono::DateTime::from_timestamp(*t, 0)?;
            Some(format!(
                "<option value=\"{}\">{}</option>",
                esc(v),
                time::format_minute(t)
            ))
        })
        .collect();
    let all = lang.pick("全部", "All");
    let _ = write!(
        main,
        "<section aria-labelledby=\"export-h\"><h2 id=\"export-h\">{}</h2><p class=\"hint\">{}</p>\
         <form class=\"row\" method=\"get\" action=\"/staff/export/registrations\">\
         <div><label for=\"x-plan\">{}</label><select id=\"x-plan\" name=\"plan_id\"><option value=\"\">{all}</option>{plan_options}</select></div>\
         <div><label for=\"x-site\">{}</label><select id=\"x-site\" name=\"site_id\"><option value=\"\">{all}</option>{site_options}</select></div>\
         <div><label for=\"x-session\">{}</label><select id=\"x-session\" name=\"exam_starts_at\"><option value=\"\">{all}</option>{session_options}</select></div>\
         <fieldset><legend>{}</legend><label class=\"choice\"><input type=\"radio\" name=\"format\" value=\"csv\" checked> CSV</label>\
         <label class=\"choice\"><input type=\"radio\" name=\"format\" value=\"xlsx\"> Excel (.xlsx)</label></fieldset>\
         <label class=\"choice\"><input type=\"checkbox\" name=\"include_cancelled\" value=\"true\"> {}</label>\
         <div><button type=\"submit\">{}</button></div></form>\
         <p><a href=\"/staff/export/feedback.csv\">{}</a></p></section>",
        lang.pick("导出", "Exports"),
        lang.pick(
            "考生名单含准考证号、核验码、学号、姓名、学校、证书、考点、考试时间、费用及缴费方、报名时间和状态，以及待填写的成绩列；填好成绩后可直接作为“成绩”导入。默认不含已取消的报名。",
            "The roster has ticket numbers, check codes, student numbers, names, schools, certificates, sites, exam times, fees and who pays, registration times and states, and the result columns to fill in; filled in, it imports back as results. Cancelled registrations are left out unless asked for."
        ),
        lang.pick("考核计划", "Exam plan"),
        lang.pick("考点", "Exam site"),
        lang.pick("考试场次", "Exam session"),
        lang.pick("格式", "Format"),
        lang.pick("包括已取消的报名", "Include cancelled registrations"),
        lang.pick("下载考生名单", "Download the roster"),
        lang.pick(
            "下载证书评价（CSV，不含学生身份）",
            "Download certificate feedback (CSV, without student identity)"
        ),
    );
    Ok(shell(
        lang,
        lang.pick("教务工作台", "Staff desk"),
        Some(s),
        &main,
    ))
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let lang = lang_of(&headers, None);
    if !same_origin(&headers) {
        return stale_form(lang, None);
    }
    let Ok(Form(f)) = form else {
        return html(
            StatusCode::BAD_REQUEST,
            sign_in_page(
                lang,
                Some(lang.pick("登录表单无法读取。", "The sign-in form could not be read.")),
            ),
        );
    };
    match roles::sign_in(&state, f.username.trim(), &f.password, &addr, "form").await {
        Ok(login) => {
            let mut res = see_other("/staff");
            let c = format!(
                "{COOKIE}={}; Path=/staff; HttpOnly; SameSite=Strict; Max-Age={}{}",
                login.token,
                roles::SESSION_HOURS * 3600,
                if over_tls(&state, &headers) {
                    "; Secure"
                } else {
                    ""
                }
            );
            if let Ok(v) = HeaderValue::from_str(&c) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) if e.status.is_server_error() => failure(lang, None, &e),
        Err(e) => {
            let mut res = html(e.status, sign_in_page(lang, Some(message(lang, &e))));
            for (name, value) in &e.headers {
                if name == header::RETRY_AFTER {
                    res.headers_mut().insert(name, value.clone());
                }
            }
            res
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let lang = lang_of(&headers, None);
    let s = match signed_in(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return see_other("/staff"),
        Err(e) => return failure(lang, None, &e),
    };
    if !same_origin(&headers) || form.ok().map(|Form(f)| f.csrf) != Some(s.csrf.clone()) {
        return stale_form(lang, Some(&s));
    }
    if let Err(e) =
        db::staff::revoke_session(&state.db.pool, &s.token_hash, state.now().timestamp()).await
    {
        return failure(lang, Some(&s), &e.into());
    }
    tracing::info!(staff = %s.account.username, "staff signed out");
    let mut res = see_other("/staff");
    res.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("kz_staff=; Path=/staff; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    res
}

/// The report of an import, checked or applied; `apply` is the kept upload's id when it may be
/// applied.
fn report_page(
    lang: Lang,
    s: &Signed,
    file_name: &str,
    report: &ImportReport,
    apply: Option<&str>,
) -> String {
    let kind = Kind::parse(&report.kind).map_or(report.kind.as_str(), |k| words::kind(lang, k));
    let mut main = format!(
        "<h1>{}：{}</h1><p class=\"hint\">{}：{}</p>",
        if report.dry_run {
            lang.pick("检查结果", "Check report")
        } else {
            lang.pick("导入结果", "Import report")
        },
        esc(kind),
        lang.pick("文件", "File"),
        esc(file_name),
    );
    let summary = if !report.ok() {
        lang.pick(
            "文件有问题，未写入任何数据。请按下表修改后重新上传。",
            "The file has problems; nothing was written. Fix the rows below and upload it again.",
        )
    } else if report.dry_run && report.applied == 0 {
        lang.pick(
            "文件没有问题，但与现有数据完全相同，无需应用。",
            "The file is fine but matches what is stored; there is nothing to apply.",
        )
    } else if report.dry_run {
        lang.pick(
            "文件没有问题。尚未写入任何数据：确认后点击“应用”。",
            "The file is fine. Nothing is written yet: apply it when you are sure.",
        )
    } else {
        lang.pick("已应用。", "Applied.")
    };
    main.push_str(&notice(report.ok(), summary));
    let _ = write!(
        main,
        "<dl class=\"counts\" data-testid=\"counts\"><dt>{}</dt><dd data-testid=\"total\">{}</dd>\
         <dt>{}</dt><dd data-testid=\"applied\">{}</dd><dt>{}</dt><dd data-testid=\"unchanged\">{}</dd>\
         <dt>{}</dt><dd data-testid=\"rejected\">{}</dd></dl>",
        lang.pick("记录", "Records"),
        report.total,
        if report.dry_run {
            lang.pick("将写入", "Would change")
        } else {
            lang.pick("已写入", "Changed")
        },
        report.applied,
        lang.pick("不变", "Unchanged"),
        report.unchanged,
        lang.pick("被拒绝", "Rejected"),
        report.rejected.len(),
    );
    if !report.rejected.is_empty() {
        let rows: String = report
            .rejected
            .iter()
            .map(|r| {
                format!(
                    "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
                    if r.row == 0 {
                        lang.pick("整个文件", "whole file").to_string()
                    } else {
                        r.row.to_string()
                    },
                    esc(r.field.as_deref().unwrap_or("—")),
                    esc(&r.reason)
                )
            })
            .collect();
        let _ = write!(
            main,
            "<div class=\"table-wrap\"><table data-testid=\"rejections\"><caption>{}</caption><thead><tr>\
             <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             </tr></thead><tbody>{rows}</tbody></table></div>",
            lang.pick(
                "被拒绝的行（CSV 行号从表头 = 1 起算）",
                "Rejected rows (CSV lines, the header is line 1)"
            ),
            lang.pick("行", "Row"),
            lang.pick("列", "Column"),
            lang.pick("原因", "Reason"),
        );
    }
    if let Some(id) = apply {
        let _ = write!(
            main,
            "<form method=\"post\" action=\"/staff/import/apply\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"upload\" value=\"{}\">\
             <button type=\"submit\">{}</button></form>",
            s.csrf,
            esc(id),
            lang.pick("应用（写入数据库）", "Apply (write it)"),
        );
    }
    let _ = write!(
        main,
        "<p><a href=\"/staff\">{}</a></p>",
        lang.pick("返回工作台", "Back to the staff desk")
    );
    shell(
        lang,
        if report.dry_run {
            lang.pick("检查结果", "Check report")
        } else {
            lang.pick("导入结果", "Import report")
        },
        Some(s),
        &main,
    )
}

fn bad_form(lang: Lang, s: &Signed, zh: &str, en: &str) -> Response {
    failure(
        lang,
        Some(s),
        &ApiError::bad_request("invalid_body", en.to_string(), zh.to_string()),
    )
}

/// Reads the upload, checks it as a dry run and shows the report; a file that would change
/// something and has no rejected row is kept for "apply".
async fn check_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let lang = lang_of(&headers, None);
    let s = match signed_in(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return signed_out(lang),
        Err(e) => return failure(lang, None, &e),
    };
    if !same_origin(&headers) {
        return stale_form(lang, Some(&s));
    }
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return failure(lang, Some(&s), &crate::api::json::too_large());
        }
        Err(_) => {
            return bad_form(
                lang,
                &s,
                "上传未完成，请重试。",
                "The upload did not finish; try again.",
            );
        }
    };
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary)
        .and_then(|b| multipart::parse(&body, &b));
    let Some(form) = form else {
        return bad_form(lang, &s, "表单无法读取。", "The form could not be read.");
    };
    if form.fields.get("csrf") != Some(&s.csrf) {
        return stale_form(lang, Some(&s));
    }
    let Some(kind) = form.fields.get("kind").and_then(|k| Kind::parse(k)) else {
        return bad_form(lang, &s, "请选择文件内容。", "Choose what the file holds.");
    };
    let Some(file) = form.files.get("file").filter(|f| !f.bytes.is_empty()) else {
        return bad_form(lang, &s, "请选择要上传的文件。", "Choose a file to upload.");
    };
    let rules_kind = form
        .fields
        .get("rules_kind")
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty());
    let file_name: String = file.file_name.chars().take(200).collect();
    // The text to check (and keep): a workbook's first sheet as CSV, else the file as UTF-8.
    let prepared = if spreadsheet::is_xlsx(&file.bytes) {
        spreadsheet::to_csv(&file.bytes).map(|t| (t, Some(Format::Csv)))
    } else {
        import::read::utf8(&file.bytes).map(|t| (t.to_string(), Format::from_file_name(&file_name)))
    };
    let ctx = Ctx {
        db: &state.db,
        passwords: &state.auth.passwords,
        now: state.now(),
        rules_kind: rules_kind.clone(),
        scope: s.scope().clone(),
        dry_run: true,
    };
    let (report, kept) = match prepared {
        Err(rejection) => {
            let mut r = ImportReport::new(kind);
            r.dry_run = true;
            r.rejected.push(rejection);
            (r, None)
        }
        Ok((text, format)) => {
            let report = match import::run(&ctx, kind, format, text.as_bytes()).await {
                Ok(r) => r,
                Err(e) => return failure(lang, Some(&s), &e.into()),
            };
            (report, Some((text, format)))
        }
    };
    tracing::info!(
        staff = %s.account.username,
        scope = %s.scope().describe(),
        kind = %kind,
        total = report.total,
        applied = report.applied,
        rejected = report.rejected.len(),
        "import checked"
    );
    let mut apply = None;
    if let Some((text, format)) = kept
        && report.ok()
        && report.applied > 0
    {
        let format = format.unwrap_or_else(|| Format::sniff(&text));
        let upload = db::staff::Upload {
            id: tokens::random_id("upl-"),
            username: s.account.username.clone(),
            kind: kind.as_str().to_string(),
            rules_kind,
            format: match format {
                Format::Csv => "csv".into(),
                Format::Json => "json".into(),
            },
            file_name: file_name.clone(),
            digest: tokens::hex(&Sha256::digest(text.as_bytes())),
            body: text,
            created_at: state.now().timestamp(),
        };
        if let Err(e) = db::staff::insert_upload(&state.db.pool, &upload).await {
            return failure(lang, Some(&s), &e.into());
        }
        apply = Some(upload.id);
    }
    let status = if report.ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        report_page(lang, &s, &file_name, &report, apply.as_deref()),
    )
}

#[derive(Deserialize)]
struct ApplyForm {
    csrf: String,
    upload: String,
}

/// Applies a kept upload: validated again (the database may have moved on), then written.
async fn apply_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<ApplyForm>, FormRejection>,
) -> Response {
    let lang = lang_of(&headers, None);
    let s = match signed_in(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return signed_out(lang),
        Err(e) => return failure(lang, None, &e),
    };
    let Ok(Form(f)) = form else {
        return bad_form(lang, &s, "表单无法读取。", "The form could not be read.");
    };
    if !same_origin(&headers) || f.csrf != s.csrf {
        return stale_form(lang, Some(&s));
    }
    let now = state.now();
    let gone = || {
        failure(
            lang,
            Some(&s),
            &ApiError::not_found(
                "not_found",
                "this checked file is no longer kept (applied already, or checked more than an hour ago); upload it again",
                "该文件已应用或检查已超过一小时，请重新上传",
            ),
        )
    };
    let upload = match db::staff::upload(&state.db.pool, &f.upload, &s.account.username).await {
        Ok(Some(u)) if u.created_at >= now.timestamp() - UPLOAD_TTL_SECS => u,
        Ok(_) => return gone(),
        Err(e) => return failure(lang, Some(&s), &e.into()),
    };
    let (Some(kind), Some(format)) = (
        Kind::parse(&upload.kind),
        match upload.format.as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        },
    ) else {
        return gone();
    };
    let ctx = Ctx {
        db: &state.db,
        passwords: &state.auth.passwords,
        now,
        rules_kind: upload.rules_kind.clone(),
        scope: s.scope().clone(),
        dry_run: false,
    };
    let report = match import::run(&ctx, kind, Some(format), upload.body.as_bytes()).await {
        Ok(r) => r,
        Err(e) => return failure(lang, Some(&s), &e.into()),
    };
    tracing::info!(
        staff = %s.account.username,
        scope = %s.scope().describe(),
        kind = %kind,
        total = report.total,
        applied = report.applied,
        unchanged = report.unchanged,
        rejected = report.rejected.len(),
        digest = %upload.digest,
        "import"
    );
    if report.ok() {
        if let Err(e) = db::staff::delete_upload(&state.db.pool, &upload.id).await {
            return failure(lang, Some(&s), &e.into());
        }
        if kind == Kind::Catalog
            && report.applied > 0
            && let Err(e) = state.catalog.rebuild(&state.db).await
        {
            return failure(lang, Some(&s), &e.into());
        }
    }
    let status = if report.ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        report_page(lang, &s, &upload.file_name, &report, None),
    )
}

#[derive(Deserialize)]
struct MoveForm {
    csrf: String,
    #[serde(rename = "move")]
    step: String,
}

async fn move_plan(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<MoveForm>, FormRejection>,
) -> Response {
    let lang = lang_of(&headers, None);
    let s = match signed_in(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return signed_out(lang),
        Err(e) => return failure(lang, None, &e),
    };
    let Ok(Form(f)) = form else {
        return bad_form(lang, &s, "表单无法读取。", "The form could not be read.");
    };
    if !same_origin(&headers) || f.csrf != s.csrf {
        return stale_form(lang, Some(&s));
    }
    let Some(m) = PhaseMove::parse(&f.step) else {
        return bad_form(lang, &s, "未知的操作。", "Unknown step.");
    };
    match school::move_plan(
        &state.db,
        state.now(),
        s.scope(),
        &s.account.username,
        &id,
        m,
    )
    .await
    {
        Ok(_) => see_other(&format!(
            "/staff?moved={}&did={}#plans-h",
            url_part(&id),
            m.as_str()
        )),
        Err(e) if e.status.is_server_error() => failure(lang, Some(&s), &e),
        Err(e) => match dashboard(
            &state,
            lang,
            &s,
            Done::Refused(message(lang, &e).to_string()),
        )
        .await
        {
            Ok(body) => html(e.status, body),
            Err(e) => failure(lang, Some(&s), &e),
        },
    }
}

async fn export_roster(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<RosterQuery>, QueryRejection>,
) -> Response {
    let lang = lang_of(&headers, None);
    let s = match signed_in(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return signed_out(lang),
        Err(e) => return failure(lang, None, &e),
    };
    let Ok(Query(q)) = query else {
        return bad_form(
            lang,
            &s,
            "导出条件无法读取。",
            "The export's choices could not be read.",
        );
    };
    let (filter, format) = match q.filter() {
        Ok(x) => x,
        Err(e) => return failure(lang, Some(&s), &e),
    };
    match roster_download(&state, s.scope(), &s.account.username, filter, format).await {
        Ok(res) => res,
        Err(e) => failure(lang, Some(&s), &e),
    }
}

async fn export_feedback(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers, None);
    let s = match signed_in(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return signed_out(lang),
        Err(e) => return failure(lang, None, &e),
    };
    let rows = match s.scope().school() {
        None => db::feedback::export(&state.db.pool).await,
        Some(school) => db::feedback::export_of_school(&state.db.pool, school).await,
    };
    match rows {
        Ok(rows) => {
            tracing::info!(staff = %s.account.username, rows = rows.len(), "feedback exported");
            download(
                crate::feedback::export_csv(&rows),
                RosterFormat::Csv.content_type(),
                "feedback.csv",
            )
        }
        Err(e) => failure(lang, Some(&s), &e.into()),
    }
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
