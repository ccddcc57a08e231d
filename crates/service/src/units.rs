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

/// Adds a unit with its audit entry, without an access check: private, for
/// [`add_unit`] once it checked (the command line and seeding act as the
/// system actor, who passes every check).
async fn create_unit(store: &dyn Store, ctx: &AuditContext, unit: NewUnit) -> ServiceResult<Unit> {
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
pub(crate) async fn tree_on(store: &dyn Store, on: Date) -> ServiceResult<Vec<UnitVersion>> {
    store.units_on(on).await
}

/// A unit's history: versions and successions.
pub(crate) async fn history(
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

/// Units that once lay under one of `covered` (a scope as today's tree and
/// successions give it) and no longer do, because they moved elsewhere,
/// each with the first day they were outside: the dossiers they received
/// before that day stay in the scope's lists, dashboards and access (issue
/// 17, point 8: moving a district's desk under a new commune must not take
/// the district's past dossiers away). Units still covered are not listed.
///
/// The tree is constant between the days versions start or end, so it is
/// judged on each such day up to `today`; a unit that left and came back
/// keeps the later of its departures.
pub fn departures(
    versions: &[UnitVersion],
    covered: &std::collections::HashSet<i64>,
    today: Date,
) -> Vec<(i64, Date)> {
    use std::collections::{BTreeSet, HashMap};
    let mut days: BTreeSet<Date> = BTreeSet::new();
    for v in versions {
        days.insert(v.valid_from);
        if let Some(next) = v.valid_to.and_then(|t| t.tomorrow().ok()) {
            days.insert(next);
        }
    }
    let days: Vec<Date> = days.into_iter().filter(|d| *d <= today).collect();
    let mut last_under: HashMap<i64, usize> = HashMap::new();
    for (i, day) in days.iter().enumerate() {
        let parents: HashMap<i64, Option<i64>> = versions
            .iter()
            .filter(|v| v.valid_from <= *day && v.valid_to.is_none_or(|t| t >= *day))
            .map(|v| (v.unit_id, v.parent_id))
            .collect();
        for &unit in parents.keys() {
            if covered.contains(&unit) {
                continue;
            }
            let mut cur = parents.get(&unit).copied().flatten();
            let mut steps = 0;
            while let Some(p) = cur {
                if covered.contains(&p) {
                    last_under.insert(unit, i);
                    break;
                }
                steps += 1;
                if steps > 64 {
                    break;
                }
                cur = parents.get(&p).copied().flatten();
            }
        }
    }
    // Under a covered unit on the last of those days: it has not left.
    let mut out: Vec<(i64, Date)> = last_under
        .into_iter()
        .filter_map(|(unit, i)| days.get(i + 1).map(|until| (unit, *until)))
        .collect();
    out.sort_unstable();
    out
}

/// [`departures`] for several scopes at once (an actor's grants), read
/// from one load of the tree's history, as instants: the start of the
/// first day outside, in Vietnam's time.
pub(crate) async fn departed(
    store: &dyn Store,
    scopes: &[&std::collections::HashSet<i64>],
    today: Date,
) -> ServiceResult<Vec<crate::store::Departed>> {
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    let versions = store.all_unit_versions().await?;
    let mut out: std::collections::BTreeMap<i64, Date> = std::collections::BTreeMap::new();
    for covered in scopes {
        for (unit, until) in departures(&versions, covered, today) {
            if scopes.iter().any(|s| s.contains(&unit)) {
                continue;
            }
            let e = out.entry(unit).or_insert(until);
            *e = (*e).max(until);
        }
    }
    out.into_iter()
        .map(|(unit_id, until)| {
            Ok(crate::store::Departed {
                unit_id,
                before: motcua_domain::time::from_local(
                    until.to_datetime(jiff::civil::Time::midnight()),
                )?,
            })
        })
        .collect()
}

impl crate::services::Units<'_> {
    /// Adds a unit on behalf of an actor, who must manage units on the parent
    /// (a root unit needs the system or a system administrator).
    pub async fn add_unit(&self, actor: &Actor, unit: NewUnit) -> ServiceResult<Unit> {
        self::add_unit(self.store(), actor, self.now(), unit).await
    }

    /// Applies a rename, move, abolition, merge or split, after checking the
    /// actor manages every unit it touches.
    pub async fn change(&self, actor: &Actor, change: UnitChange) -> ServiceResult<Vec<Unit>> {
        self::change(self.store(), actor, self.now(), change).await
    }

    /// Finds a unit by its code given as text, with parse errors naming `field`.
    pub async fn find_unit(&self, field: &'static str, code: &str) -> ServiceResult<Unit> {
        self::find_unit(self.store(), field, code).await
    }

    /// The tree as it stood on a date.
    pub async fn tree_on(&self, on: Date) -> ServiceResult<Vec<UnitVersion>> {
        self::tree_on(self.store(), on).await
    }

    /// A unit's history: versions and successions.
    pub async fn history(
        &self,
        unit_id: i64,
    ) -> ServiceResult<(Vec<UnitVersion>, Vec<Succession>)> {
        self::history(self.store(), unit_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use std::collections::HashSet;

    fn v(unit: i64, from: Date, to: Option<Date>, parent: Option<i64>) -> UnitVersion {
        UnitVersion {
            unit_id: unit,
            valid_from: from,
            valid_to: to,
            code: UnitCode::parse(&format!("000.{unit:02}.00.H40")).unwrap(),
            name: format!("u{unit}"),
            parent_id: parent,
            kind: UnitKind::Commune,
            level: Level::Commune,
        }
    }

    #[test]
    fn a_desk_moved_away_keeps_its_past_under_the_old_parent() {
        // 1 province; 2 district; 3 desk under 2 until 30/6/2025, then under
        // 4, a new commune from 1/7/2025.
        let start = date(2020, 1, 1);
        let moved = date(2025, 7, 1);
        let versions = vec![
            v(1, start, None, None),
            v(2, start, None, Some(1)),
            v(3, start, Some(date(2025, 6, 30)), Some(2)),
            v(3, moved, None, Some(4)),
            v(4, moved, None, Some(1)),
        ];
        let district: HashSet<i64> = [2].into();
        assert_eq!(
            departures(&versions, &district, date(2026, 12, 6)),
            vec![(3, moved)]
        );
        // The province still covers the desk today: nothing departed.
        let province: HashSet<i64> = [1, 2, 3, 4].into();
        assert!(departures(&versions, &province, date(2026, 12, 6)).is_empty());
        // The new commune never had it before: nothing departed either.
        let commune: HashSet<i64> = [4, 3].into();
        assert!(departures(&versions, &commune, date(2026, 12, 6)).is_empty());
        // Judged before the move, the desk has not left.
        assert!(departures(&versions, &district, date(2025, 6, 30)).is_empty());
    }

    #[test]
    fn a_grandchild_leaves_with_its_parent_and_a_return_keeps_the_later_departure() {
        let s = date(2020, 1, 1);
        let versions = vec![
            v(1, s, None, None),
            v(2, s, None, Some(1)),
            v(5, s, None, Some(1)),
            // 3 under 2, then under 5 from 2022, back under 2 in 2023, under 5
            // again from 2024; 6 hangs under 3 throughout.
            v(3, s, Some(date(2021, 12, 31)), Some(2)),
            v(3, date(2022, 1, 1), Some(date(2022, 12, 31)), Some(5)),
            v(3, date(2023, 1, 1), Some(date(2023, 12, 31)), Some(2)),
            v(3, date(2024, 1, 1), None, Some(5)),
            v(6, s, None, Some(3)),
        ];
        let two: HashSet<i64> = [2].into();
        assert_eq!(
            departures(&versions, &two, date(2026, 1, 1)),
            vec![(3, date(2024, 1, 1)), (6, date(2024, 1, 1))]
        );
    }
}
