use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Module, PlanState, XLevel};

/// A score from 0 to 100 with two decimals, kept as hundredths so comparisons with the pass mark
/// are exact. JSON carries it as a number (`78.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(u16);

impl Score {
    pub const MAX: Score = Score(10_000);

    /// From hundredths of a point; `None` above 100.
    pub fn from_hundredths(h: u16) -> Option<Score> {
        (h <= 10_000).then_some(Score(h))
    }

    pub fn hundredths(self) -> u16 {
        self.0
    }

    /// Parses `78`, `78.5` or `78.50`; at most two decimals, 0–100.
    pub fn parse(s: &str) -> Option<Score> {
        let s = s.trim();
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() || int.len() > 3 || frac.len() > 2 {
            return None;
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let int: u16 = int.parse().ok()?;
        let frac: u16 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<2}").parse().ok()?
        };
        Score::from_hundredths(int.checked_mul(100)?.checked_add(frac)?)
    }
}

impl fmt::Display for Score {
    /// `78.50` — integer arithmetic only, no float formatting.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Serialize for Score {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(f64::from(self.0) / 100.0)
    }
}

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        let h = (v * 100.0).round();
        if !(0.0..=10_000.0).contains(&h) || ((v * 100.0) - h).abs() > 1e-6 {
            return Err(serde::de::Error::custom(
                "a score is 0–100 with at most two decimals",
            ));
        }
        Ok(Score(h as u16))
    }
}

/// One module of a result (理论 / 实操).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleResult {
    pub module: Module,
    /// `None` while not scored, and for an exempted module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    pub pass_mark: Score,
    /// Exempted by passed courses (credit bank, seed 003).
    #[serde(default)]
    pub exempted: bool,
}

impl ModuleResult {
    pub fn passed(&self) -> bool {
        self.exempted || self.score.is_some_and(|s| s >= self.pass_mark)
    }
}

/// A student's published result for one registration (成绩).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamResult {
    pub registration_id: String,
    pub plan_id: String,
    pub plan_name: String,
    pub certificate_id: String,
    pub level: XLevel,
    /// The plan's state when the result was read: results are shown from Publicized on.
    pub state: PlanState,
    pub modules: Vec<ModuleResult>,
    pub passed: bool,
    /// 证书编号, once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_no: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time::date_opt"
    )]
    pub issued_on: Option<NaiveDate>,
    /// The server's check code for `certificate_no` (present exactly when it is): the result
    /// page's QR carries number and check, so an employer's look-up needs no typing and a typed-in
    /// number alone proves nothing.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub certificate_check: String,
}

/// `(certificate_id, level)` of every passed result: what the student holds.
pub fn held_levels<'a>(results: impl IntoIterator<Item = &'a ExamResult>) -> Vec<(String, XLevel)> {
    results
        .into_iter()
        .filter(|r| r.passed)
        .map(|r| (r.certificate_id.clone(), r.level))
        .collect()
}

/// A result passes when every module passed (scored at or above its pass mark, or exempted) and
/// there is at least one module.
pub fn all_modules_passed(modules: &[ModuleResult]) -> bool {
    !modules.is_empty() && modules.iter().all(ModuleResult::passed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_parse_and_print_exactly() {
        assert_eq!(
            Score::parse("78.5").map(|s| s.to_string()),
            Some("78.50".into())
        );
        assert_eq!(Score::parse("100").map(Score::hundredths), Some(10_000));
        assert_eq!(Score::parse("0.05").map(Score::hundredths), Some(5));
        for bad in ["", "100.01", "-1", "78.555", "1e2", "abc", ".5", "1000"] {
            assert_eq!(Score::parse(bad), None, "{bad}");
        }
        let s: Score = serde_json::from_str("59.99").unwrap();
        assert_eq!(s.hundredths(), 5999);
        assert_eq!(serde_json::to_string(&s).unwrap(), "59.99");
        assert!(serde_json::from_str::<Score>("59.999").is_err());
        assert!(serde_json::from_str::<Score>("101").is_err());
    }

    #[test]
    fn a_result_passes_only_when_every_module_does() {
        let pass = Score::parse("60").unwrap();
        let m = |score: Option<&str>, exempted| ModuleResult {
            module: Module::Theory,
            score: score.and_then(Score::parse),
            pass_mark: pass,
            exempted,
        };
        assert!(all_modules_passed(&[m(Some("60"), false), m(None, true)]));
        assert!(!all_modules_passed(&[
            m(Some("59.99"), false),
            m(Some("90"), false)
        ]));
        assert!(
            !all_modules_passed(&[m(None, false)]),
            "unscored is not passed"
        );
        assert!(!all_modules_passed(&[]));
    }
}
