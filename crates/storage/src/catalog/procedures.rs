//! Procedures and their versions: adding, versioning, importing, reading and
//! listing.

use std::collections::HashMap;

use jiff::civil::Date;
use motcua_domain::catalog::{ProcedureCode, ProcedureDraft};
use motcua_domain::search::fold_vi;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{
    AuditContext, CodePage, ImportOutcome, ProcedureFilter, ProcedureVersion,
};

use super::rows::{self, VersionRow, components_text, levels_text};
use super::sql::{self, Assemble};
use super::{Arg, Conn, Sql, audit};
use crate::convert::{day_text, millis, stored_instant};
use crate::error::{Broken, db, map_db};

/// The most rows a list page holds.
const MAX_PAGE: u32 = 500;

/// Adds a procedure with its first version (`Conflict` on a taken code).
pub(crate) async fn insert_procedure<C: Conn>(
    c: &mut C,
    ctx: &AuditContext,
    draft: &ProcedureDraft,
) -> ServiceResult<ProcedureVersion> {
    draft.validate()?;
    c.lock_catalog().await?;
    let v = create(c, ctx, draft, false).await?;
    bump_revision(c).await?;
    Ok(v)
}

/// Adds a version to an existing procedure.
pub(crate) async fn add_procedure_version<C: Conn>(
    c: &mut C,
    ctx: &AuditContext,
    draft: &ProcedureDraft,
) -> ServiceResult<ProcedureVersion> {
    draft.validate()?;
    c.lock_catalog().await?;
    let latest = current(c, &draft.code)
        .await?
        .ok_or_else(|| ServiceError::not_found("procedure", draft.code.as_str()))?;
    let v = add_version(c, ctx, &latest, draft, false).await?;
    bump_revision(c).await?;
    Ok(v)
}

/// Imports drafts all-or-nothing: the caller commits only on `Ok`.
pub(crate) async fn import_procedures<C: Conn>(
    c: &mut C,
    ctx: &AuditContext,
    drafts: &[ProcedureDraft],
    assignments: &[(usize, i64)],
) -> ServiceResult<ImportOutcome> {
    let mut seen: HashMap<&ProcedureCode, usize> = HashMap::with_capacity(drafts.len());
    for (i, d) in drafts.iter().enumerate() {
        d.validate().map_err(|e| at_row(i, e.into()))?;
        if let Some(first) = seen.insert(&d.code, i) {
            return Err(ServiceError::invalid(
                format!("rows[{i}].code"),
                format!("{} is already in rows[{first}]", d.code),
            ));
        }
    }
    c.lock_catalog().await?;
    let mut outcome = ImportOutcome::default();
    for (i, d) in drafts.iter().enumerate() {
        let step = async {
            match current(c, &d.code).await? {
                None => {
                    create(c, ctx, d, true).await?;
                    outcome.created += 1;
                }
                Some(latest) if same_content(&latest.draft, d) => outcome.unchanged += 1,
                Some(latest) => {
                    add_version(c, ctx, &latest, d, true).await?;
                    outcome.versioned += 1;
                }
            }
            Ok::<(), ServiceError>(())
        };
        step.await.map_err(|e| at_row(i, e))?;
    }
    for &(i, unit_id) in assignments {
        let draft = drafts.get(i).ok_or_else(|| {
            ServiceError::invalid(
                format!("rows[{i}]"),
                "an assignment names a row the import does not have",
            )
        })?;
        super::work::assign_procedure(c, ctx, &draft.code, unit_id)
            .await
            .map_err(|e| at_row(i, e))?;
    }
    if outcome.created + outcome.versioned > 0 {
        c.append(
            ctx,
            audit::PROCEDURE_IMPORT,
            audit::IMPORT_SUBJECT,
            &audit::import_detail(drafts.len(), &outcome),
        )
        .await?;
        bump_revision(c).await?;
    }
    Ok(outcome)
}

/// The version in force on a date, or the latest.
pub(crate) async fn procedure<C: Conn>(
    c: &mut C,
    code: &ProcedureCode,
    on: Option<Date>,
) -> ServiceResult<ProcedureVersion> {
    let found = match on {
        None => current(c, code).await?,
        Some(d) => c
            .optional::<VersionRow>(
                Sql::new(sql::IN_FORCE_BY_CODE)
                    .text(code.as_str())
                    .text(day_text(d)),
            )
            .await
            .map_err(db)?
            .map(VersionRow::into_version)
            .transpose()?,
    };
    found.ok_or_else(|| match on {
        None => ServiceError::not_found("procedure", code.as_str()),
        Some(d) => ServiceError::not_found("procedure", format!("{code} in force on {d}")),
    })
}

/// Every version, oldest first.
pub(crate) async fn procedure_versions<C: Conn>(
    c: &mut C,
    code: &ProcedureCode,
) -> ServiceResult<Vec<ProcedureVersion>> {
    let rows: Vec<VersionRow> = c
        .all(Sql::new(sql::VERSIONS_BY_CODE).text(code.as_str()))
        .await
        .map_err(db)?;
    if rows.is_empty() {
        return Err(ServiceError::not_found("procedure", code.as_str()));
    }
    rows::versions(rows)
}

/// A page of versions in code order, filtered.
pub(crate) async fn list_procedures<C: Conn>(
    c: &mut C,
    filter: &ProcedureFilter,
    page: &CodePage,
) -> ServiceResult<Vec<ProcedureVersion>> {
    let mut q = Assemble::new(sql::VERSION_SELECT, false);
    match filter.on {
        Some(d) => {
            q.and(sql::IN_FORCE);
            q.bind_token("$d", Arg::Text(day_text(d)));
        }
        None => q.and("v.effective_to IS NULL"),
    }
    if let Some(level) = filter.level {
        // `;district;commune;` contains `;district;`: whole names only.
        let p = q.arg(Arg::Text(format!("%;{};%", level.as_str())));
        q.and(&format!("(';' || v.levels || ';') LIKE {p}"));
    }
    if let Some(field) = &filter.field {
        let p = q.arg(Arg::Text(field.clone()));
        q.and(&format!("v.field = {p}"));
    }
    if let Some(level) = filter.online_level {
        let p = q.arg(Arg::Text(level.as_str().to_owned()));
        q.and(&format!("v.online_level = {p}"));
    }
    if !filter.unit_ids.is_empty() {
        let set = q.id_set(C::DIALECT, &filter.unit_ids);
        q.and(&format!(
            "EXISTS (SELECT 1 FROM procedure_units pu WHERE pu.procedure_id = pr.id \
             AND pu.unit_id IN {set})"
        ));
    }
    if let Some(after) = &page.after {
        let p = q.arg(Arg::Text(after.clone()));
        q.and(&format!("pr.code > {p}"));
    }
    let p = q.arg(Arg::Int(i64::from(page.limit.clamp(1, MAX_PAGE))));
    q.push(&format!("ORDER BY pr.code LIMIT {p}"));
    let rows: Vec<VersionRow> = c.all(q.finish()).await.map_err(db)?;
    rows::versions(rows)
}

/// Adds 1 to the revision every node compares its cache with.
pub(crate) async fn bump_revision<C: Conn>(c: &mut C) -> ServiceResult<()> {
    c.execute(Sql::new(sql::BUMP_REVISION))
        .await
        .map_err(db)
        .map(|_| ())
}

/// The procedure's id, if the code exists.
pub(crate) async fn procedure_id<C: Conn>(
    c: &mut C,
    code: &ProcedureCode,
) -> ServiceResult<Option<i64>> {
    let row: Option<(i64,)> = c
        .optional(Sql::new(sql::PROCEDURE_ID).text(code.as_str()))
        .await
        .map_err(db)?;
    Ok(row.map(|(id,)| id))
}

/// The procedure's id, or `NotFound`.
pub(crate) async fn existing_procedure<C: Conn>(
    c: &mut C,
    code: &ProcedureCode,
) -> ServiceResult<i64> {
    procedure_id(c, code)
        .await?
        .ok_or_else(|| ServiceError::not_found("procedure", code.as_str()))
}

async fn current<C: Conn>(
    c: &mut C,
    code: &ProcedureCode,
) -> ServiceResult<Option<ProcedureVersion>> {
    c.optional::<VersionRow>(Sql::new(sql::CURRENT_BY_CODE).text(code.as_str()))
        .await
        .map_err(db)?
        .map(VersionRow::into_version)
        .transpose()
}

async fn create<C: Conn>(
    c: &mut C,
    ctx: &AuditContext,
    draft: &ProcedureDraft,
    imported: bool,
) -> ServiceResult<ProcedureVersion> {
    let code = draft.code.as_str();
    if procedure_id(c, &draft.code).await?.is_some() {
        return Err(taken(code));
    }
    let (id,): (i64,) = c
        .one(
            Sql::new(sql::INSERT_PROCEDURE)
                .text(code)
                .int(millis(ctx.at)),
        )
        .await
        .map_err(|e| {
            map_db(e, |b| match b {
                Broken::Unique(n) if n == "procedures_code_key" || n == "procedures.code" => {
                    Some(taken(code))
                }
                _ => None,
            })
        })?;
    let v = insert_version(c, ctx, id, 1, draft).await?;
    c.append(
        ctx,
        audit::PROCEDURE_CREATE,
        &audit::procedure_subject(code),
        &audit::version_detail(&v, imported),
    )
    .await?;
    Ok(v)
}

fn taken(code: &str) -> ServiceError {
    ServiceError::Conflict(format!("a procedure with code {code} already exists"))
}

/// Closes `latest` the day before `draft` starts and adds `draft` after it.
async fn add_version<C: Conn>(
    c: &mut C,
    ctx: &AuditContext,
    latest: &ProcedureVersion,
    draft: &ProcedureDraft,
    imported: bool,
) -> ServiceResult<ProcedureVersion> {
    let from = draft.effective_from;
    let latest_from = latest.draft.effective_from;
    if from <= latest_from {
        return Err(ServiceError::invalid(
            "effective_from",
            format!(
                "{from} is not after {latest_from}, when version {} of {} took effect",
                latest.version_no, draft.code
            ),
        ));
    }
    let closed_on = from
        .yesterday()
        .map_err(|e| ServiceError::invalid("effective_from", e.to_string()))?;
    c.execute(
        Sql::new(sql::CLOSE_VERSION)
            .int(latest.version_id)
            .text(day_text(closed_on)),
    )
    .await
    .map_err(db)?;
    let v = insert_version(
        c,
        ctx,
        latest.procedure_id,
        i64::from(latest.version_no) + 1,
        draft,
    )
    .await?;
    c.append(
        ctx,
        audit::PROCEDURE_VERSION,
        &audit::procedure_subject(draft.code.as_str()),
        &audit::version_detail(&v, imported),
    )
    .await?;
    Ok(v)
}

async fn insert_version<C: Conn>(
    c: &mut C,
    ctx: &AuditContext,
    procedure_id: i64,
    version_no: i64,
    d: &ProcedureDraft,
) -> ServiceResult<ProcedureVersion> {
    let q = Sql::new(sql::INSERT_VERSION)
        .int(procedure_id)
        .int(version_no)
        .text(day_text(d.effective_from))
        .text(d.name.clone())
        .text(fold_vi(&d.name))
        .text(d.field.clone())
        .text(levels_text(&d.levels))
        .text(d.agency.clone())
        .text(d.time_limit.to_string())
        .opt_text(d.online_time_limit.map(|l| l.to_string()))
        .text(d.online_level.as_str())
        .int(d.fee.get())
        .text(d.fee_note.clone())
        .text(d.result_type.as_str())
        .text(d.legal_basis.clone())
        .text(d.applicant.as_str())
        .text(components_text(&d.components)?)
        .int(millis(ctx.at));
    let (version_id,): (i64,) = c.one(q).await.map_err(db)?;
    Ok(ProcedureVersion {
        procedure_id,
        version_id,
        version_no: u32::try_from(version_no)
            .map_err(|e| ServiceError::Internal(format!("version number: {e}")))?,
        draft: d.clone(),
        effective_to: None,
        created_at: stored_instant(ctx.at),
    })
}

/// Whether a draft says what the stored version says, whatever its date: a
/// re-import of the same content with a later date is not a new version.
fn same_content(stored: &ProcedureDraft, draft: &ProcedureDraft) -> bool {
    *stored
        == ProcedureDraft {
            effective_from: stored.effective_from,
            ..draft.clone()
        }
}

/// Names the import row an error came from.
fn at_row(i: usize, e: ServiceError) -> ServiceError {
    match e {
        ServiceError::Invalid { field, reason } => ServiceError::Invalid {
            field: format!("rows[{i}].{field}"),
            reason,
        },
        ServiceError::Conflict(m) => ServiceError::Conflict(format!("rows[{i}]: {m}")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_errors_name_the_row_before_the_field() {
        let e = at_row(3, ServiceError::invalid("effective_from", "too early"));
        assert!(
            matches!(&e, ServiceError::Invalid { field, .. } if field == "rows[3].effective_from"),
            "{e:?}"
        );
    }
}
