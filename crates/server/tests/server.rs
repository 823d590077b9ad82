//! Integration tests: the real router over a real SQLite file in a temporary directory.

mod server {
    pub mod api;
    pub mod lifecycle;
    pub mod openapi;
    pub mod postgres;
    pub mod static_files;
    pub mod support;
}
