//! The 1+X domain models. Their serde shapes are the API's JSON shapes (DESIGN.md §2, §4).

mod certificate;
mod level;
mod lifecycle;
mod plan;
mod registration;
mod result;
mod site;
mod student;

pub use certificate::{CERTIFICATE_SUFFIX, Certificate, EvaluationOrg, LevelInfo};
pub use level::{Module, SchoolLevel, SkillGrade, XLevel};
pub use lifecycle::{MoveRefusal, PhaseMove};
pub use plan::{ExamPlan, FeePayment, PayMethod, PlanPhase, PlanState};
pub use registration::{FeeDecision, FeeReason, Payer, Registration, RegistrationStatus};
pub use result::{ExamResult, ModuleResult, Score, all_modules_passed, held_levels};
pub use site::Site;
pub use student::Student;
