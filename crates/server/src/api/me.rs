//! `GET /api/v1/me`: the signed-in student's profile.

use axum::Json;
use axum::extract::State;
use kaozheng_core::model::Student;

use crate::auth::StudentSession;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn get_me(
    State(state): State<AppState>,
    session: StudentSession,
) -> Result<Json<Student>, ApiError> {
    db::students::get(&state.db.pool, &session.student_no)
        .await?
        .map(Json)
        .ok_or_else(|| {
            ApiError::unauthorized(
                "unauthorized",
                "the signed-in student no longer exists",
                "登录的学生已不存在",
            )
        })
}
