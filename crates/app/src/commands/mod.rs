//! One module per command.

mod audit;
mod calendar;
mod catalog;
mod dossier_import;
mod init;
mod payments;
mod report;
mod serve;
mod unit;
mod user;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use motcua_service::store::Store;

use crate::cli::{AuditCommand, CalendarCommand, Command};
use crate::config::Config;

/// Runs a parsed command.
pub async fn dispatch(mut cfg: Config, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Demo(args) => {
            serve::apply(&mut cfg, args);
            cfg.database_url = None;
            cfg.ensure_data_dir()?;
            // The file store first: a bad [files] table stops before any work.
            let files = cfg.files.open(&cfg.data_dir).await?;
            let store = open_migrated(&cfg.database_url()).await?;
            // The same file store the server uses: the demo's signed results
            // carry their files.
            crate::demo::seed(store.clone(), files.clone())
                .await
                .context("seeding demo data")?;
            serve::run(&cfg, store, files, true).await?;
        }
        Command::Serve(args) => {
            serve::apply(&mut cfg, args);
            if cfg.database_url.is_none() {
                cfg.ensure_data_dir()?;
            }
            let files = cfg.files.open(&cfg.data_dir).await?;
            let store = open_migrated(&cfg.database_url()).await?;
            serve::run(&cfg, store, files, false).await?;
        }
        Command::Migrate(args) => {
            if let Some(url) = args.database_url {
                cfg.database_url = Some(url);
            } else if cfg.database_url.is_none() {
                cfg.ensure_data_dir()?;
            }
            let store = motcua_storage::open(&cfg.database_url()).await?;
            let report = store.migrate().await?;
            println!(
                "migrated {}: {} applied now, {} in total",
                store.backend(),
                report.applied_now,
                report.total
            );
            if let Some(out) = fill_statistics(store.as_ref(), &report).await? {
                println!(
                    "statistics rebuilt from {} dossiers ({} rows)",
                    out.dossiers, out.rows
                );
            }
        }
        Command::Init(args) => init::run(&mut cfg, args).await?,
        Command::Unit(cmd) => return unit::run(&cfg, cmd).await,
        Command::Calendar(CalendarCommand::Due(args)) => calendar::due(&cfg, args).await?,
        Command::Calendar(CalendarCommand::Days(args)) => calendar::days(&cfg, args).await?,
        Command::Calendar(CalendarCommand::Set(args)) => calendar::set(&cfg, args).await?,
        Command::Calendar(CalendarCommand::Unset(args)) => calendar::unset(&cfg, args).await?,
        Command::Calendar(CalendarCommand::Hours(args)) => calendar::hours(&cfg, args).await?,
        Command::Audit(AuditCommand::Verify(args)) => return audit::verify(&cfg, args).await,
        Command::User(cmd) => user::run(&cfg, cmd).await?,
        Command::Import(crate::cli::ImportCommand::Procedures(args)) => {
            return catalog::import(&cfg, args).await;
        }
        Command::Import(crate::cli::ImportCommand::Dossiers(args)) => {
            return dossier_import::run(&cfg, args).await;
        }
        Command::Export(crate::cli::ExportCommand::Procedures(args)) => {
            catalog::export(&cfg, args).await?
        }
        Command::Report(crate::cli::ReportCommand::Dossiers(args)) => {
            return report::dossiers(&cfg, args).await;
        }
        Command::Stats(crate::cli::StatsCommand::Rebuild(args)) => {
            return report::rebuild(&cfg, args).await;
        }
        Command::Payments(crate::cli::PaymentsCommand::Reconcile(args)) => {
            return payments::reconcile(&cfg, args).await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The audit context of a change made from the command line.
fn cli_context() -> motcua_service::store::AuditContext {
    use motcua_service::clock::{Clock, SystemClock};
    let who = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
    motcua_service::store::AuditContext {
        actor: format!("cli:{who}"),
        at: SystemClock.now(),
    }
}

/// The system principal a command acts as: it may do everything, and its
/// changes are audited under `cli:<login>`.
fn cli_actor() -> motcua_service::access::Actor {
    motcua_service::access::Actor::system(cli_context().actor)
}

/// Opens a database and brings its schema up to date (and the statistics
/// layer, when this run created it over existing dossiers).
async fn open_migrated(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    let store = motcua_storage::open(url).await?;
    let report = store.migrate().await?;
    if let Some(out) = fill_statistics(store.as_ref(), &report).await? {
        tracing::info!(
            dossiers = out.dossiers,
            rows = out.rows,
            "statistics layer rebuilt from the dossiers' histories"
        );
    }
    Ok(store)
}

/// Fills the statistics layer after a migration that created it over
/// existing dossiers (see `motcua_service::stats::rebuild::after_migration`).
async fn fill_statistics(
    store: &dyn Store,
    report: &motcua_service::store::MigrationReport,
) -> anyhow::Result<Option<motcua_service::stats::rebuild::RebuildOutcome>> {
    use motcua_service::clock::{Clock, SystemClock};
    Ok(motcua_service::stats::rebuild::after_migration(store, report, SystemClock.now()).await?)
}

/// Opens a database that must already be migrated (read-only commands do not
/// change the schema behind an operator's back).
async fn open_ready(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    let store = motcua_storage::open(url).await?;
    let r = store.readiness().await?;
    if !r.is_ready() {
        anyhow::bail!(
            "database_url: the database has {} of {} migrations; run `motcua migrate` first",
            r.applied_migrations,
            r.expected_migrations
        );
    }
    Ok(store)
}

/// The answer to a refused import: every problem with its row and column on
/// stderr and exit 1 for a rejected file, an error for a service failure.
pub(crate) fn import_refused(
    file: &std::path::Path,
    failure: motcua_service::procedures::ImportFailure,
) -> anyhow::Result<std::process::ExitCode> {
    use motcua_service::procedures::ImportFailure;
    match failure {
        ImportFailure::Rejected(errors) => {
            eprintln!(
                "error: {} was not imported; {} problem(s):",
                file.display(),
                errors.issues().len()
            );
            for line in errors.lines() {
                eprintln!("  {line}");
            }
            Ok(std::process::ExitCode::FAILURE)
        }
        ImportFailure::Service(e) => Err(e.into()),
    }
}

/// A service error as a CLI line: an invalid field is named as its flag
/// (`--unit: …`); other errors as they read.
pub(crate) fn field_error(e: &motcua_service::ServiceError, prefix: &str) -> String {
    match e {
        motcua_service::ServiceError::Invalid { field, reason } => {
            format!("{prefix}{field}: {reason}")
        }
        other => other.to_string(),
    }
}
