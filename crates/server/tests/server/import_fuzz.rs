//! Fuzzing the import parsers with proptest: every kind, CSV and JSON, through `import::run` on a
//! real seeded SQLite database, fed structure-aware mutations (see the core's `mutate`) of the
//! kept corpus in `tests/fuzz-corpus/<kind>/`. Nothing may panic or fail in the database; a
//! rejected file names a reason for each rejected row and leaves every table as it was.
//!
//! `scripts/long-runs.sh import-fuzz` is the long run (`KZ_IMPORT_FUZZ_CASES=2000 KZ_FUZZ_SEED=<chunk>`
//! per chunk, in release); each kind prints its executions. A failure is shrunk and written to `target/fuzz-failures/import-<kind>/`.

#[path = "../../../core/tests/mutate.rs"]
mod mutate;

use std::cell::{Cell, RefCell};
use std::path::PathBuf;

use kaozheng_server::import::{self, Ctx, Kind};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};

use super::harness;
use super::support::TestApp;

/// Cases per kind: `KZ_IMPORT_FUZZ_CASES`, else 96 (each is a whole import plus a dump of every
/// table, so far slower than the core's parsers).
fn cases() -> u32 {
    mutate::cases_from("KZ_IMPORT_FUZZ_CASES", 96)
}

fn corpus(kind: Kind) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-corpus")
        .join(kind.as_str());
    mutate::corpus(&dir)
}

#[test]
fn import_parsers_never_panic_and_a_rejected_file_changes_nothing() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let t = rt.block_on(TestApp::new());
    let tables = RefCell::new(rt.block_on(harness::dump(&t.state.db)));
    for kind in Kind::ALL {
        let seeds = corpus(kind);
        assert!(!seeds.is_empty(), "no corpus for {kind}");
        let mut runner = TestRunner::new(proptest::test_runner::Config {
            cases: cases(),
            ..mutate::config_for(&format!("import-{kind}"), 96)
        });
        let (executions, accepted, rejected_rows) =
            (Cell::new(0u64), Cell::new(0u64), Cell::new(0u64));
        let strategy = (prop::sample::select(seeds), mutate::mutations());
        let result = runner.run(&strategy, |((name, seed), muts)| {
            executions.set(executions.get() + 1);
            let input = mutate::apply(&seed, &muts);
            // A rule file names its kind by its file name (`fees.csv`), as `--kind` would.
            let rules_kind = (kind == Kind::Rules)
                .then(|| name.split('.').next().unwrap_or_default().to_string());
            let ctx = Ctx {
                db: &t.state.db,
                passwords: &t.state.auth.passwords,
                now: t.clock.now(),
                rules_kind,
                scope: kaozheng_server::auth::staff::Scope::Province,
                dry_run: false,
            };
            let report = rt
                .block_on(import::run(&ctx, kind, None, &input))
                .map_err(|e| TestCaseError::fail(format!("database error: {e}")))?;
            let after = rt.block_on(harness::dump(&t.state.db));
            if report.ok() {
                accepted.set(accepted.get() + 1);
                *tables.borrow_mut() = after;
            } else {
                rejected_rows.set(rejected_rows.get() + report.rejected.len() as u64);
                for r in &report.rejected {
                    prop_assert!(
                        !r.reason.trim().is_empty(),
                        "a rejection without a reason: {r:?}"
                    );
                }
                let before = tables.borrow();
                prop_assert!(
                    after == *before,
                    "a rejected {kind} file changed the database: {:?}",
                    harness::diff(&before, &after)
                );
            }
            Ok(())
        });
        match result {
            Ok(()) => println!(
                "fuzz import {kind}: {} executions ({} accepted, {} rows rejected with reasons), 0 panics, 0 failed properties",
                executions.get(),
                accepted.get(),
                rejected_rows.get()
            ),
            Err(TestError::Fail(why, ((_, seed), muts))) => {
                let input = mutate::apply(&seed, &muts);
                let kept = mutate::keep_failure(&format!("import-{kind}"), &input);
                panic!("fuzz import {kind}: {why}\ninput kept at {kept}; mutations {muts:?}");
            }
            Err(e) => panic!("fuzz import {kind}: {e}"),
        }
    }
}
