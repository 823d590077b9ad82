//! China Standard Time helpers. China is UTC+8 all year (no DST), so a fixed offset is exact.
//!
//! Times are written and read here by hand rather than with chrono's `format`/`parse`: that
//! machinery is general (strftime, every RFC) and costs tens of KB in the app's WASM, while the
//! product only ever needs RFC 3339 instants and `YYYY-MM-DD` dates.

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
};

pub const CHINA_OFFSET_SECONDS: i32 = 8 * 3600;

/// The UTC+8 offset.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(CHINA_OFFSET_SECONDS).expect("UTC+8 is a valid offset")
}

/// An instant in UTC+8.
pub fn to_china(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&china())
}

/// An instant as read on a Chinese wall clock.
fn wall(t: DateTime<Utc>) -> NaiveDateTime {
    to_china(t).naive_local()
}

/// `2026-12-01` in UTC+8.
pub fn format_date(t: DateTime<Utc>) -> String {
    date_text(wall(t).date())
}

/// `2026-12-01 09:00` in UTC+8.
pub fn format_minute(t: DateTime<Utc>) -> String {
    let c = wall(t);
    format!("{} {}", date_text(c.date()), hm(c.time()))
}

/// `09:00` in UTC+8.
pub fn format_hm(t: DateTime<Utc>) -> String {
    hm(wall(t).time())
}

fn hm(t: NaiveTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `YYYY-MM-DD`.
pub fn date_text(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// RFC 3339 in UTC+8 with seconds, and milliseconds when there are any: `2026-12-01T09:00:00+08:00`.
pub fn rfc3339_china(t: DateTime<Utc>) -> String {
    let c = wall(t);
    let ms = t.timestamp_subsec_millis();
    let frac = if ms == 0 {
        String::new()
    } else {
        format!(".{ms:03}")
    };
    format!(
        "{}T{:02}:{:02}:{:02}{frac}+08:00",
        date_text(c.date()),
        c.hour(),
        c.minute(),
        c.second()
    )
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u32, |n, d| {
        n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(
        digits(&b[..4])? as i32,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
    )
}

/// Parses an RFC 3339 instant: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t` and a space are
/// accepted for `T`, `z` for `Z`.
pub fn parse_rfc3339(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = parse_date(s.get(..10)?)?;
    let (h, m, sec) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        // Keep nanosecond precision; further digits are truncated.
        for i in 0..9 {
            nanos = nanos * 10
                + frac
                    .get(i)
                    .filter(|_| i < n)
                    .map_or(0, |d| u32::from(d - b'0'));
        }
        rest = &frac[n..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let secs = (digits(&[*h1, *h2])? * 60 + digits(&[*m1, *m2])?) as i32 * 60;
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(h, m, sec, nanos)?;
    let local = FixedOffset::east_opt(offset)?
        .from_local_datetime(&date.and_time(time))
        .single()?;
    Some(local.with_timezone(&Utc))
}

/// Serde for instants: written as RFC 3339 with `+08:00`, read with any offset.
pub mod cst {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339_china(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_rfc3339(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("expected an RFC 3339 time, got {s:?}"))
        })
    }

    /// The same for `Option<DateTime<Utc>>`.
    pub mod option {
        use chrono::{DateTime, Utc};
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(
            t: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => super::serialize(t, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            #[derive(Deserialize)]
            struct Wrap(#[serde(with = "super")] DateTime<Utc>);
            Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
        }
    }
}

/// Serde for `NaiveDate` as `YYYY-MM-DD`.
pub mod date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::date_text(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_date(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a YYYY-MM-DD date, got {s:?}"))
        })
    }
}

/// Serde for `Option<NaiveDate>` as `YYYY-MM-DD`.
pub mod date_opt {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::date_text(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
            None => Ok(None),
            Some(s) => super::parse_date(&s).map(Some).ok_or_else(|| {
                serde::de::Error::custom(format!("expected a YYYY-MM-DD date, got {s:?}"))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_utc_plus_8() {
        let t = Utc.with_ymd_and_hms(2026, 11, 30, 17, 5, 0).unwrap();
        assert_eq!(format_minute(t), "2026-12-01 01:05");
        assert_eq!(format_date(t), "2026-12-01");
        assert_eq!(format_hm(t), "01:05");
        assert_eq!(rfc3339_china(t), "2026-12-01T01:05:00+08:00");
        let ms = t + chrono::Duration::milliseconds(7);
        assert_eq!(rfc3339_china(ms), "2026-12-01T01:05:00.007+08:00");
    }

    #[test]
    fn parses_rfc3339_with_any_offset() {
        let want = Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap();
        for s in [
            "2026-12-01T09:00:00+08:00",
            "2026-12-01T01:00:00Z",
            "2026-12-01t01:00:00z",
            "2026-12-01 01:00:00Z",
            "2026-11-30T20:00:00-05:00",
            "2026-12-01T01:00:00.000000000000Z",
        ] {
            assert_eq!(parse_rfc3339(s), Some(want), "{s}");
        }
        assert_eq!(
            parse_rfc3339("2026-12-01T01:00:00.5Z"),
            Some(want + chrono::Duration::milliseconds(500))
        );
        for bad in [
            "",
            "2026-12-01",
            "2026-12-01T01:00:00",
            "2026-13-01T01:00:00Z",
            "2026-12-01T25:00:00Z",
            "2026-12-01T01:00:00.Z",
            "2026-12-01T01:00:00+0800",
            "2026-12-01T01:00:00Zjunk",
            "２０２６-12-01T01:00:00Z",
            "+2026-12-01T01:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn round_trips_through_chrono_rfc3339() {
        for secs in [0i64, 1_800_000_000, 1_700_000_123, 4_102_444_800] {
            let t = DateTime::from_timestamp(secs, 123_000_000).unwrap();
            let ours = rfc3339_china(t);
            assert_eq!(
                DateTime::parse_from_rfc3339(&ours)
                    .unwrap()
                    .with_timezone(&Utc),
                t
            );
            assert_eq!(parse_rfc3339(&t.to_rfc3339()), Some(t));
        }
    }

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            parse_date("2022-05-16"),
            NaiveDate::from_ymd_opt(2022, 5, 16)
        );
        assert_eq!(parse_date("2022-02-30"), None);
        assert_eq!(parse_date("2022-5-16"), None);
        assert_eq!(
            date_text(NaiveDate::from_ymd_opt(987, 1, 2).unwrap()),
            "0987-01-02"
        );
    }
}
