//! Structure-aware mutations for fuzzing parsers with proptest (`cargo fuzz` needs a nightly
//! compiler): a valid document or file is damaged the way real files get damaged. Bytes (flips,
//! cuts, inserted NULs, GBK pairs, byte order marks), JSON (any value replaced by a value of
//! another type, a huge number, a long or nasty string or a deep nesting; keys dropped, added or
//! repeated; array items repeated) and CSV (cells replaced by formulas, bad dates, numbers out of
//! range, quotes and line breaks; columns dropped, added, repeated or swapped; rows repeated,
//! dropped, cut short or made long). A case is 1–4 mutations applied in turn, so proptest shrinks
//! a failure to the fewest, simplest ones.
//!
//! Shared by the core's and the server's fuzz tests (the server includes this file by path).
//! `KZ_FUZZ_CASES` sets the cases per target (default [`DEFAULT_CASES`]), `KZ_FUZZ_SEED` the seed
//! (see [`config_for`]).

#![allow(dead_code)]

use kaozheng_core::order;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

/// Cases per fuzz target when `KZ_FUZZ_CASES` is not set: enough to catch a regression in CI.
pub const DEFAULT_CASES: u32 = 256;

/// Cases per target: `KZ_FUZZ_CASES`, else `default`.
pub fn cases(default: u32) -> u32 {
    cases_from("KZ_FUZZ_CASES", default)
}

/// Cases per target: the positive number in the environment variable `var`, else `default`.
pub fn cases_from(var: &str, default: u32) -> u32 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// The runner configuration of a fuzz target: no regression files in the source tree (failures
/// are written to `target/fuzz-failures/` to be added to the kept corpus).
pub fn config(default: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases: cases(default),
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..proptest::test_runner::Config::default()
    }
}

/// [`config`] for `target`, seeded by `KZ_FUZZ_SEED` when it is set: the long run's chunks
/// (`scripts/long-runs.sh`) each pass their number, so every chunk explores other inputs and
/// replays exactly; unset, each run draws a random seed.
pub fn config_for(target: &str, default: u32) -> proptest::test_runner::Config {
    let mut c = config(default);
    if let Some(seed) = fuzz_seed(target) {
        c.rng_seed = proptest::test_runner::RngSeed::Fixed(seed);
    }
    c
}

/// `KZ_FUZZ_SEED` mixed with the target's name (FNV-1a), so targets of one chunk draw apart.
pub fn fuzz_seed(target: &str) -> Option<u64> {
    let chunk: u64 = std::env::var("KZ_FUZZ_SEED").ok()?.parse().ok()?;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in target.bytes().chain(chunk.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    Some(h)
}

/// Text that breaks naive code: SQL, formulas, control and NUL characters, bidi overrides, astral
/// characters, lookalikes, path tricks and very long text.
pub fn nasty_text() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "",
        " ",
        "' OR 1=1 --",
        "\"; DROP TABLE students;--",
        "=cmd|' /C calc'!A0",
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "nul\u{0}byte",
        "\u{7}\u{1b}[31m",
        "\u{202e}gnp.exe",
        "𠀀𝕏🙂",
        "初级",
        "高级",
        "中职",
        "是",
        "2026-13-45",
        "2026-02-30 25:61",
        "9999-12-31T23:59:59+14:00",
        "-5",
        "1e400",
        "99999999999999999999",
        "NaN",
        "100.001",
        "a,b",
        "a\"b",
        "line\nbreak",
        "http://insecure.example",
        "https://",
        "../../etc/passwd",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        6 => fixed,
        1 => (1usize..20_000).prop_map(|n| "长".repeat(n)),
        2 => "[\\PC]{0,12}",
        1 => any::<String>(),
    ]
}

/// A JSON value of any type, including ones no integer holds and deep nestings.
pub fn nasty_json() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "null",
        "true",
        "0",
        "-1",
        "1.5",
        "1e308",
        "-1e400",
        "18446744073709551616",
        "-9223372036854775809",
        "[]",
        "{}",
        "\"\\u0000\"",
        "\"\\ud800\"",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        4 => fixed,
        1 => (1usize..400).prop_map(|d| format!("{}{}", "[".repeat(d), "]".repeat(d))),
        1 => (1usize..200).prop_map(|d| format!("{}1{}", "{\"a\":".repeat(d), "}".repeat(d))),
        4 => nasty_text().prop_map(|s| serde_json::to_string(&s).unwrap()),
    ]
}

/// Bytes that damage text: NUL, invalid UTF-8, a GBK-encoded pair (中), a byte order mark,
/// delimiters and quotes.
pub fn nasty_bytes() -> impl Strategy<Value = Vec<u8>> {
    let fixed = prop::sample::select(vec![
        &[0u8][..],
        &[0xff],
        &[0xc3, 0x28],
        &[0xd6, 0xd0],
        &[0xef, 0xbb, 0xbf],
        &[0xed, 0xa0, 0x80],
        b"\r",
        b"\n",
        b"\r\n",
        b",",
        b"\"",
        b";",
        b"{",
        b"[",
        b"}",
        b"\\",
    ])
    .prop_map(<[u8]>::to_vec);
    prop_oneof![
        4 => fixed,
        1 => prop::collection::vec(any::<u8>(), 1..8),
    ]
}

/// One change to a document. Indices are resolved against the document as it is when the
/// mutation applies, so any sequence applies to any input.
#[derive(Debug, Clone)]
pub enum Mutation {
    FlipBit(Index, u8),
    InsertBytes(Index, Vec<u8>),
    DeleteBytes(Index, usize),
    DuplicateBytes(Index, usize),
    Truncate(Index),
    /// JSON: the value at a node becomes raw JSON text.
    JsonReplace(Index, String),
    /// JSON: a key of an object node is removed.
    JsonRemoveKey(Index),
    /// JSON: an object node gets a key (a known one, or not) with a value.
    JsonAddKey(Index, String, String),
    /// JSON: an array node's item appears twice.
    JsonRepeatItem(Index),
    /// JSON: the value at one node is copied over another (type confusion, duplicate ids).
    JsonCopy(Index, Index),
    /// CSV: a cell's text.
    CsvCell(Index, Index, String),
    CsvDropColumn(Index),
    CsvAddColumn(String, String),
    CsvRepeatColumn(Index),
    CsvSwapColumns(Index, Index),
    CsvRepeatRow(Index),
    CsvDropRow(Index),
    /// CSV: a row loses its last cell, or gets one more.
    CsvShortRow(Index),
    CsvLongRow(Index, String),
    CsvBlankLines(Index),
    CrlfLines,
    Utf16,
}

fn column_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "id",
            "name",
            "password",
            "level",
            "kind",
            "version",
            "seats_left",
            "passed_courses",
            "graduation_on",
            "unknown_column",
            "",
        ])
        .prop_map(str::to_string),
        1 => "[a-z_]{1,12}",
    ]
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        3 => (any::<Index>(), nasty_bytes()).prop_map(|(i, b)| Mutation::InsertBytes(i, b)),
        2 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| Mutation::DeleteBytes(i, n)),
        1 => (any::<Index>(), 1usize..256).prop_map(|(i, n)| Mutation::DuplicateBytes(i, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        6 => (any::<Index>(), nasty_json()).prop_map(|(i, v)| Mutation::JsonReplace(i, v)),
        2 => any::<Index>().prop_map(Mutation::JsonRemoveKey),
        2 => (any::<Index>(), column_name(), nasty_json()).prop_map(|(i, k, v)| Mutation::JsonAddKey(i, k, v)),
        2 => any::<Index>().prop_map(Mutation::JsonRepeatItem),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::JsonCopy(a, b)),
        6 => (any::<Index>(), any::<Index>(), nasty_text()).prop_map(|(r, c, t)| Mutation::CsvCell(r, c, t)),
        1 => any::<Index>().prop_map(Mutation::CsvDropColumn),
        1 => (column_name(), nasty_text()).prop_map(|(k, v)| Mutation::CsvAddColumn(k, v)),
        1 => any::<Index>().prop_map(Mutation::CsvRepeatColumn),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::CsvSwapColumns(a, b)),
        2 => any::<Index>().prop_map(Mutation::CsvRepeatRow),
        1 => any::<Index>().prop_map(Mutation::CsvDropRow),
        1 => any::<Index>().prop_map(Mutation::CsvShortRow),
        1 => (any::<Index>(), nasty_text()).prop_map(|(i, t)| Mutation::CsvLongRow(i, t)),
        1 => any::<Index>().prop_map(Mutation::CsvBlankLines),
        1 => Just(Mutation::CrlfLines),
        1 => Just(Mutation::Utf16),
    ]
}

/// One to four mutations, applied in turn.
pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 1..=4)
}

/// Applies every mutation to `seed`.
pub fn apply(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    mutations.iter().fold(seed.to_vec(), apply_one)
}

fn at(i: &Index, len: usize) -> usize {
    if len == 0 { 0 } else { i.index(len) }
}

fn apply_one(mut doc: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let len = doc.len();
    match m {
        Mutation::FlipBit(i, bit) if len > 0 => {
            doc[at(i, len)] ^= 1 << bit;
            doc
        }
        Mutation::InsertBytes(i, bytes) => {
            let p = at(i, len + 1);
            doc.splice(p..p, bytes.iter().copied());
            doc
        }
        Mutation::DeleteBytes(i, n) if len > 0 => {
            let p = at(i, len);
            doc.drain(p..(p + n).min(len));
            doc
        }
        Mutation::DuplicateBytes(i, n) if len > 0 => {
            let p = at(i, len);
            let copy = doc[p..(p + n).min(len)].to_vec();
            doc.splice(p..p, copy);
            doc
        }
        Mutation::Truncate(i) => {
            doc.truncate(at(i, len + 1));
            doc
        }
        Mutation::JsonReplace(..)
        | Mutation::JsonRemoveKey(_)
        | Mutation::JsonAddKey(..)
        | Mutation::JsonRepeatItem(_)
        | Mutation::JsonCopy(..) => json(doc, m),
        Mutation::CrlfLines => String::from_utf8_lossy(&doc)
            .replace("\r\n", "\n")
            .replace('\n', "\r\n")
            .into_bytes(),
        Mutation::Utf16 => {
            let text = String::from_utf8_lossy(&doc);
            let mut out = vec![0xff, 0xfe];
            for u in text.encode_utf16() {
                out.extend(u.to_le_bytes());
            }
            out
        }
        Mutation::FlipBit(..) | Mutation::DeleteBytes(..) | Mutation::DuplicateBytes(..) => doc,
        _ => csv(doc, m),
    }
}

/// JSON pointers of every node, in document order.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                pointers(
                    child,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A placeholder no document contains, replaced by raw JSON text after serializing.
const RAW: &str = "\u{1}kz-raw-json\u{1}";

fn json(doc: Vec<u8>, m: &Mutation) -> Vec<u8> {
    // Only a document that is JSON gets JSON mutations; anything else is left for the others.
    let Ok(mut v) = serde_json::from_slice::<Value>(&doc) else {
        return doc;
    };
    let mut nodes = Vec::new();
    pointers(&v, String::new(), &mut nodes);
    let node = |i: &Index| nodes[i.index(nodes.len())].clone();
    let mut raw = None;
    match m {
        Mutation::JsonReplace(i, value) => {
            *v.pointer_mut(&node(i)).unwrap() = Value::String(RAW.into());
            raw = Some(value.clone());
        }
        Mutation::JsonRemoveKey(i) => {
            if let Some(Value::Object(o)) = v.pointer_mut(&node(i)) {
                let keys: Vec<String> = o.keys().cloned().collect();
                if !keys.is_empty() {
                    o.remove(&keys[i.index(keys.len())]);
                }
            }
        }
        Mutation::JsonAddKey(i, key, value) => {
            if let Some(Value::Object(o)) = v.pointer_mut(&node(i)) {
                o.insert(key.clone(), Value::String(RAW.into()));
                raw = Some(value.clone());
            }
        }
        Mutation::JsonRepeatItem(i) => {
            if let Some(Value::Array(a)) = v.pointer_mut(&node(i))
                && !a.is_empty()
            {
                let item = a[i.index(a.len())].clone();
                a.push(item);
            }
        }
        Mutation::JsonCopy(from, to) => {
            let value = v.pointer(&node(from)).unwrap().clone();
            let target = node(to);
            // A node copied into itself would only nest the document.
            if !target.starts_with(&node(from)) || target == node(from) {
                *v.pointer_mut(&target).unwrap() = value;
            }
        }
        _ => unreachable!("not a JSON mutation"),
    }
    let text = serde_json::to_string(&v).unwrap();
    match raw {
        Some(r) => text
            .replacen(&serde_json::to_string(RAW).unwrap(), &r, 1)
            .into_bytes(),
        None => text.into_bytes(),
    }
}

/// A cell as CSV writes it: quoted when it holds a delimiter, a quote or a line break.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv(doc: Vec<u8>, m: &Mutation) -> Vec<u8> {
    // Only text with a header row gets CSV mutations; cells are split naively (quoted commas
    // split too), which is one more way to damage a file.
    let Ok(text) = String::from_utf8(doc.clone()) else {
        return doc;
    };
    if !text.lines().next().is_some_and(|h| h.contains(',')) {
        return doc;
    }
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let width = rows[0].len();
    let pick_row = |i: &Index, n: usize| i.index(n);
    match m {
        Mutation::CsvCell(r, c, value) => {
            let r = pick_row(r, rows.len());
            let n = rows[r].len().max(1);
            let c = c.index(n);
            if let Some(x) = rows[r].get_mut(c) {
                *x = cell(value);
            }
        }
        Mutation::CsvDropColumn(c) => {
            let c = c.index(width);
            for row in &mut rows {
                if c < row.len() {
                    row.remove(c);
                }
            }
        }
        Mutation::CsvAddColumn(name, value) => {
            rows[0].push(cell(name));
            for row in rows.iter_mut().skip(1) {
                row.push(cell(value));
            }
        }
        Mutation::CsvRepeatColumn(c) => {
            let c = c.index(width);
            for row in &mut rows {
                if let Some(x) = row.get(c).cloned() {
                    row.push(x);
                }
            }
        }
        Mutation::CsvSwapColumns(a, b) => {
            let (a, b) = (a.index(width), b.index(width));
            for row in &mut rows {
                if a < row.len() && b < row.len() {
                    row.swap(a, b);
                }
            }
        }
        Mutation::CsvRepeatRow(r) => {
            let row = rows[pick_row(r, rows.len())].clone();
            rows.push(row);
        }
        Mutation::CsvDropRow(r) => {
            rows.remove(pick_row(r, rows.len()));
        }
        Mutation::CsvShortRow(r) => {
            let r = pick_row(r, rows.len());
            rows[r].pop();
        }
        Mutation::CsvLongRow(r, value) => {
            let r = pick_row(r, rows.len());
            rows[r].push(cell(value));
        }
        Mutation::CsvBlankLines(r) => {
            let r = pick_row(r, rows.len() + 1);
            rows.insert(r, vec![String::new()]);
        }
        _ => unreachable!("not a CSV mutation"),
    }
    let mut out = rows
        .iter()
        .map(|r| r.join(","))
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    out.into_bytes()
}

/// The files of a corpus directory, sorted by name (an empty list when it does not exist).
pub fn corpus(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    order::sort(&mut out);
    out
}

/// Writes a failing input where a developer can pick it up for the corpus, and says where.
pub fn keep_failure(target: &str, input: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    input.hash(&mut h);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/fuzz-failures")
        .join(target);
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{:016x}", h.finish()));
    let _ = std::fs::write(&path, input);
    path.display().to_string()
}
