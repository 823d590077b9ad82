//! Exam sites: CSV `id,name,province,city,address[,school]` or a JSON array of the API's `Site`
//! (plus an optional `school`).
//!
//! `school` names the school that runs the site (考点所属学校), exactly as its students' `school`
//! column has it: that school's staff manage the plans held there. A file without the column
//! keeps each stored site's school (a new site gets the importing school's own, or none from a
//! province administrator); an empty cell (JSON `null`) clears it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use kaozheng_core::Site;
use serde::Deserialize;

use super::read::{self, Columns, check_id, check_text};
use super::{Ctx, Format, ImportReport, scope};
use crate::db::{self, DbResult};

pub const COLUMNS: Columns = Columns {
    required: &["id", "name", "province", "city", "address"],
    optional: &["school"],
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    id: String,
    name: String,
    province: String,
    city: String,
    address: String,
    /// `None` when the file does not say (keep what is stored); `Some(None)` clears it.
    #[serde(default, deserialize_with = "present_school")]
    school: Option<Option<String>>,
}

fn present_school<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    super::read::de::opt_text(d).map(Some)
}

pub async fn import(
    ctx: &Ctx<'_>,
    text: &str,
    format: Format,
    mut report: ImportReport,
) -> DbResult<ImportReport> {
    let rows = match read::rows::<Row>(text, format, &COLUMNS) {
        Ok(rows) => rows,
        Err(problems) => {
            report.rejected = problems;
            return Ok(report);
        }
    };
    report.total = rows.len();
    let mut tx = ctx.begin().await?;
    let stored: HashMap<String, Site> = db::sites::list(&mut *tx)
        .await?
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    let site_schools = db::staff::site_schools(&mut *tx).await?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut valid = Vec::new();
    for parsed in rows {
        let row = parsed.row;
        let r = match parsed.value {
            Ok(r) => r,
            Err(rej) => {
                report.rejected.push(rej);
                continue;
            }
        };
        let before = report.rejected.len();
        check_id(&mut report, row, "id", &r.id, 64);
        for (field, value, max) in [
            ("name", &r.name, 100),
            ("province", &r.province, 20),
            ("city", &r.city, 50),
            ("address", &r.address, 200),
        ] {
            check_text(&mut report, row, field, value, max);
        }
        // Any name of the province is stored as its code, so the province's plans and rules meet.
        let province = match kaozheng_core::province::normalize(&r.province) {
            Some(code) => code.to_string(),
            None => {
                if report.rejected.len() == before {
                    report.reject(
                        row,
                        Some("province"),
                        format!(
                            "{:?} is not one of the 31 provinces (e.g. 河南, 河南省 or Henan)",
                            r.province
                        ),
                    );
                }
                r.province.clone()
            }
        };
        match seen.entry(r.id.clone()) {
            Entry::Occupied(first) => {
                report.reject(row, Some("id"), format!("duplicate of row {}", first.get()))
            }
            Entry::Vacant(v) => {
                v.insert(row);
            }
        }
        if let Some(old) = stored.get(&r.id)
            && old.province != province
        {
            let plans: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM exam_plans WHERE site_id = $1 AND province <> $2",
            )
            .bind(&r.id)
            .bind(&province)
            .fetch_one(&mut *tx)
            .await?;
            if plans > 0 {
                report.reject(
                    row,
                    Some("province"),
                    format!("{plans} exam plans at this site are in {}", old.province),
                );
            }
        }
        if let Some(Some(school)) = &r.school {
            check_text(&mut report, row, "school", school, 100);
        }
        let stored_school: Option<Option<String>> = stored
            .contains_key(&r.id)
            .then(|| site_schools.get(&r.id).cloned());
        let school = match r.school {
            Some(given) => given.map(|s| s.trim().to_string()),
            None => match &stored_school {
                Some(kept) => kept.clone(),
                None => ctx.scope.school().map(str::to_string),
            },
        };
        scope::site(
            &ctx.scope,
            &mut report,
            row,
            school.as_deref(),
            stored_school.as_ref().map(Option::as_deref),
        );
        if report.rejected.len() == before {
            valid.push((
                Site {
                    id: r.id,
                    name: r.name,
                    province,
                    city: r.city,
                    address: r.address,
                },
                school,
            ));
        }
    }
    if !report.ok() {
        return Ok(report);
    }
    for (site, school) in valid {
        let school_before = site_schools.get(&site.id).cloned();
        match stored.get(&site.id) {
            Some(old) if *old == site && school_before == school => report.count(false),
            Some(old) => {
                if *old != site {
                    db::sites::update(&mut *tx, &site).await?;
                }
                if school_before != school {
                    db::staff::set_site_school(&mut *tx, &site.id, school.as_deref()).await?;
                }
                report.count(true);
            }
            None => {
                db::sites::insert(&mut *tx, &site).await?;
                if school.is_some() {
                    db::staff::set_site_school(&mut *tx, &site.id, school.as_deref()).await?;
                }
                report.count(true);
            }
        }
    }
    tx.commit().await?;
    Ok(report)
}
