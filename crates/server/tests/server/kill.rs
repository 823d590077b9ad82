//! The server killed with SIGKILL in the middle of a registration load, then restarted on the same
//! database: every registration a client was told about (200/201, before or after the restart) is
//! stored exactly once, no student holds two seats of one plan, and no plan is oversold.
//!
//! Each round registers every student for the round's plan at once (some students also send a
//! second copy of their request, as a double-tapping app would), SIGKILLs the server at a moment
//! that varies by round (every other round a second time right after the restart), starts it
//! again, and lets every client whose answer was lost retry with the same `client_id` until it
//! gets one, as the app's outbox does. Afterwards every acknowledged
//! request is replayed once more and must return the stored registration.
//!
//! `KZ_KILL_ROUNDS` (default 5) sets the number of rounds and `KZ_KILL_STUDENTS` (default 48)
//! the students per round; plans have half as many seats as students.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use kaozheng_core::SchoolLevel;
use serde_json::{Value, json};
use sqlx::Row;

use super::harness::{DbTarget, ServerProcess, cli, connect};
use super::support::{Backend, PgDatabase, http_login};
use crate::on_both;

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// One client request's fate.
#[derive(Debug, Clone)]
enum Outcome {
    /// 200 or 201 with the registration's id and ticket number.
    Acked {
        status: u16,
        id: String,
        ticket_no: String,
    },
    /// 409 `full`.
    Full,
    Other(u16, String),
}

struct Sent {
    student_no: String,
    client_id: String,
    plan_id: String,
    outcome: Outcome,
    /// Transport failures (connection refused or cut off) before the answer came.
    lost_answers: usize,
}

/// Certificate levels a 高职 student may register for, one per round (distinct, so no round's
/// registration is a duplicate of another's).
pub fn plan_levels(rounds: usize) -> Vec<(String, &'static str)> {
    let catalog = kaozheng_server::seed::default_catalog().unwrap();
    let mut out = Vec::new();
    for c in &catalog.certificates {
        for l in &c.levels {
            let suits = l
                .suitable_for
                .as_ref()
                .is_none_or(|s| s.contains(&SchoolLevel::Higher));
            if suits {
                out.push((c.id.clone(), l.level.as_str()));
            }
        }
    }
    assert!(
        out.len() >= rounds,
        "only {} certificate levels for {rounds} rounds",
        out.len()
    );
    out.truncate(rounds);
    out
}

fn write_files(dir: &std::path::Path, rounds: usize, students: usize, capacity: usize) {
    std::fs::write(
        dir.join("sites.csv"),
        "id,name,province,city,address\nkill-site,断电考点（示例）,天津,天津,示例路1号\n",
    )
    .unwrap();
    let now = kaozheng_server::config::system_clock()();
    let at = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut plans = String::from(
        "id,name,certificate_id,level,province,site_id,phase,window_opens_at,window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen\n",
    );
    for (r, (cert, level)) in plan_levels(rounds).into_iter().enumerate() {
        // Exams on distinct days, so a student's registrations never clash.
        let exam = now + chrono::Duration::days(30 + r as i64);
        plans.push_str(&format!(
            "kill-{r},断电测试{r},{cert},{level},天津,kill-site,published,{},{},{},{},{capacity},20000\n",
            at(now - chrono::Duration::days(1)),
            at(now + chrono::Duration::days(20)),
            at(exam),
            at(exam + chrono::Duration::hours(2)),
        ));
    }
    std::fs::write(dir.join("plans.csv"), plans).unwrap();
    let mut csv = String::from("student_no,name,school,school_level,province,password\n");
    for i in 0..students {
        csv.push_str(&format!(
            "K{i:05},学生{i},示例职业技术学院,高职,天津,kill-pass-{i:05}\n"
        ));
    }
    std::fs::write(dir.join("students.csv"), csv).unwrap();
}

/// Sends one registration until an HTTP answer arrives, retrying with the same `client_id` on
/// every transport failure against whichever server is current.
async fn register_until_answered(
    client: reqwest::Client,
    url: tokio::sync::watch::Receiver<String>,
    token: String,
    student_no: String,
    client_id: String,
    plan_id: String,
    acked: Arc<AtomicUsize>,
) -> Sent {
    let body = json!({"client_id": client_id, "plan_id": plan_id});
    let mut lost_answers = 0;
    let started = Instant::now();
    let outcome = loop {
        let base = url.borrow().clone();
        let res = client
            .post(format!("{base}api/v1/registrations"))
            .bearer_auth(&token)
            .json(&body)
            .timeout(Duration::from_secs(30))
            .send()
            .await;
        let res = match res {
            Ok(r) => r,
            Err(_) => {
                lost_answers += 1;
                assert!(
                    started.elapsed() < Duration::from_secs(120),
                    "no answer for {client_id} in two minutes"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let status = res.status().as_u16();
        let Ok(v) = res.json::<Value>().await else {
            // The body was cut off by the kill: the answer is lost like any other.
            lost_answers += 1;
            continue;
        };
        break match status {
            200 | 201 => {
                acked.fetch_add(1, Ordering::SeqCst);
                Outcome::Acked {
                    status,
                    id: v["id"].as_str().unwrap().to_string(),
                    ticket_no: v["ticket_no"].as_str().unwrap().to_string(),
                }
            }
            409 if v["error"]["code"] == "full" => Outcome::Full,
            s => Outcome::Other(s, v.to_string()),
        };
    };
    Sent {
        student_no,
        client_id,
        plan_id,
        outcome,
        lost_answers,
    }
}

#[derive(Debug, Default)]
struct Figures {
    rounds: usize,
    kills: usize,
    requests: usize,
    acked: usize,
    full: usize,
    lost_answers: usize,
    /// Requests committed before a kill whose answer the kill swallowed: the retry got 200.
    committed_unanswered: usize,
    in_flight_at_kill: usize,
    replayed: usize,
    lost: usize,
    duplicated: usize,
    oversold: usize,
    phantom: usize,
}

async fn kill_rounds(b: Backend) {
    let rounds = env_count("KZ_KILL_ROUNDS", 5);
    let students = env_count("KZ_KILL_STUDENTS", 48);
    let capacity = students / 2;
    let root = tempfile::tempdir().unwrap();
    let pg = match b {
        Backend::Sqlite => None,
        Backend::Postgres => Some(PgDatabase::create().await),
    };
    let db = match &pg {
        None => DbTarget::Sqlite(root.path().join("var")),
        Some(p) => DbTarget::Postgres(p.url.clone()),
    };
    let dist = root.path().join("dist");
    let log = root.path().join("server.log");
    write_files(root.path(), rounds, students, capacity);
    for (kind, file) in [
        ("sites", "sites.csv"),
        ("plans", "plans.csv"),
        ("students", "students.csv"),
    ] {
        let path = root.path().join(file);
        let out = cli(&["import", kind, path.to_str().unwrap()], &db);
        assert!(
            out.status.success(),
            "{kind}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let mut server = ServerProcess::start(&db, &dist, &log, "warn", &[]).await;
    let client = reqwest::Client::new();
    let mut tokens = Vec::new();
    for i in 0..students {
        tokens.push(
            http_login(
                &client,
                &server.url,
                &format!("K{i:05}"),
                &format!("kill-pass-{i:05}"),
            )
            .await,
        );
    }

    let mut figures = Figures {
        rounds,
        ..Figures::default()
    };
    let mut all: Vec<Sent> = Vec::new();
    let (url_tx, url_rx) = tokio::sync::watch::channel(server.url.clone());
    for r in 0..rounds {
        let plan_id = format!("kill-{r}");
        let acked = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            // Every seventh student's app sends its request twice at once.
            let copies = if i % 7 == 0 { 2 } else { 1 };
            for _ in 0..copies {
                tasks.push(tokio::spawn(register_until_answered(
                    client.clone(),
                    url_rx.clone(),
                    token.clone(),
                    format!("K{i:05}"),
                    format!("kill-{r}-{i}"),
                    plan_id.clone(),
                    acked.clone(),
                )));
            }
        }
        figures.requests += tasks.len();
        // The kill moment moves through the load: at once, after a quarter, a half and nearly
        // all of the seats were confirmed to a client, or after a delay that varies by round.
        let threshold = match r % 5 {
            0 => 0,
            1 => capacity / 4,
            2 => capacity / 2,
            3 => capacity.saturating_sub(2),
            _ => {
                tokio::time::sleep(Duration::from_millis((r as u64 * 37) % 120)).await;
                0
            }
        };
        let waited = Instant::now();
        while acked.load(Ordering::SeqCst) < threshold && waited.elapsed() < Duration::from_secs(60)
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        figures.in_flight_at_kill += tasks.iter().filter(|t| !t.is_finished()).count();
        assert!(server.is_running(), "the server died on its own");
        server.kill();
        figures.kills += 1;
        server = ServerProcess::start(&db, &dist, &log, "warn", &[]).await;
        url_tx.send(server.url.clone()).unwrap();
        if r % 2 == 1 {
            // Killed again while the retries pour in, right after the restart.
            tokio::time::sleep(Duration::from_millis(15)).await;
            server.kill();
            figures.kills += 1;
            server = ServerProcess::start(&db, &dist, &log, "warn", &[]).await;
            url_tx.send(server.url.clone()).unwrap();
        }
        for t in tasks {
            let sent = tokio::time::timeout(Duration::from_secs(180), t)
                .await
                .expect("every request gets an answer after the restart")
                .unwrap();
            all.push(sent);
        }
    }

    // Every acknowledged request again, as an app that never saw its answer would send it: the
    // same registration comes back.
    for s in &all {
        if let Outcome::Acked { id, .. } = &s.outcome {
            let i: usize = s.student_no[1..].parse().unwrap();
            let res = client
                .post(format!("{}api/v1/registrations", server.url))
                .bearer_auth(&tokens[i])
                .json(&json!({"client_id": s.client_id, "plan_id": s.plan_id}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "replay of {}", s.client_id);
            let v: Value = res.json().await.unwrap();
            assert_eq!(
                v["id"].as_str(),
                Some(id.as_str()),
                "replay of {}",
                s.client_id
            );
            figures.replayed += 1;
        }
    }
    server.kill();

    let unexpected: Vec<String> = all
        .iter()
        .filter_map(|s| match &s.outcome {
            Outcome::Other(status, body) => Some(format!("{} {status} {body}", s.client_id)),
            _ => None,
        })
        .collect();
    assert!(unexpected.is_empty(), "unexpected answers: {unexpected:#?}");
    figures.full = all
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Full))
        .count();
    figures.lost_answers = all.iter().map(|s| s.lost_answers).sum();
    // Students sending one copy get 200 only when an earlier attempt of theirs was stored.
    figures.committed_unanswered = all
        .iter()
        .filter(|s| {
            let i: usize = s.student_no[1..].parse().unwrap();
            !i.is_multiple_of(7) && matches!(s.outcome, Outcome::Acked { status: 200, .. })
        })
        .count();
    // Acknowledged registrations by (student, client_id); the two copies of one request must
    // have been told about the same registration.
    let mut acked: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for s in &all {
        if let Outcome::Acked {
            id,
            ticket_no,
            status,
        } = &s.outcome
        {
            assert!(*status == 200 || *status == 201);
            let key = (s.student_no.clone(), s.client_id.clone());
            if let Some((other, _)) = acked.insert(key, (id.clone(), ticket_no.clone()))
                && other != *id
            {
                figures.duplicated += 1;
            }
        }
    }
    figures.acked = acked.len();

    let conn = connect(&db).await;
    let rows = sqlx::query(
        "SELECT id, student_no, client_id, plan_id, status, ticket_no FROM registrations \
         WHERE plan_id LIKE $1",
    )
    .bind("kill-%")
    .fetch_all(&conn.pool)
    .await
    .unwrap();
    let mut stored: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
    let mut per_student_plan: HashMap<(String, String), usize> = HashMap::new();
    let mut confirmed: HashMap<String, usize> = HashMap::new();
    let mut tickets = BTreeSet::new();
    for row in &rows {
        let (id, student, client, plan, status, ticket): (
            String,
            String,
            String,
            String,
            String,
            String,
        ) = (
            row.get(0),
            row.get(1),
            row.get(2),
            row.get(3),
            row.get(4),
            row.get(5),
        );
        assert_eq!(status, "confirmed", "nothing in this test cancels");
        assert!(
            tickets.insert(ticket.clone()),
            "ticket {ticket} issued twice"
        );
        stored
            .entry((student.clone(), client))
            .or_default()
            .push((id, ticket));
        *per_student_plan.entry((student, plan.clone())).or_default() += 1;
        *confirmed.entry(plan).or_default() += 1;
    }
    for (key, (id, ticket)) in &acked {
        match stored.get(key).map(Vec::as_slice) {
            None | Some([]) => figures.lost += 1,
            Some([(sid, sticket)]) => {
                assert_eq!(
                    (sid, sticket),
                    (id, ticket),
                    "{key:?} answered another registration"
                )
            }
            Some(_) => figures.duplicated += 1,
        }
    }
    figures.duplicated += per_student_plan.values().filter(|n| **n > 1).count();
    // A stored registration no client was told about would be a seat taken by a lost answer
    // that was never retried; every lost answer here was retried.
    figures.phantom = stored.keys().filter(|k| !acked.contains_key(*k)).count();
    for r in 0..rounds {
        let plan = format!("kill-{r}");
        let (taken, cap): (i64, i64) =
            sqlx::query_as("SELECT seats_taken, capacity FROM exam_plans WHERE id = $1")
                .bind(&plan)
                .fetch_one(&conn.pool)
                .await
                .unwrap();
        let n = *confirmed.get(&plan).unwrap_or(&0) as i64;
        assert_eq!(
            taken, n,
            "{plan}: seats_taken follows the stored registrations"
        );
        if n > cap {
            figures.oversold += (n - cap) as usize;
        }
        // With more students than seats, every seat ends up taken.
        assert_eq!(n, cap, "{plan}: every seat was sold");
    }
    conn.pool.close().await;

    println!(
        "kill test ({b:?}): rounds={} kills={} requests={} acked={} full={} \
         answers_lost_to_kills={} committed_unanswered={} in_flight_at_kill={} replayed={} \
         lost={} duplicated={} oversold={} phantom={}",
        figures.rounds,
        figures.kills,
        figures.requests,
        figures.acked,
        figures.full,
        figures.lost_answers,
        figures.committed_unanswered,
        figures.in_flight_at_kill,
        figures.replayed,
        figures.lost,
        figures.duplicated,
        figures.oversold,
        figures.phantom
    );
    assert_eq!(
        (
            figures.lost,
            figures.duplicated,
            figures.oversold,
            figures.phantom
        ),
        (0, 0, 0, 0),
        "{figures:?}"
    );
    assert_eq!(figures.acked, rounds * capacity, "{figures:?}");
    assert!(
        figures.in_flight_at_kill > 0,
        "no kill caught a request in flight: {figures:?}"
    );
    drop(pg);
}

on_both! {
    /// SIGKILL mid-load, restart, retry: lost = duplicated = oversold = 0.
    async fn sigkill_during_registrations_loses_and_duplicates_nothing(b) {
        super::kill_rounds(b).await
    }
}
