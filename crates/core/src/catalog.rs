//! The catalog document: every certificate with its levels and evaluation organisation.
//!
//! A document is accepted or rejected as a whole: [`Catalog::parse`] returns every problem it finds,
//! each with the path of the offending record and field, so the last good catalog can stay in use.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{Certificate, EvaluationOrg};
use crate::order;
use crate::text::check_pinyin;

/// The document format this code reads and writes.
pub const FORMAT: u32 = 1;
/// More certificates than this is not a catalog but an accident (the whole system has 447).
pub const MAX_CERTIFICATES: usize = 100_000;
const MAX_NAME_CHARS: usize = 200;
/// Longest link accepted (standard documents, organisation sites).
pub const MAX_URL_CHARS: usize = 300;

/// Whether `url` may be shown as a link that opens outside the app: `https://` and a host, at most
/// [`MAX_URL_CHARS`] characters, no spaces or control characters (which could hide where it goes).
pub fn check_url(url: &str) -> Result<(), String> {
    let Some(rest) = url.strip_prefix("https://") else {
        return Err("must start with https://".into());
    };
    if url.chars().count() > MAX_URL_CHARS {
        return Err(format!("is longer than {MAX_URL_CHARS} characters"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains spaces or control characters".into());
    }
    if rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .is_empty()
    {
        return Err("has no host".into());
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub format: u32,
    /// Content version (a hash of the content, set by the builder); clients compare it, not dates.
    pub version: String,
    /// Where the data comes from, in words.
    pub source: String,
    /// True for generated test catalogs: their certificates do not exist.
    #[serde(default)]
    pub synthetic: bool,
    /// How many certificates the whole system has, where known (447 for 1+X), so a partial catalog
    /// can say how partial it is.
    #[serde(default)]
    pub total_in_system: Option<u32>,
    pub orgs: Vec<EvaluationOrg>,
    pub certificates: Vec<Certificate>,
}

/// One problem in a catalog document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// Where: `certificates[3].levels[1]`, or `line 4 column 7` for malformed JSON.
    pub path: String,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every problem found in a rejected document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CatalogErrors(pub Vec<CatalogError>);

impl fmt::Display for CatalogErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "catalog rejected ({} problem", self.0.len())?;
        if self.0.len() != 1 {
            f.write_str("s")?;
        }
        f.write_str(")")?;
        for e in self.0.iter().take(20) {
            write!(f, "\n  {e}")?;
        }
        if self.0.len() > 20 {
            write!(f, "\n  … and {} more", self.0.len() - 20)?;
        }
        Ok(())
    }
}

impl Catalog {
    /// Sets `version` to the content version of the document with an empty version, so it
    /// changes exactly when the content does (the catalog builder's and the server import's
    /// one definition).
    pub fn set_content_version(&mut self) {
        self.version = String::new();
        self.version = crate::hash::content_version(&self.to_json());
    }

    /// Parses and validates a JSON document.
    pub fn parse(json: &str) -> Result<Catalog, CatalogErrors> {
        let catalog = deserialize(json)?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// Serializes to the document form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a catalog always serializes")
    }

    /// Checks the rules a document must satisfy beyond its shape.
    pub fn validate(&self) -> Result<(), CatalogErrors> {
        let mut errs = Vec::new();
        let mut err = |path: String, message: String| errs.push(CatalogError { path, message });

        if self.format != FORMAT {
            err(
                "format".into(),
                format!(
                    "format {} is not supported (expected {FORMAT})",
                    self.format
                ),
            );
        }
        if self.version.trim().is_empty() {
            err("version".into(), "is empty".into());
        }
        if self.certificates.len() > MAX_CERTIFICATES {
            err(
                "certificates".into(),
                format!(
                    "has {} certificates, more than {MAX_CERTIFICATES}",
                    self.certificates.len()
                ),
            );
            return Err(CatalogErrors(errs));
        }

        let mut org_ids = HashMap::new();
        let mut org_names = HashSet::new();
        for (i, o) in self.orgs.iter().enumerate() {
            let at = format!("orgs[{i}]");
            if o.id.trim().is_empty() {
                err(format!("{at}.id"), "is empty".into());
            } else if let Some(first) = org_ids.insert(o.id.as_str(), i) {
                err(
                    format!("{at}.id"),
                    format!("{:?} repeats orgs[{first}]", o.id),
                );
            }
            check_name(&mut err, &at, &o.name);
            if !org_names.insert(o.name.as_str()) {
                err(format!("{at}.name"), format!("{:?} appears twice", o.name));
            }
            if let Err(m) = check_pinyin(&o.name, &o.pinyin) {
                err(format!("{at}.pinyin"), m);
            }
            if let Some(Err(m)) = o.url.as_deref().map(check_url) {
                err(format!("{at}.url"), m);
            }
        }

        let mut ids = HashMap::new();
        let mut names = HashMap::new();
        for (i, c) in self.certificates.iter().enumerate() {
            let at = format!("certificates[{i}]");
            if c.id.trim().is_empty() {
                err(format!("{at}.id"), "is empty".into());
            } else if let Some(first) = ids.insert(c.id.as_str(), i) {
                err(
                    format!("{at}.id"),
                    format!("{:?} repeats certificates[{first}]", c.id),
                );
            }
            check_name(&mut err, &at, &c.name);
            if let Some(first) = names.insert(c.name.as_str(), i) {
                err(
                    format!("{at}.name"),
                    format!("{:?} repeats certificates[{first}]", c.name),
                );
            }
            if !org_ids.contains_key(c.org_id.as_str()) {
                err(
                    format!("{at}.org_id"),
                    format!("{:?} is not in orgs", c.org_id),
                );
            }
            if let Some(b) = c.batch
                && !(1..=4).contains(&b)
            {
                err(
                    format!("{at}.batch"),
                    format!("{b} is not a pilot batch (1–4)"),
                );
            }
            for (j, pair) in c.levels.windows(2).enumerate() {
                if pair[1].level <= pair[0].level {
                    err(
                        format!("{at}.levels[{}]", j + 1),
                        format!(
                            "{:?} repeats or comes after {:?}; levels are listed once, ascending",
                            pair[1].level, pair[0].level
                        ),
                    );
                }
            }
            if let Err(m) = check_pinyin(&c.name, &c.pinyin) {
                err(format!("{at}.pinyin"), m);
            }
            for (j, l) in c.levels.iter().enumerate() {
                if let Some(Err(m)) = l.standard_url.as_deref().map(check_url) {
                    err(format!("{at}.levels[{j}].standard_url"), m);
                }
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(CatalogErrors(errs))
        }
    }

    pub fn certificate(&self, id: &str) -> Option<&Certificate> {
        self.certificates.iter().find(|c| c.id == id)
    }

    pub fn org(&self, id: &str) -> Option<&EvaluationOrg> {
        self.orgs.iter().find(|o| o.id == id)
    }

    /// Distinct fields present, sorted, for the filter menu.
    pub fn fields(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .certificates
            .iter()
            .filter_map(|c| c.field.as_deref())
            .collect();
        order::sort(&mut v);
        v.dedup();
        v
    }

    /// Distinct batches present, ascending.
    pub fn batches(&self) -> Vec<u8> {
        let mut v: Vec<u8> = self.certificates.iter().filter_map(|c| c.batch).collect();
        order::sort(&mut v);
        v.dedup();
        v
    }
}

fn shape_error(path: &str, e: serde_json::Error) -> CatalogErrors {
    let at = format!("line {} column {}", e.line(), e.column());
    let path = if path.is_empty() || path == "." {
        at
    } else {
        format!("{path} ({at})")
    };
    CatalogErrors(vec![CatalogError {
        path,
        message: strip_position(&e.to_string()),
    }])
}

#[cfg(feature = "error-paths")]
fn deserialize(json: &str) -> Result<Catalog, CatalogErrors> {
    let de = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        shape_error(&path, e.into_inner())
    })
}

#[cfg(not(feature = "error-paths"))]
fn deserialize(json: &str) -> Result<Catalog, CatalogErrors> {
    crate::objects::from_str(json).map_err(|e| shape_error("", e))
}

fn check_name(err: &mut impl FnMut(String, String), at: &str, name: &str) {
    if name.trim().is_empty() {
        err(format!("{at}.name"), "is empty".into());
    } else if name.chars().count() > MAX_NAME_CHARS {
        err(
            format!("{at}.name"),
            format!("is longer than {MAX_NAME_CHARS} characters"),
        );
    } else if name.chars().any(char::is_control) {
        err(format!("{at}.name"), "contains control characters".into());
    }
}

/// serde_json appends " at line L column C"; the path already says where.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LevelInfo, XLevel};

    pub(crate) fn sample() -> Catalog {
        Catalog {
            format: FORMAT,
            version: "v1".into(),
            source: "test".into(),
            synthetic: false,
            total_in_system: Some(447),
            orgs: vec![EvaluationOrg {
                id: "o1".into(),
                name: "工业和信息化部教育与考试中心".into(),
                aliases: vec![],
                pinyin: "gong ye he xin xi hua bu jiao yu yu kao shi zhong xin".into(),
                url: None,
            }],
            certificates: vec![Certificate {
                id: "c1".into(),
                name: "Web前端开发职业技能等级证书".into(),
                org_id: "o1".into(),
                batch: Some(1),
                field: None,
                levels: vec![
                    LevelInfo::new(XLevel::Primary),
                    LevelInfo::new(XLevel::Advanced),
                ],
                pinyin: "web qian duan kai fa zhi ye ji neng deng ji zheng shu".into(),
                description: None,
            }],
        }
    }

    #[test]
    fn a_good_document_round_trips() {
        let c = sample();
        assert_eq!(Catalog::parse(&c.to_json()).unwrap(), c);
    }

    #[test]
    fn malformed_json_reports_path_and_position() {
        let json = sample().to_json().replace("\"advanced\"", "\"expert\"");
        let e = Catalog::parse(&json).unwrap_err();
        assert_eq!(e.0.len(), 1);
        #[cfg(feature = "error-paths")]
        assert!(
            e.0[0].path.starts_with("certificates[0].levels[1].level"),
            "{}",
            e.0[0].path
        );
        assert!(e.0[0].path.contains("line 1 column"), "{}", e.0[0].path);
        assert!(
            e.0[0].message.contains("unknown variant `expert`"),
            "{}",
            e.0[0].message
        );

        let e = Catalog::parse("{\"format\": 1,").unwrap_err();
        assert!(e.0[0].path.contains("line 1"), "{}", e);
        let e = Catalog::parse("").unwrap_err();
        assert_eq!(e.0.len(), 1);
    }

    #[test]
    fn every_semantic_problem_is_reported_at_once() {
        let mut c = sample();
        let mut dup = c.certificates[0].clone();
        dup.org_id = "nobody".into();
        dup.batch = Some(7);
        dup.levels = vec![
            LevelInfo::new(XLevel::Advanced),
            LevelInfo::new(XLevel::Advanced),
        ];
        dup.pinyin = "web".into();
        c.certificates.push(dup);
        c.format = 9;
        let errs = c.validate().unwrap_err().0;
        let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        for want in [
            "format",
            "certificates[1].id",
            "certificates[1].name",
            "certificates[1].org_id",
            "certificates[1].batch",
            "certificates[1].levels[1]",
            "certificates[1].pinyin",
        ] {
            assert!(paths.contains(&want), "missing {want} in {paths:?}");
        }
        assert!(
            errs.iter()
                .any(|e| e.message.contains("repeats certificates[0]"))
        );
        let shown = CatalogErrors(errs).to_string();
        assert!(
            shown.starts_with("catalog rejected (7 problems)"),
            "{shown}"
        );
    }

    #[test]
    fn names_must_be_present_and_sane() {
        let mut c = sample();
        c.certificates[0].name = " ".into();
        c.certificates[0].pinyin = String::new();
        c.orgs[0].name = "x".repeat(201);
        c.orgs[0].pinyin = "x".repeat(201);
        let errs = c.validate().unwrap_err().0;
        assert!(
            errs.iter()
                .any(|e| e.path == "certificates[0].name" && e.message == "is empty")
        );
        assert!(
            errs.iter()
                .any(|e| e.path == "orgs[0].name" && e.message.contains("longer"))
        );
    }

    #[test]
    fn links_are_https_only_and_round_trip() {
        let mut c = sample();
        c.orgs[0].url = Some("https://www.example.org.cn/".into());
        c.certificates[0].levels[1].standard_url =
            Some("https://standards.example.org/1?level=3#top".into());
        assert_eq!(Catalog::parse(&c.to_json()).unwrap(), c);
        // Without links the document is byte-identical to one written before they existed.
        let json = sample().to_json();
        assert!(!json.contains("url"), "{json}");

        for (bad, why) in [
            ("http://example.org", "https://"),
            ("javascript:alert(1)", "https://"),
            ("https://", "host"),
            ("https:///path", "host"),
            ("https://exa mple.org", "spaces"),
            ("https://example.org/\u{7}", "control"),
            ("https://example.org/a\nb", "control"),
        ] {
            assert!(check_url(bad).unwrap_err().contains(why), "{bad:?}");
        }
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_CHARS));
        assert!(check_url(&long).unwrap_err().contains("longer"));
        let exact = format!("https://e.org/{}", "a".repeat(MAX_URL_CHARS - 14));
        assert_eq!(exact.chars().count(), MAX_URL_CHARS);
        assert_eq!(check_url(&exact), Ok(()));

        c.orgs[0].url = Some("ftp://example.org".into());
        c.certificates[0].levels[0].standard_url = Some("https://a b".into());
        let errs = c.validate().unwrap_err().0;
        let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["orgs[0].url", "certificates[0].levels[0].standard_url"]
        );
    }

    #[test]
    fn filter_menus_list_distinct_values() {
        let mut c = sample();
        let mut b = c.certificates[0].clone();
        b.id = "c2".into();
        b.name = "物流管理职业技能等级证书".into();
        b.pinyin = "wu liu guan li zhi ye ji neng deng ji zheng shu".into();
        b.batch = Some(1);
        b.field = Some("物流".into());
        c.certificates.push(b);
        assert_eq!(c.batches(), vec![1]);
        assert_eq!(c.fields(), vec!["物流"]);
        assert!(c.certificate("c2").is_some() && c.org("o1").is_some() && c.org("o2").is_none());
    }
}
