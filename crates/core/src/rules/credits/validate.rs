//! Checks a credit table before it is used: every problem at once, each with its path.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::{Course, CreditRuleError, Credits, SchoolCreditPolicy};
use crate::model::XLevel;

pub(super) fn validate_policy(errs: &mut Vec<CreditRuleError>, at: &str, p: &SchoolCreditPolicy) {
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
        let distinct: BTreeSet<&str> = group.iter().map(String::as_str).collect();
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
