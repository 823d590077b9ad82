//! The roster export (考生名单): who registered for a plan, a site or an exam session, as CSV (UTF-8
//! with a byte order mark, CRLF, formula-safe cells) or an `.xlsx` workbook, for the school to hand
//! to the evaluation organisation and to fill with results.
//!
//! The header row is the column keys below, so the file imports back: with its score columns
//! filled it is a results file (`import results`, keyed by `ticket_no`; the other columns are
//! accepted and ignored, `student_no` checked against the ticket). Results already stored are
//! filled in, so exporting and importing again changes nothing. In the workbook every identifier is
//! a text cell (a ticket number stays `261200042000007`, never `2.612E+14`), scores are numbers,
//! and a second sheet explains each column in Chinese and English.

use kaozheng_core::model::{FeeReason, Module, Payer, RegistrationStatus};
use kaozheng_core::{SchoolLevel, time};
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};

use crate::db::roster::RosterRow;
use crate::feedback::spreadsheet_safe;
use crate::tickets::TicketKey;

/// Every column: key (the header), Chinese and English meaning.
pub const COLUMNS: [(&str, &str, &str); 29] = [
    ("ticket_no", "准考证号", "Admission ticket number"),
    (
        "ticket_check",
        "核验码",
        "Ticket check code (as in the ticket's QR code)",
    ),
    ("student_no", "学号", "Student number"),
    ("name", "姓名", "Name"),
    ("school", "学校", "School"),
    ("school_level", "学段", "School level"),
    ("certificate_id", "证书编号", "Certificate id"),
    ("certificate_name", "证书名称", "Certificate"),
    ("level", "等级", "Level"),
    ("plan_id", "考核计划编号", "Exam plan id"),
    ("plan_name", "考核计划", "Exam plan"),
    ("site_id", "考点编号", "Exam site id"),
    ("site_name", "考点", "Exam site"),
    ("exam_starts_at", "考试开始时间", "Exam starts (China time)"),
    ("exam_ends_at", "考试结束时间", "Exam ends (China time)"),
    ("fee_yuan", "考核费（元）", "Exam fee (yuan)"),
    (
        "student_pays_yuan",
        "学生缴纳（元）",
        "Paid by the student (yuan)",
    ),
    ("payer", "缴费方", "Who pays"),
    ("fee_reason", "缴费依据", "Why"),
    ("registered_at", "报名时间", "Registered at (China time)"),
    ("status", "报名状态", "Registration status"),
    ("theory_score", "理论成绩", "Theory score (0–100, fill in)"),
    (
        "theory_pass_mark",
        "理论合格线",
        "Theory pass mark (fill in with the score)",
    ),
    ("theory_exempted", "理论免考", "Theory exempted (是/否)"),
    (
        "practical_score",
        "实操成绩",
        "Practical score (0–100, fill in)",
    ),
    (
        "practical_pass_mark",
        "实操合格线",
        "Practical pass mark (fill in with the score)",
    ),
    (
        "practical_exempted",
        "实操免考",
        "Practical exempted (是/否)",
    ),
    (
        "certificate_no",
        "证书编号（通过者）",
        "Certificate number (passed only)",
    ),
    ("issued_on", "发证日期", "Issued on (YYYY-MM-DD)"),
];

/// Columns at and after this one are the results to fill in.
const FIRST_RESULT_COLUMN: usize = 21;

/// One cell: text, or a number the workbook keeps as a number.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Number(f64, String),
    Empty,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    fn as_csv(&self) -> String {
        match self {
            Cell::Text(s) => spreadsheet_safe(s),
            Cell::Number(_, s) => s.clone(),
            Cell::Empty => String::new(),
        }
    }
}

pub fn school_level_zh(l: SchoolLevel) -> &'static str {
    match l {
        SchoolLevel::Secondary => "中职",
        SchoolLevel::Higher => "高职",
        SchoolLevel::Undergraduate => "本科",
        SchoolLevel::Social => "社会学员",
    }
}

/// Who pays, as a school's office writes it.
pub fn payer_zh(p: Payer) -> &'static str {
    match p {
        Payer::Student => "学生缴纳",
        Payer::School => "学校经费保障",
        Payer::Waived => "评价组织免收",
        Payer::NotCharged => "不向学生收取",
    }
}

/// The rule behind the fee, in a few words.
pub fn fee_reason_zh(r: FeeReason) -> &'static str {
    match r {
        FeeReason::Standard => "按计划收费",
        FeeReason::HardshipWaiver => "家庭经济困难学生免收",
        FeeReason::InSchoolFree => "在校生不收费",
        FeeReason::PilotExamCovered => "试点学生学校保障",
        FeeReason::PilotCoverageUsed => "试点保障次数已用",
        FeeReason::NotPilotStudent => "非试点学生",
    }
}

pub fn status_zh(s: RegistrationStatus) -> &'static str {
    match s {
        RegistrationStatus::Confirmed => "有效",
        RegistrationStatus::Cancelled => "已取消",
    }
}

fn yuan(fen: u32) -> Cell {
    Cell::Number(
        f64::from(fen) / 100.0,
        format!("{}.{:02}", fen / 100, fen % 100),
    )
}

fn cells(row: &RosterRow, key: &TicketKey) -> Vec<Cell> {
    let mut out = vec![
        Cell::text(&row.ticket_no),
        Cell::text(key.check(&row.ticket_no, &row.student_no, &row.plan_id)),
        Cell::text(&row.student_no),
        Cell::text(&row.name),
        Cell::text(&row.school),
        Cell::text(school_level_zh(row.school_level)),
        Cell::text(&row.certificate_id),
        Cell::text(row.certificate_name.as_deref().unwrap_or_default()),
        Cell::text(row.level.zh()),
        Cell::text(&row.plan_id),
        Cell::text(&row.plan_name),
        Cell::text(&row.site_id),
        Cell::text(row.site_name.as_deref().unwrap_or_default()),
        Cell::text(time::format_minute(row.exam_starts_at)),
        Cell::text(time::format_minute(row.exam_ends_at)),
        yuan(row.fee_fen),
        yuan(row.student_pays_fen),
        Cell::text(payer_zh(row.payer)),
        Cell::text(fee_reason_zh(row.fee_reason)),
        Cell::text(time::format_minute(row.registered_at)),
        Cell::text(status_zh(row.status)),
    ];
    debug_assert_eq!(out.len(), FIRST_RESULT_COLUMN);
    let (modules, certificate_no, issued_on) = match &row.result {
        Some((m, c, d)) => (m.as_slice(), c.as_deref(), *d),
        None => (&[][..], None, None),
    };
    for module in [Module::Theory, Module::Practical] {
        match modules.iter().find(|m| m.module == module) {
            Some(m) => {
                out.push(match m.score {
                    Some(s) => Cell::Number(f64::from(s.hundredths()) / 100.0, s.to_string()),
                    None => Cell::Empty,
                });
                out.push(Cell::Number(
                    f64::from(m.pass_mark.hundredths()) / 100.0,
                    m.pass_mark.to_string(),
                ));
                out.push(if m.exempted {
                    Cell::text("是")
                } else {
                    Cell::Empty
                });
            }
            None => out.extend([Cell::Empty, Cell::Empty, Cell::Empty]),
        }
    }
    out.push(certificate_no.map_or(Cell::Empty, Cell::text));
    out.push(issued_on.map_or(Cell::Empty, |d| Cell::text(time::date_text(d))));
    debug_assert_eq!(out.len(), COLUMNS.len());
    out
}

/// The roster as CSV: a byte order mark (Excel on Chinese Windows reads a file without one as
/// GBK), the column keys, one row per registration, CRLF line ends, formula-safe text.
pub fn csv(rows: &[RosterRow], key: &TicketKey) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(COLUMNS.iter().map(|c| c.0))
            .expect("writing to memory succeeds");
        for row in rows {
            w.write_record(cells(row, key).iter().map(Cell::as_csv))
                .expect("writing to memory succeeds");
        }
        w.flush().expect("writing to memory succeeds");
    }
    out
}

/// The roster as an `.xlsx` workbook: sheet 考生名单 with the same columns (identifiers as text,
/// scores and fees as numbers, the header row frozen, the result columns shaded to fill in) and a
/// sheet 说明 explaining every column.
pub fn xlsx(rows: &[RosterRow], key: &TicketKey) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let fill = Format::new().set_background_color(0xFFF2CC);
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet().set_name("考生名单")?;
    for (col, (k, _, _)) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, *k, &header)?;
        let width = match *k {
            "plan_name" | "certificate_name" | "site_name" | "school" => 28.0,
            "ticket_no" | "exam_starts_at" | "exam_ends_at" | "registered_at" => 18.0,
            _ => 13.0,
        };
        sheet.set_column_width(col, width)?;
        if usize::from(col) >= FIRST_RESULT_COLUMN {
            // Typed results stay what was typed: certificate numbers and dates as text.
            let format = if matches!(*k, "certificate_no" | "issued_on") {
                fill.clone().set_num_format("@")
            } else {
                fill.clone()
            };
            sheet.set_column_format(col, &format)?;
        }
    }
    for (i, row) in rows.iter().enumerate() {
        let r = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (col, cell) in cells(row, key).into_iter().enumerate() {
            let col = col as u16;
            let shaded = usize::from(col) >= FIRST_RESULT_COLUMN;
            match cell {
                Cell::Text(s) if shaded => {
                    sheet.write_string_with_format(r, col, s, &fill.clone().set_num_format("@"))?;
                }
                Cell::Text(s) => {
                    sheet.write_string_with_format(r, col, s, &text)?;
                }
                Cell::Number(n, _) if shaded => {
                    sheet.write_number_with_format(r, col, n, &fill)?;
                }
                Cell::Number(n, _) => {
                    sheet.write_number(r, col, n)?;
                }
                Cell::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let legend = book.add_worksheet().set_name("说明")?;
    for (col, title) in ["列 column", "中文", "English"].into_iter().enumerate() {
        legend.write_string_with_format(0, col as u16, title, &header)?;
    }
    for (i, (k, zh, en)) in COLUMNS.iter().enumerate() {
        let r = i as u32 + 1;
        legend.write_string(r, 0, *k)?;
        legend.write_string(r, 1, *zh)?;
        legend.write_string(r, 2, *en)?;
    }
    let note = COLUMNS.len() as u32 + 2;
    legend.write_string(
        note,
        0,
        "填写成绩后，在教务页面（/staff）以“成绩 results”导入本文件；空白行不导入。",
    )?;
    legend.write_string(
        note + 1,
        0,
        "Fill in the scores, then import this file as results on the staff page (/staff); rows \
         left blank are left alone.",
    )?;
    legend.set_column_width(0, 22.0)?;
    legend.set_column_width(1, 20.0)?;
    legend.set_column_width(2, 48.0)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use kaozheng_core::model::{ModuleResult, Score};

    use super::*;
    use kaozheng_core::XLevel;

    fn row(result: bool) -> RosterRow {
        let t = |d, h| Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap();
        RosterRow {
            registration_id: "reg-1".into(),
            ticket_no: "261200042000007".into(),
            student_no: "TJ2024001".into(),
            name: "=王晓明".into(),
            school: "示例职业技术学院".into(),
            school_level: SchoolLevel::Higher,
            certificate_id: "c1".into(),
            certificate_name: Some("Web前端开发".into()),
            level: XLevel::Intermediate,
            plan_id: "p1".into(),
            plan_name: "2026年12月考试".into(),
            site_id: "s1".into(),
            site_name: Some("示例考点".into()),
            exam_starts_at: t(20, 1),
            exam_ends_at: t(20, 3),
            fee_fen: 30_050,
            student_pays_fen: 0,
            payer: Payer::School,
            fee_reason: FeeReason::PilotExamCovered,
            registered_at: t(2, 2),
            status: RegistrationStatus::Confirmed,
            result: result.then(|| {
                (
                    vec![ModuleResult {
                        module: Module::Theory,
                        score: Score::parse("72.5"),
                        pass_mark: Score::parse("60").unwrap(),
                        exempted: false,
                    }],
                    None,
                    None,
                )
            }),
        }
    }

    #[test]
    fn the_csv_has_a_bom_the_keys_and_formula_safe_cells() {
        let key = TicketKey::from_bytes([7; 32]);
        let out = csv(&[row(false), row(true)], &key);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\u{feff}ticket_no,ticket_check,student_no,name,"));
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "header, two rows, the final line end");
        let check = key.check("261200042000007", "TJ2024001", "p1");
        assert_eq!(
            lines[1],
            format!(
                "261200042000007,{check},TJ2024001,'=王晓明,示例职业技术学院,高职,c1,Web前端开发,中级,p1,\
                 2026年12月考试,s1,示例考点,2026-12-20 09:00,2026-12-20 11:00,300.50,0.00,学校经费保障,\
                 试点学生学校保障,2026-12-02 10:00,有效,,,,,,,,"
            )
        );
        assert!(
            lines[2].ends_with(",有效,72.50,60.00,,,,,,"),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn the_workbook_reads_back_through_the_importers_reader() {
        let key = TicketKey::from_bytes([7; 32]);
        let book = xlsx(&[row(true)], &key).unwrap();
        let csv = crate::import::spreadsheet::to_csv(&book).unwrap();
        let mut lines = csv.lines();
        let header = lines.next().unwrap();
        assert_eq!(
            header,
            COLUMNS.iter().map(|c| c.0).collect::<Vec<_>>().join(",")
        );
        let first = lines.next().unwrap();
        assert!(first.starts_with("261200042000007,"), "{first}");
        assert!(
            first.contains(",=王晓明,"),
            "workbook text is never a formula: {first}"
        );
        assert!(first.contains(",300.5,0,"), "{first}");
        assert!(first.contains(",有效,72.5,60,,"), "{first}");
    }
}
