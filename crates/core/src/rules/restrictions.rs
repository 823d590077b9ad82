//! Levels a school does not let some of its students register for, as the school's own cited rule.
//!
//! No notice restricts a school level to some 1+X levels: seed 004 says secondary and higher
//! vocational schools may train and assess at 初级, 中级 and 高级. So nobody is refused a level for
//! their school level unless their school's rule, imported as data with its source, says so.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Citation;
use crate::model::{SchoolLevel, Student, XLevel};

/// One school's restriction: its `school_levels` students may not register for `levels` (of the
/// listed certificates, or of any when the list is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelRestriction {
    pub id: String,
    /// The school, by its name in the student records: the rule binds its students only.
    pub school: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub example: bool,
    pub school_levels: Vec<SchoolLevel>,
    pub levels: Vec<XLevel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificate_ids: Vec<String>,
    #[serde(with = "crate::time::date")]
    pub effective_from: NaiveDate,
    /// The school's document; its issuer is the school.
    pub citations: Vec<Citation>,
}

/// Every school's restrictions, as served by `/api/v1/rules/eligibility` and imported by
/// administrators. Shipped empty: no school's rule is known.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EligibilityRules {
    pub version: String,
    pub restrictions: Vec<LevelRestriction>,
}

impl EligibilityRules {
    /// The restriction that keeps `student` from `level` of `certificate_id` on `on`, if any.
    pub fn restriction_for(
        &self,
        student: &Student,
        certificate_id: &str,
        level: XLevel,
        on: NaiveDate,
    ) -> Option<&LevelRestriction> {
        self.restrictions.iter().find(|r| {
            r.school.trim() == student.school.trim()
                && r.effective_from <= on
                && r.school_levels.contains(&student.school_level)
                && r.levels.contains(&level)
                && (r.certificate_ids.is_empty()
                    || r.certificate_ids.iter().any(|c| c == certificate_id))
        })
    }

    pub fn restriction(&self, id: &str) -> Option<&LevelRestriction> {
        self.restrictions.iter().find(|r| r.id == id)
    }

    /// Every problem at once, each with its path: an empty version, id or school, a repeated id,
    /// empty level lists, a citation missing or not issued by the school, a start before the
    /// school's document.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errs = Vec::new();
        if self.version.trim().is_empty() {
            errs.push("version: empty".to_string());
        }
        for (i, r) in self.restrictions.iter().enumerate() {
            let at = format!("restrictions[{i}]");
            if r.id.trim().is_empty() || self.restrictions[..i].iter().any(|o| o.id == r.id) {
                errs.push(format!("{at}.id: empty or repeated ({:?})", r.id));
            }
            if r.school.trim().is_empty() {
                errs.push(format!("{at}.school: empty"));
            }
            if r.school_levels.is_empty() {
                errs.push(format!(
                    "{at}.school_levels: name the school levels it binds"
                ));
            }
            if r.levels.is_empty() {
                errs.push(format!("{at}.levels: name the levels it closes"));
            }
            if r.citations.is_empty() {
                errs.push(format!(
                    "{at}.citations: a restriction needs the school's document"
                ));
            }
            for (j, c) in r.citations.iter().enumerate() {
                let cat = format!("{at}.citations[{j}]");
                errs.extend(c.problems(&cat));
                if c.issuer.trim() != r.school.trim() {
                    errs.push(format!(
                        "{cat}.issuer: a school's restriction is the school's own rule, so its \
                         source is issued by {:?}",
                        r.school
                    ));
                }
                if let Some(by) = c.issued_by()
                    && r.effective_from < by
                {
                    errs.push(format!(
                        "{at}.effective_from: {} is before its document was issued ({by})",
                        r.effective_from
                    ));
                }
            }
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn restriction() -> LevelRestriction {
        LevelRestriction {
            id: "r1".into(),
            school: "某职校".into(),
            example: false,
            school_levels: vec![SchoolLevel::Secondary],
            levels: vec![XLevel::Advanced],
            certificate_ids: Vec::new(),
            effective_from: NaiveDate::from_ymd_opt(2024, 9, 1).unwrap(),
            citations: vec![Citation {
                title: "某职校1+X证书报考安排".into(),
                issuer: "某职校".into(),
                document_no: None,
                issued_on: NaiveDate::from_ymd_opt(2024, 9, 1),
                url: None,
                quote: "中职学生暂不报考高级证书。".into(),
                added: Vec::new(),
            }],
        }
    }

    #[test]
    fn a_restriction_binds_its_school_levels_and_levels_only_from_its_day() {
        let rules = EligibilityRules {
            version: "1".into(),
            restrictions: vec![restriction()],
        };
        let mut s = Student {
            student_no: "1".into(),
            name: "n".into(),
            school: "某职校".into(),
            school_level: SchoolLevel::Secondary,
            major: None,
            province: "天津".into(),
            hardship: false,
            pilot: false,
            passed_courses: Vec::new(),
            graduation_on: None,
        };
        let on = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let before = NaiveDate::from_ymd_opt(2024, 8, 31).unwrap();
        assert!(
            rules
                .restriction_for(&s, "c", XLevel::Advanced, on)
                .is_some()
        );
        assert!(
            rules
                .restriction_for(&s, "c", XLevel::Advanced, before)
                .is_none()
        );
        assert!(
            rules
                .restriction_for(&s, "c", XLevel::Intermediate, on)
                .is_none()
        );
        s.school_level = SchoolLevel::Higher;
        assert!(
            rules
                .restriction_for(&s, "c", XLevel::Advanced, on)
                .is_none()
        );
        s.school_level = SchoolLevel::Secondary;
        s.school = "别的学校".into();
        assert!(
            rules
                .restriction_for(&s, "c", XLevel::Advanced, on)
                .is_none()
        );
        assert_eq!(rules.validate(), Ok(()));
    }

    #[test]
    fn a_restriction_must_be_the_schools_own_cited_rule() {
        let mut r = restriction();
        r.citations[0].issuer = "某省教育厅".into();
        r.levels.clear();
        r.effective_from = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let rules = EligibilityRules {
            version: "1".into(),
            restrictions: vec![r.clone(), r],
        };
        let errs = rules.validate().unwrap_err();
        // Per restriction: levels, issuer, start; plus the repeated id.
        assert_eq!(errs.len(), 7, "{errs:?}");
    }
}
