//! An import file checked as a dry run and its row-level report, then applied: the checked
//! file waits on the server ([`UPLOAD_TTL_SECS`]) so it is not uploaded twice.

use super::*;

/// The report of an import, checked or applied; `apply` is the kept upload's id when it may be
/// applied.
fn report_page(
    lang: Lang,
    s: &Signed,
    file_name: &str,
    report: &ImportReport,
    apply: Option<&str>,
) -> String {
    let kind = Kind::parse(&report.kind).map_or(report.kind.as_str(), |k| words::kind(lang, k));
    let mut main = format!(
        "<h1>{}：{}</h1><p class=\"hint\">{}：{}</p>",
        if report.dry_run {
            lang.pick("检查结果", "Check report")
        } else {
            lang.pick("导入结果", "Import report")
        },
        esc(kind),
        lang.pick("文件", "File"),
        esc(file_name),
    );
    let summary = if !report.ok() {
        lang.pick(
            "文件有问题，未写入任何数据。请按下表修改后重新上传。",
            "The file has problems; nothing was written. Fix the rows below and upload it again.",
        )
    } else if report.dry_run && report.applied == 0 {
        lang.pick(
            "文件没有问题，但与现有数据完全相同，无需应用。",
            "The file is fine but matches what is stored; there is nothing to apply.",
        )
    } else if report.dry_run {
        lang.pick(
            "文件没有问题。尚未写入任何数据：确认后点击“应用”。",
            "The file is fine. Nothing is written yet: apply it when you are sure.",
        )
    } else {
        lang.pick("已应用。", "Applied.")
    };
    main.push_str(&notice(report.ok(), summary));
    let _ = write!(
        main,
        "<dl class=\"counts\" data-testid=\"counts\"><dt>{}</dt><dd data-testid=\"total\">{}</dd>\
         <dt>{}</dt><dd data-testid=\"applied\">{}</dd><dt>{}</dt><dd data-testid=\"unchanged\">{}</dd>\
         <dt>{}</dt><dd data-testid=\"rejected\">{}</dd></dl>",
        lang.pick("记录", "Records"),
        report.total,
        if report.dry_run {
            lang.pick("将写入", "Would change")
        } else {
            lang.pick("已写入", "Changed")
        },
        report.applied,
        lang.pick("不变", "Unchanged"),
        report.unchanged,
        lang.pick("被拒绝", "Rejected"),
        report.rejected.len(),
    );
    if !report.rejected.is_empty() {
        let rows: String = report
            .rejected
            .iter()
            .map(|r| {
                format!(
                    "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
                    if r.row == 0 {
                        lang.pick("整个文件", "whole file").to_string()
                    } else {
                        r.row.to_string()
                    },
                    esc(r.field.as_deref().unwrap_or("—")),
                    esc(&r.reason)
                )
            })
            .collect();
        let _ = write!(
            main,
            "<div class=\"table-wrap\"><table data-testid=\"rejections\"><caption>{}</caption><thead><tr>\
             <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             </tr></thead><tbody>{rows}</tbody></table></div>",
            lang.pick(
                "被拒绝的行（CSV 行号从表头 = 1 起算）",
                "Rejected rows (CSV lines, the header is line 1)"
            ),
            lang.pick("行", "Row"),
            lang.pick("列", "Column"),
            lang.pick("原因", "Reason"),
        );
    }
    if let Some(id) = apply {
        let _ = write!(
            main,
            "<form method=\"post\" action=\"/staff/import/apply\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"upload\" value=\"{}\">\
             <button type=\"submit\">{}</button></form>",
            s.csrf,
            esc(id),
            lang.pick("应用（写入数据库）", "Apply (write it)"),
        );
    }
    let _ = write!(
        main,
        "<p><a href=\"/staff\">{}</a></p>",
        lang.pick("返回工作台", "Back to the staff desk")
    );
    shell(
        lang,
        if report.dry_run {
            lang.pick("检查结果", "Check report")
        } else {
            lang.pick("导入结果", "Import report")
        },
        Some(s),
        &main,
    )
}

/// Reads the upload, checks it as a dry run and shows the report; a file that would change
/// something and has no rejected row is kept for "apply".
pub(super) async fn check_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let lang = lang_of(&headers, None);
    let s = match signed_in(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return signed_out(lang),
        Err(e) => return failure(lang, None, &e),
    };
    if !same_origin(&headers) {
        return stale_form(lang, Some(&s));
    }
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return failure(lang, Some(&s), &crate::api::json::too_large());
        }
        Err(_) => {
            return bad_form(
                lang,
                &s,
                "上传未完成，请重试。",
                "The upload did not finish; try again.",
            );
        }
    };
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary)
        .and_then(|b| multipart::parse(&body, &b));
    let Some(form) = form else {
        return bad_form(lang, &s, "表单无法读取。", "The form could not be read.");
    };
    if form.fields.get("csrf") != Some(&s.csrf) {
        return stale_form(lang, Some(&s));
    }
    let Some(kind) = form.fields.get("kind").and_then(|k| Kind::parse(k)) else {
        return bad_form(lang, &s, "请选择文件内容。", "Choose what the file holds.");
    };
    let Some(file) = form.files.get("file").filter(|f| !f.bytes.is_empty()) else {
        return bad_form(lang, &s, "请选择要上传的文件。", "Choose a file to upload.");
    };
    let rules_kind = form
        .fields
        .get("rules_kind")
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty());
    let file_name: String = file.file_name.chars().take(200).collect();
    // The text to check (and keep): a workbook's first sheet as CSV, else the file as UTF-8.
    let prepared = if spreadsheet::is_xlsx(&file.bytes) {
        spreadsheet::to_csv(&file.bytes).map(|t| (t, Some(Format::Csv)))
    } else {
        import::read::utf8(&file.bytes).map(|t| (t.to_string(), Format::from_file_name(&file_name)))
    };
    let ctx = Ctx {
        db: &state.db,
        passwords: &state.auth.passwords,
        now: state.now(),
        rules_kind: rules_kind.clone(),
        scope: s.scope().clone(),
        dry_run: true,
    };
    let (report, kept) = match prepared {
        Err(rejection) => {
            let mut r = ImportReport::new(kind);
            r.dry_run = true;
            r.rejected.push(rejection);
            (r, None)
        }
        Ok((text, format)) => {
            let report = match import::run(&ctx, kind, format, text.as_bytes()).await {
                Ok(r) => r,
                Err(e) => return failure(lang, Some(&s), &e.into()),
            };
            (report, Some((text, format)))
        }
    };
    tracing::info!(
        staff = %s.account.username,
        scope = %s.scope().describe(),
        kind = %kind,
        total = report.total,
        applied = report.applied,
        rejected = report.rejected.len(),
        "import checked"
    );
    let mut apply = None;
    if let Some((text, format)) = kept
        && report.ok()
        && report.applied > 0
    {
        let format = format.unwrap_or_else(|| Format::sniff(&text));
        let upload = db::staff::Upload {
            id: tokens::random_id("upl-"),
            username: s.account.username.clone(),
            kind: kind.as_str().to_string(),
            rules_kind,
            format: match format {
                Format::Csv => "csv".into(),
                Format::Json => "json".into(),
            },
            file_name: file_name.clone(),
            digest: tokens::hex(&Sha256::digest(text.as_bytes())),
            body: text,
            created_at: state.now().timestamp(),
        };
        if let Err(e) = db::staff::insert_upload(&state.db.pool, &upload).await {
            return failure(lang, Some(&s), &e.into());
        }
        apply = Some(upload.id);
    }
    let status = if report.ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        report_page(lang, &s, &file_name, &report, apply.as_deref()),
    )
}

#[derive(Deserialize)]
pub(super) struct ApplyForm {
    csrf: String,
    upload: String,
}

impl WithCsrf for ApplyForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Applies a kept upload: validated again (the database may have moved on), then written.
pub(super) async fn apply_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<ApplyForm>, FormRejection>,
) -> Response {
    let (lang, s, f) = match signed_form(&state, &headers, form).await {
        Ok(checked) => checked,
        Err(page) => return page,
    };
    let now = state.now();
    let gone = || {
        failure(
            lang,
            Some(&s),
            &ApiError::not_found(
                "not_found",
                "this checked file is no longer kept (applied already, or checked more than an hour ago); upload it again",
                "该文件已应用或检查已超过一小时，请重新上传",
            ),
        )
    };
    let upload = match db::staff::upload(&state.db.pool, &f.upload, &s.account.username).await {
        Ok(Some(u)) if u.created_at >= now.timestamp() - UPLOAD_TTL_SECS => u,
        Ok(_) => return gone(),
        Err(e) => return failure(lang, Some(&s), &e.into()),
    };
    let (Some(kind), Some(format)) = (
        Kind::parse(&upload.kind),
        match upload.format.as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        },
    ) else {
        return gone();
    };
    let ctx = Ctx {
        db: &state.db,
        passwords: &state.auth.passwords,
        now,
        rules_kind: upload.rules_kind.clone(),
        scope: s.scope().clone(),
        dry_run: false,
    };
    let report = match import::run(&ctx, kind, Some(format), upload.body.as_bytes()).await {
        Ok(r) => r,
        Err(e) => return failure(lang, Some(&s), &e.into()),
    };
    tracing::info!(
        staff = %s.account.username,
        scope = %s.scope().describe(),
        kind = %kind,
        total = report.total,
        applied = report.applied,
        unchanged = report.unchanged,
        rejected = report.rejected.len(),
        digest = %upload.digest,
        "import"
    );
    if report.ok() {
        if let Err(e) = db::staff::delete_upload(&state.db.pool, &upload.id).await {
            return failure(lang, Some(&s), &e.into());
        }
        if kind == Kind::Catalog
            && report.applied > 0
            && let Err(e) = state.catalog.rebuild(&state.db).await
        {
            return failure(lang, Some(&s), &e.into());
        }
    }
    let status = if report.ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        report_page(lang, &s, &upload.file_name, &report, None),
    )
}
