//! Rule documents the server keeps versioned in `rule_sets` and serves at `/api/v1/rules/<kind>`.
//!
//! Each kind is a core type implementing [`RuleDocument`]; [`kinds`] lists them for seeding and
//! imports. Adding a kind is: implement [`RuleDocument`] for the core type, add it to [`kinds`],
//! route `/api/v1/rules/<kind>` to [`crate::api::rules::get_rules`]`::<Type>`, and document the path
//! in openapi.json.

use chrono::{DateTime, Utc};
use kaozheng_core::rules::FeeRules;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::AnyConnection;

use crate::db::rules::{self as store, StoredRules};
use crate::db::{DbError, DbResult};

/// `origin` of a document shipped with the binary: a newer binary's replaces it.
pub const ORIGIN_EMBEDDED: &str = "embedded";
/// `origin` of a document an administrator imported: kept until the next import.
pub const ORIGIN_ADMIN: &str = "admin";

/// A versioned rule document of core.
pub trait RuleDocument: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The kind's name in URLs, imports and the `rule_sets` table.
    const KIND: &'static str;
    /// The document shipped with the binary (`data/rules/<kind>.json`).
    const SHIPPED: &'static str;
    fn version(&self) -> &str;
    /// Everything that makes the document unusable; empty when it is valid.
    fn problems(&self) -> Vec<String>;
}

impl RuleDocument for FeeRules {
    const KIND: &'static str = "fees";
    const SHIPPED: &'static str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/rules/fees.json"
    ));

    fn version(&self) -> &str {
        &self.version
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.version.trim().is_empty() {
            out.push("version: empty".to_string());
        }
        if self.policies.is_empty() {
            out.push("policies: no policy".to_string());
        }
        if let Err(errs) = self.validate() {
            out.extend(errs);
        }
        out
    }
}

/// A document checked and reduced to what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRules {
    pub version: String,
    /// Canonical JSON: the same content always gives the same text.
    pub body: String,
}

/// A rule kind without its type, for imports by name.
#[derive(Clone, Copy)]
pub struct RuleKind {
    pub name: &'static str,
    pub shipped: &'static str,
    pub parse: fn(&str) -> Result<ParsedRules, Vec<String>>,
}

impl RuleKind {
    pub fn of<T: RuleDocument>() -> RuleKind {
        RuleKind {
            name: T::KIND,
            shipped: T::SHIPPED,
            parse: parse::<T>,
        }
    }
}

/// Every kind the server knows.
pub fn kinds() -> Vec<RuleKind> {
    vec![RuleKind::of::<FeeRules>()]
}

pub fn kind(name: &str) -> Option<RuleKind> {
    kinds().into_iter().find(|k| k.name == name)
}

/// Parses and validates a document of kind `T`.
pub fn parse<T: RuleDocument>(json: &str) -> Result<ParsedRules, Vec<String>> {
    let doc: T = serde_json::from_str(json).map_err(|e| vec![e.to_string()])?;
    let problems = doc.problems();
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ParsedRules {
        version: doc.version().to_string(),
        body: serde_json::to_string(&doc).expect("a parsed document serializes"),
    })
}

/// The document of kind `T` in use.
pub async fn load<T: RuleDocument>(conn: &mut AnyConnection) -> DbResult<Option<T>> {
    match store::current(conn, T::KIND).await? {
        Some(stored) => serde_json::from_str(&stored.body)
            .map(Some)
            .map_err(|e| DbError::Corrupt(format!("stored {} rules: {e}", T::KIND))),
        None => Ok(None),
    }
}

/// What seeding did to one kind, for the start-up log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleSeed {
    Imported {
        kind: String,
        version: String,
    },
    Upgraded {
        kind: String,
        from: String,
        to: String,
    },
    Kept {
        kind: String,
        version: String,
    },
}

/// Stores the shipped document of every kind when the database has none, or has an older shipped
/// one; a document an administrator imported stays.
pub async fn seed(conn: &mut AnyConnection, now: DateTime<Utc>) -> DbResult<Vec<RuleSeed>> {
    let mut out = Vec::new();
    for k in kinds() {
        let shipped = (k.parse)(k.shipped).map_err(|e| {
            DbError::Corrupt(format!("the shipped {} rules are invalid: {e:?}", k.name))
        })?;
        let doc = StoredRules {
            kind: k.name.to_string(),
            version: shipped.version.clone(),
            body: shipped.body,
            origin: ORIGIN_EMBEDDED.to_string(),
        };
        let current = store::current(conn, k.name).await?;
        let seeded = match current {
            None => {
                store::store(conn, &doc, now.timestamp()).await?;
                RuleSeed::Imported {
                    kind: k.name.into(),
                    version: doc.version,
                }
            }
            Some(c) if c.version == doc.version || c.origin != ORIGIN_EMBEDDED => RuleSeed::Kept {
                kind: k.name.into(),
                version: c.version,
            },
            Some(c) => {
                store::store(conn, &doc, now.timestamp()).await?;
                RuleSeed::Upgraded {
                    kind: k.name.into(),
                    from: c.version,
                    to: doc.version,
                }
            }
        };
        out.push(seeded);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_documents_are_valid_and_canonical() {
        for k in kinds() {
            let parsed = (k.parse)(k.shipped).unwrap_or_else(|e| panic!("{}: {e:?}", k.name));
            assert!(!parsed.version.is_empty());
            // Parsing the canonical text again gives the same text.
            assert_eq!((k.parse)(&parsed.body).unwrap(), parsed);
        }
        assert!(kind("fees").is_some());
        assert!(kind("nope").is_none());
    }

    #[test]
    fn invalid_documents_list_their_problems() {
        let errs = parse::<FeeRules>(r#"{"version": "", "policies": []}"#).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        let errs = parse::<FeeRules>("{").unwrap_err();
        assert_eq!(errs.len(), 1);
    }
}
