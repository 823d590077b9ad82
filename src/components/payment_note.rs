use chrono::{DateTime, Utc};
use kaozheng_core::FeePayment;
use leptos::prelude::*;

use crate::format;
use crate::i18n::{tr, use_i18n};
use crate::state::clock::use_now;

/// How, where and by when the student pays, and whether the school has recorded it: a student who
/// owes a fee needs all four, and registering does not pay it. Nothing when they owe nothing (the
/// fee note says why). `paid` is `None` before registering, then the registration's payment time.
#[component]
pub fn PaymentNote(
    payment: Option<FeePayment>,
    owed_fen: u32,
    paid: Option<Option<DateTime<Utc>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let now = use_now();
    (owed_fen > 0).then(move || {
        let status = paid.map(|p| match p {
            Some(at) => view! {
                <p class="payment-status">
                    <span class="chip chip-ok" data-testid="fee-paid">{tr(|t| t.fee_paid)}</span>
                    " " {format::minute(at)}
                </p>
            }
            .into_any(),
            None => view! {
                <p class="payment-status">
                    <span class="chip chip-warn" data-testid="fee-unpaid">{tr(|t| t.fee_unpaid)}</span>
                    " " {format::yuan(owed_fen)}
                </p>
            }
            .into_any(),
        });
        let unpaid = !matches!(paid, Some(Some(_)));
        let how = unpaid.then(|| match payment {
            Some(p) => {
                let overdue = move || {
                    paid.is_some() && p.due_at.is_some_and(|due| due < now.get())
                };
                let method = p.method;
                view! {
                    <dl class="facts">
                        <dt>{tr(|t| t.pay_how)}</dt>
                        <dd data-testid="pay-method">{move || (i18n.t().pay_method)(method)}</dd>
                        {p.place.map(|place| view! {
                            <dt>{tr(|t| t.pay_where)}</dt>
                            <dd data-testid="pay-place">{place}</dd>
                        })}
                        {p.due_at.map(|due| view! {
                            <dt>{tr(|t| t.pay_by)}</dt>
                            <dd data-testid="pay-due">{format::minute(due)}</dd>
                        })}
                    </dl>
                    {move || if overdue() {
                        view! { <p class="hint hint-warn" role="status" data-testid="pay-overdue">{tr(|t| t.pay_overdue)}</p> }.into_any()
                    } else {
                        view! { <p class="hint">{tr(|t| t.pay_after_register)}</p> }.into_any()
                    }}
                }
                .into_any()
            }
            None => view! {
                <p class="hint" data-testid="pay-unknown">{tr(|t| t.pay_unknown)}</p>
            }
            .into_any(),
        });
        view! {
            <div class="payment-note" data-testid="payment-note">
                {status}
                {how}
            </div>
        }
    })
}
