//! A school's credit table as data, with its lookups; separate from its checks and the engine.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Credits;
use crate::model::{Module, XLevel};
use crate::order;
use crate::rules::Citation;

/// Which kind of required course (必修课) a certificate level may convert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CourseCategory {
    /// 专业基础课
    Foundation,
    /// 专业核心课
    Core,
}

impl CourseCategory {
    pub fn zh(self) -> &'static str {
        match self {
            CourseCategory::Foundation => "专业基础课",
            CourseCategory::Core => "专业核心课",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CourseCategory::Foundation => "foundation course",
            CourseCategory::Core => "core course",
        }
    }
}

/// How a converted course is recorded. Both count the course's credits (Henan: "转换为学历教育学分,
/// 免修相应课程"); the transcript differs: a conversion records a grade under the school's rules,
/// an exemption records 免修.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversionKind {
    /// 学分转换
    Credits,
    /// 免修
    Exemption,
}

impl ConversionKind {
    pub fn zh(self) -> &'static str {
        match self {
            ConversionKind::Credits => "学分转换",
            ConversionKind::Exemption => "免修",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ConversionKind::Credits => "credit transfer",
            ConversionKind::Exemption => "course exemption",
        }
    }
}

/// A course of the school's programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Course {
    pub code: String,
    pub name: String,
    pub category: CourseCategory,
    pub credits: Credits,
}

/// A certificate, from `min_level` up, may replace `course`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversionRule {
    pub id: String,
    pub certificate_id: String,
    pub min_level: XLevel,
    pub course: Course,
    pub kind: ConversionKind,
}

/// Which part of a certificate assessment a passed course replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModuleExemption {
    Theory,
    Practical,
    /// The whole assessment.
    All,
}

impl ModuleExemption {
    pub fn covers(self, module: Module) -> bool {
        match self {
            ModuleExemption::Theory => module == Module::Theory,
            ModuleExemption::Practical => module == Module::Practical,
            ModuleExemption::All => true,
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            ModuleExemption::Theory => "理论考核",
            ModuleExemption::Practical => "实操考核",
            ModuleExemption::All => "全部考核",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ModuleExemption::Theory => "the theory module",
            ModuleExemption::Practical => "the practical module",
            ModuleExemption::All => "the whole assessment",
        }
    }
}

/// The reverse direction (seed 003): a passed course replaces part or all of one certificate level's
/// assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExemptionRule {
    pub id: String,
    pub course_code: String,
    pub course_name: String,
    pub certificate_id: String,
    /// The assessment level exempted (exactly this level: a higher level's assessment asks more).
    pub level: XLevel,
    pub exempts: ModuleExemption,
}

/// Which course categories one certificate level may convert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelScope {
    pub level: XLevel,
    pub categories: Vec<CourseCategory>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditCaps {
    pub max_credits_per_certificate: Credits,
    /// Converted credits may be at most this share of the graduation credits.
    pub total_share_percent: u8,
}

/// One school's (or one programme's) conversion table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolCreditPolicy {
    pub school: String,
    /// The programme (专业) this table is for; `None` for a school-wide table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major: Option<String>,
    /// Made-up data for demonstration, to be labelled as such wherever shown.
    #[serde(default)]
    pub example: bool,
    pub graduation_credits: Credits,
    pub caps: CreditCaps,
    /// Levels not listed convert nothing.
    pub levels: Vec<LevelScope>,
    pub conversions: Vec<ConversionRule>,
    #[serde(default)]
    pub exemptions: Vec<ExemptionRule>,
    /// Same or similar certificates: only one of each group counts.
    #[serde(default)]
    pub similar_groups: Vec<Vec<String>>,
    pub citations: Vec<Citation>,
}

impl SchoolCreditPolicy {
    /// Whether `level` may convert a course of `category`.
    pub fn allows(&self, level: XLevel, category: CourseCategory) -> bool {
        self.levels
            .iter()
            .any(|s| s.level == level && s.categories.contains(&category))
    }

    /// The most credits all certificates together may convert.
    pub fn cap_total(&self) -> Credits {
        self.graduation_credits
            .percent(self.caps.total_share_percent)
    }

    pub(super) fn categories(&self, level: XLevel) -> Vec<CourseCategory> {
        let mut cats: Vec<_> = self
            .levels
            .iter()
            .filter(|s| s.level == level)
            .flat_map(|s| s.categories.iter().copied())
            .collect();
        order::sort(&mut cats);
        cats.dedup();
        cats
    }
}

/// A course of the school's programme linked to a certificate level by the credit table (seed 003's
/// course–certificate links), for the level's study resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedCourse {
    pub code: String,
    pub name: String,
    /// How holding the certificate at this level converts the course; `None` when the course
    /// belongs to the certificate's lower levels but this level may not convert its category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converts: Option<ConversionKind>,
    /// What passing the course exempts of this level's assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempts: Option<ModuleExemption>,
}

impl SchoolCreditPolicy {
    /// The courses covering `certificate_id` at `level`, by code: every course a conversion rule
    /// links to the certificate at this level or below (a higher level covers the lower ones), and
    /// every course that exempts part of this level's assessment.
    pub fn courses_for(&self, certificate_id: &str, level: XLevel) -> Vec<LinkedCourse> {
        let mut out: BTreeMap<&str, LinkedCourse> = BTreeMap::new();
        for rule in self
            .conversions
            .iter()
            .filter(|r| r.certificate_id == certificate_id && r.min_level <= level)
        {
            let c = out
                .entry(&rule.course.code)
                .or_insert_with(|| LinkedCourse {
                    code: rule.course.code.clone(),
                    name: rule.course.name.clone(),
                    converts: None,
                    exempts: None,
                });
            if self.allows(level, rule.course.category) {
                c.converts = Some(rule.kind);
            }
        }
        for rule in self
            .exemptions
            .iter()
            .filter(|r| r.certificate_id == certificate_id && r.level == level)
        {
            out.entry(&rule.course_code)
                .or_insert_with(|| LinkedCourse {
                    code: rule.course_code.clone(),
                    name: rule.course_name.clone(),
                    converts: None,
                    exempts: None,
                })
                .exempts = Some(rule.exempts);
        }
        out.into_values().collect()
    }
}

/// Every school's table, as served by `/api/v1/rules/credits` and imported by administrators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditRules {
    pub version: String,
    pub schools: Vec<SchoolCreditPolicy>,
}

impl CreditRules {
    /// The table for a student of `school` in `major`: the programme's own, else the school-wide one.
    pub fn policy_for(&self, school: &str, major: Option<&str>) -> Option<&SchoolCreditPolicy> {
        let school = school.trim();
        let of_school = || self.schools.iter().filter(move |p| p.school == school);
        major
            .map(str::trim)
            .and_then(|m| of_school().find(|p| p.major.as_deref() == Some(m)))
            .or_else(|| of_school().find(|p| p.major.is_none()))
    }
}
