//! Units of the organisation tree, the same on both databases.

use motcua_domain::unit::UnitCode;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use std::collections::HashMap;
use std::sync::Arc;

use motcua_service::store::{AuditContext, NewUnit, NewUnitUnder, Unit};

use crate::conn::{Backend, Conn, Sql, commit};
use crate::convert::{self, UnitRow};
use crate::error::db;
use crate::history_rules::{TreeTx, first_version};
use crate::{audit, sql};

pub(crate) async fn insert_unit<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    unit: &NewUnit,
) -> ServiceResult<Unit> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.lock_tree().await?;
    let id = insert_in(c, ctx, unit).await?;
    commit(tx).await?;
    Ok(crate::unit_from_new(id, unit))
}

/// Adds units in one transaction, in order, each parent named by code and
/// found among the units added before it in the list or in the database;
/// any failure adds none of them.
pub(crate) async fn insert_units<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    units: &[NewUnitUnder],
) -> ServiceResult<Vec<Unit>> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.lock_tree().await?;
    let mut added: HashMap<String, i64> = HashMap::new();
    let mut out = Vec::with_capacity(units.len());
    for u in units {
        let mut unit = u.unit.clone();
        if let Some(parent) = &u.parent {
            let id = match added.get(parent.as_str()) {
                Some(id) => *id,
                None => {
                    let row: Option<UnitRow> = c
                        .optional(Sql::new(sql::UNIT_BY_CODE).text(parent.as_str()))
                        .await
                        .map_err(db)?;
                    row.ok_or_else(|| {
                        ServiceError::invalid(
                            "parent",
                            format!("unit {}: no unit with code {parent}", unit.code),
                        )
                    })?
                    .0
                }
            };
            unit.parent_id = Some(id);
        }
        let id = insert_in(c, ctx, &unit).await?;
        added.insert(unit.code.as_str().to_owned(), id);
        out.push(crate::unit_from_new(id, &unit));
    }
    commit(tx).await?;
    Ok(out)
}

/// Inserts a unit, its first version and its audit entry inside the
/// caller's transaction, which holds the tree's lock.
async fn insert_in<C: Conn + TreeTx>(
    c: &mut C,
    ctx: &AuditContext,
    unit: &NewUnit,
) -> ServiceResult<i64> {
    // The code must be free on every day the unit exists, also from
    // units that held it in an earlier version.
    if !c
        .code_holders(unit.code.as_str(), -1, unit.valid_from, unit.valid_to)
        .await?
        .is_empty()
    {
        return Err(ServiceError::Conflict(format!(
            "a unit with code {} already exists",
            unit.code
        )));
    }
    let id = c.insert_unit_row(unit).await?;
    c.insert_version(&first_version(id, unit)).await?;
    Conn::append(
        c,
        ctx,
        audit::UNIT_CREATE,
        &audit::unit_subject(unit.code.as_str()),
        &audit::unit_detail(id, unit),
    )
    .await?;
    Ok(id)
}

pub(crate) async fn unit_by_id<B: Backend>(b: &B, id: i64) -> ServiceResult<Unit> {
    let row: Option<UnitRow> = b
        .read()
        .await?
        .optional(Sql::new(sql::UNIT_BY_ID).int(id))
        .await
        .map_err(db)?;
    convert::unit(row.ok_or_else(|| ServiceError::not_found("unit", id.to_string()))?)
}

pub(crate) async fn unit_by_code<B: Backend>(b: &B, code: &UnitCode) -> ServiceResult<Unit> {
    let mut c = b.read().await?;
    let memo = b.access().memo(&mut *c).await?;
    if let Some(u) = memo.unit(code.as_str()) {
        return Ok(u);
    }
    let row: Option<UnitRow> = c
        .optional(Sql::new(sql::UNIT_BY_CODE).text(code.as_str()))
        .await
        .map_err(db)?;
    let unit = convert::unit(row.ok_or_else(|| ServiceError::not_found("unit", code.as_str()))?)?;
    memo.keep_unit(&unit);
    Ok(unit)
}

pub(crate) async fn unit_count<B: Backend>(b: &B) -> ServiceResult<usize> {
    let mut c = b.read().await?;
    let memo = b.access().memo(&mut *c).await?;
    if let Some(n) = memo.unit_count() {
        return Ok(n);
    }
    let (n,): (i64,) = c
        .one(Sql::new("SELECT count(*) FROM units"))
        .await
        .map_err(db)?;
    let n = usize::try_from(n).unwrap_or(0);
    memo.keep_unit_count(n);
    Ok(n)
}

pub(crate) async fn list_units<B: Backend>(b: &B) -> ServiceResult<Vec<Unit>> {
    let rows: Vec<UnitRow> = b
        .read()
        .await?
        .all(Sql::new(sql::LIST_UNITS))
        .await
        .map_err(db)?;
    rows.into_iter().map(convert::unit).collect()
}

pub(crate) async fn subtree_ids<B: Backend>(b: &B, root: i64) -> ServiceResult<Vec<i64>> {
    let mut c = b.read().await?;
    let memo = b.access().memo(&mut *c).await?;
    if let Some(ids) = memo.subtree(root) {
        return Ok(ids.to_vec());
    }
    let ids: Vec<(i64,)> = c
        .all(Sql::new(sql::SUBTREE_IDS).int(root))
        .await
        .map_err(db)?;
    if ids.is_empty() {
        return Err(ServiceError::not_found("unit", root.to_string()));
    }
    let ids: Vec<i64> = ids.into_iter().map(|(id,)| id).collect();
    memo.keep_subtree(root, Arc::new(ids.clone()));
    Ok(ids)
}

/// The unit's code; an unknown unit is `NotFound`.
pub(crate) async fn unit_code<C: Conn>(c: &mut C, unit_id: i64) -> ServiceResult<String> {
    let code: Option<(String,)> = c
        .optional(Sql::new(sql::UNIT_CODE).int(unit_id))
        .await
        .map_err(db)?;
    code.map(|(c,)| c)
        .ok_or_else(|| ServiceError::not_found("unit", unit_id.to_string()))
}

/// The user's name, if the user exists.
pub(crate) async fn username<C: Conn>(c: &mut C, user_id: i64) -> ServiceResult<Option<String>> {
    let name: Option<(String,)> = c
        .optional(Sql::new(sql::USERNAME).int(user_id))
        .await
        .map_err(db)?;
    Ok(name.map(|(n,)| n))
}

/// Whether anyone holds the system administrator's role, for `motcua init`
/// to run once.
pub(crate) async fn system_admin_exists<B: Backend>(b: &B) -> ServiceResult<bool> {
    let row: Option<(i64,)> = b
        .read()
        .await?
        .optional(Sql::new(
            "SELECT count(*) FROM role_grants WHERE role = 'system_admin'",
        ))
        .await
        .map_err(db)?;
    Ok(row.is_some_and(|(n,)| n > 0))
}
