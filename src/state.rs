//! App-wide reactive state, provided at the root (`provide_*`) and read by pages (`use_*`).

pub mod account;
pub mod catalog;
pub mod clock;
pub mod connection;
pub mod network;
pub mod startup;
