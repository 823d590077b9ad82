//! Stable ids from names, with core's FNV-1a 64 (the one hash of the project).

use kaozheng_core::hash::fnv1a64;

/// `prefix` + the first 12 hex digits (top 48 bits) of the name's hash: short enough for URLs and
/// storage keys, and the same id for the same name in every build.
pub fn stable_id(prefix: char, name: &str) -> String {
    format!("{prefix}{:012x}", fnv1a64(name.as_bytes()) >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_twelve_hex_digits() {
        let id = stable_id('c', "Web前端开发职业技能等级证书");
        assert_eq!(id.len(), 13);
        assert!(id.starts_with('c'));
        assert!(
            id[1..]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(stable_id('o', "a"), "oaf63dc4c8601");
        assert_ne!(id, stable_id('c', "物流管理职业技能等级证书"));
    }
}
