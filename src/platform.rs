//! The browser's own services the app uses, each behind a small function so the rest of the app
//! does not touch `web_sys` for them: notifications, the service worker, performance marks and
//! persistent storage.

pub mod notify;
pub mod perf;
pub mod persistence;
pub mod sw;
