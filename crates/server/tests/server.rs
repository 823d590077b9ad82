//! Integration tests: the real router over a real database in a temporary directory. Tests that
//! touch the database run twice, on SQLite and on PostgreSQL (see `on_both!` in support.rs).

mod server {
    pub mod access;
    pub mod admin;
    pub mod api;
    pub mod auth;
    pub mod bad_imports;
    pub mod bad_input;
    pub mod certificates;
    pub mod cluster;
    pub mod concurrency;
    pub mod credits;
    pub mod embed;
    pub mod feedback;
    pub mod first_screen;
    pub mod graduation;
    pub mod harness;
    pub mod headers;
    pub mod import_fuzz;
    pub mod kill;
    pub mod lifecycle;
    pub mod logs;
    pub mod openapi;
    pub mod payments;
    pub mod registrations;
    pub mod resources;
    pub mod results;
    pub mod school;
    pub mod security;
    pub mod staff_page;
    pub mod static_files;
    pub mod support;
    pub mod tickets;
    pub mod upgrade;
}
