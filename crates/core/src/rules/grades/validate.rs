//! Checks that make grade rules usable, each problem with the path of the offending field.

use super::*;

/// A problem that makes grade rules unusable, with the path of the offending field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GradeRuleError {
    #[error("{path}: empty")]
    Empty { path: String },
    #[error("{path}: {id:?} is used more than once")]
    Repeated { path: String, id: String },
    #[error(
        "{path}: grade rules are per province and no national rule is known, so `*` is not allowed"
    )]
    Wildcard { path: String },
    #[error("{path}: {name:?} is not one of the 31 provinces (e.g. 河南, 河南省 or Henan)")]
    UnknownProvince { path: String, name: String },
    #[error("{path}: {effective_from} is before its notice was issued ({issued_by})")]
    BeforeNotice {
        path: String,
        effective_from: String,
        issued_by: String,
    },
    #[error("{path}: another rule set for {province} also starts on {effective_from}")]
    SameStart {
        path: String,
        province: String,
        effective_from: String,
    },
    #[error("{path}: a rule needs its source")]
    NoCitation { path: String },
    #[error("{path}: direct recognition must name the 1+X levels it recognises")]
    NoLevels { path: String },
    #[error("{path}: covers the same students as rule {other:?} on the same route")]
    Overlap { path: String, other: String },
}

impl GradeRules {
    /// Every problem at once: empty or repeated ids, missing sources, a `*` province, two sets of a
    /// province starting the same day, direct recognition without levels, overlapping rules, and
    /// general conditions without text or source.
    pub fn validate(&self) -> Result<(), Vec<GradeRuleError>> {
        let mut errs = Vec::new();
        if self.version.trim().is_empty() {
            errs.push(GradeRuleError::Empty {
                path: "version".into(),
            });
        }
        let mut set_ids = HashSet::new();
        let mut rule_ids = HashSet::new();
        let mut starts = HashSet::new();
        for (i, set) in self.rule_sets.iter().enumerate() {
            let at = format!("rule_sets[{i}]");
            check_id(&mut errs, &mut set_ids, format!("{at}.id"), &set.id);
            let province = set.province.trim();
            if province.is_empty() {
                errs.push(GradeRuleError::Empty {
                    path: format!("{at}.province"),
                });
            } else if province == "*" {
                errs.push(GradeRuleError::Wildcard {
                    path: format!("{at}.province"),
                });
            } else if crate::province::normalize(province) != Some(province) {
                errs.push(GradeRuleError::UnknownProvince {
                    path: format!("{at}.province"),
                    name: province.into(),
                });
            } else if !starts.insert((province, set.effective_from)) {
                errs.push(GradeRuleError::SameStart {
                    path: format!("{at}.effective_from"),
                    province: province.into(),
                    effective_from: time::date_text(set.effective_from),
                });
            }
            if set.citations.is_empty() {
                errs.push(GradeRuleError::NoCitation {
                    path: format!("{at}.citations"),
                });
            }
            for (c, cite) in set.citations.iter().enumerate() {
                check_citation(&mut errs, &format!("{at}.citations[{c}]"), cite);
                if let Some(by) = cite.issued_by()
                    && set.effective_from < by
                {
                    errs.push(GradeRuleError::BeforeNotice {
                        path: format!("{at}.effective_from"),
                        effective_from: time::date_text(set.effective_from),
                        issued_by: time::date_text(by),
                    });
                }
            }
            for (c, pre) in set.prerequisites.iter().enumerate() {
                let path = format!("{at}.prerequisites[{c}]");
                if pre.text.zh.trim().is_empty() || pre.text.en.trim().is_empty() {
                    errs.push(GradeRuleError::Empty {
                        path: format!("{path}.text"),
                    });
                }
                check_citation(&mut errs, &format!("{path}.citation"), &pre.citation);
            }
            if let Some(period) = &set.period {
                check_citation(
                    &mut errs,
                    &format!("{at}.period.citation"),
                    &period.citation,
                );
            }
            if set.rules.is_empty() {
                errs.push(GradeRuleError::Empty {
                    path: format!("{at}.rules"),
                });
            }
            for (r, rule) in set.rules.iter().enumerate() {
                let at = format!("{at}.rules[{r}]");
                check_id(&mut errs, &mut rule_ids, format!("{at}.id"), &rule.id);
                if rule.basis == GradeBasis::DirectRecognition && rule.x_levels.is_empty() {
                    errs.push(GradeRuleError::NoLevels {
                        path: format!("{at}.x_levels"),
                    });
                }
                if rule.certificate_ids.iter().any(|c| c.trim().is_empty()) {
                    errs.push(GradeRuleError::Empty {
                        path: format!("{at}.certificate_ids"),
                    });
                }
                if rule
                    .occupation
                    .as_deref()
                    .is_some_and(|o| o.trim().is_empty())
                {
                    errs.push(GradeRuleError::Empty {
                        path: format!("{at}.occupation"),
                    });
                }
                if let GradeOutcome::Described { text_zh, text_en } = &rule.outcome {
                    for (field, text) in [("text_zh", text_zh), ("text_en", text_en)] {
                        if text.trim().is_empty() {
                            errs.push(GradeRuleError::Empty {
                                path: format!("{at}.outcome.{field}"),
                            });
                        }
                    }
                }
                for (k, cond) in rule.conditions.iter().enumerate() {
                    check_bilingual(&mut errs, &format!("{at}.conditions[{k}]"), cond);
                }
                check_citation(&mut errs, &format!("{at}.citation"), &rule.citation);
                if let Some(other) = set.rules[..r].iter().find(|o| o.overlaps(rule)) {
                    errs.push(GradeRuleError::Overlap {
                        path: at.clone(),
                        other: other.id.clone(),
                    });
                }
            }
        }
        check_bilingual(&mut errs, "general.note", &self.general.note);
        let mut grades = HashSet::new();
        for (g, entry) in self.general.grades.iter().enumerate() {
            let at = format!("general.grades[{g}]");
            if !grades.insert(entry.grade) {
                errs.push(GradeRuleError::Repeated {
                    path: format!("{at}.grade"),
                    id: entry.grade.grade_zh().into(),
                });
            }
            if entry.conditions_zh.is_empty()
                || entry.conditions_zh.iter().any(|c| c.trim().is_empty())
            {
                errs.push(GradeRuleError::Empty {
                    path: format!("{at}.conditions_zh"),
                });
            }
            if entry.source.url.trim().is_empty() {
                errs.push(GradeRuleError::NoCitation {
                    path: format!("{at}.source.url"),
                });
            }
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}

fn check_id<'a>(
    errs: &mut Vec<GradeRuleError>,
    seen: &mut HashSet<&'a str>,
    path: String,
    id: &'a str,
) {
    if id.trim().is_empty() {
        errs.push(GradeRuleError::Empty { path });
    } else if !seen.insert(id) {
        errs.push(GradeRuleError::Repeated {
            path,
            id: id.into(),
        });
    }
}

fn check_citation(errs: &mut Vec<GradeRuleError>, at: &str, c: &Citation) {
    for (field, text) in [
        ("title", &c.title),
        ("issuer", &c.issuer),
        ("quote", &c.quote),
    ] {
        if text.trim().is_empty() {
            errs.push(GradeRuleError::NoCitation {
                path: format!("{at}.{field}"),
            });
        }
    }
}

fn check_bilingual(errs: &mut Vec<GradeRuleError>, at: &str, b: &Bilingual) {
    for (field, text) in [("zh", &b.zh), ("en", &b.en)] {
        if text.trim().is_empty() {
            errs.push(GradeRuleError::Empty {
                path: format!("{at}.{field}"),
            });
        }
    }
}
