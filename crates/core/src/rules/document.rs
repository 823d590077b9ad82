use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{CreditRules, EligibilityRules, FeeRules, GradeRules, GraduationRules};

/// A rule document: served at `/api/v1/rules/<KIND>`, imported by administrators, stored by kind
/// on phones. Its kind name, version and checks are defined here once for the server and the app.
pub trait RuleDocument: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The kind's name in URLs, imports, the server's `rule_sets` and the phone's `rules` store.
    const KIND: &'static str;
    fn version(&self) -> &str;
    /// Rewrites names to their stored codes (province names), before [`RuleDocument::problems`].
    fn normalize(&mut self) {}
    /// Everything that makes the document unusable, each starting with the path it is about;
    /// empty when it is valid.
    fn problems(&self) -> Vec<String>;
}

/// Every kind's name, in the order the app refreshes them.
pub const KINDS: [&str; 5] = [
    FeeRules::KIND,
    GradeRules::KIND,
    CreditRules::KIND,
    GraduationRules::KIND,
    EligibilityRules::KIND,
];

impl RuleDocument for FeeRules {
    const KIND: &'static str = "fees";

    fn version(&self) -> &str {
        &self.version
    }

    fn normalize(&mut self) {
        FeeRules::normalize(self);
    }

    fn problems(&self) -> Vec<String> {
        self.validate().err().unwrap_or_default()
    }
}

impl RuleDocument for EligibilityRules {
    const KIND: &'static str = "eligibility";

    fn version(&self) -> &str {
        &self.version
    }

    fn problems(&self) -> Vec<String> {
        self.validate().err().unwrap_or_default()
    }
}

impl RuleDocument for GradeRules {
    const KIND: &'static str = "grades";

    fn version(&self) -> &str {
        &self.version
    }

    fn normalize(&mut self) {
        GradeRules::normalize(self);
    }

    fn problems(&self) -> Vec<String> {
        match self.validate() {
            Ok(()) => Vec::new(),
            Err(errs) => errs.iter().map(ToString::to_string).collect(),
        }
    }
}

impl RuleDocument for CreditRules {
    const KIND: &'static str = "credits";

    fn version(&self) -> &str {
        &self.version
    }

    fn problems(&self) -> Vec<String> {
        match self.validate() {
            Ok(()) => Vec::new(),
            Err(errs) => errs.iter().map(ToString::to_string).collect(),
        }
    }
}

impl RuleDocument for GraduationRules {
    const KIND: &'static str = "graduation";

    fn version(&self) -> &str {
        &self.version
    }

    fn problems(&self) -> Vec<String> {
        self.validate().err().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_distinct_url_safe_words() {
        let mut k = KINDS.to_vec();
        crate::order::sort(&mut k);
        k.dedup();
        assert_eq!(k.len(), KINDS.len());
        assert!(
            KINDS
                .iter()
                .all(|k| k.bytes().all(|b| b.is_ascii_lowercase()))
        );
    }
}
