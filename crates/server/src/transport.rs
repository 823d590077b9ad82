//! The TCP listener the server answers on, and why it wraps each connection.
//!
//! hyper refuses a request it cannot parse before the router sees it: a URI of 64 KiB or more
//! (414), a request head over its buffer or with more than 100 headers (431), a NUL in a header, a
//! raw non-ASCII byte in the path or a bad `Content-Length` (400). It writes that answer itself,
//! with an empty body and no hook to change it. Each connection is therefore wrapped in
//! [`RefusalBodies`], which recognises exactly that automatic answer on its way out (the status
//! line, `connection: close`, `content-length: 0` and `date`, nothing else: every response of the
//! app carries more headers) and sends in its place the same status with the API's error body and
//! the security headers every other response carries. Everything else passes through untouched.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use axum::extract::connect_info::Connected;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::serve::IncomingStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::error::ApiError;

/// The headers a rewritten refusal carries besides its own (the security headers), read when it
/// is written.
pub type ExtraHeaders = Arc<dyn Fn() -> Vec<(HeaderName, HeaderValue)> + Send + Sync>;

/// A TCP listener whose connections are [`RefusalBodies`].
pub struct Listener {
    tcp: TcpListener,
    extra: ExtraHeaders,
}

impl Listener {
    pub fn new(tcp: TcpListener, extra: ExtraHeaders) -> Listener {
        Listener { tcp, extra }
    }
}

impl axum::serve::Listener for Listener {
    type Io = RefusalBodies<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.tcp).await;
        (RefusalBodies::new(stream, self.extra.clone()), addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// The TCP peer of a request (what the per-address limits count when no proxy is trusted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

impl Connected<IncomingStream<'_, Listener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, Listener>) -> Self {
        PeerAddr(*stream.remote_addr())
    }
}

/// A connection that replaces hyper's empty automatic refusals with the API's error shape.
pub struct RefusalBodies<IO> {
    io: IO,
    extra: ExtraHeaders,
    /// A rewritten refusal still to be sent, and how much of it was.
    owed: Vec<u8>,
    sent: usize,
}

impl<IO> RefusalBodies<IO> {
    pub fn new(io: IO, extra: ExtraHeaders) -> Self {
        RefusalBodies {
            io,
            extra,
            owed: Vec::new(),
            sent: 0,
        }
    }
}

impl<IO: AsyncWrite + Unpin> RefusalBodies<IO> {
    /// Sends what is owed; ready once all of it is out.
    fn poll_owed(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.owed.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.owed[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        self.owed.clear();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }

    /// Takes `buf` over when it is hyper's automatic refusal; it counts as written, and the
    /// rewritten answer goes out on this and the following writes, flushes and the shutdown.
    fn take_refusal(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Option<io::Result<usize>> {
        let rewritten = rewrite_refusal(buf, &(self.extra)())?;
        self.owed = rewritten;
        self.sent = 0;
        match self.poll_owed(cx) {
            Poll::Ready(Err(e)) => Some(Err(e)),
            // Pending: hyper flushes next, which sends the rest.
            Poll::Ready(Ok(())) | Poll::Pending => Some(Ok(buf.len())),
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for RefusalBodies<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for RefusalBodies<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_owed(cx))?;
        if let Some(done) = self.take_refusal(cx, buf) {
            return Poll::Ready(done);
        }
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_owed(cx))?;
        let mut filled = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (filled.next(), filled.next())
            && let Some(done) = self.take_refusal(cx, only)
        {
            return Poll::Ready(done);
        }
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_owed(cx))?;
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_owed(cx))?;
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// The error for a request the HTTP layer refused with `status`.
pub fn refusal_error(status: StatusCode) -> Option<ApiError> {
    Some(match status {
        StatusCode::BAD_REQUEST => ApiError::bad_request(
            "malformed_request",
            "the request is not valid HTTP/1.1: a malformed request line, a header with a NUL or \
             other forbidden byte, a path with raw non-ASCII bytes, or a bad Content-Length",
            "请求不是有效的 HTTP/1.1：请求行、请求头或 Content-Length 格式错误",
        ),
        StatusCode::URI_TOO_LONG => ApiError::new(
            status,
            "uri_too_long",
            "the request URI is 64 KiB or longer",
            "请求地址过长（不得达到 64 KiB）",
        ),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ApiError::new(
            status,
            "headers_too_large",
            "the request line and headers are too large (over 400 KiB, or more than 100 headers)",
            "请求行和请求头过大（超过 400 KiB 或多于 100 个请求头）",
        ),
        _ => return None,
    })
}

/// hyper's automatic refusal rewritten with the API's error body, or `None` when `head` is
/// anything else. Only a complete head with a refusal status and nothing but `connection`,
/// `content-length: 0` and `date` is hyper's; the app never answers that bare.
pub fn rewrite_refusal(head: &[u8], extra: &[(HeaderName, HeaderValue)]) -> Option<Vec<u8>> {
    const END: &[u8] = b"\r\n\r\n";
    if !head.starts_with(b"HTTP/1.") || !head.ends_with(END) || head.len() > 512 {
        return None;
    }
    let text = std::str::from_utf8(&head[..head.len() - END.len()]).ok()?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?;
    let code: u16 = status_line.get(9..12)?.parse().ok()?;
    let error = refusal_error(StatusCode::from_u16(code).ok()?)?;
    let mut date = None;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "connection" if value.eq_ignore_ascii_case("close") => {}
            "content-length" if value == "0" => {}
            "date" => date = Some(value),
            _ => return None,
        }
    }
    let body = error.body_json();
    let mut out = format!(
        "{status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\ncache-control: no-cache\r\n",
        body.len()
    )
    .into_bytes();
    if let Some(date) = date {
        out.extend_from_slice(format!("date: {date}\r\n").as_bytes());
    }
    for (name, value) in extra {
        if name == header::CONTENT_TYPE || name == header::CONTENT_LENGTH {
            continue;
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYPER_414: &[u8] = b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\ndate: Wed, 02 Dec 2026 01:58:41 GMT\r\n\r\n";

    fn nosniff() -> Vec<(HeaderName, HeaderValue)> {
        vec![(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        )]
    }

    #[test]
    fn hypers_bare_refusals_get_the_error_body() {
        let out = String::from_utf8(rewrite_refusal(HYPER_414, &nosniff()).unwrap()).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{head}");
        assert!(head.contains("\r\ncontent-type: application/json\r\n"));
        assert!(head.contains(&format!("\r\ncontent-length: {}\r\n", body.len())));
        assert!(head.contains("\r\nconnection: close\r\n"));
        assert!(head.contains("\r\ndate: Wed, 02 Dec 2026 01:58:41 GMT"));
        assert!(head.contains("\r\nx-content-type-options: nosniff"));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["error"]["code"], "uri_too_long");
        for (status, code) in [
            ("400 Bad Request", "malformed_request"),
            ("431 Request Header Fields Too Large", "headers_too_large"),
        ] {
            let head =
                format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let out = rewrite_refusal(head.as_bytes(), &[]).unwrap();
            let body = &out[out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4..];
            let v: serde_json::Value = serde_json::from_slice(body).unwrap();
            assert_eq!(v["error"]["code"], code);
        }
    }

    #[test]
    fn anything_the_app_writes_passes_untouched() {
        for other in [
            // The app's own 400: more headers, a body.
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nx-content-type-options: nosniff\r\n\r\n",
            // Another status, a non-empty length, half a head, a body chunk.
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 7\r\n\r\n",
            b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n",
            b"{\"error\": 1}",
        ] {
            assert_eq!(
                rewrite_refusal(other, &[]),
                None,
                "{}",
                String::from_utf8_lossy(other)
            );
        }
    }

    #[tokio::test]
    async fn a_refusal_written_in_pieces_arrives_whole() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        // A pipe of 16 bytes: the rewritten answer cannot go out in one write.
        let (client, server) = tokio::io::duplex(16);
        let extra: ExtraHeaders = Arc::new(nosniff);
        let mut conn = RefusalBodies::new(server, extra);
        let reader = tokio::spawn(async move {
            let mut client = client;
            let mut got = Vec::new();
            client.read_to_end(&mut got).await.unwrap();
            got
        });
        conn.write_all(HYPER_414).await.unwrap();
        conn.shutdown().await.unwrap();
        drop(conn);
        let got = reader.await.unwrap();
        assert_eq!(got, rewrite_refusal(HYPER_414, &nosniff()).unwrap());
    }
}
