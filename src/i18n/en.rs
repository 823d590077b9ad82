//! The English interface.

use kaozheng_api::words::en as rules;
use kaozheng_core::rules::CitationField;

use super::Texts;

pub const EN: Texts = Texts {
    app_name: "Kaozheng",
    tagline: "1+X vocational skill certificates",
    skip_to_content: "Skip to main content",
    nav_label: "Main",
    nav_home: "Home",
    nav_catalog: "Catalog",
    other_language: "中文",
    switch_language: "Switch to Chinese",
    theme_system: "System",
    theme_light: "Light",
    theme_dark: "Dark",
    theme_switch: "Change theme, now: ",

    online: "Online",
    offline: "Offline",
    offline_note: "Offline: showing saved data",
    updated_at: "Updated",
    ago: |m| match m {
        0 => Some("just now".into()),
        1..60 => Some(format!("{m} min ago")),
        60..1440 => Some(format!("{} h ago", m / 60)),
        _ => None,
    },
    never_synced: "Not synced yet",
    syncing: "Updating…",
    sync_failed: "Update failed; showing the last saved data.",
    retry: "Retry",
    storage_failed: "Local storage is unavailable, so nothing will be there offline: ",
    catalog_rejected: "The catalog received was invalid, so the last good one is kept. It downloads again by itself; if this keeps happening, tell your school.",
    skipped_records: |n| format!("{n} damaged local records were skipped"),
    dismiss: "Dismiss",
    reload_page: "Reload this page",
    storage_restored: |n| {
        format!(
            "The browser deleted this phone's offline data. The {n} unsent change(s) this page still had are saved again and will be sent as usual."
        )
    },
    storage_lost_changes: "The browser deleted this phone's offline data. These changes could not be saved again and never reached the server; please make them again when online:",
    change_register: "Registration",
    change_feedback: "Certificate feedback",
    storage_persisted: "Offline data is kept persistently: the browser will not clear it on its own.",
    storage_not_persisted: "The browser did not agree to keep offline data persistently: when space runs low it may clear it, unsent changes included. Go online soon to send them.",
    register_not_saved: "This registration was neither saved nor sent. Changes already queued are not affected.",

    home_title: "What's next",
    home_search_label: "Search certificates",
    home_search_button: "Search",
    open_windows: "Registration open",
    no_open_windows: "No exam plan is open for registration right now.",
    upcoming_exams: "Upcoming exams",
    no_upcoming_exams: "No exams are scheduled soon.",
    plans_not_synced: "Exam plans have not been synced yet; they update when you are online.",
    browse_all: "Browse all certificates",

    catalog_title: "Certificate catalog",
    search_label: "Search certificates (Chinese, pinyin or initials)",
    search_placeholder: "e.g. 前端 or wqdkf",
    filters: "Filters",
    filter_batch: "Pilot batch",
    any_batch: "All batches",
    batch_n: |n| format!("Batch {n}"),
    filter_level: "Level",
    any_level: "All levels",
    filter_org: "Evaluation organisation",
    any_org: "All organisations",
    filter_field: "Field",
    any_field: "All fields",
    clear_filters: "Clear filters",
    results_count: |n| {
        if n == 1 {
            "1 certificate".to_string()
        } else {
            format!("{n} certificates")
        }
    },
    no_results: "No certificate matches. Try pinyin initials, or clear the filters.",
    show_more: |n| format!("Show {n} more"),
    catalog_loading: "Loading the catalog…",
    catalog_unavailable: "No catalog saved yet. It downloads as soon as you are online.",
    coverage: |n, total| match total {
        Some(t) => format!("{n} of the {t} certificates in the system"),
        None => format!("{n} certificates"),
    },
    synthetic_data: "Synthetic test data: these certificates do not exist",
    data_source: "Data source",
    match_pinyin: "pinyin",
    match_initials: "initials",
    match_org: "organisation",
    match_fuzzy: "approximate",
    levels_not_listed: "levels not listed",

    back_to_catalog: "Back to the catalog",
    certificate_not_found: "This certificate was not found. It may have left the catalog.",
    org: "Evaluation organisation",
    batch: "Pilot batch",
    batch_unknown: "Not known",
    field: "Field",
    levels: "Levels",
    levels_unknown: "The data source does not list this certificate's levels.",
    platform_id: "Platform id",
    hours: "Training hours",
    suitable_for: "Suitable for",
    not_published: "Not published",
    updated_on_platform: "Updated on the platform",
    exam_plans: "Exam plans",
    no_plans: "No exam plans for this certificate yet.",
    registration_window: "Registration",
    exam_time: "Exam",
    site: "Site",
    fee: "Fee",
    seats_left: |left, cap| format!("{left} of {cap} seats left"),
    full: "Full",
    closes: "Registration closes",
    opens: "Registration opens",
    seats_as_of: "Seats as of the last sync",

    not_found_title: "Page not found",
    not_found_body: "There is nothing at this address.",
    go_home: "Go to the home page",
    footer: "Kaozheng · the 1+X certificate companion that works offline",

    nav_me: "Me",
    nav_sign_in: "Sign in",
    sign_in_title: "Sign in",
    sign_in_intro: "Sign in with the student number and password from your school to register for exams and see tickets and results, offline too.",
    student_no: "Student number",
    password: "Password",
    sign_in_button: "Sign in",
    signing_in: "Signing in…",
    sign_in_offline: "You are offline, so signing in is not possible. Try again when online.",
    session_expired: "Your session has expired. Sign in again; queued registrations are kept and will be sent after you sign in.",
    sign_out: "Sign out",
    sign_out_note: "Signing out deletes your personal data (registrations, tickets, results) from this phone, which suits shared phones.",
    sign_out_pending: |n| {
        format!(
            "{n} changes have not reached the server yet. Signing out now loses them. Sign out anyway?"
        )
    },
    sign_out_confirm: "Sign out anyway",
    cancel_action: "Cancel",
    profile: "Profile",
    name: "Name",
    school: "School",
    school_level: "Education level",
    major: "Major",
    province: "Province",
    hardship: "Registered poverty household (建档立卡)",
    my_registrations: "My registrations",
    my_results: "My results",
    export_calendar: "Export to calendar (.ics)",
    calendar_exam: |name, level| format!("{name} ({level}) exam"),
    calendar_deadline: |name, level| format!("Registration closes: {name} ({level})"),
    export_calendar_note: "Includes your exams and the deadlines of plans open to you, in China time. Importing again updates the events instead of duplicating them.",
    notify_results: "Notify me when a result is published",
    notify_denied: "The browser does not allow notifications; you can allow them in its settings.",
    register: "Register",
    register_title: "Confirm registration",
    eligibility: "Eligibility",
    eligible: "You meet the conditions (seats are confirmed by the server)",
    not_eligible: "You cannot register yet:",
    checked_offline: "Checked with the data saved on this phone; the server has the final say.",
    who_pays: "Who pays",
    pay_how: "How to pay",
    pay_where: "Where",
    pay_by: "Pay by",
    fee_paid: "Paid",
    fee_unpaid: "Not paid yet",
    pay_after_register: "Registering is not paying: pay by the deadline as shown above. Once your school records it, this says “Paid”.",
    pay_unknown: "This exam plan does not say how to pay. Ask your school's 1+X teacher how and by when to pay.",
    pay_overdue: "The payment deadline has passed and your school has not recorded your payment. Contact your school's 1+X teacher soon.",
    you_pay: "You pay",
    confirm_register: "Confirm registration",
    queued_note: "Saved on this phone; it is sent automatically when online.",
    sign_in_to_register: "Sign in to register.",
    plan_not_found: "This exam plan was not found.",
    state_queued: "Queued",
    state_sending: "Sending",
    state_confirmed: "Confirmed",
    state_rejected: "Refused",
    state_cancel_queued: "Cancel queued",
    state_cancelled: "Cancelled",
    pending_changes: |n| {
        if n == 1 {
            "1 change waiting to be sent".to_string()
        } else {
            format!("{n} changes waiting to be sent")
        }
    },
    send_now: "Send now",
    will_retry: "Sending failed; will retry automatically: ",
    no_registrations: "No registrations yet. Pick an exam plan on a certificate page to register.",
    cancel_registration: "Cancel registration",
    cancel_confirm: "Cancel this registration? The seat goes back to other students.",
    cancel_refused: "Cancelling failed: ",
    ticket: "Admission ticket",
    ticket_no: "Ticket number",
    view_ticket: "View ticket",
    print: "Print",
    modules: "Modules",
    ticket_not_found: "No such ticket. Only confirmed registrations have a ticket.",
    ticket_qr_label: "Ticket QR code with the ticket number and a check code",
    certificate: "Certificate",
    level: "Level",
    plan: "Exam plan",
    address: "Address",
    results_title: "My results",
    no_results_yet: "No published results yet. Results show once they are publicised.",
    new_badge: "New",
    passed: "Passed",
    failed: "Not passed",
    score: "Score",
    pass_mark: "Pass mark",
    exempted: "Exempted",
    not_scored: "Not scored",
    certificate_no: "Certificate number",
    issued_on: "Issued on",
    result_not_found: "This result was not found.",
    new_result_notification: |name| format!("Your result for {name} is published"),
    loading: "Loading…",
    sign_in_needed: "Please sign in first.",
    graduation_title: "Certificates for graduation",
    graduation_required: |n, in_principle| {
        let what = if n == 1 {
            "1 vocational skill certificate".to_string()
        } else {
            format!("{n} vocational skill certificates")
        };
        if in_principle {
            format!(
                "In principle you should hold at least {what} when you graduate (not a hard condition for graduating)"
            )
        } else {
            format!("You need at least {what} to graduate")
        }
    },
    graduation_counts: |also| {
        if also.is_empty() {
            "Counted: 1+X certificates passed and published on this platform.".to_string()
        } else {
            format!(
                "Counted: 1+X certificates passed and published on this platform; {also} count too, but this platform does not record them, so tell your school when you get one."
            )
        }
    },
    held: "Held",
    registered_count: "Registered",
    still_needed: "Still needed",
    days_left: |d| {
        if d >= 0 {
            format!("{d} days until graduation")
        } else {
            format!("Graduated {} days ago", -d)
        }
    },
    requirement_met: "Requirement met",
    funded_status: |exams, used| {
        match exams {
        None if used == 0 => "Exam funded by your school (at least one per pilot student): not used yet".to_string(),
        None => "Exam funded by your school (at least one per pilot student): used; whether it funds more is the school's decision".to_string(),
        Some(n) => format!("Exams funded by your school: {n}, used {}", used.min(u32::from(n))),
    }
    },
    funded_not_pilot: "Your school funds exams for pilot students, and its records do not list you as one. Ask your school if this is wrong.",
    uses_funded_exam: "Your school funds this exam (at least one per pilot student).",
    advice_title: "Before you register (this does not stop you):",
    citation_field: |f| match f {
        CitationField::Title => "Title: ",
        CitationField::Issuer => "Issuer: ",
        CitationField::DocumentNo => "Document number: ",
        CitationField::IssuedOn => "Date: ",
    },
    citation_added: "What is not in the original text",
    fee_rules_title: "Fee rules that apply to you",
    no_fee_rules: "No rule of your province or school reduces the exam fee, so you pay the plan's fee.",
    recognition_prerequisites: "What the recognition rests on",
    period_over: |end| {
        format!(
            "This plan ran until {end} and has ended; ask your school whether the rule still applies."
        )
    },
    period_runs: |end| format!("This plan runs until {end}."),
    feedback_title: "Rate this certificate",
    feedback_intro: "Your ratings are summarised anonymously to help schools and evaluation organisations improve the certificate. One per level; you can change it.",
    feedback_points_source: "Why these three points",
    comment: "Comment (optional, up to 500 characters)",
    submit_feedback: "Submit",
    feedback_saved: "Saved; sent when online.",
    feedback_sent: "Submitted.",
    feedback_refused: "The rating was not accepted: ",
    ratings_title: "Student ratings",
    ratings_hidden: |n| format!("Shown once at least {n} students have rated it."),
    respondents: |n| format!("{n} students"),
    resources_title: "Study resources",
    standard_document: "Skill level standard",
    national_platform: "Look it up on the national certificate platform",
    org_site: "Evaluation organisation’s site",
    school_courses: "Courses at your school",
    opens_outside: " (opens in the browser)",
    verify_title: "Certificate check",
    verify_intro: "Enter the certificate number and the holder’s name, or scan the QR code on the student’s result page.",
    certificate_no_label: "Certificate number",
    holder_name: "Holder’s name",
    verify_button: "Check",
    verify_valid: "Valid certificate",
    verify_public_notice: "Results in public notice: these details are genuine, but the result may still change until the notice period ends.",
    result_provisional: "Results are in public notice and may still change; they are final once the notice period ends.",
    verify_unknown: "No certificate matches these details.",
    verify_qr_label: "QR code to check this certificate",
    verify_qr_hint: "Employers scan this to check the certificate (they see your masked name and the certificate).",
    holder: "Holder",
    source: "Source",
    rules_not_synced: "The rules have not been downloaded to this phone yet; they update when you are online.",
    national_ladder: "The five national skill grades",
    grades_title: "1+X level → national skill grade",
    grades_intro: "Pick your level, education level, province and route to see which national skill grade it maps to, and the policy that says so. Works offline, no sign-in needed.",
    any_certificate: "(any certificate)",
    route: "Route",
    nav_grades: "Grades",
    credits_title: "My credit bank",
    my_credits: "Credit conversions",
    no_credit_rules: "Your school has not published credit conversion rules here.",
    example_data: "Example data: a demonstration school; its rules are for demonstration only.",
    credits_total: "Credits converted / cap",
    per_certificate: "Per certificate (against its cap)",
    conversions_applied: "Converted",
    conversions_refused: "Not converted, and why",
    none_yet: "None yet.",
    converts_here: "At your school, passing this level would:",
    no_conversion_here: "At your school, this level has no credit conversion rule.",
    adds_credits: |c| format!("add {c} credits"),

    full_as_of: |t| format!("Full when last checked ({t})"),
    full_queue_note: |t| {
        format!(
            "Full when last checked ({t}). Seats free up when others cancel: you can still join the queue, and the server decides whether you get a seat."
        )
    },
    join_queue: "Join the queue",
    grades_for_you: |w| format!("For you: {w}"),
    what_if: "Try other conditions (what if …)",
    credits_zero_none: "You have no published pass yet, so this is 0. Once you pass and the result is published, credits are worked out here by your school's rules.",
    credits_zero_no_rule: "Your school has no rule yet saying which courses this certificate can replace, so it counts 0. Ask your school's academic office, with your certificate number, whether you can apply for recognition.",
    credits_zero_level: |c| {
        format!(
            "Your school lets this certificate replace these courses, but at a higher level, or not at this level: {c}. Credits are worked out here once you hold that level."
        )
    },
    credits_zero_refused: "Its conversions were refused: see why under “Not converted” below.",
    org_other_certs: "Other certificates of the same organisation",
    watch_plans: "Remind me when exam plans are announced",
    watching: "Reminder set: when this certificate has an exam plan, Kaozheng's home page says so. The reminder is kept on this phone only.",
    unwatch: "Remove reminder",
    watch_view: "See the exam plans",
    watch_dismiss: "Got it",
    no_plans_next: "Exam plans appear here once announced; the phone updates them whenever online. Meanwhile, see the plans open now.",
    failed_next: "Next exam plans for this level",
    share_verify: "Share the verification link",
    link_copied: "Link copied: paste it to the employer.",
    copy_failed: "Could not copy: press and hold the link above to copy it.",
    rating_low: "very poor",
    rating_high: "very good",
    embed_registrations: "Registrations",
    embed_results: "Results",
    embed_credits: "Credits",
    rule_text: "The rule's own words",
    view_registration: "See my registration",
    mark_registered: "Registered",
    mark_clash: "Clashes",
    mark_not_eligible: "Not open to you",
    mark_full: "Full",
    see_why: "See why",
    clash_note: "Its exam overlaps another exam you registered for.",
    send_note_online: "Confirming sends it to the server at once; the server confirms the seat.",
    send_note_offline: "You are offline: confirming saves it on this phone, and it is sent when you are back online.",
    other_plans: "See other exam plans",
    your_state: "Your registration: ",
    next_step: "Your next step",
    my_exams: "My exams",
    exam_in: |d| match d {
        ..=0 => "Exam today".to_string(),
        1 => "Exam tomorrow".to_string(),
        _ => format!("Exam in {d} days"),
    },
    new_results: |n| {
        if n == 1 {
            "A new result is out: see it".to_string()
        } else {
            format!("{n} new results are out: see them")
        }
    },
    no_exams_yet: "You have not registered for an exam yet. Pick an exam plan below.",
    plans_in: |p| format!("Exam plans in {p}"),
    watch_found: |c| format!("“{c}”, which you asked to be reminded about, has exam plans now."),
    all_plans: "All exam plans",
    plans_title: "Exam plans",
    nav_plans: "Plans",
    nav_verify: "Verify",
    tools_title: "Tools",
    theme_to_dark: "Dark",
    theme_to_light: "Light",
    theme_to_dark_label: "Switch to dark mode",
    theme_to_light_label: "Switch to light mode",

    refusal: rules::refusal,
    advice: rules::advice,
    payer: rules::payer,
    pay_method: rules::pay_method,
    fee_reason: rules::fee_reason,
    conversion: rules::conversion,
    refused_conversion: rules::refused_conversion,
    grade_summary: rules::grade_summary,
    feedback_error: rules::feedback_error,

    err_offline: "You are offline. Saved data is still here, and it updates by itself once you are online.",
    err_wrong_password: "The student number or password is wrong. Check them and try again.",
    err_sign_in_again: "Your sign-in is no longer valid. Please sign in again.",
    err_too_many: "Too many attempts. Wait a few minutes, then try again.",
    err_server: "The server has a problem right now. Please try again later.",
    err_not_found: "This was not found; it may have been removed. Go back and choose again.",
    err_plan_gone: "This exam plan no longer exists. Choose another plan on the certificate page.",
    err_registration_gone: "The server no longer has this registration; it may have been cancelled. Refresh to see it.",
    err_window: "This is outside the registration window, so the change cannot be made. Ask your school if in doubt.",
    err_not_rateable: "You can rate this level once your result is published.",
    err_feedback_invalid: "The rating was not valid: each score is 1 to 5 and the comment at most 500 characters. Correct it and submit again.",
    err_refused: "The server did not accept this. Check and try again; if it keeps happening, ask your school.",
    err_bad_answer: "The data received could not be read, so the last saved data is kept. Try again later.",
    storage_blocked: "Kaozheng is open in another tab with an older version. Close the other Kaozheng tabs, then reload.",
    storage_version_changed: "Kaozheng was updated in another tab. Reload this page to continue.",
    storage_closed: "The browser closed the offline copy of the data. Reload this page.",
    storage_quota: "Not enough storage space on this device to keep the data offline. Free some space and try again.",
    storage_unavailable: "Offline storage is not available in this browser (private mode, or disabled). Kaozheng works while online; to use it offline, open it in a normal window.",
    storage_corrupt: "The data saved on this phone is damaged; it downloads again when you are online.",
    storage_other: "Offline storage failed. Reload this page; if it keeps failing, clear this site's browser data and try again.",
};
