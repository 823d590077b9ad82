//! Certificate quality feedback (seed 002's 1+X 证书质量评价系统): after a result is published, a
//! student rates that certificate level on the notice's three points, “以证书的社会认可度、证书内容
//! 质量和学生的学习效果反馈为切入点” (1–5 each), with an optional plain-text comment. One feedback per student per
//! certificate level; a new one replaces the old. Others see only aggregates, and only once
//! [`MIN_RESPONDENTS`] students answered, so no single student's answer can be read off.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{ExamResult, XLevel};
use crate::time::cst;

/// Where the three points come from (seed 002), shown on the form.
pub fn source() -> crate::rules::Citation {
    crate::rules::Citation {
        title: "市教委关于深入推进1+X证书制度试点工作的通知".into(),
        issuer: "天津市教育委员会".into(),
        document_no: Some("津教职函〔2021〕46号".into()),
        issued_on: None,
        url: None,
        quote: "以证书的社会认可度、证书内容质量和学生的学习效果反馈为切入点，以学生、试点院校、培训教师及用人单位为被调查对象，对各个评价组织发布的 X 证书质量进行定性和定量的综合评定。".into(),
        added: Vec::new(),
    }
}

/// Aggregates are shown from this many respondents on, never below.
pub const MIN_RESPONDENTS: usize = 5;
/// Longest comment, in characters, as sent.
pub const MAX_COMMENT_CHARS: usize = 500;
pub const MIN_RATING: u8 = 1;
pub const MAX_RATING: u8 = 5;

/// What a student rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    SocialRecognition,
    ContentQuality,
    LearningEffect,
}

impl Dimension {
    /// In the notice's order.
    pub const ALL: [Dimension; 3] = [
        Dimension::SocialRecognition,
        Dimension::ContentQuality,
        Dimension::LearningEffect,
    ];

    /// The JSON field name.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::ContentQuality => "content_quality",
            Dimension::SocialRecognition => "social_recognition",
            Dimension::LearningEffect => "learning_effect",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Dimension::ContentQuality => "证书内容质量",
            Dimension::SocialRecognition => "证书的社会认可度",
            Dimension::LearningEffect => "你的学习效果",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Dimension::ContentQuality => "content quality",
            Dimension::SocialRecognition => "recognition by employers and society",
            Dimension::LearningEffect => "what you learned",
        }
    }
}

/// One student's ratings, each 1–5. Exactly these three fields: a misspelt one in a request is
/// refused, not ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ratings {
    pub social_recognition: u8,
    pub content_quality: u8,
    pub learning_effect: u8,
}

impl Ratings {
    pub fn get(&self, d: Dimension) -> u8 {
        match d {
            Dimension::ContentQuality => self.content_quality,
            Dimension::SocialRecognition => self.social_recognition,
            Dimension::LearningEffect => self.learning_effect,
        }
    }

    /// The first rating outside 1–5, if any.
    pub fn validate(&self) -> Result<(), FeedbackError> {
        match Dimension::ALL
            .into_iter()
            .find(|&d| !(MIN_RATING..=MAX_RATING).contains(&self.get(d)))
        {
            Some(dimension) => Err(FeedbackError::RatingOutOfRange {
                dimension,
                value: self.get(dimension),
            }),
            None => Ok(()),
        }
    }
}

/// A student's feedback on one certificate level, as the server stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub certificate_id: String,
    pub level: XLevel,
    pub ratings: Ratings,
    /// Plain text, trimmed; `None` when the student wrote nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(with = "cst")]
    pub updated_at: DateTime<Utc>,
}

/// Why feedback cannot be accepted: a stable code and the facts a message needs (the app and the
/// server word it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackError {
    RatingOutOfRange {
        dimension: Dimension,
        value: u8,
    },
    /// More than [`MAX_COMMENT_CHARS`] characters.
    CommentTooLong {
        chars: usize,
    },
    /// Control characters other than line breaks.
    CommentControlCharacter,
}

impl FeedbackError {
    /// A stable code for the API and the app.
    pub fn code(&self) -> &'static str {
        match self {
            FeedbackError::RatingOutOfRange { .. } => "rating_out_of_range",
            FeedbackError::CommentTooLong { .. } => "comment_too_long",
            FeedbackError::CommentControlCharacter => "comment_invalid",
        }
    }
}

/// The comment as stored: at most [`MAX_COMMENT_CHARS`] characters as sent, no control characters
/// but line breaks (`\n`), trimmed, and `None` when nothing is left.
pub fn normalize_comment(raw: Option<&str>) -> Result<Option<String>, FeedbackError> {
    let Some(raw) = raw else { return Ok(None) };
    let chars = raw.chars().count();
    if chars > MAX_COMMENT_CHARS {
        return Err(FeedbackError::CommentTooLong { chars });
    }
    if raw.chars().any(|c| c.is_control() && c != '\n') {
        return Err(FeedbackError::CommentControlCharacter);
    }
    let trimmed = raw.trim();
    Ok((!trimmed.is_empty()).then(|| trimmed.to_string()))
}

/// Checks the ratings and returns the comment as stored (see [`normalize_comment`]).
pub fn validate(ratings: &Ratings, comment: Option<&str>) -> Result<Option<String>, FeedbackError> {
    ratings.validate()?;
    normalize_comment(comment)
}

/// Whether the student may rate this certificate level: they have a result for it that is
/// published (the plan is publicized or ended), passed or not.
pub fn can_rate(results: &[ExamResult], certificate_id: &str, level: XLevel) -> bool {
    results.iter().any(|r| {
        r.certificate_id == certificate_id && r.level == level && r.state.results_visible()
    })
}

/// Puts `feedback` into a student's list, replacing their earlier one for the same level: one
/// feedback per student per certificate level.
pub fn upsert(list: &mut Vec<Feedback>, feedback: Feedback) {
    match list
        .iter_mut()
        .find(|f| f.certificate_id == feedback.certificate_id && f.level == feedback.level)
    {
        Some(old) => *old = feedback,
        None => list.push(feedback),
    }
}

/// What many students said about one certificate level: the count and each dimension's mean in
/// tenths (42 means 4.2), rounded half up with integer arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    pub count: u32,
    pub social_recognition: u8,
    pub content_quality: u8,
    pub learning_effect: u8,
}

impl Aggregate {
    pub fn mean_tenths(&self, d: Dimension) -> u8 {
        match d {
            Dimension::ContentQuality => self.content_quality,
            Dimension::SocialRecognition => self.social_recognition,
            Dimension::LearningEffect => self.learning_effect,
        }
    }
}

/// `4.2` for 42 tenths, without float formatting.
pub fn tenths_text(tenths: u8) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// The aggregate of `ratings`; `None` below [`MIN_RESPONDENTS`].
pub fn aggregate(ratings: &[Ratings]) -> Option<Aggregate> {
    let mut sums = [0u64; 3];
    for r in ratings {
        for (sum, d) in sums.iter_mut().zip(Dimension::ALL) {
            *sum += u64::from(r.get(d));
        }
    }
    aggregate_sums(ratings.len() as u64, sums)
}

/// The aggregate from a count and the per-dimension sums in [`Dimension::ALL`] order (what a
/// database adds up); `None` below
/// [`MIN_RESPONDENTS`] or when a sum cannot come from ratings of 1–5.
pub fn aggregate_sums(count: u64, sums: [u64; 3]) -> Option<Aggregate> {
    if count < MIN_RESPONDENTS as u64 {
        return None;
    }
    let valid =
        |s: u64| (count * u64::from(MIN_RATING)..=count * u64::from(MAX_RATING)).contains(&s);
    if !sums.iter().all(|&s| valid(s)) {
        return None;
    }
    // round(sum * 10 / count), half up.
    let mean = |s: u64| ((s * 20 + count) / (2 * count)) as u8;
    Some(Aggregate {
        count: u32::try_from(count).unwrap_or(u32::MAX),
        social_recognition: mean(sums[0]),
        content_quality: mean(sums[1]),
        learning_effect: mean(sums[2]),
    })
}

/// One level's aggregate in `GET /api/v1/feedback/aggregates`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelAggregate {
    pub level: XLevel,
    pub aggregate: Aggregate,
}

/// `GET /api/v1/feedback/aggregates?certificate_id=`: the levels with enough respondents, ascending;
/// levels with fewer are left out, without their count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateAggregates {
    pub certificate_id: String,
    /// [`MIN_RESPONDENTS`], so the app can say when a level's aggregate will show.
    pub min_respondents: u32,
    pub levels: Vec<LevelAggregate>,
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::PlanState;

    fn r(c: u8, j: u8, e: u8) -> Ratings {
        Ratings {
            content_quality: c,
            social_recognition: j,
            learning_effect: e,
        }
    }

    /// Seed 002: “以证书的社会认可度、证书内容质量和学生的学习效果反馈为切入点”.
    #[test]
    fn seed_002_asks_about_recognition_content_and_learning_in_that_order() {
        let seed = include_str!("../../../data/source/seeds/002.txt");
        assert!(seed.contains("以证书的社会认可度、证书内容质量和学生的学习效果反馈为切入点"));
        assert!(seed.contains(&source().quote));
        assert!(seed.contains(&source().title.replace("制度试点", "制度 试点")));
        let zh: Vec<_> = Dimension::ALL.iter().map(|d| d.zh()).collect();
        assert_eq!(zh, ["证书的社会认可度", "证书内容质量", "你的学习效果"]);
        let json: Vec<_> = Dimension::ALL.iter().map(|d| d.as_str()).collect();
        assert_eq!(
            json,
            ["social_recognition", "content_quality", "learning_effect"]
        );
    }

    #[test]
    fn aggregates_show_from_five_respondents_exactly() {
        let four = vec![r(5, 4, 3); 4];
        assert_eq!(aggregate(&four), None);
        assert_eq!(aggregate(&[]), None);
        let mut five = four.clone();
        five.push(r(1, 4, 3));
        assert_eq!(
            aggregate(&five),
            Some(Aggregate {
                count: 5,
                content_quality: 42,
                social_recognition: 40,
                learning_effect: 30,
            })
        );
        assert_eq!(MIN_RESPONDENTS, 5);
    }

    #[test]
    fn means_round_half_up_in_tenths() {
        // Content 4·4 + 5 + 5 = 26 / 6 = 4.33 → 43; recognition 4·4 + 4 + 3 = 23 / 6 = 3.83 → 38;
        // learning 4·1 + 1 + 2 = 7 / 6 = 1.17 → 12.
        let mut v = vec![r(4, 4, 1); 4];
        v.push(r(5, 4, 1));
        v.push(r(5, 3, 2));
        let a = aggregate(&v).unwrap();
        assert_eq!(
            (
                a.count,
                a.content_quality,
                a.social_recognition,
                a.learning_effect
            ),
            (6, 43, 38, 12)
        );
        // 4.25 rounds up to 43, 4.15 (83 / 20 = 4.15) up to 42.
        // Sums come in the notice's order: social recognition, content, learning.
        assert_eq!(
            aggregate_sums(20, [85, 83, 100])
                .unwrap()
                .social_recognition,
            43
        );
        assert_eq!(
            aggregate_sums(20, [85, 83, 100]).unwrap().content_quality,
            42
        );
        assert_eq!(
            aggregate_sums(20, [85, 83, 100]).unwrap().learning_effect,
            50
        );
        assert_eq!(tenths_text(42), "4.2");
        assert_eq!(tenths_text(50), "5.0");
        // Sums no ratings of 1–5 could give are refused rather than shown.
        assert_eq!(aggregate_sums(5, [4, 10, 10]), None);
        assert_eq!(aggregate_sums(5, [26, 10, 10]), None);
        assert_eq!(aggregate_sums(4, [20, 20, 20]), None);
    }

    #[test]
    fn ratings_are_one_to_five() {
        assert_eq!(r(1, 5, 3).validate(), Ok(()));
        for (bad, dim, value) in [
            (r(0, 3, 3), Dimension::ContentQuality, 0),
            (r(3, 6, 3), Dimension::SocialRecognition, 6),
            (r(3, 3, 255), Dimension::LearningEffect, 255),
        ] {
            let e = bad.validate().unwrap_err();
            assert_eq!(
                e,
                FeedbackError::RatingOutOfRange {
                    dimension: dim,
                    value
                }
            );
            assert_eq!(e.code(), "rating_out_of_range");
        }
    }

    #[test]
    fn comments_are_trimmed_plain_text_of_at_most_500_characters() {
        assert_eq!(normalize_comment(None), Ok(None));
        assert_eq!(normalize_comment(Some("  \n ")), Ok(None));
        assert_eq!(
            normalize_comment(Some("  考试组织很好\n实操设备够用 ")),
            Ok(Some("考试组织很好\n实操设备够用".into()))
        );
        let max = "评".repeat(MAX_COMMENT_CHARS);
        assert_eq!(normalize_comment(Some(&max)), Ok(Some(max.clone())));
        let over = format!("{max}好");
        assert_eq!(
            normalize_comment(Some(&over)),
            Err(FeedbackError::CommentTooLong { chars: 501 })
        );
        // The limit is on the text as sent, so a form's maxlength of 500 always fits.
        let padded = format!("{} ", "a".repeat(MAX_COMMENT_CHARS));
        assert!(normalize_comment(Some(&padded)).is_err());
        for bad in [
            "a\tb",
            "a\r\nb",
            "a\u{0}b",
            "\u{7f}",
            "a\u{85}b",
            "\u{1b}[31m",
        ] {
            let e = normalize_comment(Some(bad)).unwrap_err();
            assert_eq!(e, FeedbackError::CommentControlCharacter, "{bad:?}");
            assert_eq!(e.code(), "comment_invalid");
        }
        assert_eq!(
            validate(&r(0, 1, 1), Some("\u{0}")).unwrap_err().code(),
            "rating_out_of_range",
            "ratings are checked first"
        );
        assert_eq!(validate(&r(2, 2, 2), Some(" 好 ")), Ok(Some("好".into())));
    }

    fn result(cert: &str, level: XLevel, state: PlanState) -> ExamResult {
        ExamResult {
            registration_id: "r".into(),
            plan_id: "p".into(),
            plan_name: "n".into(),
            certificate_id: cert.into(),
            level,
            state,
            modules: Vec::new(),
            passed: false,
            certificate_no: None,
            issued_on: None,
            certificate_check: String::new(),
        }
    }

    #[test]
    fn only_a_published_result_of_that_level_allows_feedback() {
        let results = vec![
            result("bim", XLevel::Primary, PlanState::Ended),
            result("web", XLevel::Intermediate, PlanState::Scoring),
            result("iot", XLevel::Advanced, PlanState::Publicized),
        ];
        assert!(can_rate(&results, "bim", XLevel::Primary));
        assert!(can_rate(&results, "iot", XLevel::Advanced));
        assert!(
            !can_rate(&results, "bim", XLevel::Intermediate),
            "another level"
        );
        assert!(
            !can_rate(&results, "web", XLevel::Intermediate),
            "still scoring"
        );
        assert!(!can_rate(&results, "nope", XLevel::Primary));
        assert!(!can_rate(&[], "bim", XLevel::Primary));
    }

    #[test]
    fn one_feedback_per_student_per_level_the_latest_wins() {
        let at = |d| Utc.with_ymd_and_hms(2026, 11, d, 2, 0, 0).unwrap();
        let fb = |cert: &str, level, c, day| Feedback {
            certificate_id: cert.into(),
            level,
            ratings: r(c, 3, 3),
            comment: None,
            updated_at: at(day),
        };
        let mut list = Vec::new();
        upsert(&mut list, fb("bim", XLevel::Primary, 2, 1));
        upsert(&mut list, fb("bim", XLevel::Intermediate, 3, 2));
        upsert(&mut list, fb("bim", XLevel::Primary, 5, 3));
        upsert(&mut list, fb("web", XLevel::Primary, 4, 4));
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].ratings.content_quality, 5);
        assert_eq!(list[0].updated_at, at(3));
        assert_eq!(list[1].level, XLevel::Intermediate);
    }

    #[test]
    fn json_shapes_are_stable() {
        let f = Feedback {
            certificate_id: "bim".into(),
            level: XLevel::Primary,
            ratings: r(5, 4, 3),
            comment: Some("好".into()),
            updated_at: Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap(),
        };
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "certificate_id": "bim", "level": "primary",
                "ratings": {"content_quality": 5, "social_recognition": 4, "learning_effect": 3},
                "comment": "好", "updated_at": "2026-11-22T10:00:00+08:00"
            })
        );
        assert_eq!(serde_json::from_value::<Feedback>(v).unwrap(), f);
        let none = Feedback { comment: None, ..f };
        assert!(
            serde_json::to_value(&none)
                .unwrap()
                .get("comment")
                .is_none()
        );
        for d in Dimension::ALL {
            assert_eq!(
                serde_json::to_value(d).unwrap(),
                serde_json::Value::from(d.as_str())
            );
        }
    }
}
