//! Internally tagged enums (`{"kind": "…", …their fields}`) read through a flat struct of optional
//! fields and then checked, instead of serde's derived reader: that one buffers each object and
//! reads it again, which compiles every field type's reader once more for each enum. Measured on
//! the app's release WASM (`bench/wasm-size.sh`): 9,639 B less brotli for the four the app reads
//! (a refusal, an outbox action, a fee rule, a grade outcome), 2,366 B of it for `Refusal`. The
//! JSON is the same, written by the derived `Serialize`, and so are the messages a reader sees (an
//! import report names the field from "missing field `…`").

/// The field a variant needs, or serde's message for it missing.
pub(crate) fn need<T>(value: Option<T>, field: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("missing field `{field}`"))
}

/// Serde's message for a tag none of `expected` has.
pub(crate) fn unknown(tag: &str, expected: &[&str]) -> String {
    let names: Vec<String> = expected.iter().map(|n| format!("`{n}`")).collect();
    let expected = match names.as_slice() {
        [] => "no variants".to_string(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        _ => format!("one of {}", names.join(", ")),
    };
    format!("unknown variant `{tag}`, expected {expected}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_serdes_own() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        #[allow(dead_code)]
        enum Three {
            A,
            B,
            C,
        }
        let serde_says = serde_json::from_str::<Three>(r#"{"kind":"d"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            serde_says.starts_with(&unknown("d", &["a", "b", "c"])),
            "{serde_says}"
        );
        assert_eq!(
            unknown("x", &["a", "b"]),
            "unknown variant `x`, expected `a` or `b`"
        );
        assert_eq!(
            need(None::<u8>, "exams").unwrap_err(),
            "missing field `exams`"
        );
        assert_eq!(need(Some(3), "exams"), Ok(3));
    }
}
