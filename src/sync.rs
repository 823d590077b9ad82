//! The outbox sync engine: sends what the student changed on the phone (register, cancel, rate a
//! certificate), settles each change with the server's answer, and pulls the student's records.
//!
//! It is plain code, not reactive state: generic over where records are kept ([`SyncStore`]:
//! IndexedDB in the browser, [`MemoryStore`] in native tests) and how the server is reached
//! ([`Transport`]: HTTP in the browser, a scripted server in tests), with the clock and the retry
//! jitter passed in. A pass returns a [`Report`] of what changed; the account state applies it to
//! its signals. So the outbox's state machine, backoff, lease, settling and pulling are tested by
//! `cargo test`, including the orderings the chaos runs found.

mod answer;
pub mod engine;
mod memory;
mod queue;
mod store;
mod transport;

pub use answer::{apply_answer, next_wake};
pub use engine::{Engine, Pass, Report};
pub use memory::{MemoryStore, ScriptedServer, ServerFault};
pub use store::SyncStore;
pub use transport::{Http, Transport};
