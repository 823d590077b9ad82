//! Imports of administrator files: `kaozheng-server import <kind> FILE` and
//! `POST /api/v1/admin/import/{kind}` run the same code.
//!
//! A file is CSV (a header row, then one record per row) or JSON (the API's own shapes: an array of
//! records, or the catalog / rule document). It is read and validated as a whole first (shape,
//! values, references to stored records, duplicates within the file, cells a spreadsheet would run
//! as formulas); any rejected row rejects the file and nothing is written. Otherwise every row is
//! applied in one transaction, and a row equal to what is stored counts as unchanged, so importing
//! the same file again changes nothing.

pub mod documents;
pub mod payments;
pub mod plans;
pub mod read;
pub mod results;
pub mod scope;
pub mod sites;
pub mod spreadsheet;
pub mod students;

use chrono::{DateTime, Utc};

use crate::auth::password::Passwords;
use crate::auth::staff::Scope;
use sqlx::AnyConnection;

use crate::db::{Db, DbResult, WriteTx, meta};
use read::Parsed;

/// The report types are the API's (`POST /api/v1/admin/import/{kind}` answers them), shared with the
/// rule documents' catalog checks.
pub use kaozheng_api::import::{ImportKind as Kind, ImportReport, Rejection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// From a `Content-Type` (`text/csv`, `application/json`, with parameters).
    pub fn from_content_type(ct: &str) -> Option<Format> {
        let essence = ct.split(';').next().unwrap_or_default().trim();
        if essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json") {
            Some(Format::Json)
        } else if essence.eq_ignore_ascii_case("text/csv") {
            Some(Format::Csv)
        } else {
            None
        }
    }

    /// From a file name's extension.
    pub fn from_file_name(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1;
        if ext.eq_ignore_ascii_case("json") {
            Some(Format::Json)
        } else if ext.eq_ignore_ascii_case("csv") {
            Some(Format::Csv)
        } else {
            None
        }
    }

    /// JSON when the text starts with `[` or `{`, else CSV.
    pub fn sniff(text: &str) -> Format {
        match text.trim_start().as_bytes().first() {
            Some(b'[' | b'{') => Format::Json,
            _ => Format::Csv,
        }
    }
}

/// Everything an import needs besides the file.
pub struct Ctx<'a> {
    pub db: &'a Db,
    pub passwords: &'a Passwords,
    pub now: DateTime<Utc>,
    /// For `rules`: the rule kind when the document does not say (`--kind`, `?kind=`).
    pub rules_kind: Option<String>,
    /// Whose rows the caller may import ([`scope`]).
    pub scope: Scope,
    /// Validate and count as usual, then roll back: the report says what the file would do.
    pub dry_run: bool,
}

/// Meta key written first by every import: imports on servers sharing one PostgreSQL database wait
/// for each other on its row, so two files never validate against each other's half-applied rows
/// (and plan numbers are drawn one import at a time).
pub const LAST_IMPORT_AT: &str = "last_import_at";

impl Ctx<'_> {
    /// The import's write transaction, serialized with every other import. In a dry run its
    /// commit rolls back.
    pub async fn begin(&self) -> DbResult<WriteTx> {
        let mut tx = self.db.begin_write().await?;
        meta::set(&mut *tx, LAST_IMPORT_AT, &self.now.timestamp().to_string()).await?;
        Ok(if self.dry_run {
            tx.rolling_back_on_commit()
        } else {
            tx
        })
    }
}

/// Imports `bytes` as `kind`. `format` is the caller's hint (content type, extension); without one
/// the text decides. Database failures are errors; everything wrong with the file is in the
/// report.
pub async fn run(
    ctx: &Ctx<'_>,
    kind: Kind,
    format: Option<Format>,
    bytes: &[u8],
) -> DbResult<ImportReport> {
    let mut report = ImportReport::new(kind);
    report.dry_run = ctx.dry_run;
    if let Some(r) = scope::gate(&ctx.scope, kind) {
        report.rejected.push(r);
        return Ok(report);
    }
    let text = match read::utf8(bytes) {
        Ok(t) => t,
        Err(r) => {
            report.rejected.push(r);
            return Ok(report);
        }
    };
    let format = format.unwrap_or_else(|| Format::sniff(text));
    if let Some(r) = read::nul_character(text, format) {
        report.rejected.push(r);
        return Ok(report);
    }
    match kind {
        Kind::Sites => import(sites::Sites::default(), ctx, text, format, report).await,
        Kind::Plans => import(plans::Plans::default(), ctx, text, format, report).await,
        Kind::Students => import(students::Students::default(), ctx, text, format, report).await,
        Kind::Results => import(results::Results::default(), ctx, text, format, report).await,
        Kind::Catalog => import(documents::CatalogDocument, ctx, text, format, report).await,
        Kind::Rules => import(documents::RulesDocument, ctx, text, format, report).await,
        Kind::Payments => import(payments::Payments::default(), ctx, text, format, report).await,
    }
}

/// [`run`] for a file that may also be an `.xlsx` workbook: its first worksheet is imported as
/// CSV (see [`spreadsheet`]).
pub async fn run_file(
    ctx: &Ctx<'_>,
    kind: Kind,
    format: Option<Format>,
    bytes: &[u8],
) -> DbResult<ImportReport> {
    if !spreadsheet::is_xlsx(bytes) {
        return run(ctx, kind, format, bytes).await;
    }
    let mut report = ImportReport::new(kind);
    report.dry_run = ctx.dry_run;
    if let Some(r) = scope::gate(&ctx.scope, kind) {
        report.rejected.push(r);
        return Ok(report);
    }
    match spreadsheet::to_csv(bytes) {
        Ok(text) => run(ctx, kind, Some(Format::Csv), text.as_bytes()).await,
        Err(r) => {
            report.rejected.push(r);
            Ok(report)
        }
    }
}

/// One kind of import file: how its records are read, checked and written. [`import`] runs every
/// kind through the same flow.
pub(crate) trait Importer {
    /// One record as read from the file (for a document: the document).
    type Record;
    /// A record that passed every check, as it will be written.
    type Checked;
    /// The file is one document: it counts as one record, even when it cannot be read.
    const DOCUMENT: bool = false;

    /// Reads every record, or rejects the file as a whole.
    fn read(
        &self,
        ctx: &Ctx<'_>,
        text: &str,
        format: Format,
    ) -> Result<Vec<Parsed<Self::Record>>, Vec<Rejection>>;

    /// Work before the write transaction, which slow work (password hashing) must not hold.
    async fn prepare(&mut self, _ctx: &Ctx<'_>, _records: &[Parsed<Self::Record>]) -> DbResult<()> {
        Ok(())
    }

    /// Reads what the checks compare with, inside the transaction.
    async fn start(&mut self, _tx: &mut AnyConnection) -> DbResult<()> {
        Ok(())
    }

    /// Checks one record against the file so far and what is stored, each problem into
    /// `report`; `None` when there is nothing to write for it.
    async fn check(
        &mut self,
        ctx: &Ctx<'_>,
        tx: &mut AnyConnection,
        row: usize,
        record: Self::Record,
        report: &mut ImportReport,
    ) -> DbResult<Option<Self::Checked>>;

    /// Checks across records, once each passed on its own.
    async fn check_all(
        &mut self,
        _tx: &mut AnyConnection,
        _checked: &[(usize, Self::Checked)],
        _report: &mut ImportReport,
    ) -> DbResult<()> {
        Ok(())
    }

    /// Writes the checked records, counting each as applied or unchanged; a rejection here still
    /// undoes everything.
    async fn apply(
        &mut self,
        ctx: &Ctx<'_>,
        tx: &mut AnyConnection,
        checked: Vec<Self::Checked>,
        report: &mut ImportReport,
    ) -> DbResult<()>;
}

/// Read, check every record (all of them, so the report names every problem at once), and only
/// when none was rejected write them all in one transaction. A file that changes nothing writes
/// nothing.
async fn import<I: Importer>(
    mut importer: I,
    ctx: &Ctx<'_>,
    text: &str,
    format: Format,
    mut report: ImportReport,
) -> DbResult<ImportReport> {
    if I::DOCUMENT {
        report.total = 1;
    }
    let records = match importer.read(ctx, text, format) {
        Ok(records) => records,
        Err(problems) => {
            report.rejected = problems;
            return Ok(report);
        }
    };
    if !I::DOCUMENT {
        report.total = records.len();
    }
    importer.prepare(ctx, &records).await?;
    let mut tx = ctx.begin().await?;
    importer.start(&mut tx).await?;
    let mut checked = Vec::new();
    for parsed in records {
        let record = match parsed.value {
            Ok(r) => r,
            Err(rejection) => {
                report.rejected.push(rejection);
                continue;
            }
        };
        let before = report.rejected.len();
        let passed = importer
            .check(ctx, &mut tx, parsed.row, record, &mut report)
            .await?;
        if let Some(c) = passed.filter(|_| report.rejected.len() == before) {
            checked.push((parsed.row, c));
        }
    }
    if report.ok() {
        importer.check_all(&mut tx, &checked, &mut report).await?;
    }
    if !report.ok() {
        return Ok(report);
    }
    let checked = checked.into_iter().map(|(_, c)| c).collect();
    importer.apply(ctx, &mut tx, checked, &mut report).await?;
    if report.ok() && report.applied > 0 {
        tx.commit().await?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_headers_names_or_the_text() {
        assert_eq!(
            Format::from_content_type("text/csv; charset=utf-8"),
            Some(Format::Csv)
        );
        assert_eq!(
            Format::from_content_type("application/json"),
            Some(Format::Json)
        );
        assert_eq!(Format::from_content_type("text/plain"), None);
        assert_eq!(Format::from_file_name("plans.CSV"), Some(Format::Csv));
        assert_eq!(Format::from_file_name("fees.json"), Some(Format::Json));
        assert_eq!(Format::from_file_name("README"), None);
        assert_eq!(Format::sniff("  [{}]"), Format::Json);
        assert_eq!(Format::sniff("id,name\n"), Format::Csv);
    }
}
