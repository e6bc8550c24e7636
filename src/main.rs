//! The `patron` server binary.

use clap::Parser;

/// The allocator (see its entry in Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = patron::cli::Cli::parse();
    match patron::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("patron: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
