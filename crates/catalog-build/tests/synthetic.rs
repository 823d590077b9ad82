//! Synthetic catalogs: deterministic, as large as asked, unmistakably fake.

use std::collections::HashSet;

use kaozheng_catalog_build::synthetic::MARKER;
use kaozheng_catalog_build::{build_synthetic, render};
use kaozheng_core::{Catalog, Query, SearchIndex};

#[test]
fn same_seed_same_bytes_other_seed_other_catalog() {
    let a = render(&build_synthetic(500, 7).unwrap());
    assert_eq!(a, render(&build_synthetic(500, 7).unwrap()));
    assert_ne!(a, render(&build_synthetic(500, 8).unwrap()));
}

#[test]
fn count_names_marker_and_validity() {
    let c = build_synthetic(3000, 1).unwrap();
    assert_eq!(c.certificates.len(), 3000);
    assert_eq!(c.orgs.len(), 150);
    assert!(c.synthetic);
    assert!(c.source.contains("模拟") && c.source.contains("Generated test data"));
    assert!(c.validate().is_ok());
    assert!(Catalog::parse(&render(&c)).is_ok());

    let names: HashSet<&str> = c.certificates.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names.len(), 3000, "names repeat");
    assert!(c.certificates.iter().all(|x| x.name.contains(MARKER)));
    assert!(c.orgs.iter().all(|o| o.name.contains(MARKER)));

    // Every organisation issues something; every certificate has fields a filter can use.
    let used: HashSet<&str> = c.certificates.iter().map(|x| x.org_id.as_str()).collect();
    assert_eq!(used.len(), c.orgs.len());
    assert!(
        c.certificates.iter().all(|x| {
            x.field.is_some() && (1..=3).contains(&x.levels.len()) && x.batch.is_some()
        })
    );
    assert_eq!(c.batches(), [1, 2, 3, 4]);
    assert!(c.fields().len() >= 10);
}

#[test]
fn edge_sizes() {
    let empty = build_synthetic(0, 1).unwrap();
    assert!(empty.certificates.is_empty() && empty.orgs.is_empty());
    let one = build_synthetic(1, 1).unwrap();
    assert_eq!((one.certificates.len(), one.orgs.len()), (1, 1));
    let e = build_synthetic(100_001, 1).unwrap_err().to_string();
    assert!(e.contains("100001"), "{e}");
}

#[test]
fn synthetic_names_are_searchable_by_pinyin() {
    let c = build_synthetic(200, 3).unwrap();
    let index = SearchIndex::new(&c);
    let target = &c.certificates[123];
    // The full pinyin of the distinctive part, first readings only.
    let short = target.short_name();
    let tokens = kaozheng_core::text::segments(short).len();
    let typed: String = target
        .pinyin
        .split(' ')
        .take(tokens)
        .map(|t| t.split('|').next().unwrap())
        .collect();
    let hits = index.search(&Query::text(&typed));
    assert_eq!(
        c.certificates[hits[0].index].name, target.name,
        "query {typed:?}"
    );
}
