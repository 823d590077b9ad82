//! What the rules decided, in Chinese: refusals, advice, fees, credit conversions, grade answers and
//! feedback errors, worded from core's codes and facts.

use kaozheng_core::feedback::{FeedbackError, MAX_COMMENT_CHARS};
use kaozheng_core::rules::{
    Advice, AppliedConversion, GradeAnswer, NoRuleReason, Refusal, RefusalWhy, RefusedConversion,
};
use kaozheng_core::{FeeReason, PayMethod, Payer, time};

pub fn refusal(r: &Refusal) -> String {
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

pub fn advice(a: &Advice) -> String {
    match a {
        Advice::HoldsHigherLevel { held } => format!(
            "你已取得该证书{}，再考较低等级对你的证书记录帮助不大；如仍需要可以继续报名",
            held.zh()
        ),
        Advice::StandardAudience {
            school_level,
            suitable_for,
        } => {
            let audience: Vec<_> = suitable_for.iter().map(|l| l.zh()).collect();
            format!(
                "该等级的标准面向{}，你是{}学生；没有规定禁止你报考，报名前可先问问老师是否合适",
                audience.join("、"),
                school_level.zh()
            )
        }
    }
}

pub fn payer(p: Payer) -> &'static str {
    match p {
        Payer::Student => "由你缴纳",
        Payer::School => "学校经费保障",
        Payer::Waived => "评价组织免收",
        Payer::NotCharged => "不向你收取",
    }
}

pub fn pay_method(m: PayMethod) -> &'static str {
    match m {
        PayMethod::SchoolCollects => "学校统一收取",
        PayMethod::Online => "网上缴费",
        PayMethod::AtSite => "考点现场缴费",
    }
}

pub fn fee_reason(r: FeeReason) -> &'static str {
    match r {
        FeeReason::Standard => "你所在省份和学校没有记录减免考核费的规定，按考核计划的收费标准缴纳",
        FeeReason::HardshipWaiver => {
            "建档立卡等家庭经济困难学生参加考核免收考核费用，由培训评价组织免收；是否属于此类由学校认定"
        }
        FeeReason::InSchoolFree => "学校不得以考证、取证的名义向在校生收取任何费用",
        FeeReason::PilotExamCovered => {
            "学校经费保障试点学生至少参加一个证书的考核，这次考核由学校经费保障"
        }
        FeeReason::PilotCoverageUsed => {
            "学校经费保障的考核已经用完，这次由你缴纳；学校是否再保障更多由学校决定，可以向学校询问"
        }
        FeeReason::NotPilotStudent => {
            "学校经费保障的是试点学生的考核；学校记录中你不是试点学生，这次由你缴纳。如有疑问请问学校"
        }
    }
}

/// "中级证书学分转换：专业核心课《…》4学分".
pub fn conversion(c: &AppliedConversion) -> String {
    format!(
        "{}证书{}：{}《{}》{}学分",
        c.level.zh(),
        c.kind.zh(),
        c.course.category.zh(),
        c.course.name,
        c.credits
    )
}

pub fn refused_conversion(r: &RefusedConversion) -> String {
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

/// One line for the student, e.g. "直接认定：可认定相应职业（工种）的三级/高级工".
pub fn grade_summary(a: &GradeAnswer) -> String {
    match a {
        GradeAnswer::Grade {
            grade,
            occupation,
            route,
            ..
        } => format!(
            "{}：可认定{}的{}/{}",
            route.zh(),
            occupation.as_deref().unwrap_or("相应职业（工种）"),
            grade.grade_zh(),
            grade.title_zh()
        ),
        GradeAnswer::Described { route, text_zh, .. } => format!("{}：{text_zh}", route.zh()),
        GradeAnswer::NoRule {
            province,
            route,
            reason,
            ..
        } => match reason {
            NoRuleReason::NoProvinceRules => format!(
                "暂无{province}关于{}的已知规定，无法给出对应等级；以下为国家五级职业技能等级和常见申报条件，仅供参考",
                route.zh()
            ),
            NoRuleReason::NotYetInForce { effective_from } => format!(
                "{province}的规定自{}起施行，此前没有对应规定",
                time::date_text(*effective_from)
            ),
            NoRuleReason::NotCovered { .. } => format!(
                "{province}现行规定中没有适用于你的{}规则，无法给出对应等级",
                route.zh()
            ),
        },
    }
}

pub fn feedback_error(e: &FeedbackError) -> String {
    match e {
        FeedbackError::RatingOutOfRange { dimension, value } => {
            format!(
                "“{}”的评分为 {value}，评分应为 1 至 5，请重新选择。",
                dimension.zh()
            )
        }
        FeedbackError::CommentTooLong { chars } => {
            format!("评价内容有 {chars} 个字，最多 {MAX_COMMENT_CHARS} 个，请删减后再提交。")
        }
        FeedbackError::CommentControlCharacter => {
            "评价内容含有无法保存的特殊字符，请删除后再提交（可以换行）。".into()
        }
    }
}
