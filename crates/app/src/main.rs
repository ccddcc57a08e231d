//! The `motcua` binary.
//!
//! Startup only: parse the command line, load configuration, set up logging,
//! and call the command. Anything a test would want to call directly lives in
//! the library crates.

mod cli;
mod commands;
mod config;
mod demo;
mod demo_dossiers;
mod demo_feedback;
mod demo_history;
mod file_store;

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use crate::cli::{Cli, Command};
use crate::config::Config;

/// A history import's rows are millions of small strings made and dropped
/// in bulk: with glibc's allocator, allocating and freeing them took about
/// a third of the import's CPU (perf, issue 17's PostgreSQL load;
/// BENCHMARKS.md). The bench uses the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(2);
        }
        Err(e) => {
            // clap's message is several lines with usage; scripts and people
            // want the one line that says what was wrong.
            let text = e.render().to_string();
            let line = text.lines().next().unwrap_or("error: invalid arguments");
            eprintln!("{line} (see --help)");
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// Joins an error and its causes on one line, without repeating a cause that
/// the outer message already quotes.
fn one_line(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !out.contains(&c) {
            out.push_str(": ");
            out.push_str(&c);
        }
    }
    out.replace('\n', " ")
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let cfg = Config::load(cli.config.as_deref())?;
    let server = matches!(cli.command, Command::Demo(_) | Command::Serve(_));
    init_logging(&cfg, server);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(commands::dispatch(cfg, cli.command))
}

/// Servers log at the configured level; one-shot commands only warn, so their
/// stdout stays clean for the scripts that parse it (logs go to stderr anyway).
fn init_logging(cfg: &Config, server: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if server { cfg.log.as_str() } else { "warn" };
    let filter = EnvFilter::try_from_env("RUST_LOG")
        .or_else(|_| EnvFilter::try_new(default))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
