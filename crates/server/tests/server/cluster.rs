//! Several `serve` processes on one PostgreSQL database, as a province runs them behind a load
//! balancer: seats, sessions, login limits and used portal assertions live in the database, so any
//! server answers any request the same way, and losing one server loses nothing that was
//! acknowledged.
//!
//! PostgreSQL only (SQLite is one file for one server): `#[ignore]`d without a server, run by
//! `scripts/with-postgres.sh cargo test -p kaozheng-server -- --ignored`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use sqlx::Row;

use super::harness::{DbTarget, ServerProcess, cli, connect};
use super::kill::plan_levels;
use super::support::{PgDatabase, http_login};

const STUDENTS: usize = 200;
const PORTAL_SECRET: &str = "cluster-test-portal-secret-0123456789abcdef";

fn write_files(dir: &std::path::Path) {
    std::fs::write(
        dir.join("sites.csv"),
        "id,name,province,city,address\ncluster-site,集群考点（示例）,天津,天津,示例路2号\n",
    )
    .unwrap();
    let now = kaozheng_server::config::system_clock()();
    let at = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut plans = String::from(
        "id,name,certificate_id,level,province,site_id,phase,window_opens_at,window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen\n",
    );
    for (i, ((cert, level), (id, capacity))) in plan_levels(2)
        .into_iter()
        .zip([("cluster-50", 50), ("cluster-kill", 100)])
        .enumerate()
    {
        let exam = now + chrono::Duration::days(40 + i as i64);
        plans.push_str(&format!(
            "{id},集群测试{i},{cert},{level},天津,cluster-site,published,{},{},{},{},{capacity},20000\n",
            at(now - chrono::Duration::days(1)),
            at(now + chrono::Duration::days(20)),
            at(exam),
            at(exam + chrono::Duration::hours(2)),
        ));
    }
    std::fs::write(dir.join("plans.csv"), plans).unwrap();
    let mut csv = String::from("student_no,name,school,school_level,province,password\n");
    for i in 0..STUDENTS {
        csv.push_str(&format!(
            "C{i:05},学生{i},示例职业技术学院,高职,天津,cluster-pass-{i:05}\n"
        ));
    }
    std::fs::write(dir.join("students.csv"), csv).unwrap();
    std::fs::write(
        dir.join("portals.json"),
        json!([{"iss": "portal.example.edu.cn", "secret": PORTAL_SECRET, "aud": "kaozheng",
                "origins": ["https://portal.example.edu.cn"]}])
        .to_string(),
    )
    .unwrap();
}

/// What one registration request finally got.
#[derive(Debug)]
struct Sent {
    student: usize,
    client_id: String,
    status: u16,
    body: Value,
    /// Transport failures on the killed server, after which the request went to the other one.
    failed_over: bool,
    /// Transport failures on a server that was never killed: must stay 0.
    lost_on_survivor: usize,
}

/// The two servers as the clients see them.
#[derive(Clone)]
struct Cluster {
    client: reqwest::Client,
    urls: Arc<[String; 2]>,
    /// The index of the server that may be killed (2: neither).
    killable: usize,
    /// Requests answered 200 or 201 so far.
    acked: Arc<AtomicUsize>,
}

/// Registers `student` (signed in with `token`) on server `first`; when that server is gone
/// (connection refused or cut), sends the same request (same `client_id`) to the other server, as
/// a load balancer with a retrying client would.
async fn register_with_failover(
    cluster: Cluster,
    first: usize,
    token: String,
    student: usize,
    client_id: String,
    plan_id: &'static str,
) -> Sent {
    let Cluster {
        client,
        urls,
        killable,
        acked,
    } = cluster;
    let body = json!({"client_id": client_id, "plan_id": plan_id});
    let mut current = first;
    let mut failed_over = false;
    let mut lost_on_survivor = 0;
    let started = Instant::now();
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no answer for {client_id} in two minutes"
        );
        let res = client
            .post(format!("{}api/v1/registrations", urls[current]))
            .bearer_auth(&token)
            .json(&body)
            .timeout(Duration::from_secs(30))
            .send()
            .await;
        let answered = match res {
            Ok(r) => {
                let status = r.status().as_u16();
                r.json::<Value>().await.ok().map(|v| (status, v))
            }
            Err(_) => None,
        };
        match answered {
            Some((status, v)) => {
                if status == 200 || status == 201 {
                    acked.fetch_add(1, Ordering::SeqCst);
                }
                return Sent {
                    student,
                    client_id,
                    status,
                    body: v,
                    failed_over,
                    lost_on_survivor,
                };
            }
            None if current == killable => {
                failed_over = true;
                current = 1 - killable;
            }
            None => {
                lost_on_survivor += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

/// Signs every student in, alternating servers, a few at a time.
async fn sign_in_all(client: &reqwest::Client, urls: &[String; 2]) -> Vec<String> {
    let mut tokens = Vec::with_capacity(STUDENTS);
    for chunk in (0..STUDENTS).collect::<Vec<_>>().chunks(20) {
        let logins = chunk.iter().map(|&i| {
            let (client, url) = (client.clone(), urls[i % 2].clone());
            async move {
                http_login(
                    &client,
                    &url,
                    &format!("C{i:05}"),
                    &format!("cluster-pass-{i:05}"),
                )
                .await
            }
        });
        tokens.extend(futures_join_all(logins).await);
    }
    tokens
}

/// Runs futures concurrently on the test's runtime and returns their outputs in order.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let tasks: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "PostgreSQL: needs KAOZHENG_TEST_POSTGRES_URL (scripts/with-postgres.sh sets it); run with --include-ignored"]
async fn two_servers_on_one_postgresql_share_seats_sessions_limits_and_assertions() {
    let pg = PgDatabase::create().await;
    let db = DbTarget::Postgres(pg.url.clone());
    let root = tempfile::tempdir().unwrap();
    write_files(root.path());
    for kind in ["sites", "plans", "students"] {
        let path = root.path().join(format!("{kind}.csv"));
        let out = cli(&["import", kind, path.to_str().unwrap()], &db);
        assert!(
            out.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let dist = root.path().join("dist");
    let portals = root.path().join("portals.json").display().to_string();
    let extra = ["--portals".to_string(), portals];
    let a = ServerProcess::start(&db, &dist, &root.path().join("a.log"), "warn", &extra).await;
    let mut b = ServerProcess::start(&db, &dist, &root.path().join("b.log"), "warn", &extra).await;
    let urls = Arc::new([a.url.clone(), b.url.clone()]);
    let client = reqwest::Client::new();
    let mut tokens = sign_in_all(&client, &urls).await;

    // 1. 200 students at once for 50 seats, half through each server: exactly 50.
    // Nobody is killed here: any transport failure counts as lost.
    let steady = Cluster {
        client: client.clone(),
        urls: urls.clone(),
        killable: 2,
        acked: Arc::new(AtomicUsize::new(0)),
    };
    let sent = futures_join_all((0..STUDENTS).map(|i| {
        register_with_failover(
            steady.clone(),
            i % 2,
            tokens[i].clone(),
            i,
            format!("fifty-{i}"),
            "cluster-50",
        )
    }))
    .await;
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for s in &sent {
        assert_eq!(
            s.lost_on_survivor, 0,
            "{}: a server dropped it",
            s.client_id
        );
        *statuses.entry(s.status).or_default() += 1;
        if s.status == 409 {
            assert_eq!(s.body["error"]["code"], "full", "{}", s.body);
        }
    }
    assert_eq!(
        statuses,
        BTreeMap::from([(201, 50), (409, STUDENTS - 50)]),
        "200 requests for 50 seats over two servers"
    );
    let conn = connect(&db).await;
    let (confirmed, taken): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM registrations WHERE plan_id = $1 AND status = 'confirmed'), \
                (SELECT seats_taken FROM exam_plans WHERE id = $1)",
    )
    .bind("cluster-50")
    .fetch_one(&conn.pool)
    .await
    .unwrap();
    assert_eq!((confirmed, taken), (50, 50));

    // 2. Login limits count on both servers together: three failures on one and two on the other
    // lock the account on both, even for the right password.
    let login = |url: &str, password: &str| {
        client
            .post(format!("{url}api/v1/auth/login"))
            .json(&json!({"student_no": "C00000", "password": password}))
            .send()
    };
    for i in 0..5 {
        let res = login(&urls[i % 2], "a-wrong-password-1").await.unwrap();
        assert_eq!(res.status(), 401, "failure {i}");
    }
    for url in urls.iter() {
        let res = login(url, "cluster-pass-00000").await.unwrap();
        assert_eq!(res.status(), 429, "{url}");
        assert!(res.headers().contains_key("retry-after"));
    }
    // A session made on one server is one on the other, and signing out on either ends it on both.
    let me = |url: &str, token: &str| {
        client
            .get(format!("{url}api/v1/me"))
            .bearer_auth(token)
            .send()
    };
    let odd = &tokens[1];
    assert_eq!(me(&urls[0], odd).await.unwrap().status(), 200);
    let out = client
        .post(format!("{}api/v1/auth/logout", urls[0]))
        .bearer_auth(odd)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert_eq!(me(&urls[1], odd).await.unwrap().status(), 401);
    tokens[1] = http_login(&client, &urls[1], "C00001", "cluster-pass-00001").await;
    // A portal assertion exchanged on one server is used up on the other.
    let assertion = |jti: &str| {
        let now = kaozheng_server::config::system_clock()().timestamp();
        encode(
            &Header::new(Algorithm::HS256),
            &json!({"iss": "portal.example.edu.cn", "sub": "C00002", "aud": "kaozheng",
                    "exp": now + 120, "jti": jti}),
            &EncodingKey::from_secret(PORTAL_SECRET.as_bytes()),
        )
        .unwrap()
    };
    let embed = |url: &str, assertion: String| {
        client
            .post(format!("{url}api/v1/auth/embed"))
            .json(&json!({"assertion": assertion}))
            .send()
    };
    let once = assertion("cluster-jti-1");
    assert_eq!(embed(&urls[0], once.clone()).await.unwrap().status(), 200);
    let replay = embed(&urls[1], once).await.unwrap();
    assert_eq!(replay.status(), 401);
    let v: Value = replay.json().await.unwrap();
    assert_eq!(v["error"]["code"], "assertion_replayed");
    assert_eq!(
        embed(&urls[1], assertion("cluster-jti-2"))
            .await
            .unwrap()
            .status(),
        200
    );

    // 3. Server A is SIGKILLed under registration load: its clients fail over to B with the same
    // client_id, B answers every request it gets, and every acknowledged registration is stored
    // once.
    let failing = Cluster {
        killable: 0,
        acked: Arc::new(AtomicUsize::new(0)),
        ..steady
    };
    let tasks: Vec<_> = (0..STUDENTS)
        .map(|i| {
            tokio::spawn(register_with_failover(
                failing.clone(),
                i % 2,
                tokens[i].clone(),
                i,
                format!("kill-{i}"),
                "cluster-kill",
            ))
        })
        .collect();
    let waited = Instant::now();
    while failing.acked.load(Ordering::SeqCst) < 25 && waited.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let in_flight = tasks.iter().filter(|t| !t.is_finished()).count();
    a.kill();
    let mut sent = Vec::new();
    for t in tasks {
        sent.push(
            tokio::time::timeout(Duration::from_secs(180), t)
                .await
                .expect("every request is answered")
                .unwrap(),
        );
    }
    assert!(b.is_running(), "the surviving server died");
    let health = client
        .get(format!("{}api/v1/health", urls[1]))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "the survivor is healthy");
    let lost_on_b: usize = sent.iter().map(|s| s.lost_on_survivor).sum();
    assert_eq!(lost_on_b, 0, "server B dropped requests while A died");
    let failed_over = sent.iter().filter(|s| s.failed_over).count();
    let mut acked_ids: HashMap<(usize, String), String> = HashMap::new();
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for s in &sent {
        *statuses.entry(s.status).or_default() += 1;
        match s.status {
            200 | 201 => {
                let id = s.body["id"].as_str().unwrap().to_string();
                acked_ids.insert((s.student, s.client_id.clone()), id);
            }
            // A student whose answer from A was lost, retried on B after B sold the last seat,
            // still gets the seat A committed (200), never `full`; `full` is for the others.
            409 => assert_eq!(s.body["error"]["code"], "full", "{}", s.body),
            other => panic!("{}: {other} {}", s.client_id, s.body),
        }
    }
    let rows = sqlx::query(
        "SELECT id, student_no, client_id FROM registrations \
         WHERE plan_id = $1 AND status = 'confirmed'",
    )
    .bind("cluster-kill")
    .fetch_all(&conn.pool)
    .await
    .unwrap();
    let mut stored: HashMap<(usize, String), Vec<String>> = HashMap::new();
    for r in &rows {
        let student: String = r.get(1);
        let student: usize = student[1..].parse().unwrap();
        stored
            .entry((student, r.get(2)))
            .or_default()
            .push(r.get(0));
    }
    let (mut lost, mut duplicated, mut mismatched) = (0, 0, 0);
    for (key, id) in &acked_ids {
        match stored.get(key).map(Vec::as_slice) {
            None | Some([]) => lost += 1,
            Some([one]) if one == id => {}
            Some([_]) => mismatched += 1,
            Some(_) => duplicated += 1,
        }
    }
    let phantom = stored
        .keys()
        .filter(|k| !acked_ids.contains_key(*k))
        .count();
    let taken: i64 = sqlx::query_scalar("SELECT seats_taken FROM exam_plans WHERE id = $1")
        .bind("cluster-kill")
        .fetch_one(&conn.pool)
        .await
        .unwrap();
    conn.pool.close().await;
    println!(
        "cluster (2 servers, one PostgreSQL): 200 for 50 seats -> 50 confirmed; after SIGKILL of A \
         with {in_flight} requests in flight: statuses {statuses:?}, {failed_over} failed over to B, \
         lost {lost}, duplicated {duplicated}, mismatched {mismatched}, phantom {phantom}, B dropped {lost_on_b}"
    );
    assert_eq!(
        (lost, duplicated, mismatched, phantom),
        (0, 0, 0, 0),
        "{statuses:?}"
    );
    assert_eq!(acked_ids.len(), 100, "every seat sold once: {statuses:?}");
    assert_eq!((rows.len(), taken), (100, 100));
    assert!(failed_over > 0, "the kill caught no request of A's");
    b.kill();
    drop(pg);
}
