//! Bad source tables stop the build with the file, line and field, and no catalog is written.

use std::path::{Path, PathBuf};

use kaozheng_catalog_build::build_default;

const BATCHES: &str = "batch,seq,certificate_name,evaluation_org
1,1,Web前端开发职业技能等级证书,工业和信息化部教育与考试中心
";
const LEVELS: &str = "certificate_id,certificate_name,level,evaluation_org,state_dt,snapshot
a1,物流管理职业技能等级证书,初级,北京中物联物流采购培训中心,2022-05-16,x
a2,物流管理职业技能等级证书,中级,北京中物联物流采购培训中心,2022-05-16,x
";

/// A fresh source folder for one test, with the given tables.
fn sources(test: &str, batches: &str, levels: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("catalog-build-sources")
        .join(test);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("onex_batch1_2_orgs.csv"), batches).unwrap();
    std::fs::write(dir.join("onex_certificate_levels_subset.csv"), levels).unwrap();
    dir
}

fn error(test: &str, batches: &str, levels: &str) -> String {
    let dir = sources(test, batches, levels);
    build_default(&dir).unwrap_err().to_string()
}

#[test]
fn good_minimal_sources_build() {
    let c = build_default(&sources("good", BATCHES, LEVELS)).unwrap();
    assert_eq!(c.certificates.len(), 2);
    assert_eq!(c.orgs.len(), 2);
}

#[test]
fn a_missing_column_is_named() {
    let levels = LEVELS.replace("state_dt", "date");
    let e = error("missing_column", BATCHES, &levels);
    assert!(
        e.contains("onex_certificate_levels_subset.csv:1") && e.contains("\"state_dt\""),
        "{e}"
    );
}

#[test]
fn a_bad_level_names_file_line_and_field() {
    let levels = LEVELS.replace(",中级,", ",特级,");
    let e = error("bad_level", BATCHES, &levels);
    assert!(
        e.contains("onex_certificate_levels_subset.csv:3")
            && e.contains("\"level\"")
            && e.contains("特级"),
        "{e}"
    );
}

#[test]
fn a_malformed_row_names_its_line() {
    let batches = format!("{BATCHES}2,1,少了一列\n");
    let e = error("malformed_row", &batches, LEVELS);
    assert!(
        e.contains("onex_batch1_2_orgs.csv:3") && e.contains("3 fields"),
        "{e}"
    );
}

#[test]
fn bad_values_are_named() {
    let e = error("bad_batch", &BATCHES.replace("\n1,1,", "\n5,1,"), LEVELS);
    assert!(
        e.contains("onex_batch1_2_orgs.csv:2") && e.contains("\"batch\""),
        "{e}"
    );

    let e = error(
        "bad_date",
        BATCHES,
        &LEVELS.replace("2022-05-16,x\na2", "2022-13-01,x\na2"),
    );
    assert!(
        e.contains("subset.csv:2") && e.contains("\"state_dt\""),
        "{e}"
    );

    let e = error(
        "empty_name",
        &BATCHES.replace("Web前端开发职业技能等级证书", ""),
        LEVELS,
    );
    assert!(
        e.contains("orgs.csv:2") && e.contains("\"certificate_name\"") && e.contains("empty"),
        "{e}"
    );
}

#[test]
fn contradictions_between_rows_are_named() {
    let levels = format!(
        "{LEVELS}a3,物流管理职业技能等级证书,初级,北京中物联物流采购培训中心,2022-05-16,x\n"
    );
    let e = error("repeated_level", BATCHES, &levels);
    assert!(e.contains("subset.csv:4") && e.contains("twice"), "{e}");

    let levels = format!("{LEVELS}a4,物流管理职业技能等级证书,高级,另一个组织,2022-05-16,x\n");
    let e = error("two_orgs", BATCHES, &levels);
    assert!(
        e.contains("subset.csv:4") && e.contains("\"evaluation_org\""),
        "{e}"
    );

    let levels = format!(
        "{LEVELS}a1,物流管理职业技能等级证书,高级,北京中物联物流采购培训中心,2022-05-16,x\n"
    );
    let e = error("repeated_id", BATCHES, &levels);
    assert!(
        e.contains("subset.csv:4") && e.contains("repeats line 2"),
        "{e}"
    );
}

#[test]
fn a_missing_file_is_named() {
    let dir = sources("missing_file", BATCHES, LEVELS);
    std::fs::remove_file(dir.join("onex_batch1_2_orgs.csv")).unwrap();
    let e = build_default(&dir).unwrap_err().to_string();
    assert!(e.contains("onex_batch1_2_orgs.csv"), "{e}");
}
