//! Calendar export (`.ics`) of a student's upcoming exams and registration deadlines.
//!
//! Built with the `icalendar` crate. Times are written in Asia/Shanghai (a VTIMEZONE for UTC+8 is
//! included, as RFC 5545 asks), UIDs are stable per exam and per deadline so importing the file again
//! updates the events instead of duplicating them, and DTSTAMP is the `now` passed in.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};

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

fn shanghai(t: DateTime<Utc>) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time: kaozheng_core::time::to_china(t).naive_local(),
        tzid: TZID.to_string(),
    }
}

/// The `.ics` text for `entries`.
pub fn to_ics(entries: &[CalendarEntry], now: DateTime<Utc>) -> String {
    let mut cal = Calendar::new();
    cal.name("考证 Kaozheng").timezone(TZID);
    for e in entries {
        let mut ev = Event::new();
        ev.uid(&e.uid)
            .timestamp(now)
            .summary(&e.summary)
            .description(&e.description)
            .starts(shanghai(e.starts))
            .ends(shanghai(e.ends));
        if let Some(loc) = &e.location {
            ev.location(loc);
        }
        cal.push(ev.done());
    }
    let text = cal.done().to_string();
    // The crate has no VTIMEZONE builder; the block goes before the first component.
    match text.find("BEGIN:VEVENT") {
        Some(at) => format!("{}{VTIMEZONE}{}", &text[..at], &text[at..]),
        None => text.replacen("END:VCALENDAR", &format!("{VTIMEZONE}END:VCALENDAR"), 1),
    }
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
    }

    #[test]
    fn an_empty_export_is_still_a_valid_calendar() {
        let ics = to_ics(&[], Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap());
        assert!(ics.contains("BEGIN:VTIMEZONE") && ics.contains("END:VCALENDAR"));
        assert!(!ics.contains("BEGIN:VEVENT"));
    }
}
