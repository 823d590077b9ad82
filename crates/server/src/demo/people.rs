//! The demo students, their registrations and their results.
//!
//! Each school shows the cited rules of its own province (`data/rules/fees.json`), no other's:
//! 示例职业技术学院 (天津: the school funds at least one exam of each pilot student, 津教职函〔2021〕46号)
//! has a 高职, a 中职 and a 家庭经济困难 pilot student (Tianjin has no hardship waiver, so the
//! funded exam applies) and a 本科 student who is not in the pilot (so pays);
//! 河南示例中等职业学校 has a 中职 student, whom Henan's rule forbids charging (seed 001);
//! 山西示例职业技术学院 has a 家庭经济困难 student, whose fee the evaluation organisation waives
//! (晋教职成〔2020〕9号). 王晓明 and 张伟 have registrations and results, written directly (past
//! exams could not be registered for now) with fees decided by the same core rule the API uses;
//! the others start with none, so registering shows their rules as they apply.
//!
//! 王晓明 and 张伟 have passed courses too, codes of the example credit table
//! (`data/rules/credits.json`, 示例职业技术学院): 建筑施工图制图与识图 (JZ201) exempts both from the
//! theory module of BIM 初级, whose demo plan is open; 张伟 also passed 工业机器人现场编程 (JQ201),
//! which his 工业机器人应用编程 高级 certificate would otherwise convert, so his credit bank shows
//! that conversion refused as a course already passed; Linux操作系统 (YJ101) exempts 王晓明 from
//! the theory module of 云计算平台运维与开发 中级.
//!
//! [`seed_feedback_and_graduation`] adds what the graduation requirement and certificate feedback
//! need: every account's graduation day (王晓明 in 39 days, 李静 in 220: seeded on 2026-11-22,
//! 2026-12-31 and 2027-06-30), and [`RATERS`], students who cannot sign in (their password is
//! random and never printed), who sat the publicized and ended demo exams and rated them: five
//! on the publicized level, so its aggregate shows, and three plus 张伟 on the ended level, one
//! short of showing.

use chrono::{DateTime, Duration, Utc};
use kaozheng_core::model::{ModuleResult, Registration, RegistrationStatus, Score, Student};
use kaozheng_core::rules::{FeeRules, fee_for};
use kaozheng_core::{ExamPlan, Module, PlanPhase, PlanState, SchoolLevel, time};
use sqlx::AnyConnection;

use super::PASSWORD;
use crate::auth::password::Passwords;
use crate::db::feedback::FeedbackRequest;
use crate::db::results::StoredResult;
use crate::db::{self, DbResult};
use crate::registrations::ticket_number;
use crate::rules;

pub const TIANJIN_SCHOOL: &str = "示例职业技术学院";
pub const HENAN_SCHOOL: &str = "河南示例中等职业学校";
pub const SHANXI_SCHOOL: &str = "山西示例职业技术学院";

/// A demo account as printed at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub student_no: &'static str,
    pub name: &'static str,
    pub school: &'static str,
    pub school_level: SchoolLevel,
    pub hardship: bool,
    /// 试点学生 of the school's 1+X pilot.
    pub pilot: bool,
    /// Course codes of the example credit table the student passed.
    pub passed_courses: &'static [&'static str],
    /// What this account shows in the demo.
    pub shows: &'static str,
    /// Days from the demo's first day (UTC+8) to the account's graduation day.
    pub graduates_in_days: i64,
}

/// Every demo account; all use [`PASSWORD`].
pub const ACCOUNTS: [Account; 6] = [
    Account {
        student_no: "TJ2024001",
        name: "王晓明",
        school: TIANJIN_SCHOOL,
        school_level: SchoolLevel::Higher,
        hardship: false,
        pilot: true,
        passed_courses: &["JZ201", "YJ101"],
        shows: "高职: published results (passed, failed), one in scoring (hidden), a registration whose exam clashes with another open plan, passed courses that exempt exam modules; graduates within weeks, requirement met",
        graduates_in_days: 39,
    },
    Account {
        student_no: "TJ2024002",
        name: "李静",
        school: TIANJIN_SCHOOL,
        school_level: SchoolLevel::Secondary,
        hardship: false,
        pilot: true,
        passed_courses: &[],
        shows: "中职 pilot student: no registrations yet; may register for every level, 高级 included (seed 004); the school funds at least one exam; one certificate still needed before graduating",
        graduates_in_days: 220,
    },
    Account {
        student_no: "TJ2024003",
        name: "张伟",
        school: TIANJIN_SCHOOL,
        school_level: SchoolLevel::Undergraduate,
        hardship: false,
        pilot: false,
        passed_courses: &["JQ201", "JZ201"],
        shows: "本科, not a pilot student (pays): a passed certificate with its number; credits converted from it, one refused as a course already passed; a module exemption; feedback on that certificate level",
        graduates_in_days: 586,
    },
    Account {
        student_no: "TJ2024004",
        name: "刘芳",
        school: TIANJIN_SCHOOL,
        school_level: SchoolLevel::Higher,
        hardship: true,
        pilot: true,
        passed_courses: &[],
        shows: "高职, 家庭经济困难 pilot student in Tianjin: no waiver rule in Tianjin, so the school-funded exam applies, then the fee",
        graduates_in_days: 220,
    },
    Account {
        student_no: "HA2024001",
        name: "陈晨",
        school: HENAN_SCHOOL,
        school_level: SchoolLevel::Secondary,
        hardship: false,
        pilot: false,
        passed_courses: &[],
        shows: "中职 in Henan: no registrations yet; never charged (Henan forbids charging in-school students); Henan's grade rules",
        graduates_in_days: 220,
    },
    Account {
        student_no: "SX2024001",
        name: "赵磊",
        school: SHANXI_SCHOOL,
        school_level: SchoolLevel::Higher,
        hardship: true,
        pilot: true,
        passed_courses: &[],
        shows: "高职, 家庭经济困难 in Shanxi: no registrations yet; the evaluation organisation waives every exam fee (晋教职成〔2020〕9号)",
        graduates_in_days: 220,
    },
];

/// The province of a demo school.
fn province_of(school: &str) -> &'static str {
    match school {
        HENAN_SCHOOL => "河南",
        SHANXI_SCHOOL => "山西",
        _ => "天津",
    }
}

pub fn student(a: &Account) -> Student {
    Student {
        student_no: a.student_no.into(),
        name: a.name.into(),
        school: a.school.into(),
        school_level: a.school_level,
        major: Some(
            match a.school_level {
                SchoolLevel::Secondary => "计算机应用",
                SchoolLevel::Undergraduate => "软件工程",
                _ => "软件技术",
            }
            .into(),
        ),
        province: province_of(a.school).into(),
        hardship: a.hardship,
        pilot: a.pilot,
        passed_courses: a.passed_courses.iter().map(|c| c.to_string()).collect(),
        // Set by seed_feedback_and_graduation, which knows the demo's first day.
        graduation_on: None,
    }
}

/// What [`seed`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeopleReport {
    pub students: usize,
    pub registrations: usize,
    pub results: usize,
}

/// Writes the demo students (those not stored yet), their registrations on the demo plans and
/// their results.
pub async fn seed(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    passwords: &Passwords,
) -> DbResult<PeopleReport> {
    let mut report = PeopleReport::default();
    let hash = passwords.hash_blocking(PASSWORD.to_string()).await;
    for a in &ACCOUNTS {
        match db::students::get(&mut *conn, a.student_no).await? {
            None => {
                // One hash for all: every demo account has the same, published password.
                db::students::insert(&mut *conn, &student(a), &hash, now.timestamp()).await?;
                report.students += 1;
            }
            // A demo stored before pilot students were recorded gets its accounts' flags.
            Some(mut stored) if stored.pilot != a.pilot => {
                stored.pilot = a.pilot;
                db::students::update_profile(&mut *conn, &stored).await?;
            }
            Some(_) => {}
        }
    }

    let plans: Vec<ExamPlan> = db::plans::list(&mut *conn, &db::plans::PlanFilter::default())
        .await?
        .into_iter()
        .filter(|p| p.id.starts_with("demo-"))
        .collect();
    let fee_rules = rules::load::<FeeRules>(conn).await?;
    let mut w = Writer {
        conn,
        now,
        fee_rules,
        report: &mut report,
    };
    let phase = |ph: PlanPhase| plans.iter().find(|p| p.phase == ph);
    // Open plans with more than one seat (the demo's last seat stays for visitors to take).
    let open: Vec<&ExamPlan> = plans
        .iter()
        .filter(|p| p.state_at(now) == PlanState::Open && p.seats_left > 1)
        .collect();
    let clash = open.iter().enumerate().find_map(|(i, a)| {
        open[i + 1..]
            .iter()
            .find(|b| a.exam_starts_at < b.exam_ends_at && b.exam_starts_at < a.exam_ends_at)
            .map(|_| *a)
    });
    // 李静, 刘芳, 陈晨 and 赵磊 start without registrations: registering shows their rules (the
    // funded exam, Henan's ban on charging, Shanxi's hardship waiver) as they happen.
    let [wang, _li, zhang, _liu, _chen, _zhao] = ACCOUNTS.each_ref().map(student);

    // 王晓明: failed long ago (the school funded that exam), passed recently, one being
    // scored, and one upcoming exam that clashes with another open plan.
    if let Some(p) = phase(PlanPhase::Ended) {
        let r = w.register(&wang, p, "demo-wang-ended").await?;
        w.result(&r, &[(Some("52.5"), "60"), (Some("71"), "60")], None)
            .await?;
    }
    if let Some(p) = phase(PlanPhase::Publicized) {
        let r = w.register(&wang, p, "demo-wang-publicized").await?;
        w.result(&r, &[(Some("86.5"), "60"), (Some("78"), "60")], Some(p))
            .await?;
    }
    if let Some(p) = phase(PlanPhase::Scoring) {
        let r = w.register(&wang, p, "demo-wang-scoring").await?;
        // Theory scored, practical not yet: hidden while the plan is in scoring.
        w.result(&r, &[(Some("88"), "60"), (None, "60")], None)
            .await?;
    }
    if let Some(p) = clash {
        w.register(&wang, p, "demo-wang-open").await?;
    }
    // 张伟: passed the ended exam.
    if let Some(p) = phase(PlanPhase::Ended) {
        let r = w.register(&zhang, p, "demo-zhang-ended").await?;
        w.result(&r, &[(Some("91"), "60"), (Some("85.5"), "60")], Some(p))
            .await?;
    }
    Ok(report)
}

mod extras;
pub use extras::{ExtrasReport, RATERS, Rater, seed_feedback_and_graduation};

struct Writer<'a> {
    conn: &'a mut AnyConnection,
    now: DateTime<Utc>,
    fee_rules: Option<FeeRules>,
    report: &'a mut PeopleReport,
}

impl Writer<'_> {
    /// A confirmed registration made the day after the window opened (or an hour ago, if that is
    /// still ahead), with a seat, a ticket and the fee the rules decide.
    async fn register(
        &mut self,
        s: &Student,
        plan: &ExamPlan,
        client_id: &str,
    ) -> DbResult<Registration> {
        let created_at =
            (plan.window_opens_at + Duration::days(1)).min(self.now - Duration::hours(1));
        let created_at = DateTime::from_timestamp(created_at.timestamp(), 0).unwrap_or(created_at);
        let existing = db::registrations::for_student(&mut *self.conn, &s.student_no).await?;
        let seat = db::plans::take_seat(&mut *self.conn, &plan.id)
            .await?
            .ok_or_else(|| {
                db::DbError::Corrupt(format!("demo plan {} has no seat left", plan.id))
            })?;
        let reg = Registration {
            id: format!("demo-reg-{}", &client_id["demo-".len()..]),
            client_id: client_id.to_string(),
            plan_id: plan.id.clone(),
            certificate_id: plan.certificate_id.clone(),
            level: plan.level,
            status: RegistrationStatus::Confirmed,
            ticket_no: ticket_number(plan.exam_starts_at, seat),
            // Computed whenever the registration is read (see crate::tickets), never stored.
            ticket_check: String::new(),
            fee: fee_for(plan, s, self.fee_rules.as_ref(), &existing, created_at),
            exam_starts_at: plan.exam_starts_at,
            exam_ends_at: plan.exam_ends_at,
            created_at,
            cancelled_at: None,
            fee_paid_at: None,
        };
        // Paid the day after registering, for exams already sat; coming exams still owe it, so
        // the demo shows both.
        let reg = Registration {
            fee_paid_at: (reg.fee.student_pays_fen > 0 && plan.exam_starts_at <= self.now)
                .then(|| (created_at + Duration::days(1)).min(plan.exam_starts_at)),
            ..reg
        };
        db::registrations::insert(&mut *self.conn, &s.student_no, &reg).await?;
        self.report.registrations += 1;
        Ok(reg)
    }

    /// A result with theory (and practical, when given) scores against their pass marks (`None`:
    /// not scored yet); a passed result on `certified_by` gets a certificate number issued 30 days
    /// after the exam.
    async fn result(
        &mut self,
        reg: &Registration,
        scores: &[(Option<&str>, &str)],
        certified_by: Option<&ExamPlan>,
    ) -> DbResult<()> {
        let modules: Vec<ModuleResult> = scores
            .iter()
            .zip([Module::Theory, Module::Practical])
            .map(|((score, pass), module)| ModuleResult {
                module,
                score: score.and_then(Score::parse),
                pass_mark: Score::parse(pass).expect("demo pass marks are valid"),
                exempted: false,
            })
            .collect();
        let mut result = StoredResult {
            registration_id: reg.id.clone(),
            modules,
            certificate_no: None,
            issued_on: None,
        };
        if let Some(plan) = certified_by.filter(|_| result.passed()) {
            result.certificate_no = Some(format!("DEMO{}", reg.ticket_no));
            let issued = time::to_china(plan.exam_ends_at + Duration::days(30)).date_naive();
            result.issued_on = Some(issued.min(time::to_china(self.now).date_naive()));
        }
        db::results::upsert(&mut *self.conn, &result, self.now.timestamp()).await?;
        self.report.results += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_school_level_and_each_provinces_rule_shows() {
        let students: Vec<Student> = ACCOUNTS.iter().map(student).collect();
        for level in [
            SchoolLevel::Secondary,
            SchoolLevel::Higher,
            SchoolLevel::Undergraduate,
        ] {
            assert!(
                students.iter().any(|s| s.school_level == level),
                "{level:?}"
            );
        }
        // A hardship student where a rule waives the fee (Shanxi) and where none does (Tianjin).
        let hardship: Vec<&str> = students
            .iter()
            .filter(|s| s.hardship)
            .map(|s| s.province.as_str())
            .collect();
        assert_eq!(hardship, ["天津", "山西"]);
        let henan: Vec<&Student> = students.iter().filter(|s| s.province == "河南").collect();
        assert_eq!(henan.len(), 1);
        assert_eq!(henan[0].school, HENAN_SCHOOL);
        // A pilot student and one who is not, in the same school.
        assert!(
            students
                .iter()
                .any(|s| s.school == TIANJIN_SCHOOL && s.pilot)
        );
        assert!(
            students
                .iter()
                .any(|s| s.school == TIANJIN_SCHOOL && !s.pilot)
        );
        assert!(students.iter().all(|s| s.in_school()));
        assert!(crate::auth::password::check_policy(PASSWORD).is_ok());
    }

    #[test]
    fn demo_courses_are_courses_of_the_schools_example_table() {
        use crate::rules::RuleDocument;
        let table: kaozheng_core::rules::CreditRules =
            serde_json::from_str(kaozheng_core::rules::CreditRules::SHIPPED).unwrap();
        let mut with_courses = 0;
        for s in ACCOUNTS.iter().map(student) {
            if s.passed_courses.is_empty() {
                continue;
            }
            with_courses += 1;
            let policy = table
                .policy_for(&s.school, s.major.as_deref())
                .unwrap_or_else(|| panic!("no table for {}", s.school));
            for code in &s.passed_courses {
                let known = policy.conversions.iter().any(|c| c.course.code == *code)
                    || policy.exemptions.iter().any(|e| e.course_code == *code);
                assert!(
                    known,
                    "{} passed {code}, unknown to the table",
                    s.student_no
                );
            }
        }
        assert_eq!(with_courses, 2);
    }
}
