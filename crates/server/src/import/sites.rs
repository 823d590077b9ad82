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

use sqlx::AnyConnection;

use super::read::{self, Columns, Parsed, check_id, check_text};
use super::{Ctx, Format, ImportReport, Importer, Rejection, scope};
use crate::db::{self, DbResult};

pub const COLUMNS: Columns = Columns {
    required: &["id", "name", "province", "city", "address"],
    optional: &["school"],
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
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

/// Reads and writes exam sites.
#[derive(Default)]
pub struct Sites {
    stored: HashMap<String, Site>,
    /// The school running each stored site that has one.
    site_schools: HashMap<String, String>,
    seen: HashMap<String, usize>,
}

impl Importer for Sites {
    type Record = Row;
    /// The site and the school that runs it.
    type Checked = (Site, Option<String>);

    fn read(
        &self,
        _ctx: &Ctx<'_>,
        text: &str,
        format: Format,
    ) -> Result<Vec<Parsed<Row>>, Vec<Rejection>> {
        read::rows(text, format, &COLUMNS)
    }

    async fn start(&mut self, tx: &mut AnyConnection) -> DbResult<()> {
        self.stored = db::sites::list(&mut *tx)
            .await?
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        self.site_schools = db::staff::site_schools(&mut *tx).await?;
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
        let before = report.rejected.len();
        check_id(report, row, "id", &r.id, 64);
        for (field, value, max) in [
            ("name", &r.name, 100),
            ("province", &r.province, 20),
            ("city", &r.city, 50),
            ("address", &r.address, 200),
        ] {
            check_text(report, row, field, value, max);
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
        match self.seen.entry(r.id.clone()) {
            Entry::Occupied(first) => {
                report.reject(row, Some("id"), format!("duplicate of row {}", first.get()))
            }
            Entry::Vacant(v) => {
                v.insert(row);
            }
        }
        if let Some(old) = self.stored.get(&r.id)
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
            check_text(report, row, "school", school, 100);
        }
        let stored_school: Option<Option<String>> = self
            .stored
            .contains_key(&r.id)
            .then(|| self.site_schools.get(&r.id).cloned());
        let school = match r.school {
            Some(given) => given.map(|s| s.trim().to_string()),
            None => match &stored_school {
                Some(kept) => kept.clone(),
                None => ctx.scope.school().map(str::to_string),
            },
        };
        scope::site(
            &ctx.scope,
            report,
            row,
            school.as_deref(),
            stored_school.as_ref().map(Option::as_deref),
        );
        Ok(Some((
            Site {
                id: r.id,
                name: r.name,
                province,
                city: r.city,
                address: r.address,
            },
            school,
        )))
    }

    async fn apply(
        &mut self,
        _ctx: &Ctx<'_>,
        tx: &mut AnyConnection,
        checked: Vec<Self::Checked>,
        report: &mut ImportReport,
    ) -> DbResult<()> {
        for (site, school) in checked {
            let school_before = self.site_schools.get(&site.id).cloned();
            match self.stored.get(&site.id) {
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
        Ok(())
    }
}
