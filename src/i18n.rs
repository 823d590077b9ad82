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
