//! `kaozheng-server`: `serve`, `import`, `export`, `plan`, `admin-token`, `staff` and
//! `student-password`, around the library.

use std::io::{BufRead, IsTerminal};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use kaozheng_api::staff::RosterQuery;
use kaozheng_core::model::PhaseMove;
use kaozheng_server::auth::embed;
use kaozheng_server::auth::password::Passwords;
use kaozheng_server::auth::staff::Scope;
use kaozheng_server::import::Kind;
use kaozheng_server::logging::{self, DEFAULT_FILTER, LogFormat};
use kaozheng_server::staff::accounts;
use kaozheng_server::{Config, cli};
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
    /// Log lines on stderr: `text`, or `json` (one object a line) for log collectors.
    #[arg(
        long,
        global = true,
        env = "KAOZHENG_LOG_FORMAT",
        value_enum,
        default_value_t
    )]
    log_format: LogFormat,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate and seed the database, then serve the API and the built app.
    Serve(ServeArgs),
    /// Import a CSV or JSON file (catalog, sites, plans, students, results or rules): validated as a
    /// whole, applied all-or-nothing; prints the report as JSON, exits 1 when rows were rejected.
    Import(ImportArgs),
    /// Create, revoke or list administrator tokens for the admin API.
    #[command(subcommand)]
    AdminToken(AdminTokenCommand),
    /// Set a student's password, read from the first line of stdin; signs them out everywhere.
    StudentPassword(StudentPasswordArgs),
    /// Export data: the roster of registrations (考生名单) as CSV or .xlsx.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Move an exam plan one step along its lifecycle (publish, close, score, publicize, end).
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Staff accounts for the staff page (/staff) and the admin API: a province administrator or
    /// a school's staff.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// After a release build: write the new WASM of DIST as deltas from the releases kept in
    /// RELEASES (Content-Encoding: dcz, for phones that hold one of them), then keep it there too.
    WasmDeltas { dist: PathBuf, releases: PathBuf },
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// The roster: ticket number, check code, student, school, certificate, level, site, exam
    /// time, fee, payer and reason, registration time, status, and the result columns to fill in.
    /// Cancelled registrations only with --include-cancelled.
    Registrations {
        #[arg(long)]
        plan: Option<String>,
        #[arg(long)]
        site: Option<String>,
        /// An exam session: the exam's start (RFC 3339 or "YYYY-MM-DD HH:MM" China time).
        #[arg(long)]
        exam_starts_at: Option<String>,
        #[arg(long)]
        include_cancelled: bool,
        /// Only this school's students, as its staff would get them.
        #[arg(long)]
        school: Option<String>,
        #[arg(long, value_parser = ["csv", "xlsx"], default_value = "csv")]
        format: String,
        /// Where to write; default stdout (CSV only).
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
enum PlanCommand {
    /// One step: publish (draft), close (registration open), score (exam started), publicize
    /// (scoring), end (publicized).
    Move {
        plan: String,
        #[arg(value_parser = ["publish", "close", "score", "publicize", "end"])]
        step: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
enum StaffCommand {
    /// Make an account; its password is read from the first line of stdin.
    Add {
        #[arg(long)]
        username: String,
        /// The name shown on the staff page.
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["province", "school"])]
        role: String,
        /// The school (exactly as its students' `school` column has it), for --role school.
        #[arg(long)]
        school: Option<String>,
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Set an account's password (first line of stdin); ends its sessions.
    Password {
        username: String,
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Disable an account; ends its sessions.
    Disable {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List accounts (never passwords).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Where the database is (every command).
#[derive(Debug, Args)]
struct DbArgs {
    /// Directory for the default SQLite database (created when missing).
    #[arg(long, env = "KAOZHENG_DATA_DIR", default_value = "./var")]
    data_dir: PathBuf,
    /// sqlite:PATH or postgres://USER:PASSWORD@HOST/DB; default <data-dir>/kaozheng.sqlite3.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
}

impl DbArgs {
    /// An empty DATABASE_URL (common in .env files) means "not set".
    fn url(&self) -> Option<&str> {
        self.database_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
    }
}

/// The argon2id cost of new password hashes.
#[derive(Debug, Args)]
struct PasswordArgs {
    /// argon2id memory in KiB (lower only for tests or very small machines).
    #[arg(long, env = "KAOZHENG_ARGON2_MEMORY_KIB", default_value_t = argon2_default_m())]
    argon2_memory_kib: u32,
    /// argon2id iterations.
    #[arg(long, env = "KAOZHENG_ARGON2_ITERATIONS", default_value_t = argon2_default_t())]
    argon2_iterations: u32,
}

fn argon2_default_m() -> u32 {
    Config::new("", "").argon2_memory_kib
}

fn argon2_default_t() -> u32 {
    Config::new("", "").argon2_iterations
}

impl PasswordArgs {
    fn passwords(&self) -> anyhow::Result<Passwords> {
        Passwords::new(self.argon2_memory_kib, self.argon2_iterations)
    }
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// TCP port; 0 picks a free one (the start-up line shows which).
    #[arg(long, env = "KAOZHENG_PORT", default_value_t = 8080)]
    port: u16,
    /// Address to listen on; 0.0.0.0 for every interface.
    #[arg(long, env = "KAOZHENG_BIND", default_value = "127.0.0.1")]
    bind: IpAddr,
    #[command(flatten)]
    db: DbArgs,
    /// The built app (output of `trunk build --release`).
    #[arg(long, env = "KAOZHENG_DIST", default_value = "./dist")]
    dist: PathBuf,
    /// Seed the demo school (sites, plans, students, registrations, results), keep it current, and
    /// print the demo accounts at start. Without it only the catalog and the rules are seeded.
    #[arg(long)]
    demo: bool,
    /// An origin allowed to embed the app in a frame (a school portal); repeatable.
    #[arg(long = "frame-ancestor", value_name = "ORIGIN")]
    frame_ancestors: Vec<String>,
    /// An origin whose pages may call the API (CORS), e.g. https://m.example.edu.cn; repeatable.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// JSON file of portals allowed to sign embed assertions:
    /// [{"iss", "secret", "aud", "origins": [...]}]. Their origins may also call the API and frame
    /// the app.
    #[arg(long, env = "KAOZHENG_PORTALS_FILE", value_name = "FILE")]
    portals: Option<PathBuf>,
    /// How long a student session lasts, in days.
    #[arg(long, env = "KAOZHENG_SESSION_DAYS", default_value_t = 30)]
    session_days: u64,
    /// Take client addresses from the last X-Forwarded-For entry (behind a load balancer).
    #[arg(long)]
    trust_forwarded_for: bool,
    #[command(flatten)]
    password: PasswordArgs,
}

impl ServeArgs {
    fn into_config(self) -> anyhow::Result<Config> {
        let mut c = Config::new(self.db.data_dir.clone(), self.dist);
        c.bind = self.bind;
        c.port = self.port;
        c.database_url = self.db.url().map(str::to_string);
        c.demo = self.demo;
        c.frame_ancestors = self.frame_ancestors;
        c.cors_origins = self.cors_origins;
        if let Some(path) = &self.portals {
            c.portals = embed::load_portals(path)?;
        }
        c.session_ttl = Duration::from_secs(self.session_days.max(1) * 24 * 3600);
        c.trust_forwarded_for = self.trust_forwarded_for;
        c.argon2_memory_kib = self.password.argon2_memory_kib;
        c.argon2_iterations = self.password.argon2_iterations;
        c.validate()?;
        Ok(c)
    }
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// What the file holds.
    #[arg(value_parser = ["catalog", "sites", "plans", "students", "results", "rules", "payments"])]
    kind: String,
    /// The file: .csv or .json (other names are read by their content).
    file: PathBuf,
    /// For `rules`: which rules (fees, grades, credits, graduation), when the document does not
    /// say.
    #[arg(long = "kind", value_name = "RULE_KIND")]
    rules_kind: Option<String>,
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    password: PasswordArgs,
}

#[derive(Debug, Subcommand)]
enum AdminTokenCommand {
    /// Make a token and print it once (only its hash is stored). Without --school it is a
    /// province administrator's (every school); with it, that school's staff's.
    Create {
        #[arg(long)]
        name: String,
        /// Scope the token to one school (exactly as its students' `school` column has it).
        #[arg(long)]
        school: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke every token with this name.
    Revoke {
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List tokens (names and dates, never the tokens).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Args)]
struct StudentPasswordArgs {
    student_no: String,
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    password: PasswordArgs,
}

/// The first line of stdin, without its line end (a password is never an argument: arguments
/// are visible to every user of the machine).
fn read_password_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Logs go to stderr; stdout carries only what scripts read (the start-up line, reports,
    // tokens).
    logging::init(
        cli.log_format,
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER)),
        std::io::stderr,
        std::io::stderr().is_terminal(),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(cli.command))
}

async fn run(command: Command) -> anyhow::Result<()> {
    let now = kaozheng_server::config::system_clock()();
    match command {
        Command::Serve(args) => kaozheng_server::serve(args.into_config()?).await,
        Command::WasmDeltas { dist, releases } => {
            let written = kaozheng_server::delta::write_deltas(&dist, &releases)
                .with_context(|| format!("writing deltas into {}", dist.display()))?;
            for (path, bytes) in &written {
                println!("{bytes:>8} B  {}", path.display());
            }
            eprintln!("{} delta(s) from past releases", written.len());
            Ok(())
        }
        Command::Import(args) => {
            let kind = Kind::parse(&args.kind).expect("clap checked the kind");
            let db = cli::open_db(&args.db.data_dir, args.db.url(), now).await?;
            let passwords = args.password.passwords()?;
            let report =
                cli::import_file(&db, &passwords, kind, &args.file, args.rules_kind, now).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            db.pool.close().await;
            if !report.ok() {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::AdminToken(AdminTokenCommand::Create { name, school, db }) => {
            let scope = cli::scope_of(school.as_deref())?;
            let conn = cli::open_db(&db.data_dir, db.url(), now).await?;
            let token = accounts::admin_token(&conn, &name, &scope, now).await?;
            println!("{token}");
            eprintln!(
                "Admin token {name:?} ({}) created. It is shown only this once; send it as \
                 Authorization: Bearer <token> to /api/v1/admin/…",
                scope.describe()
            );
            conn.pool.close().await;
            Ok(())
        }
        Command::AdminToken(AdminTokenCommand::Revoke { name, db }) => {
            let conn = cli::open_db(&db.data_dir, db.url(), now).await?;
            let n = cli::admin_token_revoke(&conn, &name, now).await?;
            println!("revoked {n} token(s) named {name:?}");
            conn.pool.close().await;
            anyhow::ensure!(n > 0, "no active token is named {name:?}");
            Ok(())
        }
        Command::AdminToken(AdminTokenCommand::List { db }) => {
            let conn = cli::open_db(&db.data_dir, db.url(), now).await?;
            let lines = cli::admin_token_lines(&conn).await;
            conn.pool.close().await;
            lines?.iter().for_each(|l| println!("{l}"));
            Ok(())
        }
        Command::Export(ExportCommand::Registrations {
            plan,
            site,
            exam_starts_at,
            include_cancelled,
            school,
            format,
            output,
            db,
        }) => {
            anyhow::ensure!(
                format == "csv" || output.is_some(),
                "an .xlsx workbook needs --output FILE"
            );
            let scope = cli::scope_of(school.as_deref())?;
            let query = RosterQuery {
                plan_id: plan,
                site_id: site,
                exam_starts_at,
                include_cancelled: Some(include_cancelled),
                format: Some(format),
            };
            let conn = cli::open_db(&db.data_dir, db.url(), now).await?;
            let exported = cli::export_roster(&conn, &scope, query).await;
            conn.pool.close().await;
            let (bytes, count) = exported?;
            match &output {
                Some(path) => std::fs::write(path, &bytes)
                    .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?,
                None => {
                    use std::io::Write;
                    std::io::stdout().lock().write_all(&bytes)?;
                }
            }
            eprintln!("{count} registrations exported ({})", scope.describe());
            Ok(())
        }
        Command::Plan(PlanCommand::Move { plan, step, db }) => {
            let step = PhaseMove::parse(&step).expect("clap checked the step");
            let conn = cli::open_db(&db.data_dir, db.url(), now).await?;
            let moved = kaozheng_server::school::move_plan(
                &conn,
                now,
                &Scope::Province,
                "cli",
                &plan,
                step,
            )
            .await;
            conn.pool.close().await;
            let moved = moved.map_err(|e| anyhow::anyhow!(e.message))?;
            println!("{plan}: {}", moved.state.as_str());
            Ok(())
        }
        Command::Staff(StaffCommand::Add {
            username,
            name,
            role,
            school,
            db,
            password,
        }) => {
            let scope = Scope::from_role(&role, school.as_deref()).map_err(anyhow::Error::msg)?;
            let pw = read_password_line()?;
            let conn = cli::open_db(&db.data_dir, db.url(), now).await?;
            let passwords = password.passwords()?;
            let account =
                accounts::add(&conn, &passwords, &username, &name, scope, &pw, now).await?;
            println!(
                "staff account {} ({}) created",
                account.username,
                account.scope.describe()
            );
            conn.pool.close().await;
            Ok(())
        }
        Command::Staff(StaffCommand::Password {
            username,
            db,
            password,
        }) => {
            let pw = read_password_line()?;
            let conn = cli::open_db(&db.data_dir, db.url(), now).await?;
            let passwords = password.passwords()?;
            accounts::set_password(&conn, &passwords, &username, &pw, now).await?;
            println!("password of {username} set; its sessions ended");
            conn.pool.close().await;
            Ok(())
        }
        Command::Staff(StaffCommand::Disable { username, db }) => {
            let conn = cli::open_db(&db.data_dir, db.url(), now).await?;
            let ended = accounts::disable(&conn, &username, now).await;
            conn.pool.close().await;
            println!("{username} disabled; {} session(s) ended", ended?);
            Ok(())
        }
        Command::Staff(StaffCommand::List { db }) => {
            let conn = cli::open_db(&db.data_dir, db.url(), now).await?;
            let lines = cli::staff_lines(&conn).await;
            conn.pool.close().await;
            lines?.iter().for_each(|l| println!("{l}"));
            Ok(())
        }
        Command::StudentPassword(args) => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let new_password = line.trim_end_matches(['\r', '\n']);
            let db = cli::open_db(&args.db.data_dir, args.db.url(), now).await?;
            let passwords = args.password.passwords()?;
            cli::set_student_password(&db, &passwords, &args.student_no, new_password, now).await?;
            println!("password of {} set", args.student_no);
            db.pool.close().await;
            Ok(())
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
            "--demo",
            "--frame-ancestor",
            "https://portal.example.edu.cn",
            "--cors-origin",
            "https://m.example.edu.cn",
            "--session-days",
            "7",
            "--argon2-memory-kib",
            "64",
            "--argon2-iterations",
            "1",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("not serve")
        };
        let c = args.into_config().unwrap();
        assert_eq!(c.port, 0);
        assert_eq!(c.data_dir, PathBuf::from("/tmp/kz"));
        assert_eq!(c.database_url, None);
        assert!(c.demo);
        assert_eq!(c.frame_ancestors, vec!["https://portal.example.edu.cn"]);
        assert_eq!(c.cors_origins, vec!["https://m.example.edu.cn"]);
        assert_eq!(c.session_ttl, Duration::from_secs(7 * 24 * 3600));
        assert_eq!((c.argon2_memory_kib, c.argon2_iterations), (64, 1));

        let plain = Cli::try_parse_from(["kaozheng-server", "serve"]).unwrap();
        let Command::Serve(args) = plain.command else {
            panic!("not serve")
        };
        assert!(!args.into_config().unwrap().demo, "no demo unless asked");

        let json =
            Cli::try_parse_from(["kaozheng-server", "serve", "--log-format", "json"]).unwrap();
        assert_eq!(json.log_format, LogFormat::Json);
        let after = Cli::try_parse_from([
            "kaozheng-server",
            "--log-format",
            "json",
            "import",
            "sites",
            "s.csv",
        ])
        .unwrap();
        assert_eq!(after.log_format, LogFormat::Json);
        assert!(Cli::try_parse_from(["kaozheng-server", "serve", "--log-format", "xml"]).is_err());
    }

    #[test]
    fn imports_and_tokens_parse() {
        let cli = Cli::try_parse_from([
            "kaozheng-server",
            "import",
            "rules",
            "fees.csv",
            "--kind",
            "fees",
        ])
        .unwrap();
        let Command::Import(args) = cli.command else {
            panic!("not import")
        };
        assert_eq!(
            (args.kind.as_str(), args.rules_kind.as_deref()),
            ("rules", Some("fees"))
        );
        assert!(Cli::try_parse_from(["kaozheng-server", "import", "grades", "x.json"]).is_err());
        assert!(
            Cli::try_parse_from(["kaozheng-server", "admin-token", "create", "--name", "ops"])
                .is_ok()
        );
    }
}
