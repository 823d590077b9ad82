//! The desk a signed-in staff member lands on: the plans in reach with seats taken, results owed,
//! roster downloads and the next move; the import and export forms; and the handlers those
//! links and buttons reach.

use super::*;

#[derive(Debug, Default, Deserialize)]
pub(super) struct PageQuery {
    lang: Option<String>,
    /// After a move: the plan moved and the move made.
    moved: Option<String>,
    did: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let asked = q.lang.as_deref().and_then(Lang::parse);
    let lang = lang_of(&headers, q.lang.as_deref());
    let mut res = match signed_in(&state, &headers).await {
        Err(e) => failure(lang, None, &e),
        Ok(None) => html(StatusCode::OK, sign_in_page(lang, None)),
        Ok(Some(s)) => {
            let done = match (
                q.moved.as_deref(),
                q.did.as_deref().and_then(PhaseMove::parse),
            ) {
                (Some(plan), Some(m)) => Some((plan.to_string(), m)),
                _ => None,
            };
            match dashboard(&state, lang, &s, Done::Moved(done)).await {
                Ok(body) => html(StatusCode::OK, body),
                Err(e) => failure(lang, Some(&s), &e),
            }
        }
    };
    if let Some(l) = asked {
        let c = format!(
            "{LANG_COOKIE}={}; Path=/staff; Max-Age=31536000; SameSite=Lax",
            l.code()
        );
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// What the dashboard says at its top.
enum Done {
    Moved(Option<(String, PhaseMove)>),
    Refused(String),
}

/// The plan table's column headings; on a phone each cell shows its own (`data-label`).
fn plan_columns(lang: Lang) -> [&'static str; 9] {
    [
        lang.pick("计划", "Plan"),
        lang.pick("证书（等级）", "Certificate (level)"),
        lang.pick("考点", "Site"),
        lang.pick("考试时间", "Exam"),
        lang.pick("状态", "State"),
        lang.pick("已报名 / 容量", "Taken / seats"),
        lang.pick("待录成绩", "Results owed"),
        lang.pick("考生名单", "Roster"),
        lang.pick("下一步", "Next step"),
    ]
}

fn plan_rows(
    lang: Lang,
    s: &Signed,
    plans: &[StaffPlan],
    certificates: &HashMap<String, String>,
    sites: &HashMap<String, String>,
) -> String {
    let cols = plan_columns(lang);
    let mut out = String::new();
    for p in plans {
        let plan = &p.plan;
        let cert = certificates
            .get(&plan.certificate_id)
            .map_or(plan.certificate_id.as_str(), String::as_str);
        let site = sites
            .get(&plan.site_id)
            .map_or(plan.site_id.as_str(), String::as_str);
        let q = format!("plan_id={}", url_part(&plan.id));
        let move_cell = match p.moves.first() {
            Some(m) => format!(
                "<form method=\"post\" action=\"/staff/plans/{}/move\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                 <input type=\"hidden\" name=\"move\" value=\"{}\">\
                 <button type=\"submit\" data-testid=\"move-{}\">{}<span class=\"vh\"> · {}</span></button></form>",
                url_part(&plan.id),
                s.csrf,
                m.as_str(),
                esc(&plan.id),
                words::move_label(lang, *m),
                esc(&plan.name),
            ),
            None => "—".to_string(),
        };
        let _ = write!(
            out,
            "<tr data-plan=\"{id}\"><td data-label=\"{l0}\">{name}<span class=\"id\">{id}</span></td>\
             <td data-label=\"{l1}\">{cert}（{level}）</td><td data-label=\"{l2}\">{site}</td>\
             <td data-label=\"{l3}\">{exam}</td>\
             <td data-label=\"{l4}\" data-testid=\"state-{id}\">{state}</td>\
             <td data-label=\"{l5}\" class=\"num\" data-testid=\"taken-{id}\">{taken} / {cap}</td>\
             <td data-label=\"{l6}\" class=\"num\" data-testid=\"awaiting-{id}\">{awaiting}</td>\
             <td data-label=\"{l7}\"><span><a href=\"/staff/export/registrations?{q}&amp;format=csv\">CSV<span class=\"vh\"> · {name}</span></a> \
             <a href=\"/staff/export/registrations?{q}&amp;format=xlsx\">Excel<span class=\"vh\"> · {name}</span></a></span></td>\
             <td data-label=\"{l8}\">{move_cell}</td></tr>",
            l0 = cols[0],
            l1 = cols[1],
            l2 = cols[2],
            l3 = cols[3],
            l4 = cols[4],
            l5 = cols[5],
            l6 = cols[6],
            l7 = cols[7],
            l8 = cols[8],
            id = esc(&plan.id),
            name = esc(&plan.name),
            cert = esc(cert),
            level = words::level(lang, plan.level),
            site = esc(site),
            exam = time::format_minute(plan.exam_starts_at),
            state = words::state(lang, p.state),
            taken = p.seats_taken,
            cap = plan.capacity,
            awaiting = p.awaiting_results,
        );
    }
    out
}

async fn dashboard(
    state: &AppState,
    lang: Lang,
    s: &Signed,
    done: Done,
) -> Result<String, ApiError> {
    let scope = s.scope();
    let plans = school::plans(state, scope).await?;
    let pool = &state.db.pool;
    let certificates = db::staff::certificate_names(pool).await?;
    let site_schools = db::staff::site_schools(pool).await?;
    let all_sites = db::sites::list(pool).await?;
    let sites: HashMap<String, String> = all_sites
        .iter()
        .map(|x| (x.id.clone(), x.name.clone()))
        .collect();
    let mut main = format!("<h1>{}</h1>", lang.pick("教务工作台", "Staff desk"));
    match done {
        Done::Moved(Some((id, m))) => {
            let name = plans
                .iter()
                .find(|p| p.plan.id == id)
                .map_or(id.clone(), |p| p.plan.name.clone());
            main.push_str(&notice(true, &format!("{name}：{}", words::moved(lang, m))));
        }
        Done::Moved(None) => {}
        Done::Refused(why) => main.push_str(&notice(false, &why)),
    }

    // Plans.
    let _ = write!(
        main,
        "<section aria-labelledby=\"plans-h\"><h2 id=\"plans-h\">{}</h2><p class=\"hint\">{}</p>",
        lang.pick("考核计划", "Exam plans"),
        match scope {
            Scope::Province => lang.pick(
                "全省所有考核计划（含草稿）。“待录成绩”是考试已开始、尚无成绩的有效报名。",
                "Every exam plan in the province, drafts included. “Results owed” counts confirmed registrations whose exam has started and that have no result yet."
            ),
            Scope::School(_) => lang.pick(
                "本校考点的考核计划（含草稿，可推进），以及本校学生报考的其他考点的计划（由其考点管理）。“待录成绩”是本校学生考试已开始、尚无成绩的有效报名；名单只含本校学生。",
                "Exam plans at your school's sites (drafts included; you move them along), and plans elsewhere your students registered for (their sites move them). “Results owed” counts your students' confirmed registrations whose exam has started and that have no result yet; rosters list your students only."
            ),
        },
    );
    if plans.is_empty() {
        let _ = write!(
            main,
            "<p>{}</p>",
            lang.pick(
                "还没有考核计划。先导入考点，再导入考核计划。",
                "No exam plans yet. Import your exam sites, then your plans."
            )
        );
    } else {
        let cols = plan_columns(lang);
        let _ = write!(
            main,
            "<div class=\"table-wrap\"><table class=\"cards\" data-testid=\"plans\"><caption>{}</caption><thead><tr>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th>\
             <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             </tr></thead><tbody>{}</tbody></table></div>",
            lang.pick("按考试时间排列", "By exam time"),
            cols[0],
            cols[1],
            cols[2],
            cols[3],
            cols[4],
            cols[5],
            cols[6],
            cols[7],
            cols[8],
            plan_rows(lang, s, &plans, &certificates, &sites),
        );
    }
    main.push_str("</section>");

    // Import.
    let mut kinds = vec![
        Kind::Results,
        Kind::Payments,
        Kind::Students,
        Kind::Plans,
        Kind::Sites,
    ];
    if scope.is_province() {
        kinds.extend([Kind::Catalog, Kind::Rules]);
    }
    let options: String = kinds
        .iter()
        .map(|k| {
            format!(
                "<option value=\"{}\">{}</option>",
                k.as_str(),
                words::kind(lang, *k)
            )
        })
        .collect();
    let _ = write!(
        main,
        "<section aria-labelledby=\"import-h\"><h2 id=\"import-h\">{}</h2><p class=\"hint\">{}</p>\
         <form class=\"stack\" method=\"post\" action=\"/staff/import\" enctype=\"multipart/form-data\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <div><label for=\"kind\">{}</label><select id=\"kind\" name=\"kind\">{options}</select></div>",
        lang.pick("导入文件", "Import a file"),
        lang.pick(
            "先检查：报告逐行列出问题，此时不写入任何数据；确认无误后再应用。支持 CSV（UTF-8）、JSON 和 Excel（.xlsx，读取第一个工作表）。",
            "Check first: the report lists every problem row by row and nothing is written; apply it once it is right. CSV (UTF-8), JSON and Excel (.xlsx, its first sheet)."
        ),
        s.csrf,
        lang.pick("文件内容", "What the file holds"),
    );
    if scope.is_province() {
        let _ = write!(
            main,
            "<div><label for=\"rules_kind\">{} <span class=\"sub\">{}</span></label>\
             <select id=\"rules_kind\" name=\"rules_kind\"><option value=\"\">{}</option>\
             <option value=\"fees\">fees</option><option value=\"grades\">grades</option>\
             <option value=\"credits\">credits</option><option value=\"graduation\">graduation</option>\
             <option value=\"eligibility\">eligibility</option></select></div>",
            lang.pick("规则类型", "Rule kind"),
            lang.pick("（仅规则文件）", "(rules files only)"),
            lang.pick("按文件内容识别", "From the file"),
        );
    }
    let _ = write!(
        main,
        "<div><label for=\"file\">{}</label><input type=\"file\" id=\"file\" name=\"file\" \
         accept=\".csv,.json,.xlsx,text/csv,application/json,{}\" required></div>\
         <div><button type=\"submit\">{}</button></div></form></section>",
        lang.pick("文件", "File"),
        spreadsheet::XLSX_CONTENT_TYPE,
        lang.pick("检查（不写入）", "Check (writes nothing)"),
    );

    // Exports.
    let plan_options: String = plans
        .iter()
        .map(|p| {
            format!(
                "<option value=\"{}\">{}</option>",
                esc(&p.plan.id),
                esc(&p.plan.name)
            )
        })
        .collect();
    let site_options: String = all_sites
        .iter()
        .filter(|x| scope.covers_site(site_schools.get(&x.id).map(String::as_str)))
        .map(|x| format!("<option value=\"{}\">{}</option>", esc(&x.id), esc(&x.name)))
        .collect();
    let sessions: BTreeMap<i64, String> = plans
        .iter()
        .map(|p| {
            (
                p.plan.exam_starts_at.timestamp(),
                time::rfc3339_china(p.plan.exam_starts_at),
            )
        })
        .collect();
    let session_options: String = sessions
        .iter()
        .filter_map(|(t, v)| {
            let t = chrono::DateTime::from_timestamp(*t, 0)?;
            Some(format!(
                "<option value=\"{}\">{}</option>",
                esc(v),
                time::format_minute(t)
            ))
        })
        .collect();
    let all = lang.pick("全部", "All");
    let _ = write!(
        main,
        "<section aria-labelledby=\"export-h\"><h2 id=\"export-h\">{}</h2><p class=\"hint\">{}</p>\
         <form class=\"row\" method=\"get\" action=\"/staff/export/registrations\">\
         <div><label for=\"x-plan\">{}</label><select id=\"x-plan\" name=\"plan_id\"><option value=\"\">{all}</option>{plan_options}</select></div>\
         <div><label for=\"x-site\">{}</label><select id=\"x-site\" name=\"site_id\"><option value=\"\">{all}</option>{site_options}</select></div>\
         <div><label for=\"x-session\">{}</label><select id=\"x-session\" name=\"exam_starts_at\"><option value=\"\">{all}</option>{session_options}</select></div>\
         <fieldset><legend>{}</legend><label class=\"choice\"><input type=\"radio\" name=\"format\" value=\"csv\" checked> CSV</label>\
         <label class=\"choice\"><input type=\"radio\" name=\"format\" value=\"xlsx\"> Excel (.xlsx)</label></fieldset>\
         <label class=\"choice\"><input type=\"checkbox\" name=\"include_cancelled\" value=\"true\"> {}</label>\
         <div><button type=\"submit\">{}</button></div></form>\
         <p><a href=\"/staff/export/feedback.csv\">{}</a></p></section>",
        lang.pick("导出", "Exports"),
        lang.pick(
            "考生名单含准考证号、核验码、学号、姓名、学校、证书、考点、考试时间、费用及缴费方、报名时间和状态，以及待填写的成绩列；填好成绩后可直接作为“成绩”导入。默认不含已取消的报名。",
            "The roster has ticket numbers, check codes, student numbers, names, schools, certificates, sites, exam times, fees and who pays, registration times and states, and the result columns to fill in; filled in, it imports back as results. Cancelled registrations are left out unless asked for."
        ),
        lang.pick("考核计划", "Exam plan"),
        lang.pick("考点", "Exam site"),
        lang.pick("考试场次", "Exam session"),
        lang.pick("格式", "Format"),
        lang.pick("包括已取消的报名", "Include cancelled registrations"),
        lang.pick("下载考生名单", "Download the roster"),
        lang.pick(
            "下载证书评价（CSV，不含学生身份）",
            "Download certificate feedback (CSV, without student identity)"
        ),
    );
    Ok(shell(
        lang,
        lang.pick("教务工作台", "Staff desk"),
        Some(s),
        &main,
    ))
}

#[derive(Deserialize)]
pub(super) struct MoveForm {
    csrf: String,
    #[serde(rename = "move")]
    step: String,
}

impl WithCsrf for MoveForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub(super) async fn move_plan(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<MoveForm>, FormRejection>,
) -> Response {
    let (lang, s, f) = match signed_form(&state, &headers, form).await {
        Ok(checked) => checked,
        Err(page) => return page,
    };
    let Some(m) = PhaseMove::parse(&f.step) else {
        return bad_form(lang, &s, "未知的操作。", "Unknown step.");
    };
    match school::move_plan(
        &state.db,
        state.now(),
        s.scope(),
        &s.account.username,
        &id,
        m,
    )
    .await
    {
        Ok(_) => see_other(&format!(
            "/staff?moved={}&did={}#plans-h",
            url_part(&id),
            m.as_str()
        )),
        Err(e) if e.status.is_server_error() => failure(lang, Some(&s), &e),
        Err(e) => match dashboard(
            &state,
            lang,
            &s,
            Done::Refused(message(lang, &e).to_string()),
        )
        .await
        {
            Ok(body) => html(e.status, body),
            Err(e) => failure(lang, Some(&s), &e),
        },
    }
}

pub(super) async fn export_roster(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<RosterQuery>, QueryRejection>,
) -> Response {
    let lang = lang_of(&headers, None);
    let s = match signed_in(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return signed_out(lang),
        Err(e) => return failure(lang, None, &e),
    };
    let Ok(Query(q)) = query else {
        return bad_form(
            lang,
            &s,
            "导出条件无法读取。",
            "The export's choices could not be read.",
        );
    };
    let (filter, format) = match q.filter() {
        Ok(x) => x,
        Err(e) => return failure(lang, Some(&s), &e),
    };
    match roster_download(&state, s.scope(), &s.account.username, filter, format).await {
        Ok(res) => res,
        Err(e) => failure(lang, Some(&s), &e),
    }
}

pub(super) async fn export_feedback(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers, None);
    let s = match signed_in(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return signed_out(lang),
        Err(e) => return failure(lang, None, &e),
    };
    let rows = match s.scope().school() {
        None => db::feedback::export(&state.db.pool).await,
        Some(school) => db::feedback::export_of_school(&state.db.pool, school).await,
    };
    match rows {
        Ok(rows) => {
            tracing::info!(staff = %s.account.username, rows = rows.len(), "feedback exported");
            download(
                crate::feedback::export_csv(&rows),
                RosterFormat::Csv.content_type(),
                "feedback.csv",
            )
        }
        Err(e) => failure(lang, Some(&s), &e.into()),
    }
}
