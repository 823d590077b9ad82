//! The credit bank (学分银行): what a student's 1+X certificates count for at their school, and which
//! parts of an assessment their passed courses exempt (two-way recognition, seed 003).
//!
//! Each school publishes its own table (`data/rules/credits.json`): which certificate level converts
//! which course, under caps taken from public school rules: at most 8 credits per certificate, 初级
//! only 专业基础课, 中级 专业核心课, 高级 both, one course per certificate, similar certificates once,
//! at most 50 % of the graduation credits in total.

mod account;
mod allocate;
mod amount;
mod exemptions;
mod outcome;
mod policy;
mod validate;

pub use account::{credit_account, what_if};
pub use amount::Credits;
pub use exemptions::{GrantedExemption, exempted_modules, exemptions_for};
pub use outcome::{
    AppliedConversion, CertificateCredits, CreditAccount, RefusalWhy, RefusedConversion, WhatIf,
};
pub use policy::{
    ConversionKind, ConversionRule, Course, CourseCategory, CreditCaps, CreditRules, ExemptionRule,
    LevelScope, LinkedCourse, ModuleExemption, SchoolCreditPolicy,
};
pub use validate::CreditRuleError;
