//! Study-resource links in the catalog: a level's standard document and an organisation's site,
//! `https://` only, stored with the catalog, served to the app (which caches the catalog offline)
//! and imported from JSON or CSV.

use axum::http::StatusCode;
use serde_json::Value;

use super::support::{TestApp, fixture_catalog};
use crate::on_both;

on_both! {
    async fn catalog_links_are_stored_served_and_checked(b) {
        let t = TestApp::on(b).await;
        let admin = t.admin_token().await;
        // The built-in catalog's sources give no links: none is served.
        assert!(!t.get("/api/v1/catalog").await.text().contains("url"));

        let mut catalog = fixture_catalog();
        catalog.version = "links-1".into();
        catalog.orgs[0].url = Some("https://org.example.cn/".into());
        catalog.certificates[0].levels[0].standard_url =
            Some("https://standards.example.cn/level-1.pdf".into());
        let res = t.import(&admin, "catalog", "application/json", catalog.to_json()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let served: Value = t.get("/api/v1/catalog").await.json();
        assert_eq!(served["orgs"][0]["url"], "https://org.example.cn/");
        assert_eq!(
            served["certificates"][0]["levels"][0]["standard_url"],
            "https://standards.example.cn/level-1.pdf"
        );
        assert!(served["certificates"][0]["levels"][1].get("standard_url").is_none());
        // The same document again is unchanged: the links survive the database round trip.
        let again = t.import(&admin, "catalog", "application/json", catalog.to_json()).await;
        assert_eq!(again.json()["unchanged"], 1, "{}", again.text());

        // A link that is not https is refused with its path, and nothing changes.
        catalog.version = "links-2".into();
        catalog.orgs[0].url = Some("http://org.example.cn/".into());
        let res = t.import(&admin, "catalog", "application/json", catalog.to_json()).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().contains("orgs[0].url"), "{}", res.text());
        assert_eq!(t.get("/api/v1/catalog").await.header("etag"), "W/\"links-1\"");
    }
}
