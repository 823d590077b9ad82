//! Every citation in the shipped rule documents (`data/rules/*.json`) quotes its notice verbatim,
//! and names it by what the notice's own text says; anything else is marked `added` with its
//! origin. The notices are the copies in `data/source/seeds/` (see `data/README.md`).
//!
//! Seed 001 is a traditional-character copy with pinyin inserted after some characters (“職業(yè)”)
//! and a few garbled runs; quotes are in simplified characters, so the check strips the pinyin,
//! maps the copy's traditional characters (the table below, every one that occurs in it) and
//! ignores whitespace. A quote may skip a garbled run with “…”.

use serde_json::Value;

const SEEDS: [(&str, &str); 5] = [
    ("000", include_str!("../../../data/source/seeds/000.txt")),
    ("001", include_str!("../../../data/source/seeds/001.txt")),
    ("002", include_str!("../../../data/source/seeds/002.txt")),
    ("003", include_str!("../../../data/source/seeds/003.txt")),
    ("004", include_str!("../../../data/source/seeds/004.txt")),
];

/// The traditional characters of seed 001 …
const TRADITIONAL: &str = concat!(
    "來個偉備傳傾價優內兩別則創劃動務勞勢勵區協參員單國圍團執堅報場奮學實審寶將專對導",
    "層屬崗師帶廣廳強復徹態應戰換揮撐擔據擴數時曉書會條業極榮構標機歷況測準濟瀏為營爭",
    "獲現環產畢當療發監眾確種稱積競簡籌納級細組結絡給統經綜維網線編縣總績織義習聯職脫",
    "與興萬薦術補見規視覽訂計訓設許評詢試認誰課請論證識護負貧貫責貴費貼貿資賦質購賽贊",
    "軍軟轄轉辦農進過達適選鄉鄭醫銀錄錨鎮鑒長門開間關隊際隸電響項頒領頭類風養驅體點",
);
/// … and their simplified forms, position by position.
const SIMPLIFIED: &str = concat!(
    "来个伟备传倾价优内两别则创划动务劳势励区协参员单国围团执坚报场奋学实审宝将专对导",
    "层属岗师带广厅强复彻态应战换挥撑担据扩数时晓书会条业极荣构标机历况测准济浏为营争",
    "获现环产毕当疗发监众确种称积竞简筹纳级细组结络给统经综维网线编县总绩织义习联职脱",
    "与兴万荐术补见规视览订计训设许评询试认谁课请论证识护负贫贯责贵费贴贸资赋质购赛赞",
    "军软辖转办农进过达适选乡郑医银录锚镇鉴长门开间关队际隶电响项颁领头类风养驱体点",
);

const DOCUMENTS: [(&str, &str); 5] = [
    ("fees", include_str!("../../../data/rules/fees.json")),
    ("grades", include_str!("../../../data/rules/grades.json")),
    ("credits", include_str!("../../../data/rules/credits.json")),
    (
        "graduation",
        include_str!("../../../data/rules/graduation.json"),
    ),
    (
        "eligibility",
        include_str!("../../../data/rules/eligibility.json"),
    ),
];

/// Simplified characters, no inserted pinyin, no whitespace.
pub fn normalize(text: &str) -> String {
    let trad: Vec<char> = TRADITIONAL.chars().collect();
    let simp: Vec<char> = SIMPLIFIED.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        // “(yè)”: lowercase letters with tone marks between ASCII parentheses.
        if c == '('
            && let Some(end) = rest.find(')')
            && end > 1
            && rest[1..end]
                .chars()
                .all(|l| l.is_ascii_lowercase() || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü".contains(l))
        {
            rest = &rest[end + 1..];
            continue;
        }
        if !c.is_whitespace() {
            out.push(trad.iter().position(|t| *t == c).map_or(c, |i| simp[i]));
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The seeds, normalised.
fn seeds() -> Vec<(&'static str, String)> {
    SEEDS.iter().map(|(n, t)| (*n, normalize(t))).collect()
}

/// Whether `quote` (pieces separated by “…”, in order) is in `text`.
fn quotes(text: &str, quote: &str) -> bool {
    let mut from = 0;
    for piece in quote.split('…').map(normalize) {
        match text[from..].find(&piece) {
            Some(i) => from += i + piece.len(),
            None => return false,
        }
    }
    true
}

/// Every citation object (it has `title` and `quote`) with its JSON path.
fn citations(v: &Value, path: String, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) if m.contains_key("quote") && m.contains_key("title") => {
            out.push((path, v.clone()));
        }
        Value::Object(m) => {
            for (k, x) in m {
                citations(x, format!("{path}.{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                citations(x, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Every citation of every shipped rule document, with its path (`fees.json.policies[0]…`).
fn every_citation() -> Vec<(String, Value)> {
    let mut found = Vec::new();
    for (doc, text) in DOCUMENTS {
        let json: Value = serde_json::from_str(text).unwrap();
        citations(&json, doc.to_string(), &mut found);
    }
    found
}

fn added(c: &Value, field: &str) -> bool {
    c["added"].as_array().is_some_and(|a| {
        a.iter().any(|x| {
            x["field"] == field && x["from"].as_str().is_some_and(|f| !f.trim().is_empty())
        })
    })
}

/// A date as the notices write it: `2021年8月27日`, or `2022-01-05` (seed 001's copy).
fn date_forms(iso: &str) -> Vec<String> {
    let p: Vec<&str> = iso.split('-').collect();
    let n = |s: &str| s.trim_start_matches('0').to_string();
    vec![
        iso.to_string(),
        format!("{}年{}月{}日", p[0], n(p[1]), n(p[2])),
    ]
}

#[test]
fn every_quote_is_verbatim_and_every_name_is_the_notices_or_marked_added() {
    let seeds = seeds();
    let mut checked = 0;
    for (path, c) in every_citation() {
        let quote = c["quote"].as_str().unwrap();
        let issuer = c["issuer"].as_str().unwrap();
        // Published web pages (their URL is the source) and the demo schools' own made-up
        // documents are not among the seeds.
        if c.get("url").is_some() || issuer.contains("示例") {
            assert!(
                c.get("url").is_some() || added(&c, "title"),
                "{path}: a demo school's document must say it is example data"
            );
            continue;
        }
        let Some((seed, body)) = seeds.iter().find(|(_, body)| quotes(body, quote)) else {
            panic!("{path}: the quote is in no seed: {quote}");
        };
        let title = c["title"].as_str().unwrap();
        assert!(
            body.contains(&normalize(title)) || added(&c, "title"),
            "{path}: seed {seed} does not give the title {title:?}; mark it added"
        );
        assert!(
            issuer.split(' ').all(|i| body.contains(&normalize(i))) || added(&c, "issuer"),
            "{path}: seed {seed} does not name the issuer {issuer:?}; mark it added"
        );
        if let Some(no) = c["document_no"].as_str() {
            assert!(
                body.contains(&normalize(no)) || added(&c, "document_no"),
                "{path}: seed {seed} does not give {no:?}"
            );
        }
        if let Some(on) = c["issued_on"].as_str() {
            assert!(
                date_forms(on).iter().any(|d| body.contains(d.as_str())) || added(&c, "issued_on"),
                "{path}: seed {seed} does not give the date {on}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} citations checked");
}

#[test]
fn the_check_catches_a_changed_word_and_the_copy_is_read_as_simplified() {
    let seeds = seeds();
    let henan = &seeds[1].1;
    assert!(quotes(
        henan,
        "原则上,学生毕业时至少取得1个以上职业技能证书"
    ));
    // “原则上” dropped is a different rule.
    assert!(!quotes(henan, "学生毕业时必须取得1个以上职业技能证书"));
    assert!(!henan.contains("(yè)"));
    let shanxi = &seeds[4].1;
    assert!(quotes(shanxi, "培训评价组织对建档立卡等家庭经济困难学生"));
    // Dropping “等” narrows the category: not what the notice says.
    assert!(!quotes(shanxi, "培训评价组织对建档立卡家庭经济困难学生"));
    assert_eq!(TRADITIONAL.chars().count(), SIMPLIFIED.chars().count());
    assert!(added(
        &serde_json::json!({"added": [{"field": "title", "from": "x"}]}),
        "title"
    ));
    assert!(!added(
        &serde_json::json!({"added": [{"field": "title", "from": " "}]}),
        "title"
    ));
}

/// Where an added field came from is shown to students under the citation (“哪些信息不在原文中”), so it
/// names the copy by what it is, never by this project's own file names.
#[test]
fn where_an_added_field_came_from_is_said_for_a_student() {
    let mut notes = 0;
    for (path, c) in every_citation() {
        for a in c["added"].as_array().into_iter().flatten() {
            let from = a["from"].as_str().unwrap();
            for word in ["种子", "seed", "文件 0"] {
                assert!(!from.contains(word), "{path}: {from:?} says {word:?}");
            }
            notes += 1;
        }
    }
    assert!(notes >= 10, "only {notes} notes checked");
}
