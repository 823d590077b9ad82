//! `GET /api/v1/rules/<kind>`: the rule document in use, revalidated by ETag like the catalog.
//! Grades may be asked for one province (`?province=`): the app of a Henan school needs only
//! Henan's rule sets and the general conditions. `GET /api/v1/rules` answers all five at once,
//! which is how the app keeps them.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use kaozheng_api::{Endpoint, GradesQuery};
use kaozheng_core::rules::{
    CreditRules, EligibilityRules, FeeRules, GradeRules, GraduationRules, RuleDocument as _,
};

use super::catalog::compressed;
use crate::catalog_cache::short_digest;
use crate::db::{self, DbError};
use crate::error::ApiError;
use crate::state::AppState;

async fn stored(state: &AppState, kind: &str) -> Result<db::rules::StoredRules, ApiError> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    db::rules::current(&mut conn, kind).await?.ok_or_else(|| {
        ApiError::unavailable(
            format!("no {kind} rules have been imported yet"),
            "尚未导入该规则",
        )
    })
}

/// The rule document `E` answers with, as stored.
pub async fn get_rules<E>(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError>
where
    E: Endpoint<Response: kaozheng_core::rules::RuleDocument>,
{
    let kind = <E::Response>::KIND;
    let stored = stored(&state, kind).await?;
    let body = state
        .documents
        .get(kind, &stored.version, || Ok::<_, ApiError>(stored.body))
        .await?;
    Ok(compressed(&headers, &body))
}

/// The rule set's members, in the order it lists them.
const SET: [&str; 5] = [
    FeeRules::KIND,
    GradeRules::KIND,
    CreditRules::KIND,
    GraduationRules::KIND,
    EligibilityRules::KIND,
];

/// Every rule document in use in one object, each under its kind, as stored (one not imported yet
/// is left out): compressed once per combination of versions, so its tag changes with any member.
pub async fn get_rule_set(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut members = Vec::with_capacity(SET.len());
    {
        let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
        for kind in SET {
            if let Some(stored) = db::rules::current(&mut conn, kind).await? {
                members.push((kind, stored));
            }
        }
    }
    let versions: Vec<String> = members
        .iter()
        .map(|(kind, stored)| format!("{kind}={}", stored.version))
        .collect();
    let version = format!("set-{}", short_digest(&versions.join("\n")));
    let body = state
        .documents
        .get("set", &version, || {
            let parts: Vec<String> = members
                .iter()
                .map(|(kind, stored)| format!("\"{kind}\":{}", stored.body))
                .collect();
            Ok::<_, ApiError>(format!("{{{}}}", parts.join(",")))
        })
        .await?;
    Ok(compressed(&headers, &body))
}

/// 400 `unknown_province`: the name is none of the 31 provinces.
pub fn unknown_province(name: &str) -> ApiError {
    ApiError::bad_request(
        "unknown_province",
        format!("{name:?} is not one of the 31 provinces (e.g. 河南, 河南省 or Henan)"),
        format!("“{name}”不是省级行政区名称，可以写成“河南”“河南省”或“Henan”"),
    )
}

pub async fn get_grade_rules(
    State(state): State<AppState>,
    query: Result<Query<GradesQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request(
            "invalid_query",
            format!("the query string could not be read: {}", e.body_text()),
            "查询参数格式错误",
        )
    })?;
    let stored = stored(&state, GradeRules::KIND).await?;
    let province = q
        .province
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty());
    // Any name of a province (河南, 河南省, Henan) asks for the same rule sets.
    let province = match province {
        None => None,
        Some(p) => Some(
            kaozheng_core::province::normalize(&p)
                .ok_or_else(|| unknown_province(&p))?
                .to_string(),
        ),
    };
    let kind = GradeRules::KIND;
    let Some(province) = province else {
        let body = state
            .documents
            .get(kind, &stored.version, || Ok::<_, ApiError>(stored.body))
            .await?;
        return Ok(compressed(&headers, &body));
    };
    // One tag per version and province, so a client switching province never gets a 304 for the
    // other province's copy.
    let body = state
        .documents
        .get(
            &format!("{kind}|{province}"),
            &format!("{}|{province}", stored.version),
            || {
                let doc: GradeRules = serde_json::from_str(&stored.body)
                    .map_err(|e| DbError::Corrupt(format!("stored grades rules: {e}")))?;
                Ok::<_, ApiError>(
                    serde_json::to_string(&doc.for_province(&province))
                        .expect("grade rules serialize"),
                )
            },
        )
        .await?;
    Ok(compressed(&headers, &body))
}
