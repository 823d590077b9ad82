//! The Content-Security-Policy of the built app: only this origin's scripts, WASM compilation, and
//! index.html's own inline scripts and styles, allowed by their hashes.

use axum::http::HeaderValue;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The policy: only this origin's scripts, WASM compilation, and the page's own inline scripts by
/// hash (Trunk's loader is one), never 'unsafe-inline'.
pub fn content_security_policy(
    script_hashes: &[String],
    style_hashes: &[String],
    frame_ancestors: &[String],
) -> String {
    let with = |base: &str, extra: &[String]| {
        let mut s = base.to_string();
        for e in extra {
            s.push(' ');
            s.push_str(e);
        }
        s
    };
    [
        "default-src 'self'".to_string(),
        with("script-src 'self' 'wasm-unsafe-eval'", script_hashes),
        with("style-src 'self'", style_hashes),
        "img-src 'self' data:".to_string(),
        "connect-src 'self'".to_string(),
        "manifest-src 'self'".to_string(),
        "worker-src 'self'".to_string(),
        with("frame-ancestors 'self'", frame_ancestors),
        "base-uri 'self'".to_string(),
        "form-action 'self'".to_string(),
        "object-src 'none'".to_string(),
    ]
    .join("; ")
}

pub(super) fn csp_header(policy: &str) -> HeaderValue {
    HeaderValue::from_str(policy).expect("the policy is built from checked ASCII parts")
}

/// `'sha256-…'` sources for every inline `<script>` (no `src`) and every `<style>` element.
pub fn inline_hashes(html: &str) -> (Vec<String>, Vec<String>) {
    let (mut scripts, mut styles) = (Vec::new(), Vec::new());
    for (tag, has_src, content) in inline_elements(html) {
        let source = format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(content.as_bytes()))
        );
        let list = if tag == "script" {
            if has_src {
                continue;
            }
            &mut scripts
        } else {
            &mut styles
        };
        if !list.contains(&source) {
            list.push(source);
        }
    }
    (scripts, styles)
}

/// `(tag, has src attribute, raw content)` for each `<script>` and `<style>` element outside
/// comments. Their content is raw text up to the matching end tag, as browsers parse it.
fn inline_elements(html: &str) -> Vec<(&'static str, bool, &str)> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(rel) = lower[pos..].find('<') {
        let at = pos + rel;
        if lower[at..].starts_with("<!--") {
            pos = lower[at..].find("-->").map_or(lower.len(), |e| at + e + 3);
            continue;
        }
        let tag = ["script", "style"].into_iter().find(|t| {
            lower[at + 1..].starts_with(t)
                && lower[at + 1 + t.len()..]
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
        });
        let Some(tag) = tag else {
            pos = at + 1;
            continue;
        };
        let Some(open_end) = end_of_tag(&lower, at + 1 + tag.len()) else {
            break;
        };
        let attrs = &lower[at + 1 + tag.len()..open_end];
        let has_src = attribute_names(attrs).any(|n| n == "src");
        let content_start = open_end + 1;
        let close = format!("</{tag}");
        let content_end = lower[content_start..]
            .find(&close)
            .map_or(lower.len(), |e| content_start + e);
        out.push((tag, has_src, &html[content_start..content_end]));
        pos = content_end;
    }
    out
}

/// Index of the `>` closing a start tag, skipping quoted attribute values.
fn end_of_tag(s: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, b) in s.bytes().enumerate().skip(from) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// Attribute names of a start tag's attribute text (values skipped).
fn attribute_names(attrs: &str) -> impl Iterator<Item = &str> {
    let bytes = attrs.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() {
                return None;
            }
            let start = i;
            while i < bytes.len()
                && !bytes[i].is_ascii_whitespace()
                && !matches!(bytes[i], b'=' | b'/')
            {
                i += 1;
            }
            let name = &attrs[start..i];
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && bytes[i] == b'=' {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                    let q = bytes[i];
                    i += 1;
                    while i < bytes.len() && bytes[i] != q {
                        i += 1;
                    }
                    i += 1;
                } else {
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                }
            }
            if !name.is_empty() {
                return Some(name);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(s: &str) -> String {
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
        )
    }

    #[test]
    fn inline_scripts_and_styles_are_hashed_external_ones_are_not() {
        let loader =
            "\nimport init from '/kaozheng-abc.js';\nawait init('/kaozheng-abc_bg.wasm');\n";
        let html = format!(
            "<!doctype html><html><head>\
             <!-- <script>commented()</script> -->\
             <script src=\"/x.js\"></script>\
             <SCRIPT type='module' data-x=\"a>b\">{loader}</SCRIPT>\
             <style>body{{margin:0}}</style>\
             <scripts>not a script</scripts>\
             <script>{loader}</script>\
             </head><body></body></html>"
        );
        let (scripts, styles) = inline_hashes(&html);
        assert_eq!(
            scripts,
            vec![sha(loader)],
            "duplicates collapse, external and commented skipped"
        );
        assert_eq!(styles, vec![sha("body{margin:0}")]);
    }

    #[test]
    fn policy_lists_hashes_and_never_unsafe_inline() {
        let p = content_security_policy(
            &["'sha256-AAA='".into()],
            &[],
            &["https://portal.example.edu.cn".into()],
        );
        assert!(p.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-AAA='; style-src 'self'; img-src 'self' data:;"), "{p}");
        assert!(p.contains("frame-ancestors 'self' https://portal.example.edu.cn;"));
        assert!(p.ends_with("object-src 'none'"));
        assert!(!p.contains("unsafe-inline"));
    }
}
