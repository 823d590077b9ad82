//! The 1+X rules: who may register for what, and who pays. Pure functions of their inputs (`now`
//! included), shared by the server, which enforces them, and the app, which explains them offline.
//!
//! Policies are data with citations (see [`Citation`]), so a school or province can change its rule
//! by importing a file instead of changing code.

mod citation;
mod eligibility;
mod fees;

pub use citation::Citation;
pub use eligibility::{Eligibility, Refusal, RefusalKind, SuitabilityPolicy, check_registration};
pub use fees::{FeePolicy, FeeRules, decide_fee};
