//! `motcua report dossiers` and `motcua stats rebuild`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use jiff::civil::Date;
use motcua_domain::stats::Breakdown;
use motcua_service::Services;
use motcua_service::access::Actor;
use motcua_service::stats::report::ReportQuery;
use motcua_web::reports::{Format, render};

use crate::cli::{RebuildArgs, ReportArgs};
use crate::config::Config;

fn date(field: &str, s: &str) -> anyhow::Result<Date> {
    s.trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("{field}: '{s}' is not a date YYYY-MM-DD"))
}

/// Prints or writes the report.
pub async fn dossiers(cfg: &Config, args: ReportArgs) -> anyhow::Result<ExitCode> {
    let from = date("--from", &args.from)?;
    let to = date("--to", &args.to)?;
    let by = Breakdown::parse(&args.by).map_err(|e| anyhow::anyhow!("--{e}"))?;
    let format = Format::parse(&args.format).map_err(|e| anyhow::anyhow!("--format: {e}"))?;
    if format.is_binary() && args.output.is_none() {
        bail!(
            "--output: a {} report is written to a file; name one",
            args.format
        );
    }
    let url = args.db.database_url.unwrap_or_else(|| cfg.database_url());
    let services = Services::plain(super::open_ready(&url).await?);
    let ctx = super::cli_context();
    let actor = Actor::system(ctx.actor);
    let q = ReportQuery {
        unit: args.unit,
        from,
        to,
        by,
    };
    let report = services
        .stats()
        .dossier_report(&actor, &q)
        .await
        .map_err(|e| anyhow::anyhow!("{}", super::field_error(&e, "--")))?;
    let bytes = render(&services, &report, format, services.today()).await?;
    match args.output {
        Some(path) => {
            std::fs::write(&path, &bytes)
                .with_context(|| format!("--output: {}", path.display()))?;
            eprintln!("wrote {} ({} rows)", path.display(), report.rows.len());
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Rebuilds or verifies the statistics layer.
pub async fn rebuild(cfg: &Config, args: RebuildArgs) -> anyhow::Result<ExitCode> {
    let url = args.db.database_url.unwrap_or_else(|| cfg.database_url());
    let services = Services::plain(super::open_ready(&url).await?);
    let ctx = super::cli_context();
    let actor = Actor::system(ctx.actor);
    let started = std::time::Instant::now();
    let out = services.stats().rebuild(&actor, args.verify).await?;
    let secs = started.elapsed().as_secs_f64();
    match (&out.first_difference, args.verify) {
        (Some(diff), _) => {
            eprintln!("statistics differ from the dossiers' history: {diff}");
            Ok(ExitCode::FAILURE)
        }
        (None, true) => {
            println!(
                "ok: {} dossiers replayed, {} rows, the stored layer agrees ({secs:.1} s)",
                out.dossiers, out.rows
            );
            Ok(ExitCode::SUCCESS)
        }
        (None, false) => {
            println!(
                "rebuilt: {} dossiers replayed, {} rows stored ({secs:.1} s)",
                out.dossiers, out.rows
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
