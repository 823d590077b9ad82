//! Deserializers that accept what people type in spreadsheets as well as the API's JSON.

use serde::Deserialize;
use serde::de::Error;

use super::*;

/// An instant: RFC 3339 with any offset, or `YYYY-MM-DD HH:MM[:SS]` read as China time.
pub fn china_time<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    parse_china_time(&s).ok_or_else(|| not_a_time(&s))
}

fn not_a_time<E: Error>(s: &str) -> E {
    E::custom(format!(
        "expected an RFC 3339 time or YYYY-MM-DD HH:MM (China time), got {s:?}"
    ))
}

pub fn parse_china_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Some(t) = time::parse_rfc3339(s) {
        return Some(t);
    }
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .ok()?;
    Some(
        time::china()
            .from_local_datetime(&local)
            .single()?
            .with_timezone(&Utc),
    )
}

/// A yes/no: JSON booleans, or `true`/`false`, `1`/`0`, `yes`/`no`, `是`/`否`; empty is no.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct Flag;
    impl Visitor<'_> for Flag {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("true/false, 1/0, yes/no or 是/否")
        }
        fn visit_bool<E: Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<bool, E> {
            match v {
                0 => Ok(false),
                1 => Ok(true),
                _ => Err(E::custom(format!("expected 0 or 1, got {v}"))),
            }
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<bool, E> {
            self.visit_u64(u64::try_from(v).map_err(|_| E::custom("expected 0 or 1"))?)
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<bool, E> {
            match v.trim().to_ascii_lowercase().as_str() {
                "" | "false" | "0" | "no" | "否" => Ok(false),
                "true" | "1" | "yes" | "是" => Ok(true),
                other => Err(E::custom(format!(
                    "expected true/false, 1/0, yes/no or 是/否, got {other:?}"
                ))),
            }
        }
    }
    d.deserialize_any(Flag)
}

/// An optional `YYYY-MM-DD`; an empty cell is none.
pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => time::parse_date(s.trim())
            .map(Some)
            .ok_or_else(|| Error::custom(format!("expected a YYYY-MM-DD date, got {s:?}"))),
    }
}

/// An optional instant as [`china_time`] reads it; an empty cell is none.
pub fn opt_china_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => parse_china_time(&s).map(Some).ok_or_else(|| not_a_time(&s)),
    }
}

/// An optional text; an empty cell is none.
pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.trim().is_empty()))
}

/// A list that replaces what is stored whenever the column or field is there (with
/// `#[serde(default)]`, absent means "keep"): a JSON array of strings, or a CSV cell of items
/// separated by `;`, where an empty cell is the empty list.
pub fn present_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    Vec::<String>::deserialize(d).map(Some)
}
