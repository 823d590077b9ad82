//! Calendar export (`.ics`) of a student's upcoming exams and registration deadlines.
//!
//! A small RFC 5545 writer for the few properties used (a calendar crate pulled in a UUID crate and
//! chrono's formatter for them). Times are written in Asia/Shanghai (a VTIMEZONE for UTC+8 is
//! included, as RFC 5545 asks), UIDs are stable per exam and per deadline so importing the file again
//! updates the events instead of duplicating them, and DTSTAMP is the `now` passed in.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// The time zone every Chinese exam is in.
pub const TZID: &str = "Asia/Shanghai";

/// China has kept UTC+8 without daylight saving since 1991, so one STANDARD block is exact.
const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nTZNAME:CST\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// One event to export.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarEntry {
    /// Stable across exports: `exam-<registration>@kaozheng` or `deadline-<plan>@kaozheng`.
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub location: Option<String>,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
}

/// `20261210T090000`.
fn stamp<T: Datelike + Timelike>(t: &T) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A TEXT value: backslash, semicolon, comma and line breaks escaped (RFC 5545 3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so no line is longer than 75 octets (3.1), never inside a
/// UTF-8 character.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// The `.ics` text for `entries`.
pub fn to_ics(entries: &[CalendarEntry], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Kaozheng//Kaozheng//ZH",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:考证 Kaozheng",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ] {
        line(&mut out, l);
    }
    out.push_str(VTIMEZONE);
    let china = |t: DateTime<Utc>| stamp(&kaozheng_core::time::to_china(t).naive_local());
    for e in entries {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", text(&e.uid)));
        line(&mut out, &format!("DTSTAMP:{}Z", stamp(&now)));
        line(&mut out, &format!("SUMMARY:{}", text(&e.summary)));
        line(&mut out, &format!("DESCRIPTION:{}", text(&e.description)));
        if let Some(loc) = &e.location {
            line(&mut out, &format!("LOCATION:{}", text(loc)));
        }
        line(
            &mut out,
            &format!("DTSTART;TZID={TZID}:{}", china(e.starts)),
        );
        line(&mut out, &format!("DTEND;TZID={TZID}:{}", china(e.ends)));
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// Stable UID of a registration's exam event.
pub fn exam_uid(client_id: &str) -> String {
    format!("exam-{client_id}@kaozheng")
}

/// Stable UID of a plan's registration-deadline event.
pub fn deadline_uid(plan_id: &str) -> String {
    format!("deadline-{plan_id}@kaozheng")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        kaozheng_core::time::china()
            .with_ymd_and_hms(2026, 12, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn entries() -> Vec<CalendarEntry> {
        vec![
            CalendarEntry {
                uid: exam_uid("u1"),
                summary: "Web前端开发（中级）考试".into(),
                description: "准考证号 2026000100001".into(),
                location: Some("示例职业技术学院考点, 天津市示例区1号".into()),
                starts: t(10, 9),
                ends: t(10, 11),
            },
            CalendarEntry {
                uid: deadline_uid("p2"),
                summary: "报名截止：物流管理（初级）".into(),
                description: "报名截止时间".into(),
                location: None,
                starts: t(5, 16),
                ends: t(5, 17),
            },
        ]
    }

    #[test]
    fn events_are_in_shanghai_time_with_a_vtimezone_and_stable_uids() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap();
        let ics = to_ics(&entries(), now);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
        assert!(ics.trim_end().ends_with("END:VCALENDAR"));
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
        assert_eq!(ics.matches("BEGIN:VTIMEZONE").count(), 1);
        assert!(ics.find("BEGIN:VTIMEZONE") < ics.find("BEGIN:VEVENT"));
        assert!(
            ics.contains("DTSTART;TZID=Asia/Shanghai:20261210T090000"),
            "{ics}"
        );
        assert!(ics.contains("DTEND;TZID=Asia/Shanghai:20261210T110000"));
        assert!(ics.contains("UID:exam-u1@kaozheng"));
        assert!(ics.contains("UID:deadline-p2@kaozheng"));
        assert!(ics.contains("DTSTAMP:20261122T000000Z"));
        // The same input gives the same file: re-import updates rather than duplicates.
        assert_eq!(ics, to_ics(&entries(), now));
        // Text is escaped, lines are folded at 75 octets without splitting a character.
        assert!(
            ics.contains("LOCATION:示例职业技术学院考点\\, 天津市示例区1号"),
            "{ics}"
        );
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "{l:?} is {} octets", l.len());
        }
    }

    #[test]
    fn long_text_folds_and_unfolds_to_itself() {
        let long = "报名截止：".to_string() + &"网络安全评估（高级）".repeat(8);
        let e = CalendarEntry {
            uid: deadline_uid("p"),
            summary: long.clone(),
            description: "a;b,c\nd\\e".into(),
            location: None,
            starts: t(5, 16),
            ends: t(5, 17),
        };
        let ics = to_ics(&[e], Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap());
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{long}\r\n")), "{ics}");
        assert!(
            unfolded.contains("DESCRIPTION:a\\;b\\,c\\nd\\\\e\r\n"),
            "{unfolded}"
        );
    }

    #[test]
    fn an_empty_export_is_still_a_valid_calendar() {
        let ics = to_ics(&[], Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap());
        assert!(ics.contains("BEGIN:VTIMEZONE") && ics.contains("END:VCALENDAR"));
        assert!(!ics.contains("BEGIN:VEVENT"));
    }
}
