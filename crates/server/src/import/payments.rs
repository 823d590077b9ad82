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
use super::results::{check_ticket_no, ticket_in_reach};
use super::{Ctx, Format, ImportReport, Importer, Rejection};
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
        check_ticket_no(report, row, ticket, &mut self.seen);
        if r.paid_at.is_some_and(|t| t > ctx.now) {
            report.reject(row, Some("paid_at"), "a payment cannot be in the future");
        }
        // The same reach as results: the ticket's holder is the staff's student.
        let Some((reg, _)) = ticket_in_reach(ctx, tx, report, row, ticket, before).await? else {
            return Ok(None);
        };
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
