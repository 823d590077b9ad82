//! The catalog document as every phone downloads it: serialized and compressed once per version,
//! kept in memory, and rebuilt when another server or an import moved the stored version on. The
//! rule documents are kept the same way ([`DocumentCache`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderValue;
use sha2::{Digest, Sha256};

use crate::db::{self, Db, DbResult, meta};

/// A document every phone downloads as the same bytes (the catalog, a rule document), serialized
/// and compressed once per version: compressing it per request (as the generic compression layer
/// would) only burns CPU, and once per version affords brotli's best setting.
#[derive(Debug)]
pub struct CompressedDoc {
    pub version: String,
    /// `W/"<version>"`: weak, since compression changes the bytes but not the meaning.
    pub etag: HeaderValue,
    pub json: Bytes,
    pub br: Bytes,
    pub gzip: Bytes,
}

impl CompressedDoc {
    #[cfg(test)]
    pub(crate) fn new_for_test(version: String, json: Vec<u8>) -> CompressedDoc {
        CompressedDoc::new(version, json)
    }

    fn new(version: String, json: Vec<u8>) -> CompressedDoc {
        // Quality 11 takes seconds on multi-megabyte test catalogs; 9 is nearly as small.
        let quality = if json.len() > 1 << 20 { 9 } else { 11 };
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 64 * 1024, quality, 22);
            std::io::Write::write_all(&mut w, &json).expect("compressing into memory cannot fail");
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &json).expect("compressing into memory cannot fail");
        let gzip = gz.finish().expect("compressing into memory cannot fail");
        CompressedDoc {
            etag: weak_etag(&version),
            version,
            json: Bytes::from(json),
            br: Bytes::from(br),
            gzip: Bytes::from(gzip),
        }
    }
}

/// The rule documents as phones download them, compressed once per version like the catalog: at
/// brotli's best setting a grade or credit document is about 10 % smaller than the compression
/// layer's per-request setting makes it, and every phone downloads all five. Keyed by kind, and
/// for grades asked for one province, by province.
#[derive(Default)]
pub struct DocumentCache(Mutex<HashMap<String, Arc<CompressedDoc>>>);

impl DocumentCache {
    /// The document `key` at `version` (its tag), made by `json()` and compressed when the cached
    /// copy is of another version.
    pub async fn get<E>(
        &self,
        key: &str,
        version: &str,
        json: impl FnOnce() -> Result<String, E>,
    ) -> Result<Arc<CompressedDoc>, E> {
        let cached = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned();
        if let Some(body) = cached.filter(|b| b.version == version) {
            return Ok(body);
        }
        let (version, json) = (version.to_string(), json()?.into_bytes());
        // Compression is CPU work: keep it off the async workers. Two requests racing for a new
        // version both compress it; the second copy replaces the first, equal.
        let body = Arc::new(
            tokio::task::spawn_blocking(move || CompressedDoc::new(version, json))
                .await
                .expect("compressing a document does not panic"),
        );
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), body.clone());
        Ok(body)
    }
}

/// Keeps the serialized catalog in memory and notices when another server (or an import) changed
/// the version in `meta`, at most once per `recheck`.
pub struct CatalogCache {
    current: RwLock<Option<Arc<CompressedDoc>>>,
    last_check: Mutex<Option<Instant>>,
    recheck: Duration,
    rebuilding: tokio::sync::Mutex<()>,
}

impl CatalogCache {
    pub fn new(recheck: Duration) -> CatalogCache {
        CatalogCache {
            current: RwLock::new(None),
            last_check: Mutex::new(None),
            recheck,
            rebuilding: tokio::sync::Mutex::new(()),
        }
    }

    /// The cached body, without looking at the database.
    pub fn cached(&self) -> Option<Arc<CompressedDoc>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Reads the catalog from the database and replaces the cached body; call after any change.
    pub async fn rebuild(&self, db: &Db) -> DbResult<Option<Arc<CompressedDoc>>> {
        let _one_at_a_time = self.rebuilding.lock().await;
        self.rebuild_locked(db).await
    }

    async fn rebuild_locked(&self, db: &Db) -> DbResult<Option<Arc<CompressedDoc>>> {
        let body = match db::catalog::load(&db.pool).await? {
            Some(c) => {
                let json = c.to_json().into_bytes();
                // Compression is CPU work: keep it off the async workers.
                let body = tokio::task::spawn_blocking(move || CompressedDoc::new(c.version, json))
                    .await
                    .expect("compressing the catalog does not panic");
                Some(Arc::new(body))
            }
            None => None,
        };
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = body.clone();
        *self.last_check.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        Ok(body)
    }

    /// The current body, rebuilt first when the stored version moved on. When the database cannot
    /// be asked, the cached body is still served: a catalog a few seconds old beats an error.
    pub async fn current(&self, db: &Db) -> DbResult<Option<Arc<CompressedDoc>>> {
        let cached = self.cached();
        if !self.check_due()
            && let Some(body) = &cached
        {
            return Ok(Some(body.clone()));
        }
        let stored = match meta::get(&db.pool, meta::CATALOG_VERSION).await {
            Ok(v) => v,
            Err(e) if cached.is_some() => {
                tracing::warn!(error = %e, "could not check the catalog version; serving the cached one");
                return Ok(cached);
            }
            Err(e) => return Err(e),
        };
        *self.last_check.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        let current = |body: &Option<Arc<CompressedDoc>>| match (body, &stored) {
            (Some(body), Some(v)) => body.version == *v,
            (None, None) => true,
            _ => false,
        };
        if current(&cached) {
            return Ok(cached);
        }
        let _one_at_a_time = self.rebuilding.lock().await;
        // Requests that waited for the lock find the work done.
        let cached = self.cached();
        if current(&cached) {
            return Ok(cached);
        }
        match self.rebuild_locked(db).await {
            Ok(body) => Ok(body),
            Err(e) if cached.is_some() => {
                tracing::warn!(error = %e, "could not reload the changed catalog; serving the cached one");
                Ok(cached)
            }
            Err(e) => Err(e),
        }
    }

    fn check_due(&self) -> bool {
        match *self.last_check.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(t) => t.elapsed() >= self.recheck,
            None => true,
        }
    }
}

/// The first 16 bytes of the text's SHA-256, in hex: a tag-sized name for a longer text.
pub fn short_digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `W/"<version>"`, or a digest of the version when it has characters an entity tag cannot hold.
pub fn weak_etag(version: &str) -> HeaderValue {
    let fits = !version.is_empty()
        && version
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b));
    let tag = if fits {
        version.to_string()
    } else {
        format!("sha256-{}", short_digest(version))
    };
    HeaderValue::from_str(&format!("W/\"{tag}\"")).expect("an entity tag is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_are_weak_and_always_valid() {
        assert_eq!(weak_etag("2026.11-abc"), "W/\"2026.11-abc\"");
        let odd = weak_etag("版本 \"2\"");
        let s = odd.to_str().unwrap();
        assert!(s.starts_with("W/\"sha256-") && s.ends_with('"'), "{s}");
        assert_eq!(s.len(), "W/\"sha256-\"".len() + 32);
        assert_ne!(weak_etag("版本 1"), weak_etag("版本 2"));
    }
}
