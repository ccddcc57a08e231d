//! The catalog at the units: assignments, internal processes, reviews and
//! the counts by level.

use std::collections::BTreeMap;

use jiff::civil::Date;
use motcua_domain::catalog::ProcedureCode;
use motcua_domain::deadline::TimeLimit;
use motcua_domain::unit::Level;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{AuditContext, LevelCounts, NewProcess, NewReview, Process, Review};

use super::procedures::{bump_revision, existing_procedure};
use super::rows::{self, ProcessRow, ReviewRow, StepRow};
use super::sql::{self, Assemble};
use super::{Arg, Conn, Sql, audit};
use crate::convert::{day_text, millis};
use crate::error::{Broken, corrupt, db, map_db};

/// A unit's code, if the unit exists.
async fn unit_code<C: Conn>(c: &mut C, unit_id: i64) -> ServiceResult<Option<String>> {
    let row: Option<(String,)> = c
        .optional(Sql::new(sql::UNIT_CODE).int(unit_id))
        .await
        .map_err(db)?;
    Ok(row.map(|(code,)| code))
}

/// A unit's code, or `NotFound`.
async fn existing_unit<C: Conn>(c: &mut C, unit_id: i64) -> ServiceResult<String> {
    unit_code(c, unit_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("unit", unit_id.to_string()))
}

/// A unit that vanished between the check and the insert.
fn unit_gone(unit_id: i64) -> impl FnOnce(&Broken) -> Option<ServiceError> {
    move |b| match b {
        Broken::ForeignKey(_) => Some(ServiceError::not_found("unit", unit_id.to_string())),
        _ => None,
    }
}

/// Assigns a procedure to a unit; assigning again changes and records nothing.
pub(crate) async fn assign_procedure<C: Conn>(
    c: &mut C,
    ctx: &AuditContext,
    code: &ProcedureCode,
    unit_id: i64,
) -> ServiceResult<()> {
    c.lock_catalog().await?;
    let procedure_id = existing_procedure(c, code).await?;
    let unit = existing_unit(c, unit_id).await?;
    let added = c
        .execute(
            Sql::new(sql::ASSIGN)
                .int(procedure_id)
                .int(unit_id)
                .int(millis(ctx.at)),
        )
        .await
        .map_err(|e| map_db(e, unit_gone(unit_id)))?;
    if added == 0 {
        return Ok(());
    }
    c.append(
        ctx,
        audit::PROCEDURE_ASSIGN,
        &audit::procedure_subject(code.as_str()),
        &audit::assignment_detail(unit_id, Some(&unit)),
    )
    .await?;
    bump_revision(c).await
}

/// Removes an assignment, or `NotFound`.
pub(crate) async fn unassign_procedure<C: Conn>(
    c: &mut C,
    ctx: &AuditContext,
    code: &ProcedureCode,
    unit_id: i64,
) -> ServiceResult<()> {
    c.lock_catalog().await?;
    let procedure_id = existing_procedure(c, code).await?;
    let removed = c
        .execute(Sql::new(sql::UNASSIGN).int(procedure_id).int(unit_id))
        .await
        .map_err(db)?;
    if removed == 0 {
        return Err(ServiceError::not_found(
            "assignment",
            format!("{code} at unit {unit_id}"),
        ));
    }
    let unit = unit_code(c, unit_id).await?;
    c.append(
        ctx,
        audit::PROCEDURE_UNASSIGN,
        &audit::procedure_subject(code.as_str()),
        &audit::assignment_detail(unit_id, unit.as_deref()),
    )
    .await?;
    bump_revision(c).await
}

/// Units a procedure is assigned to, by id.
pub(crate) async fn procedure_units<C: Conn>(
    c: &mut C,
    code: &ProcedureCode,
) -> ServiceResult<Vec<i64>> {
    let procedure_id = existing_procedure(c, code).await?;
    let rows: Vec<(i64,)> = c
        .all(Sql::new(sql::UNITS_OF).int(procedure_id))
        .await
        .map_err(db)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Checks what the schema cannot say well: at least one step, each named,
/// each allotted working hours or days.
fn check_steps(p: &NewProcess) -> ServiceResult<()> {
    if p.steps.is_empty() {
        return Err(ServiceError::invalid(
            "steps",
            "a process has at least one step",
        ));
    }
    for (i, s) in p.steps.iter().enumerate() {
        if s.name.trim().is_empty() {
            return Err(ServiceError::invalid(
                format!("steps[{i}].name"),
                "must not be empty",
            ));
        }
        if !matches!(
            s.allotted,
            TimeLimit::WorkingHours(_) | TimeLimit::WorkingDays(_)
        ) {
            return Err(ServiceError::invalid(
                format!("steps[{i}].allotted"),
                format!("{} is not in working hours or days", s.allotted),
            ));
        }
        s.allotted
            .validate()
            .map_err(|e| ServiceError::invalid(format!("steps[{i}].allotted"), e.to_string()))?;
    }
    Ok(())
}

/// Adds the next process version for a (procedure, unit). It may not start
/// before the version it follows (the same day replaces it).
pub(crate) async fn insert_process<C: Conn>(
    c: &mut C,
    ctx: &AuditContext,
    p: &NewProcess,
) -> ServiceResult<Process> {
    check_steps(p)?;
    c.lock_catalog().await?;
    let procedure_id = existing_procedure(c, &p.procedure_code).await?;
    existing_unit(c, p.unit_id).await?;
    for (i, s) in p.steps.iter().enumerate() {
        if unit_code(c, s.unit_id).await?.is_none() {
            return Err(ServiceError::invalid(
                format!("steps[{i}].unit_id"),
                format!("unit {} does not exist", s.unit_id),
            ));
        }
    }
    let latest: Option<(i64, String)> = c
        .optional(
            Sql::new(sql::LATEST_PROCESS)
                .int(procedure_id)
                .int(p.unit_id),
        )
        .await
        .map_err(db)?;
    let from = day_text(p.effective_from);
    if let Some((no, latest_from)) = &latest
        && from < *latest_from
    {
        return Err(ServiceError::invalid(
            "effective_from",
            format!("{from} is before {latest_from}, when version {no} took effect"),
        ));
    }
    let version_no = latest.map_or(1, |(no, _)| no + 1);
    let (id,): (i64,) = c
        .one(
            Sql::new(sql::INSERT_PROCESS)
                .int(procedure_id)
                .int(p.unit_id)
                .int(version_no)
                .text(p.decision.clone())
                .text(from)
                .int(millis(ctx.at)),
        )
        .await
        .map_err(|e| map_db(e, unit_gone(p.unit_id)))?;
    for (i, s) in p.steps.iter().enumerate() {
        let position = i64::try_from(i + 1).unwrap_or(i64::MAX);
        c.execute(
            Sql::new(sql::INSERT_STEP)
                .int(id)
                .int(position)
                .text(s.name.clone())
                .int(s.unit_id)
                .text(s.role.as_str())
                .text(s.allotted.to_string())
                .bool(s.external),
        )
        .await
        .map_err(|e| map_db(e, unit_gone(s.unit_id)))?;
    }
    let process = Process {
        id,
        procedure_id,
        procedure_code: p.procedure_code.clone(),
        unit_id: p.unit_id,
        version_no: u32::try_from(version_no)
            .map_err(|e| ServiceError::Internal(format!("process version: {e}")))?,
        decision: p.decision.clone(),
        effective_from: p.effective_from,
        steps: p.steps.clone(),
    };
    c.append(
        ctx,
        audit::PROCESS_CREATE,
        &audit::procedure_subject(p.procedure_code.as_str()),
        &audit::process_detail(&process),
    )
    .await?;
    bump_revision(c).await?;
    Ok(process)
}

/// Processes in force on a date at the units (empty: all), by procedure code
/// then unit.
pub(crate) async fn processes<C: Conn>(
    c: &mut C,
    unit_ids: &[i64],
    on: Date,
) -> ServiceResult<Vec<Process>> {
    let mut q = Assemble::new(sql::PROCESSES_IN_FORCE, true);
    q.bind_token("$d", Arg::Text(day_text(on)));
    if !unit_ids.is_empty() {
        let set = q.id_set(C::DIALECT, unit_ids);
        q.and(&format!("p.unit_id IN {set}"));
    }
    q.push("ORDER BY pr.code, p.unit_id");
    let heads: Vec<ProcessRow> = c.all(q.finish()).await.map_err(db)?;
    if heads.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = heads.iter().map(|h| h.0).collect();
    let mut q = Assemble::new(sql::STEPS, false);
    let set = q.id_set(C::DIALECT, &ids);
    q.and(&format!("process_id IN {set}"));
    q.push("ORDER BY process_id, position");
    let steps: Vec<StepRow> = c.all(q.finish()).await.map_err(db)?;
    let mut by_process: BTreeMap<i64, Vec<_>> = BTreeMap::new();
    for s in &steps {
        by_process.entry(s.0).or_default().push(rows::step(s)?);
    }
    heads
        .into_iter()
        .map(|h| {
            let steps = by_process.remove(&h.0).unwrap_or_default();
            rows::process(h, steps)
        })
        .collect()
}

/// Adds a review item.
pub(crate) async fn insert_review<C: Conn>(
    c: &mut C,
    ctx: &AuditContext,
    r: &NewReview,
) -> ServiceResult<Review> {
    if !(1900..=2100).contains(&r.year) {
        return Err(ServiceError::invalid(
            "year",
            format!("{} is outside 1900–2100", r.year),
        ));
    }
    c.lock_catalog().await?;
    let procedure_id = existing_procedure(c, &r.procedure_code).await?;
    existing_unit(c, r.unit_id).await?;
    let (id,): (i64,) = c
        .one(
            Sql::new(sql::INSERT_REVIEW)
                .int(r.unit_id)
                .int(procedure_id)
                .int(i64::from(r.year))
                .text(r.limit_before.to_string())
                .text(r.limit_after.to_string())
                .int(i64::from(r.components_removed))
                .text(r.decision.clone())
                .text(day_text(r.effective))
                .int(millis(ctx.at)),
        )
        .await
        .map_err(|e| map_db(e, unit_gone(r.unit_id)))?;
    c.append(
        ctx,
        audit::REVIEW_CREATE,
        &audit::procedure_subject(r.procedure_code.as_str()),
        &audit::review_detail(id, r),
    )
    .await?;
    bump_revision(c).await?;
    Ok(Review {
        id,
        unit_id: r.unit_id,
        procedure_code: r.procedure_code.clone(),
        year: r.year,
        limit_before: r.limit_before,
        limit_after: r.limit_after,
        components_removed: r.components_removed,
        decision: r.decision.clone(),
        effective: r.effective,
    })
}

/// Review items of the units (empty: all) in a year (none: all), by year,
/// procedure code, unit and then the order they were added.
pub(crate) async fn reviews<C: Conn>(
    c: &mut C,
    unit_ids: &[i64],
    year: Option<i16>,
) -> ServiceResult<Vec<Review>> {
    let mut q = Assemble::new(sql::REVIEW_SELECT, false);
    if !unit_ids.is_empty() {
        let set = q.id_set(C::DIALECT, unit_ids);
        q.and(&format!("r.unit_id IN {set}"));
    }
    if let Some(y) = year {
        let p = q.arg(Arg::Int(i64::from(y)));
        q.and(&format!("r.year = {p}"));
    }
    q.push("ORDER BY r.year, pr.code, r.unit_id, r.id");
    let rows: Vec<ReviewRow> = c.all(q.finish()).await.map_err(db)?;
    rows.into_iter().map(rows::review).collect()
}

/// Counts by the level of the units (empty: all) procedures are assigned to,
/// top level first; a level with neither procedures nor processes is left out.
pub(crate) async fn catalog_counts<C: Conn>(
    c: &mut C,
    unit_ids: &[i64],
    on: Date,
) -> ServiceResult<Vec<LevelCounts>> {
    let on = day_text(on);
    let mut q = Assemble::new(sql::PROCEDURE_COUNTS, false);
    q.bind_token("$d", Arg::Text(on.clone()));
    if !unit_ids.is_empty() {
        let set = q.id_set(C::DIALECT, unit_ids);
        q.and(&format!("pu.unit_id IN {set}"));
    }
    q.push("GROUP BY u.level");
    let procedures: Vec<(String, i64, i64, i64, i64, i64)> = c.all(q.finish()).await.map_err(db)?;

    let mut q = Assemble::new(sql::PROCESS_COUNTS, true);
    q.bind_token("$d", Arg::Text(on));
    if !unit_ids.is_empty() {
        let set = q.id_set(C::DIALECT, unit_ids);
        q.and(&format!("p.unit_id IN {set}"));
    }
    q.push("GROUP BY u.level");
    let processes: Vec<(String, i64)> = c.all(q.finish()).await.map_err(db)?;

    let n = |v: i64| u32::try_from(v).map_err(|e| corrupt("count", &v.to_string(), e));
    let level = |s: &str| Level::parse(s).map_err(|e| corrupt("units.level", s, e));
    let mut by_level: BTreeMap<Level, LevelCounts> = BTreeMap::new();
    for (l, total, full, partial, none, fee) in procedures {
        let l = level(&l)?;
        by_level.insert(
            l,
            LevelCounts {
                level: l,
                procedures: n(total)?,
                full_process: n(full)?,
                partial: n(partial)?,
                not_online: n(none)?,
                with_fee: n(fee)?,
                processes: 0,
            },
        );
    }
    for (l, count) in processes {
        let l = level(&l)?;
        by_level
            .entry(l)
            .or_insert(LevelCounts {
                level: l,
                procedures: 0,
                full_process: 0,
                partial: 0,
                not_online: 0,
                with_fee: 0,
                processes: 0,
            })
            .processes = n(count)?;
    }
    Ok(by_level.into_values().collect())
}
