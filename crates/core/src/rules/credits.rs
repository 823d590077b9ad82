//! The credit bank (学分银行): what a student's 1+X certificates count for at their school, and which
//! parts of an assessment their passed courses exempt (two-way recognition, seed 003).
//!
//! Each school publishes its own table (`data/rules/credits.json`): which certificate level converts
//! which course, under caps taken from public school rules: at most 8 credits per certificate, 初级
//! only 专业基础课, 中级 专业核心课, 高级 both, one course per certificate, similar certificates once,
//! at most 50 % of the graduation credits in total.

mod allocate;
mod validate;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::ops::Add;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Citation;
use crate::catalog::Catalog;
use crate::model::{Module, XLevel};

/// Course credits in tenths, so 2.5 is exact and sums never drift. JSON carries a number (`2.5`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Credits(u32);

impl Credits {
    pub const ZERO: Credits = Credits(0);
    /// More than any programme has; larger numbers in a document are typos.
    pub const MAX: Credits = Credits(10_000);

    pub fn from_tenths(tenths: u32) -> Credits {
        Credits(tenths)
    }

    pub fn whole(credits: u32) -> Credits {
        Credits(credits.saturating_mul(10))
    }

    pub fn tenths(self) -> u32 {
        self.0
    }

    /// `percent` % of these credits, rounded down to a tenth (a cap is never exceeded by rounding).
    pub fn percent(self, percent: u8) -> Credits {
        Credits((u64::from(self.0) * u64::from(percent) / 100) as u32)
    }

    pub fn saturating_sub(self, other: Credits) -> Credits {
        Credits(self.0.saturating_sub(other.0))
    }
}

impl Add for Credits {
    type Output = Credits;
    fn add(self, other: Credits) -> Credits {
        Credits(self.0.saturating_add(other.0))
    }
}

impl std::iter::Sum for Credits {
    fn sum<I: Iterator<Item = Credits>>(iter: I) -> Credits {
        iter.fold(Credits::ZERO, Add::add)
    }
}

impl fmt::Display for Credits {
    /// `8` or `2.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(10) {
            write!(f, "{}", self.0 / 10)
        } else {
            write!(f, "{}.{}", self.0 / 10, self.0 % 10)
        }
    }
}

impl Serialize for Credits {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(10) {
            s.serialize_u32(self.0 / 10)
        } else {
            s.serialize_f64(f64::from(self.0) / 10.0)
        }
    }
}

impl<'de> Deserialize<'de> for Credits {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        let t = (v * 10.0).round();
        if !(0.0..=f64::from(Credits::MAX.0)).contains(&t) || (v * 10.0 - t).abs() > 1e-6 {
            return Err(serde::de::Error::custom(
                "credits are 0–1000 with at most one decimal",
            ));
        }
        Ok(Credits(t as u32))
    }
}

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

    fn categories(&self, level: XLevel) -> Vec<CourseCategory> {
        let mut cats: Vec<_> = self
            .levels
            .iter()
            .filter(|s| s.level == level)
            .flat_map(|s| s.categories.iter().copied())
            .collect();
        cats.sort();
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
    /// The table for a student of `school` in `major`: the programme's own, else the school-wide one.
    pub fn policy_for(&self, school: &str, major: Option<&str>) -> Option<&SchoolCreditPolicy> {
        let school = school.trim();
        let of_school = || self.schools.iter().filter(move |p| p.school == school);
        major
            .map(str::trim)
            .and_then(|m| of_school().find(|p| p.major.as_deref() == Some(m)))
            .or_else(|| of_school().find(|p| p.major.is_none()))
    }

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
            validate::validate_policy(&mut errs, &at, p);
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

/// A course a certificate replaces, with the rule that allows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedConversion {
    pub rule_id: String,
    pub certificate_id: String,
    pub level: XLevel,
    pub course: Course,
    pub kind: ConversionKind,
    pub credits: Credits,
}

/// Why a conversion rule of a held certificate gives nothing: a stable code and the facts a message
/// needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RefusalWhy {
    /// The rule needs a higher level than the student holds.
    LevelTooLow { min_level: XLevel },
    /// The student's level may not convert this kind of course (初级 → 专业基础课 only, …).
    CategoryNotAllowed {
        category: CourseCategory,
        allowed: Vec<CourseCategory>,
    },
    /// The certificate already converts `used` of its `cap` credits and the course does not fit.
    PerCertificateCap { cap: Credits, used: Credits },
    /// Another certificate replaces the course: one course, one certificate.
    CourseAlreadyReplaced {
        by_rule: String,
        by_certificate_id: String,
    },
    /// The student passed the course itself.
    CourseAlreadyPassed,
    /// A same or similar certificate (or another level of this one) is the one counted.
    SimilarCertificateCounted {
        counted_certificate_id: String,
        counted_level: XLevel,
    },
    /// All conversions together already use `used` of the `cap` credits (`share_percent` of the
    /// graduation credits) and the course does not fit.
    TotalCap {
        cap: Credits,
        used: Credits,
        share_percent: u8,
    },
}

impl RefusalWhy {
    pub fn code(&self) -> &'static str {
        match self {
            RefusalWhy::LevelTooLow { .. } => "level_too_low",
            RefusalWhy::CategoryNotAllowed { .. } => "category_not_allowed",
            RefusalWhy::PerCertificateCap { .. } => "per_certificate_cap",
            RefusalWhy::CourseAlreadyReplaced { .. } => "course_already_replaced",
            RefusalWhy::CourseAlreadyPassed => "course_already_passed",
            RefusalWhy::SimilarCertificateCounted { .. } => "similar_certificate_counted",
            RefusalWhy::TotalCap { .. } => "total_cap",
        }
    }
}

/// A conversion rule of a held certificate that gives nothing, at the level it was judged for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedConversion {
    pub rule_id: String,
    pub certificate_id: String,
    pub level: XLevel,
    pub course: Course,
    pub why: RefusalWhy,
}

/// What one held certificate converts: at the level counted (else the highest held), against its cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateCredits {
    pub certificate_id: String,
    pub level: XLevel,
    pub credits: Credits,
    pub cap: Credits,
}

/// A student's credit-bank account at one school (`GET /api/v1/credits`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditAccount {
    pub school: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major: Option<String>,
    /// The table is example data.
    pub example: bool,
    pub applied: Vec<AppliedConversion>,
    pub refused: Vec<RefusedConversion>,
    pub total_credits: Credits,
    pub cap_total: Credits,
    pub per_certificate: Vec<CertificateCredits>,
}

/// What passing one more certificate would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIf {
    pub certificate_id: String,
    pub level: XLevel,
    pub added_credits: Credits,
    /// Conversions made with the certificate that were not made without it.
    pub new_conversions: Vec<AppliedConversion>,
    /// Conversions made without it that give way (a course moves to the new certificate, or the
    /// new certificate becomes the one counted in its similar group); `added_credits` is net.
    pub lost_conversions: Vec<AppliedConversion>,
    /// Refusals with the certificate for rules that were not refused without it.
    pub newly_refused: Vec<RefusedConversion>,
}

/// A part of an assessment a passed course exempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantedExemption {
    pub rule_id: String,
    pub course_code: String,
    pub course_name: String,
    pub exempts: ModuleExemption,
}

/// The exemptions of `certificate_id` at `level` that `passed_courses` earn (seed 003: "相关课程学分
/// 可冲抵相应证书考核的部分或全部内容"), by rule id.
pub fn exemptions_for(
    policy: &SchoolCreditPolicy,
    passed_courses: &[String],
    certificate_id: &str,
    level: XLevel,
) -> Vec<GrantedExemption> {
    let done: BTreeSet<&str> = passed_courses.iter().map(|c| c.trim()).collect();
    let mut out: Vec<GrantedExemption> = policy
        .exemptions
        .iter()
        .filter(|r| {
            r.certificate_id == certificate_id.trim()
                && r.level == level
                && done.contains(r.course_code.as_str())
        })
        .map(|r| GrantedExemption {
            rule_id: r.id.clone(),
            course_code: r.course_code.clone(),
            course_name: r.course_name.clone(),
            exempts: r.exempts,
        })
        .collect();
    out.sort_by(|a, b| a.rule_id.cmp(&b.rule_id));
    out.dedup_by(|a, b| a.rule_id == b.rule_id);
    out
}

/// The modules the exemptions cover together, theory first.
pub fn exempted_modules(grants: &[GrantedExemption]) -> Vec<Module> {
    [Module::Theory, Module::Practical]
        .into_iter()
        .filter(|m| grants.iter().any(|g| g.exempts.covers(*m)))
        .collect()
}

/// Similar certificates share a group; any other certificate is a group of its own (its levels are
/// still alternatives: one certificate counts once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey<'a> {
    Similar(usize),
    Alone(&'a str),
}

/// The student's account under `policy`: which conversion rules of the held certificates apply and
/// why the others do not.
///
/// - A certificate level converts a course when the level reaches the rule's `min_level`, the
///   school lets that level convert the course's category, and the student has not passed the
///   course itself.
/// - Of a similar group (and of one certificate held at several levels) one (certificate, level)
///   counts: the one converting the most credits, the highest level on a tie. "以最高级所认定的学分
///   进行转换" presumes the highest level converts the most; where the level/category table makes a
///   higher level convert less (中级 may not convert 专业基础课), the student keeps the better one
///   rather than lose credits for passing a higher exam.
/// - Caps: each course once, each certificate at most `max_credits_per_certificate`, all together at
///   most `cap_total()`. Courses convert whole, and the combination converting the most credits is
///   chosen, so holding one more certificate never lowers the total.
/// - When several combinations convert as much: groups whose highest held level is higher come
///   first (then by certificate id) and each takes as many credits as it can; within a certificate
///   higher-credit courses, then smaller rule ids, are preferred.
///
/// The inputs are sets: order and duplicates do not matter.
pub fn credit_account(
    policy: &SchoolCreditPolicy,
    passed: &[(String, XLevel)],
    passed_courses: &[String],
) -> CreditAccount {
    let done: BTreeSet<&str> = passed_courses.iter().map(|c| c.trim()).collect();
    let mut held: BTreeMap<&str, BTreeSet<XLevel>> = BTreeMap::new();
    for (c, l) in passed {
        held.entry(c.trim()).or_default().insert(*l);
    }
    let mut rules: Vec<&ConversionRule> = policy.conversions.iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let rules_of = |cert: &str| -> Vec<&ConversionRule> {
        rules
            .iter()
            .copied()
            .filter(|r| r.certificate_id == cert)
            .collect()
    };
    let eligible = |r: &ConversionRule, l: XLevel| {
        l >= r.min_level
            && policy.allows(l, r.course.category)
            && !done.contains(r.course.code.as_str())
    };
    let mut similar: HashMap<&str, usize> = HashMap::new();
    for (g, group) in policy.similar_groups.iter().enumerate() {
        for id in group {
            similar.entry(id.as_str()).or_insert(g);
        }
    }
    let key = |cert| {
        similar
            .get(cert)
            .map_or(GroupKey::Alone(cert), |&g| GroupKey::Similar(g))
    };

    // Groups of alternatives, each option a held (certificate, level), higher level first.
    let mut by_key: BTreeMap<GroupKey, Vec<(&str, XLevel)>> = BTreeMap::new();
    for (&cert, levels) in &held {
        for &l in levels {
            by_key.entry(key(cert)).or_default().push((cert, l));
        }
    }
    let mut groups: Vec<Vec<(&str, XLevel)>> = by_key.into_values().collect();
    for g in &mut groups {
        g.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    }
    groups.sort_by_cached_key(|g| {
        let first_cert = g.iter().map(|o| o.0).min().map(str::to_string);
        (std::cmp::Reverse(g[0].1), first_cert)
    });

    // Each option's convertible rules, higher credits then smaller id first, one per course.
    let mut course_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut option_rules: Vec<Vec<Vec<&ConversionRule>>> = Vec::new();
    let mut alloc_groups = Vec::new();
    for g in &groups {
        let mut opts = Vec::new();
        let mut opt_rules = Vec::new();
        for &(cert, level) in g {
            let mut rs = rules_of(cert);
            rs.retain(|r| eligible(r, level));
            rs.sort_by(|a, b| {
                b.course
                    .credits
                    .cmp(&a.course.credits)
                    .then(a.id.cmp(&b.id))
            });
            let mut seen = HashSet::new();
            rs.retain(|r| seen.insert(r.course.code.as_str()));
            let items = rs
                .iter()
                .map(|r| {
                    let n = course_index.len();
                    allocate::Item {
                        course: *course_index.entry(r.course.code.as_str()).or_insert(n),
                        tenths: r.course.credits.tenths(),
                    }
                })
                .collect();
            opts.push(allocate::Opt { items });
            opt_rules.push(rs);
        }
        alloc_groups.push(allocate::Group { options: opts });
        option_rules.push(opt_rules);
    }
    let cap = policy.caps.max_credits_per_certificate;
    let cap_total = policy.cap_total();
    let picks = allocate::allocate(&alloc_groups, cap.tenths(), cap_total.tenths());

    let mut applied = Vec::new();
    let mut counted: Vec<Option<(&str, XLevel)>> = vec![None; groups.len()];
    let mut group_used = vec![Credits::ZERO; groups.len()];
    for (g, pick) in picks.iter().enumerate() {
        let Some((o, items)) = pick else { continue };
        let (cert, level) = groups[g][*o];
        counted[g] = Some((cert, level));
        for &i in items {
            let r = option_rules[g][*o][i];
            group_used[g] = group_used[g] + r.course.credits;
            applied.push(AppliedConversion {
                rule_id: r.id.clone(),
                certificate_id: cert.to_string(),
                level,
                course: r.course.clone(),
                kind: r.kind,
                credits: r.course.credits,
            });
        }
    }
    applied.sort_by(|a, b| (&a.certificate_id, &a.rule_id).cmp(&(&b.certificate_id, &b.rule_id)));
    let total: Credits = applied.iter().map(|a| a.credits).sum();
    let replaced: HashMap<&str, &AppliedConversion> = applied
        .iter()
        .map(|a| (a.course.code.as_str(), a))
        .collect();
    let group_of: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, opts)| opts.iter().map(move |o| (o.0, g)))
        .collect();

    let mut refused = Vec::new();
    for (&cert, levels) in &held {
        let g = group_of[cert];
        let highest = *levels
            .iter()
            .next_back()
            .expect("a held certificate has a level");
        // Why a rule that could apply at `level` did not: the course went elsewhere, or a cap.
        let capped = |r: &ConversionRule, used: Credits| {
            if let Some(a) = replaced.get(r.course.code.as_str()) {
                RefusalWhy::CourseAlreadyReplaced {
                    by_rule: a.rule_id.clone(),
                    by_certificate_id: a.certificate_id.clone(),
                }
            } else if used + r.course.credits > cap {
                RefusalWhy::PerCertificateCap { cap, used }
            } else {
                // Optimality: the course was free and fitted its certificate, so only the total
                // cap can have kept it out.
                RefusalWhy::TotalCap {
                    cap: cap_total,
                    used: total,
                    share_percent: policy.caps.total_share_percent,
                }
            }
        };
        for r in rules_of(cert) {
            if applied
                .iter()
                .any(|a| a.rule_id == r.id && a.certificate_id == cert)
            {
                continue;
            }
            let (level, why) = if done.contains(r.course.code.as_str()) {
                (highest, RefusalWhy::CourseAlreadyPassed)
            } else if let Some((_, cl)) = counted[g].filter(|&(c, cl)| c == cert && eligible(r, cl))
            {
                (cl, capped(r, group_used[g]))
            } else if let Some(&l) = levels.iter().rev().find(|&&l| eligible(r, l)) {
                match counted[g] {
                    Some((c, cl)) => (
                        l,
                        RefusalWhy::SimilarCertificateCounted {
                            counted_certificate_id: c.to_string(),
                            counted_level: cl,
                        },
                    ),
                    None => (l, capped(r, Credits::ZERO)),
                }
            } else if highest < r.min_level {
                (
                    highest,
                    RefusalWhy::LevelTooLow {
                        min_level: r.min_level,
                    },
                )
            } else {
                (
                    highest,
                    RefusalWhy::CategoryNotAllowed {
                        category: r.course.category,
                        allowed: policy.categories(highest),
                    },
                )
            };
            refused.push(RefusedConversion {
                rule_id: r.id.clone(),
                certificate_id: cert.to_string(),
                level,
                course: r.course.clone(),
                why,
            });
        }
    }

    let per_certificate = held
        .iter()
        .map(|(&cert, levels)| {
            let g = group_of[cert];
            let level = counted[g]
                .filter(|(c, _)| *c == cert)
                .map_or(*levels.iter().next_back().expect("held"), |(_, l)| l);
            CertificateCredits {
                certificate_id: cert.to_string(),
                level,
                credits: applied
                    .iter()
                    .filter(|a| a.certificate_id == cert)
                    .map(|a| a.credits)
                    .sum(),
                cap,
            }
        })
        .collect();

    CreditAccount {
        school: policy.school.clone(),
        major: policy.major.clone(),
        example: policy.example,
        applied,
        refused,
        total_credits: total,
        cap_total,
        per_certificate,
    }
}

/// The difference passing `certificate_id` at `level` makes: the account with it minus the account
/// without it.
pub fn what_if(
    policy: &SchoolCreditPolicy,
    passed: &[(String, XLevel)],
    passed_courses: &[String],
    certificate_id: &str,
    level: XLevel,
) -> WhatIf {
    let without = credit_account(policy, passed, passed_courses);
    let mut more = passed.to_vec();
    more.push((certificate_id.trim().to_string(), level));
    let with = credit_account(policy, &more, passed_courses);
    let same = |a: &AppliedConversion, b: &AppliedConversion| {
        a.rule_id == b.rule_id && a.certificate_id == b.certificate_id && a.level == b.level
    };
    let minus = |xs: &[AppliedConversion], ys: &[AppliedConversion]| -> Vec<AppliedConversion> {
        xs.iter()
            .filter(|x| !ys.iter().any(|y| same(x, y)))
            .cloned()
            .collect()
    };
    WhatIf {
        certificate_id: certificate_id.trim().to_string(),
        level,
        added_credits: with.total_credits.saturating_sub(without.total_credits),
        new_conversions: minus(&with.applied, &without.applied),
        lost_conversions: minus(&without.applied, &with.applied),
        newly_refused: with
            .refused
            .iter()
            .filter(|r| {
                !without
                    .refused
                    .iter()
                    .any(|w| w.rule_id == r.rule_id && w.certificate_id == r.certificate_id)
            })
            .cloned()
            .collect(),
    }
}
