//! `motcua import dossiers FILE [--source NAME]`: dossier history from
//! another system, all-or-nothing (docs/import/dossiers.md).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use motcua_service::access::Actor;
use motcua_service::catalog::FileFormat;
use motcua_service::clock::SystemClock;
use motcua_service::dossiers::{DossierService, NoticeSettings};

use crate::cli::ImportDossiersArgs;
use crate::config::Config;

/// Imports the file. Prints one summary line on stdout and warnings on
/// stderr; a rejected file prints every problem with its row and column on
/// stderr, imports nothing and exits 1.
pub async fn run(cfg: &Config, args: ImportDossiersArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let source = match &args.source {
        Some(s) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(_) => anyhow::bail!("--source: give a name, or leave the option out"),
        None => args.file.file_name().map_or_else(
            || args.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
    };
    let store = super::open_ready(
        &args
            .database_url
            .clone()
            .unwrap_or_else(|| cfg.database_url()),
    )
    .await?;
    let ctx = super::cli_context();
    let actor = Actor::system(ctx.actor);
    // No notices: history is not news to the applicants.
    let service = DossierService::new(
        store,
        Arc::new(SystemClock),
        NoticeSettings::default(),
        None,
    );
    let format = FileFormat::detect(args.file.to_str(), &bytes);
    match service.import_file(&actor, &bytes, format, &source).await {
        Ok(r) => {
            for w in &r.warnings {
                eprintln!("warning: {w}");
            }
            let counts: Vec<String> = r
                .by_status
                .iter()
                .map(|(status, n)| format!("{status} {n}"))
                .collect();
            println!("imported {} dossiers: {}", r.imported, counts.join(", "));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => super::import_refused(&args.file, e),
    }
}
