//! Interface text in Chinese (default) and English: the one way the app speaks.
//!
//! Every string is a field of [`Texts`], and each locale is a `const` of that struct ([`ZH`] in
//! `zh.rs`, [`EN`] in `en.rs`), so a key missing in either language is a compile error rather than a
//! blank on a student's screen. What the rules decide (refusals, advice, fees, credits, grades) comes
//! from core as codes with facts and is worded here by function fields; failures are worded from
//! what happened ([`problems`]), never from an error's own text.
//!
//! A plain table rather than `leptos_i18n`: version 0.6 with only its `csr` feature (no plural
//! rules) added 17,410 B of brotli WASM for its provider and one key, and nothing here needs
//! more than Rust functions for the few parametrised sentences.

use kaozheng_core::feedback::FeedbackError;
use kaozheng_core::rules::{
    Advice, AppliedConversion, CitationField, GradeAnswer, Refusal, RefusedConversion,
};
use kaozheng_core::{FeeReason, PayMethod, Payer};
use leptos::prelude::*;

mod en;
pub mod problems;
#[cfg(test)]
mod tests;
mod zh;

pub use en::EN;
pub use problems::{api_error, problem, refused, refused_key, retry_reason, storage_error};
pub use zh::ZH;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    Zh,
    En,
}

impl Locale {
    pub fn texts(self) -> &'static Texts {
        match self {
            Locale::Zh => &ZH,
            Locale::En => &EN,
        }
    }

    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Self> {
        let tag = tag.to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Locale::Zh)
        } else if tag.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    pub fn other(self) -> Self {
        match self {
            Locale::Zh => Locale::En,
            Locale::En => Locale::Zh,
        }
    }

    /// Picks the Chinese or English form of a domain label.
    pub fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Locale::Zh => zh,
            Locale::En => en,
        }
    }
}

/// All interface text of one language.
pub struct Texts {
    pub app_name: &'static str,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_catalog: &'static str,
    /// The other language's name, shown on the switch.
    pub other_language: &'static str,
    pub switch_language: &'static str,
    pub theme_system: &'static str,
    pub theme_light: &'static str,
    pub theme_dark: &'static str,
    pub theme_switch: &'static str,

    pub online: &'static str,
    pub offline: &'static str,
    pub offline_note: &'static str,
    pub updated_at: &'static str,
    /// How long ago, in minutes, while under a day ("3 分钟前"); `None` after that (the time is
    /// shown instead).
    pub ago: fn(i64) -> Option<String>,
    pub never_synced: &'static str,
    pub syncing: &'static str,
    pub sync_failed: &'static str,
    pub retry: &'static str,
    pub storage_failed: &'static str,
    pub catalog_rejected: &'static str,
    pub skipped_records: fn(usize) -> String,
    pub dismiss: &'static str,
    pub reload_page: &'static str,
    pub storage_restored: fn(usize) -> String,
    pub storage_lost_changes: &'static str,
    pub change_register: &'static str,
    pub change_feedback: &'static str,
    pub storage_persisted: &'static str,
    pub storage_not_persisted: &'static str,
    pub register_not_saved: &'static str,

    pub home_title: &'static str,
    pub home_search_label: &'static str,
    pub home_search_button: &'static str,
    pub open_windows: &'static str,
    pub no_open_windows: &'static str,
    pub upcoming_exams: &'static str,
    pub no_upcoming_exams: &'static str,
    pub plans_not_synced: &'static str,
    pub browse_all: &'static str,

    pub catalog_title: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub filters: &'static str,
    pub filter_batch: &'static str,
    pub any_batch: &'static str,
    pub batch_n: fn(u8) -> String,
    pub filter_level: &'static str,
    pub any_level: &'static str,
    pub filter_org: &'static str,
    pub any_org: &'static str,
    pub filter_field: &'static str,
    pub any_field: &'static str,
    pub clear_filters: &'static str,
    pub results_count: fn(usize) -> String,
    pub no_results: &'static str,
    pub show_more: fn(usize) -> String,
    pub catalog_loading: &'static str,
    pub catalog_unavailable: &'static str,
    pub coverage: fn(usize, Option<u32>) -> String,
    pub synthetic_data: &'static str,
    pub data_source: &'static str,
    pub match_pinyin: &'static str,
    pub match_initials: &'static str,
    pub match_org: &'static str,
    pub match_fuzzy: &'static str,
    pub levels_not_listed: &'static str,

    pub back_to_catalog: &'static str,
    pub certificate_not_found: &'static str,
    pub org: &'static str,
    pub batch: &'static str,
    pub batch_unknown: &'static str,
    pub field: &'static str,
    pub levels: &'static str,
    pub levels_unknown: &'static str,
    pub platform_id: &'static str,
    pub hours: &'static str,
    pub suitable_for: &'static str,
    pub not_published: &'static str,
    pub updated_on_platform: &'static str,
    pub exam_plans: &'static str,
    pub no_plans: &'static str,
    pub registration_window: &'static str,
    pub exam_time: &'static str,
    pub site: &'static str,
    pub fee: &'static str,
    pub seats_left: fn(u32, u32) -> String,
    pub full: &'static str,
    pub closes: &'static str,
    pub opens: &'static str,
    pub seats_as_of: &'static str,

    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub go_home: &'static str,
    pub footer: &'static str,

    pub nav_me: &'static str,
    pub nav_sign_in: &'static str,
    pub sign_in_title: &'static str,
    pub sign_in_intro: &'static str,
    pub student_no: &'static str,
    pub password: &'static str,
    pub sign_in_button: &'static str,
    pub signing_in: &'static str,
    pub sign_in_offline: &'static str,
    pub session_expired: &'static str,
    pub sign_out: &'static str,
    pub sign_out_note: &'static str,
    pub sign_out_pending: fn(usize) -> String,
    pub sign_out_confirm: &'static str,
    pub cancel_action: &'static str,
    pub profile: &'static str,
    pub name: &'static str,
    pub school: &'static str,
    pub school_level: &'static str,
    pub major: &'static str,
    pub province: &'static str,
    pub hardship: &'static str,
    pub my_registrations: &'static str,
    pub my_results: &'static str,
    pub export_calendar: &'static str,
    pub export_calendar_note: &'static str,
    /// A calendar event's title: certificate and level.
    pub calendar_exam: fn(&str, &str) -> String,
    pub calendar_deadline: fn(&str, &str) -> String,
    pub notify_results: &'static str,
    pub notify_denied: &'static str,
    pub register: &'static str,
    pub register_title: &'static str,
    pub eligibility: &'static str,
    pub eligible: &'static str,
    pub not_eligible: &'static str,
    pub checked_offline: &'static str,
    pub who_pays: &'static str,
    pub pay_how: &'static str,
    pub pay_where: &'static str,
    pub pay_by: &'static str,
    pub fee_paid: &'static str,
    pub fee_unpaid: &'static str,
    pub pay_after_register: &'static str,
    pub pay_unknown: &'static str,
    pub pay_overdue: &'static str,
    pub you_pay: &'static str,
    pub confirm_register: &'static str,
    pub queued_note: &'static str,
    pub sign_in_to_register: &'static str,
    pub plan_not_found: &'static str,
    pub state_queued: &'static str,
    pub state_sending: &'static str,
    pub state_confirmed: &'static str,
    pub state_rejected: &'static str,
    pub state_cancel_queued: &'static str,
    pub state_cancelled: &'static str,
    pub pending_changes: fn(usize) -> String,
    pub send_now: &'static str,
    pub will_retry: &'static str,
    pub no_registrations: &'static str,
    pub cancel_registration: &'static str,
    pub cancel_confirm: &'static str,
    pub cancel_refused: &'static str,
    pub ticket: &'static str,
    pub ticket_no: &'static str,
    pub view_ticket: &'static str,
    pub print: &'static str,
    pub modules: &'static str,
    pub ticket_not_found: &'static str,
    pub ticket_qr_label: &'static str,
    pub certificate: &'static str,
    pub level: &'static str,
    pub plan: &'static str,
    pub address: &'static str,
    pub results_title: &'static str,
    pub no_results_yet: &'static str,
    pub new_badge: &'static str,
    pub passed: &'static str,
    pub failed: &'static str,
    pub score: &'static str,
    pub pass_mark: &'static str,
    pub exempted: &'static str,
    pub not_scored: &'static str,
    pub certificate_no: &'static str,
    pub issued_on: &'static str,
    pub result_not_found: &'static str,
    pub new_result_notification: fn(&str) -> String,
    pub loading: &'static str,
    pub sign_in_needed: &'static str,
    pub graduation_title: &'static str,
    pub graduation_required: fn(u32, bool) -> String,
    pub graduation_counts: fn(&str) -> String,
    pub held: &'static str,
    pub registered_count: &'static str,
    pub still_needed: &'static str,
    pub days_left: fn(i64) -> String,
    pub requirement_met: &'static str,
    pub funded_status: fn(Option<u8>, u32) -> String,
    pub funded_not_pilot: &'static str,
    pub uses_funded_exam: &'static str,
    pub advice_title: &'static str,
    pub citation_added: &'static str,
    /// A citation field's name with its colon, before the source it was added from.
    pub citation_field: fn(CitationField) -> &'static str,
    pub fee_rules_title: &'static str,
    pub no_fee_rules: &'static str,
    pub recognition_prerequisites: &'static str,
    pub period_over: fn(&str) -> String,
    pub period_runs: fn(&str) -> String,
    pub feedback_title: &'static str,
    pub feedback_intro: &'static str,
    pub feedback_points_source: &'static str,
    pub comment: &'static str,
    pub submit_feedback: &'static str,
    pub feedback_saved: &'static str,
    pub feedback_sent: &'static str,
    pub feedback_refused: &'static str,
    pub ratings_title: &'static str,
    pub ratings_hidden: fn(u32) -> String,
    pub respondents: fn(u32) -> String,
    pub resources_title: &'static str,
    pub standard_document: &'static str,
    pub national_platform: &'static str,
    pub org_site: &'static str,
    pub school_courses: &'static str,
    pub opens_outside: &'static str,
    pub verify_title: &'static str,
    pub verify_intro: &'static str,
    pub certificate_no_label: &'static str,
    pub holder_name: &'static str,
    pub verify_button: &'static str,
    pub verify_valid: &'static str,
    pub verify_public_notice: &'static str,
    pub result_provisional: &'static str,
    pub verify_unknown: &'static str,
    pub verify_qr_label: &'static str,
    pub verify_qr_hint: &'static str,
    pub holder: &'static str,
    pub source: &'static str,
    pub rules_not_synced: &'static str,
    pub national_ladder: &'static str,
    pub grades_title: &'static str,
    pub grades_intro: &'static str,
    pub any_certificate: &'static str,
    pub route: &'static str,
    pub nav_grades: &'static str,
    pub credits_title: &'static str,
    pub my_credits: &'static str,
    pub no_credit_rules: &'static str,
    pub example_data: &'static str,
    pub credits_total: &'static str,
    pub per_certificate: &'static str,
    pub conversions_applied: &'static str,
    pub conversions_refused: &'static str,
    pub none_yet: &'static str,
    pub converts_here: &'static str,
    pub no_conversion_here: &'static str,
    pub adds_credits: fn(&str) -> String,

    pub full_as_of: fn(&str) -> String,
    pub full_queue_note: fn(&str) -> String,
    pub join_queue: &'static str,
    pub grades_for_you: fn(&str) -> String,
    pub what_if: &'static str,
    pub credits_zero_none: &'static str,
    pub credits_zero_no_rule: &'static str,
    pub credits_zero_level: fn(&str) -> String,
    pub credits_zero_refused: &'static str,
    pub org_other_certs: &'static str,
    pub no_plans_next: &'static str,
    pub watch_plans: &'static str,
    pub watching: &'static str,
    pub unwatch: &'static str,
    pub watch_view: &'static str,
    pub watch_dismiss: &'static str,
    pub failed_next: &'static str,
    pub share_verify: &'static str,
    pub link_copied: &'static str,
    pub copy_failed: &'static str,
    pub rating_low: &'static str,
    pub rating_high: &'static str,
    pub embed_registrations: &'static str,
    pub embed_results: &'static str,
    pub embed_credits: &'static str,
    pub rule_text: &'static str,
    pub view_registration: &'static str,
    pub mark_registered: &'static str,
    pub mark_clash: &'static str,
    pub mark_not_eligible: &'static str,
    pub mark_full: &'static str,
    pub see_why: &'static str,
    pub clash_note: &'static str,
    pub send_note_online: &'static str,
    pub send_note_offline: &'static str,
    pub other_plans: &'static str,
    pub your_state: &'static str,
    pub next_step: &'static str,
    pub my_exams: &'static str,
    pub exam_in: fn(i64) -> String,
    pub new_results: fn(usize) -> String,
    pub no_exams_yet: &'static str,
    pub plans_in: fn(&str) -> String,
    pub watch_found: fn(&str) -> String,
    pub all_plans: &'static str,
    pub plans_title: &'static str,
    pub nav_plans: &'static str,
    pub nav_verify: &'static str,
    pub tools_title: &'static str,
    pub theme_to_dark: &'static str,
    pub theme_to_light: &'static str,
    pub theme_to_dark_label: &'static str,
    pub theme_to_light_label: &'static str,

    // What the rules decided, worded from their codes and facts.
    pub refusal: fn(&Refusal) -> String,
    pub advice: fn(&Advice) -> String,
    pub payer: fn(Payer) -> &'static str,
    pub pay_method: fn(PayMethod) -> &'static str,
    pub fee_reason: fn(FeeReason) -> &'static str,
    pub conversion: fn(&AppliedConversion) -> String,
    pub refused_conversion: fn(&RefusedConversion) -> String,
    pub grade_summary: fn(&GradeAnswer) -> String,
    pub feedback_error: fn(&FeedbackError) -> String,

    // Failures, each saying what to do next (chosen by [`problems`]).
    pub err_offline: &'static str,
    pub err_wrong_password: &'static str,
    pub err_sign_in_again: &'static str,
    pub err_too_many: &'static str,
    pub err_server: &'static str,
    pub err_not_found: &'static str,
    pub err_plan_gone: &'static str,
    pub err_registration_gone: &'static str,
    pub err_window: &'static str,
    pub err_not_rateable: &'static str,
    pub err_feedback_invalid: &'static str,
    pub err_refused: &'static str,
    pub err_bad_answer: &'static str,
    pub storage_blocked: &'static str,
    pub storage_version_changed: &'static str,
    pub storage_closed: &'static str,
    pub storage_quota: &'static str,
    pub storage_unavailable: &'static str,
    pub storage_corrupt: &'static str,
    pub storage_other: &'static str,
}

/// The current language, provided at the root.
#[derive(Clone, Copy)]
pub struct I18n {
    pub locale: RwSignal<Locale>,
}

impl I18n {
    pub fn t(&self) -> &'static Texts {
        self.locale.get().texts()
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// One interface string as a signal that follows the language.
///
/// `pick` is a plain function pointer, so every call site shares one signal type and one rendering
/// path: a closure per string would make the compiler emit rendering code per string (tens of KB of
/// WASM over the app).
pub fn tr(pick: fn(&'static Texts) -> &'static str) -> Signal<&'static str> {
    let locale = use_i18n().locale;
    Signal::derive(move || pick(locale.get().texts()))
}
