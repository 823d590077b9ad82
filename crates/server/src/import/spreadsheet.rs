//! Spreadsheets in: an `.xlsx` file's first worksheet read as CSV text, so every CSV import also
//! takes the workbook a school filled in Excel or WPS (the roster export is one). Text cells stay
//! text, so a ticket number never turns into `2.612E+14` as it does when Excel saves a CSV.
//!
//! Numbers are written as people typed them (`85`, `72.5`), dates as `YYYY-MM-DD` and times as
//! `YYYY-MM-DD HH:MM` (what the CSV imports read as China time), booleans as `true`/`false`.
//! Formulas count by their saved value. A cell holding a spreadsheet error (`#N/A`, `#VALUE!`)
//! rejects the file with its place. Workbooks are read cell by cell within fixed bounds: a file
//! claiming a sheet larger than an import allows, or unpacking to more than [`MAX_UNPACKED`], is
//! refused before anything is built from it.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};

use super::Rejection;
use super::read::MAX_RECORDS;

/// The content type of an `.xlsx` workbook.
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Most bytes the workbook's parts may unpack to together.
pub const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

/// Most columns a sheet may use.
pub const MAX_COLUMNS: u32 = 256;

/// Whether the bytes are a ZIP container (an `.xlsx` workbook is one); no import's CSV or JSON
/// text starts this way.
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Whether a content type names an `.xlsx` workbook.
pub fn is_xlsx_content_type(ct: &str) -> bool {
    ct.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .eq_ignore_ascii_case(XLSX_CONTENT_TYPE)
}

fn refused(row: usize, reason: impl Into<String>) -> Rejection {
    Rejection {
        row,
        field: None,
        reason: reason.into(),
    }
}

/// The first worksheet as CSV text; line N of the text is row N of the sheet.
pub fn to_csv(bytes: &[u8]) -> Result<String, Rejection> {
    let unreadable = |e: &dyn std::fmt::Display| {
        refused(
            0,
            format!(
                "not a readable .xlsx workbook ({e}); save it again as Excel 2007–365 (.xlsx) or as CSV UTF-8 / 无法读取该 Excel 文件"
            ),
        )
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut unpacked: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| unreadable(&e))?;
        unpacked = unpacked.saturating_add(entry.size());
    }
    if unpacked > MAX_UNPACKED {
        return Err(refused(
            0,
            format!(
                "the workbook unpacks to more than {} MiB; split it / 文件过大，请拆分",
                MAX_UNPACKED >> 20
            ),
        ));
    }
    drop(zip);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let Some(first) = book.sheet_names().into_iter().next() else {
        return Err(refused(
            0,
            "the workbook has no worksheet / 文件中没有工作表",
        ));
    };
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| unreadable(&e))?;
    // Rows as they come (a sheet stores them in order), each a list of (column, text).
    let mut rows: Vec<Vec<(u32, String)>> = Vec::new();
    let mut width = 0;
    while let Some(cell) = cells.next_cell().map_err(|e| unreadable(&e))? {
        let (row, col) = cell.get_position();
        let line = row as usize + 1;
        if line > MAX_RECORDS + 1 {
            return Err(refused(
                line,
                format!(
                    "the sheet has more than {MAX_RECORDS} records; split it / 记录过多，请拆分"
                ),
            ));
        }
        if col >= MAX_COLUMNS {
            return Err(refused(
                line,
                format!("the sheet uses more than {MAX_COLUMNS} columns / 列数过多"),
            ));
        }
        let Some(text) = text_of(cell.get_value()).map_err(|e| {
            refused(
                line,
                format!(
                    "column {} holds the spreadsheet error {e}; fix or clear it / 单元格含错误值",
                    column_name(col)
                ),
            )
        })?
        else {
            continue;
        };
        if rows.len() < line {
            rows.resize_with(line, Vec::new);
        }
        rows[line - 1].push((col, text));
        width = width.max(col + 1);
    }
    let mut out = String::new();
    let mut record = vec![String::new(); width as usize];
    for cells in &rows {
        // A blank row stays a line, so later rows keep their numbers.
        if !cells.is_empty() {
            record.iter_mut().for_each(String::clear);
            for (col, text) in cells {
                record[*col as usize].clone_from(text);
            }
            for (i, cell) in record.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_csv_cell(&mut out, cell);
            }
        }
        out.push('\n');
    }
    Ok(out)
}

/// A CSV cell, quoted when it holds a separator, a quote, a line break or spaces at its ends
/// (which the importer's reader would trim).
fn push_csv_cell(out: &mut String, cell: &str) {
    let quote = cell.contains([',', '"', '\n', '\r']) || cell.trim() != cell;
    if quote {
        out.push('"');
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

/// `A`, `B`, …, `Z`, `AA` for a 0-based column.
fn column_name(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// A cell's text; `Ok(None)` for an empty cell, `Err` with the error for an error cell.
fn text_of(v: &DataRef<'_>) -> Result<Option<String>, String> {
    Ok(Some(match v {
        DataRef::Empty => return Ok(None),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) if d.is_duration() => number(d.as_f64()),
        DataRef::DateTime(d) => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}")
            }
        }
        DataRef::Error(e) => return Err(e.to_string()),
    }))
}

/// A number as typed: whole numbers without a decimal point (a ticket number typed as a number
/// reads back as its digits), others in the shortest form that reads back the same.
fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    use super::*;

    fn book(fill: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        fill(ws);
        wb.add_worksheet()
            .write_string(0, 0, "second sheet")
            .unwrap();
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn the_first_sheet_reads_as_csv_with_its_rows_in_place() {
        let bytes = book(|ws| {
            ws.write_string(0, 0, "ticket_no").unwrap();
            ws.write_string(0, 1, "theory_score").unwrap();
            ws.write_string(0, 2, "issued_on").unwrap();
            ws.write_string(0, 3, "name").unwrap();
            ws.write_string(1, 0, "261200042000007").unwrap();
            ws.write_number(1, 1, 85.5).unwrap();
            let date = ExcelDateTime::from_ymd(2026, 12, 30).unwrap();
            ws.write_datetime_with_format(1, 2, &date, &Format::new().set_num_format("yyyy-mm-dd"))
                .unwrap();
            ws.write_string(1, 3, "王晓明, \"小明\"").unwrap();
            // Row 3 blank, row 4 typed as a number.
            ws.write_number(3, 0, 261200042000008.0).unwrap();
            ws.write_number(3, 1, 60.0).unwrap();
            ws.write_boolean(3, 2, true).unwrap();
        });
        assert!(is_xlsx(&bytes));
        let csv = to_csv(&bytes).unwrap();
        assert_eq!(
            csv,
            "ticket_no,theory_score,issued_on,name\n\
             261200042000007,85.5,2026-12-30,\"王晓明, \"\"小明\"\"\"\n\
             \n\
             261200042000008,60,true,\n"
        );
    }

    #[test]
    fn errors_and_what_is_not_a_workbook_are_refused() {
        let bytes = book(|ws| {
            ws.write_string(0, 0, "ticket_no").unwrap();
            ws.write_formula(
                1,
                0,
                rust_xlsxwriter::Formula::new("=1/0").set_result("#DIV/0!"),
            )
            .unwrap();
        });
        let r = to_csv(&bytes).unwrap_err();
        assert_eq!(r.row, 2);
        assert!(r.reason.contains("column A"), "{}", r.reason);
        assert!(to_csv(b"PK\x03\x04 not really a zip").is_err());
        assert!(!is_xlsx(b"ticket_no\n1\n"));
        assert!(is_xlsx_content_type(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; x=1"
        ));
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(number(1e15), "1000000000000000");
    }

    #[test]
    fn sheets_beyond_the_bounds_are_refused_before_they_are_built() {
        let far = book(|ws| {
            ws.write_string(0, 0, "ticket_no").unwrap();
            ws.write_string(1_000_000, 0, "1").unwrap();
        });
        assert!(to_csv(&far).unwrap_err().reason.contains("records"));
        let wide = book(|ws| {
            ws.write_string(0, 300, "x").unwrap();
        });
        assert!(to_csv(&wide).unwrap_err().reason.contains("columns"));
    }
}
