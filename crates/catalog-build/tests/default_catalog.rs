//! The committed default catalog: reproducible from its sources, and saying what they say.

use std::collections::BTreeSet;
use std::path::PathBuf;

use kaozheng_catalog_build::{build_default, render};
use kaozheng_core::{Catalog, Certificate, Query, SearchIndex, XLevel};

const REGENERATE: &str =
    "cargo run -p kaozheng-catalog-build -- default --source data/source --out data/catalog.json";

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

fn built() -> Catalog {
    build_default(&data_dir().join("source")).expect("the committed sources build")
}

fn by_name<'a>(catalog: &'a Catalog, short: &str) -> &'a Certificate {
    let name = format!("{short}职业技能等级证书");
    catalog
        .certificates
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{name} is missing"))
}

/// Certificate names in a source CSV's `certificate_name` column (these files quote nothing).
fn source_names(file: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(data_dir().join("source").join(file)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "certificate_name")
        .unwrap();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').nth(col).unwrap().to_string())
        .collect()
}

#[test]
fn committed_catalog_matches_a_rebuild_byte_for_byte() {
    let path = data_dir().join("catalog.json");
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; create it with `{REGENERATE}`", path.display()));
    let rebuilt = render(&built());
    assert!(
        committed == rebuilt,
        "data/catalog.json differs from a rebuild of data/source; regenerate it with `{REGENERATE}` \
         (from the repository root) and commit it"
    );
    assert_eq!(render(&built()), rebuilt, "two builds differ");
    assert!(Catalog::parse(&committed).is_ok());
}

#[test]
fn every_source_certificate_is_there_once() {
    let c = built();
    let batch_names = source_names("onex_batch1_2_orgs.csv");
    let level_names = source_names("onex_certificate_levels_subset.csv");
    assert_eq!(batch_names.len(), 16);
    assert_eq!(level_names.len(), 61);
    let union: BTreeSet<String> = batch_names.union(&level_names).cloned().collect();
    assert_eq!(union.len(), 73);
    let names: BTreeSet<String> = c.certificates.iter().map(|x| x.name.clone()).collect();
    assert_eq!(names, union);
    assert_eq!(c.certificates.len(), 73);
    assert_eq!(c.orgs.len(), 63);
    assert_eq!(
        c.certificates.iter().map(|x| x.levels.len()).sum::<usize>(),
        112
    );

    let with_batch: Vec<&Certificate> = c
        .certificates
        .iter()
        .filter(|x| x.batch.is_some())
        .collect();
    assert_eq!(with_batch.len(), 16);
    assert!(with_batch.iter().all(|x| batch_names.contains(&x.name)));
    assert_eq!(
        c.certificates.iter().filter(|x| x.batch == Some(1)).count(),
        6
    );
    assert_eq!(
        c.certificates.iter().filter(|x| x.batch == Some(2)).count(),
        10
    );
    // Known batches come first, ascending.
    let batches: Vec<Option<u8>> = c.certificates.iter().map(|x| x.batch).collect();
    assert_eq!(
        &batches[..16],
        [[Some(1); 6].as_slice(), &[Some(2); 10]].concat()
    );
    assert!(batches[16..].iter().all(Option::is_none));

    assert!(!c.synthetic);
    assert_eq!(c.total_in_system, Some(447));
    assert_eq!(c.version.len(), 16);
    assert!(
        c.certificates
            .iter()
            .all(|x| x.field.is_none() && x.description.is_none())
    );
    assert!(
        c.certificates
            .iter()
            .flat_map(|x| &x.levels)
            .all(|l| { l.platform_id.is_some() && l.updated_on.is_some() && l.hours.is_none() })
    );
}

#[test]
fn bim_keeps_the_platform_org_name_and_the_batch_list_name_as_alias() {
    let c = built();
    let bim = by_name(&c, "建筑信息模型（BIM）");
    assert_eq!(bim.batch, Some(1));
    let levels: Vec<XLevel> = bim.levels.iter().map(|l| l.level).collect();
    assert_eq!(levels, XLevel::ALL);
    let ids: Vec<&str> = bim
        .levels
        .iter()
        .map(|l| l.platform_id.as_deref().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "1156042065046441985",
            "1156342644276760577",
            "1156274710015709186"
        ]
    );
    let org = c.org(&bim.org_id).unwrap();
    assert_eq!(org.name, "廊坊市中科建筑产业化创新研究中心");
    assert_eq!(
        org.aliases,
        ["廊坊市中科建筑产业化创新研究中心（中国建设教育协会人才评价中心）"]
    );
    assert!(!c.orgs.iter().any(|o| o.name == org.aliases[0]));
}

#[test]
fn web_frontend_has_its_batch_and_org_but_no_levels() {
    let c = built();
    let web = by_name(&c, "Web前端开发");
    assert_eq!(web.batch, Some(1));
    assert!(web.levels.is_empty());
    assert_eq!(
        c.org(&web.org_id).unwrap().name,
        "工业和信息化部教育与考试中心"
    );
    assert!(
        web.pinyin.starts_with("web qian duan kai fa"),
        "{}",
        web.pinyin
    );
    assert_eq!(
        web.id,
        kaozheng_catalog_build::hash::stable_id('c', &web.name)
    );
}

#[test]
fn the_pinyin_serves_search() {
    let c = built();
    let index = SearchIndex::new(&c);
    let top = |q: &str| {
        let hits = index.search(&Query::text(q));
        let first = hits.first().unwrap_or_else(|| panic!("nothing for {q:?}"));
        c.certificates[first.index].short_name().to_string()
    };
    for q in ["前端", "webqianduan", "wqdkf"] {
        assert_eq!(top(q), "Web前端开发", "query {q:?}");
    }
    assert_eq!(top("wlgl"), "物流管理");
    // The platform's organisation name and its batch-list alias both find BIM.
    assert_eq!(top("中国建设教育协会"), "建筑信息模型（BIM）");
}
