use kaozheng_core::rules::{GradeAnswer, GradeBasis, grade_for};
use kaozheng_core::{SchoolLevel, SkillGrade, XLevel};
use leptos::prelude::*;

use crate::components::citation_note::CitationNote;
use crate::components::conditions_list::ConditionsList;
use crate::components::rule_terms::RuleTerms;
use crate::i18n::{Locale, tr, use_i18n};
use crate::state::account::use_account;
use crate::state::catalog::use_catalog;

/// China's provincial-level divisions, as exam plans and rules name them.
pub const PROVINCES: [&str; 31] = [
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
];

/// "What national skill grade does my 1+X level give me?" — answered offline and without signing
/// in, from the province's cited rules, or plainly "no rule known" with the national ladder.
#[component]
pub fn GradeCheckerPage() -> impl IntoView {
    let i18n = use_i18n();
    let st = use_catalog();
    let acc = use_account();
    let certificate = RwSignal::new(String::new());
    let level = RwSignal::new(XLevel::Intermediate);
    let school = RwSignal::new(SchoolLevel::Higher);
    let province = RwSignal::new("河南".to_string());
    // Signed in, it starts from the student (their session and results arrive from the phone's
    // storage after the first paint): their highest certificate level held, school level and
    // province. Once the student picks something, the selectors are theirs ("what if").
    let touched = RwSignal::new(false);
    Effect::new(move |_| {
        let Some(s) = acc.student() else { return };
        let held = acc.certified().into_iter().max_by_key(|(_, l)| *l);
        if touched.get_untracked() {
            return;
        }
        school.set(s.school_level);
        if PROVINCES.contains(&s.province.as_str()) {
            province.set(s.province);
        }
        if let Some((c, l)) = held {
            certificate.set(c);
            level.set(l);
        }
    });
    let route = RwSignal::new(GradeBasis::DirectRecognition);

    let answer = Memo::new(move |_| {
        let rules = st.grade_rules.get()?;
        let today = kaozheng_core::time::to_china(crate::state::clock::now()).date_naive();
        let cert = certificate.get();
        Some(grade_for(
            &rules,
            (!cert.is_empty()).then_some(cert.as_str()),
            level.get(),
            school.get(),
            &province.get(),
            route.get(),
            today,
        ))
    });
    let certs = move || {
        st.catalog.with(|c| {
            c.as_ref()
                .map(|l| {
                    l.catalog
                        .certificates
                        .iter()
                        .map(|c| (c.id.clone(), c.short_name().to_string()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let pick = move |zh: &'static str, en: &'static str| i18n.locale.get().pick(zh, en);

    let result = move || {
        let Some(a) = answer.get() else {
            return view! { <p class="empty">{tr(|t| t.rules_not_synced)}</p> }.into_any();
        };
        let summary = (i18n.t().grade_summary)(&a);
        let detail = match a {
            GradeAnswer::Grade { grade, citation, conditions, terms, .. } => view! {
                <p class="grade-big" data-testid="grade">
                    {grade.grade_zh()} " / " {grade.title_zh()}
                    <span class="grade-en">{move || (i18n.locale.get() == Locale::En).then(|| format!(" · {}", grade.title_en()))}</span>
                </p>
                <ConditionsList items=conditions/>
                <CitationNote citation=citation/>
                <RuleTerms terms=terms/>
            }
            .into_any(),
            GradeAnswer::Described { citation, conditions, terms, .. } => view! {
                <ConditionsList items=conditions/>
                <CitationNote citation=citation/>
                <RuleTerms terms=terms/>
            }
            .into_any(),
            GradeAnswer::NoRule { ladder, general_conditions, .. } => {
                let note = general_conditions.note.clone();
                view! {
                    <h3>{tr(|t| t.national_ladder)}</h3>
                    <ol class="ladder" data-testid="ladder">
                        {ladder.iter().rev().map(|g: &SkillGrade| {
                            let g = *g;
                            let conds = general_conditions.grades.iter().find(|c| c.grade == g).cloned();
                            view! {
                                <li>
                                    <strong>{g.grade_zh()} " / " {g.title_zh()}</strong>
                                    {conds.map(|c| view! {
                                        <ul class="conditions">
                                            {c.conditions_zh.into_iter().map(|x| view! { <li lang="zh-CN">{x}</li> }).collect_view()}
                                        </ul>
                                        <p class="cite-meta">
                                            {tr(|t| t.source)} "："
                                            <a href=c.source.url.clone() target="_blank" rel="noopener noreferrer">{c.source.publisher.clone().unwrap_or(c.source.url.clone())}</a>
                                        </p>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                    <p class="hint">{move || match i18n.locale.get() { Locale::Zh => note.zh.clone(), Locale::En => note.en.clone() }}</p>
                }
                .into_any()
            }
        };
        view! {
            <section class="panel answer" aria-live="polite" data-testid="grade-answer">
                <p class="answer-summary" data-testid="grade-summary">{summary}</p>
                {detail}
            </section>
        }
        .into_any()
    };

    view! {
        <section class="page grades-page">
            <h1>{tr(|t| t.grades_title)}</h1>
            {move || match acc.student() {
                Some(st) => {
                    let who = format!("{} · {}", st.province, i18n.locale.get().pick(st.school_level.zh(), st.school_level.en()));
                    view! {
                        <p class="intro" data-testid="grades-for-you">{(i18n.t().grades_for_you)(&who)}</p>
                    }
                    .into_any()
                }
                None => view! { <p class="intro">{tr(|t| t.grades_intro)}</p> }.into_any(),
            }}
            {result}
            <details class="what-if panel" open=move || acc.student().is_none() on:change=move |_| touched.set(true)>
            <summary>{tr(|t| t.what_if)}</summary>
            <div class="form grade-form">
                <label for="g-cert">{tr(|t| t.certificate)}</label>
                <select id="g-cert" on:change=move |ev| certificate.set(event_target_value(&ev))>
                    <option value="">{tr(|t| t.any_certificate)}</option>
                    {move || certs().into_iter().map(|(id, name)| {
                        let picked = id.clone();
                        view! { <option value=id selected=move || certificate.get() == picked>{name}</option> }
                    }).collect_view()}
                </select>
                <label for="g-level">{tr(|t| t.level)}</label>
                <select id="g-level" data-testid="grade-level" on:change=move |ev| {
                    if let Some(l) = XLevel::parse(&event_target_value(&ev)) { level.set(l) }
                }>
                    {XLevel::ALL.into_iter().map(|l| view! {
                        <option value=l.as_str() selected=move || level.get() == l>{move || pick(l.zh(), l.en())}</option>
                    }).collect_view()}
                </select>
                <label for="g-school">{tr(|t| t.school_level)}</label>
                <select id="g-school" data-testid="grade-school" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(s) = SchoolLevel::ALL.into_iter().find(|s| s.as_str() == v) { school.set(s) }
                }>
                    {SchoolLevel::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || school.get() == s>{move || pick(s.zh(), s.en())}</option>
                    }).collect_view()}
                </select>
                <label for="g-province">{tr(|t| t.province)}</label>
                <select id="g-province" data-testid="grade-province" on:change=move |ev| province.set(event_target_value(&ev))>
                    {PROVINCES.into_iter().map(|p| view! {
                        <option value=p selected=move || province.get() == p>{p}</option>
                    }).collect_view()}
                </select>
                <label for="g-route">{tr(|t| t.route)}</label>
                <select id="g-route" data-testid="grade-route" on:change=move |ev| {
                    if let Some(r) = GradeBasis::parse(&event_target_value(&ev)) { route.set(r) }
                }>
                    {GradeBasis::ALL.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=move || route.get() == r>{move || pick(r.zh(), r.en())}</option>
                    }).collect_view()}
                </select>
            </div>
            </details>
        </section>
    }
}
