//! What the rules' unit tests build their cases from: one citation and one student, so each test
//! states only what it changes.

use crate::model::{SchoolLevel, Student};
use crate::rules::Citation;

/// A citation whose only content is `quote`.
pub(crate) fn citation(quote: &str) -> Citation {
    Citation {
        title: "t".into(),
        issuer: "i".into(),
        document_no: None,
        issued_on: None,
        url: None,
        quote: quote.into(),
        added: Vec::new(),
    }
}

/// A pilot student in Tianjin at 示例职业技术学院, with no courses passed and no graduation date.
pub(crate) fn student(level: SchoolLevel) -> Student {
    Student {
        student_no: "2024001".into(),
        name: "张三".into(),
        school: "示例职业技术学院".into(),
        school_level: level,
        major: None,
        province: "天津".into(),
        hardship: false,
        pilot: true,
        passed_courses: Vec::new(),
        graduation_on: None,
    }
}
