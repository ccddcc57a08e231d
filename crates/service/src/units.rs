//! Unit use cases: adding units to the organisation tree.

use motcua_domain::unit::{Level, UnitCode, UnitKind};

use crate::error::{ServiceError, ServiceResult};
use crate::store::{AuditContext, NewUnit, Store, Unit};

/// Adds a unit after checking what the database cannot: a name is given, the
/// validity interval is ordered, and a desk hangs under the unit that hosts it.
pub async fn create_unit(
    store: &dyn Store,
    ctx: &AuditContext,
    unit: NewUnit,
) -> ServiceResult<Unit> {
    let name = unit.name.trim();
    if name.is_empty() {
        return Err(ServiceError::invalid("name", "a unit needs a name"));
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
    store
        .insert_unit(
            ctx,
            &NewUnit {
                name: name.to_owned(),
                ..unit
            },
        )
        .await
}

/// Finds a unit by its code given as text, with parse errors naming `field`.
pub async fn find_unit(store: &dyn Store, field: &'static str, code: &str) -> ServiceResult<Unit> {
    let code = UnitCode::parse(code).map_err(|e| ServiceError::invalid(field, e.to_string()))?;
    store.unit_by_code(&code).await
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
