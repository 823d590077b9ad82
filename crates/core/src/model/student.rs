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
    /// 建档立卡 (registered poverty household): assessment fees are waived (seed 004).
    #[serde(default)]
    pub hardship: bool,
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
    /// In-school students (not social learners) are covered by school-funded exams and by Henan's
    /// ban on charging in-school students.
    pub fn in_school(&self) -> bool {
        self.school_level != SchoolLevel::Social
    }
}
