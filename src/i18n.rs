//! Interface text in Chinese (default) and English.
//!
//! Every string is a field of [`Texts`], and each locale is a `const` of that struct, so a key missing
//! in either language is a compile error rather than a blank on a student's screen.

use leptos::prelude::*;

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
    pub sign_in_failed: &'static str,
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
    pub notify_results: &'static str,
    pub notify_denied: &'static str,
    pub register: &'static str,
    pub register_title: &'static str,
    pub eligibility: &'static str,
    pub eligible: &'static str,
    pub not_eligible: &'static str,
    pub checked_offline: &'static str,
    pub who_pays: &'static str,
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
    pub fee_rules_title: &'static str,
    pub no_fee_rules: &'static str,
    pub recognition_prerequisites: &'static str,
    pub period_over: fn(&str) -> String,
    pub period_runs: fn(&str) -> String,
    pub feedback_title: &'static str,
    pub feedback_intro: &'static str,
    pub feedback_points_source: &'static str,
    pub rating_scale: &'static str,
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
}

pub const ZH: Texts = Texts {
    app_name: "考证",
    tagline: "1+X 职业技能等级证书",
    skip_to_content: "跳到主要内容",
    nav_label: "主导航",
    nav_home: "首页",
    nav_catalog: "证书目录",
    other_language: "English",
    switch_language: "切换到英文",
    theme_system: "跟随系统",
    theme_light: "浅色",
    theme_dark: "深色",
    theme_switch: "切换主题，当前：",

    online: "在线",
    offline: "离线",
    offline_note: "离线中：显示已保存的数据",
    updated_at: "更新于",
    never_synced: "尚未同步",
    syncing: "正在更新…",
    sync_failed: "更新失败，仍显示上次保存的数据",
    retry: "重试",
    storage_failed: "本地存储不可用，离线时将无法查看：",
    catalog_rejected: "收到的证书目录有误，已保留上次的目录：",
    skipped_records: |n| format!("有 {n} 条本地记录已损坏，已跳过"),
    dismiss: "关闭",
    reload_page: "刷新本页",
    storage_restored: |n| {
        format!("浏览器清除了本机的离线数据。本页保留的 {n} 项未发送的更改已重新保存，会照常发送。")
    },
    storage_lost_changes: "浏览器清除了本机的离线数据，以下更改没能重新保存，也没有发送到服务器。请联网后重新操作：",
    change_register: "报名",
    change_feedback: "证书评价",
    storage_persisted: "离线数据已设为持久保存：浏览器不会自行清除。",
    storage_not_persisted: "浏览器没有同意持久保存离线数据：存储空间不足时，它可能清除这些数据，包括还没发送的更改。请尽快联网发送。",
    register_not_saved: "这次报名没有保存，也没有发送。已在排队的其他更改不受影响。",

    home_title: "接下来",
    home_search_label: "搜索证书",
    home_search_button: "搜索",
    open_windows: "正在报名",
    no_open_windows: "目前没有正在报名的考核计划。",
    upcoming_exams: "即将考试",
    no_upcoming_exams: "近期没有已安排的考试。",
    plans_not_synced: "还没有同步考核计划，连接网络后会自动更新。",
    browse_all: "浏览全部证书",

    catalog_title: "证书目录",
    search_label: "搜索证书（中文、拼音或首字母）",
    search_placeholder: "例如：前端、webqianduan、wqdkf",
    filters: "筛选",
    filter_batch: "试点批次",
    any_batch: "全部批次",
    batch_n: |n| format!("第{n}批"),
    filter_level: "等级",
    any_level: "全部等级",
    filter_org: "培训评价组织",
    any_org: "全部组织",
    filter_field: "领域",
    any_field: "全部领域",
    clear_filters: "清除筛选",
    results_count: |n| format!("共 {n} 个证书"),
    no_results: "没有找到匹配的证书。可以试试拼音首字母，或清除筛选。",
    show_more: |n| format!("再显示 {n} 个"),
    catalog_loading: "正在加载证书目录…",
    catalog_unavailable: "还没有保存的证书目录。连接网络后会自动下载。",
    coverage: |n, total| match total {
        Some(t) => format!("本目录收录 {n} 个证书，全国共 {t} 个"),
        None => format!("本目录收录 {n} 个证书"),
    },
    synthetic_data: "模拟数据，仅供测试，证书并不存在",
    data_source: "数据来源",
    match_pinyin: "拼音",
    match_initials: "首字母",
    match_org: "组织",
    match_fuzzy: "近似",
    levels_not_listed: "等级未列出",

    back_to_catalog: "返回证书目录",
    certificate_not_found: "没有找到这个证书。它可能已从目录中移除。",
    org: "培训评价组织",
    batch: "试点批次",
    batch_unknown: "未知",
    field: "领域",
    levels: "等级",
    levels_unknown: "数据来源未列出这个证书的等级。",
    platform_id: "平台编号",
    hours: "培训学时",
    suitable_for: "适用对象",
    not_published: "未公布",
    updated_on_platform: "平台更新日期",
    exam_plans: "考核计划",
    no_plans: "暂无这个证书的考核计划。",
    registration_window: "报名时间",
    exam_time: "考试时间",
    site: "考点",
    fee: "考试费",
    seats_left: |left, cap| format!("余 {left} / {cap} 个名额"),
    full: "名额已满",
    closes: "报名截止",
    opens: "报名开始",
    seats_as_of: "名额为上次同步时的数据",

    not_found_title: "页面不存在",
    not_found_body: "这个地址没有内容。",
    go_home: "回到首页",
    footer: "考证 · 离线可用的 1+X 证书助手",

    nav_me: "我的",
    nav_sign_in: "登录",
    sign_in_title: "登录",
    sign_in_intro: "使用学校提供的学号和密码登录。登录后可以报名考试、查看准考证和成绩，离线也能看。",
    student_no: "学号",
    password: "密码",
    sign_in_button: "登录",
    signing_in: "正在登录…",
    sign_in_failed: "登录失败：",
    sign_in_offline: "现在离线，无法登录。连接网络后再试。",
    session_expired: "登录已过期，请重新登录。排队中的报名不会丢失，登录后会继续发送。",
    sign_out: "退出登录",
    sign_out_note: "退出后，本机上的个人数据（报名、准考证、成绩）都会删除，适合共用手机。",
    sign_out_pending: |n| {
        format!("还有 {n} 项更改没有发送到服务器。现在退出会丢失它们。确定退出吗？")
    },
    sign_out_confirm: "仍然退出",
    cancel_action: "取消",
    profile: "个人信息",
    name: "姓名",
    school: "学校",
    school_level: "学历层次",
    major: "专业",
    province: "省份",
    hardship: "建档立卡学生",
    my_registrations: "我的报名",
    my_results: "我的成绩",
    export_calendar: "导出到日历（.ics）",
    export_calendar_note: "包含已报名的考试和可报名计划的截止时间，时间为北京时间。再次导入会更新而不是重复。",
    notify_results: "成绩公布时通知我",
    notify_denied: "浏览器不允许通知。可以在浏览器设置中开启。",
    register: "报名",
    register_title: "确认报名",
    eligibility: "报名条件",
    eligible: "符合报名条件（名额以服务器为准）",
    not_eligible: "暂不能报名：",
    checked_offline: "根据本机保存的数据判断，可能与服务器最新情况不同。",
    who_pays: "费用承担",
    you_pay: "你需缴纳",
    confirm_register: "确认报名",
    queued_note: "已保存在本机，联网后自动发送。",
    sign_in_to_register: "登录后才能报名。",
    plan_not_found: "没有找到这个考核计划。",
    state_queued: "排队中",
    state_sending: "发送中",
    state_confirmed: "已确认",
    state_rejected: "未通过",
    state_cancel_queued: "取消排队中",
    state_cancelled: "已取消",
    pending_changes: |n| format!("{n} 项更改等待发送"),
    send_now: "立即发送",
    will_retry: "发送失败，稍后自动重试：",
    no_registrations: "还没有报名。可以在证书页面选择考核计划报名。",
    cancel_registration: "取消报名",
    cancel_confirm: "确定取消这个报名吗？名额会释放给其他同学。",
    cancel_refused: "取消未成功：",
    ticket: "准考证",
    ticket_no: "准考证号",
    view_ticket: "查看准考证",
    print: "打印",
    modules: "考核科目",
    ticket_not_found: "没有找到这张准考证。只有已确认的报名才有准考证。",
    ticket_qr_label: "准考证二维码，含准考证号和校验码",
    certificate: "证书",
    level: "等级",
    plan: "考核计划",
    address: "地址",
    results_title: "我的成绩",
    no_results_yet: "还没有公布的成绩。成绩在“成绩公示中”后显示。",
    new_badge: "新",
    passed: "通过",
    failed: "未通过",
    score: "成绩",
    pass_mark: "合格线",
    exempted: "免考",
    not_scored: "未评分",
    certificate_no: "证书编号",
    issued_on: "发证日期",
    result_not_found: "没有找到这条成绩。",
    new_result_notification: |name| format!("{name} 的成绩已公布"),
    loading: "正在加载…",
    sign_in_needed: "请先登录。",
    graduation_title: "毕业证书要求",
    graduation_required: |n, in_principle| {
        if in_principle {
            format!("原则上，毕业时至少取得 {n} 个职业技能证书（不是毕业的硬性条件）")
        } else {
            format!("毕业时至少需要取得 {n} 个职业技能证书")
        }
    },
    graduation_counts: |also| {
        if also.is_empty() {
            "计入：在本平台取得并公布的 1+X 职业技能等级证书。".to_string()
        } else {
            format!(
                "计入：在本平台取得并公布的 1+X 证书；{also}等也计入，但本平台没有记录，取得后请告诉学校。"
            )
        }
    },
    held: "已取得",
    registered_count: "已报名",
    still_needed: "还需报名",
    days_left: |d| {
        if d >= 0 {
            format!("距毕业还有 {d} 天")
        } else {
            format!("已毕业 {} 天", -d)
        }
    },
    requirement_met: "已满足毕业证书要求",
    funded_status: |exams, used| match exams {
        None if used == 0 => "学校经费保障的考核（试点学生至少一次）：尚未使用".to_string(),
        None => "学校经费保障的考核（试点学生至少一次）：已使用；是否再保障由学校决定".to_string(),
        Some(n) => format!(
            "学校经费保障的考核：共 {n} 次，已用 {}",
            used.min(u32::from(n))
        ),
    },
    funded_not_pilot: "学校经费保障的是试点学生的考核；学校记录中你不是试点学生。如有疑问请问学校。",
    uses_funded_exam: "这次考核由学校经费保障（试点学生至少一次）。",
    advice_title: "报名前请注意（不影响报名）：",
    citation_added: "哪些信息不在原文中",
    fee_rules_title: "你适用的收费规定",
    no_fee_rules: "你所在省份和学校没有记录减免考核费的规定，按考核计划的收费标准缴纳。",
    recognition_prerequisites: "认定的前提",
    period_over: |end| {
        format!("这份方案的实施期到 {end} 为止，已经结束；请向学校确认这条规定现在是否仍然适用。")
    },
    period_runs: |end| format!("这份方案的实施期到 {end}。"),
    feedback_title: "评价这个证书",
    feedback_intro: "你的评价会匿名汇总，帮助学校和培训评价组织改进证书（1+X 证书质量评价）。每人每个等级一条，可以修改。",
    feedback_points_source: "为什么评价这三项",
    rating_scale: "1 很差，5 很好",
    comment: "意见（可选，最多 500 字）",
    submit_feedback: "提交评价",
    feedback_saved: "已保存，联网后发送。",
    feedback_sent: "已提交。",
    feedback_refused: "评价未被接受：",
    ratings_title: "学生评价",
    ratings_hidden: |n| format!("至少 {n} 名学生评价后才显示汇总。"),
    respondents: |n| format!("{n} 名学生"),
    resources_title: "学习资源",
    standard_document: "职业技能等级标准",
    national_platform: "在全国职业技能等级证书信息管理服务平台查询",
    org_site: "培训评价组织网站",
    school_courses: "本校相关课程",
    opens_outside: "（在浏览器中打开）",
    verify_title: "证书查验",
    verify_intro: "输入证书编号和持证人姓名，或扫描学生成绩页上的二维码。",
    certificate_no_label: "证书编号",
    holder_name: "持证人姓名",
    verify_button: "查验",
    verify_valid: "证书有效",
    verify_public_notice: "成绩公示中：证书信息属实，但公示期内结果可能调整，公示结束后才是最终结果。",
    result_provisional: "成绩公示中，结果可能调整；公示结束后为最终成绩。",
    verify_unknown: "没有找到与这些信息相符的证书。",
    verify_qr_label: "证书查验二维码",
    verify_qr_hint: "用人单位扫描此二维码即可查验证书（显示姓名首字和证书信息）。",
    holder: "持证人",
    source: "来源",
    rules_not_synced: "规则还没有下载到本机。连接网络后会自动更新。",
    national_ladder: "国家职业技能等级（五级）",
    grades_title: "1+X 等级对应职业技能等级",
    grades_intro: "选择证书等级、学历层次、省份和认定方式，查看可以对应的国家职业技能等级及其政策依据。离线可用，无需登录。",
    any_certificate: "（任意证书）",
    route: "认定方式",
    nav_grades: "等级对应",
    credits_title: "我的学分银行",
    my_credits: "学分转换",
    no_credit_rules: "你的学校还没有在这里发布学分转换规则。",
    example_data: "示例数据：这是演示用的示例学校，它的规定仅供演示。",
    credits_total: "已转换学分 / 上限",
    per_certificate: "按证书（每个证书上限）",
    conversions_applied: "已转换",
    conversions_refused: "未转换及原因",
    none_yet: "暂无。",
    converts_here: "在你的学校，取得这个等级可以：",
    no_conversion_here: "在你的学校，这个等级没有学分转换规则。",
    adds_credits: |c| format!("增加 {c} 学分"),
};

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
    never_synced: "Not synced yet",
    syncing: "Updating…",
    sync_failed: "Update failed; showing the last saved data",
    retry: "Retry",
    storage_failed: "Local storage is unavailable, so nothing will be there offline: ",
    catalog_rejected: "The catalog received was invalid; the last good one is kept: ",
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
    search_placeholder: "e.g. 前端, webqianduan, wqdkf",
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
    sign_in_failed: "Sign-in failed: ",
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
    rating_scale: "1 very poor, 5 very good",
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
};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_parse_and_toggle() {
        assert_eq!(Locale::from_tag("zh-CN"), Some(Locale::Zh));
        assert_eq!(Locale::from_tag("en-US"), Some(Locale::En));
        assert_eq!(Locale::from_tag("fr"), None);
        assert_eq!(Locale::Zh.other(), Locale::En);
        assert_eq!(Locale::En.tag(), "en");
    }

    #[test]
    fn formatted_texts_differ_by_language() {
        assert_eq!((ZH.results_count)(3), "共 3 个证书");
        assert_eq!((EN.results_count)(1), "1 certificate");
        assert_eq!(
            (EN.coverage)(73, Some(447)),
            "73 of the 447 certificates in the system"
        );
        assert_eq!((ZH.seats_left)(2, 50), "余 2 / 50 个名额");
    }
}
