//! The API's words for what core decides: registration refusals, feedback errors and credit
//! conversions, in English (`message`, `*_en`) and Chinese (`message_zh`, `*_zh`).
//!
//! Core returns codes with their facts and never prose; the app words them in the student's
//! language from its own table. API users other than the app read these, so they are kept here,
//! in one place on the server.

use kaozheng_core::XLevel;
use kaozheng_core::feedback::{FeedbackError, MAX_COMMENT_CHARS};
use kaozheng_core::model::{MoveRefusal, PhaseMove};
use kaozheng_core::rules::Refusal;
use kaozheng_core::rules::{AppliedConversion, RefusalWhy, RefusedConversion};
use kaozheng_core::time;

pub fn refusal_zh(r: &Refusal) -> String {
    match r {
        Refusal::PlanNotOpen { state } => format!("该考核计划当前不可报名（{}）", state.zh()),
        Refusal::WindowNotOpen { opens_at } => {
            format!("报名尚未开始，将于 {} 开始", time::format_minute(*opens_at))
        }
        Refusal::WindowClosed { closed_at } => {
            format!("报名已于 {} 截止", time::format_minute(*closed_at))
        }
        Refusal::Full => "该考核计划名额已满".into(),
        Refusal::Duplicate { .. } => "你已报名该证书的同一等级，不能重复报名".into(),
        Refusal::AlreadyCertified { held } => format!(
            "你已通过该证书{}考核，同一等级不能再报考；可以报考更高等级",
            held.zh()
        ),
        Refusal::Clash { .. } => "考试时间与你已报名的另一场考试冲突".into(),
        Refusal::SchoolRestriction {
            school,
            school_level,
            level,
            ..
        } => format!(
            "{school}规定{}学生不报考{}，依据见下方学校文件；如有疑问请问学校",
            school_level.zh(),
            level.zh()
        ),
        Refusal::Other => "这个报名没有被接受，请稍后再试或问学校".into(),
    }
}

pub fn refusal_en(r: &Refusal) -> String {
    match r {
        Refusal::PlanNotOpen { state } => format!(
            "This exam plan is not open for registration ({})",
            state.en()
        ),
        Refusal::WindowNotOpen { opens_at } => format!(
            "Registration has not opened yet; it opens at {} (UTC+8)",
            time::format_minute(*opens_at)
        ),
        Refusal::WindowClosed { closed_at } => format!(
            "Registration closed at {} (UTC+8)",
            time::format_minute(*closed_at)
        ),
        Refusal::Full => "This exam plan has no seats left".into(),
        Refusal::Duplicate { .. } => {
            "You are already registered for this certificate at this level".into()
        }
        Refusal::AlreadyCertified { held } => format!(
            "You already passed this certificate at {} level, so you cannot sit that level \
             again; a higher level is open to you",
            held.en().to_lowercase()
        ),
        Refusal::Clash { .. } => "The exam overlaps another exam you are registered for".into(),
        Refusal::SchoolRestriction {
            school,
            school_level,
            level,
            ..
        } => format!(
            "{school} does not let {} students register for the {} level (its document is \
             below); ask your school if you have questions",
            school_level.en().to_lowercase(),
            level.en().to_lowercase()
        ),
        Refusal::Other => {
            "This registration was not accepted; try again later or ask your school".into()
        }
    }
}

pub fn feedback_error_zh(e: &FeedbackError) -> String {
    match e {
        FeedbackError::RatingOutOfRange { dimension, value } => {
            format!("“{}”的评分为 {value}，评分应为 1 至 5", dimension.zh())
        }
        FeedbackError::CommentTooLong { chars } => {
            format!("评价内容有 {chars} 个字符，最多 {MAX_COMMENT_CHARS} 个")
        }
        FeedbackError::CommentControlCharacter => "评价内容含有控制字符，只允许换行".into(),
    }
}

pub fn feedback_error_en(e: &FeedbackError) -> String {
    match e {
        FeedbackError::RatingOutOfRange { dimension, value } => {
            format!("{} is rated {value}; ratings are 1 to 5", dimension.en())
        }
        FeedbackError::CommentTooLong { chars } => {
            format!("the comment has {chars} characters; at most {MAX_COMMENT_CHARS}")
        }
        FeedbackError::CommentControlCharacter => {
            "the comment contains control characters; only line breaks are allowed".into()
        }
    }
}

/// Why a course converts: "中级证书学分转换：专业核心课《…》4学分".
pub fn conversion_zh(c: &AppliedConversion) -> String {
    format!(
        "{}证书{}：{}《{}》{}学分",
        c.level.zh(),
        c.kind.zh(),
        c.course.category.zh(),
        c.course.name,
        c.credits
    )
}

pub fn conversion_en(c: &AppliedConversion) -> String {
    format!(
        "{} certificate, {}: {} “{}”, {} credits",
        c.level.en(),
        c.kind.en(),
        c.course.category.en(),
        c.course.name,
        c.credits
    )
}

/// Why a conversion rule gives nothing.
pub fn refused_conversion_zh(r: &RefusedConversion) -> String {
    let (name, credits, level) = (&r.course.name, r.course.credits, r.level);
    match &r.why {
        RefusalWhy::LevelTooLow { min_level } => {
            format!(
                "《{name}》需{}及以上证书，你的证书为{}",
                min_level.zh(),
                level.zh()
            )
        }
        RefusalWhy::CategoryNotAllowed { allowed, .. } if allowed.is_empty() => {
            format!("本校{}证书不能转换课程", level.zh())
        }
        RefusalWhy::CategoryNotAllowed { category, allowed } => {
            let allowed: Vec<_> = allowed.iter().map(|a| a.zh()).collect();
            format!(
                "{}证书只能转换{}，不能转换{}《{name}》",
                level.zh(),
                allowed.join("、"),
                category.zh()
            )
        }
        RefusalWhy::PerCertificateCap { cap, used } => format!(
            "每个证书最多转换{cap}学分，该证书已转换{used}学分，《{name}》（{credits}学分）超出上限"
        ),
        RefusalWhy::CourseAlreadyReplaced { by_rule, .. } => {
            format!("《{name}》已由另一证书替代（规则 {by_rule}），每门课程只能由一个证书替代")
        }
        RefusalWhy::CourseAlreadyPassed => format!("你已通过《{name}》，无需转换"),
        RefusalWhy::SimilarCertificateCounted {
            counted_certificate_id,
            counted_level,
        } if *counted_certificate_id == r.certificate_id => format!(
            "该证书已按{}转换，同一证书的不同等级只计一次",
            counted_level.zh()
        ),
        RefusalWhy::SimilarCertificateCounted { counted_level, .. } => format!(
            "内容相同或相近的证书只转换一次，已按另一相近证书（{}）转换",
            counted_level.zh()
        ),
        RefusalWhy::TotalCap {
            cap,
            used,
            share_percent,
        } => format!(
            "转换学分合计不得超过毕业学分的{share_percent}%（{cap}学分），已转换{used}学分，《{name}》（{credits}学分）超出上限"
        ),
    }
}

pub fn refused_conversion_en(r: &RefusedConversion) -> String {
    let (name, credits, level) = (&r.course.name, r.course.credits, r.level);
    match &r.why {
        RefusalWhy::LevelTooLow { min_level } => format!(
            "“{name}” needs the {} level or above; yours is {}",
            min_level.en().to_lowercase(),
            level.en().to_lowercase()
        ),
        RefusalWhy::CategoryNotAllowed { allowed, .. } if allowed.is_empty() => format!(
            "At this school {} certificate converts no course",
            a_level(level)
        ),
        RefusalWhy::CategoryNotAllowed { category, allowed } => {
            let allowed: Vec<_> = allowed.iter().map(|a| format!("{}s", a.en())).collect();
            format!(
                "{} certificate converts {} only, not the {} “{name}”",
                capitalised(&a_level(level)),
                allowed.join(" and "),
                category.en()
            )
        }
        RefusalWhy::PerCertificateCap { cap, used } => format!(
            "A certificate converts at most {cap} credits; this one already converts {used}, so \
             “{name}” ({credits} credits) does not fit"
        ),
        RefusalWhy::CourseAlreadyReplaced { by_rule, .. } => format!(
            "“{name}” is already replaced by another certificate (rule {by_rule}); a course is \
             replaced by one certificate only"
        ),
        RefusalWhy::CourseAlreadyPassed => {
            format!("You passed “{name}” itself, so there is nothing to convert")
        }
        RefusalWhy::SimilarCertificateCounted {
            counted_certificate_id,
            counted_level,
        } if *counted_certificate_id == r.certificate_id => format!(
            "This certificate already counts at the {} level; its levels count once",
            counted_level.en().to_lowercase()
        ),
        RefusalWhy::SimilarCertificateCounted { counted_level, .. } => format!(
            "Same or similar certificates convert once; a similar certificate ({} level) already \
             counts",
            counted_level.en().to_lowercase()
        ),
        RefusalWhy::TotalCap {
            cap,
            used,
            share_percent,
        } => format!(
            "Converted credits may not exceed {share_percent}% of the graduation credits ({cap}); \
             {used} are converted, so “{name}” ({credits} credits) does not fit"
        ),
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

/// Why staff cannot move a plan now (409 `phase_move_refused`), in the staff page's words.
pub fn move_refusal_en(m: PhaseMove, r: MoveRefusal) -> String {
    match r {
        MoveRefusal::WrongState { state, needs } => format!(
            "{} needs a plan in state {}; this one is {}",
            m.as_str(),
            needs.as_str(),
            state.as_str()
        ),
        MoveRefusal::BadTimes { field } => {
            format!("the plan's times are out of order ({field}); import it again with them fixed")
        }
    }
}

pub fn move_refusal_zh(r: MoveRefusal) -> String {
    use crate::staff::words::state_zh;
    match r {
        MoveRefusal::WrongState { state, needs } => format!(
            "该操作需要计划处于“{}”，当前为“{}”",
            state_zh(needs),
            state_zh(state)
        ),
        MoveRefusal::BadTimes { .. } => "计划的时间顺序有误，请修正后重新导入".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use kaozheng_core::feedback::Dimension;
    use kaozheng_core::rules::{ConversionKind, Course, CourseCategory, Credits};
    use kaozheng_core::{PlanState, SchoolLevel};

    fn every_refusal() -> Vec<Refusal> {
        let at = Utc.with_ymd_and_hms(2026, 12, 10, 9, 0, 0).unwrap();
        vec![
            Refusal::PlanNotOpen {
                state: PlanState::Scoring,
            },
            Refusal::WindowNotOpen { opens_at: at },
            Refusal::WindowClosed { closed_at: at },
            Refusal::Full,
            Refusal::Duplicate {
                registration_id: "r".into(),
            },
            Refusal::AlreadyCertified {
                held: XLevel::Advanced,
            },
            Refusal::Clash {
                plan_id: "p".into(),
            },
            Refusal::SchoolRestriction {
                restriction_id: "r".into(),
                school: "某校".into(),
                school_level: SchoolLevel::Secondary,
                level: XLevel::Advanced,
            },
            Refusal::Other,
        ]
    }

    #[test]
    fn every_refusal_has_a_chinese_and_an_english_message() {
        for r in &every_refusal() {
            let zh = refusal_zh(r);
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{zh}"
            );
            assert!(refusal_en(r).replace("某校", "").is_ascii(), "{r:?}");
        }
        // Times are China time, as the notices state them.
        let closed = Refusal::WindowClosed {
            closed_at: Utc.with_ymd_and_hms(2026, 12, 10, 9, 0, 0).unwrap(),
        };
        assert_eq!(refusal_zh(&closed), "报名已于 2026-12-10 17:00 截止");
        let restricted = &every_refusal()[7];
        assert!(refusal_zh(restricted).contains("某校规定中职学生不报考高级"));
    }

    #[test]
    fn feedback_errors_name_the_dimension_and_the_limit() {
        let e = FeedbackError::RatingOutOfRange {
            dimension: Dimension::ContentQuality,
            value: 6,
        };
        assert!(feedback_error_zh(&e).contains(Dimension::ContentQuality.zh()));
        assert!(feedback_error_en(&e).contains(Dimension::ContentQuality.en()));
        let long = FeedbackError::CommentTooLong { chars: 501 };
        assert!(
            feedback_error_zh(&long).contains("501") && feedback_error_zh(&long).contains("500")
        );
    }

    #[test]
    fn conversions_say_course_level_and_credits() {
        let course = Course {
            code: "K1".into(),
            name: "前端框架应用".into(),
            category: CourseCategory::Core,
            credits: Credits::whole(4),
        };
        let applied = AppliedConversion {
            rule_id: "r1".into(),
            certificate_id: "web".into(),
            level: XLevel::Intermediate,
            course: course.clone(),
            kind: ConversionKind::Exemption,
            credits: Credits::whole(4),
        };
        assert_eq!(
            conversion_zh(&applied),
            "中级证书免修：专业核心课《前端框架应用》4学分"
        );
        assert!(conversion_en(&applied).contains("“前端框架应用”, 4 credits"));
        let refused = |why| RefusedConversion {
            rule_id: "r1".into(),
            certificate_id: "web".into(),
            level: XLevel::Primary,
            course: course.clone(),
            why,
        };
        let same = refused(RefusalWhy::SimilarCertificateCounted {
            counted_certificate_id: "web".into(),
            counted_level: XLevel::Intermediate,
        });
        assert!(refused_conversion_zh(&same).contains("同一证书"));
        let other = refused(RefusalWhy::SimilarCertificateCounted {
            counted_certificate_id: "bim".into(),
            counted_level: XLevel::Intermediate,
        });
        assert!(refused_conversion_zh(&other).contains("相近证书"));
        let total = refused(RefusalWhy::TotalCap {
            cap: Credits::whole(70),
            used: Credits::whole(68),
            share_percent: 50,
        });
        assert!(refused_conversion_zh(&total).contains("毕业学分的50%（70学分）"));
        assert!(refused_conversion_en(&total).contains("50% of the graduation credits (70)"));
        let none = refused(RefusalWhy::CategoryNotAllowed {
            category: CourseCategory::Core,
            allowed: Vec::new(),
        });
        assert_eq!(
            refused_conversion_en(&none),
            "At this school a primary certificate converts no course"
        );
    }
}
