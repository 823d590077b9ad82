//! A database written before the cited fee rules (migrations 1–4) upgrades in place: its payers and
//! reasons are rewritten (a Henan ban is "not charged", the school's funded exam a pilot student's),
//! full province names become codes, old feedback is kept apart, and nothing else changes.

use kaozheng_server::db::{self, Backend as DbBackend, Db};
use sqlx::Executor;

use super::support::{Backend, PgDatabase};
use crate::on_both;

/// The rows an earlier server stored, in the schema of migration 4.
const BEFORE: &str = "
INSERT INTO orgs (id, sort_order, name, pinyin) VALUES ('o1', 0, '某组织', 'mou');
INSERT INTO certificates (id, sort_order, name, org_id, pinyin) VALUES ('c1', 0, 'Web前端开发职业技能等级证书', 'o1', 'web');
INSERT INTO certificate_levels (certificate_id, level) VALUES ('c1', 1);
INSERT INTO sites (id, name, province, city, address) VALUES ('s1', '考点', '河南省', '郑州', '地址');
INSERT INTO exam_plans (id, name, certificate_id, level, province, site_id, phase, window_opens_at,
    window_closes_at, exam_starts_at, exam_ends_at, capacity, seats_taken, fee_fen)
    VALUES ('p1', '计划', 'c1', 1, '河南省', 's1', 'published', 1, 2, 3, 4, 10, 3, 30000);
INSERT INTO students (student_no, name, school, school_level, province, hardship, password_hash, created_at)
    VALUES ('S1', '甲', '某校', 'secondary', '河南省', 0, 'x', 0),
           ('S2', '乙', '某校', 'higher', 'Tianjin', 0, 'x', 0),
           ('S3', '丙', '某校', 'higher', '火星', 0, 'x', 0);
INSERT INTO registrations (id, student_no, client_id, plan_id, status, ticket_no, fee_fen,
    student_pays_fen, payer, fee_reason, created_at)
    VALUES ('r1', 'S1', 'k1', 'p1', 'confirmed', '1', 30000, 0, 'school', 'in_school_free', 5),
           ('r2', 'S2', 'k2', 'p1', 'confirmed', '2', 30000, 0, 'school', 'school_paid_first_exam', 5),
           ('r3', 'S2', 'k3', 'p1', 'cancelled', '3', 30000, 30000, 'student', 'standard', 5);
INSERT INTO results (registration_id, modules, passed, imported_at) VALUES ('r2', '[]', 0, 6);
INSERT INTO feedback (student_no, certificate_id, level, content_quality, job_usefulness,
    exam_organisation, comment, client_id, updated_at) VALUES ('S2', 'c1', 1, 5, 4, 3, '好', 'f1', 9);
";

on_both! {
    async fn a_database_from_before_the_cited_rules_upgrades_in_place(b) {
        let dir = tempfile::tempdir().unwrap();
        let pg = match b {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgDatabase::create().await),
        };
        let url = match &pg {
            Some(p) => p.url.clone(),
            None => db::sqlite_url(&dir.path().join("k.sqlite3")).unwrap(),
        };
        let database = Db::connect(&url).await.unwrap();
        let mut old = db::migrator(database.backend);
        old.migrations = old.migrations.iter().filter(|m| m.version <= 4).cloned().collect::<Vec<_>>().into();
        old.run(&database.pool).await.unwrap();
        for statement in BEFORE.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            database.pool.execute(statement).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
        }

        database.migrate().await.unwrap();

        let fees: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, payer, fee_reason, fee_policy FROM registrations ORDER BY id",
        )
        .fetch_all(&database.pool)
        .await
        .unwrap();
        assert_eq!(
            fees,
            vec![
                ("r1".into(), "not_charged".into(), "in_school_free".into(), None),
                ("r2".into(), "school".into(), "pilot_exam_covered".into(), None),
                ("r3".into(), "student".into(), "standard".into(), None),
            ]
        );
        // The result still belongs to its registration, and the new values are accepted.
        let result: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM results r JOIN registrations g ON g.id = r.registration_id")
            .fetch_one(&database.pool)
            .await
            .unwrap();
        assert_eq!(result, 1);
        database
            .pool
            .execute("UPDATE registrations SET payer = 'student', fee_reason = 'pilot_coverage_used', fee_policy = 'x' WHERE id = 'r3'")
            .await
            .unwrap();
        assert!(database.pool.execute("UPDATE registrations SET payer = 'nobody' WHERE id = 'r3'").await.is_err());
        // Provinces by code; an unknown name is left for an administrator.
        let provinces: Vec<(String, String)> = sqlx::query_as("SELECT student_no, province FROM students ORDER BY student_no")
            .fetch_all(&database.pool)
            .await
            .unwrap();
        assert_eq!(
            provinces,
            vec![("S1".into(), "河南".into()), ("S2".into(), "天津".into()), ("S3".into(), "火星".into())]
        );
        let plan: String = sqlx::query_scalar("SELECT province FROM exam_plans").fetch_one(&database.pool).await.unwrap();
        let site: String = sqlx::query_scalar("SELECT province FROM sites").fetch_one(&database.pool).await.unwrap();
        assert_eq!((plan.as_str(), site.as_str()), ("河南", "河南"));
        // Earlier feedback is kept apart; the new table asks seed 002's three points.
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback_v1").fetch_one(&database.pool).await.unwrap();
        let new: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback").fetch_one(&database.pool).await.unwrap();
        assert_eq!((kept, new), (1, 0));
        // Students are not pilot students until the school says so.
        let pilots: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM students WHERE pilot = 1").fetch_one(&database.pool).await.unwrap();
        assert_eq!(pilots, 0);
        // Running the migrations again changes nothing.
        database.migrate().await.unwrap();
        assert_eq!(database.backend, match b { Backend::Sqlite => DbBackend::Sqlite, Backend::Postgres => DbBackend::Postgres });
        database.pool.close().await;
        drop(pg);
    }
}

on_both! {
    /// An administrator's fee rules in the earlier shape (a `*` default borrowed by every province)
    /// cannot be read any more: they are set aside for the shipped rules, kept under their version,
    /// and registrations keep working.
    async fn imported_rules_of_an_earlier_shape_are_set_aside_not_fatal(b) {
        let t = super::super::support::TestApp::on(b).await;
        let mut conn = t.state.db.pool.acquire().await.unwrap();
        let old = kaozheng_server::db::rules::StoredRules {
            kind: "fees".into(),
            version: "school-2025".into(),
            body: r#"{"version":"school-2025","policies":[{"id":"d","province":"*","effective_from":"2019-04-01","in_school_free":false,"school_pays_first_exam":true,"hardship_waived":true,"citations":[]}]}"#.into(),
            origin: kaozheng_server::rules::ORIGIN_ADMIN.into(),
        };
        kaozheng_server::db::rules::store(&mut conn, &old, 0).await.unwrap();
        let report = kaozheng_server::rules::seed(&mut conn, t.clock.now()).await.unwrap();
        let fees = report.iter().find(|r| matches!(r, kaozheng_server::rules::RuleSeed::SetAside { kind, .. } if kind == "fees"));
        assert!(fees.is_some(), "{report:?}");
        let current = kaozheng_server::db::rules::current(&mut conn, "fees").await.unwrap().unwrap();
        assert_ne!(current.version, "school-2025");
        assert!(kaozheng_server::db::rules::get_version(&mut *conn, "fees", "school-2025").await.unwrap().is_some());
        drop(conn);
        let li = t.login("TJ2024002").await;
        let res = t.post_as("/api/v1/registrations", &li, serde_json::json!({"client_id": "c1", "plan_id": "demo-sensor-network-intermediate"})).await;
        assert_eq!(res.status, axum::http::StatusCode::CREATED, "{}", res.text());
    }
}
