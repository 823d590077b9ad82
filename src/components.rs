//! Reusable view pieces, one component per file.

pub mod app_footer;
pub mod app_header;
pub mod catalog_filters;
pub mod certificate_card;
pub mod language_toggle;
pub mod level_badges;
pub mod plan_card;
pub mod route_focus;
pub mod sync_status;
pub mod theme_toggle;
