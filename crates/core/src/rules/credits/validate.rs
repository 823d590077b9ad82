//! Checks a credit table before use, and the errors they report: every problem, with its path.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::{Course, CourseCategory, CreditRules, Credits, SchoolCreditPolicy};
use crate::catalog::Catalog;
use crate::model::XLevel;

/// A problem that makes a credit table unusable, with the path of the offending field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditRuleError {
    #[error("{path}: empty")]
    Empty { path: String },
    #[error("{path}: {id:?} is used more than once")]
    Repeated { path: String, id: String },
    #[error("{path}: must be more than 0")]
    NotPositive { path: String },
    #[error("{path}: a share of the graduation credits is 1–100 %, got {value}")]
    Percent { path: String, value: u8 },
    #[error(
        "{path}: {credits} credits exceed the {cap}-credit cap per certificate, so it can never convert"
    )]
    CourseOverCap {
        path: String,
        credits: Credits,
        cap: Credits,
    },
    #[error("{path}: course {code:?} differs from its definition at {first}")]
    CourseMismatch {
        path: String,
        code: String,
        first: String,
    },
    #[error(
        "{path}: no level from {min_level:?} up may convert a {category:?} course, so the rule never applies"
    )]
    NeverApplies {
        path: String,
        min_level: XLevel,
        category: CourseCategory,
    },
    #[error("{path}: a group of similar certificates needs at least two")]
    GroupTooSmall { path: String },
    #[error("{path}: {id:?} is already in another group of similar certificates")]
    InSeveralGroups { path: String, id: String },
    #[error("{path}: a rule needs its source")]
    NoCitation { path: String },
    #[error("{path}: certificate {id:?} is not in the catalog")]
    UnknownCertificate { path: String, id: String },
    #[error("{path}: certificate {id:?} is not offered at {level:?} level or above")]
    LevelNotOffered {
        path: String,
        id: String,
        level: XLevel,
    },
}

impl CreditRules {
    /// Every problem at once: ids, caps, courses defined two ways, rules that can never apply,
    /// malformed similar groups, missing sources.
    pub fn validate(&self) -> Result<(), Vec<CreditRuleError>> {
        let mut errs = Vec::new();
        if self.version.trim().is_empty() {
            errs.push(CreditRuleError::Empty {
                path: "version".into(),
            });
        }
        let mut keys = HashSet::new();
        for (i, p) in self.schools.iter().enumerate() {
            let at = format!("schools[{i}]");
            if p.school.trim().is_empty() {
                errs.push(CreditRuleError::Empty {
                    path: format!("{at}.school"),
                });
            } else if !keys.insert((p.school.trim(), p.major.as_deref())) {
                errs.push(CreditRuleError::Repeated {
                    path: format!("{at}.school"),
                    id: match &p.major {
                        Some(m) => format!("{} / {m}", p.school),
                        None => p.school.clone(),
                    },
                });
            }
            validate_policy(&mut errs, &at, p);
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }

    /// Every certificate named must exist in `catalog`, at a level it offers where the catalog lists
    /// levels (a certificate listed without levels is taken as offering any).
    pub fn check_catalog(&self, catalog: &Catalog) -> Result<(), Vec<CreditRuleError>> {
        let mut errs = Vec::new();
        for (i, p) in self.schools.iter().enumerate() {
            let mut check = |path: String, id: &str, level: Option<(XLevel, bool)>| {
                let Some(cert) = catalog.certificate(id) else {
                    errs.push(CreditRuleError::UnknownCertificate {
                        path,
                        id: id.into(),
                    });
                    return;
                };
                if let Some((level, or_above)) = level {
                    let offered = cert.levels.is_empty()
                        || cert
                            .levels
                            .iter()
                            .any(|l| l.level == level || (or_above && l.level > level));
                    if !offered {
                        errs.push(CreditRuleError::LevelNotOffered {
                            path,
                            id: id.into(),
                            level,
                        });
                    }
                }
            };
            for (r, rule) in p.conversions.iter().enumerate() {
                check(
                    format!("schools[{i}].conversions[{r}].certificate_id"),
                    &rule.certificate_id,
                    Some((rule.min_level, true)),
                );
            }
            for (r, rule) in p.exemptions.iter().enumerate() {
                check(
                    format!("schools[{i}].exemptions[{r}].certificate_id"),
                    &rule.certificate_id,
                    Some((rule.level, false)),
                );
            }
            for (g, group) in p.similar_groups.iter().enumerate() {
                for (k, id) in group.iter().enumerate() {
                    check(format!("schools[{i}].similar_groups[{g}][{k}]"), id, None);
                }
            }
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}

fn validate_policy(errs: &mut Vec<CreditRuleError>, at: &str, p: &SchoolCreditPolicy) {
    let empty = |path: String| CreditRuleError::Empty { path };
    if p.major.as_deref().is_some_and(|m| m.trim().is_empty()) {
        errs.push(empty(format!("{at}.major")));
    }
    if p.graduation_credits == Credits::ZERO {
        errs.push(CreditRuleError::NotPositive {
            path: format!("{at}.graduation_credits"),
        });
    }
    let cap = p.caps.max_credits_per_certificate;
    if cap == Credits::ZERO {
        errs.push(CreditRuleError::NotPositive {
            path: format!("{at}.caps.max_credits_per_certificate"),
        });
    }
    let share = p.caps.total_share_percent;
    if !(1..=100).contains(&share) {
        errs.push(CreditRuleError::Percent {
            path: format!("{at}.caps.total_share_percent"),
            value: share,
        });
    }
    let mut levels = HashSet::new();
    for (l, scope) in p.levels.iter().enumerate() {
        if !levels.insert(scope.level) {
            errs.push(CreditRuleError::Repeated {
                path: format!("{at}.levels[{l}].level"),
                id: scope.level.as_str().into(),
            });
        }
    }
    let mut ids = HashSet::new();
    let mut courses: HashMap<&str, (String, &Course)> = HashMap::new();
    let mut cert_courses = HashSet::new();
    for (r, rule) in p.conversions.iter().enumerate() {
        let at = format!("{at}.conversions[{r}]");
        check_id(errs, &mut ids, format!("{at}.id"), &rule.id);
        if rule.certificate_id.trim().is_empty() {
            errs.push(empty(format!("{at}.certificate_id")));
        }
        let c = &rule.course;
        if c.code.trim().is_empty() {
            errs.push(empty(format!("{at}.course.code")));
        }
        if c.name.trim().is_empty() {
            errs.push(empty(format!("{at}.course.name")));
        }
        if c.credits == Credits::ZERO {
            errs.push(CreditRuleError::NotPositive {
                path: format!("{at}.course.credits"),
            });
        } else if cap > Credits::ZERO && c.credits > cap {
            errs.push(CreditRuleError::CourseOverCap {
                path: format!("{at}.course.credits"),
                credits: c.credits,
                cap,
            });
        }
        match courses.get(c.code.as_str()) {
            Some((first, seen)) if *seen != c => errs.push(CreditRuleError::CourseMismatch {
                path: format!("{at}.course"),
                code: c.code.clone(),
                first: first.clone(),
            }),
            Some(_) => {}
            None => {
                courses.insert(&c.code, (format!("{at}.course"), c));
            }
        }
        if !cert_courses.insert((rule.certificate_id.as_str(), c.code.as_str())) {
            errs.push(CreditRuleError::Repeated {
                path: format!("{at}.course.code"),
                id: format!("{} / {}", rule.certificate_id, c.code),
            });
        }
        let applies = XLevel::ALL
            .into_iter()
            .any(|l| l >= rule.min_level && p.allows(l, c.category));
        if !applies {
            errs.push(CreditRuleError::NeverApplies {
                path: at,
                min_level: rule.min_level,
                category: c.category,
            });
        }
    }
    for (r, rule) in p.exemptions.iter().enumerate() {
        let at = format!("{at}.exemptions[{r}]");
        check_id(errs, &mut ids, format!("{at}.id"), &rule.id);
        for (field, text) in [
            ("course_code", &rule.course_code),
            ("course_name", &rule.course_name),
            ("certificate_id", &rule.certificate_id),
        ] {
            if text.trim().is_empty() {
                errs.push(empty(format!("{at}.{field}")));
            }
        }
        if let Some((first, course)) = courses.get(rule.course_code.as_str())
            && course.name != rule.course_name
        {
            errs.push(CreditRuleError::CourseMismatch {
                path: format!("{at}.course_name"),
                code: rule.course_code.clone(),
                first: first.clone(),
            });
        }
    }
    let mut grouped = HashSet::new();
    for (g, group) in p.similar_groups.iter().enumerate() {
        let at = format!("{at}.similar_groups[{g}]");
        let mut distinct = BTreeSet::new();
        distinct.extend(group.iter().map(String::as_str));
        if distinct.len() < 2 {
            errs.push(CreditRuleError::GroupTooSmall { path: at.clone() });
        }
        let mut in_this = HashSet::new();
        for (k, id) in group.iter().enumerate() {
            if !in_this.insert(id.as_str()) {
                errs.push(CreditRuleError::Repeated {
                    path: format!("{at}[{k}]"),
                    id: id.clone(),
                });
            } else if !grouped.insert(id.as_str()) {
                errs.push(CreditRuleError::InSeveralGroups {
                    path: format!("{at}[{k}]"),
                    id: id.clone(),
                });
            }
        }
    }
    if p.citations.is_empty() {
        errs.push(CreditRuleError::NoCitation {
            path: format!("{at}.citations"),
        });
    }
    for (c, cite) in p.citations.iter().enumerate() {
        for (field, text) in [
            ("title", &cite.title),
            ("issuer", &cite.issuer),
            ("quote", &cite.quote),
        ] {
            if text.trim().is_empty() {
                errs.push(CreditRuleError::NoCitation {
                    path: format!("{at}.citations[{c}].{field}"),
                });
            }
        }
    }
}

fn check_id<'a>(
    errs: &mut Vec<CreditRuleError>,
    seen: &mut HashSet<&'a str>,
    path: String,
    id: &'a str,
) {
    if id.trim().is_empty() {
        errs.push(CreditRuleError::Empty { path });
    } else if !seen.insert(id) {
        errs.push(CreditRuleError::Repeated {
            path,
            id: id.into(),
        });
    }
}
