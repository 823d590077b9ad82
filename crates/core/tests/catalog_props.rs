//! Property tests: the catalog parser never panics, accepts what it writes, and rejects a bad
//! document as a whole with the path of the offending record.

mod support;

use kaozheng_core::{Catalog, LevelInfo, XLevel};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        if let Err(e) = Catalog::parse(&text) {
            prop_assert!(!e.0.is_empty());
        }
    }

    #[test]
    fn valid_catalogs_round_trip(c in support::catalog()) {
        prop_assert_eq!(Catalog::parse(&c.to_json()), Ok(c));
    }

    #[test]
    fn a_damaged_document_is_rejected_or_still_valid(
        c in support::catalog(),
        at in any::<prop::sample::Index>(),
        len in 0usize..40,
        junk in "[\\[\\]{}\",:a-z0-9 ]{0,8}",
    ) {
        let json = c.to_json();
        let chars: Vec<char> = json.chars().collect();
        let start = at.index(chars.len());
        let end = (start + len).min(chars.len());
        let damaged: String = chars[..start].iter().chain(junk.chars().collect::<Vec<_>>().iter()).chain(chars[end..].iter()).collect();
        match Catalog::parse(&damaged) {
            Ok(parsed) => prop_assert!(parsed.validate().is_ok()),
            Err(e) => prop_assert!(e.0.iter().all(|e| !e.path.is_empty() && !e.message.is_empty())),
        }
    }

    #[test]
    fn a_duplicate_id_is_reported_at_the_duplicate(c in support::catalog(), pick in any::<prop::sample::Index>()) {
        prop_assume!(c.certificates.len() >= 2);
        let mut c = c;
        let victim = 1 + pick.index(c.certificates.len() - 1);
        c.certificates[victim].id = c.certificates[0].id.clone();
        let errs = Catalog::parse(&c.to_json()).unwrap_err().0;
        let want = format!("certificates[{victim}].id");
        prop_assert!(errs.iter().any(|e| e.path == want), "{:?}", errs);
    }

    #[test]
    fn levels_out_of_order_are_reported(c in support::catalog(), pick in any::<prop::sample::Index>()) {
        let mut c = c;
        let i = pick.index(c.certificates.len());
        c.certificates[i].levels = vec![LevelInfo::new(XLevel::Advanced), LevelInfo::new(XLevel::Primary)];
        let errs = c.validate().unwrap_err().0;
        let want = format!("certificates[{i}].levels[1]");
        prop_assert!(errs.iter().any(|e| e.path == want), "{:?}", errs);
    }
}
