use kaozheng_core::order;
use kaozheng_core::{LevelInfo, XLevel};
use leptos::prelude::*;

use crate::i18n::tr;
use crate::state::account::use_account;
use crate::state::catalog::use_catalog;

/// The national platform's public certificate catalogue: where every standard can be looked up when
/// the catalog carries no direct link (the sources give none for most certificates).
const PLATFORM_CATALOG: &str = "https://vslc.ncb.edu.cn/gateway/Certificate";

/// Where to study for a level: its training hours, the standard document and the organisation as
/// links (opened outside the app), and the courses at the student's school that cover it (from the
/// school's credit rules). All from data cached on the phone.
#[component]
pub fn StudyResources(
    certificate_id: String,
    level: LevelInfo,
    org_url: Option<String>,
) -> impl IntoView {
    let st = use_catalog();
    let acc = use_account();
    let lv: XLevel = level.level;
    let courses = Memo::new({
        let cert = certificate_id.clone();
        move |_| {
            let student = acc.student()?;
            let rules = st.credit_rules.get()?;
            let policy = rules.policy_for(&student.school, student.major.as_deref())?;
            let mut v: Vec<(String, String)> = policy
                .conversions
                .iter()
                .filter(|c| c.certificate_id == cert && c.min_level <= lv)
                .map(|c| (c.course.code.clone(), c.course.name.clone()))
                .collect();
            order::sort(&mut v);
            v.dedup();
            Some(v)
        }
    });
    let standard = level.standard_url.clone();
    view! {
        <div class="resources" data-testid="study-resources">
            <h4>{tr(|t| t.resources_title)}</h4>
            <ul>
                {match standard {
                    Some(url) => view! {
                        <li>
                            <a href=url target="_blank" rel="noopener noreferrer">{tr(|t| t.standard_document)}</a>
                            <span class="hint">{tr(|t| t.opens_outside)}</span>
                        </li>
                    }
                    .into_any(),
                    None => view! {
                        <li>
                            <a href=PLATFORM_CATALOG target="_blank" rel="noopener noreferrer" data-testid="platform-link">
                                {tr(|t| t.national_platform)}
                            </a>
                            <span class="hint">{tr(|t| t.opens_outside)}</span>
                        </li>
                    }
                    .into_any(),
                }}
                {org_url.map(|url| view! {
                    <li>
                        <a href=url target="_blank" rel="noopener noreferrer">{tr(|t| t.org_site)}</a>
                        <span class="hint">{tr(|t| t.opens_outside)}</span>
                    </li>
                })}
            </ul>
            {move || courses.get().filter(|c| !c.is_empty()).map(|c| view! {
                <p class="hint">{tr(|t| t.school_courses)} "："</p>
                <ul data-testid="school-courses">
                    {c.into_iter().map(|(code, name)| view! { <li>{name} " (" {code} ")"</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}
