//! Fuzzing with proptest (`cargo fuzz` needs nightly): the catalog parser, the four rule
//! documents (deserialization and `validate`, credits also against the catalog) and the field
//! parsers imports rely on, fed structure-aware mutations of valid documents (see `mutate`).
//! Nothing may panic; a rejection names where (a path, or a line and column); what is accepted
//! is valid and survives a round trip.
//!
//! `scripts/long-runs.sh fuzz` is the long run: `KZ_FUZZ_CASES=100000 KZ_FUZZ_SEED=<chunk> cargo test
//! --release -p kaozheng-core --test fuzz_props -- <target>` per chunk; each target prints its
//! executions and seed. Seeds: the shipped documents in `data/`,
//! generated catalogs, and the kept corpus in `crates/core/fuzz-corpus/<target>/`, which
//! `the_kept_corpus_replays` runs as it is. A failure is shrunk and written to
//! `target/fuzz-failures/<target>/` to be added to the corpus.

mod mutate;
mod support;

use std::fmt::Debug;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use kaozheng_core::Catalog;
use kaozheng_core::model::{Score, XLevel};
use kaozheng_core::rules::{CreditRules, FeeRules, GradeRules, GraduationRules};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use serde::Serialize;
use serde::de::DeserializeOwned;

const CATALOG: &[u8] = include_bytes!("../../../data/catalog.json");
const FEES: &[u8] = include_bytes!("../../../data/rules/fees.json");
const GRADES: &[u8] = include_bytes!("../../../data/rules/grades.json");
const CREDITS: &[u8] = include_bytes!("../../../data/rules/credits.json");
const GRADUATION: &[u8] = include_bytes!("../../../data/rules/graduation.json");

fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz-corpus")
        .join(target)
}

/// The seeds of a target: its shipped document and its kept corpus.
fn seeds(target: &str, shipped: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![shipped.to_vec()];
    out.extend(
        mutate::corpus(&corpus_dir(target))
            .into_iter()
            .map(|(_, b)| b),
    );
    out
}

/// A target's check of one input: whether it was accepted.
type Check = fn(&[u8]) -> Result<bool, TestCaseError>;

/// Runs one fuzz target: `cases` mutated inputs; any panic or failed property fails the test
/// with the shrunk input, which is also written out for the corpus. `check` says whether the
/// input was accepted.
fn fuzz<S>(target: &str, strategy: S, check: impl Fn(&[u8]) -> Result<bool, TestCaseError>)
where
    S: Strategy<Value = (Vec<u8>, Vec<mutate::Mutation>)>,
{
    let mut runner = TestRunner::new(mutate::config_for(target, mutate::DEFAULT_CASES));
    let executions = AtomicU64::new(0);
    let accepted = AtomicU64::new(0);
    let result = runner.run(&strategy, |(seed, muts)| {
        executions.fetch_add(1, Ordering::Relaxed);
        if check(&mutate::apply(&seed, &muts))? {
            accepted.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    match result {
        Ok(()) => println!(
            "fuzz {target}: {} executions ({} accepted, the rest rejected with their place), 0 panics, 0 failed properties (seed {})",
            executions.load(Ordering::Relaxed),
            accepted.load(Ordering::Relaxed),
            mutate::fuzz_seed(target).map_or("random".into(), |s| s.to_string())
        ),
        Err(TestError::Fail(why, (seed, muts))) => {
            let input = mutate::apply(&seed, &muts);
            let kept = mutate::keep_failure(target, &input);
            panic!(
                "fuzz {target}: {why}\nafter {} executions; input ({} bytes) kept at {kept}; mutations {muts:?}",
                executions.load(Ordering::Relaxed),
                input.len()
            )
        }
        Err(e) => panic!("fuzz {target}: {e}"),
    }
}

fn seeded(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = (Vec<u8>, Vec<mutate::Mutation>)> {
    (prop::sample::select(seeds), mutate::mutations())
}

// ---- the catalog ----

fn check_catalog(input: &[u8]) -> Result<bool, TestCaseError> {
    let text = String::from_utf8_lossy(input);
    match Catalog::parse(&text) {
        Ok(c) => {
            prop_assert!(c.validate().is_ok());
            prop_assert_eq!(Catalog::parse(&c.to_json()), Ok(c), "round trip");
            Ok(true)
        }
        Err(errs) => {
            prop_assert!(!errs.0.is_empty(), "a rejection says why");
            for e in &errs.0 {
                prop_assert!(
                    !e.path.trim().is_empty() && !e.message.trim().is_empty(),
                    "{e:?}"
                );
            }
            Ok(false)
        }
    }
}

#[test]
fn fuzz_catalog_parser() {
    let files = seeds("catalog", CATALOG);
    let strategy = prop_oneof![
        3 => seeded(files),
        1 => (support::catalog().prop_map(|c| c.to_json().into_bytes()), mutate::mutations()),
    ];
    fuzz("catalog", strategy, check_catalog);
}

// ---- rule documents ----

/// `path: message`, as every rule problem is worded: a path of names, indices and dots.
fn located(problem: &str) -> bool {
    problem.split_once(": ").is_some_and(|(path, message)| {
        !path.is_empty()
            && !message.trim().is_empty()
            && path
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'[' | b']'))
    })
}

fn check_rules<T>(input: &[u8], problems: impl Fn(&T) -> Vec<String>) -> Result<bool, TestCaseError>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let text = String::from_utf8_lossy(input);
    match serde_json::from_str::<T>(&text) {
        Err(e) => {
            prop_assert!(e.to_string().contains("line "), "{e}");
            Ok(false)
        }
        Ok(doc) => {
            let found = problems(&doc);
            for p in &found {
                prop_assert!(located(p), "a problem without its path: {p:?}");
            }
            if found.is_empty() {
                let again: T = serde_json::from_str(&serde_json::to_string(&doc).unwrap())
                    .map_err(|e| TestCaseError::fail(format!("round trip: {e}")))?;
                prop_assert_eq!(again, doc, "round trip");
            }
            Ok(found.is_empty())
        }
    }
}

fn fee_problems(d: &FeeRules) -> Vec<String> {
    d.validate().err().unwrap_or_default()
}

fn grade_problems(d: &GradeRules) -> Vec<String> {
    let out: Vec<String> = d
        .validate()
        .err()
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect();
    // A valid document answers for any province without panicking.
    for p in ["天津", "河南", "", "*"] {
        let _ = d.for_province(p);
    }
    out
}

fn credit_problems(d: &CreditRules) -> Vec<String> {
    let catalog = Catalog::parse(std::str::from_utf8(CATALOG).unwrap()).unwrap();
    let mut out: Vec<String> = d
        .validate()
        .err()
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect();
    if let Err(errs) = d.check_catalog(&catalog) {
        out.extend(errs.iter().map(ToString::to_string));
    }
    out
}

fn graduation_problems(d: &GraduationRules) -> Vec<String> {
    d.validate().err().unwrap_or_default()
}

#[test]
fn fuzz_fee_rules() {
    fuzz("fees", seeded(seeds("fees", FEES)), |b| {
        check_rules(b, fee_problems)
    });
}

#[test]
fn fuzz_grade_rules() {
    fuzz("grades", seeded(seeds("grades", GRADES)), |b| {
        check_rules(b, grade_problems)
    });
}

#[test]
fn fuzz_credit_rules() {
    fuzz("credits", seeded(seeds("credits", CREDITS)), |b| {
        check_rules(b, credit_problems)
    });
}

#[test]
fn fuzz_graduation_rules() {
    fuzz("graduation", seeded(seeds("graduation", GRADUATION)), |b| {
        check_rules(b, graduation_problems)
    });
}

// ---- field parsers ----

/// Values imports parse one by one, valid ones included, one per line of the corpus file.
const FIELD_SEEDS: &[u8] =
    b"78.5\n100\n0.05\n2026-12-06\n2026-12-06T09:00:00+08:00\n2026-12-06T01:00:00.123456789Z\n\
https://example.edu.cn/std.pdf\n\xe4\xb8\xad\xe7\xba\xa7\nintermediate\n3\n";

fn check_fields(input: &[u8]) -> Result<bool, TestCaseError> {
    let text = String::from_utf8_lossy(input);
    for s in text.lines().chain([text.as_ref()]) {
        if let Some(score) = Score::parse(s) {
            prop_assert!(score <= Score::MAX);
            prop_assert_eq!(Score::parse(&score.to_string()), Some(score));
        }
        if let Some(level) = XLevel::parse(s) {
            prop_assert_eq!(XLevel::parse(level.as_str()), Some(level));
        }
        if let Some(d) = kaozheng_core::time::parse_date(s) {
            prop_assert_eq!(d.format("%Y-%m-%d").to_string(), s);
        }
        if let Some(t) = kaozheng_core::time::parse_rfc3339(s) {
            let written = kaozheng_core::time::rfc3339_china(t);
            let back = kaozheng_core::time::parse_rfc3339(&written);
            prop_assert!(back.is_some(), "{written}");
            // Written with milliseconds: the round trip keeps the instant to the millisecond.
            prop_assert_eq!(back.unwrap().timestamp_millis(), t.timestamp_millis());
        }
        if kaozheng_core::catalog::check_url(s).is_ok() {
            prop_assert!(s.starts_with("https://") && !s.contains(char::is_whitespace));
        }
        let _ = kaozheng_core::text::check_pinyin(s, s);
    }
    Ok(Score::parse(&text).is_some() || kaozheng_core::time::parse_rfc3339(&text).is_some())
}

#[test]
fn fuzz_field_parsers() {
    let mut files = seeds("fields", FIELD_SEEDS);
    files.extend(FIELD_SEEDS.split(|b| *b == b'\n').map(<[u8]>::to_vec));
    fuzz("fields", seeded(files), check_fields);
}

// ---- the kept corpus, as it is ----

#[test]
fn the_kept_corpus_replays() {
    let targets: [(&str, Check); 6] = [
        ("catalog", check_catalog),
        ("fees", |b| check_rules(b, fee_problems)),
        ("grades", |b| check_rules(b, grade_problems)),
        ("credits", |b| check_rules(b, credit_problems)),
        ("graduation", |b| check_rules(b, graduation_problems)),
        ("fields", check_fields),
    ];
    let mut replayed = 0;
    for (target, check) in targets {
        let files = mutate::corpus(&corpus_dir(target));
        assert!(!files.is_empty(), "fuzz-corpus/{target} is empty");
        for (name, bytes) in files {
            if let Err(e) = check(&bytes) {
                panic!("fuzz-corpus/{target}/{name}: {e}");
            }
            replayed += 1;
        }
    }
    println!("fuzz corpus: {replayed} kept inputs replayed");
}
