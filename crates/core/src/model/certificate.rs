use serde::{Deserialize, Serialize};

use super::{SchoolLevel, XLevel};

/// Every 1+X certificate name ends with this; lists show the distinctive part before it.
pub const CERTIFICATE_SUFFIX: &str = "职业技能等级证书";

/// A vocational skill-level certificate (X证书).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// Stable id (derived from the name when the catalog is built).
    pub id: String,
    pub name: String,
    /// The evaluation organisation (培训评价组织) that issues it.
    pub org_id: String,
    /// Pilot batch 1–4 where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<u8>,
    /// Occupational field where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Levels offered, ascending; empty when the source does not list them.
    #[serde(default)]
    pub levels: Vec<LevelInfo>,
    /// Pinyin of the name's segments (see [`crate::text::segments`]), space separated; a polyphonic
    /// character lists its readings with `|`. Precomputed so the app needs no dictionary.
    pub pinyin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Certificate {
    /// The name without the common "职业技能等级证书" suffix.
    pub fn short_name(&self) -> &str {
        self.name
            .strip_suffix(CERTIFICATE_SUFFIX)
            .filter(|s| !s.is_empty())
            .unwrap_or(&self.name)
    }

    pub fn level(&self, level: XLevel) -> Option<&LevelInfo> {
        self.levels.iter().find(|l| l.level == level)
    }

    pub fn has_level(&self, level: XLevel) -> bool {
        self.level(level).is_some()
    }
}

/// What is known about one level of a certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelInfo {
    pub level: XLevel,
    /// The national platform's id for this certificate level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_id: Option<String>,
    /// Training hours where published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u16>,
    /// School levels the standard names as suitable, where published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suitable_for: Option<Vec<SchoolLevel>>,
    /// Last status change on the national platform.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time::date_opt"
    )]
    pub updated_on: Option<chrono::NaiveDate>,
    /// The level's standard document (职业技能等级标准), an `https://` link opened outside the app.
    /// Empty in the default catalog: its sources give no links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_url: Option<String>,
}

impl LevelInfo {
    pub fn new(level: XLevel) -> Self {
        LevelInfo {
            level,
            platform_id: None,
            hours: None,
            suitable_for: None,
            updated_on: None,
            standard_url: None,
        }
    }
}

/// An evaluation organisation (培训评价组织).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationOrg {
    pub id: String,
    pub name: String,
    /// Other names the organisation appears under in official lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Pinyin of the name's segments, as for certificates.
    pub pinyin: String,
    /// The organisation's site, an `https://` link opened outside the app; empty in the default
    /// catalog, whose sources give none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_name_strips_the_common_suffix_only() {
        let mut c = Certificate {
            id: "x".into(),
            name: "Web前端开发职业技能等级证书".into(),
            org_id: "o".into(),
            batch: Some(1),
            field: None,
            levels: vec![LevelInfo::new(XLevel::Primary)],
            pinyin: String::new(),
            description: None,
        };
        assert_eq!(c.short_name(), "Web前端开发");
        c.name = CERTIFICATE_SUFFIX.into();
        assert_eq!(c.short_name(), CERTIFICATE_SUFFIX);
        c.name = "某证书".into();
        assert_eq!(c.short_name(), "某证书");
        assert!(c.has_level(XLevel::Primary) && !c.has_level(XLevel::Advanced));
    }
}
