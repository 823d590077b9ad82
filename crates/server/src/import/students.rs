//! Students: CSV `student_no,name,school,school_level,major,province,hardship,pilot,
//! passed_courses,graduation_on,password` or a JSON array of the API's `Student` plus `password`.
//!
//! `province` is any name of one of the 31 provinces (`河南`, `河南省`, `Henan`) and is stored as
//! its code, so the province's rules find the student; an unknown one rejects the row. `hardship`
//! marks 家庭经济困难学生 as the school identifies them; `pilot` (试点学生) marks students in the
//! school's 1+X pilot, and like `passed_courses` it is kept when the file has no such column.
//!
//! `passed_courses` (course codes separated by `;` in CSV, an array in JSON) comes from the
//! school's records: when the column or field is there it replaces the stored codes (an empty cell
//! clears them); when it is not, the stored codes stay, so a roster exported without them never
//! erases what the credit bank relies on. `graduation_on` (`YYYY-MM-DD`, the expected graduation
//! day the graduation requirement counts down to) works the same way: present replaces (empty
//! clears), absent keeps.
//!
//! `password` is the initial password of a new student (hashed with argon2 here, never stored or
//! logged in clear); for a student already stored it is ignored, so importing the roster again
//! changes nothing and never resets anyone's password (`kaozheng-server student-password` does).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use kaozheng_core::SchoolLevel;
use kaozheng_core::model::Student;
use serde::Deserialize;

use sqlx::AnyConnection;

use super::read::{self, Columns, Parsed, check_id, check_text, de};
use super::{Ctx, Format, ImportReport, Importer, Rejection, scope};
use crate::auth::password;
use crate::db::{self, DbResult};

pub const COLUMNS: Columns = Columns {
    required: &["student_no", "name", "school", "school_level", "province"],
    optional: &[
        "major",
        "hardship",
        "pilot",
        "passed_courses",
        "graduation_on",
        "password",
    ],
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    student_no: String,
    name: String,
    school: String,
    #[serde(deserialize_with = "school_level")]
    school_level: SchoolLevel,
    #[serde(default, deserialize_with = "de::opt_text")]
    major: Option<String>,
    province: String,
    #[serde(default, deserialize_with = "de::flag")]
    hardship: bool,
    /// `None` when the file does not say (keep what is stored).
    #[serde(default, deserialize_with = "present_flag")]
    pilot: Option<bool>,
    /// `None` when the file does not say (keep what is stored).
    #[serde(default, deserialize_with = "de::present_list")]
    passed_courses: Option<Vec<String>>,
    /// `None` when the file does not say (keep what is stored); `Some(None)` clears it.
    #[serde(default, deserialize_with = "present_date")]
    graduation_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "de::opt_text")]
    password: Option<String>,
}

/// Longest course code accepted.
const MAX_COURSE_CODE: usize = 32;

/// Checks every course code (non-empty, no formula start, no `;`, which separates codes in CSV)
/// and returns them sorted without duplicates, as they are stored.
fn course_codes(report: &mut ImportReport, row: usize, codes: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        let code = code.trim().to_string();
        if !check_text(report, row, "passed_courses", &code, MAX_COURSE_CODE) {
            continue;
        }
        if code.contains(';') {
            report.reject(
                row,
                Some("passed_courses"),
                format!("{code:?}: ';' separates course codes and cannot be part of one"),
            );
            continue;
        }
        out.push(code);
    }
    out.sort();
    out.dedup();
    out
}

/// A date that replaces what is stored whenever the column or field is there (with
/// `#[serde(default)]`, absent means "keep"); an empty cell or `null` clears it.
fn present_date<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<NaiveDate>>, D::Error> {
    de::opt_date(d).map(Some)
}

/// A yes/no that replaces what is stored whenever the column or field is there.
fn present_flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    de::flag(d).map(Some)
}

/// A school level by JSON name or Chinese name (中职, 高职, 专科, 本科, 社会学员).
fn school_level<'de, D: serde::Deserializer<'de>>(d: D) -> Result<SchoolLevel, D::Error> {
    let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    read::parse_school_level(&s).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "expected secondary, higher, undergraduate or social (中职/高职/本科/社会学员), got {s:?}"
        ))
    })
}

/// Reads and writes students.
#[derive(Default)]
pub struct Students {
    seen: HashMap<String, usize>,
    /// New students' password hashes, made before the transaction.
    hashes: HashMap<String, String>,
}

impl Importer for Students {
    type Record = Row;
    /// The profile, what is stored, and the initial password of a new student.
    type Checked = (Student, Option<Student>, Option<String>);

    fn read(
        &self,
        _ctx: &Ctx<'_>,
        text: &str,
        format: Format,
    ) -> Result<Vec<Parsed<Row>>, Vec<Rejection>> {
        read::rows(text, format, &COLUMNS)
    }

    /// argon2 is slow on purpose: hash the new students' passwords before taking the write lock.
    async fn prepare(&mut self, ctx: &Ctx<'_>, records: &[Parsed<Row>]) -> DbResult<()> {
        for parsed in records {
            if let Ok(r) = &parsed.value
                && let Some(pw) = &r.password
                && password::check_policy(pw).is_ok()
                && !self.hashes.contains_key(&r.student_no)
                && db::students::get(&ctx.db.pool, &r.student_no)
                    .await?
                    .is_none()
            {
                let hash = ctx.passwords.hash_blocking(pw.clone()).await;
                self.hashes.insert(r.student_no.clone(), hash);
            }
        }
        Ok(())
    }

    async fn check(
        &mut self,
        ctx: &Ctx<'_>,
        tx: &mut AnyConnection,
        row: usize,
        r: Row,
        report: &mut ImportReport,
    ) -> DbResult<Option<Self::Checked>> {
        check_id(report, row, "student_no", &r.student_no, 32);
        check_text(report, row, "name", &r.name, 50);
        check_text(report, row, "school", &r.school, 100);
        let province = kaozheng_core::province::normalize(&r.province);
        if province.is_none() && check_text(report, row, "province", &r.province, 20) {
            report.reject(
                row,
                Some("province"),
                format!(
                    "{:?} is not one of the 31 provinces (e.g. 河南, 河南省 or Henan)",
                    r.province
                ),
            );
        }
        if let Some(major) = &r.major {
            check_text(report, row, "major", major, 100);
        }
        let courses = r
            .passed_courses
            .map(|codes| course_codes(report, row, codes));
        match self.seen.entry(r.student_no.clone()) {
            Entry::Occupied(first) => report.reject(
                row,
                Some("student_no"),
                format!("duplicate of row {}", first.get()),
            ),
            Entry::Vacant(v) => {
                v.insert(row);
            }
        }
        let stored = db::students::get(&mut *tx, &r.student_no).await?;
        scope::student(
            &ctx.scope,
            report,
            row,
            &r.school,
            stored.as_ref().map(|s| s.school.as_str()),
        );
        if stored.is_none() {
            match &r.password {
                None => report.reject(
                    row,
                    Some("password"),
                    "a new student needs an initial password",
                ),
                // The policy names the rule, never the password.
                Some(pw) => {
                    if let Err((en, zh)) = password::check_policy(pw) {
                        report.reject(row, Some("password"), format!("{en} / {zh}"));
                    }
                }
            }
        }
        Ok(Some((
            Student {
                student_no: r.student_no,
                name: r.name,
                school: r.school,
                school_level: r.school_level,
                major: r.major,
                province: province.unwrap_or_default().to_string(),
                hardship: r.hardship,
                pilot: r
                    .pilot
                    .unwrap_or_else(|| stored.as_ref().is_some_and(|s| s.pilot)),
                passed_courses: courses
                    .or_else(|| stored.as_ref().map(|s| s.passed_courses.clone()))
                    .unwrap_or_default(),
                graduation_on: r
                    .graduation_on
                    .unwrap_or_else(|| stored.as_ref().and_then(|s| s.graduation_on)),
            },
            stored,
            r.password,
        )))
    }

    async fn apply(
        &mut self,
        ctx: &Ctx<'_>,
        tx: &mut AnyConnection,
        checked: Vec<Self::Checked>,
        report: &mut ImportReport,
    ) -> DbResult<()> {
        for (student, stored, password) in checked {
            match stored {
                Some(old) if old == student => report.count(false),
                Some(_) => {
                    db::students::update_profile(&mut *tx, &student).await?;
                    report.count(true);
                }
                None => {
                    // Hashed above unless the student existed then and not now.
                    let hash = match (self.hashes.remove(&student.student_no), password) {
                        (Some(h), _) => h,
                        (None, Some(pw)) => ctx.passwords.hash_blocking(pw).await,
                        (None, None) => {
                            unreachable!("new students without a password are rejected")
                        }
                    };
                    db::students::insert(&mut *tx, &student, &hash, ctx.now.timestamp()).await?;
                    report.count(true);
                }
            }
        }
        Ok(())
    }
}
