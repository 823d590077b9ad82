//! The public pages (`/`, `/catalog`, `/certificates/{id}`, `/verify`) answered with their first screen
//! already rendered: the app's own components rendered to HTML (`kaozheng::render`) in the place
//! of index.html's static shell, with the catalog, plans and sites embedded so the app continues
//! from the same data. A phone on a weak network reads the page before the WASM arrives, and a
//! browser that cannot run the WASM still browses and searches the catalog.
//!
//! Pages inside a portal's iframe keep the plain shell (the app draws them with the portal's
//! navigation), and anything that fails here falls back to the plain shell: the app loads its data
//! as it always did.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kaozheng::first_screen::{FirstScreen, Tagged, VerifyAnswer};
use kaozheng_api::plans::PlanList;
use kaozheng_api::verify::CertificateQuery;
use kaozheng_core::Catalog;

use axum::Json;
use axum::extract::{Query, State};

use crate::api::{certificates, plans, sites};
use crate::auth::ClientAddr;
use crate::db::plans::PlanFilter;
use crate::state::AppState;

/// Whether the server renders this path's first screen.
pub fn renders(path: &str) -> bool {
    match path {
        "/" | "/catalog" | "/verify" => true,
        _ => path
            .strip_prefix("/certificates/")
            .is_some_and(|id| !id.is_empty() && !id.contains('/')),
    }
}

/// The page at `path_and_query` rendered into `index`, or `None` when it should be the plain
/// shell (inside an iframe, or the data could not be read).
pub async fn page(
    state: &AppState,
    index: &Bytes,
    path_and_query: &str,
    headers: &HeaderMap,
    verification: Option<VerifyAnswer>,
) -> Option<Response> {
    if headers
        .get("sec-fetch-dest")
        .is_some_and(|d| d.as_bytes() == b"iframe")
    {
        return None;
    }
    let first = match data(state).await {
        Ok(first) => FirstScreen {
            verification,
            ..first
        },
        Err(e) => {
            tracing::warn!(error = %e, "first screen: data unavailable, serving the plain shell");
            return None;
        }
    };
    let path = path_and_query.split('?').next().unwrap_or_default();
    let missing = path.strip_prefix("/certificates/").is_some_and(|id| {
        first
            .catalog
            .as_ref()
            .is_none_or(|c| c.value.certificate(&decoded(id)).is_none())
    });
    let cookies = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("; ");
    let (locale, theme) = kaozheng::render::preferences(path_and_query, &cookies);
    let held = held_catalog(&cookies);
    let catalog_held = first
        .catalog
        .as_ref()
        .is_some_and(|c| held.is_some() && c.etag == held);
    let now = state.now();
    let url = path_and_query.to_string();
    // Rendering is synchronous CPU work (a few milliseconds): off the async workers.
    let rendered = tokio::task::spawn_blocking(move || {
        kaozheng::render::render(&url, first, locale, theme, now, catalog_held)
    })
    .await
    .ok()?;
    let html = inject(&String::from_utf8_lossy(index), &rendered)?;
    let status = if missing {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let cookies = chosen_preferences(path_and_query, locale, theme);
    Some(
        (
            status,
            cookies,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                // The language and theme come from cookies.
                (header::VARY, HeaderValue::from_static("cookie")),
            ],
            html,
        )
            .into_response(),
    )
}

/// `Set-Cookie` for a language or theme chosen in the query (the header's GET forms, used before
/// the app runs), so the next page the server renders keeps it, as the app's own cookies do.
fn chosen_preferences(
    path_and_query: &str,
    locale: kaozheng::i18n::Locale,
    theme: kaozheng::prefs::Theme,
) -> axum::response::AppendHeaders<Vec<(header::HeaderName, HeaderValue)>> {
    let query = path_and_query.split_once('?').map_or("", |(_, q)| q);
    let given = |name: &str| {
        query
            .split('&')
            .any(|kv| kv.starts_with(&format!("{name}=")))
    };
    let cookie = |name: &str, value: &str| {
        HeaderValue::from_str(&format!(
            "{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax"
        ))
        .ok()
        .map(|v| (header::SET_COOKIE, v))
    };
    let mut out = Vec::new();
    // Only what the query set validly: the rendered page already used it.
    if given("lang") {
        out.extend(cookie(kaozheng::prefs::LOCALE_COOKIE, locale.tag()));
    }
    if given("theme") && theme != kaozheng::prefs::Theme::System {
        out.extend(cookie(kaozheng::prefs::THEME_COOKIE, theme.key()));
    }
    axum::response::AppendHeaders(out)
}

/// The catalog, plans and sites as the API serves them, with the API's tags.
async fn data(state: &AppState) -> anyhow::Result<FirstScreen> {
    let catalog = match state.catalog.current(&state.db).await? {
        Some(body) => Some(Tagged {
            value: Catalog::parse(std::str::from_utf8(&body.json)?)?,
            etag: body.etag.to_str().ok().map(str::to_string),
        }),
        None => None,
    };
    let (list, plans_tag) = plans::plan_list(state, &PlanFilter::default())
        .await
        .map_err(|e| anyhow::anyhow!("plans: {e:?}"))?;
    let (site_list, sites_tag) = sites::site_list(state)
        .await
        .map_err(|e| anyhow::anyhow!("sites: {e:?}"))?;
    Ok(FirstScreen {
        catalog,
        plans: Some(Tagged {
            value: PlanList {
                as_of: list.as_of,
                plans: list.plans.into_iter().map(|item| item.plan).collect(),
            },
            etag: plans_tag.to_str().ok().map(str::to_string),
        }),
        sites: Some(Tagged {
            value: site_list.sites,
            etag: sites_tag.to_str().ok().map(str::to_string),
        }),
        verification: None,
    })
}

/// A certificate check asked of the page: a scanned QR code's `/verify?no=&check=`, or the form a
/// browser sent because it could not run the app. The same check as the API's, rate limit
/// included.
pub async fn verify(state: &AppState, addr: ClientAddr, query: CertificateQuery) -> VerifyAnswer {
    let no = query.no.clone().unwrap_or_default();
    let answer = match certificates::verify(State(state.clone()), addr, Ok(Query(query))).await {
        Ok(Json(v)) => Ok(v),
        Err(e) => Err((e.status.as_u16(), e.code.to_string())),
    };
    VerifyAnswer { no, answer }
}

/// The tag of the catalog the phone says it holds (`prefs::CATALOG_COOKIE`).
fn held_catalog(cookies: &str) -> Option<String> {
    cookies.split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == kaozheng::prefs::CATALOG_COOKIE && !v.is_empty()).then(|| decoded(v.trim()))
    })
}

fn decoded(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// index.html with the rendered page inside `<div id="shell">` and the `<html>` attributes set;
/// `None` if index.html has no shell to fill.
fn inject(index: &str, page: &kaozheng::render::Rendered) -> Option<String> {
    // As written, or as Trunk's release build minifies it.
    let start = ["<div id=\"shell\">", "<div id=shell>"]
        .iter()
        .find_map(|open| index.find(open).map(|at| at + open.len()))?;
    let body_end = index[start..].find("</body>")? + start;
    let end = index[start..body_end].rfind("</div>")? + start;
    let mut html = String::with_capacity(index.len() + page.body.len());
    let head = &index[..start];
    let mut attrs = format!("<html lang=\"{}\"", page.lang);
    if let Some(theme) = page.theme {
        attrs.push_str(&format!(" data-theme=\"{theme}\""));
    }
    match head.find("<html") {
        Some(at) => {
            let close = head[at..].find('>')? + at;
            html.push_str(&head[..at]);
            html.push_str(&attrs);
            html.push('>');
            html.push_str(&head[close + 1..]);
        }
        None => html.push_str(head),
    }
    html.push_str(&page.body);
    html.push_str(&index[end..]);
    Some(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_public_first_screens_are_rendered() {
        assert!(renders("/"));
        assert!(renders("/catalog"));
        assert!(renders("/verify"));
        assert!(renders("/certificates/c123"));
        assert!(!renders("/certificates/"));
        assert!(!renders("/certificates/a/b"));
        assert!(!renders("/me"));
        assert!(!renders("/signin"));
    }

    #[test]
    fn the_page_replaces_the_shell_and_sets_language_and_theme() {
        let index = "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head><title>t</title></head>\n<body>\n  <div id=\"shell\">\n    <main><h1>正在打开</h1><div class=\"x\"></div></main>\n  </div>\n</body>\n</html>\n";
        let page = kaozheng::render::Rendered {
            body: "<main>rendered</main>".into(),
            lang: "en",
            theme: Some("dark"),
        };
        let html = inject(index, &page).unwrap();
        assert!(
            html.contains("<html lang=\"en\" data-theme=\"dark\">"),
            "{html}"
        );
        assert!(
            html.contains("<div id=\"shell\"><main>rendered</main></div>"),
            "{html}"
        );
        assert!(!html.contains("正在打开"));
        assert!(html.ends_with("</body>\n</html>\n"));
        assert_eq!(inject("<html><body></body></html>", &page), None);
        let minified = "<!doctype html><html lang=zh-CN><head></head><body><div id=shell><main><h1>x</h1></main></div></body></html>";
        assert_eq!(
            inject(minified, &page).unwrap(),
            "<!doctype html><html lang=\"en\" data-theme=\"dark\"><head></head><body><div id=shell><main>rendered</main></div></body></html>"
        );
    }
}
