//! Kaozheng app.
