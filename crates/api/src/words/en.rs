//! What the rules decided, in English: refusals, advice, fees, credit conversions, grade answers and
//! feedback errors, worded from core's codes and facts.

use kaozheng_core::feedback::{FeedbackError, MAX_COMMENT_CHARS};
use kaozheng_core::rules::{
    Advice, AppliedConversion, GradeAnswer, NoRuleReason, Refusal, RefusalWhy, RefusedConversion,
};
use kaozheng_core::{FeeReason, PayMethod, Payer, XLevel, province, time};

pub fn refusal(r: &Refusal) -> String {
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
            held.en().to_ascii_lowercase()
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
            school_level.en().to_ascii_lowercase(),
            level.en().to_ascii_lowercase()
        ),
        Refusal::Other => {
            "This registration was not accepted; try again later or ask your school".into()
        }
    }
}

pub fn advice(a: &Advice) -> String {
    match a {
        Advice::HoldsHigherLevel { held } => format!(
            "You already hold this certificate at {} level, so a lower level adds little to your \
             record; you may still register",
            held.en().to_ascii_lowercase()
        ),
        Advice::StandardAudience {
            school_level,
            suitable_for,
        } => {
            let audience: Vec<_> = suitable_for
                .iter()
                .map(|l| l.en().to_ascii_lowercase())
                .collect();
            format!(
                "This level's standard is written for {} students and you are a {} student; no \
                 rule stops you, so ask a teacher whether it suits you before registering",
                audience.join(", "),
                school_level.en().to_ascii_lowercase()
            )
        }
    }
}

pub fn payer(p: Payer) -> &'static str {
    match p {
        Payer::Student => "Paid by you",
        Payer::School => "Funded by your school",
        Payer::Waived => "Waived by the evaluation organisation",
        Payer::NotCharged => "Not charged to you",
    }
}

pub fn pay_method(m: PayMethod) -> &'static str {
    match m {
        PayMethod::SchoolCollects => "Collected by your school",
        PayMethod::Online => "Online",
        PayMethod::AtSite => "At the exam site",
    }
}

pub fn fee_reason(r: FeeReason) -> &'static str {
    match r {
        FeeReason::Standard => {
            "No rule of your province or school reduces the exam fee, so you pay the plan's fee"
        }
        FeeReason::HardshipWaiver => {
            "Students from families in financial hardship (such as 建档立卡 households) pay no \
             assessment fee; the evaluation organisation waives it. Your school decides who counts"
        }
        FeeReason::InSchoolFree => {
            "Schools may not charge in-school students anything for certificate exams"
        }
        FeeReason::PilotExamCovered => {
            "Your school funds at least one certificate exam for each pilot student; this one is \
             funded"
        }
        FeeReason::PilotCoverageUsed => {
            "The exams your school funds are used, so you pay this one; whether the school funds \
             more is its decision, so ask it"
        }
        FeeReason::NotPilotStudent => {
            "Your school funds exams for pilot students, and its records do not list you as one, \
             so you pay this one. Ask your school if this is wrong"
        }
    }
}

/// "Intermediate certificate, credit transfer: core course “…”, 4 credits".
pub fn conversion(c: &AppliedConversion) -> String {
    format!(
        "{} certificate, {}: {} “{}”, {} credits",
        c.level.en(),
        c.kind.en(),
        c.course.category.en(),
        c.course.name,
        c.credits
    )
}

pub fn refused_conversion(r: &RefusedConversion) -> String {
    let (name, credits, level) = (&r.course.name, r.course.credits, r.level);
    match &r.why {
        RefusalWhy::LevelTooLow { min_level } => format!(
            "“{name}” needs the {} level or above; yours is {}",
            min_level.en().to_ascii_lowercase(),
            level.en().to_ascii_lowercase()
        ),
        RefusalWhy::CategoryNotAllowed { allowed, .. } if allowed.is_empty() => format!(
            "At this school {} certificate converts no course",
            a_level(level)
        ),
        RefusalWhy::CategoryNotAllowed { category, allowed } => {
            let allowed: Vec<_> = allowed.iter().map(|a| format!("{}s", a.en())).collect();
            format!(
                "{} certificate converts {} only, not the {} “{name}”",
                capitalised(a_level(level)),
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
            counted_level.en().to_ascii_lowercase()
        ),
        RefusalWhy::SimilarCertificateCounted { counted_level, .. } => format!(
            "Same or similar certificates convert once; a similar certificate ({} level) already \
             counts",
            counted_level.en().to_ascii_lowercase()
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
fn a_level(level: XLevel) -> &'static str {
    match level {
        XLevel::Primary => "a primary",
        XLevel::Intermediate => "an intermediate",
        XLevel::Advanced => "an advanced",
    }
}

/// The names are ASCII, so changing case needs no Unicode tables in the app.
fn capitalised(s: &str) -> String {
    let mut s = s.to_string();
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    s
}

/// One line for the student, e.g. "Direct recognition: you can be recognised at grade 3 (senior
/// worker) in the corresponding occupation (type of work)".
pub fn grade_summary(a: &GradeAnswer) -> String {
    match a {
        GradeAnswer::Grade {
            grade,
            occupation,
            route,
            ..
        } => format!(
            "{}: you can be recognised at grade {} ({}) in {}",
            route.en(),
            grade.number(),
            grade.title_en().to_ascii_lowercase(),
            occupation
                .as_deref()
                .unwrap_or("the corresponding occupation (type of work)")
        ),
        GradeAnswer::Described { route, text_en, .. } => format!("{}: {text_en}", route.en()),
        GradeAnswer::NoRule {
            province,
            route,
            reason,
            ..
        } => {
            let province = province::en(province);
            match reason {
                NoRuleReason::NoProvinceRules => format!(
                    "No {} rule is known for {province}, so no grade can be given; the national \
                     five grades and typical application conditions are shown for reference",
                    route.en().to_ascii_lowercase()
                ),
                NoRuleReason::NotYetInForce { effective_from } => format!(
                    "The rules of {province} apply from {}; there was no rule before",
                    time::date_text(*effective_from)
                ),
                NoRuleReason::NotCovered { .. } => format!(
                    "The rules in force in {province} have no {} rule that covers you, so no \
                     grade can be given",
                    route.en().to_ascii_lowercase()
                ),
            }
        }
    }
}

pub fn feedback_error(e: &FeedbackError) -> String {
    match e {
        FeedbackError::RatingOutOfRange { dimension, value } => format!(
            "“{}” is rated {value}; ratings are 1 to 5, so choose again.",
            dimension.en()
        ),
        FeedbackError::CommentTooLong { chars } => format!(
            "The comment has {chars} characters, at most {MAX_COMMENT_CHARS} are allowed; shorten \
             it and submit again."
        ),
        FeedbackError::CommentControlCharacter => {
            "The comment contains special characters that cannot be saved; remove them and submit \
             again (line breaks are fine)."
                .into()
        }
    }
}
