//! Display helpers for money and times (UTC+8).

use chrono::{DateTime, Utc};

use crate::i18n::Locale;

/// `¥300` or `¥299.50`: fees are kept in fen.
pub fn yuan(fen: u32) -> String {
    if fen.is_multiple_of(100) {
        format!("¥{}", fen / 100)
    } else {
        format!("¥{}.{:02}", fen / 100, fen % 100)
    }
}

/// A minute in China time.
pub fn minute(t: DateTime<Utc>) -> String {
    kaozheng_core::time::format_minute(t)
}

/// A short relative age for "updated …" (the exact time is in the title attribute).
pub fn age(locale: Locale, then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let mins = (now - then).num_minutes().max(0);
    match (locale, mins) {
        (Locale::Zh, 0) => "刚刚".into(),
        (Locale::Zh, m) if m < 60 => format!("{m} 分钟前"),
        (Locale::Zh, m) if m < 24 * 60 => format!("{} 小时前", m / 60),
        (Locale::En, 0) => "just now".into(),
        (Locale::En, m) if m < 60 => format!("{m} min ago"),
        (Locale::En, m) if m < 24 * 60 => format!("{} h ago", m / 60),
        _ => minute(then),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn fees_show_fen_only_when_needed() {
        assert_eq!(yuan(30_000), "¥300");
        assert_eq!(yuan(29_950), "¥299.50");
        assert_eq!(yuan(5), "¥0.05");
    }

    #[test]
    fn ages_read_naturally() {
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        assert_eq!(age(Locale::Zh, now, now), "刚刚");
        assert_eq!(
            age(Locale::En, now - chrono::Duration::minutes(5), now),
            "5 min ago"
        );
        assert_eq!(
            age(Locale::Zh, now - chrono::Duration::hours(3), now),
            "3 小时前"
        );
        assert_eq!(
            age(Locale::En, now - chrono::Duration::days(2), now),
            "2026-11-19 20:00"
        );
    }
}
