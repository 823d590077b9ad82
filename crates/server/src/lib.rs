//! Kaozheng's server: the `/api/v1` JSON API and the built app from one binary, on SQLite (a file,
//! the default) or PostgreSQL (`DATABASE_URL`, for several servers behind a load balancer).
//!
//! [`app`] builds the router for a ready [`AppState`]; [`Server`] opens everything and listens;
//! [`serve`] is what the CLI runs.

pub mod api;
pub mod auth;
pub mod catalog_cache;
pub mod cli;
pub mod config;
pub mod db;
pub mod delta;
#[cfg(feature = "demo")]
pub mod demo;
pub mod error;
pub mod feedback;
pub mod first_screen;
pub mod headers;
pub mod import;
pub mod logging;
pub mod registrations;
pub mod roster;
pub mod rules;
pub mod school;
pub mod seed;
pub mod staff;
pub mod state;
pub mod static_files;
pub mod text;
pub mod tickets;
pub mod transport;

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::http::header;
use axum::middleware::from_fn_with_state;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;
pub use state::AppState;

/// The whole HTTP surface: API routes, then the built app for everything else.
pub fn app(state: AppState) -> Router {
    api::router(state.http.body_limits, &state.http.cors_origins)
        .merge(staff::router(state.http.body_limits))
        .fallback(static_files::handler)
        .layer(from_fn_with_state(state.clone(), api::finish_writes))
        // Compresses API JSON, rendered pages and files without a precompressed sibling (br, else
        // gzip). A response that already has a Content-Encoding (ServeDir's .br/.gz, the cached
        // catalog) is left alone. Brotli 5 rather than the default 4: a rendered page is about
        // 12 % smaller (the demo's `/` 12,585 → 11,225 B) for about 0.3 ms more CPU on 59 KB.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(5)))
        // A bug in one handler answers that request with a JSON 500 instead of dropping the
        // connection; the server keeps serving.
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn_with_state(state.clone(), headers::security))
        .layer(TraceLayer::new_for_http())
        // Outside the trace layer: whatever logs request headers sees `Authorization` redacted.
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
        ]))
        .with_state(state)
}

fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %what, "a request handler panicked");
    axum::response::IntoResponse::into_response(error::ApiError::internal())
}

/// An opened database and a bound port, not yet answering.
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    /// Opens the database (migrating and seeding it) and binds the port (0 = any free one).
    pub async fn start(config: Config) -> anyhow::Result<Server> {
        let state = AppState::open(&config).await?;
        let listener = TcpListener::bind((config.bind, config.port))
            .await
            .with_context(|| format!("binding {}:{}", config.bind, config.port))?;
        Ok(Server { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The URL to open: a wildcard bind is reachable on loopback.
    pub fn url(&self) -> String {
        let mut addr = self.local_addr();
        match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => addr.set_ip(Ipv4Addr::LOCALHOST.into()),
            IpAddr::V6(ip) if ip.is_unspecified() => addr.set_ip(Ipv6Addr::LOCALHOST.into()),
            _ => {}
        }
        format!("http://{addr}/")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Answers requests until `shutdown` completes, then lets open requests finish.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let app = app(self.state.clone());
        let housekeeping = tokio::spawn(housekeeping(self.state.clone()));
        let headers_of = self.state.clone();
        let listener = transport::Listener::new(
            self.listener,
            Arc::new(move || headers::security_headers(&headers_of, false, false)),
        );
        let served = axum::serve(
            listener,
            // The peer address feeds the per-address login limit.
            app.into_make_service_with_connect_info::<transport::PeerAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP");
        housekeeping.abort();
        // Writes whose clients left are still running: let them finish first.
        let _no_more_writes = self.state.writes.write().await;
        self.state.db.pool.close().await;
        served
    }
}

/// Every ten minutes, forgets expired (student and staff) sessions, staff uploads no longer kept,
/// used-up assertion ids and rate-limited attempts older than a day.
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = state.now().timestamp();
        let pool = &state.db.pool;
        let day = 24 * 3600;
        let done = async {
            let sessions = db::sessions::delete_expired(pool, now).await?;
            let assertions = db::embed::delete_expired(pool, now).await?;
            let attempts = db::rate_limits::delete_older(&state.db, now - day).await?;
            let staff = db::staff::delete_expired(pool, now, now - staff::UPLOAD_TTL_SECS).await?;
            db::DbResult::Ok((sessions + staff, assertions, attempts))
        };
        match done.await {
            Ok((sessions, assertions, attempts)) => {
                tracing::debug!(sessions, assertions, attempts, "housekeeping")
            }
            Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
        }
    }
}

/// The block printed at start-up in demo mode: every demo account and its password.
#[cfg(feature = "demo")]
pub fn demo_credentials() -> String {
    let mut out =
        String::from("\n== Demo accounts (serve --demo only; every password is the same) ==\n");
    for a in &demo::people::ACCOUNTS {
        out.push_str(&format!(
            "  {:<10} {}  {} / {}{}\n",
            a.student_no,
            a.name,
            a.school,
            a.school_level.zh(),
            if a.hardship { " / 建档立卡" } else { "" }
        ));
    }
    out.push_str("  staff page /staff (教务):\n");
    for (username, name, school) in demo::staff::ACCOUNTS {
        out.push_str(&format!(
            "  {username:<14} {name}  {}\n",
            school.unwrap_or("全省 province")
        ));
    }
    out.push_str(&format!("  password:  {}\n", demo::PASSWORD));
    out
}

/// Starts the server and prints `Kaozheng serving on http://HOST:PORT/` on stdout (scripts wait
/// for that line; with `--port 0` it carries the port the OS picked), then in demo mode the demo
/// accounts, then serves until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    #[cfg(feature = "demo")]
    let credentials = if config.demo {
        demo_credentials()
    } else {
        String::new()
    };
    // Without the demo school `--demo` is refused at start.
    #[cfg(not(feature = "demo"))]
    let credentials = String::new();
    let server = Server::start(config).await?;
    tracing::info!(addr = %server.local_addr(), "listening");
    {
        // One write: a reader that stops after the first line must not make a later write fail.
        use std::io::Write;
        let text = format!("Kaozheng serving on {}\n{}", server.url(), credentials);
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            tracing::warn!(error = %e, "could not print the start-up line");
        }
    }
    server.run(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_becomes_a_json_500() {
        let res = panic_response(Box::new("index out of bounds"));
        assert_eq!(res.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "internal");
    }
}
