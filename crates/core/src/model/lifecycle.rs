//! Moving an exam plan along its lifecycle by hand, as a school's staff do between imports:
//! publish a draft, close registration early, start scoring once the exam has begun, put the
//! results in public notice (公示), end the plan.
//!
//! The order is the one [`PlanState`] documents: Draft → Announced → Open → Closed → Examining →
//! Scoring (4) → Publicized (5) → Ended (6). Each move starts from exactly one state and goes one
//! step forward; nothing moves a plan back (an administrator's plan import still sets any phase).

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use super::{ExamPlan, PlanPhase, PlanState};

/// One step a staff member takes on a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseMove {
    /// Draft → published: students see the plan, and register once its window opens.
    Publish,
    /// Registration open → closed now, before the window's planned end.
    Close,
    /// Being examined → scoring (成绩登记): the exam has started.
    Score,
    /// Scoring → publicized (成绩公示): students see their results.
    Publicize,
    /// Publicized → ended: the results are final.
    End,
}

/// Why a move cannot be made now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveRefusal {
    /// The plan is in `state`; the move starts from `needs` only.
    WrongState { state: PlanState, needs: PlanState },
    /// A draft whose times are out of order cannot be published; `field` is the first bad one.
    BadTimes { field: &'static str },
}

impl PhaseMove {
    pub const ALL: [PhaseMove; 5] = [
        PhaseMove::Publish,
        PhaseMove::Close,
        PhaseMove::Score,
        PhaseMove::Publicize,
        PhaseMove::End,
    ];

    /// The JSON name (`"publish"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            PhaseMove::Publish => "publish",
            PhaseMove::Close => "close",
            PhaseMove::Score => "score",
            PhaseMove::Publicize => "publicize",
            PhaseMove::End => "end",
        }
    }

    pub fn parse(s: &str) -> Option<PhaseMove> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The one state the move starts from.
    pub fn from_state(self) -> PlanState {
        match self {
            PhaseMove::Publish => PlanState::Draft,
            PhaseMove::Close => PlanState::Open,
            PhaseMove::Score => PlanState::Examining,
            PhaseMove::Publicize => PlanState::Scoring,
            PhaseMove::End => PlanState::Publicized,
        }
    }
}

impl ExamPlan {
    /// The plan after `m` at `now`, or why it cannot be made. Closing sets the window's end to
    /// `now` (whole seconds); the other moves set the phase.
    pub fn apply_move(&self, m: PhaseMove, now: DateTime<Utc>) -> Result<ExamPlan, MoveRefusal> {
        let state = self.state_at(now);
        if state != m.from_state() {
            return Err(MoveRefusal::WrongState {
                state,
                needs: m.from_state(),
            });
        }
        let mut next = self.clone();
        match m {
            PhaseMove::Publish => {
                self.check_times()
                    .map_err(|field| MoveRefusal::BadTimes { field })?;
                next.phase = PlanPhase::Published;
            }
            PhaseMove::Close => {
                let now = now.trunc_subsecs(0);
                // Open means opens ≤ now < closes; a window closed in its very first second would
                // end where it begins, which no plan may.
                if now <= self.window_opens_at {
                    return Err(MoveRefusal::WrongState {
                        state: PlanState::Announced,
                        needs: PlanState::Open,
                    });
                }
                next.window_closes_at = now;
            }
            PhaseMove::Score => next.phase = PlanPhase::Scoring,
            PhaseMove::Publicize => next.phase = PlanPhase::Publicized,
            PhaseMove::End => next.phase = PlanPhase::Ended,
        }
        Ok(next)
    }

    /// The moves that could be made at `now` (at most one: every state has one way forward).
    pub fn moves_at(&self, now: DateTime<Utc>) -> Vec<PhaseMove> {
        PhaseMove::ALL
            .into_iter()
            .filter(|m| self.apply_move(*m, now).is_ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::model::XLevel;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        crate::time::china()
            .with_ymd_and_hms(2026, 12, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn plan(phase: PlanPhase) -> ExamPlan {
        ExamPlan {
            id: "p1".into(),
            name: "计划".into(),
            certificate_id: "c1".into(),
            level: XLevel::Primary,
            province: "天津".into(),
            site_id: "s1".into(),
            phase,
            window_opens_at: at(1, 9),
            window_closes_at: at(10, 17),
            exam_starts_at: at(20, 9),
            exam_ends_at: at(20, 11),
            capacity: 30,
            seats_left: 30,
            fee_fen: 30_000,
            payment: None,
        }
    }

    #[test]
    fn a_plan_walks_its_whole_lifecycle_one_step_at_a_time() {
        let draft = plan(PlanPhase::Draft);
        assert_eq!(draft.moves_at(at(5, 12)), vec![PhaseMove::Publish]);
        let published = draft.apply_move(PhaseMove::Publish, at(5, 12)).unwrap();
        assert_eq!(published.phase, PlanPhase::Published);
        assert_eq!(published.state_at(at(5, 12)), PlanState::Open);

        let closed = published
            .apply_move(PhaseMove::Close, at(5, 12) + Duration::milliseconds(400))
            .unwrap();
        assert_eq!(closed.window_closes_at, at(5, 12), "whole seconds");
        assert_eq!(closed.phase, PlanPhase::Published);
        assert_eq!(closed.state_at(at(5, 13)), PlanState::Closed);
        assert_eq!(closed.check_times(), Ok(()));

        // Nothing but the exam's start moves it further.
        assert!(closed.moves_at(at(19, 9)).is_empty());
        let scoring = closed.apply_move(PhaseMove::Score, at(20, 9)).unwrap();
        assert_eq!(scoring.state_at(at(20, 12)), PlanState::Scoring);
        let public = scoring.apply_move(PhaseMove::Publicize, at(25, 9)).unwrap();
        assert!(public.state_at(at(25, 9)).results_visible());
        let ended = public.apply_move(PhaseMove::End, at(30, 9)).unwrap();
        assert_eq!(ended.state_at(at(30, 9)), PlanState::Ended);
        assert!(
            ended.moves_at(at(30, 9)).is_empty(),
            "ended is the last step"
        );
    }

    #[test]
    fn every_move_is_refused_outside_its_one_state() {
        let published = plan(PlanPhase::Published);
        for (when, state) in [
            (at(1, 8), PlanState::Announced),
            (at(5, 12), PlanState::Open),
            (at(15, 0), PlanState::Closed),
            (at(20, 10), PlanState::Examining),
        ] {
            for m in PhaseMove::ALL {
                let got = published.apply_move(m, when);
                if m.from_state() == state {
                    assert!(got.is_ok(), "{m:?} in {state:?}");
                } else {
                    assert_eq!(
                        got,
                        Err(MoveRefusal::WrongState {
                            state,
                            needs: m.from_state()
                        }),
                        "{m:?} in {state:?}"
                    );
                }
            }
        }
        // Skipping a step (draft straight to scoring, scoring straight to ended) is refused.
        assert!(
            plan(PlanPhase::Draft)
                .apply_move(PhaseMove::Score, at(21, 0))
                .is_err()
        );
        assert!(
            plan(PlanPhase::Scoring)
                .apply_move(PhaseMove::End, at(21, 0))
                .is_err()
        );
        // No way back from publicized to scoring.
        assert!(
            plan(PlanPhase::Publicized)
                .apply_move(PhaseMove::Score, at(25, 0))
                .is_err()
        );
    }

    #[test]
    fn a_window_is_not_closed_in_its_first_second_nor_a_bad_draft_published() {
        let open = plan(PlanPhase::Published);
        assert!(
            open.apply_move(PhaseMove::Close, at(1, 9) + Duration::milliseconds(500))
                .is_err()
        );
        assert!(
            open.apply_move(PhaseMove::Close, at(1, 9) + Duration::seconds(1))
                .is_ok()
        );
        let mut bad = plan(PlanPhase::Draft);
        bad.exam_ends_at = bad.exam_starts_at;
        assert_eq!(
            bad.apply_move(PhaseMove::Publish, at(5, 12)),
            Err(MoveRefusal::BadTimes {
                field: "exam_ends_at"
            })
        );
    }

    #[test]
    fn move_names_are_the_json_names() {
        for m in PhaseMove::ALL {
            assert_eq!(PhaseMove::parse(m.as_str()), Some(m));
            assert_eq!(
                serde_json::to_value(m).unwrap(),
                serde_json::Value::from(m.as_str())
            );
        }
        assert_eq!(PhaseMove::parse("scoring"), None);
    }
}
