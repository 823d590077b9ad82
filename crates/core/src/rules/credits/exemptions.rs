//! Course → assessment exemptions: the reverse direction, independent of the conversion engine.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{ModuleExemption, SchoolCreditPolicy};
use crate::model::{Module, XLevel};
use crate::order;

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
    let mut done = BTreeSet::new();
    done.extend(passed_courses.iter().map(|c| c.trim()));
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
    order::sort_by(&mut out, |a, b| a.rule_id.cmp(&b.rule_id));
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
