//! `kaozheng-bench-ceiling BYTES`: serves `GET /` with a fixed body of BYTES bytes on a free loopback
//! port and prints `ceiling serving on http://127.0.0.1:PORT`, like the real server's start-up line.
//! The same runtime set-up as kaozheng-server (multi-threaded tokio, axum::serve), so the bench can
//! report our rates as a share of what the HTTP stack alone can do on this machine.

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::routing::get;

#[tokio::main]
async fn main() {
    let size: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .expect("usage: kaozheng-bench-ceiling BYTES");
    // Filler: only the body's size matters (it stands for the catalog as sent).
    let body = Bytes::from(vec![b'x'; size]);
    let app = Router::new().route(
        "/",
        get(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding a loopback port");
    println!(
        "ceiling serving on http://{}",
        listener.local_addr().expect("a bound address")
    );
    axum::serve(listener, app).await.expect("serving");
}
