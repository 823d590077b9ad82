//! `GET /api/v1/plans?certificate=&level=&province=`: published exam plans with their state at the
//! server's now, which the app shows and trusts over its own clock. Drafts are not listed. Tagged
//! by their content (seats and states included, `as_of` not), so a phone whose plans are current
//! gets a 304 and downloads nothing.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use kaozheng_api::plans::{PlanList, PlanListItem, PlansQuery};
use kaozheng_core::hash::content_version;
use kaozheng_core::{PlanPhase, XLevel};

use super::catalog::revalidated;
use crate::catalog_cache::weak_etag;
use crate::db::{self, plans::PlanFilter};
use crate::error::ApiError;
use crate::state::AppState;

pub async fn list_plans(
    State(state): State<AppState>,
    query: Result<Query<PlansQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("the query string could not be read: {}", e.body_text()),
            "查询参数格式错误",
        )
    })?;
    let filter = filter_of(q)?;
    let now = state.now();
    let plans = db::plans::list(&state.db.pool, &filter)
        .await?
        .into_iter()
        .filter(|plan| plan.phase != PlanPhase::Draft)
        .map(|plan| PlanListItem {
            state: plan.state_at(now),
            plan,
        })
        .collect::<Vec<_>>();
    let tag = content_version(&serde_json::to_string(&plans).expect("plans serialize"));
    // Whole seconds, as the list has always said.
    let as_of = chrono::DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let body = serde_json::to_string(&PlanList { as_of, plans }).expect("plans serialize");
    Ok(revalidated(&headers, weak_etag(&tag), body))
}

/// Empty parameters mean "any", so a form can send `level=` for all levels.
fn filter_of(q: PlansQuery) -> Result<PlanFilter, ApiError> {
    let present = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let level = match present(q.level) {
        None => None,
        // The JSON names, and the Chinese names and platform codes as people type them.
        Some(l) => Some(XLevel::parse(&l).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_level",
                format!(
                    "level {l:?} is not a certificate level: use primary, intermediate or advanced"
                ),
                format!("等级参数无效（{l}）：应为 primary（初级）、intermediate（中级）或 advanced（高级）"),
            )
        })?),
    };
    // Any name of a province (河南, 河南省, Henan) finds the plans stored under its code.
    let province = match present(q.province) {
        None => None,
        Some(p) => Some(
            kaozheng_core::province::normalize(&p)
                .ok_or_else(|| super::rules::unknown_province(&p))?
                .to_string(),
        ),
    };
    Ok(PlanFilter {
        certificate_id: present(q.certificate),
        level,
        province,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_in_every_form_people_use() {
        for (s, l) in [
            ("primary", XLevel::Primary),
            ("Intermediate", XLevel::Intermediate),
            ("高级", XLevel::Advanced),
            ("2", XLevel::Intermediate),
        ] {
            assert_eq!(XLevel::parse(s), Some(l), "{s}");
        }
        assert_eq!(XLevel::parse("expert"), None);
    }

    #[test]
    fn empty_parameters_mean_any_and_bad_levels_are_refused() {
        let f = filter_of(PlansQuery {
            certificate: Some(" ".into()),
            level: Some(String::new()),
            province: Some("河南省".into()),
        })
        .unwrap();
        assert_eq!(
            f,
            PlanFilter {
                certificate_id: None,
                level: None,
                province: Some("河南".into()),
            }
        );
        let e = filter_of(PlansQuery {
            level: Some("expert".into()),
            ..PlansQuery::default()
        })
        .unwrap_err();
        assert_eq!(
            (e.status, e.code),
            (StatusCode::BAD_REQUEST, "invalid_level")
        );
    }

    #[test]
    fn every_name_of_a_province_filters_by_its_code_and_unknown_names_are_refused() {
        for name in ["河南省", "Henan", "henan province"] {
            let f = filter_of(PlansQuery {
                province: Some(name.into()),
                ..PlansQuery::default()
            })
            .unwrap();
            assert_eq!(f.province.as_deref(), Some("河南"), "{name}");
        }
        let e = filter_of(PlansQuery {
            province: Some("火星".into()),
            ..PlansQuery::default()
        })
        .unwrap_err();
        assert_eq!(
            (e.status, e.code),
            (StatusCode::BAD_REQUEST, "unknown_province")
        );
    }
}
