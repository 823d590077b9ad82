//! Exam plans: CSV with the columns below or a JSON array of the API's `ExamPlan` (as listed by
//! `GET /api/v1/plans`; `seats_left` and `state` are accepted and ignored, since the server counts
//! seats and computes states). Times are RFC 3339 or `YYYY-MM-DD HH:MM` in China time. How, where
//! and by when the fee is paid is optional: CSV columns `pay_method` (`school_collects`, `online`
//! or `at_site`), `pay_place` and `pay_due_at`, or the API's `payment` object in JSON.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use kaozheng_core::rules::{FeeRules, uniform_fee_conflicts};
use kaozheng_core::{ExamPlan, FeePayment, PayMethod, PlanPhase, XLevel};
use serde::Deserialize;
use serde::de::IgnoredAny;

use sqlx::AnyConnection;

use super::read::{self, Columns, Parsed, check_id, check_text, de};
use super::{Ctx, Format, ImportReport, Importer, Rejection, scope};
use crate::db::{self, DbResult};
use crate::rules;

pub const COLUMNS: Columns = Columns {
    required: &[
        "id",
        "name",
        "certificate_id",
        "level",
        "province",
        "site_id",
        "phase",
        "window_opens_at",
        "window_closes_at",
        "exam_starts_at",
        "exam_ends_at",
        "capacity",
        "fee_fen",
    ],
    optional: &[
        "seats_left",
        "state",
        "pay_method",
        "pay_place",
        "pay_due_at",
    ],
};

/// The highest fee accepted: 10 000 yuan.
const MAX_FEE_FEN: u32 = 1_000_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    id: String,
    name: String,
    certificate_id: String,
    #[serde(deserialize_with = "level")]
    level: XLevel,
    province: String,
    site_id: String,
    phase: PlanPhase,
    #[serde(deserialize_with = "de::china_time")]
    window_opens_at: DateTime<Utc>,
    #[serde(deserialize_with = "de::china_time")]
    window_closes_at: DateTime<Utc>,
    #[serde(deserialize_with = "de::china_time")]
    exam_starts_at: DateTime<Utc>,
    #[serde(deserialize_with = "de::china_time")]
    exam_ends_at: DateTime<Utc>,
    capacity: u32,
    fee_fen: u32,
    /// CSV: how the fee is paid (`school_collects`, `online`, `at_site`), where, and by when.
    #[serde(default, deserialize_with = "de::opt_text")]
    pay_method: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pay_place: Option<String>,
    #[serde(default, deserialize_with = "de::opt_china_time")]
    pay_due_at: Option<DateTime<Utc>>,
    /// JSON: the same as the API's `payment` object.
    #[serde(default)]
    payment: Option<FeePayment>,
    /// Accepted so `GET /api/v1/plans` output can be imported again; the server counts seats.
    #[serde(default, rename = "seats_left")]
    _seats_left: Option<IgnoredAny>,
    /// Accepted likewise; states are computed.
    #[serde(default, rename = "state")]
    _state: Option<IgnoredAny>,
}

/// A level as JSON names it, or as people type it (中级, 2, Intermediate).
fn level<'de, D: serde::Deserializer<'de>>(d: D) -> Result<XLevel, D::Error> {
    let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    XLevel::parse(&s).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "expected primary, intermediate or advanced (初级/中级/高级), got {s:?}"
        ))
    })
}

/// How the fee is paid, from the CSV columns or the JSON object (not both); rejects what it cannot
/// read and returns none then.
fn payment(
    report: &mut ImportReport,
    row: usize,
    object: Option<FeePayment>,
    method: Option<String>,
    place: Option<String>,
    due_at: Option<DateTime<Utc>>,
) -> Option<FeePayment> {
    let columns = method.is_some() || place.is_some() || due_at.is_some();
    let payment = match (object, method) {
        (Some(_), _) if columns => {
            report.reject(
                row,
                Some("payment"),
                "give the payment object or the pay_method, pay_place and pay_due_at fields, not both",
            );
            return None;
        }
        (Some(p), _) => p,
        (None, None) if columns => {
            report.reject(
                row,
                Some("pay_method"),
                "pay_place and pay_due_at need a pay_method (school_collects, online or at_site)",
            );
            return None;
        }
        (None, None) => return None,
        (None, Some(m)) => match PayMethod::parse(m.trim()) {
            Some(method) => FeePayment {
                method,
                place,
                due_at,
            },
            None => {
                report.reject(
                    row,
                    Some("pay_method"),
                    format!("expected school_collects, online or at_site, got {m:?}"),
                );
                return None;
            }
        },
    };
    if let Some(place) = &payment.place {
        check_text(report, row, "pay_place", place, 200);
    }
    Some(payment)
}

/// Reads and writes exam plans.
#[derive(Default)]
pub struct Plans {
    sites: Vec<kaozheng_core::Site>,
    /// The school running each stored site that has one.
    site_schools: HashMap<String, String>,
    seen: HashMap<String, usize>,
}

impl Importer for Plans {
    type Record = Row;
    /// The plan and what is stored under its id.
    type Checked = (ExamPlan, Option<ExamPlan>);

    fn read(
        &self,
        _ctx: &Ctx<'_>,
        text: &str,
        format: Format,
    ) -> Result<Vec<Parsed<Row>>, Vec<Rejection>> {
        read::rows(text, format, &COLUMNS)
    }

    async fn start(&mut self, tx: &mut AnyConnection) -> DbResult<()> {
        self.sites = db::sites::list(&mut *tx).await?;
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
        // Any name of the province (河南, 河南省, Henan) is stored as its code.
        let known = kaozheng_core::province::normalize(&r.province);
        let province = match known {
            Some(code) => code.to_string(),
            None => {
                report.reject(
                    row,
                    Some("province"),
                    format!(
                        "{:?} is not one of the 31 provinces (e.g. 河南, 河南省 or Henan)",
                        r.province
                    ),
                );
                r.province.clone()
            }
        };
        check_id(report, row, "id", &r.id, 128);
        check_text(report, row, "name", &r.name, 200);
        if check_text(report, row, "certificate_id", &r.certificate_id, 128)
            && db::catalog::level_info(tx, &r.certificate_id, r.level)
                .await?
                .is_none()
        {
            report.reject(
                row,
                Some("certificate_id"),
                format!(
                    "the catalog has no certificate {:?} at level {}",
                    r.certificate_id,
                    r.level.as_str()
                ),
            );
        }
        match self.sites.iter().find(|s| s.id == r.site_id) {
            None => report.reject(
                row,
                Some("site_id"),
                format!("no exam site {:?}", r.site_id),
            ),
            Some(site) if known.is_some() && site.province != province => report.reject(
                row,
                Some("province"),
                format!("the site {:?} is in {}", site.id, site.province),
            ),
            Some(_) => {}
        }
        if r.capacity > db::plans::MAX_CAPACITY {
            report.reject(
                row,
                Some("capacity"),
                format!("at most {} seats", db::plans::MAX_CAPACITY),
            );
        }
        if r.fee_fen > MAX_FEE_FEN {
            report.reject(row, Some("fee_fen"), format!("at most {MAX_FEE_FEN} fen"));
        }
        let payment = payment(
            report,
            row,
            r.payment,
            r.pay_method,
            r.pay_place,
            r.pay_due_at,
        );
        match self.seen.entry(r.id.clone()) {
            Entry::Occupied(first) => {
                report.reject(row, Some("id"), format!("duplicate of row {}", first.get()))
            }
            Entry::Vacant(v) => {
                v.insert(row);
            }
        }
        let plan = ExamPlan {
            id: r.id,
            name: r.name,
            certificate_id: r.certificate_id,
            level: r.level,
            province,
            site_id: r.site_id,
            phase: r.phase,
            window_opens_at: r.window_opens_at,
            window_closes_at: r.window_closes_at,
            exam_starts_at: r.exam_starts_at,
            exam_ends_at: r.exam_ends_at,
            capacity: r.capacity,
            seats_left: r.capacity,
            fee_fen: r.fee_fen,
            payment,
        };
        match plan.check_times() {
            Ok(()) => {}
            Err("pay_due_at") => report.reject(
                row,
                Some("pay_due_at"),
                "the fee is due between the window's opening and the exam's start",
            ),
            Err(field) => report.reject(
                row,
                Some(field),
                "times out of order: the window opens before it closes, closes no later than the \
             exam starts, and the exam starts before it ends",
            ),
        }
        let stored = db::plans::get(&mut *tx, &plan.id).await?;
        scope::plan(
            &ctx.scope,
            report,
            row,
            self.sites.iter().any(|s| s.id == plan.site_id),
            self.site_schools.get(&plan.site_id).map(String::as_str),
            stored
                .as_ref()
                .map(|old| self.site_schools.get(&old.site_id).map(String::as_str)),
        );
        if let Some(old) = &stored {
            let taken = old.capacity - old.seats_left;
            if plan.capacity < taken {
                report.reject(
                    row,
                    Some("capacity"),
                    format!("{taken} seats are already taken"),
                );
            }
            let moved = old.certificate_id != plan.certificate_id || old.level != plan.level;
            if moved && db::plans::registration_count(&mut *tx, &plan.id).await? > 0 {
                report.reject(
                    row,
                    Some("certificate_id"),
                    "the plan has registrations: its certificate and level cannot change",
                );
            }
        }
        Ok(Some((plan, stored)))
    }

    /// Where a province's rule says one fee per certificate (Anhui, Tianjin), a plan whose fee
    /// differs from another plan of the same certificate level there is refused with both.
    async fn check_all(
        &mut self,
        tx: &mut AnyConnection,
        checked: &[(usize, Self::Checked)],
        report: &mut ImportReport,
    ) -> DbResult<()> {
        let Some(fees) = rules::load::<FeeRules>(tx).await? else {
            return Ok(());
        };
        let plans: Vec<ExamPlan> = checked.iter().map(|(_, (p, _))| p.clone()).collect();
        let stored = db::plans::list(&mut *tx, &db::plans::PlanFilter::default()).await?;
        for c in uniform_fee_conflicts(&fees, &plans, &stored) {
            let plan = &plans[c.index];
            report.reject(
                checked[c.index].0,
                Some("fee_fen"),
                format!(
                    "{} fen differs from the {} fen of plan {:?} for the same certificate level in \
                     {}, whose rule ({}) sets one fee per certificate",
                    plan.fee_fen, c.other_fee_fen, c.other_plan, plan.province, c.policy_id
                ),
            );
        }
        Ok(())
    }

    async fn apply(
        &mut self,
        _ctx: &Ctx<'_>,
        tx: &mut AnyConnection,
        checked: Vec<Self::Checked>,
        report: &mut ImportReport,
    ) -> DbResult<()> {
        for (mut plan, stored) in checked {
            match stored {
                Some(old) => {
                    plan.seats_left = plan.capacity - (old.capacity - old.seats_left);
                    if old == plan {
                        report.count(false);
                    } else {
                        db::plans::update(&mut *tx, &plan).await?;
                        report.count(true);
                    }
                }
                None => {
                    db::plans::insert(&mut *tx, &plan).await?;
                    report.count(true);
                }
            }
        }
        Ok(())
    }
}
