//! Portal assertions: a school portal that embeds the app signs a short-lived HS256 JWT naming the
//! student; `POST /api/v1/auth/embed` exchanges it for a session.
//!
//! `iss` selects the portal (and so the secret), `aud` must be the portal's configured audience,
//! `exp` must be in the future and at most five minutes ahead, and each `jti` is accepted once
//! (recorded in the database, so a replay to another server fails too). The server's clock is
//! used, not the system's, so tests can move time.

use std::fmt;
use std::path::Path;

use anyhow::Context;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// The longest an assertion may still be valid for.
pub const MAX_LIFETIME_SECS: i64 = 5 * 60;
/// Shortest portal secret accepted: HS256 wants at least 256 bits.
pub const MIN_SECRET_BYTES: usize = 32;

/// One portal allowed to sign assertions, from the `--portals` JSON file.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Portal {
    pub iss: String,
    pub secret: String,
    pub aud: String,
    /// Origins of the portal's pages: allowed to call the API (CORS) and to frame the app.
    #[serde(default)]
    pub origins: Vec<String>,
}

impl fmt::Debug for Portal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Portal")
            .field("iss", &self.iss)
            .field("secret", &"***")
            .field("aud", &self.aud)
            .field("origins", &self.origins)
            .finish()
    }
}

/// Parses and checks a portals document: `[{"iss", "secret", "aud", "origins": [..]}]`.
pub fn parse_portals(json: &str) -> anyhow::Result<Vec<Portal>> {
    let portals: Vec<Portal> = serde_json::from_str(json).context("reading the portals JSON")?;
    let mut seen = std::collections::HashSet::new();
    for p in &portals {
        anyhow::ensure!(!p.iss.trim().is_empty(), "a portal has an empty iss");
        anyhow::ensure!(
            seen.insert(p.iss.as_str()),
            "portal {:?} is listed twice",
            p.iss
        );
        anyhow::ensure!(
            !p.aud.trim().is_empty(),
            "portal {:?} has an empty aud",
            p.iss
        );
        anyhow::ensure!(
            p.secret.len() >= MIN_SECRET_BYTES,
            "portal {:?}: the secret must have at least {MIN_SECRET_BYTES} bytes",
            p.iss
        );
    }
    Ok(portals)
}

pub fn load_portals(path: &Path) -> anyhow::Result<Vec<Portal>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the portals file {}", path.display()))?;
    parse_portals(&text).with_context(|| format!("in {}", path.display()))
}

/// Why an assertion was refused; the message says which check failed, for portal integrators.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    #[error("the assertion is not a well-formed HS256 JWT")]
    Malformed,
    #[error("no portal is configured for this iss")]
    UnknownIssuer,
    #[error("the signature does not match the portal's secret")]
    BadSignature,
    #[error("aud is not this portal's audience")]
    WrongAudience,
    #[error("a required claim (iss, sub, aud, exp, jti) is missing or malformed")]
    MissingClaim,
    #[error("the assertion has expired")]
    Expired,
    #[error("exp is more than 5 minutes ahead")]
    TooLong,
    #[error("the assertion is not valid yet (nbf)")]
    NotYetValid,
}

impl EmbedError {
    pub fn zh(&self) -> &'static str {
        match self {
            EmbedError::Malformed => "门户断言格式错误",
            EmbedError::UnknownIssuer => "未配置该门户（iss）",
            EmbedError::BadSignature => "门户断言签名无效",
            EmbedError::WrongAudience => "门户断言的 aud 不匹配",
            EmbedError::MissingClaim => "门户断言缺少必需字段",
            EmbedError::Expired => "门户断言已过期",
            EmbedError::TooLong => "门户断言有效期超过 5 分钟",
            EmbedError::NotYetValid => "门户断言尚未生效",
        }
    }
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    exp: i64,
    jti: String,
    #[serde(default)]
    nbf: Option<i64>,
}

/// A checked assertion: who, from which portal, and until when its id must be remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub iss: String,
    pub student_no: String,
    pub jti: String,
    pub exp: i64,
}

/// Checks everything but the replay (which needs the database) at `now` (epoch seconds).
pub fn verify(portals: &[Portal], assertion: &str, now: i64) -> Result<Verified, EmbedError> {
    if assertion.len() > 4096 {
        return Err(EmbedError::Malformed);
    }
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| EmbedError::Malformed)?;
    if header.alg != Algorithm::HS256 {
        return Err(EmbedError::Malformed);
    }
    // The issuer picks the secret, so it is read before the signature can be checked; nothing
    // else is trusted until it is.
    let mut peek = Validation::new(Algorithm::HS256);
    peek.insecure_disable_signature_validation();
    peek.validate_exp = false;
    peek.validate_aud = false;
    peek.required_spec_claims.clear();
    let unverified = jsonwebtoken::decode::<serde_json::Value>(
        assertion,
        &DecodingKey::from_secret(b"unused"),
        &peek,
    )
    .map_err(|_| EmbedError::Malformed)?;
    let iss = unverified.claims["iss"]
        .as_str()
        .ok_or(EmbedError::MissingClaim)?;
    let portal = portals
        .iter()
        .find(|p| p.iss == iss)
        .ok_or(EmbedError::UnknownIssuer)?;

    let mut v = Validation::new(Algorithm::HS256);
    v.validate_exp = false; // checked below against the server's clock
    v.leeway = 0;
    v.set_audience(&[&portal.aud]);
    v.set_issuer(&[&portal.iss]);
    v.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    let data = jsonwebtoken::decode::<Claims>(
        assertion,
        &DecodingKey::from_secret(portal.secret.as_bytes()),
        &v,
    )
    .map_err(|e| match e.kind() {
        ErrorKind::InvalidSignature => EmbedError::BadSignature,
        ErrorKind::InvalidAudience => EmbedError::WrongAudience,
        ErrorKind::InvalidIssuer => EmbedError::UnknownIssuer,
        ErrorKind::MissingRequiredClaim(_) | ErrorKind::Json(_) => EmbedError::MissingClaim,
        _ => EmbedError::Malformed,
    })?;
    let c = data.claims;
    if c.sub.trim().is_empty() || c.jti.trim().is_empty() || c.jti.len() > 200 {
        return Err(EmbedError::MissingClaim);
    }
    if c.exp <= now {
        return Err(EmbedError::Expired);
    }
    if c.exp > now + MAX_LIFETIME_SECS {
        return Err(EmbedError::TooLong);
    }
    if c.nbf.is_some_and(|nbf| nbf > now) {
        return Err(EmbedError::NotYetValid);
    }
    Ok(Verified {
        iss: c.iss,
        student_no: c.sub,
        jti: c.jti,
        exp: c.exp,
    })
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn portals() -> Vec<Portal> {
        parse_portals(&format!(
            r#"[{{"iss": "portal.example.edu.cn", "secret": "{SECRET}", "aud": "kaozheng",
                 "origins": ["https://portal.example.edu.cn"]}}]"#
        ))
        .unwrap()
    }

    fn sign(claims: serde_json::Value, secret: &str) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    fn claims(exp: i64) -> serde_json::Value {
        json!({"iss": "portal.example.edu.cn", "sub": "TJ2024001", "aud": "kaozheng",
               "exp": exp, "jti": "a1"})
    }

    #[test]
    fn a_fresh_signed_assertion_is_accepted() {
        let v = verify(&portals(), &sign(claims(1_000 + 120), SECRET), 1_000).unwrap();
        assert_eq!(
            (v.iss.as_str(), v.student_no.as_str(), v.jti.as_str(), v.exp),
            ("portal.example.edu.cn", "TJ2024001", "a1", 1_120)
        );
    }

    #[test]
    fn every_check_has_its_own_refusal() {
        let p = portals();
        let now = 1_000;
        let with = |k: &str, v: serde_json::Value| {
            let mut c = claims(now + 60);
            c[k] = v;
            sign(c, SECRET)
        };
        let cases = [
            (
                sign(claims(now + 60), "another-secret-another-secret-xx"),
                EmbedError::BadSignature,
            ),
            (
                with("aud", json!("someone-else")),
                EmbedError::WrongAudience,
            ),
            (
                with("iss", json!("evil.example")),
                EmbedError::UnknownIssuer,
            ),
            (sign(claims(now), SECRET), EmbedError::Expired),
            (sign(claims(now + 301), SECRET), EmbedError::TooLong),
            (with("nbf", json!(now + 10)), EmbedError::NotYetValid),
            (with("jti", json!("")), EmbedError::MissingClaim),
            ("not.a.jwt".to_string(), EmbedError::Malformed),
        ];
        for (assertion, want) in cases {
            assert_eq!(verify(&p, &assertion, now), Err(want.clone()), "{want:?}");
            assert!(!want.zh().is_empty());
        }
        let mut no_sub = claims(now + 60);
        no_sub.as_object_mut().unwrap().remove("sub");
        assert_eq!(
            verify(&p, &sign(no_sub, SECRET), now),
            Err(EmbedError::MissingClaim)
        );
        // "none" and other algorithms are refused before anything else.
        let hs512 = encode(
            &Header::new(Algorithm::HS512),
            &claims(now + 60),
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap();
        assert_eq!(verify(&p, &hs512, now), Err(EmbedError::Malformed));
    }

    #[test]
    fn portal_files_are_checked_and_secrets_never_printed() {
        let p = portals();
        assert!(!format!("{p:?}").contains(SECRET));
        assert!(parse_portals(r#"[{"iss": "a", "secret": "short", "aud": "k"}]"#).is_err());
        assert!(
            parse_portals(&format!(
                r#"[{{"iss": "a", "secret": "{SECRET}", "aud": "k", "extra": 1}}]"#
            ))
            .is_err()
        );
        assert!(
            parse_portals(&format!(
                r#"[{{"iss": "a", "secret": "{SECRET}", "aud": "k"}},
                    {{"iss": "a", "secret": "{SECRET}", "aud": "k"}}]"#
            ))
            .is_err()
        );
    }
}
