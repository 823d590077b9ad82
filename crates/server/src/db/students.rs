//! Students and their password hashes. The profile is core's [`Student`]; the hash never leaves
//! this module except to the password check.

use chrono::NaiveDate;
use kaozheng_core::model::Student;
use kaozheng_core::{SchoolLevel, time};
use sqlx::{Any, Executor};

use super::{DbError, DbResult, to_bool, to_date, to_json};

const COLUMNS: &str = "student_no, name, school, school_level, major, province, hardship, \
     passed_courses, graduation_on, pilot";

pub fn school_level_from_name(s: &str) -> Option<SchoolLevel> {
    SchoolLevel::ALL.into_iter().find(|l| l.as_str() == s)
}

/// A `students` row ([`COLUMNS`]).
#[derive(sqlx::FromRow)]
struct StudentRow {
    student_no: String,
    name: String,
    school: String,
    school_level: String,
    major: Option<String>,
    province: String,
    hardship: i64,
    passed_courses: String,
    graduation_on: Option<String>,
    pilot: i64,
}

impl TryFrom<StudentRow> for Student {
    type Error = DbError;

    fn try_from(r: StudentRow) -> DbResult<Student> {
        Ok(Student {
            school_level: school_level_from_name(&r.school_level)
                .ok_or_else(|| DbError::Corrupt(format!("school_level = {:?}", r.school_level)))?,
            hardship: to_bool(r.hardship, "hardship")?,
            passed_courses: to_json(&r.passed_courses, "passed_courses")?,
            graduation_on: to_date(r.graduation_on, "graduation_on")?,
            pilot: to_bool(r.pilot, "pilot")?,
            student_no: r.student_no,
            name: r.name,
            school: r.school,
            major: r.major,
            province: r.province,
        })
    }
}

/// A student with their password hash.
#[derive(sqlx::FromRow)]
struct StudentWithHash {
    #[sqlx(flatten)]
    student: StudentRow,
    password_hash: String,
}

/// What is stored for the passed courses: the JSON array, sorted and without duplicates.
fn courses_json(s: &Student) -> String {
    let mut codes = s.passed_courses.clone();
    codes.sort();
    codes.dedup();
    serde_json::to_string(&codes).expect("strings serialize")
}

pub async fn get<'e, E>(db: E, student_no: &str) -> DbResult<Option<Student>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, StudentRow>(&format!(
        "SELECT {COLUMNS} FROM students WHERE student_no = $1"
    ))
    .bind(student_no)
    .fetch_optional(db)
    .await?
    .map(Student::try_from)
    .transpose()
}

/// The student and their password hash, for logging in.
pub async fn get_with_hash<'e, E>(db: E, student_no: &str) -> DbResult<Option<(Student, String)>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, StudentWithHash>(&format!(
        "SELECT {COLUMNS}, password_hash FROM students WHERE student_no = $1"
    ))
    .bind(student_no)
    .fetch_optional(db)
    .await?
    .map(|r| Ok((r.student.try_into()?, r.password_hash)))
    .transpose()
}

/// Stores a new student.
pub async fn insert<'e, E>(db: E, s: &Student, password_hash: &str, now: i64) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO students (student_no, name, school, school_level, major, province, hardship, \
         password_hash, created_at, passed_courses, graduation_on, pilot) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&s.student_no)
    .bind(&s.name)
    .bind(&s.school)
    .bind(s.school_level.as_str())
    .bind(s.major.as_deref())
    .bind(&s.province)
    .bind(i64::from(s.hardship))
    .bind(password_hash)
    .bind(now)
    .bind(courses_json(s))
    .bind(s.graduation_on.map(time::date_text))
    .bind(i64::from(s.pilot))
    .execute(db)
    .await?;
    Ok(())
}

/// Replaces the profile of a stored student; the password stays.
pub async fn update_profile<'e, E>(db: E, s: &Student) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "UPDATE students SET name = $2, school = $3, school_level = $4, major = $5, province = $6, \
         hardship = $7, passed_courses = $8, graduation_on = $9, pilot = $10 WHERE student_no = $1",
    )
    .bind(&s.student_no)
    .bind(&s.name)
    .bind(&s.school)
    .bind(s.school_level.as_str())
    .bind(s.major.as_deref())
    .bind(&s.province)
    .bind(i64::from(s.hardship))
    .bind(courses_json(s))
    .bind(s.graduation_on.map(time::date_text))
    .bind(i64::from(s.pilot))
    .execute(db)
    .await?;
    Ok(())
}

/// Sets the graduation day alone (demo re-timing moves it with the demo's plans).
pub async fn set_graduation_on<'e, E>(
    db: E,
    student_no: &str,
    graduation_on: Option<NaiveDate>,
) -> DbResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE students SET graduation_on = $2 WHERE student_no = $1")
        .bind(student_no)
        .bind(graduation_on.map(time::date_text))
        .execute(db)
        .await?;
    Ok(())
}

/// Sets a new password hash; false when there is no such student.
pub async fn set_password<'e, E>(db: E, student_no: &str, password_hash: &str) -> DbResult<bool>
where
    E: Executor<'e, Database = Any>,
{
    let done = sqlx::query("UPDATE students SET password_hash = $2 WHERE student_no = $1")
        .bind(student_no)
        .bind(password_hash)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The first write of a registration change: takes the student's row lock (PostgreSQL) so two
/// requests of one student cannot both pass the duplicate and clash checks. False when the
/// student does not exist.
pub async fn lock_for_registration<'e, E>(db: E, student_no: &str) -> DbResult<bool>
where
    E: Executor<'e, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE students SET registration_rev = registration_rev + 1 WHERE student_no = $1",
    )
    .bind(student_no)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
