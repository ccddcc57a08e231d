//! `motcua import procedures FILE` and `motcua export procedures`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use motcua_service::access::Actor;
use motcua_service::catalog::FileFormat;
use motcua_service::procedures;

use crate::cli::{ExportArgs, ImportArgs};
use crate::config::Config;

/// Imports a file all-or-nothing. Prints what it did, and warnings on stderr;
/// a rejected file prints every problem with its row and column and exits 1.
pub async fn import(cfg: &Config, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let store = super::open_ready(
        &args
            .database_url
            .clone()
            .unwrap_or_else(|| cfg.database_url()),
    )
    .await?;
    let ctx = super::cli_context();
    let actor = Actor::system(ctx.actor);
    let format = FileFormat::detect(args.file.to_str(), &bytes);
    match procedures::import_file(store.as_ref(), &actor, ctx.at, &bytes, format).await {
        Ok(r) => {
            for w in &r.warnings {
                eprintln!("warning: {w}");
            }
            println!(
                "imported {} procedures: {} created, {} versioned, {} unchanged",
                r.procedures, r.outcome.created, r.outcome.versioned, r.outcome.unchanged
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => super::import_refused(&args.file, e),
    }
}

/// Writes the catalog as CSV or XLSX.
pub async fn export(cfg: &Config, args: ExportArgs) -> anyhow::Result<()> {
    let format = match (args.format.as_deref(), &args.output) {
        (Some(f), _) => f.to_owned(),
        (None, Some(p))
            if p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) =>
        {
            "xlsx".to_owned()
        }
        _ => "csv".to_owned(),
    };
    let store = super::open_ready(
        &args
            .database_url
            .clone()
            .unwrap_or_else(|| cfg.database_url()),
    )
    .await?;
    let rows = procedures::export_rows(store.as_ref()).await?;
    let bytes = match format.as_str() {
        "csv" => motcua_service::catalog::procedures_csv(&rows),
        "xlsx" => {
            motcua_render::procedures_xlsx(&rows).map_err(|e| anyhow::anyhow!("xlsx: {e}"))?
        }
        other => anyhow::bail!("--format: '{other}' is not csv or xlsx"),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &bytes)
                .with_context(|| format!("--output: cannot write {}", path.display()))?;
            eprintln!("wrote {} procedures to {}", rows.len(), path.display());
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}
