//! The built app (Trunk's `dist/`): hashed assets cached for a year, the app shell revalidated on
//! every visit, SPA routes answered with index.html, precompressed `.br`/`.gz` siblings preferred.
//!
//! index.html is kept in memory together with the Content-Security-Policy derived from it (the
//! hashes of its inline scripts), and both are reloaded when the file changes on disk, so a
//! `trunk build` next to a running server never leaves a page whose loader script the CSP blocks.

use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kaozheng_api::verify::CertificateQuery;
use tower::ServiceExt;
use tower_http::services::ServeDir;

mod csp;

use csp::csp_header;
pub use csp::{content_security_policy, inline_hashes};

use crate::auth::ClientAddr;
use crate::first_screen;
use crate::state::AppState;

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const NO_CACHE: &str = "no-cache";
pub const ONE_HOUR: &str = "public, max-age=3600";
/// The loader portals include from their own pages (`public/embed.js`): a stable, unhashed name.
pub const EMBED_LOADER: &str = "/embed.js";

/// Shortest hex run after a `-` that counts as a content hash. Trunk writes seahash digests with
/// `{:x}`, which drops leading zeros, so a 16-digit hash is sometimes 15 or fewer digits long; 12
/// still never matches an ordinary word or version number.
const MIN_HASH_DIGITS: usize = 12;

pub struct StaticFiles {
    dist: PathBuf,
    serve_dir: ServeDir,
    frame_ancestors: Vec<String>,
    index: RwLock<IndexPage>,
}

/// index.html as last read, and the CSP that allows exactly its inline scripts.
#[derive(Clone)]
struct IndexPage {
    body: Option<Bytes>,
    stamp: Option<(SystemTime, u64)>,
    csp: HeaderValue,
}

impl StaticFiles {
    pub fn new(dist: &Path, frame_ancestors: &[String]) -> StaticFiles {
        let files = StaticFiles {
            dist: dist.to_path_buf(),
            serve_dir: ServeDir::new(dist)
                .precompressed_br()
                .precompressed_gzip()
                .append_index_html_on_directories(false),
            frame_ancestors: frame_ancestors.to_vec(),
            index: RwLock::new(IndexPage {
                body: None,
                stamp: None,
                csp: csp_header(&content_security_policy(&[], &[], frame_ancestors)),
            }),
        };
        files.reload_index_sync();
        match files.index_page().body {
            Some(_) => tracing::info!(dist = %dist.display(), "serving the built app"),
            None => tracing::warn!(
                dist = %dist.display(),
                "no built app (index.html missing): serving the API only; run `trunk build --release`"
            ),
        }
        files
    }

    /// The Content-Security-Policy for every response.
    pub fn csp(&self) -> HeaderValue {
        self.index_page().csp
    }

    fn index_page(&self) -> IndexPage {
        self.index.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn index_path(&self) -> PathBuf {
        self.dist.join("index.html")
    }

    fn reload_index_sync(&self) {
        let path = self.index_path();
        let stamp = std::fs::metadata(&path).ok().map(stamp_of);
        let body = std::fs::read(&path).ok().map(Bytes::from);
        self.store_index(body, stamp);
    }

    /// index.html, re-read when its modification time or size changed.
    async fn current_index(&self) -> Option<Bytes> {
        let path = self.index_path();
        let stamp = tokio::fs::metadata(&path).await.ok().map(stamp_of);
        let page = self.index_page();
        if page.stamp == stamp {
            return page.body;
        }
        let body = match stamp {
            Some(_) => tokio::fs::read(&path).await.ok().map(Bytes::from),
            None => None,
        };
        self.store_index(body.clone(), stamp);
        body
    }

    fn store_index(&self, body: Option<Bytes>, stamp: Option<(SystemTime, u64)>) {
        let (scripts, styles) = match &body {
            Some(html) => inline_hashes(&String::from_utf8_lossy(html)),
            None => (Vec::new(), Vec::new()),
        };
        let csp = csp_header(&content_security_policy(
            &scripts,
            &styles,
            &self.frame_ancestors,
        ));
        *self.index.write().unwrap_or_else(|e| e.into_inner()) = IndexPage { body, stamp, csp };
    }
}

fn stamp_of(m: std::fs::Metadata) -> (SystemTime, u64) {
    (m.modified().unwrap_or(SystemTime::UNIX_EPOCH), m.len())
}

/// Everything that is not `/api/...`: files from dist/, or index.html for app routes.
pub async fn handler(State(state): State<AppState>, req: Request) -> Response {
    if req.method() == Method::POST && req.uri().path() == "/verify" {
        return verify_form(state, req).await;
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "method not allowed\n",
        )
            .into_response();
    }
    let files = &state.static_files;
    let name = req.uri().path().rsplit('/').next().unwrap_or_default();
    if name == "index.html" || !has_extension(name) {
        let path = req.uri().path().to_string();
        if path != "/index.html"
            && first_screen::renders(&path)
            && let Some(index) = files.current_index().await
        {
            let url = req
                .uri()
                .path_and_query()
                .map_or(path.as_str(), |p| p.as_str())
                .to_string();
            let (mut parts, _) = req.into_parts();
            let verification = match (path.as_str(), parts.uri.query()) {
                ("/verify", Some(q)) => {
                    let query = serde_urlencoded::from_str::<CertificateQuery>(q).ok();
                    match query.filter(|q| q.no.is_some() && q.check.is_some()) {
                        Some(query) => {
                            let Ok(addr) = ClientAddr::from_request_parts(&mut parts, &state).await;
                            Some(first_screen::verify(&state, addr, query).await)
                        }
                        None => None,
                    }
                }
                _ => None,
            };
            if let Some(page) =
                first_screen::page(&state, &index, &url, &parts.headers, verification).await
            {
                return page;
            }
            return app_shell(files).await;
        }
        return app_shell(files).await;
    }
    let cache = cache_control_for(name);
    let shared_script = req.uri().path() == EMBED_LOADER;
    let wasm = name.ends_with(".wasm") && is_hashed(name);
    if wasm
        && let Some(offered) = dictionary_held(&req)
        && let Some(res) = delta_for(
            files,
            name,
            req.uri().path(),
            offered,
            req.method() == Method::HEAD,
        )
        .await
    {
        return res;
    }
    let dictionary = wasm.then(|| dictionary_for(req.uri().path())).flatten();
    let res = match files.serve_dir.clone().oneshot(req).await {
        Ok(res) => res.map(Body::new),
        Err(infallible) => match infallible {},
    };
    match res.status() {
        StatusCode::NOT_FOUND => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "not found\n",
        )
            .into_response(),
        s if s.is_success() || s == StatusCode::NOT_MODIFIED => {
            let mut res = res;
            let h = res.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            // The bytes depend on Accept-Encoding (a .br sibling, or compression on the fly); a
            // shared cache must not hand brotli to a client that did not ask for it.
            h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            if let Some(v) = dictionary {
                // The next release's WASM is sent as a delta from this one (crate::delta).
                h.insert(USE_AS_DICTIONARY, v);
                h.insert(
                    header::VARY,
                    HeaderValue::from_static("accept-encoding, available-dictionary"),
                );
            }
            if shared_script {
                // Portals load the loader with `integrity` and `crossorigin="anonymous"`; a
                // cross-origin integrity check needs a CORS answer. It is public and sent
                // without credentials, so any origin may read it.
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    HeaderValue::from_static("*"),
                );
            }
            res
        }
        _ => res,
    }
}

const USE_AS_DICTIONARY: header::HeaderName = header::HeaderName::from_static("use-as-dictionary");

/// The release the browser holds, by its SHA-256 (`Available-Dictionary`), if it accepts `dcz`.
fn dictionary_held(req: &Request) -> Option<[u8; 32]> {
    let h = req.headers();
    let accepts = h
        .get(header::ACCEPT_ENCODING)?
        .to_str()
        .ok()?
        .split(',')
        .any(|e| e.split(';').next().is_some_and(|e| e.trim() == "dcz"));
    if !accepts {
        return None;
    }
    crate::delta::offered_dictionary(h.get("available-dictionary")?.to_str().ok()?)
}

/// The WASM as a delta from the release the browser holds, when the build wrote that delta;
/// `None` sends the whole file as usual.
async fn delta_for(
    files: &StaticFiles,
    name: &str,
    url_path: &str,
    offered: [u8; 32],
    head: bool,
) -> Option<Response> {
    let path = files.dist.join(crate::delta::file_name(name, &offered));
    let body = tokio::fs::read(&path).await.ok()?;
    let mut res = (
        [
            (header::CONTENT_TYPE, "application/wasm"),
            (header::CONTENT_ENCODING, "dcz"),
            (header::CACHE_CONTROL, IMMUTABLE),
            (header::VARY, "accept-encoding, available-dictionary"),
        ],
        body,
    )
        .into_response();
    if head {
        *res.body_mut() = Body::empty();
    }
    if let Some(v) = dictionary_for(url_path) {
        res.headers_mut().insert(USE_AS_DICTIONARY, v);
    }
    Some(res)
}

/// `Use-As-Dictionary` for a content-named file: the next release's file of that name, whatever
/// its hash, may be sent compressed against this one.
fn dictionary_for(url_path: &str) -> Option<HeaderValue> {
    let pattern = crate::delta::dictionary_match(url_path)?;
    HeaderValue::from_str(&format!("match=\"{pattern}\"")).ok()
}

/// The verification form sent by a browser that could not run the app: answered with the
/// verification page and its answer, rendered by the server.
async fn verify_form(state: AppState, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    let Ok(addr) = ClientAddr::from_request_parts(&mut parts, &state).await;
    let form = axum::body::to_bytes(body, 4096)
        .await
        .ok()
        .and_then(|b| serde_urlencoded::from_bytes::<CertificateQuery>(&b).ok());
    let files = &state.static_files;
    let (Some(form), Some(index)) = (form, files.current_index().await) else {
        return app_shell(files).await;
    };
    let query = CertificateQuery {
        no: form.no.map(|n| n.trim().to_string()),
        check: None,
        name: form
            .name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
    };
    let answer = first_screen::verify(&state, addr, query).await;
    match first_screen::page(&state, &index, "/verify", &parts.headers, Some(answer)).await {
        Some(page) => page,
        None => app_shell(files).await,
    }
}

async fn app_shell(files: &StaticFiles) -> Response {
    match files.current_index().await {
        Some(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, NO_CACHE),
            ],
            html,
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            format!(
                "Kaozheng: the app is not built (no index.html in {}).\n\
                 Build it with `trunk build --release`, or start the server with --dist pointing \
                 at a built app.\nThe API is available at /api/v1/ (see /api/v1/openapi.json).\n",
                files.dist.display()
            ),
        )
            .into_response(),
    }
}

/// True for `app.js`, false for `catalog`, `c123` or `.hidden`.
fn has_extension(name: &str) -> bool {
    matches!(name.rsplit_once('.'), Some((stem, ext)) if !stem.is_empty() && !ext.is_empty())
}

/// The Cache-Control for a file of dist/ by its name.
pub fn cache_control_for(name: &str) -> &'static str {
    if name == "index.html" || name == "sw.js" {
        NO_CACHE
    } else if is_hashed(name) {
        IMMUTABLE
    } else {
        ONE_HOUR
    }
}

/// Whether the name carries a content hash (`kaozheng-<hex>_bg.wasm`, `main-<hex>.css`): such a
/// file never changes under its name, so browsers may keep it for good.
pub fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    stem.match_indices('-').any(|(i, _)| {
        let rest = &stem[i + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        let tail = &rest[digits..];
        digits >= MIN_HASH_DIGITS && (tail.is_empty() || tail == "_bg")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised() {
        for hashed in [
            "kaozheng-9f8e7d6c5b4a3210_bg.wasm",
            "kaozheng-9f8e7d6c5b4a3210.js",
            "main-0123456789abcdef.css",
            "main-123456789abcdef.css",
            "kaozheng-7c1f0e5a9b2d4c6e8f0a1b2c3d4e5f6a7c1f0e5a9b2d4c6e8f0a1b2c3d4e5f6a7c1f0e5a9b2d4c6e8f0a1b2c3d4e5f.js",
        ] {
            assert!(is_hashed(hashed), "{hashed}");
            assert_eq!(cache_control_for(hashed), IMMUTABLE);
        }
        for plain in [
            "index.html",
            "sw.js",
            "manifest.webmanifest",
            "icon-192.png",
            "kaozheng-beef.js",
            "main-0123456789abcdef-extra.css",
            "favicon.ico",
        ] {
            assert!(!is_hashed(plain), "{plain}");
        }
        assert_eq!(cache_control_for("index.html"), NO_CACHE);
        assert_eq!(cache_control_for("sw.js"), NO_CACHE);
        assert_eq!(cache_control_for("icon-192.png"), ONE_HOUR);
        assert_eq!(cache_control_for("embed.js"), ONE_HOUR);
    }

    #[test]
    fn extensions_decide_between_files_and_app_routes() {
        assert!(has_extension("app.js") && has_extension("a.b.c"));
        for route in ["", "catalog", "c123", ".hidden", "trailing."] {
            assert!(!has_extension(route), "{route}");
        }
    }
}
