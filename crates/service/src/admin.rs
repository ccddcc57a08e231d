//! Administration use cases the staff pages need beyond those of units,
//! users and the catalog: the calendar corrections and office hours with
//! their access checks, settings by scope, account activation, and a user's
//! grants with unit names.
//!
//! Who may do what:
//! - a correction for one unit, or its office hours: [`Permission::ManageCalendar`]
//!   on that unit; a correction for every unit: `ManageCalendar` on every
//!   root of the tree (a province's administrator, or a system administrator);
//! - a setting of `global` scope: a system administrator; of `unit:<id>`:
//!   `ManageUsers` on that unit (the unit's administrator); of
//!   `procedure:<id>`: `EditCatalog` somewhere (catalog keepers);
//! - (de)activating an account: as resetting its password
//!   ([`crate::users::reset_password_as`]).

use jiff::Timestamp;
use jiff::civil::{Date, Time, date};
use motcua_domain::calendar::{DayKind, DayStatus, FIRST_YEAR, LAST_YEAR};
use motcua_domain::role::Role;

use crate::access::{Actor, Permission, deny, require, require_somewhere};
use crate::calendar;
use crate::error::{ServiceError, ServiceResult};
use crate::store::{CalendarOverride, OfficeHoursRow, RoleGrant, Store, Unit, User};
use crate::users::parse_username;

/// Permissions that open administration (units, users, the catalog,
/// processes, the calendar, notifications).
pub const ADMIN_PERMISSIONS: [Permission; 6] = [
    Permission::ManageUnits,
    Permission::ManageUsers,
    Permission::EditCatalog,
    Permission::ManageProcesses,
    Permission::ManageCalendar,
    Permission::ManageNotifications,
];

/// Allows someone who administers something somewhere; records the refusal
/// of anyone else.
pub async fn require_admin(store: &dyn Store, actor: &Actor, now: Timestamp) -> ServiceResult<()> {
    if ADMIN_PERMISSIONS.iter().any(|p| actor.may_somewhere(*p)) {
        return Ok(());
    }
    deny(store, actor, now, Permission::ManageUnits, "admin").await
}

/// The unit tree as it stood on a date, for someone who manages units or
/// users somewhere (the tree is what their forms pick from).
pub async fn unit_tree(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    on: Date,
) -> ServiceResult<Vec<crate::store::UnitVersion>> {
    require_admin(store, actor, now).await?;
    crate::units::tree_on(store, on).await
}

/// Checks that the actor may correct the calendar of `unit`, or of every
/// unit when `unit` is none.
async fn require_calendar(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit: Option<&Unit>,
) -> ServiceResult<()> {
    match unit {
        Some(u) => require(store, actor, now, Permission::ManageCalendar, u.id).await,
        None => {
            let roots: Vec<i64> = store
                .list_units()
                .await?
                .into_iter()
                .filter(|u| u.parent_id.is_none())
                .map(|u| u.id)
                .collect();
            if actor.is_system()
                || actor.holds(Role::SystemAdmin)
                || (!roots.is_empty()
                    && roots
                        .iter()
                        .all(|r| actor.may(Permission::ManageCalendar, *r)))
            {
                Ok(())
            } else {
                deny(
                    store,
                    actor,
                    now,
                    Permission::ManageCalendar,
                    "calendar:global",
                )
                .await
            }
        }
    }
}

/// The days of a year that are not ordinary (days off on weekdays, working
/// weekend days, and every administrator's correction), as the calendar in
/// force for `unit` (or every unit) has them, with the corrections of that
/// scope. Readable by anyone who manages a calendar somewhere.
pub async fn year(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit: Option<&Unit>,
    year: i16,
) -> ServiceResult<(Vec<DayStatus>, Vec<CalendarOverride>)> {
    require_somewhere(store, actor, now, Permission::ManageCalendar).await?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(ServiceError::invalid(
            "year",
            format!("the calendar covers {FIRST_YEAR} to {LAST_YEAR}"),
        ));
    }
    let cal = calendar::load(store, unit).await?;
    let days = cal
        .calendar
        .year_statuses(year)?
        .into_iter()
        .filter(|d| !matches!(d.kind, DayKind::Workday | DayKind::Weekend))
        .collect();
    let first = date(year, 1, 1);
    let last = date(year, 12, 31);
    let own = store
        .calendar_overrides(unit.map(|u| u.id), first, last)
        .await?
        .into_iter()
        .filter(|o| o.unit_id == unit.map(|u| u.id))
        .collect();
    Ok((days, own))
}

/// Records a correction after the access check.
pub async fn set_day_as(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit: Option<&Unit>,
    day: Date,
    working: bool,
    reason: &str,
) -> ServiceResult<()> {
    require_calendar(store, actor, now, unit).await?;
    calendar::set_day(store, &actor.context(now), unit, day, working, reason).await
}

/// Removes a correction after the access check.
pub async fn unset_day_as(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit: Option<&Unit>,
    day: Date,
) -> ServiceResult<()> {
    require_calendar(store, actor, now, unit).await?;
    calendar::unset_day(store, &actor.context(now), unit, day).await
}

/// A unit's office-hour rows, for someone who manages its calendar.
pub async fn office_hours(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit: &Unit,
) -> ServiceResult<Vec<OfficeHoursRow>> {
    require(store, actor, now, Permission::ManageCalendar, unit.id).await?;
    store.office_hours(unit.id).await
}

/// Sets a unit's office hours from a date, after the access check.
pub async fn set_office_hours_as(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit: &Unit,
    from: Date,
    to: Option<Date>,
    sessions: Vec<(Time, Time)>,
) -> ServiceResult<()> {
    require(store, actor, now, Permission::ManageCalendar, unit.id).await?;
    calendar::set_office_hours(store, &actor.context(now), unit, from, to, sessions).await
}

/// A setting's scope, as stored (`global`, `unit:<id>`, `procedure:<id>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every unit.
    Global,
    /// One unit.
    Unit(i64),
    /// One procedure.
    Procedure(i64),
}

impl Scope {
    /// Reads `global`, `unit:<id>` or `procedure:<id>`.
    pub fn parse(s: &str) -> ServiceResult<Self> {
        let bad = || ServiceError::invalid("scope", "global, unit:<id> or procedure:<id>");
        let s = s.trim();
        if s == "global" {
            return Ok(Self::Global);
        }
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        let id: i64 = id.parse().map_err(|_| bad())?;
        match kind {
            "unit" => Ok(Self::Unit(id)),
            "procedure" => Ok(Self::Procedure(id)),
            _ => Err(bad()),
        }
    }

    /// The stored text.
    pub fn as_text(self) -> String {
        match self {
            Self::Global => "global".to_owned(),
            Self::Unit(id) => format!("unit:{id}"),
            Self::Procedure(id) => format!("procedure:{id}"),
        }
    }
}

async fn require_setting(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    scope: Scope,
) -> ServiceResult<()> {
    match scope {
        Scope::Global if actor.is_system() || actor.holds(Role::SystemAdmin) => Ok(()),
        Scope::Global => deny(store, actor, now, Permission::ManageUnits, "setting:global").await,
        Scope::Unit(id) => require(store, actor, now, Permission::ManageUsers, id).await,
        Scope::Procedure(_) => require_somewhere(store, actor, now, Permission::EditCatalog).await,
    }
}

/// The per-procedure setting of what a supplement request does to the
/// clock (`pause` or `restart`, domain.md §6).
pub const SUSPENSION_SETTING: &str = "clock.suspension";

/// Settings motcua reads, with the scope each is read at.
pub const KNOWN_SETTINGS: [(&str, &str); 2] = [
    (calendar::CULTURE_DAY_SETTING, "global"),
    (SUSPENSION_SETTING, "procedure"),
];

/// Checks a setting key: dotted lower-case words, 1 to 100 characters.
pub fn parse_key(key: &str) -> ServiceResult<String> {
    let k = key.trim();
    let ok = (1..=100).contains(&k.len())
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_'));
    if ok {
        Ok(k.to_owned())
    } else {
        Err(ServiceError::invalid(
            "key",
            "use lower-case letters, digits, '.' and '_' (1 to 100)",
        ))
    }
}

/// A setting's value, for someone who may change it.
pub async fn setting(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    scope: Scope,
    key: &str,
) -> ServiceResult<Option<serde_json::Value>> {
    require_setting(store, actor, now, scope).await?;
    store.get_setting(&scope.as_text(), &parse_key(key)?).await
}

/// Sets a setting from its text: JSON when it reads as JSON (`true`, `2026`,
/// `{"a":1}`), else the text itself as a JSON string.
pub async fn put_setting(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    scope: Scope,
    key: &str,
    value: &str,
) -> ServiceResult<serde_json::Value> {
    require_setting(store, actor, now, scope).await?;
    let key = parse_key(key)?;
    // Settings with their own use cases and checks are not written here:
    // an unchecked value would break every page that reads them.
    if key.starts_with("routing.") {
        return Err(ServiceError::invalid(
            "key",
            "routing settings are set on the unit's page and the processes page",
        ));
    }
    let text = value.trim();
    if text.is_empty() || text.len() > 10_000 {
        return Err(ServiceError::invalid(
            "value",
            "give a value (at most 10,000 characters)",
        ));
    }
    let v =
        serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()));
    if key == SUSPENSION_SETTING && !matches!(v.as_str(), Some("pause" | "restart")) {
        return Err(ServiceError::invalid("value", "pause or restart"));
    }
    if key == calendar::CULTURE_DAY_SETTING
        && !v
            .as_i64()
            .is_some_and(|y| (i64::from(FIRST_YEAR)..=i64::from(LAST_YEAR)).contains(&y))
    {
        return Err(ServiceError::invalid("value", "a year such as 2026"));
    }
    store
        .put_setting(&actor.context(now), &scope.as_text(), &key, &v)
        .await?;
    Ok(v)
}

/// An account with its grants, for someone who manages it.
pub async fn account(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    username: &str,
) -> ServiceResult<(User, Vec<RoleGrant>)> {
    require_somewhere(store, actor, now, Permission::ManageUsers).await?;
    let user = store.user_by_username(&parse_username(username)?).await?;
    let grants = crate::users::require_manage(store, actor, now, &user).await?;
    Ok((user, grants))
}

/// Lets an account sign in again, or stops it (ending its sessions).
pub async fn set_active_as(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    username: &str,
    active: bool,
) -> ServiceResult<()> {
    let user = store.user_by_username(&parse_username(username)?).await?;
    crate::users::require_manage(store, actor, now, &user).await?;
    if !active && user.id == actor.user_id {
        return Err(ServiceError::invalid(
            "active",
            "you cannot deactivate your own account",
        ));
    }
    store
        .set_user_active(&actor.context(now), user.id, active)
        .await?;
    if !active {
        store.delete_user_sessions(user.id).await?;
    }
    Ok(())
}

/// A page of accounts (after a user name, in name order) with their
/// grants, for someone who manages users somewhere.
pub async fn accounts(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    after: Option<&str>,
    limit: u32,
) -> ServiceResult<Vec<(User, Vec<RoleGrant>)>> {
    let users = crate::users::list_as(store, actor, now, after, limit).await?;
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        let grants = store.roles_of(u.id).await?;
        out.push((u, grants));
    }
    Ok(out)
}

/// What the catalog page lists: procedures in code order, or search hits.
#[derive(Debug, Clone)]
pub enum CatalogRows {
    /// A page in code order (latest versions).
    Listed(Vec<crate::store::ProcedureVersion>),
    /// Ranked hits of a search, each as its latest version (so the page
    /// can show the time limit and version number beside the name).
    Found(Vec<crate::store::ProcedureVersion>),
}

/// The catalog for someone who keeps it: a search when `query` is given,
/// else a page of procedures after `after`.
pub async fn catalog(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    query: &str,
    after: Option<String>,
    limit: u32,
) -> ServiceResult<CatalogRows> {
    require_somewhere(store, actor, now, Permission::EditCatalog).await?;
    let filter = crate::store::ProcedureFilter::default();
    if query.trim().is_empty() {
        Ok(CatalogRows::Listed(
            crate::procedures::list(store, &filter, after, limit).await?,
        ))
    } else {
        let hits = crate::procedures::search(store, query.trim(), &filter, limit).await?;
        let mut found = Vec::with_capacity(hits.len());
        for h in hits {
            match crate::procedures::get(store, &h.code, None).await {
                Ok(v) => found.push(v),
                // Removed between the search index and this read.
                Err(crate::ServiceError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(CatalogRows::Found(found))
    }
}

/// Every version of a procedure, for someone who keeps the catalog.
pub async fn procedure_versions(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    code: &str,
) -> ServiceResult<Vec<crate::store::ProcedureVersion>> {
    require_somewhere(store, actor, now, Permission::EditCatalog).await?;
    crate::procedures::versions(store, code).await
}

/// Internal processes in force on a date under a unit, for someone who
/// manages processes there.
pub async fn processes(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit: &Unit,
    on: Date,
) -> ServiceResult<Vec<crate::store::Process>> {
    require(store, actor, now, Permission::ManageProcesses, unit.id).await?;
    crate::processes::processes(store, actor, now, unit.id, on).await
}

impl crate::services::Admin<'_> {
    /// Allows someone who administers something somewhere; records the refusal
    /// of anyone else.
    pub async fn require_admin(&self, actor: &Actor) -> ServiceResult<()> {
        self::require_admin(self.store(), actor, self.now()).await
    }

    /// The unit tree as it stood on a date, for someone who manages units or
    /// users somewhere (the tree is what their forms pick from).
    pub async fn unit_tree(
        &self,
        actor: &Actor,
        on: Date,
    ) -> ServiceResult<Vec<crate::store::UnitVersion>> {
        self::unit_tree(self.store(), actor, self.now(), on).await
    }

    /// The days of a year that are not ordinary (days off on weekdays, working
    /// weekend days, and every administrator's correction), as the calendar in
    /// force for `unit` (or every unit) has them, with the corrections of that
    /// scope. Readable by anyone who manages a calendar somewhere.
    pub async fn year(
        &self,
        actor: &Actor,
        unit: Option<&Unit>,
        year: i16,
    ) -> ServiceResult<(Vec<DayStatus>, Vec<CalendarOverride>)> {
        self::year(self.store(), actor, self.now(), unit, year).await
    }

    /// Records a correction after the access check.
    pub async fn set_day_as(
        &self,
        actor: &Actor,
        unit: Option<&Unit>,
        day: Date,
        working: bool,
        reason: &str,
    ) -> ServiceResult<()> {
        self::set_day_as(self.store(), actor, self.now(), unit, day, working, reason).await
    }

    /// Removes a correction after the access check.
    pub async fn unset_day_as(
        &self,
        actor: &Actor,
        unit: Option<&Unit>,
        day: Date,
    ) -> ServiceResult<()> {
        self::unset_day_as(self.store(), actor, self.now(), unit, day).await
    }

    /// A unit's office-hour rows, for someone who manages its calendar.
    pub async fn office_hours(
        &self,
        actor: &Actor,
        unit: &Unit,
    ) -> ServiceResult<Vec<OfficeHoursRow>> {
        self::office_hours(self.store(), actor, self.now(), unit).await
    }

    /// Sets a unit's office hours from a date, after the access check.
    pub async fn set_office_hours_as(
        &self,
        actor: &Actor,
        unit: &Unit,
        from: Date,
        to: Option<Date>,
        sessions: Vec<(Time, Time)>,
    ) -> ServiceResult<()> {
        self::set_office_hours_as(self.store(), actor, self.now(), unit, from, to, sessions).await
    }

    /// A setting's value, for someone who may change it.
    pub async fn setting(
        &self,
        actor: &Actor,
        scope: Scope,
        key: &str,
    ) -> ServiceResult<Option<serde_json::Value>> {
        self::setting(self.store(), actor, self.now(), scope, key).await
    }

    /// Sets a setting from its text: JSON when it reads as JSON (`true`, `2026`,
    /// `{"a":1}`), else the text itself as a JSON string.
    pub async fn put_setting(
        &self,
        actor: &Actor,
        scope: Scope,
        key: &str,
        value: &str,
    ) -> ServiceResult<serde_json::Value> {
        self::put_setting(self.store(), actor, self.now(), scope, key, value).await
    }

    /// An account with its grants, for someone who manages it.
    pub async fn account(
        &self,
        actor: &Actor,
        username: &str,
    ) -> ServiceResult<(User, Vec<RoleGrant>)> {
        self::account(self.store(), actor, self.now(), username).await
    }

    /// Lets an account sign in again, or stops it (ending its sessions).
    pub async fn set_active_as(
        &self,
        actor: &Actor,
        username: &str,
        active: bool,
    ) -> ServiceResult<()> {
        self::set_active_as(self.store(), actor, self.now(), username, active).await
    }

    /// A page of accounts (after a user name, in name order) with their
    /// grants, for someone who manages users somewhere.
    pub async fn accounts(
        &self,
        actor: &Actor,
        after: Option<&str>,
        limit: u32,
    ) -> ServiceResult<Vec<(User, Vec<RoleGrant>)>> {
        self::accounts(self.store(), actor, self.now(), after, limit).await
    }

    /// The catalog for someone who keeps it: a search when `query` is given,
    /// else a page of procedures after `after`.
    pub async fn catalog(
        &self,
        actor: &Actor,
        query: &str,
        after: Option<String>,
        limit: u32,
    ) -> ServiceResult<CatalogRows> {
        self::catalog(self.store(), actor, self.now(), query, after, limit).await
    }

    /// Every version of a procedure, for someone who keeps the catalog.
    pub async fn procedure_versions(
        &self,
        actor: &Actor,
        code: &str,
    ) -> ServiceResult<Vec<crate::store::ProcedureVersion>> {
        self::procedure_versions(self.store(), actor, self.now(), code).await
    }

    /// Internal processes in force on a date under a unit, for someone who
    /// manages processes there.
    pub async fn processes(
        &self,
        actor: &Actor,
        unit: &Unit,
        on: Date,
    ) -> ServiceResult<Vec<crate::store::Process>> {
        self::processes(self.store(), actor, self.now(), unit, on).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_keys_parse_or_name_the_field() {
        assert_eq!(Scope::parse("global").unwrap(), Scope::Global);
        assert_eq!(Scope::parse(" unit:12 ").unwrap(), Scope::Unit(12));
        assert_eq!(
            Scope::parse("procedure:3").unwrap().as_text(),
            "procedure:3"
        );
        for bad in ["", "unit:", "unit:x", "site:1", "global:1"] {
            assert!(Scope::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_key(" notify.email ").unwrap(), "notify.email");
        for bad in ["", "Có dấu", "a b", &"x".repeat(101)] {
            assert!(parse_key(bad).is_err(), "{bad}");
        }
    }
}
