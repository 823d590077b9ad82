use kaozheng_core::XLevel;
use kaozheng_core::feedback::{Dimension, MAX_RATING, MIN_RATING, Ratings};
use kaozheng_core::outbox::Action;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::citation_note::CitationNote;
use crate::i18n::{problem, tr, use_i18n};
use crate::problem::Problem;
use crate::state::account::use_account;

/// The student's rating of a certificate level they have a published result for: seed 002's three
/// points on 1–5 scales and an optional comment, sent through the outbox (works offline), editable.
#[component]
pub fn FeedbackForm(certificate_id: String, level: XLevel) -> impl IntoView {
    let i18n = use_i18n();
    let acc = use_account();
    let cert = StoredValue::new(certificate_id);
    // What the student said last: an edit still waiting, else what the server holds.
    let pending = Memo::new(move |_| {
        acc.outbox.with(|o| {
            o.iter().rev().find_map(|e| match &e.action {
                Action::Feedback {
                    certificate_id,
                    level: l,
                    ratings,
                    comment,
                } if cert.with_value(|c| c == certificate_id) && *l == level => {
                    Some((*ratings, comment.clone()))
                }
                _ => None,
            })
        })
    });
    let stored = Memo::new(move |_| {
        acc.feedback.with(|f| {
            f.iter()
                .find(|f| cert.with_value(|c| *c == f.certificate_id) && f.level == level)
                .map(|f| (f.ratings, f.comment.clone()))
        })
    });
    let initial = pending.get_untracked().or_else(|| stored.get_untracked());
    let ratings = RwSignal::new(initial.as_ref().map(|(r, _)| *r).unwrap_or(Ratings {
        content_quality: 0,
        social_recognition: 0,
        learning_effect: 0,
    }));
    let comment = RwSignal::new(initial.and_then(|(_, c)| c).unwrap_or_default());
    let error = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let text = comment.get_untracked();
            let c = (!text.trim().is_empty()).then_some(text.as_str());
            let result = acc
                .give_feedback(&cert.get_value(), level, ratings.get_untracked(), c)
                .await;
            error.set(result.err());
            busy.set(false);
        });
    };
    let set = move |d: Dimension, v: u8| {
        ratings.update(|r| match d {
            Dimension::ContentQuality => r.content_quality = v,
            Dimension::SocialRecognition => r.social_recognition = v,
            Dimension::LearningEffect => r.learning_effect = v,
        })
    };
    let scale = move |d: Dimension| {
        let name = format!("rate-{}", d.as_str());
        view! {
            <fieldset class="rating" data-testid=format!("rating-{}", d.as_str())>
                <legend>{move || i18n.locale.get().pick(d.zh(), d.en())}</legend>
                {(MIN_RATING..=MAX_RATING)
                    .map(|v| {
                        let name = name.clone();
                        view! {
                            <label class="rating-option">
                                <input
                                    type="radio"
                                    name=name
                                    value=v.to_string()
                                    prop:checked=move || ratings.get().get(d) == v
                                    on:change=move |_| set(d, v)
                                />
                                <span>{v}</span>
                                {(v == MIN_RATING).then(|| view! { <small>{tr(|t| t.rating_low)}</small> })}
                                {(v == MAX_RATING).then(|| view! { <small>{tr(|t| t.rating_high)}</small> })}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
        }
    };
    view! {
        <section class="panel feedback" aria-labelledby="fb-title" data-testid="feedback-form">
            <h2 id="fb-title">{tr(|t| t.feedback_title)}</h2>
            <p class="hint">{tr(|t| t.feedback_intro)}</p>
            <details class="rule-source">
                <summary>{tr(|t| t.feedback_points_source)}</summary>
                <CitationNote citation=kaozheng_core::feedback::source()/>
            </details>
            <form class="form" on:submit=submit>
                {Dimension::ALL.into_iter().map(scale).collect_view()}
                <label for="fb-comment">{tr(|t| t.comment)}</label>
                <textarea
                    id="fb-comment"
                    maxlength="500"
                    rows="3"
                    prop:value=move || comment.get()
                    on:input=move |ev| comment.set(event_target_value(&ev))
                ></textarea>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{problem(i18n.t(), &e)}</p> })}
                <button
                    type="submit"
                    class="button"
                    data-testid="submit-feedback"
                    disabled=move || busy.get() || Dimension::ALL.iter().any(|d| ratings.get().get(*d) == 0)
                >
                    {tr(|t| t.submit_feedback)}
                </button>
                <p class="hint" data-testid="feedback-state" aria-live="polite">
                    {move || {
                        if let Some(p) = acc.feedback_problem.get() {
                            format!("{}{}", i18n.t().feedback_refused, problem(i18n.t(), &p))
                        } else if pending.get().is_some() {
                            i18n.t().feedback_saved.to_string()
                        } else if stored.get().is_some() {
                            i18n.t().feedback_sent.to_string()
                        } else {
                            String::new()
                        }
                    }}
                </p>
            </form>
        </section>
    }
}
