//! `motcua stats rebuild [--verify]`: the statistics layer recomputed from
//! every dossier's history (its events, its clock, its components), then
//! either stored in place of the layer or compared with it, naming the
//! first difference. Live changes and this replay must agree; a difference
//! is a bug in one of them (or a layer written by an older release).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::deadline::WorkTime;
use motcua_domain::role::Role;
use motcua_domain::stats::{Counts, Grain, Measure};
use serde::Serialize;

use crate::access::{Actor, Permission, deny};
use crate::calendar::{UnitCalendar, load};
use crate::error::ServiceResult;
use crate::store::{KeyedHistory, StatKey, StatRow, Store};

/// Dossiers read per page.
const PAGE: u32 = 2_000;

/// What a rebuild did or found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RebuildOutcome {
    /// Dossiers replayed.
    pub dossiers: u64,
    /// Rows of the rebuilt layer.
    pub rows: usize,
    /// Whether the rebuilt layer was stored.
    pub stored: bool,
    /// With `verify`: the first difference with the stored layer, if any.
    pub first_difference: Option<String>,
}

/// Recomputes the layer. Only a system administrator (or the system
/// itself, as the CLI runs) may: it reads every unit's dossiers.
pub async fn rebuild(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    verify: bool,
) -> ServiceResult<RebuildOutcome> {
    if !actor.is_system() && !actor.holds(Role::SystemAdmin) {
        return deny(store, actor, now, Permission::ViewStatistics, "stats").await;
    }
    let (rows, dossiers) = recompute(store).await?;
    if verify {
        let stored = store.stat_rows().await?;
        return Ok(RebuildOutcome {
            dossiers,
            rows: rows.len(),
            stored: false,
            first_difference: first_difference(&stored, &rows),
        });
    }
    store.replace_stats(&actor.context(now), &rows).await?;
    Ok(RebuildOutcome {
        dossiers,
        rows: rows.len(),
        stored: true,
        first_difference: None,
    })
}

/// The newest migration that changed what the statistics layer holds
/// (0009 created it; 0010 added the processing time).
pub const LAYER_MIGRATION: u32 = 10;

/// After migrating: when this call created or reshaped the layer on a
/// database that already holds dossiers (an upgrade), fills it from their
/// histories, so that reports are right from the first start. `None` when
/// nothing was needed.
pub async fn after_migration(
    store: &dyn Store,
    report: &crate::store::MigrationReport,
    now: Timestamp,
) -> ServiceResult<Option<RebuildOutcome>> {
    let before = report.total.saturating_sub(report.applied_now);
    let created_now = before < LAYER_MIGRATION && report.total >= LAYER_MIGRATION;
    if !created_now || store.dossiers_after(0, 1).await?.is_empty() {
        return Ok(None);
    }
    rebuild(store, &Actor::system("migrate"), now, false)
        .await
        .map(Some)
}

/// Sums of the day grain per group, while the histories are replayed. Only
/// days are summed there: a month, quarter or year is the sum of its days,
/// added once at the end ([`layer`]), which is four times fewer map updates
/// than summing every change at every grain. A hash map, not an ordered
/// one: millions of groups, each updated a few times per dossier.
type DaySums = HashMap<(Date, StatKey), Counts, foldhash::fast::FixedState>;

/// Units' calendars, loaded once each.
type Calendars = HashMap<i64, Arc<UnitCalendar>>;

/// [`recompute`] for a system administrator or the system itself (the
/// bench times it apart from the write): it reads every unit's dossiers.
pub async fn recompute_as(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
) -> ServiceResult<(Vec<StatRow>, u64)> {
    if !actor.is_system() && !actor.holds(Role::SystemAdmin) {
        return deny(store, actor, now, Permission::ViewStatistics, "stats").await;
    }
    recompute(store).await
}

/// The layer as the dossiers' histories give it, ordered like
/// [`crate::store::StatsStore::stat_rows`], and how many dossiers were read.
///
/// Each page is replayed on a blocking thread while the next page is read:
/// reading is the database's thread and the decoding here, replaying is
/// the clock engine; on two cores they overlap (BENCHMARKS.md, issue 17).
pub(crate) async fn recompute(store: &dyn Store) -> ServiceResult<(Vec<StatRow>, u64)> {
    let mut calendars = Calendars::new();
    let mut count = 0u64;
    let mut after = 0;
    // The replay of the page before, which hands the sums on; the first
    // one has nothing to replay.
    let mut replaying = tokio::task::spawn_blocking(|| Ok(DaySums::default()));
    loop {
        let page = store.histories_after(after, PAGE).await?;
        let Some(last) = page.last().map(|d| d.id) else {
            break;
        };
        after = last;
        count += page.len() as u64;
        for d in &page {
            if let std::collections::hash_map::Entry::Vacant(slot) = calendars.entry(d.key.unit_id)
            {
                let unit = store.unit_by_id(d.key.unit_id).await?;
                slot.insert(Arc::new(load(store, Some(&unit)).await?));
            }
        }
        let mut sums = joined(replaying).await?;
        let cals = calendars.clone();
        replaying = tokio::task::spawn_blocking(move || {
            replay_page(page, &cals, &mut sums)?;
            Ok(sums)
        });
    }
    let sums = joined(replaying).await?;
    Ok((layer(sums), count))
}

/// The result of a page's replay.
async fn joined(h: tokio::task::JoinHandle<ServiceResult<DaySums>>) -> ServiceResult<DaySums> {
    h.await.map_err(|e| {
        crate::error::ServiceError::Internal(format!("statistics replay stopped: {e}"))
    })?
}

/// The stored rows from the day sums: every grain, without empty rows, in
/// the order of the layer's key.
fn layer(days: DaySums) -> Vec<StatRow> {
    let mut coarse: HashMap<(Grain, Date, StatKey), Counts, foldhash::fast::FixedState> =
        HashMap::default();
    let mut rows: Vec<StatRow> = Vec::with_capacity(days.len() + days.len() / 4);
    for ((day, key), counts) in days {
        for g in [Grain::Month, Grain::Quarter, Grain::Year] {
            coarse
                .entry((g, g.bucket(day), key))
                .or_default()
                .add_all(&counts);
        }
        rows.push(StatRow {
            grain: Grain::Day,
            bucket: day,
            key,
            counts,
        });
    }
    rows.extend(
        coarse
            .into_iter()
            .map(|((grain, bucket, key), counts)| StatRow {
                grain,
                bucket,
                key,
                counts,
            }),
    );
    rows.retain(|r| !r.counts.is_zero());
    // Sorted by key with an index: a row is 280 bytes, and sorting millions
    // of them in place moved each many times (profiled, issue 17).
    let mut order: Vec<((Grain, Date, StatKey), u32)> = rows
        .iter()
        .zip(0u32..)
        .map(|(r, i)| ((r.grain, r.bucket, r.key), i))
        .collect();
    order.sort_unstable_by_key(|(k, _)| *k);
    order
        .into_iter()
        .map(|(_, i)| rows[i as usize].clone())
        .collect()
}

/// Replays a page's histories into `sums` (their calendars loaded).
fn replay_page(
    page: Vec<KeyedHistory>,
    calendars: &Calendars,
    sums: &mut DaySums,
) -> ServiceResult<()> {
    for d in &page {
        let cal = calendars.get(&d.key.unit_id).ok_or_else(|| {
            crate::error::ServiceError::Internal(format!("no calendar for unit {}", d.key.unit_id))
        })?;
        let work = WorkTime::new(&cal.calendar, &cal.hours);
        for ch in super::track::changes_of(&d.history, &work)? {
            sums.entry((ch.day, d.key)).or_default().add_all(&ch.counts);
        }
    }
    Ok(())
}

fn describe(r: &StatRow) -> String {
    format!(
        "grain {} bucket {} unit {} procedure {} channel {}",
        r.grain.as_str(),
        r.bucket,
        r.key.unit_id,
        r.key.procedure_id,
        r.key.channel.as_str()
    )
}

/// The first difference between the stored layer and the rebuilt one, in
/// row order, naming the row and the measure; `None` when they agree.
pub fn first_difference(stored: &[StatRow], rebuilt: &[StatRow]) -> Option<String> {
    let index = |rows: &[StatRow]| -> BTreeMap<(Grain, Date, StatKey), Counts> {
        let mut m: BTreeMap<(Grain, Date, StatKey), Counts> = BTreeMap::new();
        for r in rows.iter().filter(|r| !r.counts.is_zero()) {
            m.entry((r.grain, r.bucket, r.key))
                .or_default()
                .add_all(&r.counts);
        }
        m
    };
    let a = index(stored);
    let b = index(rebuilt);
    let mut keys: Vec<_> = a.keys().chain(b.keys()).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    for k in keys {
        let s = a.get(&k).copied().unwrap_or_default();
        let r = b.get(&k).copied().unwrap_or_default();
        if s != r {
            let row = StatRow {
                grain: k.0,
                bucket: k.1,
                key: k.2,
                counts: s,
            };
            let m = Measure::ALL
                .iter()
                .find(|m| s.get(**m) != r.get(**m))
                .copied()
                .unwrap_or(Measure::Received);
            return Some(format!(
                "{}: {} stored {}, rebuilt from history {}",
                describe(&row),
                m.column(),
                s.get(m),
                r.get(m)
            ));
        }
    }
    None
}

impl crate::services::Stats<'_> {
    /// Recomputes the layer. Only a system administrator (or the system
    /// itself, as the CLI runs) may: it reads every unit's dossiers.
    pub async fn rebuild(&self, actor: &Actor, verify: bool) -> ServiceResult<RebuildOutcome> {
        self::rebuild(self.store(), actor, self.now(), verify).await
    }

    /// After migrating: when this call created or reshaped the layer on a
    /// database that already holds dossiers (an upgrade), fills it from their
    /// histories, so that reports are right from the first start. `None` when
    /// nothing was needed.
    pub async fn after_migration(
        &self,
        report: &crate::store::MigrationReport,
    ) -> ServiceResult<Option<RebuildOutcome>> {
        self::after_migration(self.store(), report, self.now()).await
    }
}
