//! `kaozheng_core::objects::members`: an object's members as the texts they are written as. Each
//! text reads as serde_json reads that member of the whole, for any object serde_json writes
//! (compact or pretty); what is not one object is refused; a member's own mistakes are left to
//! whatever reads it.

use kaozheng_core::objects::members;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        // Quarters: exact in binary, so reading one back gives the same number.
        (-4000i32..4000).prop_map(|n| json!(f64::from(n) / 4.0)),
        // Quotes, backslashes, braces, brackets, commas and colons inside strings.
        "[a-z\"\\\\{}\\[\\],: 考证\n\t]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z\"{},:]{0,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("[a-z_]{1,10}", value(), 0..6).prop_map(|m| m.into_iter().collect())
}

fn check(whole: &Map<String, Value>, text: &str) -> Result<(), TestCaseError> {
    let got = members(text).ok_or_else(|| TestCaseError::fail(format!("refused {text}")))?;
    prop_assert_eq!(got.len(), whole.len());
    for ((key, member), (k, v)) in got.iter().zip(whole) {
        prop_assert_eq!(*key, k.as_str());
        let read: Value = serde_json::from_str(member)
            .map_err(|e| TestCaseError::fail(format!("{member:?}: {e}")))?;
        prop_assert_eq!(&read, v);
    }
    Ok(())
}

proptest! {
    #[test]
    fn each_member_reads_as_that_member_of_the_whole(whole in object()) {
        check(&whole, &serde_json::to_string(&whole).unwrap())?;
        check(&whole, &serde_json::to_string_pretty(&whole).unwrap())?;
    }
}

#[test]
fn a_rule_set_splits_into_its_documents_as_written() {
    let text = r#" { "fees" : {"version":"1","policies":[]} , "eligibility":{"version":"2","restrictions":[{"a":"}]\","}]} }
"#;
    assert_eq!(
        members(text),
        Some(vec![
            ("fees", r#"{"version":"1","policies":[]}"#),
            (
                "eligibility",
                r#"{"version":"2","restrictions":[{"a":"}]\","}]}"#
            ),
        ])
    );
    assert_eq!(members("{}"), Some(vec![]));
    assert_eq!(members(" {\n} "), Some(vec![]));
    // Bare values end at the separator; what they say is the reader's business.
    assert_eq!(
        members(r#"{"a":12 ,"b":nul}"#),
        Some(vec![("a", "12"), ("b", "nul")])
    );
}

#[test]
fn what_is_not_one_object_is_refused() {
    for text in [
        "",
        "[]",
        r#""fees""#,
        "{",
        r#"{"fees"}"#,
        r#"{"fees":}"#,
        r#"{"fees":{"version":"1"}"#,
        r#"{"fees":{"version":"1"}} x"#,
        r#"{"fees":{"version":"1"},}"#,
        r#"{"fees":{"version":"1"} "grades":{}}"#,
        r#"{fees:{}}"#,
        r#"{"fees":"unterminated}"#,
        r#"{"a":[1,2}"#,
    ] {
        assert_eq!(members(text), None, "{text:?}");
    }
}
