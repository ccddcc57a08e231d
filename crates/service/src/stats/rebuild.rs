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

/// Dossier ids per page. Two pages are read at once, on two connections.
const PAGE: i64 = 2_000;

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
/// than summing every change at every grain. Hash maps, not ordered ones:
/// millions of groups, each updated a few times per dossier.
///
/// One map per month rather than one for all: a page of dossiers (received
/// about the same time) changes the last few months, whose maps stay in
/// the cache, and a map that grows moves one month's entries, not all of
/// them (at 10,000,000 dossiers a single map's growth stopped the replay
/// for about 5 s each time, while everything else waited for it).
#[derive(Default)]
struct DaySums {
    months: HashMap<(i16, i8), DayMap, foldhash::fast::FixedState>,
}

/// One month's sums by day and group.
type DayMap = HashMap<(Date, StatKey), Counts, foldhash::fast::FixedState>;

impl DaySums {
    fn add(&mut self, day: Date, key: StatKey, counts: &Counts) {
        self.months
            .entry((day.year(), day.month()))
            .or_default()
            .entry((day, key))
            .or_default()
            .add_all(counts);
    }

    /// Groups and days summed.
    fn len(&self) -> usize {
        self.months.values().map(HashMap::len).sum()
    }

    fn into_days(self) -> impl Iterator<Item = ((Date, StatKey), Counts)> {
        self.months.into_values().flatten()
    }
}

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

/// Replays running at once, each over its own share of the units.
const REPLAYS: usize = 2;

/// The layer as the dossiers' histories give it, ordered like
/// [`crate::store::StatsStore::stat_rows`], and how many dossiers were read.
///
/// What overlaps: two pages of histories are read at once, each on its own
/// connection (the database builds one page while the other is decoded
/// here), while the pages before them are replayed (the clock engine and
/// the day sums) on [`REPLAYS`] blocking threads. Each replay owns the
/// units whose id falls to it, so their sums never share a key: no merge
/// at the end, and each hash map is a fraction of the whole. Measured at
/// 10,000,000 dossiers, one replay thread was the bottleneck, busy most of
/// the time while the reads waited (BENCHMARKS.md, issue 17).
pub(crate) async fn recompute(store: &dyn Store) -> ServiceResult<(Vec<StatRow>, u64)> {
    let last = store.last_dossier_id().await?;
    let mut calendars = Arc::new(Calendars::new());
    let mut count = 0u64;
    let mut after = 0;
    // The replays of the pages before, which hand their sums on; the first
    // ones have nothing to replay.
    let mut replaying: Vec<Replay> = (0..REPLAYS)
        .map(|_| tokio::task::spawn_blocking(|| Ok(DaySums::default())))
        .collect();
    while after < last {
        let middle = after.saturating_add(PAGE).min(last);
        let upto = middle.saturating_add(PAGE).min(last);
        let (first, second, sums) = tokio::join!(
            store.histories_between(after, middle),
            store.histories_between(middle, upto),
            all_joined(replaying),
        );
        after = upto;
        let (first, second, sums) = (first?, second?, sums?);
        count += (first.len() + second.len()) as u64;
        let mut shares: Vec<Vec<KeyedHistory>> = (0..REPLAYS).map(|_| Vec::new()).collect();
        for d in first.into_iter().chain(second) {
            if !calendars.contains_key(&d.key.unit_id) {
                let unit = store.unit_by_id(d.key.unit_id).await?;
                let calendar = Arc::new(load(store, Some(&unit)).await?);
                Arc::make_mut(&mut calendars).insert(d.key.unit_id, calendar);
            }
            shares[share_of(d.key.unit_id)].push(d);
        }
        replaying = shares
            .into_iter()
            .zip(sums)
            .map(|(share, mut sums)| {
                let cals = calendars.clone();
                tokio::task::spawn_blocking(move || {
                    replay_page(share, &cals, &mut sums)?;
                    Ok(sums)
                })
            })
            .collect();
    }
    let sums = all_joined(replaying).await?;
    Ok((layer(sums).await?, count))
}

/// A replay of a share of a page, handing on its sums.
type Replay = tokio::task::JoinHandle<ServiceResult<DaySums>>;

/// Which replay owns a unit's dossiers.
fn share_of(unit_id: i64) -> usize {
    // REPLAYS is a small constant: the casts cannot truncate.
    unit_id.rem_euclid(REPLAYS as i64) as usize
}

/// The sums of every replay, in order.
async fn all_joined(replays: Vec<Replay>) -> ServiceResult<Vec<DaySums>> {
    let mut out = Vec::with_capacity(replays.len());
    for r in replays {
        out.push(joined(r).await?);
    }
    Ok(out)
}

/// The result of a page's replay.
async fn joined(h: tokio::task::JoinHandle<ServiceResult<DaySums>>) -> ServiceResult<DaySums> {
    h.await.map_err(|e| {
        crate::error::ServiceError::Internal(format!("statistics replay stopped: {e}"))
    })?
}

/// The stored rows from the replays' day sums, in the order of the
/// layer's key. No key is in two shares (a unit belongs to one replay), so
/// each share's rows are made and sorted on a thread of its own and the
/// sorted runs merged: on one thread this took about 10 s at 10,000,000
/// dossiers while the other core idled.
async fn layer(shares: Vec<DaySums>) -> ServiceResult<Vec<StatRow>> {
    let runs: Vec<_> = shares
        .into_iter()
        .map(|share| tokio::task::spawn_blocking(move || layer_of(share)))
        .collect();
    let mut sorted = Vec::with_capacity(runs.len());
    for run in runs {
        sorted.push(run.await.map_err(|e| {
            crate::error::ServiceError::Internal(format!("statistics layer stopped: {e}"))
        })?);
    }
    Ok(merged(sorted))
}

/// Sorted runs of rows with distinct keys as one sorted list.
fn merged(runs: Vec<Vec<StatRow>>) -> Vec<StatRow> {
    let key = |r: &StatRow| (r.grain, r.bucket, r.key);
    let mut out = Vec::with_capacity(runs.iter().map(Vec::len).sum());
    let mut runs: Vec<_> = runs.into_iter().map(|r| r.into_iter().peekable()).collect();
    loop {
        let next = runs
            .iter_mut()
            .enumerate()
            .filter_map(|(i, r)| r.peek().map(|row| (key(row), i)))
            .min();
        let Some((_, i)) = next else {
            return out;
        };
        out.extend(runs[i].next());
    }
}

/// One share's rows: every grain, without empty rows, sorted by key.
fn layer_of(days: DaySums) -> Vec<StatRow> {
    let mut coarse: HashMap<(Grain, Date, StatKey), Counts, foldhash::fast::FixedState> =
        HashMap::default();
    let mut rows: Vec<StatRow> = Vec::with_capacity(days.len() + days.len() / 4);
    for ((day, key), counts) in days.into_days() {
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
            sums.add(ch.day, d.key, &ch.counts);
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

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::dossier::Channel;

    fn row(grain: Grain, day: i8, unit_id: i64, received: i64) -> StatRow {
        let mut counts = Counts::default();
        counts.0[0] = received;
        StatRow {
            grain,
            bucket: Date::new(2026, 1, day).unwrap(),
            key: StatKey {
                unit_id,
                procedure_id: 1,
                channel: Channel::Online,
            },
            counts,
        }
    }

    #[test]
    fn shares_split_the_units_and_their_sorted_runs_merge_in_key_order() {
        assert_eq!(share_of(4), 0);
        assert_eq!(share_of(7), 1);
        assert_eq!(share_of(-3), 1, "never out of range");
        // Two runs as two shares give them: units 2 and 4, units 1 and 3.
        let even = vec![
            row(Grain::Day, 1, 2, 1),
            row(Grain::Day, 3, 4, 2),
            row(Grain::Month, 1, 2, 3),
        ];
        let odd = vec![
            row(Grain::Day, 1, 1, 4),
            row(Grain::Day, 2, 3, 5),
            row(Grain::Day, 3, 3, 6),
            row(Grain::Year, 1, 1, 7),
        ];
        let all = merged(vec![even, odd]);
        let seen: Vec<i64> = all.iter().map(|r| r.counts.0[0]).collect();
        // Grain first (day < month < year), then the day, then the unit.
        assert_eq!(seen, [4, 1, 5, 6, 2, 3, 7]);
        assert!(merged(vec![Vec::new(), Vec::new()]).is_empty());
    }
}
