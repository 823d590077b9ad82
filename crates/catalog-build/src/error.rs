//! Everything that can stop a build, worded so the person running it can fix the input.

use std::path::PathBuf;

use kaozheng_core::CatalogErrors;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A source table's header lacks a column the build needs.
    #[error("{}:{line}: missing column {column:?} (header has: {found})", file.display())]
    MissingColumn {
        file: PathBuf,
        line: u64,
        column: &'static str,
        found: String,
    },
    /// A row the CSV reader could not read (wrong number of fields, bad UTF-8).
    #[error("{}:{line}: malformed row: {message}", file.display())]
    MalformedRow {
        file: PathBuf,
        line: u64,
        message: String,
    },
    /// A value that is present but unusable.
    #[error("{}:{line}: field {field:?}: {message}", file.display())]
    Field {
        file: PathBuf,
        line: u64,
        field: &'static str,
        message: String,
    },
    #[error("no pinyin reading for {ch:?} (U+{:04X}) in {name:?}", *ch as u32)]
    NoPinyin { ch: char, name: String },
    #[error("synthetic catalog: {0}")]
    Synthetic(String),
    /// The built document broke a catalog rule; nothing is written.
    #[error("{0}")]
    Invalid(#[from] CatalogErrors),
}
