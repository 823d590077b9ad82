//! Reusable view pieces, one component per file.

pub mod app_footer;
pub mod app_header;
pub mod catalog_filters;
pub mod certificate_card;
pub mod citation_note;
pub mod conditions_list;
pub mod embed_nav;
pub mod fee_note;
pub mod feedback_form;
pub mod feedback_summary;
pub mod graduation_panel;
pub mod language_toggle;
pub mod level_badges;
pub mod level_conversions;
pub mod plan_card;
pub mod qr_code;
pub mod registration_badge;
pub mod registration_item;
pub mod restored_notice;
pub mod route_focus;
pub mod rule_terms;
pub mod sign_in_required;
pub mod storage_persistence;
pub mod study_resources;
pub mod sync_status;
pub mod theme_toggle;
