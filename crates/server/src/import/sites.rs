//! Exam sites: CSV `id,name,province,city,address` or a JSON array of the API's `Site`.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use kaozheng_core::Site;
use serde::Deserialize;

use sqlx::AnyConnection;

use super::read::{self, Columns, Parsed, check_id, check_text};
use super::{Ctx, Format, ImportReport, Importer, Rejection};
use crate::db::{self, DbResult};

pub const COLUMNS: Columns = Columns {
    required: &["id", "name", "province", "city", "address"],
    optional: &[],
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    id: String,
    name: String,
    province: String,
    city: String,
    address: String,
}

/// Reads and writes exam sites.
#[derive(Default)]
pub struct Sites {
    stored: HashMap<String, Site>,
    seen: HashMap<String, usize>,
}

impl Importer for Sites {
    type Record = Row;
    type Checked = Site;

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
        Ok(())
    }

    async fn check(
        &mut self,
        _ctx: &Ctx<'_>,
        tx: &mut AnyConnection,
        row: usize,
        r: Row,
        report: &mut ImportReport,
    ) -> DbResult<Option<Site>> {
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
        Ok(Some(Site {
            id: r.id,
            name: r.name,
            province,
            city: r.city,
            address: r.address,
        }))
    }

    async fn apply(
        &mut self,
        _ctx: &Ctx<'_>,
        tx: &mut AnyConnection,
        checked: Vec<Site>,
        report: &mut ImportReport,
    ) -> DbResult<()> {
        for site in checked {
            match self.stored.get(&site.id) {
                Some(old) if *old == site => report.count(false),
                Some(_) => {
                    db::sites::update(&mut *tx, &site).await?;
                    report.count(true);
                }
                None => {
                    db::sites::insert(&mut *tx, &site).await?;
                    report.count(true);
                }
            }
        }
        Ok(())
    }
}
