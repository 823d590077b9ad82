//! How one record is laid out in IndexedDB, per schema version.
//!
//! - **v1** stored each record as one JS string, the JSON text `{"o": order, "r": record}`.
//!   IndexedDB cannot see inside a string, so v1 could not index plans by certificate.
//! - **v2** stores an envelope object `{order, json, certificate_id?}`: the fields an index or the
//!   loader needs are real properties, and the record itself stays serde_json text.
//! - **v3** (current) keeps the v2 envelope and adds stores; a registration's envelope promotes
//!   `plan_id` for the `by_plan` index. Single records (session, rules, headers, the outbox lease)
//!   are JSON text, as the `meta` headers always were.
//!
//! Why JSON text inside the envelope rather than the record as a fully structured JS object: start-up
//! reads every record, and rebuilding a structured record in Rust costs one JS↔WASM call per field
//! (serde-wasm-bindgen) or a `JSON.stringify` per record, where text is one copy into WASM memory
//! for serde_json. Measured in headless Chromium 156 on this 2-core machine (release build, 5,000
//! certificates, read-only `getAll` + decode, medians of 20 reads, three runs under load): decoding
//! took 9–11 ms as envelope text, 13–17 ms as structured objects via `JSON.stringify` + serde_json,
//! 29–39 ms via serde-wasm-bindgen; `getAll` itself took 35–55 ms whatever the layout. serde_json is
//! in the binary anyway (catalog validation, the API client), so this adds no dependency either.
//! Given up: records are opaque text in devtools, and only promoted fields can be indexed.

use js_sys::Reflect;
use kaozheng_core::model::ExamResult;
use kaozheng_core::outbox::{LocalRegistration, OutboxEntry};
use kaozheng_core::{Certificate, EvaluationOrg, ExamPlan, Site};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::StorageError;
use super::names::{
    CERTIFICATE_ID, CERTIFICATES, ORGS, OUTBOX, PLAN_ID, PLANS, REGISTRATIONS, RESULTS, SITES,
};

/// Envelope property names (v2). `certificate_id` is the `by_certificate` index's key path,
/// `plan_id` the `by_plan` one (v3).
pub(crate) const ORDER: &str = "order";
pub(crate) const JSON: &str = "json";

/// An envelope property that copies a field of the record, so an index can see it.
#[derive(Clone, Copy)]
pub(crate) enum Promoted {
    CertificateId,
    PlanId,
}

/// A model stored one record per key in its own object store.
pub(crate) trait Record: Serialize + DeserializeOwned {
    const STORE: &'static str;
    fn key(&self) -> &str;
    /// The field promoted into the envelope for the store's index, if the store has one.
    fn promoted(&self) -> Option<(Promoted, &str)> {
        None
    }
}

impl Record for Certificate {
    const STORE: &'static str = CERTIFICATES;
    fn key(&self) -> &str {
        &self.id
    }
}

impl Record for EvaluationOrg {
    const STORE: &'static str = ORGS;
    fn key(&self) -> &str {
        &self.id
    }
}

impl Record for ExamPlan {
    const STORE: &'static str = PLANS;
    fn key(&self) -> &str {
        &self.id
    }
    fn promoted(&self) -> Option<(Promoted, &str)> {
        Some((Promoted::CertificateId, &self.certificate_id))
    }
}

impl Record for Site {
    const STORE: &'static str = SITES;
    fn key(&self) -> &str {
        &self.id
    }
}

impl Record for LocalRegistration {
    const STORE: &'static str = REGISTRATIONS;
    fn key(&self) -> &str {
        &self.client_id
    }
    fn promoted(&self) -> Option<(Promoted, &str)> {
        Some((Promoted::PlanId, &self.plan_id))
    }
}

impl Record for OutboxEntry {
    const STORE: &'static str = OUTBOX;
    fn key(&self) -> &str {
        &self.id
    }
}

/// A stored result: the server's record and whether the student has looked at it since it
/// arrived. The flag lives in the record so replacing the set can carry it over in one pass.
#[derive(Serialize, Deserialize)]
pub(crate) struct ResultRecord {
    pub seen: bool,
    pub result: ExamResult,
}

impl Record for ResultRecord {
    const STORE: &'static str = RESULTS;
    fn key(&self) -> &str {
        &self.result.registration_id
    }
}

/// The v1 text layout.
#[derive(Serialize, Deserialize)]
struct V1<R> {
    o: u32,
    r: R,
}

/// Encodes and decodes records for one schema version. Holds the property names as JS strings so
/// a bulk read or write does not allocate them again for every record.
pub(crate) struct Codec {
    version: u32,
    order: JsValue,
    json: JsValue,
    certificate_id: JsValue,
    plan_id: JsValue,
}

impl Codec {
    pub(crate) fn new(version: u32) -> Codec {
        Codec {
            version,
            order: JsValue::from_str(ORDER),
            json: JsValue::from_str(JSON),
            certificate_id: JsValue::from_str(CERTIFICATE_ID),
            plan_id: JsValue::from_str(PLAN_ID),
        }
    }

    pub(crate) fn encode<R: Record>(
        &self,
        order: u32,
        record: &R,
    ) -> Result<JsValue, StorageError> {
        if self.version < 2 {
            return Ok(JsValue::from_str(&v1_text(order, record)?));
        }
        let json = serde_json::to_string(record).map_err(encode_error)?;
        self.envelope(order, &json, record.promoted())
    }

    /// Returns the record and its position, or why it cannot be read (for [`super::SkippedRecord`]).
    /// Only the parse depends on the record type: the envelope is read by [`Self::stored`], once
    /// for all of them.
    pub(crate) fn decode<R: Record>(&self, value: &JsValue) -> Result<(u32, R), String> {
        match self.stored(value)? {
            Stored::V1(text) => kaozheng_core::objects::from_str::<V1<R>>(&text)
                .map(|v1| (v1.o, v1.r))
                .map_err(|e| e.to_string()),
            Stored::V2(order, json) => kaozheng_core::objects::from_str(&json)
                .map(|r| (order, r))
                .map_err(|e| e.to_string()),
        }
    }

    /// The stored text of one record: v1 text (position and record together), or a v2 envelope's
    /// position and record JSON.
    fn stored(&self, value: &JsValue) -> Result<Stored, String> {
        if self.version < 2 {
            return value
                .as_string()
                .map(Stored::V1)
                .ok_or_else(|| format!("expected JSON text, found {}", js_type(value)));
        }
        if !value.is_object() {
            return Err(format!(
                "expected a record object, found {}",
                js_type(value)
            ));
        }
        let order = Reflect::get(value, &self.order)
            .ok()
            .and_then(|o| o.as_f64())
            .filter(|o| o.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(o))
            .ok_or_else(|| format!("`{ORDER}` is missing or not a position"))?;
        let json = Reflect::get(value, &self.json)
            .ok()
            .and_then(|j| j.as_string())
            .ok_or_else(|| format!("`{JSON}` is missing or not text"))?;
        Ok(Stored::V2(order as u32, json))
    }

    /// Rewrites one v1 value as a v2 envelope without the Rust model types, so this migration keeps
    /// working after the models change. `None` leaves a value that is not v1 text as it is; the
    /// loader then reports it as skipped instead of the upgrade failing for everyone.
    pub(crate) fn upgrade_v1(&self, value: &JsValue) -> Option<JsValue> {
        let (order, json, certificate_id) = v1_parts(&value.as_string()?)?;
        let promoted = certificate_id
            .as_deref()
            .map(|id| (Promoted::CertificateId, id));
        self.envelope(order, &json, promoted).ok()
    }

    fn envelope(
        &self,
        order: u32,
        json: &str,
        promoted: Option<(Promoted, &str)>,
    ) -> Result<JsValue, StorageError> {
        let object = js_sys::Object::new();
        Reflect::set(&object, &self.order, &JsValue::from(order))?;
        Reflect::set(&object, &self.json, &JsValue::from_str(json))?;
        if let Some((field, value)) = promoted {
            let name = match field {
                Promoted::CertificateId => &self.certificate_id,
                Promoted::PlanId => &self.plan_id,
            };
            Reflect::set(&object, name, &JsValue::from_str(value))?;
        }
        Ok(object.into())
    }
}

/// One record as stored, before its JSON is read.
enum Stored {
    V1(String),
    V2(u32, String),
}

fn v1_text<R: Serialize>(order: u32, record: &R) -> Result<String, StorageError> {
    serde_json::to_string(&V1 {
        o: order,
        r: record,
    })
    .map_err(encode_error)
}

/// Splits v1 text into position, record JSON and the certificate id to promote.
fn v1_parts(text: &str) -> Option<(u32, String, Option<String>)> {
    let v1: V1<serde_json::Value> = kaozheng_core::objects::from_str(text).ok()?;
    if !v1.r.is_object() {
        return None;
    }
    let certificate_id =
        v1.r.get(CERTIFICATE_ID)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
    Some((v1.o, v1.r.to_string(), certificate_id))
}

fn encode_error(e: serde_json::Error) -> StorageError {
    StorageError::Other(format!("cannot encode a record: {e}"))
}

fn js_type(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else {
        value
            .js_typeof()
            .as_string()
            .unwrap_or_else(|| "an unknown value".into())
    }
}

/// Reads a single record stored as JSON text: a `meta` header (the same in every version), the
/// session, a rule document, the outbox lease.
pub(crate) fn decode_text<H: DeserializeOwned>(
    store: &str,
    key: &str,
    value: &JsValue,
) -> Result<H, StorageError> {
    let text = stored_text(store, key, value)?;
    kaozheng_core::objects::from_str(&text)
        .map_err(|e| StorageError::corrupt(store, key, e.to_string()))
}

/// The JSON text of a single record, whatever it holds.
fn stored_text(store: &str, key: &str, value: &JsValue) -> Result<String, StorageError> {
    value.as_string().ok_or_else(|| {
        StorageError::corrupt(
            store,
            key,
            format!("expected JSON text, found {}", js_type(value)),
        )
    })
}

pub(crate) fn encode_text<H: Serialize>(record: &H) -> Result<JsValue, StorageError> {
    serde_json::to_string(record)
        .map(|t| JsValue::from_str(&t))
        .map_err(encode_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaozheng_core::{PlanPhase, XLevel};

    fn plan() -> ExamPlan {
        let t = chrono::DateTime::parse_from_rfc3339("2026-12-01T09:00:00+08:00")
            .unwrap()
            .to_utc();
        ExamPlan {
            id: "p1".into(),
            name: "2026年12月Web前端开发职业技能等级证书（中级）考试".into(),
            certificate_id: "web".into(),
            level: XLevel::Intermediate,
            province: "河南".into(),
            site_id: "s1".into(),
            phase: PlanPhase::Published,
            window_opens_at: t,
            window_closes_at: t + chrono::Duration::days(9),
            exam_starts_at: t + chrono::Duration::days(19),
            exam_ends_at: t + chrono::Duration::days(19) + chrono::Duration::hours(2),
            capacity: 50,
            seats_left: 3,
            fee_fen: 30_000,
            payment: None,
        }
    }

    #[test]
    fn v1_text_splits_into_the_v2_parts() {
        let text = v1_text(7, &plan()).unwrap();
        let (order, json, certificate_id) = v1_parts(&text).unwrap();
        assert_eq!(order, 7);
        assert_eq!(certificate_id.as_deref(), Some("web"));
        let back: ExamPlan = kaozheng_core::objects::from_str(&json).unwrap();
        assert_eq!(back, plan());
    }

    #[test]
    fn v1_parts_leaves_what_is_not_v1_text() {
        assert_eq!(v1_parts("not json"), None);
        assert_eq!(v1_parts(r#"{"o":1,"r":"a string"}"#), None);
        assert_eq!(v1_parts(r#"{"o":-1,"r":{}}"#), None);
        let (_, _, id) = v1_parts(r#"{"o":0,"r":{"id":"c"}}"#).unwrap();
        assert_eq!(
            id, None,
            "records without certificate_id get no index entry"
        );
    }
}
