//! Runs the sync engine for the account state: one pass at a time per tab, again at once when
//! asked during a pass, on a timer for backed-off entries, and without IndexedDB a read-only pull.

use std::sync::Arc;

use futures_util::future::join3;
use kaozheng_core::ExamResult;
use kaozheng_core::outbox::LocalRegistration;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::Account;
use crate::api::{self, ApiError};
use crate::platform::notify;
use crate::problem::Problem;
use crate::state::clock;
use crate::sync::{Pass, Report, next_wake};

impl Account {
    /// Sends what is waiting (all of it when `manual`), then refreshes registrations, results and
    /// ratings from the server. Only one tab sends at a time.
    pub async fn sync(self, manual: bool) {
        if self.flushing.get_value() {
            let manual = manual || self.again.get_value() == Some(true);
            self.again.set_value(Some(manual));
            return;
        }
        // Signed out: nothing can be sent or pulled, and the lists on screen are what the phone
        // holds, so a pass would only take and give back the sending lease (at every start).
        if self.session.with_untracked(Option::is_none) {
            return;
        }
        let Some(db) = self.db() else {
            // No IndexedDB (blocked third-party storage, private mode): read-only, in memory.
            self.pull_into_memory().await;
            return;
        };
        self.flushing.set_value(true);
        let token = self.token().filter(|_| !self.expired.get_untracked());
        let sending = move |id: Option<&str>| self.sending.set(id.map(str::to_string));
        let now = clock::now;
        let jitter = js_sys::Math::random;
        let pass = Pass {
            token: token.as_deref(),
            manual,
            results_known: self.results_synced.get_value(),
            now: &now,
            jitter: &jitter,
            sending: &sending,
        };
        let report = self.engine(db.clone()).sync(&pass).await;
        self.apply(report);
        self.reload_local(&db).await;
        self.flushing.set_value(false);
        if let Some(manual) = self.again.get_value() {
            self.again.set_value(None);
            spawn_local(self.sync(manual));
            return;
        }
        self.schedule_next();
    }

    /// Puts what a pass reports on screen.
    fn apply(&self, report: Report) {
        for e in report.storage_errors {
            self.storage_failed(e);
        }
        if report.expired {
            self.expired.set(true);
        }
        match report.problem {
            Some(None) => self.problem.set(None),
            Some(Some(e)) => self.problem.set(Some(e.into())),
            None => {}
        }
        if let Some(body) = report.feedback_problem {
            let code = api::error_detail(&body).map(|d| d.code);
            self.feedback_problem
                .set(Some(Problem::Refused(code.unwrap_or_default())));
        }
        if report.results_saved {
            self.results_synced.set_value(true);
        }
        if !report.new_results.is_empty() {
            self.announce(&report.new_results);
        }
    }

    /// Without IndexedDB the student can still see their registrations, results and feedback for
    /// this visit; nothing is kept and nothing can be queued (the pages say storage is unavailable).
    /// The three are asked for together, as a pass asks for them.
    async fn pull_into_memory(&self) {
        let Some(token) = self.token().filter(|_| !self.expired.get_untracked()) else {
            return;
        };
        let (registrations, results, feedback) = join3(
            api::registrations(&token),
            api::results(&token),
            api::my_feedback(&token),
        )
        .await;
        match registrations {
            Ok(list) => {
                let now = clock::now();
                let locals: Vec<LocalRegistration> = list
                    .iter()
                    .map(|r| LocalRegistration::from_server(r, now))
                    .collect();
                self.registrations.set(Arc::new(locals));
            }
            Err(ApiError::Status { status: 401, .. }) => {
                self.expired.set(true);
                return;
            }
            Err(e) => self.problem.set(Some(e.into())),
        }
        if let Ok(list) = results {
            self.results
                .set(Arc::new(list.into_iter().map(|r| (r, true)).collect()));
        }
        if let Ok(list) = feedback {
            self.feedback.set(Arc::new(list));
        }
    }

    /// A browser notification per newly published result, if the student allowed them.
    fn announce(&self, results: &[ExamResult]) {
        let names = self.catalog.catalog.with_untracked(|c| {
            results
                .iter()
                .map(|r| {
                    let cert = c
                        .as_ref()
                        .and_then(|l| l.catalog.certificate(&r.certificate_id))
                        .map(|c| c.short_name().to_string())
                        .unwrap_or_else(|| r.plan_name.clone());
                    format!("{cert}（{}）", r.level.zh())
                })
                .collect::<Vec<_>>()
        });
        for name in names {
            notify::result_published(&name);
        }
    }

    /// Wakes up when the next backed-off entry is due.
    fn schedule_next(self) {
        if self.expired.get_untracked() {
            self.timer.set_value(None);
            return;
        }
        let now = clock::now();
        let next = self.outbox.with_untracked(|o| next_wake(o, now));
        let timer = next.map(|at| {
            let ms = (at - now).num_milliseconds().clamp(500, 300_000) as u32;
            gloo_timers::callback::Timeout::new(ms, move || spawn_local(self.sync(false)))
        });
        self.timer.set_value(timer);
    }
}
