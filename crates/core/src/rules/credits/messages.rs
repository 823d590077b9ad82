//! What students read: why a conversion applies or not, in Chinese and English.

use super::{AppliedConversion, ConversionRule, RefusalWhy, RefusedConversion, SchoolCreditPolicy};
use crate::model::XLevel;

pub(super) fn applied_conversion(
    r: &ConversionRule,
    cert: &str,
    level: XLevel,
) -> AppliedConversion {
    let c = &r.course;
    AppliedConversion {
        rule_id: r.id.clone(),
        certificate_id: cert.to_string(),
        level,
        course: c.clone(),
        kind: r.kind,
        credits: c.credits,
        reason_zh: format!(
            "{}证书{}：{}《{}》{}学分",
            level.zh(),
            r.kind.zh(),
            c.category.zh(),
            c.name,
            c.credits
        ),
        reason_en: format!(
            "{} certificate, {}: {} “{}”, {} credits",
            level.en(),
            r.kind.en(),
            c.category.en(),
            c.name,
            c.credits
        ),
    }
}

pub(super) fn refused_conversion(
    policy: &SchoolCreditPolicy,
    r: &ConversionRule,
    cert: &str,
    level: XLevel,
    why: RefusalWhy,
) -> RefusedConversion {
    let c = &r.course;
    let (name, credits) = (&c.name, c.credits);
    let (detail_zh, detail_en) = match &why {
        RefusalWhy::LevelTooLow { min_level } => (
            format!(
                "《{name}》需{}及以上证书，你的证书为{}",
                min_level.zh(),
                level.zh()
            ),
            format!(
                "“{name}” needs the {} level or above; yours is {}",
                min_level.en().to_lowercase(),
                level.en().to_lowercase()
            ),
        ),
        RefusalWhy::CategoryNotAllowed { category, allowed } => {
            if allowed.is_empty() {
                (
                    format!("本校{}证书不能转换课程", level.zh()),
                    format!(
                        "At this school {} certificate converts no course",
                        a_level(level)
                    ),
                )
            } else {
                let zh: Vec<_> = allowed.iter().map(|a| a.zh()).collect();
                let en: Vec<_> = allowed.iter().map(|a| format!("{}s", a.en())).collect();
                (
                    format!(
                        "{}证书只能转换{}，不能转换{}《{name}》",
                        level.zh(),
                        zh.join("、"),
                        category.zh()
                    ),
                    format!(
                        "{} certificate converts {} only, not the {} “{name}”",
                        capitalised(&a_level(level)),
                        en.join(" and "),
                        category.en()
                    ),
                )
            }
        }
        RefusalWhy::PerCertificateCap { cap, used } => (
            format!(
                "每个证书最多转换{cap}学分，该证书已转换{used}学分，《{name}》（{credits}学分）超出上限"
            ),
            format!(
                "A certificate converts at most {cap} credits; this one already converts {used}, \
                 so “{name}” ({credits} credits) does not fit"
            ),
        ),
        RefusalWhy::CourseAlreadyReplaced { by_rule, .. } => (
            format!("《{name}》已由另一证书替代（规则 {by_rule}），每门课程只能由一个证书替代"),
            format!(
                "“{name}” is already replaced by another certificate (rule {by_rule}); a course is \
                 replaced by one certificate only"
            ),
        ),
        RefusalWhy::CourseAlreadyPassed => (
            format!("你已通过《{name}》，无需转换"),
            format!("You passed “{name}” itself, so there is nothing to convert"),
        ),
        RefusalWhy::SimilarCertificateCounted {
            counted_certificate_id,
            counted_level,
        } => {
            if counted_certificate_id == cert {
                (
                    format!(
                        "该证书已按{}转换，同一证书的不同等级只计一次",
                        counted_level.zh()
                    ),
                    format!(
                        "This certificate already counts at the {} level; its levels count once",
                        counted_level.en().to_lowercase()
                    ),
                )
            } else {
                (
                    format!(
                        "内容相同或相近的证书只转换一次，已按另一相近证书（{}）转换",
                        counted_level.zh()
                    ),
                    format!(
                        "Same or similar certificates convert once; a similar certificate ({} level) \
                         already counts",
                        counted_level.en().to_lowercase()
                    ),
                )
            }
        }
        RefusalWhy::TotalCap { cap, used } => (
            format!(
                "转换学分合计不得超过毕业学分的{}%（{cap}学分），已转换{used}学分，《{name}》（{credits}学分）超出上限",
                policy.caps.total_share_percent
            ),
            format!(
                "Converted credits may not exceed {}% of the graduation credits ({cap}); {used} are \
                 converted, so “{name}” ({credits} credits) does not fit",
                policy.caps.total_share_percent
            ),
        ),
    };
    RefusedConversion {
        rule_id: r.id.clone(),
        certificate_id: cert.to_string(),
        level,
        course: c.clone(),
        why,
        detail_zh,
        detail_en,
    }
}

/// "a primary", "an intermediate", "an advanced".
fn a_level(level: XLevel) -> String {
    let name = level.en().to_lowercase();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
