//! The OpenAPI 3.1 document, built from [`crate::endpoints`]: each endpoint's method and path, its
//! request body's and answer's schema come from its definition; what is said about it (summary,
//! parameters, every status with its error codes) is `operations.json`, keyed by the endpoint's
//! name; what holds for the whole API is `info.json`; the schemas, shared responses and headers
//! are `components.json`. The server serves the
//! result at `GET /api/v1/openapi.json`; its tests validate real answers against it.

use kaozheng_core::feedback::{CertificateAggregates, Feedback};
use kaozheng_core::rules::{
    CreditAccount, CreditRules, EligibilityRules, FeeRules, GradeRules, GraduationRules,
};
use kaozheng_core::{Catalog, Registration, Student};
use serde_json::{Map, Value, json};

use crate::auth::{EmbedRequest, LoginRequest, Session};
use crate::endpoint::Endpoint;
use crate::endpoints::{Csv, ImportFile, OpenApiDocument, RosterFile};
use crate::feedback::{FeedbackList, FeedbackRequest};
use crate::import::ImportReport;
use crate::plans::PlanList;
use crate::staff::{
    PhaseMoveRequest, StaffIdentity, StaffLoginRequest, StaffPlan, StaffPlanList, StaffSession,
};
use crate::verify::{CertificateVerification, TicketVerification};
use crate::{
    EmbedConfig, Health, NewRegistration, RegistrationList, ResultList, RuleSet, SiteList,
};

const INFO: &str = include_str!("openapi/info.json");
const OPERATIONS: &str = include_str!("openapi/operations.json");
const COMPONENTS: &str = include_str!("openapi/components.json");

/// A body's schema in `#/components/schemas`; `None` for no body or one the operation describes
/// itself (CSV, an import file, the document).
pub trait Body {
    const SCHEMA: Option<&'static str>;
}

macro_rules! bodies {
    ($($ty:ty => $name:expr),* $(,)?) => {
        $(impl Body for $ty {
            const SCHEMA: Option<&'static str> = $name;
        })*
    };
}

bodies!(
    () => None,
    Csv => None,
    ImportFile => None,
    OpenApiDocument => None,
    RosterFile => None,
    Catalog => Some("Catalog"),
    PlanList => Some("PlanList"),
    SiteList => Some("SiteList"),
    RuleSet => Some("RuleSet"),
    FeeRules => Some("FeeRules"),
    GradeRules => Some("GradeRules"),
    CreditRules => Some("CreditRules"),
    GraduationRules => Some("GraduationRules"),
    EligibilityRules => Some("EligibilityRules"),
    TicketVerification => Some("TicketVerification"),
    CertificateVerification => Some("CertificateVerification"),
    LoginRequest => Some("LoginRequest"),
    EmbedRequest => Some("EmbedRequest"),
    Session => Some("Session"),
    EmbedConfig => Some("EmbedConfig"),
    Health => Some("Health"),
    Student => Some("Student"),
    RegistrationList => Some("RegistrationList"),
    NewRegistration => Some("NewRegistration"),
    Registration => Some("Registration"),
    ResultList => Some("ResultList"),
    CreditAccount => Some("CreditAccount"),
    FeedbackList => Some("FeedbackList"),
    CertificateAggregates => Some("CertificateAggregates"),
    FeedbackRequest => Some("FeedbackRequest"),
    Feedback => Some("Feedback"),
    ImportReport => Some("ImportReport"),
    StaffLoginRequest => Some("StaffLoginRequest"),
    StaffSession => Some("StaffSession"),
    StaffIdentity => Some("StaffIdentity"),
    StaffPlanList => Some("StaffPlanList"),
    PhaseMoveRequest => Some("PhaseMoveRequest"),
    StaffPlan => Some("StaffPlan"),
);

/// An endpoint as the document lists it.
pub struct Operation {
    pub name: &'static str,
    pub method: crate::Method,
    pub path: &'static str,
    pub request: Option<&'static str>,
    pub response: Option<&'static str>,
}

impl Operation {
    pub fn of<E: Endpoint>(name: &'static str) -> Operation
    where
        E::Request: Body,
        E::Response: Body,
    {
        Operation {
            name,
            method: E::METHOD,
            path: E::PATH,
            request: <E::Request as Body>::SCHEMA,
            response: <E::Response as Body>::SCHEMA,
        }
    }
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The whole document.
pub fn document() -> Value {
    let mut said: Map<String, Value> =
        serde_json::from_str(OPERATIONS).expect("operations.json is JSON");
    let mut paths = Map::new();
    for op in crate::endpoints::operations() {
        let mut doc = said
            .remove(op.name)
            .unwrap_or_else(|| panic!("operations.json says nothing of {}", op.name));
        if let Some(name) = op.request {
            doc["requestBody"]["content"]["application/json"]["schema"] = schema_ref(name);
        }
        if let Some(name) = op.response {
            let responses = doc["responses"]
                .as_object_mut()
                .expect("an operation has responses");
            for (status, response) in responses {
                if status.starts_with('2')
                    && let Some(content) = response.pointer_mut("/content/application~1json")
                {
                    content["schema"] = schema_ref(name);
                }
            }
        }
        let item = paths
            .entry(op.path)
            .or_insert_with(|| Value::Object(Map::new()));
        item[op.method.as_str().to_ascii_lowercase()] = doc;
    }
    assert!(
        said.is_empty(),
        "operations.json describes endpoints that do not exist: {:?}",
        said.keys().collect::<Vec<_>>()
    );
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": serde_json::from_str::<Value>(INFO).expect("info.json is JSON"),
        "paths": paths,
        "components": serde_json::from_str::<Value>(COMPONENTS).expect("components.json is JSON"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_is_documented_with_its_schemas() {
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        for op in crate::endpoints::operations() {
            let item = &doc["paths"][op.path][op.method.as_str().to_ascii_lowercase()];
            assert!(item.is_object(), "{} {}", op.method.as_str(), op.path);
            for name in op.request.iter().chain(&op.response) {
                assert!(schemas[*name].is_object(), "no schema {name}");
            }
        }
    }
}
