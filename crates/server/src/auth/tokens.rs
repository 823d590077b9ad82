//! Opaque bearer tokens: 32 random bytes in base64url. Only their SHA-256 is stored, so a copy of
//! the database gives no usable token.

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system's random source is available");
    b
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new session or admin token (43 characters of base64url).
pub fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// What is stored for a token: its SHA-256 in hex.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A random id such as `reg-3f2a…` (96 random bits).
pub fn random_id(prefix: &str) -> String {
    format!("{prefix}{}", hex(&random_bytes::<12>()))
}

/// The token of an `Authorization: Bearer <token>` header; `None` when there is none or it is not a
/// bearer token of sane length and characters.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    let ok = (16..=256).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'));
    ok.then_some(token)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_as_digests() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        let h = token_hash(&a);
        assert_eq!(h.len(), 64);
        assert!(!h.contains(&a));
        assert_eq!(h, token_hash(&a));
        assert!(random_id("reg-").starts_with("reg-"));
        assert_eq!(random_id("").len(), 24);
    }

    #[test]
    fn only_sane_bearer_tokens_are_read() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        let t = new_token();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("bearer  {t}")).unwrap(),
        );
        assert_eq!(bearer(&h), Some(t.as_str()));
        for bad in [
            "Basic dXNlcjpwYXNz",
            "Bearer short",
            "Bearer a b c d e f g h i j k",
        ] {
            h.insert(header::AUTHORIZATION, HeaderValue::from_static(bad));
            assert_eq!(bearer(&h), None, "{bad}");
        }
    }
}
