//! The school's side of the admin API, for admin tokens and staff sessions alike, each within its
//! scope ([`crate::auth::staff`]):
//!
//! - `GET /api/v1/admin/plans`: the plans in reach (drafts too) with seats taken, results still
//!   owed and the move that can be made now;
//! - `POST /api/v1/admin/plans/{id}/phase` `{"move": "publish" | "close" | "score" | "publicize" |
//!   "end"}`: one step along the plan's lifecycle, by the core's rules (409 `phase_move_refused`);
//! - `GET /api/v1/admin/export/registrations?plan_id=&site_id=&exam_starts_at=&include_cancelled=
//!   &format=csv|xlsx`: the roster ([`crate::roster`]); a school's staff get their own students.

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use kaozheng_api::staff::{PhaseMoveRequest, RosterQuery, StaffPlan, StaffPlanList};

use super::json::ApiJson;
use crate::auth::Admin;
use crate::auth::staff::Scope;
use crate::db::roster::RosterFilter;
use crate::error::ApiError;
use crate::import::read::de::parse_china_time;
use crate::import::spreadsheet::XLSX_CONTENT_TYPE;
use crate::school;
use crate::state::AppState;

fn invalid_query(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("invalid_query", message, "查询参数格式错误")
}

pub async fn list_plans(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Json<StaffPlanList>, ApiError> {
    let plans = school::plans(&state, &admin.scope).await?;
    Ok(Json(StaffPlanList {
        as_of: state.now(),
        plans,
    }))
}

pub async fn move_phase(
    State(state): State<AppState>,
    admin: Admin,
    path: Result<Path<String>, PathRejection>,
    ApiJson(req): ApiJson<PhaseMoveRequest>,
) -> Result<Json<StaffPlan>, ApiError> {
    let id = path.map(|Path(id)| id).unwrap_or_default();
    Ok(Json(
        school::move_plan(
            &state.db,
            state.now(),
            &admin.scope,
            &admin.name,
            &id,
            req.step,
        )
        .await?,
    ))
}

/// The roster's file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterFormat {
    Csv,
    Xlsx,
}

impl RosterFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            RosterFormat::Csv => "text/csv; charset=utf-8",
            RosterFormat::Xlsx => XLSX_CONTENT_TYPE,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            RosterFormat::Csv => "csv",
            RosterFormat::Xlsx => "xlsx",
        }
    }
}

/// The roster's filter and file format from the query the API and the staff page's form send.
pub trait RosterRequest {
    fn filter(self) -> Result<(RosterFilter, RosterFormat), ApiError>;
}

impl RosterRequest for RosterQuery {
    fn filter(self) -> Result<(RosterFilter, RosterFormat), ApiError> {
        let present = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let format = match present(self.format).as_deref() {
            None | Some("csv") => RosterFormat::Csv,
            Some("xlsx") => RosterFormat::Xlsx,
            Some(other) => {
                return Err(invalid_query(format!("format {other:?}: csv or xlsx")));
            }
        };
        let exam_starts_at = match present(self.exam_starts_at) {
            None => None,
            Some(t) => Some(
                parse_china_time(&t)
                    .ok_or_else(|| {
                        invalid_query(format!(
                            "exam_starts_at {t:?}: an RFC 3339 time or YYYY-MM-DD HH:MM (China time)"
                        ))
                    })?
                    .timestamp(),
            ),
        };
        let id = |v: Option<String>, what: &str| -> Result<Option<String>, ApiError> {
            match present(v) {
                Some(s) if s.chars().count() > 128 => {
                    Err(invalid_query(format!("{what} has at most 128 characters")))
                }
                other => Ok(other),
            }
        };
        Ok((
            RosterFilter {
                plan_id: id(self.plan_id, "plan_id")?,
                site_id: id(self.site_id, "site_id")?,
                exam_starts_at,
                school: None,
                include_cancelled: self.include_cancelled.unwrap_or(false),
            },
            format,
        ))
    }
}

/// A file download that no cache keeps (it holds students' personal data).
pub fn download(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The roster file for `filter` within `scope`.
pub async fn roster_download(
    state: &AppState,
    scope: &Scope,
    who: &str,
    filter: RosterFilter,
    format: RosterFormat,
) -> Result<Response, ApiError> {
    let name = school::roster_file_name(&filter, format.extension());
    let rows = school::roster(&state.db, scope, filter).await?;
    let bytes = match format {
        RosterFormat::Csv => crate::roster::csv(&rows, &state.tickets),
        RosterFormat::Xlsx => crate::roster::xlsx(&rows, &state.tickets).map_err(|e| {
            tracing::error!(error = %e, "writing the roster workbook failed");
            ApiError::internal()
        })?,
    };
    tracing::info!(
        staff = %who,
        scope = %scope.describe(),
        rows = rows.len(),
        format = format.extension(),
        "roster exported"
    );
    Ok(download(bytes, format.content_type(), &name))
}

pub async fn export_registrations(
    State(state): State<AppState>,
    admin: Admin,
    query: Result<Query<RosterQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| {
        invalid_query(format!(
            "the query string could not be read: {}",
            e.body_text()
        ))
    })?;
    let (filter, format) = q.filter()?;
    roster_download(&state, &admin.scope, &admin.name, filter, format).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_queries_read_like_the_form_sends_them() {
        let q = RosterQuery {
            plan_id: Some(" p1 ".into()),
            site_id: Some(String::new()),
            exam_starts_at: Some("2026-12-20 09:00".into()),
            include_cancelled: Some(true),
            format: Some("xlsx".into()),
        };
        let (f, format) = q.filter().unwrap();
        assert_eq!(f.plan_id.as_deref(), Some("p1"));
        assert_eq!(f.site_id, None, "an empty select is any");
        assert_eq!(
            f.exam_starts_at,
            parse_china_time("2026-12-20T01:00:00Z").map(|t| t.timestamp())
        );
        assert!(f.include_cancelled);
        assert_eq!(format, RosterFormat::Xlsx);
        let bad = RosterQuery {
            format: Some("pdf".into()),
            ..RosterQuery::default()
        };
        assert_eq!(bad.filter().unwrap_err().code, "invalid_query");
        let bad_time = RosterQuery {
            exam_starts_at: Some("tomorrow".into()),
            ..RosterQuery::default()
        };
        assert_eq!(bad_time.filter().unwrap_err().code, "invalid_query");
        let (f, format) = RosterQuery::default().filter().unwrap();
        assert_eq!((f, format), (RosterFilter::default(), RosterFormat::Csv));
    }
}
