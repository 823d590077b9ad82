use chrono::NaiveDate;
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
    pub issued_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The sentence of the document that the rule encodes, verbatim.
    pub quote: String,
    /// Fields the document's own text does not give, each with where it came from, so a reader
    /// can tell the notice's words from what was added to name it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<AddedField>,
}

/// A citation field that is not in the cited text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedField {
    pub field: CitationField,
    /// Where the value came from, e.g. "the copy names no issuer; …".
    pub from: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CitationField {
    Title,
    Issuer,
    DocumentNo,
    IssuedOn,
}

impl Citation {
    /// Whether `field` was added rather than taken from the document.
    pub fn is_added(&self, field: CitationField) -> bool {
        self.added.iter().any(|a| a.field == field)
    }

    /// The earliest day the document can have been issued: its date, else the last day of the
    /// year its number gives (`〔2021〕` → 2021-12-31), else nothing known. A rule quoting it must
    /// not take effect before this day.
    pub fn issued_by(&self) -> Option<NaiveDate> {
        self.issued_on.or_else(|| {
            let no = self.document_no.as_deref()?;
            let year = no.split_once('〔')?.1.split_once('〕')?.0;
            NaiveDate::from_ymd_opt(year.parse().ok()?, 12, 31)
        })
    }

    /// Problems with the citation, each prefixed with `at`: an empty title, issuer or quote, an
    /// added field listed twice or without its origin.
    pub fn problems(&self, at: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (name, v) in [
            ("title", &self.title),
            ("issuer", &self.issuer),
            ("quote", &self.quote),
        ] {
            if v.trim().is_empty() {
                out.push(format!("{at}.{name}: empty"));
            }
        }
        for (i, a) in self.added.iter().enumerate() {
            if a.from.trim().is_empty() {
                out.push(format!(
                    "{at}.added[{i}].from: say where the field came from"
                ));
            }
            if self.added[..i].iter().any(|b| b.field == a.field) {
                out.push(format!("{at}.added[{i}].field: listed twice"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cite(no: Option<&str>, on: Option<NaiveDate>) -> Citation {
        Citation {
            title: "t".into(),
            issuer: "i".into(),
            document_no: no.map(Into::into),
            issued_on: on,
            url: None,
            quote: "q".into(),
            added: Vec::new(),
        }
    }

    #[test]
    fn a_notice_is_issued_by_its_date_else_by_the_end_of_its_numbered_year() {
        let day = NaiveDate::from_ymd_opt(2021, 8, 27).unwrap();
        assert_eq!(cite(None, Some(day)).issued_by(), Some(day));
        assert_eq!(
            cite(Some("津教职函〔2021〕46号"), None).issued_by(),
            NaiveDate::from_ymd_opt(2021, 12, 31)
        );
        assert_eq!(cite(Some("46号"), None).issued_by(), None);
        assert_eq!(cite(None, None).issued_by(), None);
    }

    #[test]
    fn added_fields_need_their_origin_once_each() {
        let mut c = cite(None, None);
        c.added = vec![
            AddedField {
                field: CitationField::Issuer,
                from: "x".into(),
            },
            AddedField {
                field: CitationField::Issuer,
                from: " ".into(),
            },
        ];
        assert!(c.is_added(CitationField::Issuer));
        assert!(!c.is_added(CitationField::Title));
        assert_eq!(c.problems("c").len(), 2);
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["added"][0]["field"], "issuer");
        let plain = serde_json::to_value(cite(None, None)).unwrap();
        assert!(plain.get("added").is_none());
    }
}
