//! Credit amounts in exact tenths: a value type every other part shares, with its JSON form.

use std::fmt;
use std::ops::Add;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Course credits in tenths, so 2.5 is exact and sums never drift. JSON carries a number (`2.5`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Credits(u32);

impl Credits {
    pub const ZERO: Credits = Credits(0);
    /// More than any programme has; larger numbers in a document are typos.
    pub const MAX: Credits = Credits(10_000);

    pub fn from_tenths(tenths: u32) -> Credits {
        Credits(tenths)
    }

    pub fn whole(credits: u32) -> Credits {
        Credits(credits.saturating_mul(10))
    }

    pub fn tenths(self) -> u32 {
        self.0
    }

    /// `percent` % of these credits, rounded down to a tenth (a cap is never exceeded by rounding).
    pub fn percent(self, percent: u8) -> Credits {
        Credits((u64::from(self.0) * u64::from(percent) / 100) as u32)
    }

    pub fn saturating_sub(self, other: Credits) -> Credits {
        Credits(self.0.saturating_sub(other.0))
    }
}

impl Add for Credits {
    type Output = Credits;
    fn add(self, other: Credits) -> Credits {
        Credits(self.0.saturating_add(other.0))
    }
}

impl std::iter::Sum for Credits {
    fn sum<I: Iterator<Item = Credits>>(iter: I) -> Credits {
        iter.fold(Credits::ZERO, Add::add)
    }
}

impl fmt::Display for Credits {
    /// `8` or `2.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(10) {
            write!(f, "{}", self.0 / 10)
        } else {
            write!(f, "{}.{}", self.0 / 10, self.0 % 10)
        }
    }
}

impl Serialize for Credits {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(10) {
            s.serialize_u32(self.0 / 10)
        } else {
            s.serialize_f64(f64::from(self.0) / 10.0)
        }
    }
}

impl<'de> Deserialize<'de> for Credits {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        let t = (v * 10.0).round();
        if !(0.0..=f64::from(Credits::MAX.0)).contains(&t) || (v * 10.0 - t).abs() > 1e-6 {
            return Err(serde::de::Error::custom(
                "credits are 0–1000 with at most one decimal",
            ));
        }
        Ok(Credits(t as u32))
    }
}
