//! Reading the source tables (data/source/*.csv). Each row is checked on its own here; how rows
//! combine into certificates is [`crate::official`]'s business. Every error names the file, the
//! line and the field.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use csv::StringRecord;
use kaozheng_core::XLevel;

use crate::error::BuildError;

/// The pilot batch list: batch 1 and 2 certificates with their evaluation organisations.
pub const BATCH_FILE: &str = "onex_batch1_2_orgs.csv";
/// One row per certificate level, as listed on the national platform.
pub const LEVELS_FILE: &str = "onex_certificate_levels_subset.csv";

/// A row of [`BATCH_FILE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRow {
    pub line: u64,
    pub batch: u8,
    pub certificate_name: String,
    pub evaluation_org: String,
}

/// A row of [`LEVELS_FILE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelRow {
    pub line: u64,
    pub certificate_id: String,
    pub certificate_name: String,
    pub level: XLevel,
    pub evaluation_org: String,
    pub state_dt: NaiveDate,
}

pub fn read_batches(path: &Path) -> Result<Vec<BatchRow>, BuildError> {
    let mut table = Table::open(path, &["batch", "certificate_name", "evaluation_org"])?;
    let mut rows = Vec::new();
    while let Some(row) = table.next_row()? {
        let raw = row.text("batch")?;
        let batch = match raw.parse::<u8>() {
            Ok(b @ 1..=4) => b,
            _ => return Err(row.bad("batch", format!("{raw:?} is not a pilot batch (1–4)"))),
        };
        rows.push(BatchRow {
            line: row.line,
            batch,
            certificate_name: row.text("certificate_name")?.to_string(),
            evaluation_org: row.text("evaluation_org")?.to_string(),
        });
    }
    Ok(rows)
}

pub fn read_levels(path: &Path) -> Result<Vec<LevelRow>, BuildError> {
    let mut table = Table::open(
        path,
        &[
            "certificate_id",
            "certificate_name",
            "level",
            "evaluation_org",
            "state_dt",
        ],
    )?;
    let mut rows = Vec::new();
    while let Some(row) = table.next_row()? {
        let raw = row.text("level")?;
        let level = match raw {
            "初级" => XLevel::Primary,
            "中级" => XLevel::Intermediate,
            "高级" => XLevel::Advanced,
            _ => return Err(row.bad("level", format!("{raw:?} is not 初级, 中级 or 高级"))),
        };
        let raw = row.text("state_dt")?;
        let state_dt = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| row.bad("state_dt", format!("{raw:?} is not a date (YYYY-MM-DD)")))?;
        rows.push(LevelRow {
            line: row.line,
            certificate_id: row.text("certificate_id")?.to_string(),
            certificate_name: row.text("certificate_name")?.to_string(),
            level,
            evaluation_org: row.text("evaluation_org")?.to_string(),
            state_dt,
        });
    }
    Ok(rows)
}

/// A CSV file with a header, whose required columns have been located.
struct Table {
    file: PathBuf,
    reader: csv::Reader<std::fs::File>,
    columns: Vec<(&'static str, usize)>,
    record: StringRecord,
}

/// One data row, able to say where a problem is.
struct Row<'a> {
    file: &'a Path,
    line: u64,
    columns: &'a [(&'static str, usize)],
    record: &'a StringRecord,
}

impl Table {
    fn open(path: &Path, required: &[&'static str]) -> Result<Table, BuildError> {
        let file = std::fs::File::open(path).map_err(|source| BuildError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(file);
        let header = reader.headers().map_err(|e| malformed(path, &e))?.clone();
        let mut columns = Vec::new();
        for &name in required {
            match header.iter().position(|h| h == name) {
                Some(i) => columns.push((name, i)),
                None => {
                    return Err(BuildError::MissingColumn {
                        file: path.to_path_buf(),
                        line: 1,
                        column: name,
                        found: header.iter().collect::<Vec<_>>().join(", "),
                    });
                }
            }
        }
        Ok(Table {
            file: path.to_path_buf(),
            reader,
            columns,
            record: StringRecord::new(),
        })
    }

    fn next_row(&mut self) -> Result<Option<Row<'_>>, BuildError> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(Row {
                file: &self.file,
                line: self.record.position().map_or(0, |p| p.line()),
                columns: &self.columns,
                record: &self.record,
            })),
            Err(e) => Err(malformed(&self.file, &e)),
        }
    }
}

impl Row<'_> {
    /// The trimmed, non-empty value of a required column.
    fn text(&self, field: &'static str) -> Result<&str, BuildError> {
        let i = self
            .columns
            .iter()
            .find(|(name, _)| *name == field)
            .map(|&(_, i)| i)
            .expect("only required columns are asked for");
        match self.record.get(i) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(self.bad(field, "is empty".into())),
        }
    }

    fn bad(&self, field: &'static str, message: String) -> BuildError {
        BuildError::Field {
            file: self.file.to_path_buf(),
            line: self.line,
            field,
            message,
        }
    }
}

fn malformed(file: &Path, e: &csv::Error) -> BuildError {
    let line = e.position().map_or(0, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} fields, the header has {expected_len}"),
        csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not UTF-8", err.field() + 1),
        _ => e.to_string(),
    };
    BuildError::MalformedRow {
        file: file.to_path_buf(),
        line,
        message,
    }
}
