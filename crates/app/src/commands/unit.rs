//! `motcua unit add|import|list`: the unit tree from the command line,
//! which acts as the system (whoever can run it can reach the database), so
//! that a fresh install can build its tree before anyone can sign in. Every
//! change goes through the service's unit use cases and is audited under
//! `cli:<login>`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use jiff::civil::Date;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::access::Actor;
use motcua_service::catalog::FileFormat;
use motcua_service::store::NewUnit;
use motcua_service::{ServiceError, unit_import, units};

use crate::cli::{DbArgs, ImportArgs, UnitAddArgs, UnitCommand};
use crate::config::Config;

/// Runs a unit command.
pub async fn run(cfg: &Config, cmd: UnitCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        UnitCommand::Add(a) => add(cfg, a).await.map(|()| ExitCode::SUCCESS),
        UnitCommand::Import(a) => import(cfg, a).await,
        UnitCommand::List(a) => list(cfg, a).await.map(|()| ExitCode::SUCCESS),
    }
}

/// Today in Viet Nam, the default first day of a unit.
pub fn today() -> Date {
    motcua_domain::time::to_local(jiff::Timestamp::now()).date()
}

/// A `--flag` date, YYYY-MM-DD.
pub fn parse_day(flag: &'static str, s: &str) -> Result<Date, ServiceError> {
    s.trim()
        .parse::<Date>()
        .map_err(|_| ServiceError::invalid(flag, format!("'{s}' is not a date (YYYY-MM-DD)")))
}

async fn add(cfg: &Config, a: UnitAddArgs) -> anyhow::Result<()> {
    let code = UnitCode::parse(&a.code).map_err(|e| flag("--code", e))?;
    let kind = UnitKind::parse(&a.kind).map_err(|_| {
        ServiceError::invalid(
            "--kind",
            format!(
                "'{}' is not a unit kind; use one of {}",
                a.kind.trim(),
                UnitKind::ALL.map(UnitKind::as_str).join(", ")
            ),
        )
    })?;
    let level = match &a.level {
        Some(l) => Level::parse(l).map_err(|e| flag("--level", e))?,
        None => units::default_level(kind),
    };
    let valid_from = match &a.valid_from {
        Some(d) => parse_day("--valid-from", d)?,
        None => today(),
    };
    let store =
        super::open_ready(&a.database_url.clone().unwrap_or_else(|| cfg.database_url())).await?;
    let parent_id = match &a.parent {
        Some(p) => Some(
            units::find_unit(store.as_ref(), "--parent", p)
                .await
                .map_err(|e| match e {
                    ServiceError::NotFound { key, .. } => {
                        ServiceError::invalid("--parent", format!("no unit with code {key}"))
                    }
                    other => other,
                })?
                .id,
        ),
        None => None,
    };
    let ctx = super::cli_context();
    let actor = Actor::system(ctx.actor);
    let unit = units::add_unit(
        store.as_ref(),
        &actor,
        ctx.at,
        NewUnit {
            code,
            name: a.name,
            kind,
            level,
            parent_id,
            valid_from,
            valid_to: None,
        },
    )
    .await
    .map_err(flags)?;
    println!("added {} {} ({})", unit.code, unit.name, unit.kind.as_str());
    Ok(())
}

async fn import(cfg: &Config, args: ImportArgs) -> anyhow::Result<ExitCode> {
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
    match unit_import::import_file(store.as_ref(), &actor, ctx.at, &bytes, format).await {
        Ok(added) => {
            println!("imported {} units", added.len());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => super::import_refused(&args.file, e),
    }
}

/// The tree as CSV in the import's columns, so that it can be read back.
async fn list(cfg: &Config, a: DbArgs) -> anyhow::Result<()> {
    let store =
        super::open_ready(&a.database_url.clone().unwrap_or_else(|| cfg.database_url())).await?;
    let all = store.list_units().await?;
    let code_of: std::collections::HashMap<i64, String> = all
        .iter()
        .map(|u| (u.id, u.code.as_str().to_owned()))
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "code",
        "name",
        "kind",
        "level",
        "parent",
        "valid_from",
        "valid_to",
    ])?;
    for u in &all {
        let parent = u
            .parent_id
            .and_then(|p| code_of.get(&p).cloned())
            .unwrap_or_default();
        w.write_record([
            u.code.as_str(),
            &u.name,
            u.kind.as_str(),
            u.level.as_str(),
            &parent,
            &u.valid_from.to_string(),
            &u.valid_to.map(|d| d.to_string()).unwrap_or_default(),
        ])?;
    }
    std::io::stdout().write_all(&w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?)?;
    Ok(())
}

/// A domain error named by the flag it came from.
fn flag(name: &'static str, e: motcua_domain::DomainError) -> ServiceError {
    match ServiceError::from(e) {
        ServiceError::Invalid { reason, .. } => ServiceError::invalid(name, reason),
        other => other,
    }
}

/// The service's field names as the flags a person typed.
fn flags(e: ServiceError) -> ServiceError {
    match e {
        ServiceError::Invalid { field, reason } => {
            let f = match field.as_str() {
                "name" => "--name",
                "parent_id" => "--parent",
                "valid_to" | "valid_from" => "--valid-from",
                "kind" => "--kind",
                _ => return ServiceError::Invalid { field, reason },
            };
            ServiceError::invalid(f, reason)
        }
        other => other,
    }
}
