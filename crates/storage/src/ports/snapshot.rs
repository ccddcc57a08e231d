//! Snapshots of the statistics layer's levels at the end of closed months
//! (`stat_snapshots`, migration 0011), one row per receiving unit, and the
//! packing of a unit's groups into that row.
//!
//! Why: a province's report needs each group's level at two ends. Summed
//! from `stat_counts`, that is several rows per group of 26 measures, tens
//! of thousands of rows through the driver, and a sort to group them. A
//! closed month's level no longer moves with live work (changes are dated
//! the day they happen), so it is computed once and kept packed: a report
//! then decodes a few hundred rows of bytes and sums them in memory.
//!
//! Packing: a version byte, the number of measures, then per group the
//! procedure id, the channel's index and every measure, each integer as a
//! zigzag LEB128 varint (most levels are small).

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use motcua_domain::dossier::Channel;
use motcua_domain::stats::{Counts, Grain, MEASURES, prefix_ranges};
use motcua_service::error::ServiceResult;
use motcua_service::store::StatKey;

use crate::catalog::sql::Assemble;
use crate::conn::{Arg, Backend, Conn, Dialect, Sql, commit};
use crate::error::{corrupt, db};

/// The packing's version.
const FORMAT: u8 = 1;

/// Bumped by every write that could change a snapshot and by every build:
/// on PostgreSQL its row lock orders the two.
pub(crate) const BUMP_EPOCH: &str = "UPDATE stat_epoch SET n = n + 1 WHERE id = 1";

/// Units' snapshot rows per insert statement.
const UNITS_PER_STATEMENT: usize = 100;

fn put(out: &mut Vec<u8>, v: i64) {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    loop {
        let byte = (z & 0x7f) as u8;
        z >>= 7;
        if z == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn take(bytes: &[u8], at: &mut usize) -> Option<i64> {
    let mut z = 0u64;
    let mut shift = 0u32;
    loop {
        let byte = *bytes.get(*at)?;
        *at += 1;
        if shift > 63 {
            return None;
        }
        z |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(((z >> 1) as i64) ^ -((z & 1) as i64));
        }
        shift += 7;
    }
}

/// One unit's groups packed.
pub(crate) fn pack(groups: &[(i64, Channel, Counts)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + groups.len() * (MEASURES + 3));
    out.push(FORMAT);
    out.push(MEASURES as u8);
    for (procedure, channel, counts) in groups {
        put(&mut out, *procedure);
        let index = Channel::ALL.iter().position(|c| c == channel).unwrap_or(0);
        out.push(index as u8);
        for v in counts.0 {
            put(&mut out, v);
        }
    }
    out
}

/// A unit's packed groups, each given to `each`; `None` when the bytes are
/// not a packing of this version (a corrupt row).
pub(crate) fn unpack(bytes: &[u8], mut each: impl FnMut(i64, Channel, &Counts)) -> Option<()> {
    if bytes.first() != Some(&FORMAT) || bytes.get(1) != Some(&(MEASURES as u8)) {
        return None;
    }
    let mut at = 2;
    let mut counts = Counts::default();
    while at < bytes.len() {
        let procedure = take(bytes, &mut at)?;
        let channel = *Channel::ALL.get(usize::from(*bytes.get(at)?))?;
        at += 1;
        for v in counts.0.iter_mut() {
            *v = take(bytes, &mut at)?;
        }
        each(procedure, channel, &counts);
    }
    Some(())
}

/// Whether the snapshot of `day` is complete (its marker row, unit 0, is
/// there).
async fn complete<C: Conn>(c: &mut C, day: Date) -> ServiceResult<bool> {
    let marker: Option<(i64,)> = c
        .optional(
            Sql::new("SELECT unit_id FROM stat_snapshots WHERE day = $1 AND unit_id = 0")
                .text(day.to_string()),
        )
        .await
        .map_err(db)?;
    Ok(marker.is_some())
}

/// Stores the levels at the end of `day` (a closed month's end) as its
/// snapshot, from the prefix buckets, unless it is there already.
pub(crate) async fn build<B: Backend>(b: &B, day: Date) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    // First, so that a write of past changes waits for this build or this
    // build for it (PostgreSQL's row lock; SQLite has one writer anyway).
    c.execute(Sql::new(BUMP_EPOCH)).await.map_err(db)?;
    let day_text = day.to_string();
    if complete(c, day).await? {
        return commit(tx).await;
    }
    c.execute(Sql::new("DELETE FROM stat_snapshots WHERE day = $1").text(day_text.clone()))
        .await
        .map_err(db)?;
    let levels = super::stats::bucket_sums::<B::Conn>(c, &prefix_ranges(day)).await?;
    let mut by_unit: BTreeMap<i64, Vec<(i64, Channel, Counts)>> = BTreeMap::new();
    for l in levels {
        by_unit.entry(l.key.unit_id).or_default().push((
            l.key.procedure_id,
            l.key.channel,
            l.counts,
        ));
    }
    // The marker of a complete snapshot: unit 0, no groups.
    let mut rows: Vec<(i64, Vec<u8>)> = vec![(0, pack(&[]))];
    rows.extend(
        by_unit
            .into_iter()
            .map(|(unit, groups)| (unit, pack(&groups))),
    );
    for chunk in rows.chunks(UNITS_PER_STATEMENT) {
        let mut q = Assemble::new(
            "INSERT INTO stat_snapshots (day, unit_id, levels) VALUES",
            false,
        );
        let d = q.arg(Arg::Text(day_text.clone()));
        let values: Vec<String> = chunk
            .iter()
            .map(|(unit, bytes)| {
                let u = q.arg(Arg::Int(*unit));
                let l = q.arg(Arg::Bytes(bytes.clone()));
                format!("({d}, {u}, {l})")
            })
            .collect();
        q.push(&values.join(", "));
        c.execute(q.finish()).await.map_err(db)?;
    }
    commit(tx).await
}

/// The snapshot of `day` summed per label (`units` maps each receiving
/// unit to its label; others are left out), read on `c` (a transaction
/// that also reads what else the level needs). `None` when the snapshot is
/// not complete (missing, or deleted by a write since).
pub(crate) async fn read<C: Conn>(
    c: &mut C,
    units: &HashMap<i64, i64>,
    day: Date,
    sums: &mut HashMap<StatKey, Counts>,
) -> ServiceResult<Option<()>> {
    if !complete(c, day).await? {
        return Ok(None);
    }
    let day_text = day.to_string();
    let mut q = Assemble::new("SELECT unit_id, levels FROM stat_snapshots", false);
    let d = q.arg(Arg::Text(day_text));
    q.and(&format!("day = {d}"));
    let ids: Vec<i64> = units.keys().copied().collect();
    let set = q.id_set(C::DIALECT, &ids);
    q.and(&format!("unit_id IN {set}"));
    let rows: Vec<(i64, Vec<u8>)> = c.all(q.finish()).await.map_err(db)?;
    for (unit, bytes) in rows {
        let Some(&label) = units.get(&unit) else {
            continue;
        };
        unpack(&bytes, |procedure_id, channel, counts| {
            sums.entry(StatKey {
                unit_id: label,
                procedure_id,
                channel,
            })
            .or_default()
            .add_all(counts);
        })
        .ok_or_else(|| corrupt("stat_snapshots.levels", &unit.to_string(), "not a packing"))?;
    }
    Ok(Some(()))
}

/// Sums per label of the buckets in `ranges`, added to `sums`.
pub(crate) async fn add_buckets<C: Conn>(
    c: &mut C,
    units: &HashMap<i64, i64>,
    ranges: &[(Grain, Date, Date)],
    sums: &mut HashMap<StatKey, Counts>,
) -> ServiceResult<()> {
    if ranges.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = units.keys().copied().collect();
    for l in super::stats::bucket_sums_of::<C>(c, &ids, ranges).await? {
        if let Some(&label) = units.get(&l.key.unit_id) {
            sums.entry(StatKey {
                unit_id: label,
                ..l.key
            })
            .or_default()
            .add_all(&l.counts);
        }
    }
    Ok(())
}

/// Opens a read transaction that sees one state of the database for all
/// its statements (PostgreSQL's default isolation would not).
pub(crate) async fn begin_consistent<C: Conn>(c: &mut C) -> ServiceResult<()> {
    if C::DIALECT == Dialect::Postgres {
        c.execute(Sql::new("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            .await
            .map_err(db)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_gives_back_every_group() {
        let mut a = Counts::default();
        a.0[0] = 1;
        a.0[MEASURES - 1] = i64::MAX;
        let mut b = Counts::default();
        b.0[3] = -7;
        b.0[5] = i64::MIN;
        b.0[7] = 300;
        let groups = vec![(42, Channel::Online, a), (i64::MAX, Channel::Postal, b)];
        let mut back = Vec::new();
        unpack(&pack(&groups), |p, c, n| back.push((p, c, *n))).unwrap();
        assert_eq!(back, groups);
        assert_eq!(unpack(&pack(&[]), |_, _, _| panic!("no group")), Some(()));
    }

    #[test]
    fn a_damaged_packing_is_refused() {
        let mut c = Counts::default();
        c.0[2] = 1_000_000;
        let bytes = pack(&[(9, Channel::InPerson, c)]);
        // Cut short, another version, another measure count, a bad channel.
        assert_eq!(unpack(&bytes[..bytes.len() - 1], |_, _, _| {}), None);
        let mut v = bytes.clone();
        v[0] = FORMAT + 1;
        assert_eq!(unpack(&v, |_, _, _| {}), None);
        let mut v = bytes.clone();
        v[1] = (MEASURES - 1) as u8;
        assert_eq!(unpack(&v, |_, _, _| {}), None);
        let mut v = bytes;
        v[3] = 9;
        assert_eq!(unpack(&v, |_, _, _| {}), None);
    }
}
