use super::*;
use crate::catalog::FORMAT;
use crate::model::{Certificate, EvaluationOrg, LevelInfo};

fn cert(
    id: &str,
    name: &str,
    pinyin: &str,
    org: &str,
    batch: u8,
    levels: &[XLevel],
) -> Certificate {
    Certificate {
        id: id.into(),
        name: name.into(),
        org_id: org.into(),
        batch: Some(batch),
        field: None,
        levels: levels.iter().map(|l| LevelInfo::new(*l)).collect(),
        pinyin: pinyin.into(),
        description: None,
    }
}

const SUFFIX_PY: &str = "zhi ye ji neng deng ji zheng shu";

fn catalog() -> Catalog {
    use XLevel::*;
    let c = |id, short: &str, py: &str, org, batch, levels: &[XLevel]| {
        cert(
            id,
            &format!("{short}{CERTIFICATE_SUFFIX}"),
            &format!("{py} {SUFFIX_PY}"),
            org,
            batch,
            levels,
        )
    };
    Catalog {
        format: FORMAT,
        version: "t".into(),
        source: "test".into(),
        synthetic: true,
        total_in_system: None,
        orgs: vec![
            EvaluationOrg {
                id: "miit".into(),
                name: "工业和信息化部教育与考试中心".into(),
                aliases: vec![],
                pinyin: "gong ye he xin xi hua bu jiao yu yu kao shi zhong xin".into(),
                url: None,
            },
            EvaluationOrg {
                id: "wuliu".into(),
                name: "北京中物联物流采购培训中心".into(),
                aliases: vec!["中物联".into()],
                pinyin: "bei jing zhong wu lian wu liu cai gou pei xun zhong xin".into(),
                url: None,
            },
        ],
        certificates: vec![
            c(
                "bim",
                "建筑信息模型（BIM）",
                "jian zhu xin xi mo xing bim",
                "miit",
                1,
                &[Primary, Intermediate, Advanced],
            ),
            c(
                "web",
                "Web前端开发",
                "web qian duan kai fa",
                "miit",
                1,
                &[Primary, Intermediate, Advanced],
            ),
            c("wl", "物流管理", "wu liu guan li", "wuliu", 1, &[Primary]),
            c(
                "dsj",
                "电子商务数据分析",
                "dian zi shang wu shu ju fen xi",
                "miit",
                2,
                &[Intermediate],
            ),
            c(
                "wd",
                "网店运营推广",
                "wang dian yun ying tui guang",
                "miit",
                2,
                &[Advanced],
            ),
            c(
                "yh",
                "银行信贷",
                "yin hang|xing xin dai",
                "miit",
                3,
                &[Primary],
            ),
        ],
    }
}

fn ids(q: &Query) -> Vec<&'static str> {
    let cat = Box::leak(Box::new(catalog()));
    let idx = SearchIndex::new(cat);
    idx.search(q)
        .iter()
        .map(|h| cat.certificates[h.index].id.as_str())
        .collect()
}

fn top(text: &str) -> Option<&'static str> {
    ids(&Query::text(text)).first().copied()
}

#[test]
fn chinese_full_pinyin_initials_and_mixed_all_find_web_frontend() {
    for q in [
        "前端",
        "Web前端",
        "webqianduan",
        "qianduan",
        "wqdkf",
        "WQDKF",
        "webqdkaifa",
        "web前端kf",
        "ＷＥＢ",
        "web qian duan",
    ] {
        assert_eq!(top(q), Some("web"), "query {q:?}");
    }
}

#[test]
fn loose_initials_skip_a_segment() {
    let q = Query::text("wqkf");
    let hits = SearchIndex::new(&catalog()).search(&q);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].kind, MatchKind::Fuzzy);
}

#[test]
fn ranking_prefers_name_then_pinyin_then_org() {
    let cat = catalog();
    let idx = SearchIndex::new(&cat);
    let kind = |t: &str| idx.search(&Query::text(t))[0].kind;
    assert_eq!(kind("物流"), MatchKind::Name);
    assert_eq!(kind("wuliu"), MatchKind::Pinyin);
    assert_eq!(kind("wlgl"), MatchKind::Initials);
    // "中物联" is only in the organisation's name.
    let hits = idx.search(&Query::text("中物联"));
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (cat.certificates[hits[0].index].id.as_str(), hits[0].kind),
        ("wl", MatchKind::Org)
    );
    // "shuju" is in the middle of 电子商务数据分析.
    assert_eq!(top("shuju"), Some("dsj"));
    // A name match outranks a pinyin match elsewhere.
    let hits = idx.search(&Query::text("信息"));
    assert_eq!(cat.certificates[hits[0].index].id, "bim");
}

#[test]
fn organisation_pinyin_finds_its_certificates() {
    let got = ids(&Query::text("zhongwulian"));
    assert_eq!(got, vec!["wl"]);
    let got = ids(&Query::text("工业和信息化部"));
    assert_eq!(got.len(), 5, "{got:?}");
}

#[test]
fn polyphonic_characters_match_any_reading() {
    assert_eq!(top("yinhang"), Some("yh"));
    assert_eq!(top("yinxing"), Some("yh"));
    assert_eq!(top("yhxd"), Some("yh"));
}

#[test]
fn the_common_suffix_does_not_match_everything_by_pinyin() {
    assert!(ids(&Query::text("zyjn")).is_empty());
    // Typed in characters it still matches every name.
    assert_eq!(ids(&Query::text("职业技能")).len(), 6);
}

#[test]
fn filters_combine_with_text() {
    use XLevel::*;
    let q = |batch, level, org: Option<&str>| Query {
        text: String::new(),
        batch,
        level,
        org_id: org.map(Into::into),
        field: None,
    };
    assert_eq!(ids(&q(Some(2), None, None)), vec!["dsj", "wd"]);
    assert_eq!(
        ids(&q(None, Some(Advanced), None)),
        vec!["bim", "web", "wd"]
    );
    assert_eq!(ids(&q(None, None, Some("wuliu"))), vec!["wl"]);
    assert!(ids(&q(None, None, Some("nobody"))).is_empty());
    let mut both = q(Some(1), Some(Primary), None);
    both.text = "w".into();
    assert_eq!(ids(&both), vec!["web", "wl"]);
}

#[test]
fn empty_and_junk_queries() {
    assert_eq!(ids(&Query::text("")).len(), 6);
    assert_eq!(
        ids(&Query::text("  （）")).len(),
        6,
        "punctuation only is an empty query"
    );
    assert!(ids(&Query::text("zzzzqqqq")).is_empty());
    assert!(ids(&Query::text("不存在的证书")).is_empty());
    let long = "a".repeat(10_000);
    assert!(ids(&Query::text(long)).is_empty());
}
