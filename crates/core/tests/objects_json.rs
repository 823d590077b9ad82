//! `kaozheng_core::objects::from_str`, the app's JSON reader: it reads what serde_json reads, with
//! serde_json's messages, except a struct given as an array, at any depth.

use std::collections::BTreeMap;

use kaozheng_core::Catalog;
use kaozheng_core::objects::from_str;
use kaozheng_core::rules::{CreditRules, EligibilityRules, FeeRules, GradeRules, GraduationRules};
use serde::Deserialize;
use serde::de::DeserializeOwned;

#[derive(Debug, PartialEq, Deserialize)]
struct Seat {
    row: u32,
    label: Option<String>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Hall {
    name: String,
    seats: Vec<Seat>,
    best: Option<Seat>,
    kind: Kind,
    #[serde(default)]
    extra: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Plain,
    Named(String),
    Pair(u32, Seat),
    Tiered { top: Seat, levels: Vec<u8> },
}

#[derive(Debug, PartialEq, Deserialize)]
struct Id(u32);

fn both<T: DeserializeOwned + PartialEq + std::fmt::Debug>(json: &str) -> T {
    let ours = from_str::<T>(json).unwrap_or_else(|e| panic!("{json}: {e}"));
    assert_eq!(ours, serde_json::from_str::<T>(json).unwrap(), "{json}");
    ours
}

fn same_refusal<T: DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
    let ours = from_str::<T>(json).expect_err(json).to_string();
    let theirs = serde_json::from_str::<T>(json).expect_err(json).to_string();
    assert_eq!(ours, theirs, "{json}");
    ours
}

fn read(path: &str) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../");
    std::fs::read_to_string(format!("{root}{path}")).unwrap()
}

#[test]
fn the_shipped_catalog_and_rule_documents_read_the_same() {
    let catalog = read("data/catalog.json");
    let ours = from_str::<Catalog>(&catalog).unwrap();
    assert_eq!(ours, serde_json::from_str::<Catalog>(&catalog).unwrap());
    assert!(!ours.certificates.is_empty());
    assert_eq!(Catalog::parse(&catalog).unwrap(), ours);
    both::<FeeRules>(&read("data/rules/fees.json"));
    both::<GradeRules>(&read("data/rules/grades.json"));
    both::<CreditRules>(&read("data/rules/credits.json"));
    both::<GraduationRules>(&read("data/rules/graduation.json"));
    both::<EligibilityRules>(&read("data/rules/eligibility.json"));
}

#[test]
fn nested_structs_options_enums_maps_and_values_read_as_serde_json_reads_them() {
    let hall: Hall = both(
        r#"{"name": "A", "seats": [{"row": 1, "label": null}, {"row": 2, "label": "2A"}],
            "best": {"row": 3, "label": "VIP"}, "kind": {"tiered": {"top": {"row": 9, "label": null},
            "levels": [1, 2]}}, "extra": {"n": [1, {"x": "y"}], "s": "t"}}"#,
    );
    assert_eq!(hall.seats[1].label.as_deref(), Some("2A"));
    assert_eq!(hall.extra["n"][1]["x"], "y");
    for kind in [
        r#""plain""#,
        r#"{"named": "x"}"#,
        r#"{"pair": [1, {"row": 2, "label": null}]}"#,
    ] {
        both::<Hall>(&format!(
            r#"{{"name": "B", "seats": [], "best": null, "kind": {kind}}}"#
        ));
    }
    assert_eq!(both::<Id>("7"), Id(7));
    assert_eq!(both::<(u32, String)>(r#"[1, "a"]"#), (1, "a".to_string()));
    both::<serde_json::Value>(r#"{"a": [1, 2.5, null, true, {"b": []}]}"#);
    both::<BTreeMap<String, Vec<Seat>>>(r#"{"k": [{"row": 1, "label": "x"}]}"#);
}

#[test]
fn a_struct_given_as_an_array_is_refused_at_any_depth() {
    let seat = r#"[1, "x"]"#;
    assert!(
        serde_json::from_str::<Seat>(seat).is_ok(),
        "serde_json reads it"
    );
    assert_eq!(
        from_str::<Seat>(seat).unwrap_err().to_string(),
        "invalid type: sequence, expected struct Seat at line 1 column 0"
    );
    for hall in [
        r#"{"name": "A", "seats": [[1, null]], "best": null, "kind": "plain"}"#,
        r#"{"name": "A", "seats": [], "best": [1, null], "kind": "plain"}"#,
        r#"{"name": "A", "seats": [], "best": null, "kind": {"pair": [1, [2, null]]}}"#,
        r#"{"name": "A", "seats": [], "best": null, "kind": {"tiered": [[1, null], []]}}"#,
    ] {
        assert!(serde_json::from_str::<Hall>(hall).is_ok(), "{hall}");
        let e = from_str::<Hall>(hall).unwrap_err().to_string();
        assert!(
            e.starts_with("invalid type: sequence, expected struct"),
            "{hall}: {e}"
        );
    }
}

#[test]
fn refusals_carry_serde_jsons_messages_and_positions() {
    let cases = [
        r#"{"name": "A", "seats": [], "best": null}"#,
        r#"{"name": 1, "seats": [], "best": null, "kind": "plain"}"#,
        r#"{"name": "A", "seats": [{"row": "one"}], "best": null, "kind": "plain"}"#,
        r#"{"name": "A", "seats": [], "best": null, "kind": "grand"}"#,
        r#"{"name": "A", "seats": [], "best": null, "kind": {"named": 3}}"#,
        r#"{"name": "A", "seats": [], "best": null, "kind": "plain"} x"#,
        r#"{"name": "A", "seats": [,], "best": null, "kind": "plain"}"#,
        r#"{"name": "A", "seats": ["#,
        r#""hall""#,
        "",
    ];
    let messages: Vec<String> = cases.iter().map(|c| same_refusal::<Hall>(c)).collect();
    assert!(
        messages[0].starts_with("missing field `kind`"),
        "{}",
        messages[0]
    );
    assert!(
        messages[3].starts_with("unknown variant `grand`"),
        "{}",
        messages[3]
    );
    assert!(
        messages[5].starts_with("trailing characters"),
        "{}",
        messages[5]
    );
    for m in &messages {
        assert!(m.contains(" at line "), "{m}");
    }
}
