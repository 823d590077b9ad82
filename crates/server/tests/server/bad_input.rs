//! Bad input to every endpoint, driven by the OpenAPI document's paths, parameters and request
//! schemas (a new endpoint is covered as soon as it is documented): SQL metacharacters, NUL and
//! control characters, invalid UTF-8 (percent-encoded in paths and queries, raw in bodies and
//! headers), wrong JSON types, huge numbers, deep nesting, oversized bodies and wrong content types.
//! Every answer is a 4xx with the API's error shape, or the documented success for input that is
//! harmless; never a 5xx. Nothing is written (the login rate limits count the failed logins, by
//! design). Then SQL metacharacters where text is allowed are stored literally, and bytes hyper
//! itself refuses (raw invalid UTF-8 in the request line) get a 4xx from a real socket.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode};
use serde_json::{Value, json};

use super::harness::{diff, dump_except};
use super::support::{Res, TestApp};
use crate::on_both;

/// Text that has broken SQL built by string concatenation, or a database's text type.
const NASTY_TEXT: &[&str] = &[
    "' OR 1=1 --",
    "\"; DROP TABLE students;--",
    "'); DELETE FROM registrations; --",
    "1; SELECT pg_sleep(5)",
    "%' AND 1=0 UNION SELECT token_hash FROM sessions --",
    "\\' OR \\'1\\'=\\'1",
    "nul\u{0}byte",
    "\u{0}",
    "bell\u{7}esc\u{1b}[31m",
    "\u{202e}gnp.exe",
    "=cmd|' /C calc'!A0",
    "../../../../etc/passwd",
    "𠀀𝕏🙂",
];

/// Percent-encoded path and query values, some of them not UTF-8 once decoded.
const NASTY_ENCODED: &[&str] = &[
    "%27%20OR%201%3D1%20--",
    "%22%3B%20DROP%20TABLE%20students%3B--",
    "%FF%FE",
    "%C3%28",
    "%ED%A0%80",
    "%00",
    "%E2%80%AE",
    "..%2F..%2Fetc%2Fpasswd",
    "%25%25%25",
];

/// Values that are not the type a field has, or numbers no integer type holds. `RAW:` values are
/// written into the JSON text as they are.
const WRONG_TYPES: &[&str] = &[
    "1",
    "-1",
    "0.5",
    "true",
    "null",
    "[]",
    "{}",
    "[\"a\"]",
    "RAW:1e400",
    "RAW:18446744073709551616",
    "RAW:-9223372036854775809",
    "RAW:99999999999999999999999999999999999999",
];

/// One documented operation.
struct Op {
    method: Method,
    path: String,
    path_params: Vec<String>,
    query_params: Vec<String>,
    body: Option<Value>,
    body_type: Option<String>,
    security: Option<String>,
}

fn document() -> Value {
    serde_json::from_str(kaozheng_server::api::openapi::json()).unwrap()
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str() {
        Some(r) => doc.pointer(&r[1..]).unwrap(),
        None => v,
    }
}

/// A plausible value for a parameter or field by its name; anything unknown gets plain text, so
/// a newly documented parameter is still exercised. Values that would write are chosen to be
/// refused (no such plan or registration, a level without a result to rate, a wrong password),
/// so only the bad part of a request is new.
fn example(name: &str) -> &'static str {
    match name {
        "id" => "reg-does-not-exist",
        "kind" => "sites",
        "certificate_id" | "certificate" => "bim",
        "level" => "advanced",
        "province" => "天津",
        "ticket_no" => "261200001000001",
        "check" => "ABCDEFGHJK",
        "no" => "CERT-0001",
        "name" => "王晓明",
        "student_no" => "TJ2024001",
        // Never the real password: no mutated login may succeed and start a session.
        "password" => "not-the-password-1",
        "assertion" => "e30.e30.sig",
        "client_id" => "bad-input-1",
        // No such plan: a mutation elsewhere must not register anyone.
        "plan_id" => "plan-does-not-exist",
        "comment" => "还行",
        // Valid values, so the other parameters' mutations reach past these checks.
        "format" => "csv",
        "include_cancelled" => "false",
        "exam_starts_at" => "2026-12-20 09:00",
        "dry_run" => "true",
        "move" => "publish",
        "username" => "demo-tianjin",
        _ => "x",
    }
}

/// A valid instance of a request schema, built from its properties.
fn instance(doc: &Value, schema: &Value, name: &str) -> Value {
    let schema = resolve(doc, schema);
    let ty = match &schema["type"] {
        Value::Array(types) => types[0].as_str().unwrap_or("string").to_string(),
        t => t.as_str().unwrap_or("string").to_string(),
    };
    match ty.as_str() {
        "object" => {
            let mut o = serde_json::Map::new();
            if let Some(props) = schema["properties"].as_object() {
                for (k, v) in props {
                    o.insert(k.clone(), instance(doc, v, k));
                }
            }
            Value::Object(o)
        }
        "integer" | "number" => json!(schema["minimum"].as_i64().unwrap_or(1)),
        "boolean" => json!(false),
        "array" => json!([]),
        _ => json!(example(name)),
    }
}

fn operations(doc: &Value) -> Vec<Op> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let params: Vec<&Value> = op["parameters"]
                .as_array()
                .map(|a| a.iter().map(|p| resolve(doc, p)).collect())
                .unwrap_or_default();
            let names = |place: &str| {
                params
                    .iter()
                    .filter(|p| p["in"] == place)
                    .map(|p| p["name"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
            };
            let content = op["requestBody"]["content"].as_object();
            let (body, body_type) = match content {
                // A file upload (the import): a CSV with one refused row, so any request that
                // gets past the checks is still refused as a whole (and writes nothing).
                Some(c) if c.contains_key("text/csv") => (
                    Some(json!(
                        "id,name,province,city,address\nbad id,考点,天津,天津,示例路\n"
                    )),
                    Some("text/csv".to_string()),
                ),
                Some(c) => match c.get("application/json") {
                    Some(c) => (
                        Some(instance(doc, &c["schema"], "")),
                        Some("application/json".to_string()),
                    ),
                    None => panic!("{method} {path}: a request body this test cannot make"),
                },
                None => (None, None),
            };
            let security = op["security"][0]
                .as_object()
                .and_then(|s| s.keys().next().cloned());
            out.push(Op {
                method: method.to_uppercase().parse().unwrap(),
                path: path.clone(),
                path_params: names("path"),
                query_params: names("query"),
                body,
                body_type,
                security,
            });
        }
    }
    out
}

/// Percent-encodes every byte but the unreserved ones.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A request to send and what it is, for the failure message.
struct Case {
    what: String,
    method: Method,
    uri: String,
    headers: Vec<(&'static str, HeaderValue)>,
    body: Vec<u8>,
}

impl Op {
    fn uri(&self, path_values: &BTreeMap<&str, String>, query: &str) -> String {
        let mut p = self.path.clone();
        for name in &self.path_params {
            let v = path_values
                .get(name.as_str())
                .cloned()
                .unwrap_or_else(|| enc(example(name)));
            p = p.replace(&format!("{{{name}}}"), &v);
        }
        if query.is_empty() {
            p
        } else {
            format!("{p}?{query}")
        }
    }

    fn valid_query(&self) -> Vec<(String, String)> {
        self.query_params
            .iter()
            .map(|q| (q.clone(), enc(example(q))))
            .collect()
    }

    fn body_bytes(&self, body: &Value) -> Vec<u8> {
        match (self.body_type.as_deref(), body) {
            (Some("application/json"), _) => serde_json::to_vec(body).unwrap(),
            (_, Value::String(s)) => s.clone().into_bytes(),
            _ => Vec::new(),
        }
    }

    fn case(&self, what: String, uri: String, body: Vec<u8>) -> Case {
        let mut headers = Vec::new();
        if let Some(ct) = &self.body_type {
            headers.push(("content-type", HeaderValue::from_str(ct).unwrap()));
        }
        Case {
            what: format!("{} {}: {what}", self.method, self.path),
            method: self.method.clone(),
            uri,
            headers,
            body,
        }
    }

    /// Every bad variant of this operation.
    fn cases(&self) -> Vec<Case> {
        let mut out = Vec::new();
        let none = BTreeMap::new();
        let join = |q: &[(String, String)]| {
            q.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        };
        let valid_query = self.valid_query();
        let base_body = self
            .body
            .as_ref()
            .map(|b| self.body_bytes(b))
            .unwrap_or_default();
        let base_uri = self.uri(&none, &join(&valid_query));

        // Path parameters.
        for name in &self.path_params {
            let mut values: Vec<String> = NASTY_TEXT.iter().map(|v| enc(v)).collect();
            values.extend(NASTY_ENCODED.iter().map(|v| v.to_string()));
            values.push("a".repeat(10_000));
            for v in values {
                let uri = self.uri(
                    &BTreeMap::from([(name.as_str(), v.clone())]),
                    &join(&valid_query),
                );
                out.push(self.case(format!("path {name}={v:.40}"), uri, base_body.clone()));
            }
        }
        // Query parameters, documented or not.
        let mut names = self.query_params.clone();
        names.push("undocumented".into());
        for name in &names {
            let mut values: Vec<String> = NASTY_TEXT.iter().map(|v| enc(v)).collect();
            values.extend(NASTY_ENCODED.iter().map(|v| v.to_string()));
            values.extend([
                "".into(),
                "a".repeat(10_000),
                "99999999999999999999999".into(),
                "-1".into(),
            ]);
            for v in values {
                let mut q: Vec<(String, String)> = valid_query
                    .iter()
                    .filter(|(k, _)| k != name)
                    .cloned()
                    .collect();
                q.push((name.clone(), v.clone()));
                out.push(self.case(
                    format!("query {name}={v:.40}"),
                    self.uri(&none, &join(&q)),
                    base_body.clone(),
                ));
            }
            // Repeated and array-style parameters.
            let q = format!("{}&{name}=a&{name}=b&{name}%5B%5D=c", join(&valid_query));
            out.push(self.case(
                format!("query {name} repeated"),
                self.uri(&none, &q),
                base_body.clone(),
            ));
        }
        out.push(self.case(
            "a query that is not key=value".into(),
            self.uri(&none, "%%%&=&&==x"),
            base_body.clone(),
        ));

        // Headers.
        for (name, value) in [
            (
                "authorization",
                HeaderValue::from_bytes(b"Bearer \xff\xfe\xfd-not-utf8-token").unwrap(),
            ),
            (
                "authorization",
                HeaderValue::from_str(&format!("Bearer {}", "a".repeat(8_000))).unwrap(),
            ),
            (
                "authorization",
                HeaderValue::from_static("Bearer ' OR 1=1 --"),
            ),
            (
                "authorization",
                HeaderValue::from_static("Basic JyBPUiAxPTEgLS06eA=="),
            ),
            (
                "if-none-match",
                HeaderValue::from_bytes(b"W/\"\xff\" , \"").unwrap(),
            ),
            (
                "accept-encoding",
                HeaderValue::from_static("br;q=NaN, gzip;q=-1, *;q=2"),
            ),
            (
                "x-forwarded-for",
                HeaderValue::from_static("' OR 1=1 --, 999.1.1.1"),
            ),
        ] {
            let mut c = self.case(
                format!("header {name}"),
                base_uri.clone(),
                base_body.clone(),
            );
            c.headers.push((name, value));
            out.push(c);
        }

        let Some(body) = &self.body else {
            // An unexpected body on an operation without one is ignored or refused, never a 5xx.
            out.push(self.case(
                "an unexpected 1 MiB body".into(),
                base_uri.clone(),
                vec![b'{'; 1 << 20],
            ));
            return out;
        };
        if self.body_type.as_deref() == Some("application/json") {
            // Every field, nested ones too: nasty text, wrong types, missing.
            for pointer in pointers(body, "") {
                let mut variants: Vec<String> = NASTY_TEXT
                    .iter()
                    .map(|t| serde_json::to_string(&json!(t)).unwrap())
                    .collect();
                variants.push(serde_json::to_string(&json!("a".repeat(10_000))).unwrap());
                variants.extend(
                    WRONG_TYPES
                        .iter()
                        .map(|w| w.strip_prefix("RAW:").unwrap_or(w).to_string()),
                );
                for v in variants {
                    let text = with_raw(body, &pointer, &v);
                    out.push(self.case(
                        format!("body {pointer}={v:.40}"),
                        base_uri.clone(),
                        text.into_bytes(),
                    ));
                }
                let mut missing = body.clone();
                remove(&mut missing, &pointer);
                out.push(self.case(
                    format!("body without {pointer}"),
                    base_uri.clone(),
                    serde_json::to_vec(&missing).unwrap(),
                ));
            }
            let mut extra = body.clone();
            extra["is_admin"] = json!(true);
            out.push(self.case(
                "body with an unknown field".into(),
                base_uri.clone(),
                serde_json::to_vec(&extra).unwrap(),
            ));
            // A string field with invalid UTF-8 bytes inside the JSON text.
            let mut raw = serde_json::to_vec(body).unwrap();
            if let Some(at) = raw.windows(2).position(|w| w == b"\":") {
                let quote = raw[at + 2..]
                    .iter()
                    .position(|b| *b == b'"')
                    .map(|p| at + 3 + p);
                if let Some(q) = quote {
                    raw.splice(q..q, [0xff, 0xfe, 0xc3, 0x28]);
                }
            }
            out.push(self.case(
                "invalid UTF-8 inside a JSON string".into(),
                base_uri.clone(),
                raw,
            ));
        }
        let limit = if self.path.contains("/admin/import/") {
            16 << 20
        } else {
            64 << 10
        };
        for (what, bytes) in [
            ("an empty body", Vec::new()),
            ("JSON null", b"null".to_vec()),
            ("a JSON array", b"[1,2,3]".to_vec()),
            ("a JSON string", b"\"text\"".to_vec()),
            ("truncated JSON", b"{\"a\": [1, 2".to_vec()),
            ("duplicate keys", b"{\"a\":1,\"a\":2}".to_vec()),
            ("deeply nested arrays", "[".repeat(100_000).into_bytes()),
            (
                "deeply nested objects",
                "{\"a\":".repeat(50_000).into_bytes(),
            ),
            ("invalid UTF-8", b"\xff\xfe\xfd{\"\xc3\x28\": 1}".to_vec()),
            (
                "a byte order mark",
                [b"\xef\xbb\xbf".as_slice(), &base_body].concat(),
            ),
            (
                "GBK text",
                b"student_no,name\nBAD1,\xd6\xd0\xce\xc4\n".to_vec(),
            ),
            ("one byte over the limit", vec![b' '; limit + 1]),
        ] {
            out.push(self.case(what.to_string(), base_uri.clone(), bytes));
        }
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json; charset=gbk",
            "application/xml",
            "\u{7f}",
        ] {
            let mut c = self.case(
                format!("content type {ct:?}"),
                base_uri.clone(),
                base_body.clone(),
            );
            c.headers.retain(|(n, _)| *n != "content-type");
            if let Ok(v) = HeaderValue::from_str(ct) {
                c.headers.push(("content-type", v));
            }
            out.push(c);
        }
        let mut c = self.case(
            "no content type".into(),
            base_uri.clone(),
            base_body.clone(),
        );
        c.headers.retain(|(n, _)| *n != "content-type");
        out.push(c);
        out
    }
}

/// JSON pointers of every leaf and object field of `v`.
fn pointers(v: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Value::Object(o) = v {
        for (k, child) in o {
            let p = format!("{at}/{k}");
            out.push(p.clone());
            out.extend(pointers(child, &p));
        }
    }
    out
}

/// The JSON text of `body` with the value at `pointer` replaced by raw JSON text.
fn with_raw(body: &Value, pointer: &str, raw: &str) -> String {
    let mut v = body.clone();
    *v.pointer_mut(pointer).unwrap() = json!("__RAW_VALUE__");
    serde_json::to_string(&v)
        .unwrap()
        .replace("\"__RAW_VALUE__\"", raw)
}

fn remove(v: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    if let Some(Value::Object(o)) = v.pointer_mut(parent) {
        o.remove(key);
    }
}

async fn send(t: &TestApp, c: &Case, token: Option<&str>) -> Res {
    let mut req = Request::builder().method(c.method.clone()).uri(&c.uri);
    let mut authorized = false;
    for (name, value) in &c.headers {
        authorized |= *name == "authorization";
        req = req.header(*name, value.clone());
    }
    if let (Some(t), false) = (token, authorized) {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    t.send(req.body(Body::from(c.body.clone())).unwrap()).await
}

/// Never a 5xx; an API refusal is always JSON in the documented shape.
fn check(c: &Case, who: &str, res: &Res) {
    assert!(
        !res.status.is_server_error(),
        "{} ({who}): {} {}",
        c.what,
        res.status,
        String::from_utf8_lossy(&res.body)
    );
    if res.status.is_client_error() && c.uri.starts_with("/api/") {
        let v: Value = serde_json::from_slice(&res.body).unwrap_or_else(|e| {
            panic!(
                "{} ({who}): a {} that is not the API's JSON error ({e}): {:?}",
                c.what,
                res.status,
                String::from_utf8_lossy(&res.body)
            )
        });
        // A refused import answers with its report instead (documented as such).
        let report = res.status == StatusCode::UNPROCESSABLE_ENTITY && v["rejected"].is_array();
        assert!(
            v["error"]["code"].is_string() || report,
            "{} ({who}): {v}",
            c.what
        );
    }
}

on_both! {
    async fn bad_input_to_every_endpoint_is_a_4xx_and_changes_nothing(b) {
        let t = TestApp::on(b).await;
        let student = t.session_for("TJ2024001").await;
        let admin = t.admin_token().await;
        let doc = document();
        let ops = operations(&doc);
        assert_eq!(ops.len(), kaozheng_server::api::endpoints().len(), "every routed operation is documented");

        // Failed logins and look-ups count against their limits by design, and sign-outs end the
        // sessions made for them (checked apart); nothing else may change.
        let skip = ["rate_limits", "rate_limit_hits", "rate_limit_keys", "sessions"];
        let before = dump_except(&t.state.db, &skip).await;
        let sessions = |t: &TestApp| {
            let pool = t.state.db.pool.clone();
            async move {
                sqlx::query_as::<_, (i64, i64)>(
                    "SELECT COUNT(*), COUNT(revoked_at) FROM sessions",
                )
                .fetch_one(&pool)
                .await
                .unwrap()
            }
        };
        let (sessions_before, revoked_before) = sessions(&t).await;
        let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
        let (mut sent, mut signed_out) = (0, 0);
        for op in &ops {
            // Signing out with harmless extras (a query, an unused body) is a sign-out: each
            // such request gets a session of its own.
            let logout = op.path == "/api/v1/auth/logout";
            for c in op.cases() {
                // As the caller the operation is for (so the checks past sign-in run), and
                // without credentials.
                let mut whos = vec![("no token", None)];
                match op.security.as_deref() {
                    Some("studentBearer") if logout => whos.push(("signed in", Some(t.session_for("TJ2024002").await))),
                    Some("studentBearer") => whos.push(("signed in", Some(student.clone()))),
                    Some("adminBearer") => whos.push(("admin", Some(admin.clone()))),
                    _ => {}
                }
                for (who, tok) in whos {
                    let res = send(&t, &c, tok.as_deref()).await;
                    check(&c, who, &res);
                    if c.method != Method::GET && res.status.is_success() {
                        assert!(logout && res.status == StatusCode::NO_CONTENT, "{} ({who}): a write was accepted: {}", c.what, res.text());
                        signed_out += 1;
                    }
                    *statuses.entry(res.status.as_u16()).or_default() += 1;
                    sent += 1;
                }
            }
        }
        let after = dump_except(&t.state.db, &skip).await;
        assert!(before == after, "bad input changed the database: {:#?}", diff(&before, &after));
        let made: i64 = ops
            .iter()
            .filter(|o| o.path == "/api/v1/auth/logout")
            .map(|o| o.cases().len() as i64)
            .sum();
        let (sessions_after, revoked_after) = sessions(&t).await;
        assert_eq!(sessions_after, sessions_before + made, "no bad login or assertion started a session");
        assert_eq!(revoked_after, revoked_before + signed_out, "only the sign-outs ended sessions");
        // The session used throughout still works: nothing above signed it out.
        assert_eq!(t.get_as("/api/v1/me", &student).await.status, StatusCode::OK);
        println!("bad input ({b:?}): {} operations, {sent} requests, 0 answered 5xx; statuses {statuses:?}", ops.len());
    }
}

on_both! {
    /// Where text is allowed, SQL metacharacters are just text: stored and served back as sent,
    /// every table still there.
    async fn sql_metacharacters_in_text_are_stored_literally(b) {
        let t = TestApp::on(b).await;
        let admin = t.admin_token().await;
        let students: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM students")
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        let name = "'; DROP TABLE students;--";
        let address = "' OR 1=1 -- \"; DELETE FROM sites; --";
        let csv = format!("id,name,province,city,address\nsql-site,\"{name}\",天津,天津,\"{}\"\n", address.replace('"', "\"\""));
        let res = t.import(&admin, "sites", "text/csv", csv).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let sites = t.get("/api/v1/sites").await.json();
        let site = sites["sites"].as_array().unwrap().iter().find(|s| s["id"] == "sql-site").unwrap().clone();
        assert_eq!((site["name"].as_str(), site["address"].as_str()), (Some(name), Some(address)));

        // A feedback comment on 王晓明's publicized result.
        let wang = t.login("TJ2024001").await;
        let results = t.get_as("/api/v1/results", &wang).await.json();
        let r = results["results"].as_array().unwrap().iter().find(|r| r["state"] == "publicized").unwrap().clone();
        let (cert, level) = (r["certificate_id"].as_str().unwrap(), r["level"].as_str().unwrap());
        let comment = "' OR '1'='1'; UPDATE feedback SET comment = NULL; --";
        let res = t
            .call(
                Method::PUT,
                &format!("/api/v1/feedback/{cert}/{level}"),
                Some(&wang),
                Some(json!({"client_id": "sql-1", "ratings": {"content_quality": 3, "social_recognition": 3, "learning_effect": 3}, "comment": comment})),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let mine = t.get_as("/api/v1/feedback", &wang).await.json();
        assert!(mine.to_string().contains(&serde_json::to_string(comment).unwrap()[1..comment.len()]), "{mine}");

        // The classic login bypass is a wrong login.
        let res = t
            .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"student_no": "' OR '1'='1", "password": "' OR '1'='1"})))
            .await;
        assert_eq!((res.status, res.code().as_str()), (StatusCode::UNAUTHORIZED, "invalid_credentials"));
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM students")
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        assert_eq!(after, students);
    }
}

/// Bytes the router never sees: raw invalid UTF-8 and control bytes in the request line and the
/// headers, sent over a real socket. hyper or the API answers with a 4xx; the server goes on.
#[tokio::test]
async fn raw_invalid_bytes_on_the_wire_get_a_4xx() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let root = tempfile::tempdir().unwrap();
    let clock = super::support::TestClock::at(super::support::now());
    let server = super::support::Listening::serve(
        kaozheng_server::Server::start(super::support::config(root.path(), &clock))
            .await
            .unwrap(),
    );
    let addr = server.addr;
    let requests: Vec<Vec<u8>> = vec![
        b"GET /api/v1/plans?province=\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET /api/v1/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        b"DELETE /api/v1/registrations/\xc3\x28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1\xf0\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET /api/v1/plans?province=%27%00 HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\nConnection: close\r\n\r\n".to_vec(),
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\nConnection: close\r\n\r\n{}".to_vec(),
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nFFFFFFFFFFFF\r\n{\"a\"".to_vec(),
        b"GARBAGE\r\n\r\n".to_vec(),
    ];
    for raw in &requests {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(raw).await.unwrap();
        let _ = s.shutdown().await;
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            s.read_to_end(&mut answer),
        )
        .await;
        let head = String::from_utf8_lossy(&answer[..answer.len().min(40)]).to_string();
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        // No answer at all (hyper closing a connection it cannot parse) is a refusal too.
        assert!(
            status == 0 || (400..500).contains(&status),
            "{:?}: {head:?}",
            String::from_utf8_lossy(raw)
        );
    }
    let res = reqwest::get(format!("http://{addr}/api/v1/sites"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the server still answers");
    server.stop().await;
}

on_both! {
    /// A query that is not UTF-8 text once decoded (`%FF`) used to become U+FFFD and answer 200;
    /// a NUL used to be a miss on SQLite and `invalid_text` (undocumented) on PostgreSQL. Now each
    /// is the same documented refusal on both databases, wherever the text comes in.
    async fn text_that_is_not_text_is_refused_alike_on_both_databases(b) {
        let t = TestApp::on(b).await;
        let student = t.session_for("TJ2024001").await;
        for uri in [
            "/api/v1/plans?province=%FF",
            "/api/v1/plans?province=%C3%28",
            "/api/v1/sites?undocumented=%FF%FE",
            "/api/v1/catalog?x=%ED%A0%80",
            "/api/v1/plans?province=%00",
            "/api/v1/plans?province=%E5%A4%A9%00",
            "/api/v1/tickets/verify?ticket_no=261200001000001%00&check=ABCDEFGHJK",
            "/api/v1/certificates/verify?no=%00&name=x",
            "/api/v1/feedback/aggregates?certificate_id=bim%00",
        ] {
            let res = t.get(uri).await;
            assert_eq!((res.status, res.code().as_str()), (StatusCode::BAD_REQUEST, "invalid_query"), "{uri}");
        }
        let res = t.get_as("/api/v1/registrations?x=%FF", &student).await;
        assert_eq!((res.status, res.code().as_str()), (StatusCode::BAD_REQUEST, "invalid_query"));
        for uri in ["/api/v1/registrations/reg%00x", "/api/v1/registrations/%FF"] {
            let res = t.delete_as(uri, &student).await;
            assert_eq!((res.status, res.code().as_str()), (StatusCode::BAD_REQUEST, "invalid_path"), "{uri}");
        }
        let login = t
            .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"student_no": "TJ2024001\u{0}", "password": "not-the-password-1"})))
            .await;
        assert_eq!((login.status, login.code().as_str()), (StatusCode::BAD_REQUEST, "invalid_body"));
        let reg = t.post_as("/api/v1/registrations", &student, json!({"client_id": "nul-1", "plan_id": "demo\u{0}plan"})).await;
        assert_eq!((reg.status, reg.code().as_str()), (StatusCode::BAD_REQUEST, "invalid_body"));
        let embed = t.call(Method::POST, "/api/v1/auth/embed", None, Some(json!({"assertion": "e30.e30.\u{0}"}))).await;
        assert_eq!((embed.status, embed.code().as_str()), (StatusCode::BAD_REQUEST, "invalid_body"));
        // Text that only looks like the escape is text, and valid queries still answer.
        let quoted = t
            .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"student_no": "TJ\\u0000", "password": "not-the-password-1"})))
            .await;
        assert_eq!(quoted.status, StatusCode::UNAUTHORIZED, "{}", quoted.text());
        assert_eq!(t.get("/api/v1/plans?province=%E5%A4%A9%E6%B4%A5").await.status, StatusCode::OK);
    }
}

/// Requests hyper refuses before the router (it writes those answers itself): each now has the
/// API's error body, a documented code, the security headers and `Connection: close` (they used to
/// come back with an empty body). The server goes on answering.
#[tokio::test]
async fn refusals_below_the_router_have_the_error_shape() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let root = tempfile::tempdir().unwrap();
    let clock = super::support::TestClock::at(super::support::now());
    let server = super::support::Listening::serve(
        kaozheng_server::Server::start(super::support::config(root.path(), &clock))
            .await
            .unwrap(),
    );
    let doc = document();
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "#/components/schemas/Error",
        "components": doc["components"],
    });
    let error_schema = jsonschema::options().build(&schema).unwrap();
    let long_uri = format!("/api/v1/plans?province={}", "a".repeat(70_000));
    let many_headers = "X-A: b\r\n".repeat(200);
    let huge_head = format!("X-Big: {}\r\n", "b".repeat(1 << 20));
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "a 70 KB URI",
            format!("GET {long_uri} HTTP/1.1\r\nHost: x\r\n\r\n").into_bytes(),
            414,
            "uri_too_long",
        ),
        (
            "a 1 MiB header",
            format!("GET /api/v1/sites HTTP/1.1\r\nHost: x\r\n{huge_head}\r\n").into_bytes(),
            431,
            "headers_too_large",
        ),
        (
            "200 headers",
            format!("GET /api/v1/sites HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n").into_bytes(),
            431,
            "headers_too_large",
        ),
        (
            "a NUL in a header",
            b"GET /api/v1/sites HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n".to_vec(),
            400,
            "malformed_request",
        ),
        (
            "a raw 0xFF byte in the path",
            b"GET /api/v1/\xff HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            400,
            "malformed_request",
        ),
        (
            "a Content-Length that is not a number",
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}"
                .to_vec(),
            400,
            "malformed_request",
        ),
        (
            "a Content-Length beyond any integer",
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n{}"
                .to_vec(),
            400,
            "malformed_request",
        ),
        (
            "no request line",
            b"GARBAGE\r\n\r\n".to_vec(),
            400,
            "malformed_request",
        ),
    ];
    for (what, raw, status, code) in &cases {
        let mut s = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        // The server may stop reading (and answer) before all of a huge head is sent.
        let _ = s.write_all(raw).await;
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            s.read_to_end(&mut answer),
        )
        .await;
        let split = answer
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("{what}: no answer: {:?}", String::from_utf8_lossy(&answer)));
        let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
        let body = &answer[split + 4..];
        assert!(
            head.starts_with(&format!("http/1.1 {status} ")),
            "{what}: {head}"
        );
        for header in [
            "content-type: application/json".to_string(),
            format!("content-length: {}", body.len()),
            "connection: close".into(),
            "x-content-type-options: nosniff".into(),
            "content-security-policy: default-src 'none'; frame-ancestors 'none'".into(),
        ] {
            assert!(
                head.contains(&format!("\r\n{header}")),
                "{what}: no {header}: {head}"
            );
        }
        let v: Value = serde_json::from_slice(body).unwrap_or_else(|e| {
            panic!(
                "{what}: not JSON ({e}): {:?}",
                String::from_utf8_lossy(body)
            )
        });
        let errors: Vec<String> = error_schema
            .iter_errors(&v)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:?} in {v}");
        assert_eq!(v["error"]["code"], *code, "{what}");
    }
    let res = reqwest::get(format!("http://{}/api/v1/sites", server.addr))
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the server still answers");
    server.stop().await;
}
