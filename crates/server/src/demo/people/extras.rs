//! The demo's graduation days and feedback: [`RATERS`], students who cannot sign in, with results
//! and ratings on past demo exams, and 张伟's own feedback.

use chrono::{DateTime, Utc};
use kaozheng_core::feedback::Ratings;
use kaozheng_core::time;
use sqlx::AnyConnection;

use super::*;

/// A demo student who cannot sign in, with a result on a past demo exam and feedback on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rater {
    pub student_no: &'static str,
    pub name: &'static str,
    /// The demo exam taken: the publicized or the ended one.
    pub phase: PlanPhase,
    /// Theory and practical scores (pass mark 60).
    pub scores: [&'static str; 2],
    pub ratings: Ratings,
    pub comment: Option<&'static str>,
}

const fn rated(c: u8, j: u8, e: u8) -> Ratings {
    Ratings {
        content_quality: c,
        social_recognition: j,
        learning_effect: e,
    }
}

/// The raters: five on the publicized exam's level (aggregate: content 4.2, jobs 4.4,
/// organisation 3.8), three on the ended exam's level (with 张伟's, four: hidden).
pub const RATERS: [Rater; 8] = [
    Rater {
        student_no: "TJ2023101",
        name: "赵一鸣",
        phase: PlanPhase::Publicized,
        scores: ["82", "77.5"],
        ratings: rated(5, 4, 4),
        comment: Some("实操任务和企业岗位贴得很近，考前培训资料也齐全。"),
    },
    Rater {
        student_no: "TJ2023102",
        name: "钱雨桐",
        phase: PlanPhase::Publicized,
        scores: ["74", "68"],
        ratings: rated(4, 4, 3),
        comment: Some("考场安排有序，但等候时间有点长。"),
    },
    Rater {
        student_no: "TJ2023103",
        name: "孙浩然",
        phase: PlanPhase::Publicized,
        scores: ["91", "88"],
        ratings: rated(4, 5, 4),
        comment: None,
    },
    Rater {
        student_no: "TJ2023104",
        name: "周子涵",
        phase: PlanPhase::Publicized,
        scores: ["56", "63"],
        ratings: rated(3, 4, 4),
        comment: Some("希望多安排几次模拟考试。"),
    },
    Rater {
        student_no: "TJ2023105",
        name: "吴思远",
        phase: PlanPhase::Publicized,
        scores: ["88.5", "90"],
        ratings: rated(5, 5, 4),
        comment: None,
    },
    Rater {
        student_no: "TJ2023106",
        name: "郑佳怡",
        phase: PlanPhase::Ended,
        scores: ["79", "81"],
        ratings: rated(4, 3, 4),
        comment: None,
    },
    Rater {
        student_no: "TJ2023107",
        name: "冯晨阳",
        phase: PlanPhase::Ended,
        scores: ["65", "72.5"],
        ratings: rated(3, 3, 4),
        comment: Some("考点离学校比较远。"),
    },
    Rater {
        student_no: "TJ2023108",
        name: "陈雨萱",
        phase: PlanPhase::Ended,
        scores: ["70", "58"],
        ratings: rated(4, 4, 5),
        comment: None,
    },
];

/// 张伟's feedback on the ended exam's level, which he passed.
const ZHANG_RATINGS: Ratings = rated(5, 4, 5);
const ZHANG_COMMENT: &str = "证书内容和专业课衔接得好，找实习时用得上。";

/// What [`seed_feedback_and_graduation`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtrasReport {
    pub students: usize,
    pub registrations: usize,
    pub results: usize,
    pub feedback: usize,
}

/// Sets every account's graduation day (where none is stored) and writes [`RATERS`] with their
/// registrations, results and feedback, and 张伟's feedback.
pub async fn seed_feedback_and_graduation(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    passwords: &Passwords,
) -> DbResult<ExtrasReport> {
    let mut extras = ExtrasReport::default();
    let today = time::to_china(now).date_naive();
    for a in &ACCOUNTS {
        if let Some(s) = db::students::get(&mut *conn, a.student_no).await?
            && s.graduation_on.is_none()
        {
            let day = today + Duration::days(a.graduates_in_days);
            db::students::set_graduation_on(&mut *conn, a.student_no, Some(day)).await?;
        }
    }

    let plans: Vec<ExamPlan> = db::plans::list(&mut *conn, &db::plans::PlanFilter::default())
        .await?
        .into_iter()
        .filter(|p| p.id.starts_with("demo-"))
        .collect();
    let phase = |ph: PlanPhase| plans.iter().find(|p| p.phase == ph);
    // Nobody knows this password: raters exist for their results and feedback, not to sign in.
    let secret = crate::auth::tokens::hex(&crate::auth::tokens::random_bytes::<32>());
    let hash = passwords.hash_blocking(secret).await;
    let fee_rules = rules::load::<FeeRules>(conn).await?;
    let mut report = PeopleReport::default();
    let mut w = Writer {
        conn,
        now,
        fee_rules,
        report: &mut report,
    };
    let at = |days: i64| {
        let t = now - Duration::days(days);
        DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
    };
    for (i, r) in RATERS.iter().enumerate() {
        let Some(plan) = phase(r.phase) else { continue };
        if db::students::get(&mut *w.conn, r.student_no)
            .await?
            .is_some()
        {
            continue;
        }
        let s = Student {
            student_no: r.student_no.into(),
            name: r.name.into(),
            school: TIANJIN_SCHOOL.into(),
            school_level: SchoolLevel::Higher,
            major: Some("软件技术".into()),
            province: "天津".into(),
            hardship: false,
            pilot: true,
            passed_courses: Vec::new(),
            graduation_on: None,
        };
        db::students::insert(&mut *w.conn, &s, &hash, now.timestamp()).await?;
        extras.students += 1;
        let client_id = format!("demo-{}", r.student_no.to_ascii_lowercase());
        let reg = w.register(&s, plan, &client_id).await?;
        w.result(
            &reg,
            &[(Some(r.scores[0]), "60"), (Some(r.scores[1]), "60")],
            Some(plan),
        )
        .await?;
        let req = FeedbackRequest {
            certificate_id: plan.certificate_id.clone(),
            level: plan.level,
            ratings: r.ratings,
            comment: r.comment.map(str::to_string),
        };
        let fb_client = format!("demo-fb-{}", r.student_no.to_ascii_lowercase());
        db::feedback::apply(
            &mut *w.conn,
            r.student_no,
            &fb_client,
            &req,
            at(i as i64 + 1),
        )
        .await?;
        extras.feedback += 1;
    }
    if let Some(plan) = phase(PlanPhase::Ended) {
        let zhang = ACCOUNTS[2].student_no;
        let has_result = db::results::get(&mut *w.conn, "demo-reg-zhang-ended")
            .await?
            .is_some();
        let rated = db::feedback::get(&mut *w.conn, zhang, &plan.certificate_id, plan.level)
            .await?
            .is_some();
        if has_result && !rated {
            let req = FeedbackRequest {
                certificate_id: plan.certificate_id.clone(),
                level: plan.level,
                ratings: ZHANG_RATINGS,
                comment: Some(ZHANG_COMMENT.into()),
            };
            db::feedback::apply(&mut *w.conn, zhang, "demo-fb-zhang-ended", &req, at(3)).await?;
            extras.feedback += 1;
        }
    }
    extras.registrations = report.registrations;
    extras.results = report.results;
    Ok(extras)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raters_show_the_feedback_threshold_and_are_never_accounts() {
        let on = |ph: PlanPhase| RATERS.iter().filter(|r| r.phase == ph).count();
        assert_eq!(
            on(PlanPhase::Publicized),
            kaozheng_core::feedback::MIN_RESPONDENTS
        );
        // With 张伟's, one short of the threshold.
        assert_eq!(
            on(PlanPhase::Ended) + 1,
            kaozheng_core::feedback::MIN_RESPONDENTS - 1
        );
        let publicized: Vec<Ratings> = RATERS
            .iter()
            .filter(|r| r.phase == PlanPhase::Publicized)
            .map(|r| r.ratings)
            .collect();
        let a = kaozheng_core::feedback::aggregate(&publicized).unwrap();
        assert_eq!(
            (
                a.count,
                a.content_quality,
                a.social_recognition,
                a.learning_effect
            ),
            (5, 42, 44, 38)
        );
        for r in &RATERS {
            assert!(r.ratings.validate().is_ok(), "{}", r.student_no);
            assert!(
                ACCOUNTS.iter().all(|a| a.student_no != r.student_no),
                "{} is printed as an account",
                r.student_no
            );
            assert!(!crate::demo_credentials().contains(r.student_no));
            assert!(!crate::demo_credentials().contains(r.name));
            if let Some(c) = r.comment {
                assert_eq!(
                    kaozheng_core::feedback::normalize_comment(Some(c)),
                    Ok(Some(c.to_string()))
                );
            }
        }
    }
}
