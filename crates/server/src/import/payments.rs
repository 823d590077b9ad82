//! Payments: which students have paid their exam fee, by ticket number (准考证号), as the school's
//! finance records say. CSV `ticket_no,paid_at`; JSON an array of `{ticket_no, paid_at}`. An
//! empty `paid_at` takes a payment back (recorded by mistake). Only a confirmed registration whose
//! student pays something can be paid; a school's staff record their own students' only.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kaozheng_core::model::RegistrationStatus;
use serde::Deserialize;
use sqlx::AnyConnection;

use super::read::{self, Columns, Parsed, de};
use super::{Ctx, Format, ImportReport, Importer, Rejection, scope};
use crate::db::{self, DbResult};

pub const COLUMNS: Columns = Columns {
    required: &["ticket_no", "paid_at"],
    optional: &[],
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    ticket_no: String,
    #[serde(default, deserialize_with = "de::opt_china_time")]
    paid_at: Option<DateTime<Utc>>,
}

/// Reads and writes payments.
#[derive(Default)]
pub struct Payments {
    seen: HashMap<String, usize>,
}

impl Importer for Payments {
    type Record = Row;
    /// The registration's id, the payment time to store, and the stored one.
    type Checked = (String, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

    fn read(
        &self,
        _ctx: &Ctx<'_>,
        text: &str,
        format: Format,
    ) -> Result<Vec<Parsed<Row>>, Vec<Rejection>> {
        read::rows(text, format, &COLUMNS)
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
        let ticket = r.ticket_no.trim();
        if ticket.is_empty() || !ticket.bytes().all(|b| b.is_ascii_digit()) {
            report.reject(row, Some("ticket_no"), "a ticket number has digits only");
        }
        let first = *self.seen.entry(ticket.to_string()).or_insert(row);
        if first != row {
            report.reject(row, Some("ticket_no"), format!("duplicate of row {first}"));
        }
        if r.paid_at.is_some_and(|t| t > ctx.now) {
            report.reject(row, Some("paid_at"), "a payment cannot be in the future");
        }
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
        // The same reach as results: the ticket's holder is the staff's student.
        scope::result(&ctx.scope, report, row, &holder_school);
        if report.rejected.len() > in_reach {
            return Ok(None);
        }
        if r.paid_at.is_some() {
            if reg.status != RegistrationStatus::Confirmed {
                report.reject(row, Some("ticket_no"), "the registration was cancelled");
            }
            if reg.fee.student_pays_fen == 0 {
                report.reject(
                    row,
                    Some("ticket_no"),
                    "this student pays nothing for this exam (see the registration's payer)",
                );
            }
        }
        Ok(Some((reg.id, r.paid_at, reg.fee_paid_at)))
    }

    async fn apply(
        &mut self,
        _ctx: &Ctx<'_>,
        tx: &mut AnyConnection,
        checked: Vec<Self::Checked>,
        report: &mut ImportReport,
    ) -> DbResult<()> {
        for (id, paid_at, stored) in checked {
            let changed = paid_at != stored;
            if changed {
                db::registrations::set_paid(&mut *tx, &id, paid_at).await?;
            }
            report.count(changed);
        }
        Ok(())
    }
}
