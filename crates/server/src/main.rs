//! `kaozheng-server serve`: the command line around [`kaozheng_server::serve`].

use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use kaozheng_server::Config;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "kaozheng-server",
    version,
    about = "Kaozheng's API and app server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate and seed the database, then serve the API and the built app.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// TCP port; 0 picks a free one (the start-up line shows which).
    #[arg(long, env = "KAOZHENG_PORT", default_value_t = 8080)]
    port: u16,
    /// Address to listen on; 0.0.0.0 for every interface.
    #[arg(long, env = "KAOZHENG_BIND", default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Directory for the default SQLite database (created when missing).
    #[arg(long, env = "KAOZHENG_DATA_DIR", default_value = "./var")]
    data_dir: PathBuf,
    /// The built app (output of `trunk build --release`).
    #[arg(long, env = "KAOZHENG_DIST", default_value = "./dist")]
    dist: PathBuf,
    /// sqlite:PATH or postgres://USER:PASSWORD@HOST/DB; default <data-dir>/kaozheng.sqlite3.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Do not write demo exam sites and plans into an empty database.
    #[arg(long)]
    no_demo: bool,
    /// An origin allowed to embed the app in a frame (a school portal); repeatable.
    #[arg(long = "frame-ancestor", value_name = "ORIGIN")]
    frame_ancestors: Vec<String>,
}

impl ServeArgs {
    fn into_config(self) -> Config {
        let mut c = Config::new(self.data_dir, self.dist);
        c.bind = self.bind;
        c.port = self.port;
        // An empty DATABASE_URL (common in .env files) means "not set".
        c.database_url = self.database_url.filter(|u| !u.trim().is_empty());
        c.demo = !self.no_demo;
        c.frame_ancestors = self.frame_ancestors;
        c
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Logs go to stderr; stdout carries only the start-up line scripts wait for.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match cli.command {
        Command::Serve(args) => {
            let config = args.into_config();
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(kaozheng_server::serve(config))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_reach_the_config() {
        let cli = Cli::try_parse_from([
            "kaozheng-server",
            "serve",
            "--port",
            "0",
            "--data-dir",
            "/tmp/kz",
            "--database-url",
            " ",
            "--no-demo",
            "--frame-ancestor",
            "https://portal.example.edu.cn",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command;
        let c = args.into_config();
        assert_eq!(c.port, 0);
        assert_eq!(c.data_dir, PathBuf::from("/tmp/kz"));
        assert_eq!(c.database_url, None);
        assert!(!c.demo);
        assert_eq!(c.frame_ancestors, vec!["https://portal.example.edu.cn"]);
    }
}
