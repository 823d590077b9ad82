//! The staff API's words for a plan that cannot move now, in English and Chinese.
//!
//! What the rules decide for students (refusals, feedback errors, credit conversions) is worded
//! once in `kaozheng_api::words`, which the app shows and the API sends as it is.

use kaozheng_core::model::{MoveRefusal, PhaseMove};

/// Why staff cannot move a plan now (409 `phase_move_refused`), in the staff page's words.
pub fn move_refusal_en(m: PhaseMove, r: MoveRefusal) -> String {
    match r {
        MoveRefusal::WrongState { state, needs } => format!(
            "{} needs a plan in state {}; this one is {}",
            m.as_str(),
            needs.as_str(),
            state.as_str()
        ),
        MoveRefusal::BadTimes { field } => {
            format!("the plan's times are out of order ({field}); import it again with them fixed")
        }
    }
}

pub fn move_refusal_zh(r: MoveRefusal) -> String {
    use crate::staff::words::state_zh;
    match r {
        MoveRefusal::WrongState { state, needs } => format!(
            "该操作需要计划处于“{}”，当前为“{}”",
            state_zh(needs),
            state_zh(state)
        ),
        MoveRefusal::BadTimes { .. } => "计划的时间顺序有误，请修正后重新导入".into(),
    }
}
