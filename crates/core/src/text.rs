//! How names are cut into searchable segments, shared by the catalog builder (which attaches pinyin
//! to each segment) and the search (which matches a query against them).

/// One searchable piece of a name: a Chinese character, or a run of ASCII letters and digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Hanzi(char),
    Word(String),
}

/// Whether `c` is a CJK ideograph (the characters that carry pinyin).
pub fn is_hanzi(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0xF900..=0xFAFF)
}

/// Folds full-width ASCII (common from Chinese IMEs) to half-width and lowercases it.
pub fn fold(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// Cuts a name into segments; punctuation and spaces separate segments and are dropped.
pub fn segments(name: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in name.chars().map(fold) {
        if c.is_ascii_alphanumeric() {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push(Segment::Word(std::mem::take(&mut word)));
        }
        if is_hanzi(c) {
            out.push(Segment::Hanzi(c));
        }
    }
    if !word.is_empty() {
        out.push(Segment::Word(word));
    }
    out
}

/// The searchable characters of a text: folded ASCII letters and digits plus Chinese characters.
pub fn normalize(text: &str) -> String {
    text.chars()
        .map(fold)
        .filter(|c| c.is_ascii_alphanumeric() || is_hanzi(*c))
        .collect()
}

/// Checks a precomputed pinyin string against a name: one token per segment, each token one or more
/// `|`-separated readings of lowercase ASCII letters (a word segment's token is the word itself).
pub fn check_pinyin(name: &str, pinyin: &str) -> Result<(), String> {
    let segs = segments(name);
    let tokens: Vec<&str> = pinyin.split_whitespace().collect();
    if segs.len() != tokens.len() {
        return Err(format!(
            "has {} tokens but the name has {} segments",
            tokens.len(),
            segs.len()
        ));
    }
    for (i, (seg, tok)) in segs.iter().zip(&tokens).enumerate() {
        match seg {
            Segment::Word(w) if tok != w => {
                return Err(format!("token {} is {tok:?} but the name has {w:?}", i + 1));
            }
            Segment::Hanzi(h) => {
                let ok = tok.split('|').all(|r| {
                    !r.is_empty() && r.len() <= 8 && r.bytes().all(|b| b.is_ascii_lowercase())
                });
                if !ok {
                    return Err(format!(
                        "token {} ({tok:?}) is not a pinyin reading of {h}",
                        i + 1
                    ));
                }
            }
            Segment::Word(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_split_hanzi_and_words() {
        assert_eq!(
            segments("建筑信息模型（BIM）"),
            vec![
                Segment::Hanzi('建'),
                Segment::Hanzi('筑'),
                Segment::Hanzi('信'),
                Segment::Hanzi('息'),
                Segment::Hanzi('模'),
                Segment::Hanzi('型'),
                Segment::Word("bim".into()),
            ]
        );
        assert_eq!(
            segments("Web前端"),
            vec![
                Segment::Word("web".into()),
                Segment::Hanzi('前'),
                Segment::Hanzi('端')
            ]
        );
        assert_eq!(
            segments("1+X"),
            vec![Segment::Word("1".into()), Segment::Word("x".into())]
        );
        assert!(segments("（）+ ").is_empty());
    }

    #[test]
    fn full_width_input_is_folded() {
        assert_eq!(normalize("ＷＥＢ 前端"), "web前端");
        assert_eq!(normalize("  B-I-M! "), "bim");
    }

    #[test]
    fn pinyin_check_names_the_problem() {
        assert_eq!(check_pinyin("Web前端", "web qian duan"), Ok(()));
        assert_eq!(check_pinyin("银行", "yin hang|xing"), Ok(()));
        assert!(
            check_pinyin("Web前端", "web qian")
                .unwrap_err()
                .contains("2 tokens")
        );
        assert!(
            check_pinyin("Web前端", "www qian duan")
                .unwrap_err()
                .contains("token 1")
        );
        assert!(
            check_pinyin("前端", "qian Duan")
                .unwrap_err()
                .contains("token 2")
        );
        assert!(check_pinyin("前端", "qian du||an").is_err());
    }
}
