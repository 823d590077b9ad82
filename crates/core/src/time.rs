//! China Standard Time helpers. China is UTC+8 all year (no DST), so a fixed offset is exact.

use chrono::{DateTime, FixedOffset, Utc};

pub const CHINA_OFFSET_SECONDS: i32 = 8 * 3600;

/// The UTC+8 offset.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(CHINA_OFFSET_SECONDS).expect("UTC+8 is a valid offset")
}

/// An instant shown on a Chinese wall clock.
pub fn to_china(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&china())
}

/// `2026-12-01 09:00` in UTC+8.
pub fn format_minute(t: DateTime<Utc>) -> String {
    to_china(t).format("%Y-%m-%d %H:%M").to_string()
}

/// `2026-12-01` in UTC+8.
pub fn format_date(t: DateTime<Utc>) -> String {
    to_china(t).format("%Y-%m-%d").to_string()
}

/// Serde for instants: written as RFC 3339 with `+08:00`, read with any offset.
pub mod cst {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::to_china(*t).to_rfc3339_opts(SecondsFormat::AutoSi, false))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| serde::de::Error::custom(format!("expected an RFC 3339 time: {e}")))
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_in_utc_plus_8() {
        let t = Utc.with_ymd_and_hms(2026, 11, 30, 17, 5, 0).unwrap();
        assert_eq!(format_minute(t), "2026-12-01 01:05");
        assert_eq!(format_date(t), "2026-12-01");
    }
}
