//! `GET /api/v1/catalog`: the whole catalog document, revalidated by ETag so a phone that has the
//! current version downloads nothing.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::catalog_cache::CompressedDoc;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn get_catalog(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let body = state.catalog.current(&state.db).await?.ok_or_else(|| {
        ApiError::unavailable("no catalog has been imported yet", "尚未导入证书目录")
    })?;
    Ok(compressed(&headers, &body))
}

/// A document compressed once per version (the catalog, a rule document): 304 when the client
/// holds its tag, else the kept encoding the client prefers.
pub fn compressed(headers: &HeaderMap, body: &CompressedDoc) -> Response {
    let not_modified = if_none_match(headers, &body.etag);
    let mut res = if not_modified {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::NOT_MODIFIED;
        res
    } else {
        let (bytes, encoding) = match preferred_encoding(headers) {
            Some("br") => (body.br.clone(), Some("br")),
            Some("gzip") => (body.gzip.clone(), Some("gzip")),
            _ => (body.json.clone(), None),
        };
        let mut res = Response::new(Body::from(bytes));
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(e) = encoding {
            // Already compressed: the compression layer leaves responses with an encoding alone.
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
        }
        res
    };
    let h = res.headers_mut();
    h.insert(header::ETAG, body.etag.clone());
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Also on 304, which repeats the headers a 200 would carry.
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

/// The best encoding the client accepts among the ones kept: brotli, then gzip. A coding listed
/// with `q=0` is refused.
fn preferred_encoding(headers: &HeaderMap) -> Option<&'static str> {
    let accepts = |coding: &str| {
        headers.get_all(header::ACCEPT_ENCODING).iter().any(|v| {
            v.to_str().unwrap_or("").split(',').any(|item| {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or("").trim();
                let refused = parts.any(|p| {
                    let p = p.trim();
                    p.strip_prefix("q=")
                        .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
                });
                (name.eq_ignore_ascii_case(coding) || name == "*") && !refused
            })
        })
    };
    if accepts("br") {
        Some("br")
    } else if accepts("gzip") {
        Some("gzip")
    } else {
        None
    }
}

/// Whether `If-None-Match` names our entity tag: any listed tag equal by weak comparison (the
/// `W/` prefix ignored), or `*`. Tags may be spread over several header lines.
/// The document `body` tagged `etag`, or 304 when the client holds that tag.
pub fn revalidated(headers: &HeaderMap, etag: HeaderValue, body: String) -> Response {
    let mut res = if if_none_match(headers, &etag) {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::NOT_MODIFIED;
        res
    } else {
        let mut res = Response::new(Body::from(body));
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        res
    };
    res.headers_mut().insert(header::ETAG, etag);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

pub fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = opaque(etag.as_bytes());
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .any(|v| list_matches(v.as_bytes(), ours))
}

fn opaque(tag: &[u8]) -> &[u8] {
    tag.strip_prefix(b"W/").unwrap_or(tag)
}

/// Parses `#entity-tag` or `*`. Commas may appear inside a quoted tag, so this scans quotes
/// rather than splitting on commas.
fn list_matches(list: &[u8], ours: &[u8]) -> bool {
    let mut i = 0;
    while i < list.len() {
        match list[i] {
            b' ' | b'\t' | b',' => i += 1,
            b'*' => return true,
            _ => {
                if list[i..].starts_with(b"W/") {
                    i += 2;
                }
                if list.get(i) != Some(&b'"') {
                    // Not an entity tag: skip to the next list element.
                    while i < list.len() && list[i] != b',' {
                        i += 1;
                    }
                    continue;
                }
                let open = i;
                i += 1;
                while i < list.len() && list[i] != b'"' {
                    i += 1;
                }
                if i >= list.len() {
                    return false;
                }
                i += 1;
                if &list[open..i] == ours {
                    return true;
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(value: &str) -> bool {
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        if_none_match(&h, &HeaderValue::from_static("W/\"v2\""))
    }

    #[test]
    fn weak_comparison_over_lists() {
        assert!(matches("W/\"v2\""));
        assert!(
            matches("\"v2\""),
            "strong form of the same tag matches weakly"
        );
        assert!(matches("\"v1\", W/\"v2\""));
        assert!(matches("\"a,b\",W/\"v2\""));
        assert!(matches("*"));
        assert!(!matches("W/\"v1\""));
        assert!(!matches("W/\"v22\""));
        assert!(!matches("\"v2"));
        assert!(!matches("v2"));
        assert!(!matches(""));
        assert!(!if_none_match(
            &HeaderMap::new(),
            &HeaderValue::from_static("W/\"v2\"")
        ));
    }

    #[test]
    fn tags_on_several_lines_are_all_read() {
        let mut h = HeaderMap::new();
        h.append(header::IF_NONE_MATCH, HeaderValue::from_static("\"x\""));
        h.append(header::IF_NONE_MATCH, HeaderValue::from_static("W/\"v2\""));
        assert!(if_none_match(&h, &HeaderValue::from_static("W/\"v2\"")));
    }

    #[test]
    fn brotli_is_preferred_then_gzip_and_q0_refuses() {
        let enc = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            preferred_encoding(&h)
        };
        assert_eq!(enc("gzip, deflate, br"), Some("br"));
        assert_eq!(enc("gzip"), Some("gzip"));
        assert_eq!(enc("br;q=0, gzip;q=0.5"), Some("gzip"));
        assert_eq!(enc("BR"), Some("br"));
        assert_eq!(enc("identity"), None);
        assert_eq!(enc("br;q=0,gzip;q=0"), None);
        assert_eq!(preferred_encoding(&HeaderMap::new()), None);
    }

    #[test]
    fn the_kept_encodings_decode_to_the_document() {
        let json = br#"{"format":1,"version":"v","certificates":[]}"#.repeat(50);
        let body = crate::catalog_cache::CompressedDoc::new_for_test("v".into(), json.clone());
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &body.br[..], &mut out).unwrap();
        assert_eq!(out, json);
        let mut gz = flate2::read::GzDecoder::new(&body.gzip[..]);
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut gz, &mut out).unwrap();
        assert_eq!(out, json);
        assert!(
            body.br.len() < json.len() / 5,
            "compressed: {} of {}",
            body.br.len(),
            json.len()
        );
    }
}
