//! Whole documents: the catalog and rule documents. Each is accepted or rejected as a whole.
//!
//! Catalog: the JSON document `crates/catalog-build` writes, or CSV with one row per certificate
//! level (a certificate without levels has one row with an empty `level`); certificate and
//! organisation columns repeat on every row of the certificate and must agree. A CSV catalog's
//! version is `csv-` and a digest of the file.
//!
//! Rules: the JSON document (its kind from `--kind` / `?kind=`, a top-level `"kind"`, or its
//! fields: `policies` means fees, `rule_sets` grades, `schools` credits, or graduation when a school
//! has `required_count`), or for fees CSV with one
//! row per citation; policy columns repeat on every row of the policy. A CSV document's version is
//! its `version` column, else `csv-` and a digest of the file. A credit table must also name only
//! certificate levels of the stored catalog; each one that does not is reported on its school's
//! row.

mod catalog;
mod rules;

pub use catalog::{CATALOG_COLUMNS, CATALOG_ORIGIN_ADMIN, CatalogDocument};
pub use rules::{FEES_COLUMNS, RulesDocument};
