//! `POST /api/v1/admin/import/{kind}`: an administrator's CSV, JSON or `.xlsx` file, validated as a
//! whole and applied all-or-nothing (see [`crate::import`]). 200 with the report when applied (or
//! unchanged), 422 with the report listing every rejected row when nothing was written.
//! `?dry_run=true` validates and reports the same way and writes nothing. A school's staff import
//! their own school's rows only ([`crate::import::scope`]); the catalog and the rules are the
//! province's (403 `province_only`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use kaozheng_api::import::ImportQuery;

use super::json::too_large;
use crate::auth::Admin;
use crate::auth::staff::province_only;
use crate::error::ApiError;
use crate::import::{self, Ctx, Format, ImportReport, Kind, spreadsheet};
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
    if !admin.scope.is_province() && matches!(kind, Kind::Catalog | Kind::Rules) {
        return Err(province_only(
            &format!("importing the {kind}"),
            if kind == Kind::Catalog {
                "导入证书目录"
            } else {
                "导入规则"
            },
        ));
    }
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::bad_request("invalid_body", e.body_text(), "无法读取请求体")
        }
    })?;
    let format = match headers.get(header::CONTENT_TYPE) {
        None => None,
        Some(ct) if ct.to_str().is_ok_and(spreadsheet::is_xlsx_content_type) => None,
        Some(ct) => Some(
            ct.to_str()
                .ok()
                .and_then(Format::from_content_type)
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "unsupported_media_type",
                        "send the file as text/csv, application/json or an .xlsx workbook",
                        "请以 text/csv、application/json 或 .xlsx 工作簿上传文件",
                    )
                })?,
        ),
    };
    let ctx = Ctx {
        db: &state.db,
        passwords: &state.auth.passwords,
        now: state.now(),
        rules_kind: query.kind,
        scope: admin.scope.clone(),
        dry_run: query.dry_run.unwrap_or(false),
    };
    let report = import::run_file(&ctx, kind, format, &body).await?;
    tracing::info!(
        admin = %admin.name,
        scope = %admin.scope.describe(),
        dry_run = ctx.dry_run,
        kind = %kind,
        total = report.total,
        applied = report.applied,
        unchanged = report.unchanged,
        rejected = report.rejected.len(),
        "import"
    );
    if kind == Kind::Catalog && report.applied > 0 && !ctx.dry_run {
        state.catalog.rebuild(&state.db).await?;
    }
    let status = if report.ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)))
}
