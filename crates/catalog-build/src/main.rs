//! `kaozheng-catalog-build`: writes the default catalog (`data/catalog.json`) or a synthetic one.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kaozheng_catalog_build::{build_default, build_synthetic, counts, render, write_catalog};
use kaozheng_core::Catalog;

#[derive(Parser)]
#[command(version, about = "Builds Kaozheng certificate catalogs (format 1)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The bundled default catalog, from the source tables.
    Default {
        /// Folder with the source CSV files.
        #[arg(long, default_value = "data/source")]
        source: PathBuf,
        /// Where to write the catalog.
        #[arg(long, default_value = "data/catalog.json")]
        out: PathBuf,
    },
    /// A generated test catalog; every name is marked （模拟）.
    Synthetic {
        /// How many certificates.
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        /// The same seed gives the same file.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the catalog.
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (built, out) = match cli.command {
        Command::Default { source, out } => (build_default(&source), out),
        Command::Synthetic { count, seed, out } => (build_synthetic(count, seed), out),
    };
    match built.and_then(|c| write_catalog(&c, &out).map(|()| c)) {
        Ok(catalog) => {
            summary(&catalog, &out);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn summary(catalog: &Catalog, out: &std::path::Path) {
    let (certificates, orgs, levels) = counts(catalog);
    println!(
        "wrote {}: {certificates} certificates, {orgs} organisations, {levels} levels, {} bytes, version {}",
        out.display(),
        render(catalog).len(),
        catalog.version
    );
}
