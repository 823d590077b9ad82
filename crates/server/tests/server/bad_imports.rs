//! Malformed import files (`tests/fixtures/imports/bad/`, plus a 1 MB cell and a file over the
//! record limit made at run time): each is imported with the CLI and over HTTP, rejected as a
//! whole with the row, field and reason of every problem, and leaves every table exactly as it was.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;

use super::harness::{DbTarget, cli, diff, dump};
use super::support::TestApp;
use crate::on_both;

/// One malformed file: what it is imported as and the rejections it must produce.
struct Bad {
    file: &'static str,
    kind: &'static str,
    /// `--kind` / `?kind=` for rule documents.
    rules_kind: Option<&'static str>,
    /// `(row, field, part of the reason)`; every one must be in the report.
    expect: &'static [(usize, Option<&'static str>, &'static str)],
}

const fn bad(
    file: &'static str,
    kind: &'static str,
    expect: &'static [(usize, Option<&'static str>, &'static str)],
) -> Bad {
    Bad {
        file,
        kind,
        rules_kind: None,
        expect,
    }
}

const FORMULA: &str = "formula";

/// Every committed fixture. A fixture file without a row here fails the test.
const FIXTURES: &[Bad] = &[
    bad("students-gbk.csv", "students", &[(3, None, "not UTF-8")]),
    bad(
        "sites-bom-only.csv",
        "sites",
        &[
            (1, Some("id"), "missing column"),
            (1, Some("address"), "missing column"),
        ],
    ),
    bad(
        "plans-missing-columns.csv",
        "plans",
        &[
            (1, Some("capacity"), "missing column"),
            (1, Some("fee_fen"), "missing column"),
        ],
    ),
    bad(
        "sites-unknown-column.csv",
        "sites",
        &[(1, Some("phone"), "unknown column")],
    ),
    bad(
        "sites-column-twice.csv",
        "sites",
        &[(1, Some("name"), "column appears twice")],
    ),
    bad(
        "sites-duplicate-key.csv",
        "sites",
        &[(3, Some("id"), "duplicate of row 2")],
    ),
    bad(
        "students-duplicate-row.csv",
        "students",
        &[(3, Some("student_no"), "duplicate of row 2")],
    ),
    bad(
        "sites-ragged-rows.csv",
        "sites",
        &[
            (2, None, "has 6 cells, the header has 5"),
            (3, None, "has 3 cells, the header has 5"),
        ],
    ),
    bad(
        "sites-formula-cmd.csv",
        "sites",
        &[(2, Some("name"), FORMULA)],
    ),
    bad(
        "students-formula-plus.csv",
        "students",
        &[(2, Some("name"), FORMULA)],
    ),
    bad(
        "sites-formula-minus.csv",
        "sites",
        &[(2, Some("address"), FORMULA)],
    ),
    bad(
        "plans-formula-at.csv",
        "plans",
        &[(2, Some("name"), FORMULA)],
    ),
    bad(
        "sites-formula-tab.csv",
        "sites",
        &[(2, Some("name"), FORMULA)],
    ),
    bad(
        "students-formula-tab.json",
        "students",
        &[(1, Some("name"), "control characters")],
    ),
    bad(
        "plans-bad-payment.csv",
        "plans",
        &[
            (
                2,
                Some("pay_method"),
                "expected school_collects, online or at_site",
            ),
            (3, Some("pay_method"), "need a pay_method"),
            (4, Some("pay_due_at"), "the fee is due between"),
        ],
    ),
    bad(
        "payments-unknown-ticket.csv",
        "payments",
        &[
            (
                2,
                Some("ticket_no"),
                "no registration has this ticket number",
            ),
            (3, Some("ticket_no"), "digits only"),
        ],
    ),
    bad(
        "plans-bad-enum.csv",
        "plans",
        &[
            (
                2,
                Some("level"),
                "expected primary, intermediate or advanced",
            ),
            (3, Some("phase"), "unknown variant"),
        ],
    ),
    bad(
        "students-bad-school-level.json",
        "students",
        &[(1, Some("school_level"), "expected secondary, higher")],
    ),
    bad(
        "plans-bad-date.csv",
        "plans",
        &[
            (2, Some("window_opens_at"), "expected an RFC 3339 time"),
            (3, Some("exam_starts_at"), "expected an RFC 3339 time"),
        ],
    ),
    bad(
        "students-bad-date.csv",
        "students",
        &[(2, Some("graduation_on"), "expected a YYYY-MM-DD date")],
    ),
    bad(
        "plans-times-out-of-order.csv",
        "plans",
        &[(2, Some("window_closes_at"), "times out of order")],
    ),
    bad(
        "plans-unknown-certificate.csv",
        "plans",
        &[(
            2,
            Some("certificate_id"),
            "the catalog has no certificate \"no-such-certificate\"",
        )],
    ),
    bad(
        "plans-unknown-site.csv",
        "plans",
        &[(2, Some("site_id"), "no exam site \"no-such-site\"")],
    ),
    bad(
        "plans-site-in-another-province.csv",
        "plans",
        &[(2, Some("province"), "is in 河南")],
    ),
    bad(
        "results-unknown-ticket.csv",
        "results",
        &[(
            2,
            Some("ticket_no"),
            "no registration has this ticket number",
        )],
    ),
    bad(
        "results-not-a-ticket.csv",
        "results",
        &[(2, Some("ticket_no"), "digits only")],
    ),
    bad(
        "plans-negative-capacity.csv",
        "plans",
        &[
            (2, Some("capacity"), "expected u32, got \"-5\""),
            (3, Some("fee_fen"), "expected u32"),
        ],
    ),
    bad(
        "plans-capacity-over-max.csv",
        "plans",
        &[(2, Some("capacity"), "at most 999999 seats")],
    ),
    bad(
        "results-score-out-of-range.csv",
        "results",
        &[(
            2,
            Some("theory_score"),
            "\"101\" is not a score from 0 to 100",
        )],
    ),
    bad(
        "sites-invalid.json",
        "sites",
        &[(0, None, "not a JSON array of records: EOF while parsing")],
    ),
    bad(
        "sites-object-not-array.json",
        "sites",
        &[(0, None, "not a JSON array of records: invalid type: map")],
    ),
    bad(
        "sites-given-students.json",
        "sites",
        &[(1, Some("password"), "unknown field `password`")],
    ),
    bad(
        "catalog-given-plans.json",
        "catalog",
        // serde reads a struct from an array too: the first element is not the format number.
        &[(
            0,
            Some("[0] (line 1 column 1)"),
            "invalid type: map, expected u32",
        )],
    ),
    bad(
        "rules-unknown-kind.json",
        "rules",
        &[(0, Some("kind"), "unknown rule kind \"bonus\"")],
    ),
    bad(
        "rules-fees-invalid.json",
        "rules",
        &[
            (0, Some("version"), "empty"),
            (
                0,
                Some("policies[0].scope.province"),
                "is not one of the 31 provinces",
            ),
            (0, Some("policies[0].citations"), "a rule needs its source"),
        ],
    ),
    Bad {
        file: "rules-grades-as-csv.csv",
        kind: "rules",
        rules_kind: Some("grades"),
        expect: &[(0, None, "grades rules are imported as JSON")],
    },
    bad(
        "students-sql-in-id.csv",
        "students",
        &[(2, Some("student_no"), "use only ASCII letters")],
    ),
    bad(
        "students-bad-password.csv",
        "students",
        &[
            (
                2,
                Some("password"),
                "a new student needs an initial password",
            ),
            (3, Some("password"), "a password has 8 to"),
        ],
    ),
    bad(
        "sites-control-chars.csv",
        "sites",
        &[
            (2, Some("name"), "control characters"),
            (2, Some("address"), "control characters"),
        ],
    ),
    bad(
        "catalog-bad-values.csv",
        "catalog",
        &[
            (2, Some("org_url"), "must start with https://"),
            (3, Some("level"), "is not 初级/中级/高级"),
        ],
    ),
    bad(
        "sites-one-bad-row.csv",
        "sites",
        &[(3, Some("id"), "use only ASCII letters")],
    ), // PostgreSQL cannot hold (or even compare) a NUL: refused before any row is looked up.
    bad(
        "plans-nul-in-id.csv",
        "plans",
        &[(2, None, "contains a NUL character")],
    ),
    bad(
        "students-nul-escape.json",
        "students",
        &[(1, Some("name"), "contains a NUL character")],
    ),
];

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/imports/bad")
}

/// A file to import and what its report must say.
struct Case {
    path: PathBuf,
    file: String,
    kind: &'static str,
    rules_kind: Option<&'static str>,
    expect: Vec<(usize, Option<&'static str>, String)>,
}

impl Case {
    fn committed(b: &Bad) -> Case {
        Case {
            path: fixture_dir().join(b.file),
            file: b.file.to_string(),
            kind: b.kind,
            rules_kind: b.rules_kind,
            expect: b
                .expect
                .iter()
                .map(|(row, field, reason)| (*row, *field, reason.to_string()))
                .collect(),
        }
    }
}

/// The files made at run time: a 1 MB cell, and one record more than a file may hold.
fn generated(dir: &std::path::Path) -> Vec<Case> {
    let huge = dir.join("sites-huge-cell.csv");
    std::fs::write(
        &huge,
        format!(
            "id,name,province,city,address\nbad-site-1,{},天津,天津,示例路1号\n",
            "考".repeat(350_000)
        ),
    )
    .unwrap();
    let max = kaozheng_server::import::read::MAX_RECORDS;
    let many = dir.join("sites-too-many-rows.csv");
    let mut text = String::from("id,name,province,city,address\n");
    for i in 0..=max {
        text.push_str(&format!("bulk-{i},考点{i},天津,天津,示例路{i}号\n"));
    }
    std::fs::write(&many, text).unwrap();
    vec![
        Case {
            path: huge,
            file: "sites-huge-cell.csv".into(),
            kind: "sites",
            rules_kind: None,
            expect: vec![(2, Some("name"), "is longer than 100 characters".into())],
        },
        Case {
            path: many,
            file: "sites-too-many-rows.csv".into(),
            kind: "sites",
            rules_kind: None,
            // The header is line 1, so the first record over the limit is on line max + 2.
            expect: vec![(max + 2, None, format!("more than {max} records"))],
        },
    ]
}

/// Checks one report: nothing applied, every expected rejection there, every rejection located
/// (a row, a field, or a line in the reason) and no password of the file echoed.
fn check_report(how: &str, c: &Case, report: &Value) {
    let what = format!("{how} {}", c.file);
    assert_eq!(report["kind"], c.kind, "{what}: {report}");
    assert_eq!(report["applied"], 0, "{what}: {report}");
    let rejected = report["rejected"].as_array().unwrap();
    assert!(!rejected.is_empty(), "{what}: {report}");
    for (row, field, reason) in &c.expect {
        let found = rejected.iter().any(|r| {
            r["row"].as_u64() == Some(*row as u64)
                && r["field"].as_str() == *field
                && r["reason"].as_str().unwrap().contains(reason.as_str())
        });
        assert!(
            found,
            "{what}: no rejection ({row}, {field:?}, {reason:?}) in {}",
            serde_json::to_string_pretty(rejected).unwrap()
        );
    }
    for r in rejected {
        let reason = r["reason"].as_str().unwrap();
        assert!(!reason.is_empty(), "{what}: {r}");
        let located = r["row"].as_u64().unwrap() > 0 || r["field"].is_string();
        assert!(
            located || reason.contains("line ") || reason.contains("imported as JSON"),
            "{what}: a rejection without a place: {r}"
        );
    }
    let text = report.to_string();
    for pw in ["first-pass-1", "first-pass-2", "short7"] {
        assert!(!text.contains(pw), "{what}: the report echoes a password");
    }
}

fn content_type(file: &str) -> &'static str {
    if file.ends_with(".json") {
        "application/json"
    } else {
        "text/csv; charset=utf-8"
    }
}

on_both! {
    /// Every malformed file, by CLI and by HTTP: 422 / exit 1, row-level reasons, no row changed.
    async fn malformed_imports_are_rejected_whole_and_change_nothing(b) {
        // The built-in catalog, so the CLI (which seeds with it) finds the catalog it expects.
        let t = TestApp::on_with(b, |c| c.catalog = None).await;
        let admin = t.admin_token().await;
        let db = match &t.pg {
            None => DbTarget::Sqlite(t.config.data_dir.clone()),
            Some(pg) => DbTarget::Postgres(pg.url.clone()),
        };
        let committed: Vec<String> = std::fs::read_dir(fixture_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        for f in &committed {
            assert!(FIXTURES.iter().any(|b| b.file == f), "{f} has no expectations");
        }
        let mut cases: Vec<Case> = FIXTURES.iter().map(Case::committed).collect();
        let made = generated(t.dir.path());
        let generated_count = made.len();
        cases.extend(made);

        let before = dump(&t.state.db).await;
        for c in &cases {
            let mut args = vec!["import", c.kind, c.path.to_str().unwrap()];
            if let Some(k) = c.rules_kind {
                args.extend(["--kind", k]);
            }
            let out = cli(&args, &db);
            assert_eq!(out.status.code(), Some(1), "CLI {}: {}", c.file, String::from_utf8_lossy(&out.stderr));
            let report: Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("CLI {}: {e}: {}", c.file, String::from_utf8_lossy(&out.stdout)));
            check_report("CLI", c, &report);

            let query = c.rules_kind.map(|k| format!("?kind={k}")).unwrap_or_default();
            let req = Request::post(format!("/api/v1/admin/import/{}{query}", c.kind))
                .header("authorization", format!("Bearer {admin}"))
                .header("content-type", content_type(&c.file))
                .body(Body::from(std::fs::read(&c.path).unwrap()))
                .unwrap();
            let res = t.send(req).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "HTTP {}: {}", c.file, String::from_utf8_lossy(&res.body));
            check_report("HTTP", c, &res.json());
        }
        let after = dump(&t.state.db).await;
        assert!(before == after, "the database changed: {:#?}", diff(&before, &after));
        println!(
            "bad imports ({b:?}): {} files ({} committed, {} generated) x (CLI, HTTP) = {} imports, all rejected, database unchanged ({} tables compared)",
            cases.len(),
            FIXTURES.len(),
            generated_count,
            cases.len() * 2,
            before.len()
        );
    }
}
