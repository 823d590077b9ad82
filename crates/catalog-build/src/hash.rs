//! FNV-1a 64: tiny, dependency-free and stable across platforms and releases, which is all stable
//! ids and content versions need (neither is a security boundary).

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// `prefix` + the first 12 hex digits (top 48 bits) of the name's hash: short enough for URLs and
/// storage keys, and the same id for the same name in every build.
pub fn stable_id(prefix: char, name: &str) -> String {
    format!("{prefix}{:012x}", fnv1a64(name.as_bytes()) >> 16)
}

/// The 16-hex-digit content version of a serialized document.
pub fn content_version(json: &str) -> String {
    format!("{:016x}", fnv1a64(json.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_fnv1a_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

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
