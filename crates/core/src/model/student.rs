use serde::{Deserialize, Serialize};

use super::SchoolLevel;

/// A student's profile (`GET /api/v1/me`): what the rules need to decide eligibility and fees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Student {
    pub student_no: String,
    pub name: String,
    pub school: String,
    pub school_level: SchoolLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major: Option<String>,
    /// Province of the school, which selects fee and grade rules.
    pub province: String,
    /// 家庭经济困难学生 (e.g. 建档立卡), as the school identifies them: where a cited rule waives
    /// their assessment fee (Shanxi, seed 004), it is waived.
    #[serde(default)]
    pub hardship: bool,
    /// 试点学生: the school's records list the student in a 1+X pilot, whose exams the school
    /// funds where a cited rule says so (seeds 000, 002, 003).
    #[serde(default)]
    pub pilot: bool,
    /// Codes of courses the student has passed (from the school's records): the credit bank uses
    /// them for exemptions and to skip converting a course already passed (seed 003).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passed_courses: Vec<String>,
    /// Expected graduation day (from the school's roster): the graduation certificate requirement
    /// counts down to it. `None` when the school has not said.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time::date_opt"
    )]
    pub graduation_on: Option<chrono::NaiveDate>,
}

impl Student {
    /// In-school students (not social learners): the fee rules are written for them.
    pub fn in_school(&self) -> bool {
        self.school_level != SchoolLevel::Social
    }
}
