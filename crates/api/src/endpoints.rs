//! Every endpoint of `/api/v1`, once. The server's router is built from these definitions and the
//! OpenAPI document lists exactly them, so a route cannot exist undocumented; the app's client
//! calls through them, so both sides agree on every path and shape at compile time.

use kaozheng_core::feedback::{CertificateAggregates, Feedback};
use kaozheng_core::rules::{
    CreditAccount, CreditRules, EligibilityRules, FeeRules, GradeRules, GraduationRules,
    RuleDocument,
};
use kaozheng_core::{Catalog, Registration, Student};

use crate::auth::{EmbedRequest, LoginRequest, Session};
use crate::endpoint::{Endpoint, Method};
use crate::feedback::{AggregatesQuery, FeedbackList, FeedbackRequest};
use crate::import::{ImportQuery, ImportReport};
use crate::plans::{PlanList, PlansQuery};
use crate::staff::{
    PhaseMoveRequest, RosterQuery, StaffIdentity, StaffLoginRequest, StaffPlan, StaffPlanList,
    StaffSession,
};
use crate::verify::{CertificateQuery, CertificateVerification, TicketQuery, TicketVerification};
use crate::{
    EmbedConfig, GradesQuery, Health, NewRegistration, RegistrationList, ResultList, RuleSet,
    SiteList,
};

/// A CSV file as the body (the feedback export).
pub enum Csv {}
/// An administrator's import file: CSV, JSON or an `.xlsx` workbook, as its `Content-Type` says.
pub enum ImportFile {}
/// A roster file: CSV or an `.xlsx` workbook, as the query's `format` asks.
pub enum RosterFile {}
/// The OpenAPI document itself.
pub enum OpenApiDocument {}

macro_rules! endpoints {
    ($(
        $(#[$doc:meta])*
        $name:ident: $method:ident $path:literal, $query:ty, $request:ty => $response:ty;
    )*) => {
        $(
            $(#[$doc])*
            pub struct $name;

            impl Endpoint for $name {
                const METHOD: Method = Method::$method;
                const PATH: &'static str = $path;
                type Query = $query;
                type Request = $request;
                type Response = $response;
            }
        )*

        /// `(method, path)` of every endpoint, in the document's order.
        pub const ALL: &[(Method, &str)] = &[$((Method::$method, $path)),*];

        /// Every endpoint as the OpenAPI document lists it.
        #[cfg(feature = "openapi")]
        pub fn operations() -> Vec<crate::openapi::Operation> {
            vec![$(crate::openapi::Operation::of::<$name>(stringify!($name))),*]
        }
    };
}

endpoints! {
    /// The whole catalog, revalidated by ETag.
    GetCatalog: Get "/api/v1/catalog", (), () => Catalog;
    /// Published exam plans with their state at the server's now.
    ListPlans: Get "/api/v1/plans", PlansQuery, () => PlanList;
    /// Every exam site.
    ListSites: Get "/api/v1/sites", (), () => SiteList;
    /// The five rule documents in one answer, as the app keeps them.
    GetRuleSet: Get "/api/v1/rules", (), () => RuleSet;
    GetFeeRules: Get "/api/v1/rules/fees", (), () => FeeRules;
    GetGradeRules: Get "/api/v1/rules/grades", GradesQuery, () => GradeRules;
    GetCreditRules: Get "/api/v1/rules/credits", (), () => CreditRules;
    GetGraduationRules: Get "/api/v1/rules/graduation", (), () => GraduationRules;
    GetEligibilityRules: Get "/api/v1/rules/eligibility", (), () => EligibilityRules;
    /// An exam site checks a scanned admission ticket.
    VerifyTicket: Get "/api/v1/tickets/verify", TicketQuery, () => TicketVerification;
    /// An employer checks a certificate.
    VerifyCertificate: Get "/api/v1/certificates/verify", CertificateQuery, () => CertificateVerification;
    Login: Post "/api/v1/auth/login", (), LoginRequest => Session;
    /// A portal's signed assertion becomes a session.
    Embed: Post "/api/v1/auth/embed", (), EmbedRequest => Session;
    GetEmbedConfig: Get "/api/v1/embed/config", (), () => EmbedConfig;
    /// For a load balancer: the server and its database answer.
    GetHealth: Get "/api/v1/health", (), () => Health;
    Logout: Post "/api/v1/auth/logout", (), () => ();
    GetMe: Get "/api/v1/me", (), () => Student;
    ListRegistrations: Get "/api/v1/registrations", (), () => RegistrationList;
    Register: Post "/api/v1/registrations", (), NewRegistration => Registration;
    CancelRegistration: Delete "/api/v1/registrations/{id}", (), () => Registration;
    ListResults: Get "/api/v1/results", (), () => ResultList;
    GetCredits: Get "/api/v1/credits", (), () => CreditAccount;
    ListFeedback: Get "/api/v1/feedback", (), () => FeedbackList;
    FeedbackAggregates: Get "/api/v1/feedback/aggregates", AggregatesQuery, () => CertificateAggregates;
    PutFeedback: Put "/api/v1/feedback/{certificate_id}/{level}", (), FeedbackRequest => Feedback;
    ExportFeedback: Get "/api/v1/admin/export/feedback.csv", (), () => Csv;
    Import: Post "/api/v1/admin/import/{kind}", ImportQuery, ImportFile => ImportReport;
    /// A staff account signs in: a bearer token for the admin endpoints, within its role.
    StaffLogin: Post "/api/v1/auth/staff/login", (), StaffLoginRequest => StaffSession;
    StaffLogout: Post "/api/v1/auth/staff/logout", (), () => ();
    /// Who an admin token or staff session is: its name, role and school.
    StaffMe: Get "/api/v1/admin/me", (), () => StaffIdentity;
    /// The plans a caller manages or whose students registered, with their counts and next move.
    StaffPlans: Get "/api/v1/admin/plans", (), () => StaffPlanList;
    /// One step along a plan's lifecycle, by the core's rules.
    MovePlanPhase: Post "/api/v1/admin/plans/{id}/phase", (), PhaseMoveRequest => StaffPlan;
    /// The roster of registrations (考生名单), which imports back as results once filled in.
    ExportRegistrations: Get "/api/v1/admin/export/registrations", RosterQuery, () => RosterFile;
    GetOpenApi: Get "/api/v1/openapi.json", (), () => OpenApiDocument;
}

/// A rule document the server serves, with the endpoint that serves it.
pub trait ServedRules: RuleDocument {
    type Endpoint: Endpoint<Response = Self>;
}

macro_rules! served_rules {
    ($($rules:ty => $endpoint:ty),*) => {
        $(impl ServedRules for $rules {
            type Endpoint = $endpoint;
        })*
    };
}

served_rules!(
    FeeRules => GetFeeRules,
    GradeRules => GetGradeRules,
    CreditRules => GetCreditRules,
    GraduationRules => GetGraduationRules,
    EligibilityRules => GetEligibilityRules
);

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_path<T: ServedRules>() -> &'static str {
        <T::Endpoint as Endpoint>::PATH
    }

    #[test]
    fn rule_documents_are_served_under_their_kind() {
        for (path, kind) in [
            (rules_path::<FeeRules>(), FeeRules::KIND),
            (rules_path::<GradeRules>(), GradeRules::KIND),
            (rules_path::<CreditRules>(), CreditRules::KIND),
            (rules_path::<GraduationRules>(), GraduationRules::KIND),
            (rules_path::<EligibilityRules>(), EligibilityRules::KIND),
        ] {
            assert_eq!(path, format!("/api/v1/rules/{kind}"));
        }
    }

    #[test]
    fn every_endpoint_is_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (m, p) in ALL {
            assert!(p.starts_with("/api/v1/"), "{p}");
            assert!(seen.insert((*m, *p)), "{} {p} twice", m.as_str());
        }
    }
}
