//! Results, identified by ticket number (准考证号).
//!
//! CSV: `ticket_no,theory_score,theory_pass_mark,theory_exempted,practical_score,
//! practical_pass_mark,practical_exempted,certificate_no,issued_on`; a module is present when its
//! pass mark is. JSON: an array of `{ticket_no, modules: [ModuleResult], certificate_no?,
//! issued_on?}`. Scores are 0–100 with at most two decimals.
//!
//! A roster exported by `GET /api/v1/admin/export/registrations` (CSV, or the `.xlsx` workbook)
//! imports back as results once its score columns are filled: its other columns are accepted and
//! ignored, except `student_no`, which must be the ticket's holder (a row moved to another
//! student is refused), and a roster row with no score, pass mark, certificate number or date
//! (an absent candidate, a cancelled registration) is left alone.

use std::collections::HashMap;

use chrono::NaiveDate;
use kaozheng_core::Module;
use kaozheng_core::model::{ModuleResult, RegistrationStatus, Score};
use serde::Deserialize;

use sqlx::AnyConnection;

use super::read::{self, Columns, Parsed, check_text, de};
use super::{Ctx, Format, ImportReport, Importer, Rejection, scope};
use crate::db::results::StoredResult;
use crate::db::{self, DbResult};

pub const COLUMNS: Columns = Columns {
    required: &["ticket_no"],
    optional: &[
        "theory_score",
        "theory_pass_mark",
        "theory_exempted",
        "practical_score",
        "practical_pass_mark",
        "practical_exempted",
        "certificate_no",
        "issued_on",
        // The roster's own columns (crate::roster::COLUMNS), accepted so it imports back.
        "ticket_check",
        "student_no",
        "name",
        "school",
        "school_level",
        "certificate_id",
        "certificate_name",
        "level",
        "plan_id",
        "plan_name",
        "site_id",
        "site_name",
        "exam_starts_at",
        "exam_ends_at",
        "fee_yuan",
        "student_pays_yuan",
        "payer",
        "fee_reason",
        "registered_at",
        "status",
    ],
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    ticket_no: String,
    modules: Vec<ModuleResult>,
    #[serde(default, deserialize_with = "de::opt_text")]
    certificate_no: Option<String>,
    #[serde(default, deserialize_with = "de::opt_date")]
    issued_on: Option<NaiveDate>,
    /// The holder a roster row names; the ticket must be theirs.
    #[serde(skip)]
    student_no: Option<String>,
    /// A roster row without any result: left alone.
    #[serde(skip)]
    blank: bool,
}

#[derive(Debug, Deserialize)]
struct CsvRow {
    ticket_no: String,
    #[serde(default, deserialize_with = "de::opt_text")]
    theory_score: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    theory_pass_mark: Option<String>,
    #[serde(default, deserialize_with = "de::flag")]
    theory_exempted: bool,
    #[serde(default, deserialize_with = "de::opt_text")]
    practical_score: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    practical_pass_mark: Option<String>,
    #[serde(default, deserialize_with = "de::flag")]
    practical_exempted: bool,
    #[serde(default, deserialize_with = "de::opt_text")]
    certificate_no: Option<String>,
    #[serde(default, deserialize_with = "de::opt_date")]
    issued_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "de::opt_text")]
    student_no: Option<String>,
}

impl CsvRow {
    fn into_row(self, row: usize) -> Result<Row, Rejection> {
        let bad = |field: &str, reason: String| Rejection {
            row,
            field: Some(field.to_string()),
            reason,
        };
        let score = |field: &str, v: &Option<String>| -> Result<Option<Score>, Rejection> {
            v.as_deref()
                .map(|s| {
                    Score::parse(s).ok_or_else(|| {
                        bad(
                            field,
                            format!("{s:?} is not a score from 0 to 100 with at most two decimals"),
                        )
                    })
                })
                .transpose()
        };
        let mut modules = Vec::new();
        for (module, score_col, mark_col, s, mark, exempted) in [
            (
                Module::Theory,
                "theory_score",
                "theory_pass_mark",
                &self.theory_score,
                &self.theory_pass_mark,
                self.theory_exempted,
            ),
            (
                Module::Practical,
                "practical_score",
                "practical_pass_mark",
                &self.practical_score,
                &self.practical_pass_mark,
                self.practical_exempted,
            ),
        ] {
            let scored = score(score_col, s)?;
            match score(mark_col, mark)? {
                Some(pass_mark) => modules.push(ModuleResult {
                    module,
                    score: scored,
                    pass_mark,
                    exempted,
                }),
                None if scored.is_some() || exempted => {
                    return Err(bad(
                        mark_col,
                        "a scored or exempted module needs its pass mark".into(),
                    ));
                }
                None => {}
            }
        }
        let blank = self.student_no.is_some()
            && modules.is_empty()
            && self.certificate_no.is_none()
            && self.issued_on.is_none();
        Ok(Row {
            ticket_no: self.ticket_no,
            modules,
            certificate_no: self.certificate_no,
            issued_on: self.issued_on,
            student_no: self.student_no,
            blank,
        })
    }
}

fn parse(text: &str, format: Format) -> Result<Vec<Parsed<Row>>, Vec<Rejection>> {
    match format {
        Format::Json => read::json_rows(text).map_err(|r| vec![r]),
        Format::Csv => Ok(read::csv_rows::<CsvRow>(text, &COLUMNS)?
            .into_iter()
            .map(|p| Parsed {
                row: p.row,
                value: p.value.and_then(|c| c.into_row(p.row)),
            })
            .collect()),
    }
}

/// A ticket number's form, and that it is not a repeat of an earlier row (`seen`: first rows).
pub(super) fn check_ticket_no(
    report: &mut ImportReport,
    row: usize,
    ticket: &str,
    seen: &mut HashMap<String, usize>,
) {
    if ticket.is_empty() || !ticket.bytes().all(|b| b.is_ascii_digit()) {
        report.reject(row, Some("ticket_no"), "a ticket number has digits only");
    }
    let first = *seen.entry(ticket.to_string()).or_insert(row);
    if first != row {
        report.reject(row, Some("ticket_no"), format!("duplicate of row {first}"));
    }
}

/// The registration holding `ticket` and its student, when there is one and the caller reaches
/// it (a school's staff: their own student); `None` after rejecting the row otherwise. An unknown
/// ticket is reported only when the row had no problem before (`before`: rejections then).
pub(super) async fn ticket_in_reach(
    ctx: &Ctx<'_>,
    tx: &mut AnyConnection,
    report: &mut ImportReport,
    row: usize,
    ticket: &str,
    before: usize,
) -> DbResult<Option<(kaozheng_core::Registration, String)>> {
    let Some((reg, holder)) = db::registrations::by_ticket(&mut *tx, ticket).await? else {
        if report.rejected.len() == before {
            report.reject(
                row,
                Some("ticket_no"),
                "no registration has this ticket number",
            );
        }
        return Ok(None);
    };
    let holder_school = db::students::get(&mut *tx, &holder)
        .await?
        .map(|s| s.school)
        .unwrap_or_default();
    let in_reach = report.rejected.len();
    scope::result(&ctx.scope, report, row, &holder_school);
    // Nothing more about another school's registration.
    Ok((report.rejected.len() == in_reach).then_some((reg, holder)))
}

/// Reads and writes results.
#[derive(Default)]
pub struct Results {
    seen_tickets: HashMap<String, usize>,
    seen_certs: HashMap<String, usize>,
}

impl Importer for Results {
    type Record = Row;
    /// The result of its registration and what is stored for it.
    type Checked = (StoredResult, Option<StoredResult>);

    fn read(
        &self,
        _ctx: &Ctx<'_>,
        text: &str,
        format: Format,
    ) -> Result<Vec<Parsed<Row>>, Vec<Rejection>> {
        parse(text, format)
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
        check_ticket_no(report, row, &r.ticket_no, &mut self.seen_tickets);
        if r.blank {
            if report.rejected.len() == before {
                report.count(false);
            }
            return Ok(None);
        }
        if r.modules.is_empty() {
            report.reject(row, Some("modules"), "a result needs at least one module");
        }
        for (i, m) in r.modules.iter().enumerate() {
            if r.modules[..i].iter().any(|o| o.module == m.module) {
                report.reject(
                    row,
                    Some("modules"),
                    format!("{:?} appears twice", m.module),
                );
            }
        }
        let result = StoredResult {
            registration_id: String::new(),
            modules: r.modules,
            certificate_no: r.certificate_no,
            issued_on: r.issued_on,
        };
        if let Some(no) = &result.certificate_no
            && check_text(report, row, "certificate_no", no, 64)
        {
            if !result.passed() {
                report.reject(
                    row,
                    Some("certificate_no"),
                    "only a passed result has a certificate number",
                );
            }
            let first = *self.seen_certs.entry(no.clone()).or_insert(row);
            if first != row {
                report.reject(
                    row,
                    Some("certificate_no"),
                    format!("duplicate of row {first}"),
                );
            }
        }
        let Some((reg, holder)) =
            ticket_in_reach(ctx, tx, report, row, &r.ticket_no, before).await?
        else {
            return Ok(None);
        };
        if let Some(named) = &r.student_no
            && *named != holder
        {
            report.reject(
                row,
                Some("student_no"),
                format!("this ticket is not {named:?}'s / 该准考证号不属于此学号"),
            );
        }
        if reg.status != RegistrationStatus::Confirmed {
            report.reject(row, Some("ticket_no"), "the registration was cancelled");
        }
        if reg.exam_starts_at > ctx.now {
            report.reject(row, Some("ticket_no"), "the exam has not taken place yet");
        }
        if let Some(no) = &result.certificate_no
            && let Some(holder) = db::results::certificate_no_holder(&mut *tx, no).await?
            && holder != reg.id
        {
            report.reject(
                row,
                Some("certificate_no"),
                "another result already has this certificate number",
            );
        }
        let result = StoredResult {
            registration_id: reg.id.clone(),
            ..result
        };
        let stored = db::results::get(&mut *tx, &reg.id).await?;
        Ok(Some((result, stored)))
    }

    async fn apply(
        &mut self,
        ctx: &Ctx<'_>,
        tx: &mut AnyConnection,
        checked: Vec<Self::Checked>,
        report: &mut ImportReport,
    ) -> DbResult<()> {
        // Certificate numbers move between results of one file in any order: clear the changed
        // results' numbers first so the unique constraint never sees a transient duplicate.
        for (result, stored) in &checked {
            if let Some(old) = stored
                && old.certificate_no.is_some()
                && old.certificate_no != result.certificate_no
            {
                let cleared = StoredResult {
                    certificate_no: None,
                    ..old.clone()
                };
                db::results::upsert(&mut *tx, &cleared, ctx.now.timestamp()).await?;
            }
        }
        for (result, stored) in checked {
            if stored.as_ref() == Some(&result) {
                report.count(false);
            } else {
                db::results::upsert(&mut *tx, &result, ctx.now.timestamp()).await?;
                report.count(true);
            }
        }
        Ok(())
    }
}
