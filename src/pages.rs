//! Route views, one per file, named `…Page`.

pub mod catalog;
pub mod certificate;
pub mod home;
pub mod not_found;
