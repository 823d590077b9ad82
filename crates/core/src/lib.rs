//! Kaozheng's domain core: the 1+X models, catalog validation and certificate search.
//!
//! Everything here is pure (no clock, no network, no storage) so the browser app, the server and the
//! tests run the very same rules. Time-dependent rules take `now` as an argument.

pub mod catalog;
pub mod feedback;
pub mod hash;
pub mod model;
pub mod objects;
pub mod order;
pub mod outbox;
pub mod province;
pub mod rules;
pub mod search;
mod tagged;
pub mod text;
pub mod time;

pub use catalog::{Catalog, CatalogError, CatalogErrors};
pub use model::{
    Certificate, EvaluationOrg, ExamPlan, ExamResult, FeeDecision, FeePayment, FeeReason,
    LevelInfo, Module, ModuleResult, PayMethod, Payer, PlanPhase, PlanState, Registration,
    RegistrationStatus, SchoolLevel, Score, Site, SkillGrade, Student, XLevel,
};
pub use search::{Hit, Query, SearchIndex};
