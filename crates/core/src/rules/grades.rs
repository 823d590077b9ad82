//! "What national skill grade does my 1+X level give me?" Provinces decide that, so the answer comes
//! from versioned, cited rule sets per province (`data/rules/grades.json`), never from a guess: where
//! no rule is known the answer says so and shows the national ladder and the general application
//! conditions instead.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Citation;
use crate::model::{SchoolLevel, SkillGrade, XLevel};
use crate::tagged::{need, unknown};
use crate::time;

mod validate;
pub use validate::GradeRuleError;

/// How a student obtains a skill grade: Henan's four ways (seed 001).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeBasis {
    /// 直接认定: the school recognises a grade for a 1+X certificate.
    DirectRecognition,
    /// 过程化考核: course exams and skill assessment are held together (课证融通).
    ProcessAssessment,
    /// 考试考核: a theory exam and a practical assessment after training.
    Exam,
    /// 竞赛取证: certificates for in-school competition results.
    Competition,
}

impl GradeBasis {
    pub const ALL: [GradeBasis; 4] = [
        GradeBasis::DirectRecognition,
        GradeBasis::ProcessAssessment,
        GradeBasis::Exam,
        GradeBasis::Competition,
    ];

    /// The JSON name (`"direct_recognition"` …), also used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            GradeBasis::DirectRecognition => "direct_recognition",
            GradeBasis::ProcessAssessment => "process_assessment",
            GradeBasis::Exam => "exam",
            GradeBasis::Competition => "competition",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|b| s == b.as_str() || s == b.zh())
    }

    pub fn zh(self) -> &'static str {
        match self {
            GradeBasis::DirectRecognition => "直接认定",
            GradeBasis::ProcessAssessment => "过程化考核",
            GradeBasis::Exam => "考试考核",
            GradeBasis::Competition => "竞赛取证",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            GradeBasis::DirectRecognition => "Direct recognition",
            GradeBasis::ProcessAssessment => "Process assessment",
            GradeBasis::Exam => "Exam",
            GradeBasis::Competition => "Competition",
        }
    }
}

/// A sentence for students in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    pub zh: String,
    pub en: String,
}

/// What a rule gives: a fixed grade, or a description where the rule fixes none (the exam route
/// leads to whichever grade was examined, so no grade can be computed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "GradeOutcomeWire")]
pub enum GradeOutcome {
    Grade { grade: SkillGrade },
    Described { text_zh: String, text_en: String },
}

/// [`GradeOutcome`] as JSON, read flat (see `crate::tagged`).
#[derive(Deserialize)]
struct GradeOutcomeWire {
    kind: String,
    grade: Option<SkillGrade>,
    text_zh: Option<String>,
    text_en: Option<String>,
}

impl TryFrom<GradeOutcomeWire> for GradeOutcome {
    type Error = String;

    fn try_from(w: GradeOutcomeWire) -> Result<GradeOutcome, String> {
        Ok(match w.kind.as_str() {
            "grade" => GradeOutcome::Grade {
                grade: need(w.grade, "grade")?,
            },
            "described" => GradeOutcome::Described {
                text_zh: need(w.text_zh, "text_zh")?,
                text_en: need(w.text_en, "text_en")?,
            },
            other => return Err(unknown(other, &["grade", "described"])),
        })
    }
}

/// One rule of a province: who it covers (route, 1+X levels, school levels, certificates) and what
/// it gives, with the sentence that says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeRule {
    /// Unique in the whole document; answers name it.
    pub id: String,
    pub basis: GradeBasis,
    /// 1+X levels covered; empty covers every level (routes that need no 1+X certificate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub x_levels: Vec<XLevel>,
    /// School levels covered; empty covers every school level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub school_levels: Vec<SchoolLevel>,
    /// Certificates covered; empty covers every 1+X certificate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificate_ids: Vec<String>,
    pub outcome: GradeOutcome,
    /// The occupation (职业/工种) recognised, when the rule names one. 1+X certificates do not map
    /// to an occupation by themselves: Henan leaves it to each school ("相应职业（工种）").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation: Option<String>,
    /// What the student must also meet, as the source states it.
    #[serde(default)]
    pub conditions: Vec<Bilingual>,
    pub citation: Citation,
}

impl GradeRule {
    /// Whether the rule speaks about this student and certificate. A rule limited to certain
    /// certificates does not cover an unnamed one.
    pub fn covers(
        &self,
        certificate_id: Option<&str>,
        level: XLevel,
        school_level: SchoolLevel,
    ) -> bool {
        (self.x_levels.is_empty() || self.x_levels.contains(&level))
            && (self.school_levels.is_empty() || self.school_levels.contains(&school_level))
            && (self.certificate_ids.is_empty()
                || certificate_id.is_some_and(|c| self.certificate_ids.iter().any(|r| r == c)))
    }

    /// Two rules of one route that could both answer the same question make the answer depend on
    /// their order, so [`GradeRules::validate`] rejects them.
    fn overlaps(&self, other: &GradeRule) -> bool {
        fn meet<T: PartialEq>(a: &[T], b: &[T]) -> bool {
            a.is_empty() || b.is_empty() || a.iter().any(|x| b.contains(x))
        }
        self.basis == other.basis
            && meet(&self.x_levels, &other.x_levels)
            && meet(&self.school_levels, &other.school_levels)
            && meet(&self.certificate_ids, &other.certificate_ids)
    }
}

/// A province's rules from one date on; a later set of the same province replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeRuleSet {
    pub id: String,
    /// As in exam plans and student profiles (`河南`).
    pub province: String,
    #[serde(with = "crate::time::date")]
    pub effective_from: NaiveDate,
    /// The notice as a whole: who it applies to, and where it comes from.
    pub citations: Vec<Citation>,
    /// What must be true before a school can recognise a grade under these rules (e.g. its own
    /// evaluation body filed with the human-resources department), each with its sentence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prerequisites: Vec<Prerequisite>,
    /// The period the notice plans for, when it sets one: after it the student is told to confirm
    /// with the school that the rule still applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<PlanPeriod>,
    pub rules: Vec<GradeRule>,
}

/// A condition on the school, not the student, that a rule set rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prerequisite {
    pub text: Bilingual,
    pub citation: Citation,
}

/// The period a notice plans for (“十四五期间 … 到2025年”).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPeriod {
    /// Its last day.
    #[serde(with = "crate::time::date")]
    pub ends_on: NaiveDate,
    pub citation: Citation,
}

/// What a rule set's answer rests on besides its rule: the school's prerequisites and the plan
/// period, with whether the period is over on the day asked about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SetTerms {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prerequisites: Vec<Prerequisite>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<PlanPeriod>,
    /// The day asked about is after the period's last day.
    #[serde(default)]
    pub period_over: bool,
}

/// Where a general condition was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time::date_opt"
    )]
    pub published_on: Option<NaiveDate>,
    /// What the page itself relies on, or how old its wording is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Published application conditions for one grade, verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeConditions {
    pub grade: SkillGrade,
    /// Any one of them qualifies.
    pub conditions_zh: Vec<String>,
    pub source: SourceRef,
}

/// What can be said without a provincial rule: example application conditions per grade. Each
/// occupation's national standard has the binding ones, which `note` says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneralConditions {
    pub note: Bilingual,
    pub grades: Vec<GradeConditions>,
}

/// Every grade rule set, as served by `/api/v1/rules/grades` and imported by administrators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeRules {
    pub version: String,
    pub rule_sets: Vec<GradeRuleSet>,
    pub general: GeneralConditions,
}

/// Why no rule answers, so the student is told exactly that instead of a guess.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum NoRuleReason {
    /// No rule set is known for the province.
    NoProvinceRules,
    /// The province's first rule set starts later than the date asked about.
    NotYetInForce {
        #[serde(with = "crate::time::date")]
        effective_from: NaiveDate,
    },
    /// The set in force has no rule for this route, school level, 1+X level or certificate.
    NotCovered { rule_set_id: String },
}

/// The answer to "what grade does this give me?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GradeAnswer {
    /// The rule fixes a grade.
    Grade {
        grade: SkillGrade,
        /// `None`: the corresponding occupation (相应职业（工种）), which the school decides.
        occupation: Option<String>,
        route: GradeBasis,
        rule_set_id: String,
        rule_id: String,
        citation: Citation,
        conditions: Vec<Bilingual>,
        #[serde(default)]
        terms: SetTerms,
    },
    /// The rule describes the way but fixes no grade.
    Described {
        route: GradeBasis,
        rule_set_id: String,
        rule_id: String,
        text_zh: String,
        text_en: String,
        citation: Citation,
        conditions: Vec<Bilingual>,
        #[serde(default)]
        terms: SetTerms,
    },
    /// No rule applies: the national ladder and general conditions, with their sources.
    NoRule {
        province: String,
        route: GradeBasis,
        reason: NoRuleReason,
        ladder: [SkillGrade; 5],
        general_conditions: GeneralConditions,
    },
}

impl GradeAnswer {
    pub fn route(&self) -> GradeBasis {
        match self {
            GradeAnswer::Grade { route, .. }
            | GradeAnswer::Described { route, .. }
            | GradeAnswer::NoRule { route, .. } => *route,
        }
    }

    /// The rule set's prerequisites and period, when a rule answered.
    pub fn terms(&self) -> Option<&SetTerms> {
        match self {
            GradeAnswer::Grade { terms, .. } | GradeAnswer::Described { terms, .. } => Some(terms),
            GradeAnswer::NoRule { .. } => None,
        }
    }

    /// The grade, when a rule fixes one.
    pub fn grade(&self) -> Option<SkillGrade> {
        match self {
            GradeAnswer::Grade { grade, .. } => Some(*grade),
            _ => None,
        }
    }
}

impl GradeRules {
    /// The rule set in force for `province` on `on`: the province's latest that has started.
    pub fn rule_set_for(&self, province: &str, on: NaiveDate) -> Option<&GradeRuleSet> {
        let province = crate::province::normalize(province)?;
        self.rule_sets
            .iter()
            .filter(|s| s.province == province && s.effective_from <= on)
            .max_by_key(|s| s.effective_from)
    }

    /// Rewrites every rule set's province to its code (`河南省` → `河南`); unknown names stay for
    /// [`GradeRules::validate`] to report.
    pub fn normalize(&mut self) {
        for set in &mut self.rule_sets {
            if let Some(code) = crate::province::normalize(&set.province) {
                set.province = code.to_string();
            }
        }
    }

    /// The document restricted to one province (`/api/v1/rules/grades?province=`); the general
    /// conditions stay, since they are what a province without rules is shown.
    pub fn for_province(&self, province: &str) -> GradeRules {
        let province = crate::province::normalize(province).unwrap_or("");
        GradeRules {
            version: self.version.clone(),
            rule_sets: self
                .rule_sets
                .iter()
                .filter(|s| s.province == province)
                .cloned()
                .collect(),
            general: self.general.clone(),
        }
    }
}

/// The skill grade `route` gives a student of `school_level` in `province` on `on`, holding the 1+X
/// `certificate_id` (when known) at `level`. Routes that need no 1+X certificate ignore `level`.
///
/// Only the province's rule set in force is consulted; another province's rule or a national
/// default is never borrowed, because grade recognition is a provincial decision. Without a rule the
/// answer is [`GradeAnswer::NoRule`] with the reason, the national ladder and the general conditions.
pub fn grade_for(
    rules: &GradeRules,
    certificate_id: Option<&str>,
    level: XLevel,
    school_level: SchoolLevel,
    province: &str,
    route: GradeBasis,
    on: NaiveDate,
) -> GradeAnswer {
    // Every name of a province (`河南省`, `Henan`) meets the rules written for its code.
    let province = crate::province::normalize(province).unwrap_or_else(|| province.trim());
    let no_rule = |reason| GradeAnswer::NoRule {
        province: province.to_string(),
        route,
        reason,
        ladder: SkillGrade::ALL,
        general_conditions: rules.general.clone(),
    };
    let Some(set) = rules.rule_set_for(province, on) else {
        let first = rules
            .rule_sets
            .iter()
            .filter(|s| s.province == province)
            .map(|s| s.effective_from)
            .min();
        return no_rule(match first {
            Some(effective_from) => NoRuleReason::NotYetInForce { effective_from },
            None => NoRuleReason::NoProvinceRules,
        });
    };
    // Validated sets have at most one covering rule per route; the smallest id keeps an
    // unvalidated document deterministic.
    let rule = set
        .rules
        .iter()
        .filter(|r| r.basis == route && r.covers(certificate_id, level, school_level))
        .min_by(|a, b| a.id.cmp(&b.id));
    let Some(rule) = rule else {
        return no_rule(NoRuleReason::NotCovered {
            rule_set_id: set.id.clone(),
        });
    };
    let terms = SetTerms {
        prerequisites: set.prerequisites.clone(),
        period: set.period.clone(),
        period_over: set.period.as_ref().is_some_and(|p| on > p.ends_on),
    };
    match &rule.outcome {
        GradeOutcome::Grade { grade } => GradeAnswer::Grade {
            grade: *grade,
            occupation: rule.occupation.clone(),
            route,
            rule_set_id: set.id.clone(),
            rule_id: rule.id.clone(),
            citation: rule.citation.clone(),
            conditions: rule.conditions.clone(),
            terms,
        },
        GradeOutcome::Described { text_zh, text_en } => GradeAnswer::Described {
            route,
            rule_set_id: set.id.clone(),
            rule_id: rule.id.clone(),
            text_zh: text_zh.clone(),
            text_en: text_en.clone(),
            citation: rule.citation.clone(),
            conditions: rule.conditions.clone(),
            terms,
        },
    }
}

#[cfg(test)]
mod tests;
