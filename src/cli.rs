//! The `patron` command line.

use crate::config::Settings;
use crate::server::AppState;
use crate::services::accounts::{self, NewUserInput};
use crate::services::Core;
use crate::services::{demo, ServiceError};
use anyhow::{anyhow, bail, Context};
use clap::{Parser, Subcommand};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

/// Patron: customers and loyalty back office.
#[derive(Parser, Debug)]
#[command(name = "patron", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Migrate the database, then serve the app and the API.
    Serve {
        /// On first start, create the demo tenant with owner, manager and cashier sign-ins and
        /// this many demo customers, and keep their credentials in --demo-credentials.
        #[arg(long, value_name = "CUSTOMERS")]
        demo: Option<u64>,
        /// Where the demo credentials are written and read back from.
        #[arg(long, default_value = "data/demo-credentials.txt")]
        demo_credentials: PathBuf,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage tenants.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Loyalty points.
    Points {
        #[command(subcommand)]
        command: PointsCommand,
    },
    /// Add realistic demo customers to a tenant, creating the tenant if needed.
    ///
    /// A load that at least doubles the customers (SQLite) or fills an empty database
    /// (PostgreSQL) is one transaction that builds the indexes at its end: other writes wait for
    /// it, and a load cut short leaves nothing behind. Other loads commit every 100,000.
    Demo {
        /// The tenant's name.
        #[arg(long)]
        tenant: String,
        /// How many customers to add.
        #[arg(long, default_value_t = 300)]
        customers: u64,
        /// Make the tenant's points expire after this many days first (1 to 3650), so the demo
        /// customers' balances expire too.
        #[arg(long, value_name = "DAYS")]
        expire_after_days: Option<i64>,
    },
}

#[derive(Subcommand, Debug)]
enum TenantCommand {
    /// Create a tenant and print its id.
    Create {
        /// The tenant's name (unique, ignoring case).
        name: String,
    },
}

#[derive(Subcommand, Debug)]
enum PointsCommand {
    /// Expire the points lots that are due (every tenant); the server does this every hour.
    Expire {
        /// Expire what is due at this time (RFC 3339) instead of now.
        #[arg(long, value_name = "RFC3339", value_parser = parse_as_of)]
        as_of: Option<chrono::DateTime<chrono::Utc>>,
    },
}

fn parse_as_of(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&chrono::Utc))
        .map_err(|err| format!("not an RFC 3339 time ({err}), e.g. 2027-01-31T00:00:00Z"))
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create a user; the password comes from PATRON_PASSWORD or standard input.
    Create {
        /// The tenant's name or id.
        #[arg(long)]
        tenant: String,
        /// The sign-in email.
        #[arg(long)]
        email: String,
        /// owner, manager or cashier.
        #[arg(long)]
        role: String,
    },
}

/// Runs the command line; an error is printed as one line by `main`.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    init_logging(&settings.log_level);
    let state = AppState::start(settings).await?;
    match cli.command {
        Command::Serve { demo, demo_credentials } => {
            if let Some(customers) = demo {
                show_demo_credentials(&state.core, customers, &demo_credentials).await?;
            }
            println!("Patron is serving on http://{}", state.settings.address);
            crate::server::serve(state).await.context("server stopped")?;
        }
        Command::Migrate => println!("database is up to date"),
        Command::Tenant { command: TenantCommand::Create { name } } => {
            let tenant = accounts::create_tenant(&state.core, &name).await.map_err(explain)?;
            println!("{}", tenant.id);
        }
        Command::User { command: UserCommand::Create { tenant, email, role } } => {
            let tenant = accounts::find_tenant(&state.core, &tenant).await.map_err(|e| match e {
                ServiceError::NotFound => anyhow!("no tenant named or numbered {tenant:?}"),
                other => explain(other),
            })?;
            let password = read_password()?;
            let user = accounts::create_user(&state.core, tenant.id, NewUserInput { email, password, role })
                .await
                .map_err(explain)?;
            println!("{}", user.id);
        }
        Command::Points { command: PointsCommand::Expire { as_of } } => {
            let as_of = as_of.unwrap_or_else(|| state.core.clock.now());
            let started = std::time::Instant::now();
            let expired = crate::services::loyalty::expire_points(&state.core, as_of).await.map_err(explain)?;
            println!(
                "expired {} points of {} customers (due by {}) in {:.1} s",
                expired.points,
                expired.customers,
                as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                started.elapsed().as_secs_f64()
            );
        }
        Command::Demo { tenant, customers, expire_after_days } => {
            let started = std::time::Instant::now();
            let (tenant, written) =
                demo::add_demo_customers(&state.core, &tenant, customers, expire_after_days, |done| {
                    if done % 100_000 < 5_000 && done >= 100_000 {
                        eprintln!("  {done} customers written");
                    }
                })
                .await
                .map_err(explain)?;
            println!(
                "added {written} customers to {} (id {}) in {:.1} s",
                tenant.name,
                tenant.id,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}

/// A service error as one line for the terminal.
fn explain(err: ServiceError) -> anyhow::Error {
    match err {
        ServiceError::Validation(fields) => {
            let parts: Vec<String> =
                fields.0.iter().map(|(field, messages)| format!("{field}: {}", messages.join(" "))).collect();
            anyhow!("{}", parts.join("; "))
        }
        other => anyhow!("{}", other.chain()),
    }
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("PATRON_PASSWORD") {
        if !password.is_empty() {
            return Ok(password);
        }
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password: ");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password given: set PATRON_PASSWORD or pipe it on standard input");
    }
    Ok(password)
}

async fn show_demo_credentials(core: &Core, customers: u64, path: &PathBuf) -> anyhow::Result<()> {
    if let Some(account) = demo::seed_demo_tenant(core, customers).await.map_err(explain)? {
        let text = format!(
            "Tenant:   {}\nPassword: {}\nOwner:    {}\nManager:  {}\nCashier:  {}\n",
            account.tenant, account.password, account.emails[0], account.emails[1], account.emails[2]
        );
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).ok();
        }
        write_private(path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    match std::fs::read_to_string(path) {
        Ok(text) => println!("\nDemo sign-in (kept in {}):\n{text}", path.display()),
        Err(_) => println!("\nThe demo tenant exists; its credentials file {} is gone.", path.display()),
    }
    Ok(())
}

fn write_private(path: &PathBuf, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

fn init_logging(filter: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}
