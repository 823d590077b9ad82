//! The names of stores, indexes and promoted key paths: what the schema creates and the codec
//! writes, kept apart so neither depends on the other for them.

pub const CERTIFICATES: &str = "certificates";
pub const ORGS: &str = "orgs";
pub const PLANS: &str = "plans";
pub const SITES: &str = "sites";
/// Headers (catalog version, ETag, sync times) as JSON text, keyed by data set.
pub const META: &str = "meta";
/// The v1 stores holding one record per model value, keyed by the value's id: the ones the v2
/// step rewrites as envelopes.
pub const RECORD_STORES: [&str; 4] = [CERTIFICATES, ORGS, PLANS, SITES];
/// Index on `plans` by the plan's certificate id (v2).
pub const BY_CERTIFICATE: &str = "by_certificate";

/// The signed-in student's session: one record (key `current`), JSON text (v3).
pub const SESSION: &str = "session";
/// The student's registrations as the phone knows them (`LocalRegistration`), keyed by client id,
/// envelopes with `plan_id` promoted (v3).
pub const REGISTRATIONS: &str = "registrations";
/// Index on `registrations` by plan id, for the "one live registration per plan" check (v3).
pub const BY_PLAN: &str = "by_plan";
/// Changes waiting to reach the server (`OutboxEntry`), keyed by entry id, envelopes (v3).
pub const OUTBOX: &str = "outbox";
/// Published results with a "seen" flag, keyed by registration id, envelopes (v3).
pub const RESULTS: &str = "results";
/// Rule documents (fees, grades, credits) as the API's JSON text, keyed by kind (v3).
pub const RULES: &str = "rules";
/// The stores holding the signed-in student's data, emptied at sign-out in one transaction with
/// the results header and the outbox lease, which live in `meta` (v3).
pub const PERSONAL_STORES: [&str; 4] = [SESSION, REGISTRATIONS, OUTBOX, RESULTS];

/// Key paths the codec promotes out of a record's envelope, so indexes can reach them.
pub const CERTIFICATE_ID: &str = "certificate_id";
pub const PLAN_ID: &str = "plan_id";
