//! `motcua-bench`: benchmarks whose figures are recorded in BENCHMARKS.md.
//!
//! Run in release: `cargo run --release -p motcua-bench -- catalog-search`
//! (or `dossier-load`, `dossier-list`, `status-lookup`, `dossier-transitions`,
//! `ui-pages`).
//! PostgreSQL figures need `MOTCUA_TEST_DATABASE_URL` (a server where a
//! database may be created); the benchmark creates and drops its own.

mod catalog;
mod dossiers;
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
    /// Generates (or reuses) the province with 1,000,000 dossiers; reports the load time.
    DossierLoad(dossiers::DataArgs),
    /// Filtered list pages of 100 over HTTP (issue 5 target: p95 < 50 ms).
    DossierList(dossiers::list::Args),
    /// The staff search box by code, identity number and name over HTTP
    /// (issue 18 target: p95 < 50 ms at 1,000,000 dossiers).
    DossierSearch(dossiers::search::Args),
    /// List pages of 100 from 16 clients at once (issue 18 target: >= 700
    /// pages/s at 100,000 dossiers on SQLite).
    ListThroughput(dossiers::throughput::Args),
    /// Public status lookups, 64 connections (issue 5 target: >= 10,000/s, p99 < 25 ms).
    StatusLookup(dossiers::lookup::Args),
    /// Online submissions through the portal's form, each with a 2 MB
    /// file (issue 19 target: >= 100/s on SQLite).
    OnlineSubmit(dossiers::submit::Args),
    /// Sustained dossier transitions over HTTP (issue 5 target: >= 2,000/s on SQLite).
    DossierTransitions(dossiers::transitions::Args),
    /// The dashboard and work-queue pages (issue 6 target: server p95 < 100 ms at 1,000,000 dossiers).
    UiPages(dossiers::pages::Args),
    /// Reports from the statistics layer vs a plain GROUP BY, and `stats
    /// rebuild` (issue 17 targets: p95 < 100 ms, ratio >= 100x, rebuild of
    /// 10,000,000 < 2 min on SQLite).
    Reports(dossiers::reports::Args),
}

/// The import's rows are millions of small strings made and dropped in
/// bulk: with glibc's allocator, allocating and freeing them took about a
/// third of the import's CPU (perf, issue 17's PostgreSQL load).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
            Bench::DossierLoad(args) => dossiers::load(args).await,
            Bench::DossierList(args) => dossiers::list::run(args).await,
            Bench::DossierSearch(args) => dossiers::search::run(args).await,
            Bench::ListThroughput(args) => dossiers::throughput::run(args).await,
            Bench::StatusLookup(args) => dossiers::lookup::run(args).await,
            Bench::OnlineSubmit(args) => dossiers::submit::run(args).await,
            Bench::DossierTransitions(args) => dossiers::transitions::run(args).await,
            Bench::UiPages(args) => dossiers::pages::run(args).await,
            Bench::Reports(args) => dossiers::reports::run(args).await,
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
