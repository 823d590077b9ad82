//! `POST /api/v1/admin/import/{kind}`: an administrator's CSV or JSON file, validated as a whole and
//! applied all-or-nothing (see [`crate::import`]). 200 with the report when applied (or unchanged),
//! 422 with the report listing every rejected row when nothing was written.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use kaozheng_api::import::ImportQuery;

use super::json::too_large;
use crate::auth::Admin;
use crate::error::ApiError;
use crate::import::{self, Ctx, Format, ImportReport, Kind};
use crate::state::AppState;

pub async fn import(
    State(state): State<AppState>,
    admin: Admin,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<ImportQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ImportReport>), ApiError> {
    // A kind that is not even text (invalid UTF-8 once decoded) is an unknown kind like any other.
    let kind = path.map(|Path(k)| k).unwrap_or_default();
    let kind = Kind::parse(&kind).ok_or_else(|| {
        ApiError::not_found(
            "unknown_import_kind",
            format!(
                "nothing to import as {kind:?}; use one of catalog, sites, plans, students, results, rules"
            ),
            "不支持的导入类型",
        )
    })?;
    let Query(query) = query.map_err(|e| {
        ApiError::bad_request(
            "invalid_query",
            format!("the query string could not be read: {}", e.body_text()),
            "查询参数格式错误",
        )
    })?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::bad_request("invalid_body", e.body_text(), "无法读取请求体")
        }
    })?;
    let format = match headers.get(header::CONTENT_TYPE) {
        None => None,
        Some(ct) => Some(
            ct.to_str()
                .ok()
                .and_then(Format::from_content_type)
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "unsupported_media_type",
                        "send the file as text/csv or application/json",
                        "请以 text/csv 或 application/json 上传文件",
                    )
                })?,
        ),
    };
    let ctx = Ctx {
        db: &state.db,
        passwords: &state.auth.passwords,
        now: state.now(),
        rules_kind: query.kind,
    };
    let report = import::run(&ctx, kind, format, &body).await?;
    tracing::info!(
        admin = %admin.name,
        kind = %kind,
        total = report.total,
        applied = report.applied,
        unchanged = report.unchanged,
        rejected = report.rejected.len(),
        "import"
    );
    if kind == Kind::Catalog && report.applied > 0 {
        state.catalog.rebuild(&state.db).await?;
    }
    let status = if report.ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)))
}
