//! `multipart/form-data`, the body of the staff page's upload form: its text fields and its one
//! file, read from the whole body (the route's limit bounds it). Only what browsers send is
//! accepted; anything else is `None`, and the page says the form could not be read.

use std::collections::HashMap;

use memchr::memmem;

/// An uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePart {
    pub file_name: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// The parts of a form.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Form {
    pub fields: HashMap<String, String>,
    pub files: HashMap<String, FilePart>,
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut parts = content_type.split(';');
    let essence = parts.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let v = v.trim().trim_matches('"');
        (!v.is_empty() && v.len() <= 70).then(|| v.to_string())
    })
}

/// `name="…"` of a `Content-Disposition` header value (quoted; browsers percent-encode `"`).
fn param(disposition: &str, name: &str) -> Option<String> {
    let lower = disposition.to_ascii_lowercase();
    let key = format!("{name}=\"");
    let mut from = 0;
    while let Some(at) = lower[from..].find(&key) {
        let start = from + at;
        // A whole parameter name, not the tail of `filename` when asking for `name`.
        let before = lower[..start].trim_end().chars().last();
        if matches!(before, Some(';')) {
            let value_start = start + key.len();
            let end = disposition[value_start..].find('"')? + value_start;
            return Some(disposition[value_start..end].to_string());
        }
        from = start + key.len();
    }
    None
}

/// Parses a whole body; `None` when it is not a well-formed form of this boundary.
pub fn parse(body: &[u8], boundary: &str) -> Option<Form> {
    let dash = format!("--{boundary}");
    let delimiter = format!("\r\n--{boundary}");
    // The body starts with the first boundary (a preamble is allowed, then CRLF before it).
    let first = memmem::find(body, dash.as_bytes())?;
    let mut rest = &body[first + dash.len()..];
    let finder = memmem::Finder::new(delimiter.as_bytes());
    let mut form = Form::default();
    loop {
        if rest.starts_with(b"--") {
            return Some(form);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let head_end = memmem::find(rest, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..head_end]).ok()?;
        let content = &rest[head_end + 4..];
        let end = finder.find(content)?;
        let value = &content[..end];
        rest = &content[end + delimiter.len()..];
        let mut disposition = None;
        let mut content_type = None;
        for line in head.split("\r\n") {
            let (k, v) = line.split_once(':')?;
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                disposition = Some(v.trim().to_string());
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(v.trim().to_string());
            }
        }
        let disposition = disposition?;
        if !disposition.to_ascii_lowercase().starts_with("form-data") {
            return None;
        }
        let name = param(&disposition, "name")?;
        match param(&disposition, "filename") {
            Some(file_name) => {
                form.files.insert(
                    name,
                    FilePart {
                        file_name,
                        content_type,
                        bytes: value.to_vec(),
                    },
                );
            }
            None => {
                form.fields
                    .insert(name, String::from_utf8(value.to_vec()).ok()?);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

    fn body(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, file, value) in parts {
            out.extend_from_slice(format!("--{B}\r\n").as_bytes());
            match file {
                Some(f) => out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                         Content-Type: text/csv\r\n\r\n"
                    )
                    .as_bytes(),
                ),
                None => out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{B}--\r\n").as_bytes());
        out
    }

    #[test]
    fn fields_and_a_file_with_crlf_inside_are_read() {
        let csv = b"ticket_no,theory_score\r\n261200042000007,85\r\n--not the boundary\r\n";
        let b = body(&[
            ("kind", None, b"results"),
            ("csrf", None, b"abc"),
            ("file", Some("考生名单.csv"), csv),
        ]);
        let ct = format!("multipart/form-data; boundary={B}");
        let form = parse(&b, &boundary(&ct).unwrap()).unwrap();
        assert_eq!(form.fields["kind"], "results");
        assert_eq!(form.fields["csrf"], "abc");
        let f = &form.files["file"];
        assert_eq!(f.file_name, "考生名单.csv");
        assert_eq!(f.content_type.as_deref(), Some("text/csv"));
        assert_eq!(f.bytes, csv);
    }

    #[test]
    fn an_empty_file_and_binary_bytes_survive() {
        let zip = [b'P', b'K', 3, 4, 0, 0xff, b'\r', b'\n', 0];
        let b = body(&[("file", Some(""), b""), ("x", Some("a.xlsx"), &zip)]);
        let form = parse(&b, B).unwrap();
        assert!(form.files["file"].bytes.is_empty());
        assert_eq!(form.files["x"].bytes, zip);
    }

    #[test]
    fn what_is_not_a_form_is_refused() {
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(
            boundary("multipart/form-data; charset=utf-8; boundary=\"abc\""),
            Some("abc".into())
        );
        let b = body(&[("kind", None, b"results")]);
        assert!(parse(&b, "other").is_none());
        let cut = &b[..b.len() - 12];
        assert!(parse(cut, B).is_none(), "no closing boundary");
        assert!(parse(format!("--{B}\r\nX: y\r\n\r\nv\r\n--{B}--").as_bytes(), B).is_none());
        assert_eq!(
            param("form-data; filename=\"a.csv\"; name=\"file\"", "name"),
            Some("file".into())
        );
        assert_eq!(param("form-data; filename=\"a.csv\"", "name"), None);
    }
}
