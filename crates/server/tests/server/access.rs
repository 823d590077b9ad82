//! The authorization matrix: every routed endpoint (from the router's own list, so a new route
//! fails here until it has a row) × every kind of credential, each cell with its expected outcome;
//! a refused write must leave every table as it was, and a student never sees another's records.
//! Then portal assertions that must be refused, and the login rate limits holding under
//! concurrent attempts and recovering when their window ends.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::Duration;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use kaozheng_server::auth::embed::parse_portals;
use kaozheng_server::auth::tokens;
use serde_json::{Value, json};

use super::harness::{RATE_LIMIT_TABLES, diff, dump_except};
use super::support::{Res, TestApp, now};
use crate::on_both;

const SECRET: &str = "matrix-portal-secret-0123456789abcdef";
const A: &str = "TJ2024001";
const B: &str = "TJ2024002";
/// An open plan 王晓明 may register for.
const PLAN: &str = "demo-bim-primary";

fn portal_config(c: &mut kaozheng_server::Config) {
    c.portals = parse_portals(&format!(
        r#"[{{"iss": "portal.example.edu.cn", "secret": "{SECRET}", "aud": "kaozheng",
             "origins": ["https://portal.example.edu.cn"]}}]"#
    ))
    .unwrap();
}

fn sign(claims: &Value, secret: &str, alg: Algorithm) -> String {
    encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn claims(sub: &str, jti: &str, exp_in: i64) -> Value {
    json!({"iss": "portal.example.edu.cn", "sub": sub, "aud": "kaozheng",
           "exp": now().timestamp() + exp_in, "jti": jti})
}

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cred {
    None,
    /// 王晓明 on his own records.
    StudentA,
    /// 李静 on 王晓明's records.
    StudentB,
    Expired,
    /// 王晓明's token after he signed out.
    Revoked,
    /// A random token nobody was given.
    Forged,
    /// 王晓明's live token with one character changed.
    Tampered,
    Admin,
    RevokedAdmin,
    TamperedAdmin,
    /// Not a bearer token at all.
    Malformed,
    /// 王晓明's live token in the query string, where the server never looks.
    InQuery,
    /// A province administrator's staff session.
    ProvinceStaff,
    /// A staff session of 王晓明's school (示例职业技术学院).
    SchoolStaff,
    /// An admin token scoped to 王晓明's school.
    SchoolToken,
    /// A staff session of another school (河南示例中等职业学校).
    OtherSchoolStaff,
    /// A staff session that expired.
    ExpiredStaff,
    /// A staff session after its sign-out.
    RevokedStaff,
}

const CREDS: [Cred; 18] = [
    Cred::None,
    Cred::StudentA,
    Cred::StudentB,
    Cred::Expired,
    Cred::Revoked,
    Cred::Forged,
    Cred::Tampered,
    Cred::Admin,
    Cred::RevokedAdmin,
    Cred::TamperedAdmin,
    Cred::Malformed,
    Cred::InQuery,
    Cred::ProvinceStaff,
    Cred::SchoolStaff,
    Cred::SchoolToken,
    Cred::OtherSchoolStaff,
    Cred::ExpiredStaff,
    Cred::RevokedStaff,
];

/// The demo's staff accounts the matrix signs in as.
const PROVINCE_STAFF: &str = "demo-province";
const SCHOOL_STAFF: &str = "demo-tianjin";
const OTHER_SCHOOL_STAFF: &str = "demo-henan";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Public,
    Student,
    Admin,
}

/// What a cell must answer: success, exactly what the same request without credentials gets,
/// or one of these refusals (status, error code).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    Allowed,
    AsAnonymous,
    Refused(&'static [(u16, &'static str)]),
}

const UNAUTHORIZED: &[(u16, &str)] = &[(401, "unauthorized")];

fn expected(class: Class, path: &str, cred: Cred) -> Expect {
    use Cred::*;
    match (class, cred) {
        // Public endpoints ignore whatever credential comes along. Signing in makes a session
        // each time, so those are compared with success instead.
        (Class::Public, _) if path.starts_with("/api/v1/auth/") => Expect::Allowed,
        (Class::Public, _) => Expect::AsAnonymous,
        (Class::Student, StudentA) => Expect::Allowed,
        (Class::Student, StudentB) => match path {
            // 王晓明's registration is not 李静's: not found, as if it did not exist.
            "/api/v1/registrations/{id}" => Expect::Refused(&[(404, "registration_not_found")]),
            // 李静 has no published result for 王晓明's level.
            "/api/v1/feedback/{certificate_id}/{level}" => {
                Expect::Refused(&[(403, "no_published_result")])
            }
            // Her own lists, checked for leaks below.
            _ => Expect::Allowed,
        },
        (Class::Student, Expired) => Expect::Refused(&[(401, "session_expired")]),
        // Staff are never students, whatever their role.
        (Class::Student, Admin | ProvinceStaff | SchoolStaff | SchoolToken | OtherSchoolStaff) => {
            Expect::Refused(&[(403, "student_only")])
        }
        (Class::Student, _) => Expect::Refused(UNAUTHORIZED),
        // An admin token is no session to sign out.
        (Class::Admin, Admin | SchoolToken) if path == "/api/v1/auth/staff/logout" => {
            Expect::Refused(&[(403, "staff_session_only")])
        }
        // The matrix's plan is at 王晓明's school's site: another school cannot move it.
        (Class::Admin, OtherSchoolStaff) if path == "/api/v1/admin/plans/{id}/phase" => {
            Expect::Refused(&[(403, "out_of_scope")])
        }
        // Every other admin endpoint answers every role, each within its reach (checked for
        // leaks below and in school.rs).
        (Class::Admin, Admin | ProvinceStaff | SchoolStaff | SchoolToken | OtherSchoolStaff) => {
            Expect::Allowed
        }
        (Class::Admin, ExpiredStaff) => Expect::Refused(&[(401, "session_expired")]),
        // A student session, live or not, is never an admin token.
        (Class::Admin, StudentA | StudentB | Expired | Revoked) => {
            Expect::Refused(&[(403, "admin_only")])
        }
        (Class::Admin, _) => Expect::Refused(UNAUTHORIZED),
    }
}

/// The credentials of one cell.
struct Creds {
    a: String,
    b: String,
    expired: String,
    revoked: String,
    admin: String,
    revoked_admin: String,
    province_staff: String,
    school_staff: String,
    school_token: String,
    other_school_staff: String,
    expired_staff: String,
    revoked_staff: String,
}

fn tamper(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

impl Creds {
    /// `(Authorization header, extra query)` for `cred`.
    fn header(&self, cred: Cred) -> (Option<String>, Option<String>) {
        let bearer = |t: &str| Some(format!("Bearer {t}"));
        match cred {
            Cred::None => (None, None),
            Cred::StudentA => (bearer(&self.a), None),
            Cred::StudentB => (bearer(&self.b), None),
            Cred::Expired => (bearer(&self.expired), None),
            Cred::Revoked => (bearer(&self.revoked), None),
            Cred::Forged => (bearer(&tokens::new_token()), None),
            Cred::Tampered => (bearer(&tamper(&self.a)), None),
            Cred::Admin => (bearer(&self.admin), None),
            Cred::RevokedAdmin => (bearer(&self.revoked_admin), None),
            Cred::TamperedAdmin => (bearer(&tamper(&self.admin)), None),
            Cred::Malformed => (Some(format!("Token {}", self.a)), None),
            Cred::InQuery => (None, Some(format!("access_token={}", self.a))),
            Cred::ProvinceStaff => (bearer(&self.province_staff), None),
            Cred::SchoolStaff => (bearer(&self.school_staff), None),
            Cred::SchoolToken => (bearer(&self.school_token), None),
            Cred::OtherSchoolStaff => (bearer(&self.other_school_staff), None),
            Cred::ExpiredStaff => (bearer(&self.expired_staff), None),
            Cred::RevokedStaff => (bearer(&self.revoked_staff), None),
        }
    }
}

/// A request that would succeed for the endpoint's rightful caller; `n` makes ids unique.
struct Call {
    method: Method,
    uri: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

/// A new draft plan at 王晓明's school's exam site, for one phase move.
async fn a_draft_plan(t: &TestApp, n: usize) -> String {
    let pool = &t.state.db.pool;
    let mut plan = kaozheng_server::db::plans::get(pool, PLAN)
        .await
        .unwrap()
        .unwrap();
    plan.id = format!("matrix-plan-{n}");
    plan.site_id = "demo-site-tianjin".into();
    plan.province = "天津".into();
    plan.phase = kaozheng_core::PlanPhase::Draft;
    plan.seats_left = plan.capacity;
    kaozheng_server::db::plans::insert(pool, &plan)
        .await
        .unwrap();
    plan.id
}

/// A staff session of `username` written straight to the database.
async fn staff_session(t: &TestApp, username: &str, expires_in: i64) -> String {
    let token = tokens::new_token();
    let at = now().timestamp();
    kaozheng_server::db::staff::insert_session(
        &t.state.db.pool,
        &tokens::token_hash(&token),
        username,
        "api",
        at - 60,
        at + expires_in,
    )
    .await
    .unwrap();
    token
}

/// 王晓明's confirmed registration on [`PLAN`], made when he has none (a cell may cancel it).
async fn a_registration(t: &TestApp, a: &str, n: usize) -> String {
    let list = t.get_as("/api/v1/registrations", a).await.json();
    if let Some(r) = list["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["plan_id"] == PLAN && r["status"] == "confirmed")
    {
        return r["id"].as_str().unwrap().to_string();
    }
    let res = t
        .post_as(
            "/api/v1/registrations",
            a,
            json!({"client_id": format!("matrix-own-{n}"), "plan_id": PLAN}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["id"].as_str().unwrap().to_string()
}

async fn call_for(
    t: &TestApp,
    method: &Method,
    path: &str,
    creds: &Creds,
    rated: &(String, String),
    n: usize,
) -> Call {
    let json_call = |uri: String, body: Value| Call {
        method: method.clone(),
        uri,
        content_type: Some("application/json"),
        body: serde_json::to_vec(&body).unwrap(),
    };
    let get = |uri: &str| Call {
        method: method.clone(),
        uri: uri.to_string(),
        content_type: None,
        body: Vec::new(),
    };
    match (method.as_str(), path) {
        ("POST", "/api/v1/auth/login") => json_call(
            path.into(),
            json!({"student_no": B, "password": kaozheng_server::demo::PASSWORD}),
        ),
        ("POST", "/api/v1/auth/staff/login") => json_call(
            path.into(),
            json!({"username": SCHOOL_STAFF, "password": kaozheng_server::demo::PASSWORD}),
        ),
        ("POST", "/api/v1/auth/staff/logout") => get(path),
        ("POST", "/api/v1/admin/plans/{id}/phase") => {
            let id = a_draft_plan(t, n).await;
            json_call(
                format!("/api/v1/admin/plans/{id}/phase"),
                json!({"move": "publish"}),
            )
        }
        ("GET", "/api/v1/admin/export/registrations") => {
            a_registration(t, &creds.a, n).await;
            get(&format!(
                "/api/v1/admin/export/registrations?plan_id={PLAN}&include_cancelled=true"
            ))
        }
        ("POST", "/api/v1/auth/embed") => json_call(
            path.into(),
            json!({"assertion": sign(&claims(B, &format!("matrix-{n}"), 120), SECRET, Algorithm::HS256)}),
        ),
        ("POST", "/api/v1/registrations") => json_call(
            path.into(),
            json!({"client_id": format!("matrix-{n}"), "plan_id": "demo-sensor-network-intermediate"}),
        ),
        ("DELETE", "/api/v1/registrations/{id}") => {
            let id = a_registration(t, &creds.a, n).await;
            get(&format!("/api/v1/registrations/{id}"))
        }
        ("PUT", "/api/v1/feedback/{certificate_id}/{level}") => json_call(
            format!("/api/v1/feedback/{}/{}", rated.0, rated.1),
            json!({"client_id": format!("matrix-{n}"), "comment": format!("matrix {n}"),
                   "ratings": {"content_quality": 4, "social_recognition": 4, "learning_effect": 4}}),
        ),
        ("POST", "/api/v1/admin/import/{kind}") => Call {
            method: method.clone(),
            uri: "/api/v1/admin/import/sites".into(),
            content_type: Some("text/csv"),
            body: format!(
                "id,name,province,city,address\nmatrix-{n},矩阵考点{n},天津,天津,示例路{n}号\n"
            )
            .into_bytes(),
        },
        ("GET", "/api/v1/plans") => get("/api/v1/plans?certificate=bim"),
        ("GET", "/api/v1/rules/grades") => get("/api/v1/rules/grades?province=%E5%A4%A9%E6%B4%A5"),
        ("GET", "/api/v1/tickets/verify") => get("/api/v1/tickets/verify?ticket_no=1&check=A"),
        ("GET", "/api/v1/certificates/verify") => get("/api/v1/certificates/verify?no=X&check=A"),
        ("GET", "/api/v1/feedback/aggregates") => get(&format!(
            "/api/v1/feedback/aggregates?certificate_id={}",
            rated.0
        )),
        ("GET", p) if !p.contains('{') => get(p),
        ("POST", "/api/v1/auth/logout") => get(path),
        _ => panic!("{method} {path} has no row in the authorization matrix: add one"),
    }
}

async fn send(t: &TestApp, call: &Call, creds: &Creds, cred: Cred) -> Res {
    let (auth, query) = creds.header(cred);
    let uri = match query {
        Some(q) if call.uri.contains('?') => format!("{}&{q}", call.uri),
        Some(q) => format!("{}?{q}", call.uri),
        None => call.uri.clone(),
    };
    let mut req = Request::builder().method(call.method.clone()).uri(uri);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    if let Some(ct) = call.content_type {
        req = req.header("content-type", ct);
    }
    t.send(req.body(Body::from(call.body.clone())).unwrap())
        .await
}

/// The endpoint's class from the OpenAPI document's security requirement.
fn classes() -> BTreeMap<(String, String), Class> {
    let doc: Value = serde_json::from_str(kaozheng_server::api::openapi::json()).unwrap();
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let class = match op["security"][0].as_object().and_then(|s| s.keys().next()) {
                Some(s) if s == "studentBearer" => Class::Student,
                Some(s) if s == "adminBearer" => Class::Admin,
                Some(s) => panic!("unknown security scheme {s}"),
                None => Class::Public,
            };
            out.insert((method.to_uppercase(), path.clone()), class);
        }
    }
    out
}

/// What of 王晓明's a response to someone else must not show.
async fn a_secrets(t: &TestApp, a: &str) -> Vec<String> {
    let mut out = vec![A.to_string(), "王晓明".to_string()];
    let regs = t.get_as("/api/v1/registrations", a).await.json();
    for r in regs["registrations"].as_array().unwrap() {
        out.push(r["id"].as_str().unwrap().to_string());
        out.push(r["ticket_no"].as_str().unwrap().to_string());
        out.push(r["ticket_check"].as_str().unwrap().to_string());
    }
    out
}

on_both! {
    async fn every_endpoint_refuses_every_wrong_credential(b) {
        let t = TestApp::on_with(b, portal_config).await;
        let a = t.session_for(A).await;
        let bt = t.session_for(B).await;
        let expired = {
            let token = tokens::new_token();
            let at = now().timestamp();
            kaozheng_server::db::sessions::insert(&t.state.db.pool, &tokens::token_hash(&token), A, "password", at - 7200, at - 1)
                .await
                .unwrap();
            token
        };
        let revoked = t.session_for(A).await;
        let out = t.call(Method::POST, "/api/v1/auth/logout", Some(&revoked), None).await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        let revoked_admin = kaozheng_server::cli::admin_token_create(&t.state.db, "revoked", now()).await.unwrap();
        kaozheng_server::cli::admin_token_revoke(&t.state.db, "revoked", now()).await.unwrap();
        let revoked_staff = staff_session(&t, SCHOOL_STAFF, 3600).await;
        kaozheng_server::db::staff::revoke_session(&t.state.db.pool, &tokens::token_hash(&revoked_staff), now().timestamp()).await.unwrap();
        let school = kaozheng_server::auth::staff::Scope::School(kaozheng_server::demo::people::TIANJIN_SCHOOL.into());
        let creds = Creds {
            a: a.clone(),
            b: bt,
            expired,
            revoked,
            admin: t.admin_token().await,
            revoked_admin,
            province_staff: staff_session(&t, PROVINCE_STAFF, 3600).await,
            school_staff: staff_session(&t, SCHOOL_STAFF, 3600).await,
            school_token: kaozheng_server::staff::accounts::admin_token(&t.state.db, "school", &school, now()).await.unwrap(),
            other_school_staff: staff_session(&t, OTHER_SCHOOL_STAFF, 3600).await,
            expired_staff: staff_session(&t, SCHOOL_STAFF, -1).await,
            revoked_staff,
        };
        let results = t.get_as("/api/v1/results", &a).await.json();
        let r = results["results"].as_array().unwrap().iter().find(|r| r["state"] == "publicized").unwrap().clone();
        let rated = (r["certificate_id"].as_str().unwrap().to_string(), r["level"].as_str().unwrap().to_string());
        let classes = classes();
        let endpoints = kaozheng_server::api::endpoints();
        assert_eq!(endpoints.len(), classes.len(), "the document lists every route");

        let (mut cells, mut refusals, mut allowed, mut n) = (0, 0, 0, 0);
        let mut by_cred: BTreeMap<Cred, usize> = BTreeMap::new();
        let mut creds = creds;
        for (method, path) in &endpoints {
            let class = classes[&(method.to_string(), path.to_string())];
            for cred in CREDS {
                n += 1;
                let call = call_for(&t, method, path, &creds, &rated, n).await;
                let write = *method != Method::GET;
                let want = expected(class, path, cred);
                let before = match (&want, write) {
                    (Expect::Refused(_), true) => Some(dump_except(&t.state.db, RATE_LIMIT_TABLES).await),
                    _ => None,
                };
                let res = send(&t, &call, &creds, cred).await;
                let cell = format!("{method} {path} as {cred:?}");
                match want {
                    Expect::Allowed => {
                        assert!(res.status.is_success(), "{cell}: {} {}", res.status, res.text());
                        allowed += 1;
                    }
                    Expect::AsAnonymous => {
                        let anonymous = send(&t, &call, &creds, Cred::None).await;
                        assert_eq!(res.status, anonymous.status, "{cell}: {}", res.text());
                        assert!(!res.status.is_server_error(), "{cell}");
                        allowed += 1;
                    }
                    Expect::Refused(codes) => {
                        let got = (res.status.as_u16(), res.code());
                        assert!(codes.iter().any(|(s, c)| (*s, c.to_string()) == got), "{cell}: {got:?}, expected one of {codes:?}");
                        if res.status == StatusCode::UNAUTHORIZED {
                            assert!(res.header("www-authenticate").starts_with("Bearer"), "{cell}");
                        }
                        refusals += 1;
                        *by_cred.entry(cred).or_default() += 1;
                    }
                }
                if let Some(before) = before {
                    let after = dump_except(&t.state.db, RATE_LIMIT_TABLES).await;
                    assert!(before == after, "{cell}: a refused request changed {:#?}", diff(&before, &after));
                }
                // Nothing of 王晓明's reaches anyone else through a student endpoint.
                if class == Class::Student && cred != Cred::StudentA && res.status.is_success() {
                    for secret in a_secrets(&t, &creds.a).await {
                        assert!(!res.text().contains(&secret), "{cell}: shows {secret:?}");
                    }
                }
                // Another school's staff never see 王晓明's personal data.
                if class == Class::Admin && cred == Cred::OtherSchoolStaff && res.status.is_success() {
                    for secret in a_secrets(&t, &creds.a).await {
                        assert!(!String::from_utf8_lossy(&res.body).contains(&secret), "{cell}: shows {secret:?}");
                    }
                }
                // A sign-out in the matrix ends that session: make a new one.
                if *path == "/api/v1/auth/logout" {
                    match cred {
                        Cred::StudentA => creds.a = t.session_for(A).await,
                        Cred::StudentB => creds.b = t.session_for(B).await,
                        _ => {}
                    }
                }
                if *path == "/api/v1/auth/staff/logout" {
                    match cred {
                        Cred::ProvinceStaff => creds.province_staff = staff_session(&t, PROVINCE_STAFF, 3600).await,
                        Cred::SchoolStaff => creds.school_staff = staff_session(&t, SCHOOL_STAFF, 3600).await,
                        Cred::OtherSchoolStaff => creds.other_school_staff = staff_session(&t, OTHER_SCHOOL_STAFF, 3600).await,
                        _ => {}
                    }
                }
                cells += 1;
            }
        }
        assert_eq!(cells, endpoints.len() * CREDS.len());
        println!(
            "authorization matrix ({b:?}): {} endpoints x {} credentials = {cells} cells: {refusals} refused as expected, {allowed} allowed as expected, 0 unexpected; refusals by credential {by_cred:?}",
            endpoints.len(),
            CREDS.len()
        );
    }
}

on_both! {
    /// Portal assertions a server must not exchange for a session, each with its reason, and a
    /// replay refused by another server on the same database.
    async fn bad_portal_assertions_start_no_session(b) {
        let t = TestApp::on_with(b, portal_config).await;
        let sessions = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sessions")
                .fetch_one(&t.state.db.pool)
                .await
                .unwrap()
        };
        let with = |k: &str, v: Value| {
            let mut c = claims(A, &format!("bad-{k}"), 60);
            c[k] = v;
            sign(&c, SECRET, Algorithm::HS256)
        };
        let without = |k: &str| {
            let mut c = claims(A, &format!("no-{k}"), 60);
            c.as_object_mut().unwrap().remove(k);
            sign(&c, SECRET, Algorithm::HS256)
        };
        let good = sign(&claims(A, "good", 60), SECRET, Algorithm::HS256);
        let mut parts: Vec<String> = good.split('.').map(str::to_string).collect();
        // Another student named in the payload, the signature kept.
        parts[1] = {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims(B, "good", 60).to_string())
        };
        let swapped_payload = parts.join(".");
        let unsigned = {
            use base64::Engine;
            let e = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
            format!("{}.{}.", e(json!({"alg": "none", "typ": "JWT"})), e(claims(A, "none", 60)))
        };
        let cases: Vec<(&str, String)> = vec![
            ("wrong iss", with("iss", json!("evil.example.com"))),
            ("wrong aud", with("aud", json!("another-app"))),
            ("aud list without ours", with("aud", json!(["a", "b"]))),
            ("exp in the past", with("exp", json!(now().timestamp() - 1))),
            ("exp now", with("exp", json!(now().timestamp()))),
            ("exp more than 5 minutes ahead", with("exp", json!(now().timestamp() + 301))),
            ("exp far ahead", with("exp", json!(i64::MAX))),
            ("exp as text", with("exp", json!("tomorrow"))),
            ("nbf in the future", with("nbf", json!(now().timestamp() + 30))),
            ("no sub", without("sub")),
            ("no jti", without("jti")),
            ("no exp", without("exp")),
            ("no aud", without("aud")),
            ("empty jti", with("jti", json!(""))),
            ("empty sub", with("sub", json!(" "))),
            ("unknown student", with("sub", json!("NOBODY-001"))),
            ("another portal's secret", sign(&claims(A, "s1", 60), "another-secret-0123456789abcdef-xyz", Algorithm::HS256)),
            ("HS512", sign(&claims(A, "s2", 60), SECRET, Algorithm::HS512)),
            ("alg none", unsigned),
            ("payload swapped", swapped_payload),
            ("signature cut", good.rsplit_once('.').unwrap().0.to_string() + "."),
            ("longer than 4096", with("pad", json!("x".repeat(5000)))),
            ("not a JWT", "' OR 1=1 --".to_string()),
        ];
        let before = sessions().await;
        for (what, assertion) in &cases {
            let res = t.call(Method::POST, "/api/v1/auth/embed", None, Some(json!({"assertion": assertion}))).await;
            assert_eq!((res.status, res.code().as_str()), (StatusCode::UNAUTHORIZED, "invalid_assertion"), "{what}: {}", res.text());
        }
        assert_eq!(sessions().await, before, "no refused assertion started a session");

        // The good one works once; again, here or on another server sharing the database, never.
        let res = t.call(Method::POST, "/api/v1/auth/embed", None, Some(json!({"assertion": good}))).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let other = kaozheng_server::app(kaozheng_server::AppState::open(&t.config).await.unwrap());
        for app in [t.app.clone(), other] {
            let req = Request::post("/api/v1/auth/embed")
                .header("content-type", "application/json")
                .body(Body::from(json!({"assertion": good}).to_string()))
                .unwrap();
            let res = tower::ServiceExt::oneshot(app, req).await.unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
            let body = axum::body::to_bytes(res.into_body(), 1 << 16).await.unwrap();
            let v: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v["error"]["code"], "assertion_replayed");
        }
        assert_eq!(sessions().await, before + 1);
        println!("portal assertions ({b:?}): {} bad ones refused, 2 replays refused, 1 accepted", cases.len());
    }
}

on_both! {
    /// Concurrent wrong passwords cannot slip past the limits; the limits end with their window.
    async fn login_limits_hold_under_concurrency_and_recover(b) {
        let t = TestApp::on(b).await;
        let login = |no: String, pw: String| {
            let app = t.app.clone();
            async move {
                let req = Request::post("/api/v1/auth/login")
                    .header("content-type", "application/json")
                    .body(Body::from(json!({"student_no": no, "password": pw}).to_string()))
                    .unwrap();
                tower::ServiceExt::oneshot(app, req).await.unwrap().status()
            }
        };
        let tally = |statuses: Vec<StatusCode>| {
            let mut m: BTreeMap<u16, usize> = BTreeMap::new();
            for s in statuses {
                *m.entry(s.as_u16()).or_default() += 1;
            }
            m
        };
        // One account, 20 wrong passwords at once: at most 5 are even checked.
        let tasks: Vec<_> = (0..20).map(|i| tokio::spawn(login(B.into(), format!("wrong-{i}-password")))).collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap());
        }
        let account = tally(statuses);
        assert_eq!(account, BTreeMap::from([(401, 5), (429, 15)]), "per account");
        assert_eq!(login(B.into(), kaozheng_server::demo::PASSWORD.into()).await, StatusCode::TOO_MANY_REQUESTS, "the right password waits too");
        t.clock.set(now() + Duration::minutes(15));
        assert_eq!(login(B.into(), kaozheng_server::demo::PASSWORD.into()).await, StatusCode::OK, "recovered");

        // One address, 60 accounts at once: at most 50 failures are checked.
        let tasks: Vec<_> = (0..60).map(|i| tokio::spawn(login(format!("NOBODY-{i}"), "wrong-password".into()))).collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap());
        }
        let address = tally(statuses);
        assert_eq!(address, BTreeMap::from([(401, 50), (429, 10)]), "per address");
        assert_eq!(login(A.into(), kaozheng_server::demo::PASSWORD.into()).await, StatusCode::TOO_MANY_REQUESTS);
        t.clock.set(now() + Duration::minutes(25));
        assert_eq!(login(A.into(), kaozheng_server::demo::PASSWORD.into()).await, StatusCode::OK, "recovered");
        println!("login limits ({b:?}): per account {account:?}, per address {address:?}, both recovered after their window");
    }
}

/// A class of 130 signing in at once behind one school NAT: the address limit (50) refuses what
/// exceeds the attempts in flight, but refused attempts do not count, so the students who were
/// told to retry get in at once as the others succeed, instead of the address staying locked for
/// the window.
#[tokio::test]
async fn a_class_behind_one_address_gets_in_by_retrying() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let mut csv = String::from(
        "student_no,name,school,school_level,major,province,hardship,passed_courses,graduation_on,password\n",
    );
    for i in 0..130 {
        csv.push_str(&format!("NAT{i:04},学生{i},示例职业技术学院,高职,软件技术,天津,否,,2027-06-30,class-password-{i}\n"));
    }
    let res = t.import(&admin, "students", "text/csv", csv).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let login = |i: usize| {
        let app = t.app.clone();
        async move {
            let body = json!({"student_no": format!("NAT{i:04}"), "password": format!("class-password-{i}")});
            let req = Request::post("/api/v1/auth/login")
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            (
                i,
                tower::ServiceExt::oneshot(app, req).await.unwrap().status(),
            )
        }
    };
    let mut waiting: Vec<usize> = (0..130).collect();
    let mut rounds = Vec::new();
    while !waiting.is_empty() && rounds.len() < 6 {
        let tasks: Vec<_> = waiting.iter().map(|&i| tokio::spawn(login(i))).collect();
        let mut refused = Vec::new();
        for task in tasks {
            let (i, status) = task.await.unwrap();
            match status {
                StatusCode::OK => {}
                StatusCode::TOO_MANY_REQUESTS => refused.push(i),
                other => panic!("NAT{i:04}: {other}"),
            }
        }
        rounds.push(waiting.len() - refused.len());
        waiting = refused;
    }
    assert!(
        waiting.is_empty(),
        "still refused after {} rounds: {} students (signed in per round: {rounds:?})",
        rounds.len(),
        waiting.len()
    );
    assert!(
        rounds[0] >= 50,
        "the first round admits the limit: {rounds:?}"
    );
    println!("a class of 130 behind one address: signed in per round {rounds:?}");
}
