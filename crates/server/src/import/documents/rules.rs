//! Rule documents (fees, grades, credits, graduation, eligibility) as whole documents: JSON, or
//! CSV for fees with one row per citation.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use kaozheng_core::hash::content_version;
use kaozheng_core::rules::{Citation, FeePolicy, FeeRule, FeeRules, Scope};
use serde::Deserialize;

use sqlx::AnyConnection;

use super::super::read::{self, Columns, Parsed, de};
use super::super::{Ctx, Format, ImportReport, Importer, Kind, Rejection};
use crate::db::{self, DbResult};
use crate::rules::{self, ORIGIN_ADMIN, ParsedRules, RuleKind};

pub const FEES_COLUMNS: Columns = Columns {
    required: &[
        "id",
        "effective_from",
        "rule",
        "citation_title",
        "citation_issuer",
        "citation_quote",
    ],
    optional: &[
        "version",
        "province",
        "school",
        "exams",
        "example",
        "citation_document_no",
        "citation_issued_on",
        "citation_url",
    ],
};

#[derive(Debug, Deserialize)]
struct FeeRow {
    #[serde(default, deserialize_with = "de::opt_text")]
    version: Option<String>,
    id: String,
    #[serde(default, deserialize_with = "de::opt_text")]
    province: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    school: Option<String>,
    #[serde(with = "kaozheng_core::time::date")]
    effective_from: NaiveDate,
    rule: String,
    #[serde(default, deserialize_with = "de::opt_text")]
    exams: Option<String>,
    #[serde(default, deserialize_with = "de::flag")]
    example: bool,
    citation_title: String,
    citation_issuer: String,
    #[serde(default, deserialize_with = "de::opt_text")]
    citation_document_no: Option<String>,
    #[serde(default, deserialize_with = "de::opt_date")]
    citation_issued_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "de::opt_text")]
    citation_url: Option<String>,
    citation_quote: String,
}

impl FeeRow {
    /// The policy a row states (without its citation), or the field that is wrong and why.
    fn policy(&self) -> Result<FeePolicy, (&'static str, String)> {
        let scope = match (&self.province, &self.school) {
            (Some(p), None) => Scope::Province(
                kaozheng_core::province::normalize(p)
                    .ok_or_else(|| {
                        (
                            "province",
                            format!(
                                "{p:?} is not one of the 31 provinces (e.g. 河南, 河南省 or Henan)"
                            ),
                        )
                    })?
                    .to_string(),
            ),
            (None, Some(s)) => Scope::School(s.clone()),
            _ => {
                return Err((
                    "province",
                    "give either province or school (whom the rule binds), not both".into(),
                ));
            }
        };
        let exams = match &self.exams {
            None => None,
            Some(n) => Some(n.parse::<u8>().ok().filter(|n| *n > 0).ok_or_else(|| {
                (
                    "exams",
                    format!("{n:?} is not a number of exams from 1 to 255"),
                )
            })?),
        };
        let rule = match (self.rule.trim(), exams) {
            ("in_school_not_charged", None) => FeeRule::InSchoolNotCharged,
            ("hardship_waiver", None) => FeeRule::HardshipWaiver,
            ("pilot_exam_covered", exams) => FeeRule::PilotExamCovered { exams },
            ("uniform_fee", None) => FeeRule::UniformFee,
            ("in_school_not_charged" | "hardship_waiver" | "uniform_fee", Some(_)) => {
                return Err(("exams", "only pilot_exam_covered counts exams".into()));
            }
            (other, _) => {
                return Err((
                    "rule",
                    format!(
                        "{other:?} is not a fee rule (in_school_not_charged, hardship_waiver, \
                         pilot_exam_covered, uniform_fee)"
                    ),
                ));
            }
        };
        Ok(FeePolicy {
            id: self.id.clone(),
            scope,
            effective_from: self.effective_from,
            example: self.example,
            rule,
            citations: Vec::new(),
        })
    }
}

/// Builds fee rules from CSV rows (one per citation); problems go to the report.
fn fees_from_csv(text: &str, report: &mut ImportReport) -> Option<FeeRules> {
    let rows = match read::csv_rows::<FeeRow>(text, &FEES_COLUMNS) {
        Ok(rows) => rows,
        Err(problems) => {
            report.rejected = problems;
            return None;
        }
    };
    let mut version: Option<(String, usize)> = None;
    let mut policies: BTreeMap<usize, FeePolicy> = BTreeMap::new();
    let mut first_row: HashMap<String, usize> = HashMap::new();
    for parsed in rows {
        let row = parsed.row;
        let r = match parsed.value {
            Ok(r) => r,
            Err(rej) => {
                report.rejected.push(rej);
                continue;
            }
        };
        for (field, value) in [
            ("citation_title", &r.citation_title),
            ("citation_issuer", &r.citation_issuer),
            ("citation_quote", &r.citation_quote),
        ] {
            read::check_text(report, row, field, value, 2000);
        }
        match (&version, &r.version) {
            (Some((v, first)), Some(this)) if v != this => report.reject(
                row,
                Some("version"),
                format!("differs from the version on row {first}"),
            ),
            (None, Some(this)) => version = Some((this.clone(), row)),
            _ => {}
        }
        let policy = match r.policy() {
            Ok(p) => p,
            Err((field, why)) => {
                report.reject(row, Some(field), why);
                continue;
            }
        };
        let citation = Citation {
            title: r.citation_title,
            issuer: r.citation_issuer,
            document_no: r.citation_document_no,
            issued_on: r.citation_issued_on,
            url: r.citation_url,
            quote: r.citation_quote,
            added: Vec::new(),
        };
        match first_row.get(&r.id).copied() {
            Some(first) => {
                let p = policies
                    .get_mut(&first)
                    .expect("recorded with its first row");
                // Compared without the citations gathered so far (and without copying them).
                let citations = std::mem::take(&mut p.citations);
                let same = *p == policy;
                p.citations = citations;
                if same {
                    p.citations.push(citation);
                } else {
                    report.reject(
                        row,
                        Some("id"),
                        format!("policy columns differ from row {first}"),
                    );
                }
            }
            None => {
                first_row.insert(r.id, row);
                let mut policy = policy;
                policy.citations.push(citation);
                policies.insert(row, policy);
            }
        }
    }
    if !report.ok() {
        return None;
    }
    Some(FeeRules {
        version: version.map_or_else(|| format!("csv-{}", content_version(text)), |(v, _)| v),
        policies: policies.into_values().collect(),
    })
}

/// The rule kind of a document: asked for, named in it, or told by its fields.
fn rules_kind(asked: Option<&str>, text: &str, format: Format) -> Option<String> {
    if let Some(k) = asked {
        return Some(k.to_string());
    }
    match format {
        Format::Json => {
            let v: serde_json::Value = serde_json::from_str(text).ok()?;
            if let Some(k) = v.get("kind").and_then(|k| k.as_str()) {
                return Some(k.to_string());
            }
            // Credit and graduation documents both list `schools`; a graduation policy says
            // how many certificates it requires.
            let graduation = v
                .get("schools")
                .and_then(|s| s.as_array())
                .is_some_and(|s| s.iter().any(|p| p.get("required_count").is_some()));
            if graduation {
                return Some("graduation".to_string());
            }
            [
                ("policies", "fees"),
                ("restrictions", "eligibility"),
                ("rule_sets", "grades"),
                ("schools", "credits"),
            ]
            .into_iter()
            .find(|(field, _)| v.get(field).is_some())
            .map(|(_, kind)| kind.to_string())
        }
        Format::Csv => {
            let header = text.lines().next()?;
            header
                .split(',')
                .any(|h| h.trim() == "citation_quote")
                .then(|| "fees".to_string())
        }
    }
}

/// `("policies[0].province", "empty")` from `policies[0].province: empty`; a problem that does not
/// start with a path (a JSON syntax error, which names its line) stays whole.
fn split_path(problem: &str) -> (Option<&str>, &str) {
    match problem.split_once(": ") {
        Some((path, reason))
            if !path.is_empty()
                && path.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'[' | b']')
                }) =>
        {
            (Some(path), reason)
        }
        _ => (None, problem),
    }
}

/// A rule document of any kind, stored as a new version and put in use.
pub struct RulesDocument;

impl Importer for RulesDocument {
    type Record = (RuleKind, ParsedRules);
    type Checked = (RuleKind, ParsedRules);
    const DOCUMENT: bool = true;

    fn read(
        &self,
        ctx: &Ctx<'_>,
        text: &str,
        format: Format,
    ) -> Result<Vec<Parsed<Self::Record>>, Vec<Rejection>> {
        let whole = |field: Option<&str>, reason: String| {
            vec![Rejection {
                row: 0,
                field: field.map(str::to_string),
                reason,
            }]
        };
        let Some(kind_name) = rules_kind(ctx.rules_kind.as_deref(), text, format) else {
            return Err(whole(
                Some("kind"),
                "cannot tell which rules these are: pass --kind (or ?kind=), or add \"kind\" to the document".into(),
            ));
        };
        let Some(kind) = rules::kind(&kind_name) else {
            let known: Vec<&str> = rules::kinds().iter().map(|k| k.name).collect();
            return Err(whole(
                Some("kind"),
                format!(
                    "unknown rule kind {kind_name:?}; known: {}",
                    known.join(", ")
                ),
            ));
        };
        let json = match format {
            Format::Json => text.to_string(),
            Format::Csv if kind.name == "fees" => {
                let mut problems = ImportReport::new(Kind::Rules);
                let doc = fees_from_csv(text, &mut problems).ok_or(problems.rejected)?;
                serde_json::to_string(&doc).expect("fee rules serialize")
            }
            Format::Csv => {
                return Err(whole(
                    None,
                    format!("{} rules are imported as JSON", kind.name),
                ));
            }
        };
        let parsed = (kind.parse)(&json).map_err(|problems| {
            problems
                .iter()
                .map(|p| {
                    let (field, reason) = split_path(p);
                    Rejection {
                        row: 0,
                        field: field.map(str::to_string),
                        reason: reason.to_string(),
                    }
                })
                .collect::<Vec<_>>()
        })?;
        Ok(vec![Parsed {
            row: 0,
            value: Ok((kind, parsed)),
        }])
    }

    async fn check(
        &mut self,
        _ctx: &Ctx<'_>,
        tx: &mut AnyConnection,
        _row: usize,
        (kind, parsed): Self::Record,
        report: &mut ImportReport,
    ) -> DbResult<Option<Self::Checked>> {
        let catalog = db::catalog::load_in(tx).await?;
        let mismatches = (kind.catalog_problems)(&parsed.body, catalog.as_ref());
        if !mismatches.is_empty() {
            report.rejected.extend(mismatches);
            return Ok(None);
        }
        if let Some(stored) = db::rules::get_version(&mut *tx, kind.name, &parsed.version).await?
            && stored.body != parsed.body
        {
            report.reject(
                0,
                Some("version"),
                format!(
                    "version {:?} is already stored with other content; give the document a new version",
                    parsed.version
                ),
            );
        }
        Ok(Some((kind, parsed)))
    }

    async fn apply(
        &mut self,
        ctx: &Ctx<'_>,
        tx: &mut AnyConnection,
        checked: Vec<Self::Checked>,
        report: &mut ImportReport,
    ) -> DbResult<()> {
        for (kind, parsed) in checked {
            // The version in use, stored with this very content (`check` refused other content).
            let current = db::rules::current(tx, kind.name).await?;
            if current.is_some_and(|c| c.version == parsed.version) {
                report.count(false);
                continue;
            }
            db::rules::store(
                tx,
                &db::rules::StoredRules {
                    kind: kind.name.to_string(),
                    version: parsed.version,
                    body: parsed.body,
                    origin: ORIGIN_ADMIN.to_string(),
                },
                ctx.now.timestamp(),
            )
            .await?;
            report.count(true);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Kind;
    #[test]
    fn rule_problems_name_their_path() {
        assert_eq!(
            split_path("policies[0].province: empty"),
            (Some("policies[0].province"), "empty")
        );
        assert_eq!(
            split_path("expected value at line 1 column 1"),
            (None, "expected value at line 1 column 1")
        );
        assert_eq!(
            split_path("a b: c"),
            (None, "a b: c"),
            "a sentence is not a path"
        );
        let errs = crate::rules::parse::<FeeRules>(
            r#"{"version": "v", "policies": [{"id": "p", "scope": {"province": 3}}]}"#,
        )
        .unwrap_err();
        assert!(
            errs[0].starts_with("policies[0].scope.province: "),
            "{errs:?}"
        );
    }

    #[test]
    fn csv_fee_rules_gather_citations_per_policy() {
        let text = "version,id,province,school,effective_from,rule,exams,citation_title,citation_issuer,citation_quote\n\
            v9,ha,河南省,,2022-01-05,in_school_not_charged,,文件一,河南省教育厅,不得收费\n\
            v9,ha,河南省,,2022-01-05,in_school_not_charged,,文件二,河南省教育厅,任何费用\n\
            v9,s,,某校,2023-01-01,pilot_exam_covered,2,文件三,某校,两次\n";
        let mut report = ImportReport::new(Kind::Rules);
        let rules = fees_from_csv(text, &mut report).unwrap();
        assert_eq!(rules.version, "v9");
        assert_eq!(rules.policies.len(), 2);
        assert_eq!(rules.policies[0].citations.len(), 2);
        assert_eq!(rules.policies[0].scope, Scope::Province("河南".into()));
        assert_eq!(rules.policies[0].rule, FeeRule::InSchoolNotCharged);
        assert_eq!(
            rules.policies[1].rule,
            FeeRule::PilotExamCovered { exams: Some(2) }
        );
        // Each row says whom it binds and what it says, or the row is refused with the field.
        let bad = "id,province,school,effective_from,rule,exams,citation_title,citation_issuer,citation_quote\n\
            a,火星,,2022-01-05,uniform_fee,,t,i,q\n\
            b,河南,某校,2022-01-05,uniform_fee,,t,i,q\n\
            c,河南,,2022-01-05,free_for_all,,t,i,q\n\
            d,河南,,2022-01-05,hardship_waiver,1,t,i,q\n\
            e,河南,,2022-01-05,pilot_exam_covered,0,t,i,q\n";
        let mut report = ImportReport::new(Kind::Rules);
        assert!(fees_from_csv(bad, &mut report).is_none());
        let fields: Vec<_> = report
            .rejected
            .iter()
            .map(|r| (r.row, r.field.as_deref()))
            .collect();
        assert_eq!(
            fields,
            vec![
                (2, Some("province")),
                (3, Some("province")),
                (4, Some("rule")),
                (5, Some("exams")),
                (6, Some("exams"))
            ]
        );
        assert_eq!(rules_kind(None, text, Format::Csv).as_deref(), Some("fees"));
        assert_eq!(
            rules_kind(None, r#"{"kind": "grades"}"#, Format::Json).as_deref(),
            Some("grades")
        );
        assert_eq!(rules_kind(None, "{}", Format::Json), None);
        for (doc, kind) in [
            (r#"{"version": "1", "rule_sets": []}"#, "grades"),
            (r#"{"version": "1", "schools": []}"#, "credits"),
            (
                r#"{"version": "1", "schools": [{"school": "s", "required_count": 1}]}"#,
                "graduation",
            ),
            (r#"{"version": "1", "policies": []}"#, "fees"),
        ] {
            assert_eq!(rules_kind(None, doc, Format::Json).as_deref(), Some(kind));
            assert_eq!(
                rules_kind(Some("fees"), doc, Format::Json).as_deref(),
                Some("fees"),
                "--kind wins"
            );
        }
    }
}
