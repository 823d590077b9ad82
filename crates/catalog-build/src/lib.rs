//! Builds the catalog documents Kaozheng ships and tests with (the [`kaozheng_core::Catalog`]
//! format): the default catalog from the public source tables in `data/source/`, and large
//! synthetic catalogs for search and storage tests. Output is deterministic byte for byte, so the
//! committed `data/catalog.json` can be checked against a rebuild.

pub mod error;
pub mod hash;
pub mod official;
pub mod romanize;
pub mod source;
pub mod synthetic;

use std::io::Write;
use std::path::Path;

use kaozheng_core::Catalog;

pub use error::BuildError;
pub use official::build_default;
pub use synthetic::build_synthetic;

/// Puts a catalog in its canonical form: certificates by batch (known batches first, ascending),
/// then pinyin; organisations by pinyin; then stamps the content version and validates. Sorting by
/// pinyin (each character's first reading) gives the app an order students recognise without
/// collation tables.
pub fn finish(mut catalog: Catalog) -> Result<Catalog, BuildError> {
    catalog.certificates.sort_by_cached_key(|c| {
        (
            c.batch.is_none(),
            c.batch,
            sort_key(&c.pinyin),
            c.name.clone(),
        )
    });
    catalog
        .orgs
        .sort_by_cached_key(|o| (sort_key(&o.pinyin), o.name.clone()));
    catalog.set_content_version();
    catalog.validate()?;
    Ok(catalog)
}

/// The pinyin with each token cut to its first reading: "da|dai shu" sorts as "da shu".
fn sort_key(pinyin: &str) -> String {
    pinyin
        .split(' ')
        .map(|t| t.split('|').next().unwrap_or(t))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The file form: compact JSON and a trailing newline.
pub fn render(catalog: &Catalog) -> String {
    let mut s = catalog.to_json();
    s.push('\n');
    s
}

/// Validates, then writes through a temporary file beside `path` and renames it, so a reader never
/// sees a half-written or invalid catalog.
pub fn write_catalog(catalog: &Catalog, path: &Path) -> Result<(), BuildError> {
    catalog.validate()?;
    let io = |source| BuildError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    file.write_all(render(catalog).as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io)
}

/// Counts for the build summary: certificates, organisations, certificate levels.
pub fn counts(catalog: &Catalog) -> (usize, usize, usize) {
    let levels = catalog.certificates.iter().map(|c| c.levels.len()).sum();
    (catalog.certificates.len(), catalog.orgs.len(), levels)
}
