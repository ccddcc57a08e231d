//! Routing without an internal process (issue 18, point 3): which fields
//! (lĩnh vực) each office handles, and the default processes per field and
//! level (see `motcua_domain::catalog::routing`).
//!
//! Both are configuration, kept as settings with their own validation and
//! access rules (the generic settings page does not edit them):
//! - the fields of an office: scope `unit:<id>`, key [`SECTORS_KEY`], a JSON
//!   list of names; changed by whoever manages processes on that unit
//!   (its administrator or a leader above it);
//! - the default processes: scope `global`, key [`DEFAULTS_KEY`], a JSON
//!   list; changed by a system administrator or someone who manages
//!   processes on every root of the tree (the province's administrator),
//!   since one template serves every commune.
//!
//! Every change is a setting write, so it lands in the audit trail.

use jiff::Timestamp;
use motcua_domain::catalog::routing::{
    DefaultProcess, MAX_DEFAULT_PROCESSES, MAX_SECTORS_PER_UNIT, parse_sector,
};
use motcua_domain::role::Role;
use motcua_domain::unit::{Level, UnitKind};

use crate::access::{Actor, Permission, deny, require, require_somewhere};
use crate::error::{ServiceError, ServiceResult};
use crate::store::Store;

/// The setting (scope `unit:<id>`) listing the fields an office handles.
pub const SECTORS_KEY: &str = "routing.sectors";
/// The setting (scope `global`) holding the default processes.
pub const DEFAULTS_KEY: &str = "routing.default_processes";

/// The fields a unit handles, as stored (none when never set). Internal
/// read: callers check access for what they show.
pub(crate) async fn unit_sectors(store: &dyn Store, unit_id: i64) -> ServiceResult<Vec<String>> {
    let Some(v) = store
        .get_setting(&format!("unit:{unit_id}"), SECTORS_KEY)
        .await?
    else {
        return Ok(Vec::new());
    };
    serde_json::from_value(v).map_err(|e| {
        ServiceError::Internal(format!("setting {SECTORS_KEY} of unit {unit_id}: {e}"))
    })
}

/// Sets the fields a unit handles (duplicates dropped, order kept); an
/// empty list clears them. Needs `ManageProcesses` on the unit.
pub async fn set_unit_sectors(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit_id: i64,
    sectors: &[String],
) -> ServiceResult<Vec<String>> {
    require(store, actor, now, Permission::ManageProcesses, unit_id).await?;
    if sectors.len() > MAX_SECTORS_PER_UNIT {
        return Err(ServiceError::invalid(
            "sectors",
            format!("at most {MAX_SECTORS_PER_UNIT} fields"),
        ));
    }
    let mut list: Vec<String> = Vec::new();
    for s in sectors {
        let s = parse_sector("sectors", s)?;
        if !list.iter().any(|x| x.to_lowercase() == s.to_lowercase()) {
            list.push(s);
        }
    }
    let unit = store.unit_by_id(unit_id).await?;
    if !is_office(unit.kind) {
        return Err(ServiceError::invalid(
            "unit",
            format!(
                "{} is not an office (department, office, public service unit or branch); only offices handle fields",
                unit.code
            ),
        ));
    }
    store
        .put_setting(
            &actor.context(now),
            &format!("unit:{unit_id}"),
            SECTORS_KEY,
            &serde_json::json!(list),
        )
        .await?;
    Ok(list)
}

/// The fields a unit handles, for anyone who may read the catalog (like
/// the catalog, who handles what is no secret within the province: a desk
/// is offered other units' offices).
pub async fn sectors_of(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit_id: i64,
) -> ServiceResult<Vec<String>> {
    require_somewhere(store, actor, now, Permission::ViewCatalog).await?;
    unit_sectors(store, unit_id).await
}

/// Whether a unit of this kind is an office a dossier can be handed to,
/// the kind of unit that handles fields.
pub fn is_office(kind: UnitKind) -> bool {
    matches!(
        kind,
        UnitKind::Department
            | UnitKind::DistrictOffice
            | UnitKind::PublicServiceUnit
            | UnitKind::CentralBranch
    )
}

/// Every default process, as stored. Internal read.
pub(crate) async fn default_processes(store: &dyn Store) -> ServiceResult<Vec<DefaultProcess>> {
    let Some(v) = store.get_setting("global", DEFAULTS_KEY).await? else {
        return Ok(Vec::new());
    };
    serde_json::from_value(v)
        .map_err(|e| ServiceError::Internal(format!("setting {DEFAULTS_KEY}: {e}")))
}

/// The default processes, for someone who may read the catalog.
pub async fn list_defaults(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
) -> ServiceResult<Vec<DefaultProcess>> {
    require_somewhere(store, actor, now, Permission::ViewCatalog).await?;
    default_processes(store).await
}

/// Whether the actor may change the default processes.
pub async fn may_set_defaults(store: &dyn Store, actor: &Actor) -> ServiceResult<bool> {
    if actor.is_system() || actor.holds(Role::SystemAdmin) {
        return Ok(true);
    }
    if !actor.may_somewhere(Permission::ManageProcesses) {
        return Ok(false);
    }
    let roots: Vec<i64> = store
        .list_units()
        .await?
        .into_iter()
        .filter(|u| u.parent_id.is_none())
        .map(|u| u.id)
        .collect();
    Ok(!roots.is_empty()
        && roots
            .iter()
            .all(|r| actor.may(Permission::ManageProcesses, *r)))
}

async fn require_defaults(store: &dyn Store, actor: &Actor, now: Timestamp) -> ServiceResult<()> {
    if may_set_defaults(store, actor).await? {
        return Ok(());
    }
    deny(
        store,
        actor,
        now,
        Permission::ManageProcesses,
        "routing:defaults",
    )
    .await
}

/// Sets (or replaces) the default process of its field and level.
pub async fn set_default(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    process: DefaultProcess,
) -> ServiceResult<DefaultProcess> {
    require_defaults(store, actor, now).await?;
    let process = process.checked()?;
    let mut list = default_processes(store).await?;
    let want = process.sector.to_lowercase();
    list.retain(|p| !(p.level == process.level && p.sector.to_lowercase() == want));
    if list.len() >= MAX_DEFAULT_PROCESSES {
        return Err(ServiceError::invalid(
            "sector",
            format!("at most {MAX_DEFAULT_PROCESSES} default processes"),
        ));
    }
    list.push(process.clone());
    list.sort_by(|a, b| (a.level, &a.sector).cmp(&(b.level, &b.sector)));
    store
        .put_setting(
            &actor.context(now),
            "global",
            DEFAULTS_KEY,
            &serde_json::json!(list),
        )
        .await?;
    Ok(process)
}

/// Removes the default process of a field and level, or `NotFound`.
pub async fn remove_default(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    sector: &str,
    level: Level,
) -> ServiceResult<()> {
    require_defaults(store, actor, now).await?;
    let sector = parse_sector("sector", sector)?;
    let mut list = default_processes(store).await?;
    let before = list.len();
    let want = sector.to_lowercase();
    list.retain(|p| !(p.level == level && p.sector.to_lowercase() == want));
    if list.len() == before {
        return Err(ServiceError::not_found(
            "default process",
            format!("{sector} ({})", level.as_str()),
        ));
    }
    store
        .put_setting(
            &actor.context(now),
            "global",
            DEFAULTS_KEY,
            &serde_json::json!(list),
        )
        .await
}

impl crate::services::Routing<'_> {
    /// The fields a unit handles, as stored (none when never set). Internal
    /// read: callers check access for what they show.
    pub async fn unit_sectors(&self, unit_id: i64) -> ServiceResult<Vec<String>> {
        self::unit_sectors(self.store(), unit_id).await
    }

    /// Sets the fields a unit handles (duplicates dropped, order kept); an
    /// empty list clears them. Needs `ManageProcesses` on the unit.
    pub async fn set_unit_sectors(
        &self,
        actor: &Actor,
        unit_id: i64,
        sectors: &[String],
    ) -> ServiceResult<Vec<String>> {
        self::set_unit_sectors(self.store(), actor, self.now(), unit_id, sectors).await
    }

    /// The fields a unit handles, for anyone who may read the catalog (like
    /// the catalog, who handles what is no secret within the province: a desk
    /// is offered other units' offices).
    pub async fn sectors_of(&self, actor: &Actor, unit_id: i64) -> ServiceResult<Vec<String>> {
        self::sectors_of(self.store(), actor, self.now(), unit_id).await
    }

    /// Every default process, as stored. Internal read.
    pub async fn default_processes(&self) -> ServiceResult<Vec<DefaultProcess>> {
        self::default_processes(self.store()).await
    }

    /// The default processes, for someone who may read the catalog.
    pub async fn list_defaults(&self, actor: &Actor) -> ServiceResult<Vec<DefaultProcess>> {
        self::list_defaults(self.store(), actor, self.now()).await
    }

    /// Whether the actor may change the default processes.
    pub async fn may_set_defaults(&self, actor: &Actor) -> ServiceResult<bool> {
        self::may_set_defaults(self.store(), actor).await
    }

    /// Sets (or replaces) the default process of its field and level.
    pub async fn set_default(
        &self,
        actor: &Actor,
        process: DefaultProcess,
    ) -> ServiceResult<DefaultProcess> {
        self::set_default(self.store(), actor, self.now(), process).await
    }

    /// Removes the default process of a field and level, or `NotFound`.
    pub async fn remove_default(
        &self,
        actor: &Actor,
        sector: &str,
        level: Level,
    ) -> ServiceResult<()> {
        self::remove_default(self.store(), actor, self.now(), sector, level).await
    }
}
