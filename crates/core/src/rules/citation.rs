use serde::{Deserialize, Serialize};

/// Where a rule comes from: the document, who issued it, and the sentence that says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// The document's title, e.g. "市教委关于深入推进1+X证书制度试点工作的通知".
    pub title: String,
    pub issuer: String,
    /// The official document number, e.g. "津教职函〔2021〕46号".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_no: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time::date_opt"
    )]
    pub issued_on: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The sentence of the document that the rule encodes, verbatim.
    pub quote: String,
}
