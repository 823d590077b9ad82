//! Generators shared by the property tests: catalogs of made-up certificates whose names mix
//! Chinese characters (with known readings) and ASCII words, like real ones.

use kaozheng_core::catalog::FORMAT;
use kaozheng_core::model::CERTIFICATE_SUFFIX;
use kaozheng_core::{Catalog, Certificate, EvaluationOrg, LevelInfo, XLevel};
use proptest::prelude::*;

/// Characters with their readings (a polyphone lists several).
pub const HANZI: &[(char, &str)] = &[
    ('前', "qian"),
    ('端', "duan"),
    ('开', "kai"),
    ('发', "fa"),
    ('物', "wu"),
    ('流', "liu"),
    ('管', "guan"),
    ('理', "li"),
    ('智', "zhi"),
    ('能', "neng"),
    ('银', "yin"),
    ('行', "xing|hang"),
    ('数', "shu"),
    ('据', "ju"),
    ('云', "yun"),
    ('计', "ji"),
    ('算', "suan"),
    ('机', "ji"),
    ('器', "qi"),
    ('人', "ren"),
];
const WORDS: &[&str] = &["web", "bim", "ai", "5g", "iot"];
const SUFFIX_PY: &str = "zhi ye ji neng deng ji zheng shu";

/// One name part: a Chinese character or an ASCII word.
fn part() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        4 => (0..HANZI.len()).prop_map(|i| (HANZI[i].0.to_string(), HANZI[i].1.to_string())),
        1 => (0..WORDS.len()).prop_map(|i| (WORDS[i].to_string(), WORDS[i].to_string())),
    ]
}

/// A short name of 2–6 parts with its pinyin; consecutive words are kept apart by a character.
pub fn short_name() -> impl Strategy<Value = (String, String)> {
    prop::collection::vec(part(), 2..6).prop_map(|parts| {
        let mut name = String::new();
        let mut py = Vec::new();
        let mut last_word = false;
        for (text, reading) in parts {
            let is_word = text.is_ascii();
            if is_word && last_word {
                name.push('前');
                py.push("qian".to_string());
            }
            name.push_str(&text);
            py.push(reading);
            last_word = is_word;
        }
        (name, py.join(" "))
    })
}

fn levels() -> impl Strategy<Value = Vec<LevelInfo>> {
    prop::sample::subsequence(XLevel::ALL.to_vec(), 0..=3)
        .prop_map(|ls| ls.into_iter().map(LevelInfo::new).collect())
}

/// A valid catalog of 1–30 certificates from 1–4 organisations.
pub fn catalog() -> impl Strategy<Value = Catalog> {
    let certs = prop::collection::vec(
        (
            short_name(),
            levels(),
            prop::option::of(1u8..=4),
            0usize..4,
            prop::option::of(0usize..3),
        ),
        1..30,
    );
    (1usize..=4, certs).prop_map(|(n_orgs, certs)| {
        let orgs: Vec<EvaluationOrg> = (0..n_orgs)
            .map(|i| EvaluationOrg {
                id: format!("o{i}"),
                name: format!("智能数据{}", ["云", "人", "物", "机"][i]),
                aliases: vec![],
                pinyin: format!("zhi neng shu ju {}", ["yun", "ren", "wu", "ji"][i]),
                url: None,
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        let certificates = certs
            .into_iter()
            .filter(|((name, _), ..)| seen.insert(name.clone()))
            .enumerate()
            .map(|(i, ((name, py), levels, batch, org, field))| Certificate {
                id: format!("c{i}"),
                name: format!("{name}{CERTIFICATE_SUFFIX}"),
                org_id: format!("o{}", org % n_orgs),
                batch,
                field: field.map(|f| ["制造", "信息", "财经"][f].to_string()),
                levels,
                pinyin: format!("{py} {SUFFIX_PY}"),
                description: None,
            })
            .collect();
        Catalog {
            format: FORMAT,
            version: "prop".into(),
            source: "generated for tests".into(),
            synthetic: true,
            total_in_system: None,
            orgs,
            certificates,
        }
    })
}
