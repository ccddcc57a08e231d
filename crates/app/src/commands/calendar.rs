//! `motcua calendar due` and `motcua calendar days`: their stdout is parsed by
//! other tools, so it is exactly one RFC 3339 line, or CSV with a fixed header.

use std::io::Write;

use anyhow::Context;
use jiff::civil::Time;
use motcua_domain::deadline::{TimeLimit, WorkTime};
use motcua_domain::time::{format_rfc3339, parse_date, parse_moment};
use motcua_service::calendar::{self as cal, UnitCalendar};
use motcua_service::{ServiceError, Services, units};

use crate::cli::{DaysArgs, DueArgs, HoursArgs, SetDayArgs, UnitScope, UnsetDayArgs};
use crate::config::Config;

/// The longest range `calendar days` prints at once (a little over ten years).
const MAX_DAYS: i32 = 3700;

/// Prints the appointment moment for a receipt moment and a limit.
pub async fn due(cfg: &Config, args: DueArgs) -> anyhow::Result<()> {
    let from = parse_moment("--from", &args.from)?;
    let limit = limit_of(&args)?;
    let cutoff = args
        .cutoff
        .as_deref()
        .map(|s| {
            s.trim().parse::<Time>().map_err(|_| {
                ServiceError::invalid(
                    "--cutoff",
                    format!("'{s}' is not a time of day such as 15:00"),
                )
            })
        })
        .transpose()?;
    let uc = unit_calendar(cfg, &args.scope).await?;
    let work = WorkTime::new(&uc.calendar, &uc.hours);
    match work.due_moment(from, limit, cutoff)? {
        Some(due) => println!("{}", format_rfc3339(due)?),
        None => anyhow::bail!("the limit has no due moment"),
    }
    Ok(())
}

/// The one limit given, checked for sign and size; errors name the flag.
fn limit_of(args: &DueArgs) -> Result<TimeLimit, ServiceError> {
    type Make = fn(u32) -> Result<TimeLimit, motcua_domain::DomainError>;
    let given: [(&str, Option<i64>, Make); 4] = [
        ("--working-days", args.working_days, TimeLimit::working_days),
        (
            "--calendar-days",
            args.calendar_days,
            TimeLimit::calendar_days,
        ),
        ("--hours", args.hours, TimeLimit::working_hours),
        ("--months", args.months, TimeLimit::months),
    ];
    for (flag, value, make) in given {
        if let Some(n) = value {
            let count = u32::try_from(n).map_err(|_| {
                ServiceError::invalid(
                    flag,
                    format!("{n} is not a count; give a whole number from 1 upwards"),
                )
            })?;
            return make(count).map_err(|e| match e {
                motcua_domain::DomainError::Invalid { reason, .. } => {
                    ServiceError::invalid(flag, reason)
                }
            });
        }
    }
    Ok(TimeLimit::SameDay)
}

/// Prints `date,status,reason` for every date in the range.
pub async fn days(cfg: &Config, args: DaysArgs) -> anyhow::Result<()> {
    let from = parse_date("--from", &args.from)?;
    let to = parse_date("--to", &args.to)?;
    cal::check_range(from, to, MAX_DAYS).map_err(|e| match e {
        ServiceError::Invalid { field, reason } => ServiceError::Invalid {
            field: format!("--{field}"),
            reason,
        },
        other => other,
    })?;
    let uc = unit_calendar(cfg, &args.scope).await?;
    let stdout = std::io::stdout();
    let mut out = csv::Writer::from_writer(stdout.lock());
    out.write_record(["date", "status", "reason"])?;
    let mut d = from;
    loop {
        let s = uc.calendar.status(d)?;
        let status = if s.working { "working" } else { "off" };
        out.write_record([d.to_string().as_str(), status, s.reason.as_str()])?;
        if d >= to {
            break;
        }
        d = d.tomorrow().context("date overflow")?;
    }
    out.flush()?;
    std::io::stdout().flush()?;
    Ok(())
}

/// The national calendar, or a unit's from the database when `--unit` (or a
/// database URL) is given.
async fn unit_calendar(cfg: &Config, scope: &UnitScope) -> anyhow::Result<UnitCalendar> {
    let url = scope
        .database_url
        .clone()
        .or_else(|| cfg.database_url.clone());
    match (&scope.unit, url) {
        (None, None) => Ok(cal::national()?),
        (unit, url) => {
            let url = url.unwrap_or_else(|| cfg.database_url());
            let store = super::open_ready(&url).await?;
            let unit = match unit {
                Some(code) => Some(units::find_unit(store.as_ref(), "--unit", code).await?),
                None => None,
            };
            Ok(cal::load(store.as_ref(), unit.as_ref()).await?)
        }
    }
}

/// The database and unit a correction applies to.
async fn scope_of(
    cfg: &Config,
    scope: &UnitScope,
) -> anyhow::Result<(
    std::sync::Arc<dyn motcua_service::store::Store>,
    Option<motcua_service::store::Unit>,
)> {
    let url = scope
        .database_url
        .clone()
        .unwrap_or_else(|| cfg.database_url());
    let store = super::open_ready(&url).await?;
    let unit = match &scope.unit {
        Some(code) => Some(units::find_unit(store.as_ref(), "--unit", code).await?),
        None => None,
    };
    Ok((store, unit))
}

/// `calendar set`: prints what was recorded.
pub async fn set(cfg: &Config, args: SetDayArgs) -> anyhow::Result<()> {
    let day = parse_date("--date", &args.date)?;
    let (store, unit) = scope_of(cfg, &args.scope).await?;
    Services::plain(store)
        .admin()
        .set_day_as(
            &super::cli_actor(),
            unit.as_ref(),
            day,
            args.working,
            &args.reason,
        )
        .await?;
    let status = if args.working { "working" } else { "off" };
    let whom = unit.map_or_else(|| "all units".to_owned(), |u| u.code.to_string());
    println!("{day} {status} for {whom}");
    Ok(())
}

/// `calendar unset`.
pub async fn unset(cfg: &Config, args: UnsetDayArgs) -> anyhow::Result<()> {
    let day = parse_date("--date", &args.date)?;
    let (store, unit) = scope_of(cfg, &args.scope).await?;
    Services::plain(store)
        .admin()
        .unset_day_as(&super::cli_actor(), unit.as_ref(), day)
        .await?;
    println!("{day} follows the rules and official schedule again");
    Ok(())
}

/// `calendar hours`.
pub async fn hours(cfg: &Config, args: HoursArgs) -> anyhow::Result<()> {
    let from = parse_date("--from", &args.from)?;
    let to = args
        .to
        .as_deref()
        .map(|t| parse_date("--to", t))
        .transpose()?;
    let sessions = cal::parse_sessions("--sessions", &args.sessions)?;
    let scope = UnitScope {
        unit: Some(args.unit.clone()),
        database_url: args.database_url.clone(),
    };
    let (store, unit) = scope_of(cfg, &scope).await?;
    let unit = unit.context("--unit is required")?;
    Services::plain(store)
        .admin()
        .set_office_hours_as(&super::cli_actor(), &unit, from, to, sessions)
        .await?;
    println!(
        "office hours of {} from {from}: {}",
        unit.code,
        args.sessions.trim()
    );
    Ok(())
}
