//! Kaozheng's server: the `/api/v1` JSON API and the built app from one binary, on SQLite (a file,
//! the default) or PostgreSQL (`DATABASE_URL`, for several servers behind a load balancer).
//!
//! [`app`] builds the router for a ready [`AppState`]; [`Server`] opens everything and listens;
//! [`serve`] is what the CLI runs.

pub mod api;
pub mod config;
pub mod db;
pub mod error;
pub mod headers;
pub mod seed;
pub mod state;
pub mod static_files;

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use anyhow::Context;
use axum::Router;
use axum::middleware::from_fn_with_state;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;
pub use state::AppState;

/// The whole HTTP surface: API routes, then the built app for everything else.
pub fn app(state: AppState) -> Router {
    api::router()
        .fallback(static_files::handler)
        // Compresses API JSON and files without a precompressed sibling (br, else gzip). A
        // response that already has a Content-Encoding (ServeDir's .br/.gz) is left alone.
        .layer(CompressionLayer::new())
        // A bug in one handler answers that request with a JSON 500 instead of dropping the
        // connection; the server keeps serving.
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn_with_state(state.clone(), headers::security))
        .layer(TraceLayer::new_for_http())
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
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving HTTP")?;
        self.state.db.pool.close().await;
        Ok(())
    }
}

/// Starts the server and prints `Kaozheng serving on http://HOST:PORT/` on stdout (scripts wait
/// for that line; with `--port 0` it carries the port the OS picked), then serves until Ctrl-C or
/// SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let server = Server::start(config).await?;
    tracing::info!(addr = %server.local_addr(), "listening");
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "Kaozheng serving on {}", server.url())?;
        out.flush()?;
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
