//! Display helpers for money and times (UTC+8).

use chrono::{DateTime, Utc};

use crate::i18n::Texts;

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

/// A short relative age for "updated …" (the exact time is in the title attribute); the time
/// itself after a day.
pub fn age(t: &Texts, then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    (t.ago)((now - then).num_minutes().max(0)).unwrap_or_else(|| minute(then))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH};
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
        assert_eq!(age(&ZH, now, now), "刚刚");
        assert_eq!(
            age(&EN, now - chrono::Duration::minutes(5), now),
            "5 min ago"
        );
        assert_eq!(age(&ZH, now - chrono::Duration::hours(3), now), "3 小时前");
        assert_eq!(
            age(&EN, now - chrono::Duration::days(2), now),
            "2026-11-19 20:00"
        );
        // A clock behind the server's reads as now, not as a negative age.
        assert_eq!(
            age(&EN, now + chrono::Duration::minutes(5), now),
            "just now"
        );
    }
}
