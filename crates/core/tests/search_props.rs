//! Property tests: every certificate can be found by its own name, full pinyin and initials;
//! filters only ever remove results; any query is safe.

mod support;

use std::collections::HashSet;

use kaozheng_core::model::CERTIFICATE_SUFFIX;
use kaozheng_core::{Query, SearchIndex, XLevel};
use proptest::prelude::*;

fn first_readings(pinyin: &str, take: usize) -> Vec<String> {
    pinyin
        .split_whitespace()
        .take(take)
        .map(|t| t.split('|').next().unwrap().to_string())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn each_certificate_is_found_by_name_pinyin_and_initials(c in support::catalog()) {
        let idx = SearchIndex::new(&c);
        for (i, cert) in c.certificates.iter().enumerate() {
            let short = cert.name.strip_suffix(CERTIFICATE_SUFFIX).unwrap();
            let n = kaozheng_core::text::segments(short).len();
            let readings = first_readings(&cert.pinyin, n);
            let full: String = readings.concat();
            let initials: String = readings.iter().map(|r| &r[..1]).collect();
            for q in [short.to_string(), full.clone(), initials] {
                let hits = idx.search(&Query::text(q.clone()));
                prop_assert!(hits.iter().any(|h| h.index == i), "{q:?} did not find {}", cert.name);
            }
            // The exact name ranks first among certificates sharing no longer name.
            let hits = idx.search(&Query::text(cert.name.clone()));
            prop_assert_eq!(hits[0].index, i);
        }
    }

    #[test]
    fn hits_are_unique_and_filters_only_remove(
        c in support::catalog(),
        text in "[a-z前端物流智能]{0,6}",
        batch in prop::option::of(1u8..=4),
        level in prop::option::of(prop::sample::select(XLevel::ALL.to_vec())),
    ) {
        let idx = SearchIndex::new(&c);
        let plain = idx.search(&Query::text(text.clone()));
        let unique: HashSet<usize> = plain.iter().map(|h| h.index).collect();
        prop_assert_eq!(unique.len(), plain.len());
        let filtered = idx.search(&Query { text, batch, level, org_id: None, field: None });
        for h in &filtered {
            prop_assert!(unique.contains(&h.index));
            let cert = &c.certificates[h.index];
            prop_assert!(batch.is_none() || cert.batch == batch);
            prop_assert!(level.is_none_or(|l| cert.has_level(l)));
        }
        prop_assert!(plain.windows(2).all(|w| w[0].score >= w[1].score), "sorted best first");
    }

    #[test]
    fn any_query_is_safe(c in support::catalog(), q in "\\PC{0,80}") {
        let idx = SearchIndex::new(&c);
        let hits = idx.search(&Query::text(q));
        prop_assert!(hits.iter().all(|h| h.index < c.certificates.len()));
    }
}
