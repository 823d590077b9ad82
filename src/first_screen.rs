//! The data a server-rendered page was rendered from, embedded in that page
//! (`<script type="application/json" id="kz-first">`), so the app starts from the same data and its
//! first frame is the page already on screen: no flash, no layout shift, no second download of the
//! catalog, plans and sites. The app checks it as it checks an API answer; anything that fails is
//! ignored and the app starts as without it.

use kaozheng_api::plans::PlanList;
use kaozheng_api::verify::CertificateVerification;
use kaozheng_core::{Catalog, ExamPlan, Site};
use serde::{Deserialize, Serialize};

/// The id of the embedded data's element.
pub const ELEMENT_ID: &str = "kz-first";

/// A data set with the tag the API gives it, so the app revalidates it like its own copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tagged<T> {
    pub value: T,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

/// What the server rendered the page from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FirstScreen {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<Tagged<Catalog>>,
    /// The plans with the time the server's list is as of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plans: Option<Tagged<PlanList<ExamPlan>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sites: Option<Tagged<Vec<Site>>>,
    /// The answer to a certificate check the page was asked for (a scanned QR code, or the form
    /// sent by a browser that could not run the app), so the app shows it without asking again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerifyAnswer>,
}

/// A certificate check and its answer: the verification, or the API's error status and code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyAnswer {
    pub no: String,
    pub answer: Result<CertificateVerification, (u16, String)>,
}

impl FirstScreen {
    /// The JSON to embed in a `<script>` element: `<` is escaped, so no text in the data can
    /// close the element or open a comment.
    pub fn to_embedded_json(&self) -> String {
        serde_json::to_string(self)
            .expect("the first screen always serializes")
            .replace('<', "\\u003c")
    }

    /// Reads embedded data with the checks an API answer gets: a catalog that fails validation or
    /// a plan whose times are out of order drops that data set (the app then loads it as usual).
    pub fn from_embedded_json(text: &str) -> Option<FirstScreen> {
        let mut first: FirstScreen = kaozheng_core::objects::from_str(text).ok()?;
        if first
            .catalog
            .as_ref()
            .is_some_and(|c| c.value.validate().is_err())
        {
            first.catalog = None;
        }
        if first
            .plans
            .as_ref()
            .is_some_and(|p| p.value.plans.iter().any(|p| p.check_times().is_err()))
        {
            first.plans = None;
        }
        Some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::parse(include_str!("../data/catalog.json")).unwrap()
    }

    #[test]
    fn embedded_json_round_trips_and_cannot_close_its_element() {
        let mut c = catalog();
        c.source = "</script><script>alert(1)</script><!--".into();
        let first = FirstScreen {
            catalog: Some(Tagged {
                value: c,
                etag: Some("\"v1\"".into()),
            }),
            plans: None,
            sites: Some(Tagged {
                value: Vec::new(),
                etag: None,
            }),
            verification: None,
        };
        let json = first.to_embedded_json();
        assert!(!json.contains('<'));
        assert_eq!(FirstScreen::from_embedded_json(&json), Some(first));
    }

    #[test]
    fn a_catalog_that_fails_validation_is_dropped_the_rest_kept() {
        let mut c = catalog();
        c.format = 999;
        let first = FirstScreen {
            catalog: Some(Tagged {
                value: c,
                etag: None,
            }),
            plans: None,
            sites: Some(Tagged {
                value: Vec::new(),
                etag: Some("\"s\"".into()),
            }),
            verification: None,
        };
        let read = FirstScreen::from_embedded_json(&first.to_embedded_json()).unwrap();
        assert_eq!(read.catalog, None);
        assert_eq!(read.sites, first.sites);
        assert_eq!(FirstScreen::from_embedded_json("{not json"), None);
    }
}
