//! `sqlx::migrate!` embeds the migration directories when `db.rs` compiles, but cargo does not know
//! it reads them: without this, an added or renamed migration keeps the old list in the binary.
fn main() {
    for dir in ["migrations", "migrations-sqlite", "migrations-postgres"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
