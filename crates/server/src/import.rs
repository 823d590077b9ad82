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
pub mod plans;
pub mod read;
pub mod results;
pub mod scope;
pub mod sites;
pub mod spreadsheet;
pub mod students;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::password::Passwords;
use crate::auth::staff::Scope;
use crate::db::{Db, DbResult, WriteTx, meta};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Catalog,
    Sites,
    Plans,
    Students,
    Results,
    Rules,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Catalog,
        Kind::Sites,
        Kind::Plans,
        Kind::Students,
        Kind::Results,
        Kind::Rules,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Catalog => "catalog",
            Kind::Sites => "sites",
            Kind::Plans => "plans",
            Kind::Students => "students",
            Kind::Results => "results",
            Kind::Rules => "rules",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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

/// One rejected row. `row` is the CSV line (the header is line 1) or the position in the JSON
/// array (from 1); 0 means the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub row: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub reason: String,
}

/// What an import did, or why it did nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub kind: String,
    /// Records in the file (1 for a catalog or rule document).
    pub total: usize,
    pub applied: usize,
    pub unchanged: usize,
    /// Every rejected row; when not empty, nothing was written.
    pub rejected: Vec<Rejection>,
    /// A dry run: the counts say what the file would do; nothing was written.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

impl ImportReport {
    pub fn new(kind: Kind) -> ImportReport {
        ImportReport {
            kind: kind.as_str().into(),
            total: 0,
            applied: 0,
            unchanged: 0,
            rejected: Vec::new(),
            dry_run: false,
        }
    }

    pub fn reject(&mut self, row: usize, field: Option<&str>, reason: impl Into<String>) {
        self.rejected.push(Rejection {
            row,
            field: field.map(str::to_string),
            reason: reason.into(),
        });
    }

    pub fn ok(&self) -> bool {
        self.rejected.is_empty()
    }

    /// Records `applied` (true) or `unchanged` (false).
    pub fn count(&mut self, changed: bool) {
        if changed {
            self.applied += 1;
        } else {
            self.unchanged += 1;
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
        Kind::Sites => sites::import(ctx, text, format, report).await,
        Kind::Plans => plans::import(ctx, text, format, report).await,
        Kind::Students => students::import(ctx, text, format, report).await,
        Kind::Results => results::import(ctx, text, format, report).await,
        Kind::Catalog => documents::import_catalog(ctx, text, format, report).await,
        Kind::Rules => documents::import_rules(ctx, text, format, report).await,
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
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
    }
}
