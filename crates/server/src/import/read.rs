//! Reading import files into records: UTF-8 only, CSV with a checked header or a JSON array, each
//! record deserialized on its own so every bad row is reported, and checks for text cells.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use kaozheng_core::time;
use serde::de::value::MapDeserializer;
use serde::de::{DeserializeOwned, Deserializer, Visitor};

use super::{Format, ImportReport, Rejection};

/// A record read from the file, or why it could not be.
pub struct Parsed<T> {
    pub row: usize,
    pub value: Result<T, Rejection>,
}

/// The text of a UTF-8 file (a leading byte-order mark dropped); anything else is refused with the
/// line of the first bad byte. Spreadsheets in China often save GBK, which would garble names.
pub fn utf8(bytes: &[u8]) -> Result<&str, Rejection> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Rejection {
            row: line,
            field: None,
            reason: format!(
                "the file is not UTF-8 (first bad byte on line {line}); save it as UTF-8 (GBK is \
                 not supported) / 文件不是 UTF-8 编码，请另存为 UTF-8"
            ),
        }
    })
}

/// Where the file has a NUL character: raw in the text (its line), or as `\u0000` in a JSON string
/// (its record and path). No cell may hold one, and PostgreSQL cannot even compare text with one,
/// so the file is refused before any row is looked up.
pub fn nul_character(text: &str, format: Format) -> Option<Rejection> {
    let reason = "contains a NUL character, which no cell may hold / 含有空字符（NUL）";
    if let Some(at) = text.find('\0') {
        let line = text[..at].bytes().filter(|b| *b == b'\n').count() + 1;
        return Some(Rejection {
            row: line,
            field: None,
            reason: reason.into(),
        });
    }
    if format != Format::Json || !text.contains("\\u0000") {
        return None;
    }
    fn find(v: &serde_json::Value, path: &mut String) -> bool {
        match v {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = find(item, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            serde_json::Value::Object(fields) => fields.iter().any(|(k, item)| {
                let len = path.len();
                path.push_str(&format!("{}{k}", if path.is_empty() { "" } else { "." }));
                let found = k.contains('\0') || find(item, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    // Malformed JSON is reported by the importer with its line and column.
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut path = String::new();
    if !find(&value, &mut path) {
        return None;
    }
    // In an array of records the first index is the row (from 1); the rest names the field.
    let (row, field) = match (value.is_array(), path.strip_prefix('[')) {
        (true, Some(rest)) => {
            let (index, field) = rest.split_once(']').unwrap_or((rest, ""));
            let row = index.parse::<usize>().map_or(0, |i| i + 1);
            (row, field.trim_start_matches('.').to_string())
        }
        _ => (0, path),
    };
    Some(Rejection {
        row,
        field: (!field.is_empty()).then_some(field),
        reason: reason.into(),
    })
}

/// Most records one file may hold. Every row is validated inside the import's write transaction,
/// which holds SQLite's single write lock (registrations wait for it at most 30 seconds), so the
/// file size bounds how long an import can keep students from registering; larger files are split.
pub const MAX_RECORDS: usize = 100_000;

fn too_many_records(row: usize) -> Rejection {
    Rejection {
        row,
        field: None,
        reason: format!(
            "the file has more than {MAX_RECORDS} records; split it into smaller files / 记录超过 \
             {MAX_RECORDS} 条，请拆分文件"
        ),
    }
}

/// The columns a CSV file of one kind has.
pub struct Columns {
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
}

/// Reads every record of `text` as `T`: a JSON array, or CSV with `columns`. A file-level problem
/// (not an array, a bad header) rejects the whole file.
pub fn rows<T: DeserializeOwned>(
    text: &str,
    format: Format,
    columns: &Columns,
) -> Result<Vec<Parsed<T>>, Vec<Rejection>> {
    match format {
        Format::Json => json_rows(text).map_err(|r| vec![r]),
        Format::Csv => csv_rows(text, columns),
    }
}

fn whole_file(reason: String) -> Rejection {
    Rejection {
        row: 0,
        field: None,
        reason,
    }
}

/// The field a serde message names (`missing field `x``, `unknown field `x``), for the report.
fn named_field(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("unknown field `"))?;
    Some(rest.split('`').next()?.to_string())
}

pub fn json_rows<T: DeserializeOwned>(text: &str) -> Result<Vec<Parsed<T>>, Rejection> {
    let values: Vec<serde_json::Value> = serde_json::from_str(text)
        .map_err(|e| whole_file(format!("not a JSON array of records: {e}")))?;
    if values.len() > MAX_RECORDS {
        return Err(too_many_records(MAX_RECORDS + 1));
    }
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(i, v)| Parsed {
            row: i + 1,
            value: serde_path_to_error::deserialize(v).map_err(|e| {
                let message = e.inner().to_string();
                let path = e.path().to_string();
                Rejection {
                    row: i + 1,
                    field: named_field(&message).or((path != ".").then_some(path)),
                    reason: message,
                }
            }),
        })
        .collect())
}

pub fn csv_rows<T: DeserializeOwned>(
    text: &str,
    columns: &Columns,
) -> Result<Vec<Parsed<T>>, Vec<Rejection>> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| vec![whole_file(format!("unreadable CSV header: {e}"))])?
        .clone();
    let mut problems = Vec::new();
    let header_problem = |field: &str, reason: String| Rejection {
        row: 1,
        field: Some(field.to_string()),
        reason,
    };
    for (i, h) in headers.iter().enumerate() {
        if !columns.required.contains(&h) && !columns.optional.contains(&h) {
            problems.push(header_problem(
                h,
                format!(
                    "unknown column; the columns are {}",
                    columns
                        .required
                        .iter()
                        .chain(columns.optional)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        } else if headers.iter().take(i).any(|x| x == h) {
            problems.push(header_problem(h, "column appears twice".into()));
        }
    }
    for c in columns.required {
        if !headers.iter().any(|h| h == *c) {
            problems.push(header_problem(c, "missing column".into()));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = Vec::new();
    let mut lines = LineCounter::default();
    for (i, record) in rdr.records().enumerate() {
        let fallback_row = i + 2;
        if i == MAX_RECORDS {
            let row = record
                .as_ref()
                .ok()
                .and_then(|r| r.position())
                .map_or(fallback_row, |p| lines.line_at(text, p.byte()));
            return Err(vec![too_many_records(row)]);
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let row = e.position().map_or(fallback_row, |p| p.line() as usize);
                out.push(Parsed {
                    row,
                    value: Err(Rejection {
                        row,
                        field: None,
                        reason: csv_reason(&e),
                    }),
                });
                continue;
            }
        };
        let row = record
            .position()
            .map_or(fallback_row, |p| lines.line_at(text, p.byte()));
        let cells = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h, cell::Cell(v)));
        let value = serde_path_to_error::deserialize(MapDeserializer::<_, cell::Error>::new(cells))
            .map_err(|e| {
                let message = e.inner().to_string();
                let path = e.path().to_string();
                Rejection {
                    row,
                    field: named_field(&message).or((path != ".").then_some(path)),
                    reason: message,
                }
            });
        out.push(Parsed { row, value });
    }
    Ok(out)
}

/// Line numbers of records, counted as the reader moves forward: each call counts only the text
/// since the previous record, so numbering a whole file is linear in its size.
#[derive(Default)]
struct LineCounter {
    /// Bytes counted so far and the newlines among them.
    pos: usize,
    newlines: usize,
}

impl LineCounter {
    /// The 1-based line of the record starting at `byte`. The csv crate counts neither the blank
    /// lines it skips in its line numbers nor in the record's start offset, so they are skipped
    /// here. Records come in file order; an earlier offset starts the count again.
    fn line_at(&mut self, text: &str, byte: u64) -> usize {
        let bytes = text.as_bytes();
        let mut start = usize::try_from(byte).map_or(bytes.len(), |b| b.min(bytes.len()));
        while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
            start += 1;
        }
        if start < self.pos {
            *self = LineCounter::default();
        }
        self.newlines += bytes[self.pos..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.pos = start;
        self.newlines + 1
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => err.kind().to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} cells, the header has {expected_len}"),
        _ => e.to_string(),
    }
}

/// A school level by JSON name or as people write it (中职, 高职, 专科, 本科, 社会学员).
pub fn parse_school_level(s: &str) -> Option<kaozheng_core::SchoolLevel> {
    use kaozheng_core::SchoolLevel;
    match s.trim() {
        "中职" => Some(SchoolLevel::Secondary),
        "高职" | "专科" | "高职（专科）" => Some(SchoolLevel::Higher),
        "本科" => Some(SchoolLevel::Undergraduate),
        "社会学员" => Some(SchoolLevel::Social),
        other => crate::db::students::school_level_from_name(other),
    }
}

/// Checks a text cell: required ones non-empty, at most `max_chars`, no control characters, and
/// not starting with `=`, `+`, `-` or `@`, which a spreadsheet opening an export would run as a
/// formula (CSV injection). True when it passes.
pub fn check_text(
    report: &mut ImportReport,
    row: usize,
    field: &str,
    value: &str,
    max_chars: usize,
) -> bool {
    let reason = if value.trim().is_empty() {
        Some("is empty".to_string())
    } else if value.chars().count() > max_chars {
        Some(format!("is longer than {max_chars} characters"))
    } else if let Some(c) = value
        .chars()
        .next()
        .filter(|c| matches!(c, '=' | '+' | '-' | '@'))
    {
        Some(format!(
            "starts with {c:?}: a spreadsheet would run it as a formula (CSV injection) / 以公式字符开头"
        ))
    } else if value.chars().any(char::is_control) {
        Some("contains control characters".to_string())
    } else {
        None
    };
    match reason {
        Some(r) => {
            report.reject(row, Some(field), r);
            false
        }
        None => true,
    }
}

/// Checks an id: 1–`max` characters of ASCII letters, digits, `.`, `_` and `-`, starting with a
/// letter or digit.
pub fn check_id(
    report: &mut ImportReport,
    row: usize,
    field: &str,
    value: &str,
    max: usize,
) -> bool {
    if !check_text(report, row, field, value, max) {
        return false;
    }
    let ok = value.starts_with(|c: char| c.is_ascii_alphanumeric())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !ok {
        report.reject(
            row,
            Some(field),
            "use only ASCII letters, digits, '.', '_' and '-', starting with a letter or digit",
        );
    }
    ok
}

mod cell;

pub mod de;

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::import::Kind;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Row {
        /// Text even when it looks like a number.
        id: String,
        n: u32,
        #[serde(default, deserialize_with = "de::flag")]
        yes: bool,
        #[serde(default, deserialize_with = "de::opt_text")]
        note: Option<String>,
    }

    const COLS: Columns = Columns {
        required: &["id", "n"],
        optional: &["yes", "note"],
    };

    #[test]
    fn non_utf8_is_refused_with_its_line() {
        let gbk = b"id,n\nok,1\n\xd6\xd0\xce\xc4,2\n";
        let r = utf8(gbk).unwrap_err();
        assert_eq!(r.row, 3);
        assert!(r.reason.contains("UTF-8"));
        assert_eq!(utf8(b"\xEF\xBB\xBFid").unwrap(), "id");
    }

    #[test]
    fn csv_rows_carry_their_line_and_bad_cells_their_column() {
        let rows: Vec<Parsed<Row>> =
            csv_rows("id,n,yes\na,1,是\nb,x,0\nc,3\n\n007,4,true\n", &COLS).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(
            rows[0].value.as_ref().unwrap(),
            &Row {
                id: "a".into(),
                n: 1,
                yes: true,
                note: None
            }
        );
        let bad = rows[1].value.as_ref().unwrap_err();
        assert_eq!((bad.row, bad.field.as_deref()), (3, Some("n")));
        let short = rows[2].value.as_ref().unwrap_err();
        assert_eq!(short.row, 4);
        assert!(short.reason.contains("cells"), "{}", short.reason);
        assert_eq!(rows[3].row, 6, "blank lines keep the numbering");
        assert_eq!(rows[3].value.as_ref().unwrap().id, "007");
    }

    #[test]
    fn csv_headers_must_be_known_complete_and_unique() {
        let errs = csv_rows::<Row>("id,id,extra\n", &COLS).err().unwrap();
        let fields: Vec<_> = errs.iter().map(|e| e.field.clone().unwrap()).collect();
        assert_eq!(fields, vec!["id", "extra", "n"]);
        assert!(errs.iter().all(|e| e.row == 1));
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Listed {
        id: String,
        #[serde(default, deserialize_with = "de::present_list")]
        codes: Option<Vec<String>>,
    }

    #[test]
    fn list_cells_split_on_semicolons_and_keep_text() {
        let cols = Columns {
            required: &["id"],
            optional: &["codes"],
        };
        let rows: Vec<Parsed<Listed>> =
            csv_rows("id,codes\na, YJ101 ; 007\nb,\nc,X;;Y\n", &cols).unwrap();
        let codes = |i: usize| rows[i].value.as_ref().unwrap().codes.clone();
        assert_eq!(codes(0), Some(vec!["YJ101".to_string(), "007".to_string()]));
        assert_eq!(codes(1), Some(vec![]));
        assert_eq!(codes(2), Some(vec!["X".into(), String::new(), "Y".into()]));
        let absent: Vec<Parsed<Listed>> = csv_rows("id\na\n", &cols).unwrap();
        assert_eq!(absent[0].value.as_ref().unwrap().codes, None);
        let json: Vec<Parsed<Listed>> =
            json_rows(r#"[{"id":"a","codes":["A1"]},{"id":"b"},{"id":"c","codes":"A1;B2"}]"#)
                .unwrap();
        assert_eq!(
            json[0].value.as_ref().unwrap().codes,
            Some(vec!["A1".into()])
        );
        assert_eq!(json[1].value.as_ref().unwrap().codes, None);
        let bad = json[2].value.as_ref().unwrap_err();
        assert_eq!(bad.field.as_deref(), Some("codes"));
    }

    #[test]
    fn json_rows_name_the_offending_field() {
        let rows: Vec<Parsed<Row>> =
            json_rows(r#"[{"id":"a","n":1},{"id":"b"},{"id":"c","n":"x"},{"id":"d","n":1,"z":0}]"#)
                .unwrap();
        assert!(rows[0].value.is_ok());
        let field = |i: usize| rows[i].value.as_ref().unwrap_err().field.clone();
        assert_eq!(field(1).as_deref(), Some("n"));
        assert_eq!(field(2).as_deref(), Some("n"));
        assert_eq!(field(3).as_deref(), Some("z"));
        assert_eq!(rows[3].row, 4);
        assert!(json_rows::<Row>("{\"id\": 1}").is_err());
    }

    #[test]
    fn formula_cells_and_bad_ids_are_rejected() {
        let mut r = ImportReport::new(Kind::Sites);
        assert!(check_text(&mut r, 2, "name", "示例考点", 50));
        for bad in [
            "=cmd|' /C calc'!A0",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "",
            "a\u{7}b",
        ] {
            assert!(!check_text(&mut r, 2, "name", bad, 50), "{bad:?}");
        }
        assert!(!check_text(&mut r, 2, "name", &"长".repeat(51), 50));
        assert!(r.rejected[0].reason.contains("formula"));
        assert!(check_id(&mut r, 2, "id", "demo-site.1_a", 64));
        assert!(!check_id(&mut r, 2, "id", "考点1", 64));
        assert!(!check_id(&mut r, 2, "id", "_x", 64));
    }

    #[test]
    fn nul_characters_are_found_raw_or_escaped() {
        let raw = nul_character("id,name\na,b\nc,d\0\n", Format::Csv).unwrap();
        assert_eq!((raw.row, raw.field), (3, None));
        let escaped = nul_character(
            r#"[{"id": "a"}, {"id": "b", "n": {"x": "\u0000"}}]"#,
            Format::Json,
        )
        .unwrap();
        assert_eq!((escaped.row, escaped.field.as_deref()), (2, Some("n.x")));
        let doc =
            nul_character(r#"{"version": "v", "policies": ["a\u0000"]}"#, Format::Json).unwrap();
        assert_eq!((doc.row, doc.field.as_deref()), (0, Some("policies[0]")));
        assert!(nul_character(r#"[{"id": "\\u0000"}]"#, Format::Json).is_none());
        assert!(nul_character("id\na\n", Format::Csv).is_none());
    }

    #[test]
    fn spreadsheet_times_are_china_time() {
        let a = de::parse_china_time("2026-12-01 09:00").unwrap();
        assert_eq!(a, de::parse_china_time("2026-12-01T01:00:00Z").unwrap());
        assert_eq!(a, de::parse_china_time("2026-12-01 09:00:00").unwrap());
        assert!(de::parse_china_time("2026-12-01").is_none());
    }
}
