//! What an endpoint is: a method and a path, what it reads and what it answers.

/// The HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// One endpoint of `/api/v1`. The server routes [`Endpoint::PATH`] to its handler, the app fills it
/// with [`Endpoint::path`], and the OpenAPI document lists it with these types.
pub trait Endpoint {
    const METHOD: Method;
    /// The full path as routed and documented, parameters in braces (`/api/v1/registrations/{id}`).
    const PATH: &'static str;
    /// The query parameters (`()` for none).
    type Query;
    /// The JSON request body (`()` for none).
    type Request;
    /// The body of a successful answer (`()` for none).
    type Response;

    /// [`Endpoint::PATH`] with each `{parameter}` replaced, in order, by `encode(value)`.
    fn path(values: &[&str], encode: impl Fn(&str) -> String) -> String {
        let mut out = String::with_capacity(Self::PATH.len());
        let mut values = values.iter();
        let mut rest = Self::PATH;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
            out.push_str(&values.next().map(|v| encode(v)).unwrap_or_default());
            rest = &rest[close..];
        }
        out.push_str(rest);
        out
    }
}

/// `path?name=value&…` with each given value encoded; absent values are left out.
pub fn with_query(
    path: String,
    params: &[(&str, Option<&str>)],
    encode: impl Fn(&str) -> String,
) -> String {
    let mut out = path;
    for (name, value) in params {
        if let Some(v) = value {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(name);
            out.push('=');
            out.push_str(&encode(v));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::{CancelRegistration, GetCatalog, PutFeedback};

    #[test]
    fn paths_are_filled_in_order_and_encoded() {
        let upper = |s: &str| s.to_uppercase();
        assert_eq!(GetCatalog::path(&[], upper), "/api/v1/catalog");
        assert_eq!(
            CancelRegistration::path(&["r-1"], upper),
            "/api/v1/registrations/R-1"
        );
        assert_eq!(
            PutFeedback::path(&["c1", "primary"], |s| s.to_string()),
            "/api/v1/feedback/c1/primary"
        );
        assert_eq!(
            with_query(
                "/v".into(),
                &[("no", Some("1 2")), ("check", None), ("name", Some("王"))],
                |s| s.replace(' ', "%20")
            ),
            "/v?no=1%202&name=王"
        );
    }
}
