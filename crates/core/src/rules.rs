//! The 1+X rules: who may register for what, and who pays. Pure functions of their inputs (`now`
//! included), shared by the server, which enforces them, and the app, which explains them offline.
//!
//! Policies are data with citations (see [`Citation`]), so a school or province can change its rule
//! by importing a file instead of changing code.

mod citation;
mod credits;
mod document;
mod eligibility;
mod fees;
#[cfg(test)]
mod fixtures;
mod grades;
mod graduation;
mod restrictions;

pub use citation::{AddedField, Citation, CitationField};
pub use credits::{
    AppliedConversion, CertificateCredits, ConversionKind, ConversionRule, Course, CourseCategory,
    CreditAccount, CreditCaps, CreditRuleError, CreditRules, Credits, ExemptionRule,
    GrantedExemption, LevelScope, LinkedCourse, ModuleExemption, RefusalWhy, RefusedConversion,
    SchoolCreditPolicy, WhatIf, credit_account, exempted_modules, exemptions_for, what_if,
};
pub use document::{KINDS, RuleDocument};
pub use eligibility::{
    Advice, Eligibility, PlanMark, Refusal, RefusalKind, advise_registration, check_registration,
    plan_mark,
};
pub use fees::{
    Coverage, FeeConflict, FeePolicy, FeeRule, FeeRules, Scope, coverage, decide_fee, fee_for,
    funded_exams_used, uniform_fee_conflicts,
};
pub use grades::{
    Bilingual, GeneralConditions, GradeAnswer, GradeBasis, GradeConditions, GradeOutcome,
    GradeRule, GradeRuleError, GradeRuleSet, GradeRules, NoRuleReason, PlanPeriod, Prerequisite,
    SetTerms, SourceRef, grade_for,
};
pub use graduation::{
    CertificateKind, GraduationPolicy, GraduationProgress, GraduationRules, MAX_REQUIRED,
    graduation_progress,
};
pub use restrictions::{EligibilityRules, LevelRestriction};
