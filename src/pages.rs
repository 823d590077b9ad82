//! Route views, one per file, named `…Page`.

pub mod account;
pub mod catalog;
pub mod certificate;
pub mod credits;
pub mod grades;
pub mod home;
pub mod not_found;
pub mod plans;
pub mod register;
pub mod registrations;
pub mod result;
pub mod results;
pub mod sign_in;
pub mod ticket;
pub mod verify;
