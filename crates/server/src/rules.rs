//! Rule documents the server keeps versioned in `rule_sets` and serves at `/api/v1/rules/<kind>`.
//!
//! Each kind is a core type implementing [`RuleDocument`]; [`kinds`] lists them for seeding and
//! imports. Adding a kind is: implement [`RuleDocument`] for the core type, add it to [`kinds`],
//! route `/api/v1/rules/<kind>` to [`crate::api::rules::get_rules`]`::<Type>` (grades has its own
//! handler, for `?province=`), with its endpoint in `kaozheng_api::endpoints`.

use chrono::{DateTime, Utc};
use kaozheng_api::import::Rejection;
use kaozheng_core::Catalog;
use kaozheng_core::rules::{
    CreditRuleError, CreditRules, EligibilityRules, FeeRules, GradeRules, GraduationRules,
};
use sqlx::AnyConnection;

use crate::db::rules::{self as store, StoredRules};
use crate::db::{DbError, DbResult};

/// `origin` of a document shipped with the binary: a newer binary's replaces it.
pub const ORIGIN_EMBEDDED: &str = "embedded";
/// `origin` of a document an administrator imported: kept until the next import.
pub const ORIGIN_ADMIN: &str = "admin";

/// What the server adds to core's rule documents: the copy shipped with the binary and the check
/// against the stored catalog.
pub trait RuleDocument: kaozheng_core::rules::RuleDocument {
    /// The document shipped with the binary (`data/rules/<kind>.json`).
    const SHIPPED: &'static str;
    /// What does not fit the stored catalog (`None`: none is stored), each problem with the row
    /// and field it is about. Run on imports only: the shipped documents name the built-in
    /// catalog's certificates, which a school's own catalog need not have.
    fn catalog_problems(&self, _catalog: Option<&Catalog>) -> Vec<Rejection> {
        Vec::new()
    }
}

impl RuleDocument for FeeRules {
    const SHIPPED: &'static str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/rules/fees.json"
    ));
}

impl RuleDocument for EligibilityRules {
    const SHIPPED: &'static str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/rules/eligibility.json"
    ));
}

impl RuleDocument for GradeRules {
    const SHIPPED: &'static str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/rules/grades.json"
    ));
}

impl RuleDocument for CreditRules {
    const SHIPPED: &'static str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/rules/credits.json"
    ));

    /// Every certificate a table names must be in the catalog at a level it offers; each problem
    /// is reported on its school's row (the position in `schools`, from 1).
    fn catalog_problems(&self, catalog: Option<&Catalog>) -> Vec<Rejection> {
        let Some(catalog) = catalog else {
            return vec![Rejection {
                row: 0,
                field: None,
                reason: "no catalog is stored to check the certificates against; import the \
                         catalog first"
                    .into(),
            }];
        };
        match self.check_catalog(catalog) {
            Ok(()) => Vec::new(),
            Err(errs) => errs
                .iter()
                .map(|e| {
                    let path = credit_error_path(e);
                    Rejection {
                        row: school_row(path),
                        field: Some(path.to_string()),
                        reason: e.to_string(),
                    }
                })
                .collect(),
        }
    }
}

impl RuleDocument for GraduationRules {
    const SHIPPED: &'static str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/rules/graduation.json"
    ));
}

fn credit_error_path(e: &CreditRuleError) -> &str {
    match e {
        CreditRuleError::Empty { path }
        | CreditRuleError::Repeated { path, .. }
        | CreditRuleError::NotPositive { path }
        | CreditRuleError::Percent { path, .. }
        | CreditRuleError::CourseOverCap { path, .. }
        | CreditRuleError::CourseMismatch { path, .. }
        | CreditRuleError::NeverApplies { path, .. }
        | CreditRuleError::GroupTooSmall { path }
        | CreditRuleError::InSeveralGroups { path, .. }
        | CreditRuleError::NoCitation { path }
        | CreditRuleError::UnknownCertificate { path, .. }
        | CreditRuleError::LevelNotOffered { path, .. } => path,
    }
}

/// `schools[2].conversions[0]…` is about the third school: row 3; any other path is the document.
fn school_row(path: &str) -> usize {
    path.strip_prefix("schools[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|i| i.parse::<usize>().ok())
        .map_or(0, |i| i + 1)
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
    /// [`RuleDocument::catalog_problems`] of a parsed document's body.
    pub catalog_problems: fn(&str, Option<&Catalog>) -> Vec<Rejection>,
}

impl RuleKind {
    pub fn of<T: RuleDocument>() -> RuleKind {
        RuleKind {
            name: T::KIND,
            shipped: T::SHIPPED,
            parse: parse::<T>,
            catalog_problems: catalog_problems::<T>,
        }
    }
}

/// Every kind the server knows.
pub fn kinds() -> Vec<RuleKind> {
    vec![
        RuleKind::of::<FeeRules>(),
        RuleKind::of::<GradeRules>(),
        RuleKind::of::<CreditRules>(),
        RuleKind::of::<GraduationRules>(),
        RuleKind::of::<EligibilityRules>(),
    ]
}

fn catalog_problems<T: RuleDocument>(body: &str, catalog: Option<&Catalog>) -> Vec<Rejection> {
    match serde_json::from_str::<T>(body) {
        Ok(doc) => doc.catalog_problems(catalog),
        Err(e) => vec![Rejection {
            row: 0,
            field: None,
            reason: e.to_string(),
        }],
    }
}

pub fn kind(name: &str) -> Option<RuleKind> {
    kinds().into_iter().find(|k| k.name == name)
}

/// Parses and validates a document of kind `T`. Every problem starts with the path it is about
/// (`policies[0].province: empty`), a shape error too, so an import report can name the field.
pub fn parse<T: RuleDocument>(json: &str) -> Result<ParsedRules, Vec<String>> {
    let de = &mut serde_json::Deserializer::from_str(json);
    let mut doc: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        vec![if path == "." {
            inner.to_string()
        } else {
            format!("{path}: {inner}")
        }]
    })?;
    doc.normalize();
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
    /// An administrator's document this server cannot read (written for an earlier shape of the
    /// kind) was set aside for the shipped one; it stays stored under its version.
    SetAside {
        kind: String,
        from: String,
        to: String,
        why: String,
    },
}

/// Stores the shipped document of every kind when the database has none, or has an older shipped
/// one; a document an administrator imported stays, unless this server can no longer read it (an
/// earlier shape of the kind): then registrations would fail on every request, so the shipped
/// document is used and the administrator's stays stored under its version, reported at start.
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
        let unreadable = current
            .as_ref()
            .filter(|c| c.origin != ORIGIN_EMBEDDED)
            .and_then(|c| (k.parse)(&c.body).err());
        let seeded = match current {
            Some(c) if unreadable.is_some() => {
                store::store(conn, &doc, now.timestamp()).await?;
                RuleSeed::SetAside {
                    kind: k.name.into(),
                    from: c.version,
                    to: doc.version,
                    why: unreadable.unwrap_or_default().join("; "),
                }
            }
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
    use kaozheng_core::rules::RuleDocument as _;

    use super::*;

    #[test]
    fn the_shipped_documents_are_valid_and_canonical() {
        for k in kinds() {
            let parsed = (k.parse)(k.shipped).unwrap_or_else(|e| panic!("{}: {e:?}", k.name));
            assert!(!parsed.version.is_empty());
            // Parsing the canonical text again gives the same text.
            assert_eq!((k.parse)(&parsed.body).unwrap(), parsed);
        }
        for name in ["fees", "grades", "credits", "graduation"] {
            assert_eq!(kind(name).map(|k| k.name), Some(name));
        }
        assert!(kind("nope").is_none());
    }

    #[test]
    fn credit_tables_are_checked_against_the_catalog_row_by_row() {
        let mut doc: CreditRules = serde_json::from_str(CreditRules::SHIPPED).unwrap();
        let catalog = crate::seed::default_catalog().unwrap();
        assert_eq!(doc.catalog_problems(Some(&catalog)), Vec::new());
        doc.schools.push(doc.schools[0].clone());
        doc.schools[1].school = "另一所示例学校".into();
        doc.schools[1].conversions[0].certificate_id = "no-such-certificate".into();
        let problems = doc.catalog_problems(Some(&catalog));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].row, 2);
        assert_eq!(
            problems[0].field.as_deref(),
            Some("schools[1].conversions[0].certificate_id")
        );
        assert!(problems[0].reason.contains("no-such-certificate"));
        assert_eq!(doc.catalog_problems(None)[0].row, 0);
        assert_eq!(school_row("version"), 0);
        assert_eq!(school_row("schools[11].caps"), 12);
    }

    #[test]
    fn grade_and_credit_documents_report_what_validate_finds() {
        let mut grades: GradeRules = serde_json::from_str(GradeRules::SHIPPED).unwrap();
        assert!(grades.problems().is_empty());
        grades.version = " ".into();
        grades.rule_sets[0].citations.clear();
        let problems = grades.problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.starts_with("version")));
        let mut credits: CreditRules = serde_json::from_str(CreditRules::SHIPPED).unwrap();
        assert!(credits.problems().is_empty());
        credits.schools[0].caps.total_share_percent = 0;
        let problems = credits.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("total_share_percent"), "{problems:?}");
        assert!(parse::<CreditRules>(&serde_json::to_string(&credits).unwrap()).is_err());
    }

    #[test]
    fn graduation_documents_report_what_validate_finds() {
        let mut doc: GraduationRules = serde_json::from_str(GraduationRules::SHIPPED).unwrap();
        assert!(doc.problems().is_empty());
        doc.schools[1].school = doc.schools[0].school.clone();
        doc.schools[0].required_count = 30;
        let problems = doc.problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(parse::<GraduationRules>(&serde_json::to_string(&doc).unwrap()).is_err());
    }

    #[test]
    fn invalid_documents_list_their_problems() {
        let errs = parse::<FeeRules>(r#"{"version": "", "policies": []}"#).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        let errs = parse::<FeeRules>("{").unwrap_err();
        assert_eq!(errs.len(), 1);
    }
}
