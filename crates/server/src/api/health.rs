//! `GET /api/v1/health`: for a load balancer or reverse proxy to route only to servers that can
//! answer. Healthy means the process serves HTTP and its database answers a query within two
//! seconds; a server whose database is gone says so with 503, so the proxy sends its students to
//! another. A server that was told to stop no longer accepts connections at all.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use kaozheng_api::{Health, HealthStatus};

use crate::error::ApiError;
use crate::state::AppState;

/// How long the database may take to answer before the server counts as unhealthy.
pub const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn get_health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let probe = sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&state.db.pool);
    match tokio::time::timeout(DATABASE_TIMEOUT, probe).await {
        Ok(Ok(1)) => Ok(Json(Health {
            status: HealthStatus::Ok,
        })),
        outcome => {
            tracing::warn!(?outcome, "health check: the database does not answer");
            Err(ApiError::unavailable(
                "the database does not answer; try another server",
                "数据库无响应，请稍后重试或访问其他服务器",
            ))
        }
    }
}
