//! What a school's staff may import: rows about their own school only. Each importer asks here,
//! inside its write transaction, about every row it validates; a row out of reach is rejected like
//! any other bad row, so the file is refused whole and nothing is written. A province
//! administrator reaches everything.
//!
//! - students: the row's `school` is theirs, and a stored student with that number is theirs;
//! - sites: the site is (and stays) theirs: a new site without a `school` column becomes theirs;
//! - plans: the plan's site is theirs, and so is the site of the stored plan it replaces;
//! - results: the ticket's holder is their student;
//! - catalog and rules: never (they are every school's), refused before the file is read.

use super::{ImportReport, Kind, Rejection};
use crate::auth::staff::Scope;

/// The rejection of a whole file a school's staff may not import at all.
pub fn gate(scope: &Scope, kind: Kind) -> Option<Rejection> {
    match (scope, kind) {
        (Scope::School(_), Kind::Catalog | Kind::Rules) => Some(Rejection {
            row: 0,
            field: None,
            reason: format!(
                "only a province administrator imports the {kind}: it is every school's / \
                 目录和规则仅限省级管理员导入"
            ),
        }),
        _ => None,
    }
}

fn theirs(school: &str) -> String {
    format!(
        "{school:?} is not your school; a school's staff import their own school's only / 不是本校"
    )
}

/// A student row: `school` is the row's, `stored` the stored student's school.
pub fn student(
    scope: &Scope,
    report: &mut ImportReport,
    row: usize,
    school: &str,
    stored: Option<&str>,
) {
    let Scope::School(own) = scope else { return };
    if school.trim() != own {
        report.reject(row, Some("school"), theirs(school.trim()));
    } else if let Some(other) = stored.filter(|s| s != own) {
        report.reject(
            row,
            Some("student_no"),
            format!(
                "this student number belongs to a student of {other:?} / 该学号属于其他学校的学生"
            ),
        );
    }
}

/// A site row: `school` is the site's school after the import, `stored` whether the site exists
/// and its school before.
pub fn site(
    scope: &Scope,
    report: &mut ImportReport,
    row: usize,
    school: Option<&str>,
    stored: Option<Option<&str>>,
) {
    let Scope::School(own) = scope else { return };
    if let Some(before) = stored
        && before != Some(own.as_str())
    {
        report.reject(
            row,
            Some("id"),
            match before {
                Some(other) => format!("this exam site belongs to {other:?} / 该考点属于其他学校"),
                None => "this exam site belongs to no school; only a province administrator \
                         changes it / 该考点不属于任何学校，仅限省级管理员修改"
                    .to_string(),
            },
        );
    } else if school != Some(own.as_str()) {
        report.reject(
            row,
            Some("school"),
            match school {
                Some(s) => theirs(s),
                None => "a school's staff cannot give away an exam site / 不能移除考点所属学校"
                    .to_string(),
            },
        );
    }
}

/// A plan row: `site_school` is the school of the row's site (`None`: none or no such site,
/// which the importer reports itself when it does not exist), `stored_site_school` that of the
/// stored plan's site when the plan exists.
pub fn plan(
    scope: &Scope,
    report: &mut ImportReport,
    row: usize,
    site_exists: bool,
    site_school: Option<&str>,
    stored_site_school: Option<Option<&str>>,
) {
    let Scope::School(own) = scope else { return };
    if let Some(before) = stored_site_school
        && before != Some(own.as_str())
    {
        report.reject(
            row,
            Some("id"),
            "this plan is held at another school's exam site / 该考核计划不在本校考点".to_string(),
        );
    } else if site_exists && site_school != Some(own.as_str()) {
        report.reject(
            row,
            Some("site_id"),
            "the exam site is not your school's; a school's staff plan exams at their own sites \
             / 考点不属于本校",
        );
    }
}

/// A result row: `holder_school` is the school of the ticket's holder.
pub fn result(scope: &Scope, report: &mut ImportReport, row: usize, holder_school: &str) {
    let Scope::School(own) = scope else { return };
    if holder_school != own {
        report.reject(
            row,
            Some("ticket_no"),
            "this ticket is held by a student of another school / 该准考证号属于其他学校的学生",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn school() -> Scope {
        Scope::School("甲校".into())
    }

    fn rejected(f: impl FnOnce(&mut ImportReport)) -> Vec<String> {
        let mut r = ImportReport::new(Kind::Students);
        f(&mut r);
        r.rejected
            .into_iter()
            .map(|x| x.field.unwrap_or_default())
            .collect()
    }

    #[test]
    fn a_province_reaches_every_row() {
        let p = Scope::Province;
        assert!(gate(&p, Kind::Catalog).is_none());
        assert!(rejected(|r| student(&p, r, 2, "乙校", Some("丙校"))).is_empty());
        assert!(rejected(|r| site(&p, r, 2, None, Some(Some("乙校")))).is_empty());
        assert!(rejected(|r| plan(&p, r, 2, true, None, Some(None))).is_empty());
        assert!(rejected(|r| result(&p, r, 2, "乙校")).is_empty());
    }

    #[test]
    fn a_school_reaches_its_own_rows_only() {
        let s = school();
        assert!(gate(&s, Kind::Rules).is_some() && gate(&s, Kind::Catalog).is_some());
        assert!(gate(&s, Kind::Results).is_none());
        assert!(rejected(|r| student(&s, r, 2, "甲校", None)).is_empty());
        assert!(rejected(|r| student(&s, r, 2, " 甲校 ", Some("甲校"))).is_empty());
        assert_eq!(rejected(|r| student(&s, r, 2, "乙校", None)), ["school"]);
        assert_eq!(
            rejected(|r| student(&s, r, 2, "甲校", Some("乙校"))),
            ["student_no"],
            "a number of another school is not taken over"
        );
        assert!(rejected(|r| site(&s, r, 2, Some("甲校"), None)).is_empty());
        assert!(rejected(|r| site(&s, r, 2, Some("甲校"), Some(Some("甲校")))).is_empty());
        assert_eq!(
            rejected(|r| site(&s, r, 2, Some("甲校"), Some(None))),
            ["id"]
        );
        assert_eq!(
            rejected(|r| site(&s, r, 2, None, Some(Some("甲校")))),
            ["school"]
        );
        assert_eq!(rejected(|r| site(&s, r, 2, Some("乙校"), None)), ["school"]);
        assert!(rejected(|r| plan(&s, r, 2, true, Some("甲校"), Some(Some("甲校")))).is_empty());
        assert_eq!(rejected(|r| plan(&s, r, 2, true, None, None)), ["site_id"]);
        assert!(
            rejected(|r| plan(&s, r, 2, false, None, None)).is_empty(),
            "an unknown site is the importer's to report"
        );
        assert_eq!(
            rejected(|r| plan(&s, r, 2, true, Some("甲校"), Some(Some("乙校")))),
            ["id"],
            "another school's plan is not moved to our site"
        );
        assert_eq!(rejected(|r| result(&s, r, 2, "乙校")), ["ticket_no"]);
    }
}
