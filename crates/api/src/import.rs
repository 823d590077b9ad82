//! `POST /admin/import/{kind}`: what an administrator's file holds and what the import did with it.
//! The server's importers fill the report; the CLI prints the same one.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a file holds (the `{kind}` of the path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Catalog,
    Sites,
    Plans,
    Students,
    Results,
    Rules,
    /// Which students have paid their exam fee (the school's finance records).
    Payments,
}

impl ImportKind {
    pub const ALL: [ImportKind; 7] = [
        ImportKind::Catalog,
        ImportKind::Sites,
        ImportKind::Plans,
        ImportKind::Students,
        ImportKind::Results,
        ImportKind::Rules,
        ImportKind::Payments,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Catalog => "catalog",
            ImportKind::Sites => "sites",
            ImportKind::Plans => "plans",
            ImportKind::Students => "students",
            ImportKind::Results => "results",
            ImportKind::Rules => "rules",
            ImportKind::Payments => "payments",
        }
    }

    pub fn parse(s: &str) -> Option<ImportKind> {
        ImportKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// For `rules`: which rules (`fees`, `grades`, `credits`, `graduation`, `eligibility`), when
    /// the document does not say.
    pub kind: Option<String>,
    /// Validate and report, write nothing.
    pub dry_run: Option<bool>,
}

/// One rejected row. `row` is the CSV line (the header is line 1) or the position in the JSON
/// array (from 1); 0 means the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub row: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub reason: String,
}

/// What an import did, or why it did nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub kind: String,
    /// Records in the file (1 for a catalog or rule document).
    pub total: usize,
    pub applied: usize,
    pub unchanged: usize,
    /// Every rejected row; when not empty, nothing was written.
    pub rejected: Vec<Rejection>,
    /// A dry run: the counts say what the file would do; nothing was written.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

impl ImportReport {
    pub fn new(kind: ImportKind) -> ImportReport {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in ImportKind::ALL {
            assert_eq!(ImportKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ImportKind::parse("grades"), None);
    }
}
