//! What the rules decided, in Chinese and English: registration refusals, advice, fees, credit
//! conversions, grade answers and feedback errors, worded from core's codes and facts.
//!
//! Core never writes prose. These are the only words for its decisions: the app shows them to the
//! student, and the API sends the same sentences as `message_zh` / `message_en` to anyone else
//! who calls it, so the two can never tell a student different things.

pub mod en;
pub mod zh;
