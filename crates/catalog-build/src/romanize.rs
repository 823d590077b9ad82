//! The precomputed pinyin a catalog carries for every name (see [`kaozheng_core::text`]), so the app
//! searches by pinyin without shipping a dictionary.

mod heteronyms;

use std::collections::HashMap;
use std::sync::OnceLock;

use kaozheng_core::text::{Segment, segments};
use pinyin::ToPinyinMulti;

use crate::error::BuildError;

/// One token per segment of `name`, space separated: a word stands for itself, a Chinese character
/// lists its readings without tone, most common first, joined by `|`.
pub fn name_pinyin(name: &str) -> Result<String, BuildError> {
    let mut out = String::with_capacity(name.len() * 2);
    for seg in segments(name) {
        if !out.is_empty() {
            out.push(' ');
        }
        match seg {
            Segment::Word(w) => out.push_str(&w),
            Segment::Hanzi(ch) => {
                let rs = readings(ch);
                if rs.is_empty() {
                    return Err(BuildError::NoPinyin {
                        ch,
                        name: name.to_string(),
                    });
                }
                out.push_str(&rs.join("|"));
            }
        }
    }
    Ok(out)
}

/// The readings a name's character is searchable by: the modern heteronyms where the character has
/// them (see `heteronyms`), otherwise its most common reading only. Empty when unknown.
pub fn readings(ch: char) -> Vec<String> {
    let mut all = dictionary_readings(ch);
    if let Some(modern) = modern_heteronyms().get(&ch) {
        let chosen: Vec<String> = modern
            .iter()
            .filter(|r| all.iter().any(|a| a == *r))
            .map(|r| r.to_string())
            .collect();
        if !chosen.is_empty() {
            return chosen;
        }
    }
    all.truncate(1);
    all
}

/// Every reading the pinyin crate knows for `ch`, toneless, in its order (most common first), as
/// the ASCII a student types: ü as "v" (the IME convention), ê as "e". Readings that are not plain
/// letters even then (a few interjections written with combining marks) are left out.
pub fn dictionary_readings(ch: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(multi) = ch.to_pinyin_multi() else {
        return out;
    };
    for p in multi {
        let r: String = p
            .plain()
            .chars()
            .map(|c| match c {
                'ü' => 'v',
                'ê' => 'e',
                c => c,
            })
            .collect();
        let typable = !r.is_empty() && r.len() <= 8 && r.bytes().all(|b| b.is_ascii_lowercase());
        if typable && !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

fn modern_heteronyms() -> &'static HashMap<char, &'static [&'static str]> {
    static MAP: OnceLock<HashMap<char, &'static [&'static str]>> = OnceLock::new();
    MAP.get_or_init(|| heteronyms::MODERN.iter().copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_heteronym_is_a_dictionary_reading() {
        let mut seen = std::collections::HashSet::new();
        for (ch, modern) in heteronyms::MODERN {
            assert!(seen.insert(*ch), "{ch} is listed twice");
            assert!(modern.len() >= 2, "{ch} needs no entry");
            let all = dictionary_readings(*ch);
            for r in *modern {
                assert!(all.iter().any(|a| a == r), "{ch}: {r} is not among {all:?}");
            }
        }
    }

    #[test]
    fn common_characters_read_as_typed() {
        assert_eq!(readings('行'), ["xing", "hang"]);
        assert_eq!(readings('厦'), ["sha", "xia"]);
        assert_eq!(readings('绿'), ["lv", "lu"]);
        // Archaic readings are left out.
        assert_eq!(readings('能'), ["neng"]);
        assert_eq!(readings('前'), ["qian"]);
        assert!(readings('\u{E000}').is_empty());
    }

    #[test]
    fn names_get_one_token_per_segment() {
        let py = name_pinyin("建筑信息模型（BIM）职业技能等级证书").unwrap();
        assert_eq!(
            py,
            "jian zhu xin xi mo|mu xing bim zhi ye ji neng deng ji zheng shu"
        );
        assert_eq!(name_pinyin("中国银行").unwrap(), "zhong guo yin xing|hang");
        assert_eq!(
            kaozheng_core::text::check_pinyin("中国银行", "zhong guo yin xing|hang"),
            Ok(())
        );
    }

    #[test]
    fn an_unknown_character_is_named() {
        let e = name_pinyin("测\u{5159}试").unwrap_err().to_string();
        assert!(e.contains("U+5159") && e.contains("测\u{5159}试"), "{e}");
    }
}
