//! The home dashboard (issue 6): what a unit has on its plate today and how
//! this month is going, for the units the actor may read dossiers on.
//!
//! Each figure is defined so that the dossier list, given the filters the
//! page links with, shows exactly the dossiers counted. Today's work counts
//! the unit's subtree by receiving or holding unit, as the list's `unit`
//! filter does; the month's rates come from the statistics layer, like
//! every report, and count what the subtree received (`received_only`).

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use motcua_domain::role::Role;
use motcua_domain::time::{from_local, to_local};

use crate::access::{Actor, Permission, deny, require};
use crate::error::{ServiceError, ServiceResult};
use crate::store::{DashboardCounts, DashboardScope, Store, Unit};
use motcua_domain::stats::Figures;

/// Days in the "received per day" series, today included: two working
/// weeks, enough to see a Monday peak against the week before.
pub const SERIES_DAYS: u32 = 14;

/// The dashboard of one unit at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// The unit (its subtree is counted).
    pub unit: Unit,
    /// Today in Vietnam.
    pub today: Date,
    /// The first day of this month.
    pub month_start: Date,
    /// The first day of the daily series.
    pub series_from: Date,
    /// The counts of today's work.
    pub counts: DashboardCounts,
    /// This month so far: its flows from the statistics layer (the reports' figures
    /// and attribution: dossiers the unit's subtree received).
    pub month: Figures,
}

impl Dashboard {
    /// The days of the series with their counts, oldest first.
    pub fn series(&self) -> Vec<(Date, u64)> {
        self.series_from
            .series(jiff::Span::new().days(1))
            .zip(self.counts.received_per_day.iter().copied())
            .collect()
    }

    /// This month's resolved-based on-time rate as (early + on time,
    /// resolved with a limit), domain.md §9.
    pub fn on_time(&self) -> (u64, u64) {
        let r = self.month.rates()[0];
        (count(r.num), count(r.den))
    }

    /// This month's online rate as (received online, received), domain.md §9.
    pub fn online(&self) -> (u64, u64) {
        let r = self.month.rates()[2];
        (count(r.num), count(r.den))
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The units whose dashboard the actor may open: those granted to them with
/// a role that reads dossiers. The first is the default, so units of daily
/// work come first (desk, then specialist, then leader), then those only
/// administered or watched; ties in code order.
pub async fn units(store: &dyn Store, actor: &Actor) -> ServiceResult<Vec<Unit>> {
    let mut ranked: Vec<(u8, i64)> = actor
        .grants
        .iter()
        .filter(|g| crate::access::role_permits(g.role, Permission::ViewDossiers))
        .map(|g| (work_rank(g.role), g.unit_id))
        .collect();
    ranked.sort_unstable();
    let mut units: Vec<(u8, Unit)> = Vec::with_capacity(ranked.len());
    for (rank, id) in ranked {
        if units.iter().any(|(_, u)| u.id == id) {
            continue;
        }
        units.push((rank, store.unit_by_id(id).await?));
    }
    units.sort_by(|(ra, a), (rb, b)| {
        ra.cmp(rb)
            .then_with(|| a.code.as_str().cmp(b.code.as_str()))
    });
    Ok(units.into_iter().map(|(_, u)| u).collect())
}

/// How close a role is to the daily handling of dossiers (lower first).
fn work_rank(role: Role) -> u8 {
    match role {
        Role::DeskOfficer => 0,
        Role::Specialist => 1,
        Role::Leader => 2,
        Role::UnitAdmin => 3,
        Role::ReformEvaluator => 4,
        Role::Viewer => 5,
        Role::SystemAdmin => 6,
    }
}

/// The dashboard of `unit` (a unit code; the actor's first unit when
/// `None`) at `now`. A unit the actor may not read dossiers on is refused
/// and the refusal audited, like any other read.
pub async fn dashboard(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    unit: Option<&str>,
) -> ServiceResult<Dashboard> {
    let unit = match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(code) => crate::units::find_unit(store, "unit", code)
            .await
            .map_err(|e| match e {
                ServiceError::NotFound { .. } => {
                    ServiceError::invalid("unit", format!("no unit {code}"))
                }
                other => other,
            })?,
        None => match units(store, actor).await?.into_iter().next() {
            Some(u) => u,
            None => return deny(store, actor, now, Permission::ViewDossiers, "any").await,
        },
    };
    require(store, actor, now, Permission::ViewDossiers, unit.id).await?;
    let mut unit_ids = store.subtree_ids(unit.id).await?;
    // The month's figures count what the subtree received, as reports do.
    let receiving = unit_ids.clone();
    let today = to_local(now).date();
    // A subtree that is the whole tree is no filter: leaving it out lets
    // each count walk one index instead of checking every row's units.
    let whole_tree = unit_ids.len() >= store.list_units().await?.len();
    let departed = if whole_tree {
        unit_ids.clear();
        Vec::new()
    } else {
        // A desk moved out of the unit keeps what it received before in
        // the unit's figures.
        let covered: std::collections::HashSet<i64> = unit_ids.iter().copied().collect();
        crate::units::departed(store, &[&covered], today).await?
    };
    unit_ids.sort_unstable();
    let month_start = today.first_of_month();
    let series_from = today
        .checked_sub(jiff::Span::new().days(i64::from(SERIES_DAYS) - 1))
        .map_err(|e| ServiceError::Internal(format!("series start: {e}")))?;
    let scope = DashboardScope {
        unit_ids,
        departed,
        now,
        today: midnight(today)?,
        tomorrow: midnight(
            today
                .tomorrow()
                .map_err(|e| ServiceError::Internal(format!("tomorrow: {e}")))?,
        )?,
        series_from: midnight(series_from)?,
        series_days: SERIES_DAYS,
    };
    let counts = store.dashboard_counts(&scope).await?;
    let layer_units: &[i64] = if whole_tree { &[] } else { &receiving };
    let mut month = crate::stats::report::flows_of(
        store,
        layer_units,
        &motcua_domain::stats::Period::new(month_start, today)?,
        today,
    )
    .await?;
    // A unit that left the subtree this month counts until the day before
    // it left, as the list keeps what it received before leaving.
    for gone in &scope.departed {
        let last = to_local(gone.before)
            .date()
            .yesterday()
            .map_err(|e| ServiceError::Internal(format!("departure: {e}")))?
            .min(today);
        if last >= month_start {
            let p = motcua_domain::stats::Period::new(month_start, last)?;
            month.add(&crate::stats::report::flows_of(store, &[gone.unit_id], &p, today).await?);
        }
    }
    Ok(Dashboard {
        unit,
        today,
        month_start,
        series_from,
        counts,
        month,
    })
}

fn midnight(d: Date) -> ServiceResult<Timestamp> {
    Ok(from_local(d.to_datetime(Time::midnight()))?)
}

impl crate::services::Dashboards<'_> {
    /// The units whose dashboard the actor may open: those granted to them with
    /// a role that reads dossiers. The first is the default, so units of daily
    /// work come first (desk, then specialist, then leader), then those only
    /// administered or watched; ties in code order.
    pub async fn units(&self, actor: &Actor) -> ServiceResult<Vec<Unit>> {
        self::units(self.store(), actor).await
    }

    /// The dashboard of `unit` (a unit code; the actor's first unit when
    /// `None`) at `now`. A unit the actor may not read dossiers on is refused
    /// and the refusal audited, like any other read.
    pub async fn dashboard(&self, actor: &Actor, unit: Option<&str>) -> ServiceResult<Dashboard> {
        self::dashboard(self.store(), actor, self.now(), unit).await
    }
}
