//! The JSON endpoints: catalog (ETag, compression, multi-server refresh), plans (filters, seats,
//! states), sites, errors.

use axum::http::StatusCode;
use chrono::Duration;
use kaozheng_core::{Catalog, ExamPlan, PlanState, XLevel};
use kaozheng_server::db;

use super::support::{TestApp, brotli_decompress, fixture_catalog, now};
use crate::on_both;

on_both! {
    async fn catalog_has_an_etag_and_revalidates_with_304(b) {
        let t = TestApp::on(b).await;
        let res = t.get("/api/v1/catalog").await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.header("etag"), "W/\"fixture-2026-01\"");
        assert_eq!(res.header("cache-control"), "no-cache");
        assert!(res.header("content-type").starts_with("application/json"));
        // The stored catalog comes back as exactly the document that was imported.
        let served: Catalog = serde_json::from_slice(&res.body).unwrap();
        assert_eq!(served, fixture_catalog());

        for current in [
            "W/\"fixture-2026-01\"",
            "\"fixture-2026-01\"",
            "W/\"older\", W/\"fixture-2026-01\"",
            "*",
        ] {
            let res = t
                .get_with("/api/v1/catalog", &[("if-none-match", current)])
                .await;
            assert_eq!(res.status, StatusCode::NOT_MODIFIED, "{current}");
            assert!(res.body.is_empty());
            assert_eq!(res.header("etag"), "W/\"fixture-2026-01\"");
            assert_eq!(res.header("cache-control"), "no-cache");
        }

        let stale = t
            .get_with(
                "/api/v1/catalog",
                &[("if-none-match", "W/\"fixture-2025-12\"")],
            )
            .await;
        assert_eq!(stale.status, StatusCode::OK);
        assert_eq!(stale.body, res.body);
    }
}

on_both! {
    async fn catalog_is_compressed_for_clients_that_accept_brotli(b) {
        let t = TestApp::on(b).await;
        let plain = t.get("/api/v1/catalog").await;
        assert!(plain.headers.get("content-encoding").is_none());
        let br = t
            .get_with("/api/v1/catalog", &[("accept-encoding", "gzip, br")])
            .await;
        assert_eq!(br.status, StatusCode::OK);
        assert_eq!(br.header("content-encoding"), "br");
        assert!(
            br.header("vary")
                .to_ascii_lowercase()
                .contains("accept-encoding")
        );
        assert!(br.body.len() < plain.body.len());
        assert_eq!(brotli_decompress(&br.body), plain.body.to_vec());
        // A 304 has nothing to compress and says so.
        let not_modified = t
            .get_with(
                "/api/v1/catalog",
                &[("accept-encoding", "br"), ("if-none-match", "*")],
            )
            .await;
        assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
        assert!(not_modified.headers.get("content-encoding").is_none());
    }
}

on_both! {
    async fn catalog_follows_a_change_made_by_another_server(b) {
        let t = TestApp::on(b).await;
        let before = t.get("/api/v1/catalog").await;
        assert_eq!(before.header("etag"), "W/\"fixture-2026-01\"");

        // Another server (same database) imports a new catalog; this one only sees `meta` change.
        let mut next = fixture_catalog();
        next.version = "fixture-2026-02".into();
        next.certificates[0].description = Some("新版说明".into());
        let mut tx = t.state.db.pool.begin().await.unwrap();
        db::catalog::import(&mut tx, &next, "admin").await.unwrap();
        tx.commit().await.unwrap();

        let after = t
            .get_with(
                "/api/v1/catalog",
                &[("if-none-match", "W/\"fixture-2026-01\"")],
            )
            .await;
        assert_eq!(after.status, StatusCode::OK);
        assert_eq!(after.header("etag"), "W/\"fixture-2026-02\"");
        let served: Catalog = serde_json::from_slice(&after.body).unwrap();
        assert_eq!(served, next);
    }
}

fn plans_of(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v["plans"].as_array().unwrap().clone()
}

on_both! {
    async fn plans_filter_by_certificate_level_and_province(b) {
        let t = TestApp::on(b).await;
        let all = plans_of(&t.get("/api/v1/plans").await.json());
        assert_eq!(
            all.len(),
            13,
            "every level of every fixture certificate with levels, but the draft"
        );
        let starts: Vec<&str> = all
            .iter()
            .map(|p| p["exam_starts_at"].as_str().unwrap())
            .collect();
        let mut sorted = starts.clone();
        sorted.sort();
        assert_eq!(starts, sorted, "sorted by exam time");

        let bim = plans_of(&t.get("/api/v1/plans?certificate=bim").await.json());
        assert_eq!(bim.len(), 3);
        assert!(bim.iter().all(|p| p["certificate_id"] == "bim"));

        let mid = plans_of(&t.get("/api/v1/plans?level=intermediate").await.json());
        assert!(!mid.is_empty() && mid.len() < all.len());
        assert!(mid.iter().all(|p| p["level"] == "intermediate"));
        // Chinese level names and platform codes select the same plans.
        for alias in ["%E4%B8%AD%E7%BA%A7", "2", "Intermediate"] {
            let same = plans_of(&t.get(&format!("/api/v1/plans?level={alias}")).await.json());
            assert_eq!(same, mid, "level={alias}");
        }

        // 河南 and 河南省 (percent-encoded).
        let henan = plans_of(
            &t.get("/api/v1/plans?province=%E6%B2%B3%E5%8D%97")
                .await
                .json(),
        );
        assert!(!henan.is_empty() && henan.len() < all.len());
        assert!(henan.iter().all(|p| p["province"] == "河南"));
        let henan_full = plans_of(
            &t.get("/api/v1/plans?province=%E6%B2%B3%E5%8D%97%E7%9C%81")
                .await
                .json(),
        );
        assert_eq!(henan_full, henan);

        let combined = plans_of(
            &t.get("/api/v1/plans?certificate=bim&level=advanced")
                .await
                .json(),
        );
        assert_eq!(combined.len(), 1);
        assert_eq!(combined[0]["id"], "demo-bim-advanced");

        let empty_means_any = plans_of(&t.get("/api/v1/plans?level=&province=").await.json());
        assert_eq!(empty_means_any.len(), all.len());
        let none = plans_of(&t.get("/api/v1/plans?certificate=no-such").await.json());
        assert!(none.is_empty());
    }
}

on_both! {
    async fn a_bad_level_is_a_400_with_the_error_shape(b) {
        let t = TestApp::on(b).await;
        let res = t.get("/api/v1/plans?level=expert").await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        assert!(res.header("content-type").starts_with("application/json"));
        let v = res.json();
        assert_eq!(v["error"]["code"], "invalid_level");
        assert!(v["error"]["message"].as_str().unwrap().contains("expert"));
        assert!(v["error"]["message_zh"].as_str().unwrap().contains("等级"));
        assert_eq!(v.as_object().unwrap().len(), 1);
        assert_eq!(v["error"].as_object().unwrap().len(), 3);

        let res = t.get("/api/v1/plans?level=a&level=b").await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        assert_eq!(res.json()["error"]["code"], "invalid_query");
    }
}

on_both! {
    async fn seats_left_is_capacity_minus_seats_taken(b) {
        let t = TestApp::on(b).await;
        let id = "demo-bim-primary";
        let plan = |v: serde_json::Value| -> ExamPlan {
            let p = plans_of(&v).into_iter().find(|p| p["id"] == id).unwrap();
            serde_json::from_value(p).unwrap()
        };
        let before = plan(t.get("/api/v1/plans?certificate=bim").await.json());
        let taken: i64 = sqlx::query_scalar("SELECT seats_taken FROM exam_plans WHERE id = $1")
            .bind(id)
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
        assert_eq!(
            i64::from(before.seats_left),
            i64::from(before.capacity) - taken
        );

        assert!(
            db::plans::take_seat(&t.state.db.pool, id)
                .await
                .unwrap()
                .is_some()
        );
        let after = plan(t.get("/api/v1/plans?certificate=bim").await.json());
        assert_eq!(after.seats_left, before.seats_left - 1);
        assert!(db::plans::release_seat(&t.state.db.pool, id).await.unwrap());
        let back = plan(t.get("/api/v1/plans?certificate=bim").await.json());
        assert_eq!(back.seats_left, before.seats_left);
    }
}

on_both! {
    async fn racing_registrations_never_overbook(b) {
        let t = TestApp::on(b).await;
        // Find an open plan with few seats left.
        let all = plans_of(&t.get("/api/v1/plans").await.json());
        let nearly_full = all
            .iter()
            .find(|p| p["state"] == "open" && p["seats_left"].as_u64().unwrap() == 1)
            .expect("the demo has a nearly full open plan");
        let id = nearly_full["id"].as_str().unwrap().to_string();
        let left = nearly_full["seats_left"].as_u64().unwrap() as usize;

        let mut tasks = Vec::new();
        for _ in 0..24 {
            let pool = t.state.db.pool.clone();
            let id = id.clone();
            tasks.push(tokio::spawn(async move {
                db::plans::take_seat(&pool, &id).await.unwrap().is_some()
            }));
        }
        let mut won = 0;
        for task in tasks {
            won += usize::from(task.await.unwrap());
        }
        assert_eq!(won, left);
        let plan = db::plans::get(&t.state.db.pool, &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(plan.seats_left, 0);
        assert!(
            db::plans::take_seat(&t.state.db.pool, &id)
                .await
                .unwrap()
                .is_none()
        );
    }
}

on_both! {
    async fn states_are_computed_at_the_servers_now(b) {
        let t = TestApp::on(b).await;
        let v = t.get("/api/v1/plans").await.json();
        assert_eq!(v["as_of"], "2026-11-21T15:37:12+08:00");
        for p in plans_of(&v) {
            let state = p["state"].clone();
            let plan: ExamPlan = serde_json::from_value(p).unwrap();
            assert_eq!(state, serde_json::to_value(plan.state_at(now())).unwrap());
        }
        let state_of = |v: &serde_json::Value, id: &str| {
            plans_of(v)
                .into_iter()
                .find(|p| p["id"] == id)
                .map(|p| p["state"].as_str().unwrap().to_string())
                .unwrap()
        };
        assert_eq!(state_of(&v, "demo-bim-primary"), "open");
        let states: Vec<String> = plans_of(&v)
            .iter()
            .map(|p| p["state"].as_str().unwrap().to_string())
            .collect();
        for s in [
            "open",
            "announced",
            "closed",
            "examining",
            "scoring",
            "publicized",
            "ended",
        ] {
            assert!(states.iter().any(|x| x == s), "no {s} plan in {states:?}");
        }

        // Thirty days on, the window has closed and the exam has begun.
        t.clock.set(now() + Duration::days(30));
        let later = t.get("/api/v1/plans").await.json();
        assert_eq!(later["as_of"], "2026-12-21T15:37:12+08:00");
        assert_eq!(state_of(&later, "demo-bim-primary"), "examining");
        let plan: ExamPlan = serde_json::from_value(
            plans_of(&later)
                .into_iter()
                .find(|p| p["id"] == "demo-bim-primary")
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            plan.state_at(now() + Duration::days(30)),
            PlanState::Examining
        );
        assert_eq!(plan.level, XLevel::Primary);
    }
}

on_both! {
    async fn sites_lists_the_demo_sites(b) {
        let t = TestApp::on(b).await;
        let res = t.get("/api/v1/sites").await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.header("cache-control"), "no-cache");
        let sites: Vec<kaozheng_core::Site> =
            serde_json::from_value(res.json()["sites"].clone()).unwrap();
        assert_eq!(sites.len(), 5);
        let zz = sites
            .iter()
            .find(|s| s.id == "demo-site-zhengzhou")
            .unwrap();
        assert_eq!(
            (zz.name.as_str(), zz.province.as_str(), zz.city.as_str()),
            ("示例职业技术学院考点", "河南", "郑州")
        );
        let order: Vec<(&str, &str)> = sites
            .iter()
            .map(|s| (s.province.as_str(), s.city.as_str()))
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
        // Every plan's site is listed.
        let plans = plans_of(&t.get("/api/v1/plans").await.json());
        for p in plans {
            assert!(
                sites.iter().any(|s| s.id == p["site_id"]),
                "{}",
                p["site_id"]
            );
        }
    }
}

on_both! {
    async fn unknown_api_paths_and_methods_get_json_errors(b) {
        let t = TestApp::on(b).await;
        for path in [
            "/api/v1/nope",
            "/api",
            "/api/",
            "/api/v2/catalog",
            "/api/v1/catalog/x",
        ] {
            let res = t.get(path).await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
            assert!(
                res.header("content-type").starts_with("application/json"),
                "{path}"
            );
            assert_eq!(res.json()["error"]["code"], "not_found", "{path}");
        }
        let res = t
            .send(
                axum::http::Request::post("/api/v1/plans")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(res.json()["error"]["code"], "method_not_allowed");
    }
}

on_both! {
    /// Plans and sites are tagged by their content: a phone holding the current list gets a 304
    /// and downloads nothing; a seat taken changes the plans' tag, not the sites'.
    async fn plans_and_sites_revalidate_with_their_content_tags(b) {
        let t = TestApp::on(b).await;
        for path in ["/api/v1/plans", "/api/v1/sites"] {
            let res = t.get(path).await;
            assert_eq!(res.status, StatusCode::OK);
            let tag = res.header("etag").to_string();
            assert!(tag.starts_with("W/\""), "{path}: {tag}");
            assert_eq!(res.header("cache-control"), "no-cache");
            let again = t.get_with(path, &[("if-none-match", tag.as_str())]).await;
            assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
            assert!(again.body.is_empty());
            // The tag does not change with the clock alone (`as_of` is not part of it).
            t.clock.set(t.clock.now() + chrono::Duration::seconds(1));
            assert_eq!(t.get(path).await.header("etag"), tag, "{path}");
        }
        let plans_tag = t.get("/api/v1/plans").await.header("etag").to_string();
        let sites_tag = t.get("/api/v1/sites").await.header("etag").to_string();
        let li = t.login("TJ2024002").await;
        let reg = t
            .post_as("/api/v1/registrations", &li, serde_json::json!({"client_id": "e1", "plan_id": "demo-bim-primary"}))
            .await;
        assert_eq!(reg.status, StatusCode::CREATED, "{}", reg.text());
        let after = t.get_with("/api/v1/plans", &[("if-none-match", plans_tag.as_str())]).await;
        assert_eq!(after.status, StatusCode::OK, "a seat was taken");
        assert_ne!(after.header("etag"), plans_tag);
        assert_eq!(t.get("/api/v1/sites").await.header("etag"), sites_tag);
    }
}

#[tokio::test]
async fn rule_documents_are_sent_at_brotlis_best_and_revalidate_per_version_and_province() {
    let t = TestApp::new().await;
    for path in [
        "/api/v1/rules/grades",
        "/api/v1/rules/grades?province=%E6%B2%B3%E5%8D%97",
        "/api/v1/rules/credits",
        "/api/v1/rules/fees",
    ] {
        let plain = t.get(path).await;
        let sent = t.get_with(path, &[("accept-encoding", "br")]).await;
        assert_eq!(sent.status, StatusCode::OK, "{path}");
        assert_eq!(sent.header("content-encoding"), "br", "{path}");
        assert_eq!(sent.header("vary"), "accept-encoding", "{path}");
        assert_eq!(sent.header("etag"), plain.header("etag"), "{path}");
        assert_eq!(brotli_decompress(&sent.body), plain.body, "{path}");
        // Compressed once per version at quality 11, not per request at the layer's quality 5.
        assert_compressed_at_best(&sent.body, &plain.body, path);
        let again = t
            .get_with(
                path,
                &[
                    ("accept-encoding", "br"),
                    ("if-none-match", plain.header("etag")),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
    }
    // A province's copy is its own document with its own tag.
    let all = t.get("/api/v1/rules/grades").await;
    let henan = t
        .get("/api/v1/rules/grades?province=%E6%B2%B3%E5%8D%97")
        .await;
    assert_ne!(all.header("etag"), henan.header("etag"));
}

/// A cached document is sent as compressed once at brotli's best: at least 4 % smaller than the
/// compression layer's per-request quality 5 would make `plain`.
fn assert_compressed_at_best(sent: &[u8], plain: &[u8], what: &str) {
    let q5 = super::support::brotli_compress_at(plain, 5);
    assert!(
        sent.len() * 100 < q5.len() * 96,
        "{what}: {} B sent, {} B at quality 5",
        sent.len(),
        q5.len()
    );
}

#[tokio::test]
async fn the_rule_set_is_the_five_documents_in_one_answer_revalidated_as_one() {
    let t = TestApp::new().await;
    let set = t.get("/api/v1/rules").await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    let members = set.json();
    let kinds = ["fees", "grades", "credits", "graduation", "eligibility"];
    let mut listed: Vec<&str> = members
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    listed.sort_unstable();
    let mut every = kinds.to_vec();
    every.sort_unstable();
    assert_eq!(listed, every, "every kind");
    // Each member is the document its own endpoint serves (grades for every province).
    for kind in kinds {
        let own = t.get(&format!("/api/v1/rules/{kind}")).await.json();
        assert_eq!(members[kind], own, "{kind}");
    }

    // Sent at brotli's best, once per combination of versions; its tag answers 304.
    let sent = t
        .get_with("/api/v1/rules", &[("accept-encoding", "br")])
        .await;
    assert_eq!(sent.header("content-encoding"), "br");
    assert_eq!(brotli_decompress(&sent.body), set.body);
    assert_compressed_at_best(&sent.body, &set.body, "/api/v1/rules");
    let tag = set.header("etag").to_string();
    assert!(tag.starts_with("W/\""), "{tag}");
    let again = t
        .get_with("/api/v1/rules", &[("if-none-match", tag.as_str())])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    // One answer where five were five: smaller than the five compressed on their own.
    let mut apart = 0;
    for kind in kinds {
        apart += t
            .get_with(
                &format!("/api/v1/rules/{kind}"),
                &[("accept-encoding", "br")],
            )
            .await
            .body
            .len();
    }
    assert!(
        sent.body.len() < apart,
        "{} B together, {apart} B apart",
        sent.body.len()
    );

    // A new version of any member is a new set: the old tag gets the new documents.
    let admin = t.admin_token().await;
    let csv = "version,id,province,effective_from,rule,citation_title,citation_issuer,citation_quote\n\
        set-2,tj,天津市,2021-12-31,pilot_exam_covered,示例文件,示例教育厅,保障试点学生至少参与一个证书的考核\n";
    let imported = t.import(&admin, "rules?kind=fees", "text/csv", csv).await;
    assert!(imported.status.is_success(), "{}", imported.text());
    let changed = t
        .get_with("/api/v1/rules", &[("if-none-match", tag.as_str())])
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(changed.header("etag"), tag);
    assert_eq!(changed.json()["fees"]["version"], "set-2");
    assert_eq!(changed.json()["grades"], members["grades"]);

    // A kind with no document in use is left out, and the set still answers.
    sqlx::query("DELETE FROM meta WHERE key = 'rules.eligibility'")
        .execute(&t.state.db.pool)
        .await
        .unwrap();
    let without = t.get("/api/v1/rules").await;
    assert_eq!(without.status, StatusCode::OK);
    assert!(
        without.json().get("eligibility").is_none(),
        "{}",
        without.text()
    );
    assert_ne!(without.header("etag"), changed.header("etag"));
}
