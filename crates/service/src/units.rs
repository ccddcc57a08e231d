//! Unit use cases: the organisation tree and its changes through time.

use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::unit::{Level, UnitCode, UnitKind};

use crate::access::{Actor, Permission, require};
use crate::error::{ServiceError, ServiceResult};
use crate::store::{AuditContext, NewUnit, Store, Succession, Unit, UnitChange, UnitVersion};

/// Checks what the database cannot: a name is given, the validity interval is
/// ordered, a desk hangs under the unit that hosts it, and the parent exists.
async fn check_new_unit(store: &dyn Store, unit: &NewUnit) -> ServiceResult<NewUnit> {
    let name = unit.name.trim();
    if name.is_empty() || name.chars().count() > 300 {
        return Err(ServiceError::invalid(
            "name",
            "a unit needs a name of 1 to 300 characters",
        ));
    }
    if let Some(to) = unit.valid_to
        && to < unit.valid_from
    {
        return Err(ServiceError::invalid(
            "valid_to",
            format!("{to} is before valid_from {}", unit.valid_from),
        ));
    }
    if unit.kind == UnitKind::Desk && unit.parent_id.is_none() {
        return Err(ServiceError::invalid(
            "parent_id",
            "a one-stop desk belongs to the unit that hosts it",
        ));
    }
    if let Some(parent) = unit.parent_id {
        store.unit_by_id(parent).await.map_err(|e| match e {
            ServiceError::NotFound { .. } => {
                ServiceError::invalid("parent_id", format!("no unit with id {parent}"))
            }
            other => other,
        })?;
    }
    Ok(NewUnit {
        name: name.to_owned(),
        ..unit.clone()
    })
}

/// Adds a unit with its audit entry, without an access check: for seeding and
/// the command line acting as the system.
pub async fn create_unit(
    store: &dyn Store,
    ctx: &AuditContext,
    unit: NewUnit,
) -> ServiceResult<Unit> {
    let unit = check_new_unit(store, &unit).await?;
    store.insert_unit(ctx, &unit).await
}

/// Adds a unit on behalf of an actor, who must manage units on the parent
/// (a root unit needs the system or a system administrator).
pub async fn add_unit(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit: NewUnit,
) -> ServiceResult<Unit> {
    match unit.parent_id {
        Some(parent) => require(store, actor, now, Permission::ManageUnits, parent).await?,
        // A root unit: only system administrators (who hold every permission).
        None if actor.holds(motcua_domain::role::Role::SystemAdmin) => {}
        None => {
            return crate::access::deny(store, actor, now, Permission::ManageUnits, "root").await;
        }
    }
    create_unit(store, &actor.context(now), unit).await
}

/// Applies a rename, move, abolition, merge or split, after checking the
/// actor manages every unit it touches.
pub async fn change(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    change: UnitChange,
) -> ServiceResult<Vec<Unit>> {
    let touched: Vec<i64> = match &change {
        UnitChange::Rename {
            unit_id,
            name,
            code,
            ..
        } => {
            if name.is_none() && code.is_none() {
                return Err(ServiceError::invalid(
                    "name",
                    "give a new name or a new code",
                ));
            }
            if let Some(n) = name
                && n.trim().is_empty()
            {
                return Err(ServiceError::invalid("name", "a unit needs a name"));
            }
            vec![*unit_id]
        }
        UnitChange::Move {
            unit_id, parent_id, ..
        } => {
            let mut v = vec![*unit_id];
            v.extend(parent_id.iter().copied());
            v
        }
        UnitChange::Abolish { unit_id, .. } => vec![*unit_id],
        UnitChange::Merge {
            sources, target, ..
        } => {
            if sources.is_empty() {
                return Err(ServiceError::invalid(
                    "sources",
                    "name at least one unit to merge",
                ));
            }
            let mut v = sources.clone();
            match target {
                crate::store::MergeTarget::Existing(id) => v.push(*id),
                crate::store::MergeTarget::New(u) => {
                    check_new_unit(store, u).await?;
                    v.extend(u.parent_id);
                }
            }
            v
        }
        UnitChange::Split { source, into, .. } => {
            if into.len() < 2 {
                return Err(ServiceError::invalid(
                    "into",
                    "a split makes at least two units",
                ));
            }
            let mut v = vec![*source];
            for u in into {
                check_new_unit(store, u).await?;
                v.extend(u.parent_id);
            }
            v
        }
    };
    for id in touched {
        store.unit_by_id(id).await?;
        require(store, actor, now, Permission::ManageUnits, id).await?;
    }
    store.apply_unit_change(&actor.context(now), &change).await
}

/// Finds a unit by its code given as text, with parse errors naming `field`.
pub async fn find_unit(store: &dyn Store, field: &'static str, code: &str) -> ServiceResult<Unit> {
    let code = UnitCode::parse(code).map_err(|e| ServiceError::invalid(field, e.to_string()))?;
    store.unit_by_code(&code).await
}

/// The tree as it stood on a date.
pub async fn tree_on(store: &dyn Store, on: Date) -> ServiceResult<Vec<UnitVersion>> {
    store.units_on(on).await
}

/// A unit's history: versions and successions.
pub async fn history(
    store: &dyn Store,
    unit_id: i64,
) -> ServiceResult<(Vec<UnitVersion>, Vec<Succession>)> {
    Ok((
        store.unit_versions(unit_id).await?,
        store.successions_of(unit_id).await?,
    ))
}

/// The level a unit of this kind normally sits at, for forms that do not ask.
pub fn default_level(kind: UnitKind) -> Level {
    match kind {
        UnitKind::Province | UnitKind::Department | UnitKind::ServiceCentre => Level::Province,
        UnitKind::District | UnitKind::DistrictOffice => Level::District,
        UnitKind::Commune => Level::Commune,
        UnitKind::PublicServiceUnit | UnitKind::CentralBranch | UnitKind::Desk => Level::District,
    }
}
