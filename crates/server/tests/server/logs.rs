//! No secret in any log: the real binary at the most verbose level (`RUST_LOG=trace`), with the
//! CLI's imports (passwords in the file), a password reset, logins right and wrong, registrations,
//! ticket and certificate checks, portal assertions exchanged and replayed, an admin import over
//! HTTP with passwords, the feedback export and a sign-out. Every password, session token, admin
//! token, assertion, portal secret and the ticket secret is then searched for in everything the
//! processes wrote to stderr and stdout.

use std::io::Write;
use std::process::Stdio;

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use super::harness::{DbTarget, ServerProcess, cli, command, connect};

const PORTAL_SECRET: &str = "log-test-portal-secret-0123456789abcdef";

/// The demo password is printed on stdout at a `--demo` start, by design (the README documents
/// it); it must never reach the log.
const DEMO_BANNER: &str = "== Demo accounts";

#[tokio::test]
async fn no_password_token_assertion_or_secret_is_ever_logged() {
    let root = tempfile::tempdir().unwrap();
    let db = DbTarget::Sqlite(root.path().join("var"));
    let mut logged = String::new();
    let mut secrets: Vec<(String, String)> = Vec::new();
    let mut keep = |what: &str, s: &str| secrets.push((what.to_string(), s.to_string()));

    // The CLI, as verbose as the server.
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut c = command();
        c.args(args)
            .args(db.args())
            .args(["--argon2-memory-kib", "64", "--argon2-iterations", "1"])
            .env("RUST_LOG", "trace")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let admin_out = command()
        .args(["admin-token", "create", "--name", "log-test"])
        .args(db.args())
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert!(admin_out.status.success());
    let admin = String::from_utf8(admin_out.stdout)
        .unwrap()
        .trim()
        .to_string();
    logged.push_str(&String::from_utf8_lossy(&admin_out.stderr));
    keep("admin token", &admin);

    let csv_path = root.path().join("students.csv");
    std::fs::write(
        &csv_path,
        "student_no,name,school,school_level,province,password\n\
         LOG0001,日志一,示例职业技术学院,高职,天津,cli-import-pass-1\n\
         LOG0002,日志二,示例职业技术学院,高职,天津,cli-import-pass-2\n",
    )
    .unwrap();
    keep("imported password", "cli-import-pass-1");
    keep("imported password", "cli-import-pass-2");
    let (report, err) = run(&["import", "students", csv_path.to_str().unwrap()], None);
    assert!(report.contains("\"applied\": 2"), "{report}");
    logged.push_str(&err);
    // A refused file with a bad password: the report names the rule, never the password.
    let bad_path = root.path().join("bad.csv");
    std::fs::write(
        &bad_path,
        "student_no,name,school,school_level,province,password\nLOG0003,日志三,示例职业技术学院,高职,天津,short77\n",
    )
    .unwrap();
    keep("refused password", "short77");
    let bad = cli(&["import", "students", bad_path.to_str().unwrap()], &db);
    assert_eq!(bad.status.code(), Some(1));
    logged.push_str(&String::from_utf8_lossy(&bad.stdout));
    logged.push_str(&String::from_utf8_lossy(&bad.stderr));

    let portals = root.path().join("portals.json");
    std::fs::write(
        &portals,
        json!([{"iss": "portal.example.edu.cn", "secret": PORTAL_SECRET, "aud": "kaozheng",
                "origins": ["https://portal.example.edu.cn"]}])
        .to_string(),
    )
    .unwrap();
    keep("portal secret", PORTAL_SECRET);
    let log = root.path().join("server.log");
    let server = ServerProcess::start(
        &db,
        &root.path().join("dist"),
        &log,
        "trace",
        &[
            "--demo".into(),
            "--portals".into(),
            portals.display().to_string(),
        ],
    )
    .await;
    let url = server.url.clone();
    // The demo students exist now: reset one's password beside the running server.
    let (_, err) = run(
        &["student-password", "TJ2024004"],
        Some("cli-reset-pass-1\n"),
    );
    logged.push_str(&err);
    keep("reset password", "cli-reset-pass-1");
    let client = reqwest::Client::new();
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut r = client.post(format!("{url}{path}")).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let get = |path: &str, token: Option<&str>| {
        let mut r = client.get(format!("{url}{path}"));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };

    let demo = kaozheng_server::demo::PASSWORD;
    keep("demo password", demo);
    let wrong = "a-wrong-password-Z9";
    keep("wrong password", wrong);
    let res = post(
        "api/v1/auth/login",
        None,
        json!({"student_no": "TJ2024001", "password": wrong}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 401);
    let mut tokens = Vec::new();
    for (no, pw) in [
        ("TJ2024002", demo),
        ("TJ2024003", demo),
        ("LOG0001", "cli-import-pass-1"),
        ("TJ2024004", "cli-reset-pass-1"),
    ] {
        let v: Value = post(
            "api/v1/auth/login",
            None,
            json!({"student_no": no, "password": pw}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let token = v["token"]
            .as_str()
            .unwrap_or_else(|| panic!("{no}: {v}"))
            .to_string();
        keep("session token", &token);
        tokens.push(token);
    }
    let li = tokens[0].clone();
    let zhang = tokens[1].clone();
    for path in [
        "api/v1/me",
        "api/v1/registrations",
        "api/v1/results",
        "api/v1/credits",
        "api/v1/feedback",
    ] {
        let res = get(path, Some(&li)).await.unwrap();
        assert!(res.status().as_u16() < 500, "{path}");
    }
    // The first open plan 李静 may take (the demo follows the built-in catalog and today's date).
    let plans: Value = get("api/v1/plans", None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut reg = Value::Null;
    for (i, p) in plans["plans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["state"] == "open")
        .enumerate()
    {
        let res = post(
            "api/v1/registrations",
            Some(&li),
            json!({"client_id": format!("log-{i}"), "plan_id": p["id"]}),
        )
        .await
        .unwrap();
        if res.status() == 201 {
            reg = res.json().await.unwrap();
            break;
        }
    }
    let ticket = reg["ticket_no"].as_str().unwrap_or_else(|| panic!("{reg}"));
    let check = reg["ticket_check"].as_str().unwrap();
    let v: Value = get(
        &format!("api/v1/tickets/verify?ticket_no={ticket}&check={check}"),
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(v["valid"], true, "{v}");
    let results: Value = get("api/v1/results", Some(&zhang))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cert = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["certificate_no"].is_string())
        .unwrap_or_else(|| panic!("张伟 holds a certificate: {results}"))
        .clone();
    let v: Value = get(
        &format!(
            "api/v1/certificates/verify?no={}&check={}",
            cert["certificate_no"].as_str().unwrap(),
            cert["certificate_check"].as_str().unwrap()
        ),
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(v["valid"], true, "{v}");

    let now = kaozheng_server::config::system_clock()().timestamp();
    let assertion = encode(
        &Header::new(Algorithm::HS256),
        &json!({"iss": "portal.example.edu.cn", "sub": "HA2024001", "aud": "kaozheng", "exp": now + 120, "jti": "log-jti-1"}),
        &EncodingKey::from_secret(PORTAL_SECRET.as_bytes()),
    )
    .unwrap();
    keep("assertion", &assertion);
    keep("assertion signature", assertion.rsplit('.').next().unwrap());
    let v: Value = post("api/v1/auth/embed", None, json!({"assertion": assertion}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let embed_token = v["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_string();
    keep("embed session token", &embed_token);
    assert_eq!(
        get("api/v1/me", Some(&embed_token)).await.unwrap().status(),
        200
    );
    let replay = post("api/v1/auth/embed", None, json!({"assertion": assertion}))
        .await
        .unwrap();
    assert_eq!(replay.status(), 401);
    let forged = encode(
        &Header::new(Algorithm::HS256),
        &json!({"iss": "portal.example.edu.cn", "sub": "HA2024001", "aud": "kaozheng", "exp": now + 120, "jti": "log-jti-2"}),
        &EncodingKey::from_secret(b"a-guessed-secret-0123456789abcdef"),
    )
    .unwrap();
    keep("forged assertion", &forged);
    assert_eq!(
        post("api/v1/auth/embed", None, json!({"assertion": forged}))
            .await
            .unwrap()
            .status(),
        401
    );

    let res = client
        .post(format!("{url}api/v1/admin/import/students"))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body("student_no,name,school,school_level,province,password\nLOG0009,日志九,示例职业技术学院,高职,天津,http-import-pass-9\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    keep("imported password", "http-import-pass-9");
    let res = get("api/v1/admin/export/feedback.csv", Some(&admin))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    for t in &tokens {
        assert_eq!(
            post("api/v1/auth/logout", Some(t), json!({}))
                .await
                .unwrap()
                .status(),
            204
        );
    }
    // Signed out: the token is refused, and that refusal is logged without it.
    assert_eq!(
        get("api/v1/me", Some(&tokens[0])).await.unwrap().status(),
        401
    );

    let conn = connect(&db).await;
    let ticket_secret: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
        .bind(kaozheng_server::tickets::SECRET_KEY)
        .fetch_one(&conn.pool)
        .await
        .unwrap();
    conn.pool.close().await;
    keep("ticket secret", &ticket_secret);
    let printed = server.stdout.lock().unwrap().clone();
    server.kill();
    logged.push_str(&std::fs::read_to_string(&log).unwrap());

    for needle in [
        "session started",
        "login failed",
        "portal assertion refused",
        "import",
        "registration",
    ] {
        assert!(
            logged.contains(needle),
            "the log is verbose enough to matter: no {needle:?}"
        );
    }
    let mut found = Vec::new();
    for (what, secret) in &secrets {
        if logged.contains(secret.as_str()) {
            found.push(format!("{what} in the log"));
        }
        let banner = printed
            .find(DEMO_BANNER)
            .map_or(printed.as_str(), |i| &printed[..i]);
        let elsewhere = if secret == demo {
            banner
        } else {
            printed.as_str()
        };
        if elsewhere.contains(secret.as_str()) {
            found.push(format!("{what} on stdout"));
        }
    }
    assert!(found.is_empty(), "secrets written out: {found:?}");
    println!(
        "logs: {} secrets ({} kinds) searched in {} KB of trace-level output: none found",
        secrets.len(),
        secrets
            .iter()
            .map(|(w, _)| w.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        (logged.len() + printed.len()) / 1024
    );
}

/// Client text in the log: a failed sign-in's student number and a refused registration's plan id
/// carrying a forged log line after a newline, a right-to-left override, a terminal escape and a
/// line separator. In both log formats every line is the server's own (no line starts with the
/// forged text, no control or bidi character is written raw), and the values are still there,
/// escaped; each JSON line parses and gives back exactly what the client sent.
#[tokio::test]
async fn client_text_cannot_forge_or_hide_a_log_line() {
    use kaozheng_server::logging::needs_escape;
    const FORGED: &str = "FORGED  INFO kaozheng: admin signed in";
    for format in ["text", "json"] {
        let root = tempfile::tempdir().unwrap();
        let db = DbTarget::Sqlite(root.path().join("var"));
        let log = root.path().join("server.log");
        let server = ServerProcess::start(
            &db,
            &root.path().join("dist"),
            &log,
            "info",
            &["--demo".into(), "--log-format".into(), format.into()],
        )
        .await;
        let client = reqwest::Client::new();
        let student_no = format!("TJ9\n{FORGED}\u{202e}gpj.exe\u{1b}[2J");
        let res = client
            .post(format!("{}api/v1/auth/login", server.url))
            .json(&json!({"student_no": student_no, "password": "a-wrong-password-1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        let token = super::support::http_login(
            &client,
            &server.url,
            "TJ2024001",
            kaozheng_server::demo::PASSWORD,
        )
        .await;
        let plan_id = format!("demo-none\r\n{FORGED}\u{2066}\u{2028}");
        let res = client
            .post(format!("{}api/v1/registrations", server.url))
            .bearer_auth(&token)
            .json(&json!({"client_id": "forge-1", "plan_id": plan_id}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        server.kill();
        let logged = std::fs::read_to_string(&log).unwrap();
        for line in logged.lines() {
            assert!(
                !line.starts_with("FORGED"),
                "{format}: a forged line: {line:?}"
            );
            assert!(
                !line.chars().any(needs_escape),
                "{format}: a raw control or bidi character: {line:?}"
            );
        }
        let find = |message: &str| {
            logged
                .lines()
                .find(|l| l.contains(message))
                .unwrap_or_else(|| panic!("{format}: no {message:?} in {logged}"))
                .to_string()
        };
        let failed = find("login failed");
        let refused = find("registration refused");
        if format == "json" {
            let failed: Value = serde_json::from_str(&failed).unwrap();
            let refused: Value = serde_json::from_str(&refused).unwrap();
            assert_eq!(failed["fields"]["student"], student_no.as_str());
            assert_eq!(refused["fields"]["plan"], plan_id.as_str());
            assert_eq!(refused["fields"]["code"], "plan_not_found");
            for line in logged.lines() {
                let v: Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}"));
                assert!(
                    v["level"].is_string() && v["timestamp"].is_string(),
                    "{line}"
                );
            }
        } else {
            assert!(failed.contains("student=TJ9\\u{a}FORGED"), "{failed}");
            assert!(failed.contains("\\u{202e}gpj.exe\\u{1b}[2J"), "{failed}");
            assert!(
                refused.contains("plan=demo-none\\u{d}\\u{a}FORGED"),
                "{refused}"
            );
        }
    }
}
