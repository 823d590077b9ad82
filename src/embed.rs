//! Embed mode: the app inside an institution portal's iframe (`/embed?…`), with compact chrome,
//! the portal's theme, its height reported to the portal, and sign-in by a portal assertion.
//!
//! Protocol (see README "Embedding"): the widget posts `kz:ready`, `kz:height`, `kz:signed-in` and
//! `kz:sign-in-failed` to the `parent` origin, and accepts `kz:assertion` only from an origin on the
//! server's allowlist (`GET /api/v1/embed/config`) and only from its parent window. Everything else
//! is ignored and logged.

use crate::i18n::Locale;
use crate::prefs::Theme;

mod runtime;

pub use runtime::{EmbedState, provide_embed, start_embed, use_embed};

/// Where the options survive in-iframe navigation and reloads.
const STORAGE_KEY: &str = "kz.embed";
/// JWTs portals send are small; anything bigger is not an assertion.
const MAX_ASSERTION: usize = 4096;

/// A part of the app a portal may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Catalog,
    Registration,
    Results,
    Credits,
    Grades,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Catalog,
        Section::Registration,
        Section::Results,
        Section::Credits,
        Section::Grades,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Section::Catalog => "catalog",
            Section::Registration => "registration",
            Section::Results => "results",
            Section::Credits => "credits",
            Section::Grades => "grades",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.key() == s.trim())
    }

    /// The page a section starts on.
    pub fn path(self) -> &'static str {
        match self {
            Section::Catalog => "/catalog",
            Section::Registration => "/me/registrations",
            Section::Results => "/results",
            Section::Credits => "/me/credits",
            Section::Grades => "/grades",
        }
    }

    /// `start=` accepts the section names and the page names of the README.
    fn parse_start(s: &str) -> Option<Self> {
        match s.trim() {
            "registrations" => Some(Section::Registration),
            other => Self::parse(other),
        }
    }
}

/// The portal's choices, validated: anything malformed is dropped, never passed on to CSS or URLs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmbedOptions {
    pub school: Option<String>,
    pub locale: Option<Locale>,
    pub start: Option<Section>,
    /// Empty means every section.
    pub sections: Vec<Section>,
    /// `#rgb` or `#rrggbb`.
    pub primary: Option<String>,
    /// Corner radius in px, 0–24.
    pub radius: Option<u8>,
    pub font: Option<String>,
    pub scheme: Option<Theme>,
    /// The portal's origin, where messages go.
    pub parent: Option<String>,
}

impl EmbedOptions {
    pub fn shows(&self, s: Section) -> bool {
        self.sections.is_empty() || self.sections.contains(&s)
    }

    /// The sections in display order.
    pub fn visible_sections(&self) -> Vec<Section> {
        Section::ALL
            .into_iter()
            .filter(|s| self.shows(*s))
            .collect()
    }

    /// Where the widget opens: the chosen start page if shown, else the first shown section.
    pub fn start_path(&self) -> &'static str {
        self.start
            .filter(|s| self.shows(*s))
            .or_else(|| self.visible_sections().first().copied())
            .unwrap_or(Section::Catalog)
            .path()
    }
}

/// Query-string decoding (`+` and `%XX`); a malformed value is taken as written.
fn decode(s: &str) -> String {
    percent_decode(s).unwrap_or_else(|| s.to_string())
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.replace('+', " ").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub fn valid_colour(s: &str) -> Option<String> {
    let hex = s.strip_prefix('#')?;
    ((hex.len() == 3 || hex.len() == 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("#{}", hex.to_ascii_lowercase()))
}

pub fn valid_font(s: &str) -> Option<String> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.chars().count() <= 120
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | ',' | '-' | '"' | '\'') || is_cjk(c));
    ok.then(|| s.to_string())
}

fn is_cjk(c: char) -> bool {
    kaozheng_core::text::is_hanzi(c)
}

/// `scheme://host[:port]` of an http(s) origin, lowercased; `None` for anything else.
pub fn valid_origin(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches('/');
    let (scheme, rest) = s.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    if rest.is_empty()
        || !rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    {
        return None;
    }
    Some(format!("{scheme}://{}", rest.to_ascii_lowercase()))
}

/// Parses the embed route's query string (without `?`).
pub fn parse_options(query: &str) -> EmbedOptions {
    let mut o = EmbedOptions::default();
    for pair in query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = decode(v);
        match k {
            "school" => {
                o.school =
                    Some(v.trim().chars().take(80).collect()).filter(|s: &String| !s.is_empty())
            }
            "locale" => o.locale = Locale::from_tag(&v).filter(|_| v == "zh-CN" || v == "en"),
            "start" => o.start = Section::parse_start(&v),
            "sections" => o.sections = v.split(',').filter_map(Section::parse).collect(),
            "primary" => o.primary = valid_colour(&v),
            "radius" => o.radius = v.parse::<u8>().ok().filter(|r| *r <= 24),
            "font" => o.font = valid_font(&v),
            "scheme" => {
                o.scheme = match v.as_str() {
                    "light" => Some(Theme::Light),
                    "dark" => Some(Theme::Dark),
                    "system" => Some(Theme::System),
                    _ => None,
                }
            }
            "parent" => o.parent = valid_origin(&v),
            _ => {}
        }
    }
    o.sections.dedup();
    o
}

/// Stored form of the options (query-string shaped, so one parser reads both).
pub fn to_query(o: &EmbedOptions) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut push = |k: &str, v: String| parts.push(format!("{k}={}", encode(&v)));
    if let Some(s) = &o.school {
        push("school", s.clone());
    }
    if let Some(l) = o.locale {
        push("locale", l.tag().to_string());
    }
    if let Some(s) = o.start {
        push("start", s.key().to_string());
    }
    if !o.sections.is_empty() {
        push(
            "sections",
            o.sections
                .iter()
                .map(|s| s.key())
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    if let Some(c) = &o.primary {
        push("primary", c.clone());
    }
    if let Some(r) = o.radius {
        push("radius", r.to_string());
    }
    if let Some(f) = &o.font {
        push("font", f.clone());
    }
    if let Some(t) = o.scheme {
        push(
            "scheme",
            match t {
                Theme::Light => "light",
                Theme::Dark => "dark",
                Theme::System => "system",
            }
            .into(),
        );
    }
    if let Some(p) = &o.parent {
        push("parent", p.clone());
    }
    parts.join("&")
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Why an incoming message was not acted on (logged, never shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ignored {
    NotAllowedOrigin(String),
    NotFromParent,
    NotOurs,
    BadAssertion,
}

/// Decides whether a message is a portal assertion to act on. `origin` is the event's origin,
/// `from_parent` whether its source is our parent window, `kind`/`assertion` the message's fields.
pub fn check_message(
    origin: &str,
    allowed: &[String],
    from_parent: bool,
    kind: Option<&str>,
    assertion: Option<&str>,
) -> Result<String, Ignored> {
    if kind.is_none_or(|k| !k.starts_with("kz:")) {
        return Err(Ignored::NotOurs);
    }
    if !allowed.iter().any(|a| a == origin) {
        return Err(Ignored::NotAllowedOrigin(origin.to_string()));
    }
    if !from_parent {
        return Err(Ignored::NotFromParent);
    }
    match (kind, assertion) {
        (Some("kz:assertion"), Some(a)) if is_jwt_shaped(a) => Ok(a.to_string()),
        _ => Err(Ignored::BadAssertion),
    }
}

/// Three base64url parts separated by dots, within the size limit.
pub fn is_jwt_shaped(s: &str) -> bool {
    s.len() <= MAX_ASSERTION
        && s.split('.').count() == 3
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_parsed_and_malformed_ones_dropped() {
        let o = parse_options(
            "school=%E7%A4%BA%E4%BE%8B&locale=en&start=results&sections=catalog,results,bogus,grades&primary=%230B57D0&radius=8&font=Noto%20Sans%2C%20sans-serif&scheme=dark&parent=https%3A%2F%2FPortal.example.edu%2F",
        );
        assert_eq!(o.school.as_deref(), Some("示例"));
        assert_eq!(o.locale, Some(Locale::En));
        assert_eq!(o.start, Some(Section::Results));
        assert_eq!(
            o.sections,
            vec![Section::Catalog, Section::Results, Section::Grades]
        );
        assert_eq!(o.primary.as_deref(), Some("#0b57d0"));
        assert_eq!(o.radius, Some(8));
        assert_eq!(o.font.as_deref(), Some("Noto Sans, sans-serif"));
        assert_eq!(o.scheme, Some(Theme::Dark));
        assert_eq!(o.parent.as_deref(), Some("https://portal.example.edu"));
        assert_eq!(o.start_path(), "/results");
        assert_eq!(
            parse_options(&to_query(&o)),
            o,
            "stored form reads back the same"
        );
    }

    #[test]
    fn hostile_values_never_pass() {
        let o = parse_options(
            "primary=red;background:url(x)&radius=99&font=x%7Bcolor:red%7D&locale=fr&scheme=neon&parent=javascript:alert(1)&start=admin",
        );
        assert_eq!(o, EmbedOptions::default());
        assert_eq!(valid_colour("#12345"), None);
        assert_eq!(valid_colour("#abc").as_deref(), Some("#abc"));
        assert_eq!(valid_origin("https://a.example/path"), None);
        assert_eq!(
            valid_origin("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(valid_font("\"><script>"), None);
    }

    #[test]
    fn the_start_page_must_be_a_shown_section() {
        let o = parse_options("sections=grades,catalog&start=results");
        assert_eq!(o.start_path(), "/catalog");
        assert!(!o.shows(Section::Results));
        assert_eq!(parse_options("").start_path(), "/catalog");
        assert_eq!(
            parse_options("start=registrations").start_path(),
            "/me/registrations"
        );
    }

    #[test]
    fn only_allowlisted_parent_assertions_are_accepted() {
        let allowed = vec!["https://portal.example".to_string()];
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
        assert_eq!(
            check_message(
                "https://portal.example",
                &allowed,
                true,
                Some("kz:assertion"),
                Some(jwt)
            ),
            Ok(jwt.to_string())
        );
        assert_eq!(
            check_message(
                "https://evil.example",
                &allowed,
                true,
                Some("kz:assertion"),
                Some(jwt)
            ),
            Err(Ignored::NotAllowedOrigin("https://evil.example".into()))
        );
        assert_eq!(
            check_message(
                "https://portal.example",
                &allowed,
                false,
                Some("kz:assertion"),
                Some(jwt)
            ),
            Err(Ignored::NotFromParent)
        );
        assert_eq!(
            check_message(
                "https://portal.example",
                &allowed,
                true,
                Some("kz:assertion"),
                Some("not.a jwt.x")
            ),
            Err(Ignored::BadAssertion)
        );
        assert_eq!(
            check_message(
                "https://portal.example",
                &allowed,
                true,
                Some("kz:assertion"),
                None
            ),
            Err(Ignored::BadAssertion)
        );
        assert_eq!(
            check_message(
                "https://portal.example",
                &allowed,
                true,
                Some("other"),
                Some(jwt)
            ),
            Err(Ignored::NotOurs)
        );
        assert!(!is_jwt_shaped(&format!("{}.b.c", "a".repeat(5000))));
    }
}
