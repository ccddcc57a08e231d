//! `motcua-bench`: benchmarks whose figures are recorded in BENCHMARKS.md.
//!
//! Run in release: `cargo run --release -p motcua-bench -- catalog-search`.
//! PostgreSQL figures need `MOTCUA_TEST_DATABASE_URL` (a server where a
//! database may be created); the benchmark creates and drops its own.

mod catalog;
mod stats;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "motcua-bench", about = "motcua benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Catalog search over generated procedures (issue 4 target: p95 < 5 ms in-process).
    CatalogSearch(catalog::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        match cli.command {
            Bench::CatalogSearch(args) => catalog::run(args).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
