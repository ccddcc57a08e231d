//! The statistics layer on both databases: each dossier change adds its
//! per-day changes to `stat_counts` at four grains (migrations 0009 and 0010), and a
//! report reads the levels at a day's end from the snapshot of the last
//! closed month (`stat_snapshots`, migration 0011) plus the days after it,
//! summed per report group in the database.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use motcua_domain::dossier::Channel;
use motcua_domain::stats::{
    Counts, DayChange, Grain, MEASURES, Measure, after_snapshot, buckets, prefix_ranges,
    snapshot_day,
};
use motcua_service::error::ServiceResult;
use motcua_service::store::{AuditContext, StatKey, StatLevels, StatRow};
use sqlx::{ColumnIndex, Decode, FromRow, Row, Type};

use crate::catalog::sql::Assemble;
use crate::conn::{Arg, Backend, Conn, Dialect, Sql, commit};
use crate::error::{corrupt, db};
use crate::ports::snapshot::{self, BUMP_EPOCH};

/// Rows per statement: 29 values each, well under both databases' limits.
const ROWS_PER_STATEMENT: usize = 200;

fn columns() -> String {
    Measure::ALL
        .iter()
        .map(|m| m.column())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statements that add `rows` to the layer, merged by bucket first so
/// that no statement touches a row twice (PostgreSQL refuses that).
pub(crate) fn add_rows_sql(rows: &[(Grain, Date, StatKey, Counts)]) -> Vec<Sql> {
    let mut out = invalidate_snapshots(rows);
    out.extend(rows.chunks(ROWS_PER_STATEMENT).map(upsert_sql));
    out
}

/// [`add_rows_sql`] as the snapshots' invalidation and one single-row
/// upsert per row, for [`Conn::upsert_rows`] (the bulk import's counters)
/// with at most [`UPSERT_ROWS`] rows a statement.
pub(crate) fn add_rows_each(rows: &[(Grain, Date, StatKey, Counts)]) -> (Vec<Sql>, Vec<Sql>) {
    static ONE: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();
    let one = *ONE.get_or_init(|| upsert_text(1).leak());
    let upserts = rows
        .iter()
        .map(|r| Sql {
            text: std::borrow::Cow::Borrowed(one),
            args: row_args(std::slice::from_ref(r)),
        })
        .collect();
    (invalidate_snapshots(rows), upserts)
}

/// Rows per statement of [`add_rows_each`]'s upserts where they run as
/// statements.
pub(crate) const UPSERT_ROWS: usize = ROWS_PER_STATEMENT;

/// The text of an upsert of `n` rows, built once per size: a full chunk's
/// has 6,200 placeholders.
fn upsert_text(n: usize) -> String {
    let updates = Measure::ALL
        .iter()
        .map(|m| format!("{c} = stat_counts.{c} + excluded.{c}", c = m.column()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = format!(
        "INSERT INTO stat_counts (grain, bucket, unit_id, procedure_id, channel, {}) VALUES ",
        columns()
    );
    for i in 0..n {
        if i > 0 {
            text.push_str(", ");
        }
        text.push('(');
        for j in 0..5 + MEASURES {
            if j > 0 {
                text.push_str(", ");
            }
            text.push_str(&format!("${}", i * (5 + MEASURES) + j + 1));
        }
        text.push(')');
    }
    text.push_str(&format!(
        " ON CONFLICT (grain, bucket, unit_id, procedure_id, channel) DO UPDATE SET {updates}"
    ));
    text
}

/// Rows per plain insert of a rebuild: 31 values each, under SQLite's
/// 32,766 bound values and PostgreSQL's 65,535.
const INSERT_ROWS: usize = 1_000;

/// The text of a plain insert of `n` rows, with `$n` placeholders.
fn insert_text(n: usize) -> String {
    let text = upsert_text(n);
    let end = text.find(" ON CONFLICT").unwrap_or(text.len());
    text[..end].to_owned()
}

/// A plain insert of the rows of `chunk` (a rebuild's). A full chunk's
/// text is made once per database, for SQLite with its placeholders
/// already anonymous (31,000 of them, rewritten at every statement before).
fn insert_sql(chunk: &[(Grain, Date, StatKey, Counts)], dialect: Dialect) -> Sql {
    static FULL: std::sync::OnceLock<[&'static str; 2]> = std::sync::OnceLock::new();
    let text: std::borrow::Cow<'static, str> = if chunk.len() == INSERT_ROWS {
        let [dollar, question] = *FULL.get_or_init(|| {
            let dollar = insert_text(INSERT_ROWS);
            let question =
                crate::conn::anonymous_placeholders(&dollar).unwrap_or_else(|| dollar.clone());
            [dollar.leak(), question.leak()]
        });
        std::borrow::Cow::Borrowed(match dialect {
            Dialect::Sqlite => question,
            Dialect::Postgres => dollar,
        })
    } else {
        std::borrow::Cow::Owned(insert_text(chunk.len()))
    };
    Sql {
        text,
        args: row_args(chunk),
    }
}

/// The rebuild's inserts, made one at a time as they are asked for (a
/// named iterator: a closure here is not `Send` for every lifetime, which
/// the store's futures must be).
struct Inserts<'a> {
    chunks: std::slice::Chunks<'a, (Grain, Date, StatKey, Counts)>,
    dialect: Dialect,
}

impl Iterator for Inserts<'_> {
    type Item = Sql;
    fn next(&mut self) -> Option<Sql> {
        self.chunks.next().map(|c| insert_sql(c, self.dialect))
    }
}

/// The bound values of `chunk`'s rows, in the insert's column order.
fn row_args(chunk: &[(Grain, Date, StatKey, Counts)]) -> Vec<Arg> {
    let mut args = Vec::with_capacity(chunk.len() * (5 + MEASURES));
    for (grain, bucket, key, counts) in chunk {
        args.push(Arg::Text(grain.as_str().to_owned()));
        args.push(Arg::Text(bucket.to_string()));
        args.push(Arg::Int(key.unit_id));
        args.push(Arg::Int(key.procedure_id));
        args.push(Arg::Text(key.channel.as_str().to_owned()));
        args.extend(counts.0.iter().map(|v| Arg::Int(*v)));
    }
    args
}

/// One upsert of at most [`ROWS_PER_STATEMENT`] rows.
fn upsert_sql(chunk: &[(Grain, Date, StatKey, Counts)]) -> Sql {
    static FULL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let text = if chunk.len() == ROWS_PER_STATEMENT {
        FULL.get_or_init(|| upsert_text(ROWS_PER_STATEMENT)).clone()
    } else {
        upsert_text(chunk.len())
    };
    Sql::assembled(text, row_args(chunk))
}

/// Today in Viet Nam by this machine's clock: snapshots are kept only for
/// months that ended `motcua_domain::stats::SNAPSHOT_MARGIN_DAYS` before it.
fn local_today() -> Date {
    motcua_domain::time::to_local(jiff::Timestamp::now()).date()
}

/// What must run before changes dated on `rows`' days are added: when the
/// first is before today (an import, a void, a rebuild, a test's clock),
/// the snapshots from that day on no longer hold and are deleted, after
/// the epoch row is bumped (on PostgreSQL its row lock orders this write
/// and a snapshot's build). Live changes, dated today or later, need
/// nothing: no snapshot is that recent.
fn invalidate_snapshots(rows: &[(Grain, Date, StatKey, Counts)]) -> Vec<Sql> {
    let first = rows.iter().filter(|r| r.0 == Grain::Day).map(|r| r.1).min();
    match first {
        Some(day) if day < local_today() => vec![
            Sql::new(BUMP_EPOCH),
            Sql::new("DELETE FROM stat_snapshots WHERE day >= $1").text(day.to_string()),
        ],
        _ => Vec::new(),
    }
}

/// The statements that add one dossier's changes.
pub(crate) fn changes_sql(key: StatKey, changes: &[DayChange]) -> Vec<Sql> {
    let rows: Vec<_> = buckets(changes)
        .into_iter()
        .map(|(g, b, c)| (g, b, key, c))
        .collect();
    add_rows_sql(&rows)
}

/// A row of sums: the group, then the measures.
struct SumRow {
    grain: Option<String>,
    bucket: Option<String>,
    key: StatKey,
    counts: Counts,
}

impl<'r, R> FromRow<'r, R> for SumRow
where
    R: Row,
    usize: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(r: &'r R) -> Result<Self, sqlx::Error> {
        // Sums come back as 64-bit integers on SQLite and as numerics cast
        // to bigint on PostgreSQL; the grouped queries name grain and
        // bucket only when asked (`stat_rows`).
        let n = r.columns().len();
        let (grain, bucket, first) = if n == 5 + MEASURES {
            (Some(r.try_get(0)?), Some(r.try_get(1)?), 2)
        } else {
            (None, None, 0)
        };
        let channel: String = r.try_get(first + 2)?;
        let channel = Channel::parse(&channel).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let mut values = [0i64; MEASURES];
        for (i, v) in values.iter_mut().enumerate() {
            *v = r.try_get(first + 3 + i)?;
        }
        Ok(SumRow {
            grain,
            bucket,
            key: StatKey {
                unit_id: r.try_get(first)?,
                procedure_id: r.try_get(first + 1)?,
                channel,
            },
            counts: Counts(values),
        })
    }
}

fn sums<C: Conn>() -> String {
    let cast = match C::DIALECT {
        crate::conn::Dialect::Sqlite => "",
        crate::conn::Dialect::Postgres => "::bigint",
    };
    Measure::ALL
        .iter()
        .map(|m| format!("coalesce(sum({c}), 0){cast}", c = m.column()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each label's levels at the end of `day` (see
/// `StatsStore::stat_levels`): from the snapshot of the newest closed month
/// end on or before it, built first when missing, plus the buckets of the
/// days after it; from the prefix buckets when there is no such month or
/// the snapshot cannot be written (a full disk, say).
pub(crate) async fn stat_levels<B: Backend>(
    b: &B,
    units: &[(i64, i64)],
    day: Date,
) -> ServiceResult<Vec<StatLevels>> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let map: HashMap<i64, i64> = units.iter().copied().collect();
    if let Some(snap) = snapshot_day(day, local_today()) {
        if let Some(levels) = from_snapshot(b, &map, snap, day).await? {
            return Ok(levels);
        }
        match snapshot::build(b, snap).await {
            Ok(()) => {
                if let Some(levels) = from_snapshot(b, &map, snap, day).await? {
                    return Ok(levels);
                }
            }
            Err(e) => tracing::warn!(error = %e, %snap, "statistics snapshot not written"),
        }
    }
    let mut conn = b.read().await?;
    let c: &mut B::Conn = &mut conn;
    let mut sums = HashMap::new();
    snapshot::add_buckets(c, &map, &prefix_ranges(day), &mut sums).await?;
    Ok(into_levels(sums))
}

/// The levels from the snapshot of `snap` and the days after it to `day`,
/// in one consistent read; `None` when the snapshot is not complete.
async fn from_snapshot<B: Backend>(
    b: &B,
    map: &HashMap<i64, i64>,
    snap: Date,
    day: Date,
) -> ServiceResult<Option<Vec<StatLevels>>> {
    let mut conn = b.read().await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await.map_err(db)?;
    let c: &mut B::Conn = &mut tx;
    snapshot::begin_consistent(c).await?;
    let mut sums = HashMap::new();
    if snapshot::read(c, map, snap, &mut sums).await?.is_none() {
        return Ok(None);
    }
    snapshot::add_buckets(c, map, &after_snapshot(snap, day), &mut sums).await?;
    Ok(Some(into_levels(sums)))
}

fn into_levels(sums: HashMap<StatKey, Counts>) -> Vec<StatLevels> {
    sums.into_iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|(key, counts)| StatLevels { key, counts })
        .collect()
}

/// Each group's sum of the buckets in `ranges` over every unit, read on
/// `c` (a snapshot's build, inside its write transaction).
pub(crate) async fn bucket_sums<C: Conn>(
    c: &mut C,
    ranges: &[(Grain, Date, Date)],
) -> ServiceResult<Vec<StatLevels>> {
    bucket_sums_of(c, &[], ranges).await
}

/// Each group's sum of the buckets in `ranges` for the receiving units
/// `unit_ids` (every unit when empty).
pub(crate) async fn bucket_sums_of<C: Conn>(
    c: &mut C,
    unit_ids: &[i64],
    ranges: &[(Grain, Date, Date)],
) -> ServiceResult<Vec<StatLevels>> {
    summed(c, unit_ids, ranges, false).await
}

/// [`bucket_sums_of`], or with `by_channel` the sums per channel alone
/// (keys with unit and procedure 0).
async fn summed<C: Conn>(
    c: &mut C,
    unit_ids: &[i64],
    ranges: &[(Grain, Date, Date)],
    by_channel: bool,
) -> ServiceResult<Vec<StatLevels>> {
    if ranges.is_empty() {
        return Ok(Vec::new());
    }
    let (keys, group) = if by_channel {
        (
            "CAST(0 AS BIGINT), CAST(0 AS BIGINT), channel",
            "GROUP BY channel",
        )
    } else {
        (
            "unit_id, procedure_id, channel",
            "GROUP BY unit_id, procedure_id, channel",
        )
    };
    let mut q = Assemble::new(
        &format!("SELECT {keys}, {} FROM stat_counts", sums::<C>()),
        false,
    );
    let terms = range_terms(&mut q, ranges);
    q.and(&terms);
    if !unit_ids.is_empty() {
        let set = q.id_set(C::DIALECT, unit_ids);
        q.and(&format!("unit_id IN {set}"));
    }
    q.push(group);
    let rows: Vec<SumRow> = c.all(q.finish()).await.map_err(db)?;
    Ok(rows
        .into_iter()
        .filter(|r| !r.counts.is_zero())
        .map(|r| StatLevels {
            key: r.key,
            counts: r.counts,
        })
        .collect())
}

/// `(grain = .. AND bucket BETWEEN ..) OR ..` for `ranges`, bound in `q`.
fn range_terms(q: &mut Assemble, ranges: &[(Grain, Date, Date)]) -> String {
    let terms: Vec<String> = ranges
        .iter()
        .map(|(grain, lo, hi)| {
            let g = q.arg(Arg::Text(grain.as_str().to_owned()));
            let lo = q.arg(Arg::Text(lo.to_string()));
            let hi = q.arg(Arg::Text(hi.to_string()));
            format!("(grain = {g} AND bucket >= {lo} AND bucket <= {hi})")
        })
        .collect();
    format!("({})", terms.join(" OR "))
}

/// Each channel's sum of the buckets in `ranges` (inclusive bucket days
/// per grain) over the units `unit_ids` (every unit when empty) and every
/// procedure: one row per channel (their keys name no unit or procedure,
/// id 0), for figures that need no breakdown (the home dashboard's month).
pub(crate) async fn stat_sums_by_channel<B: Backend>(
    b: &B,
    unit_ids: &[i64],
    ranges: &[(Grain, Date, Date)],
) -> ServiceResult<Vec<StatLevels>> {
    let mut conn = b.read().await?;
    let c: &mut B::Conn = &mut conn;
    summed(c, unit_ids, ranges, true).await
}

pub(crate) async fn stat_rows<B: Backend>(b: &B) -> ServiceResult<Vec<StatRow>> {
    let mut conn = b.read().await?;
    let c: &mut B::Conn = &mut conn;
    let q = Sql::assembled(
        format!(
            "SELECT grain, bucket, unit_id, procedure_id, channel, {} FROM stat_counts \
             ORDER BY grain, bucket, unit_id, procedure_id, channel",
            columns()
        ),
        Vec::new(),
    );
    let rows: Vec<SumRow> = c.all(q).await.map_err(db)?;
    rows.into_iter()
        .map(|r| {
            let grain = r.grain.unwrap_or_default();
            let bucket = r.bucket.unwrap_or_default();
            Ok(StatRow {
                grain: Grain::parse(&grain)
                    .ok_or_else(|| corrupt("stat_counts.grain", &grain, "not d, m, q or y"))?,
                bucket: bucket
                    .parse()
                    .map_err(|e| corrupt("stat_counts.bucket", &bucket, e))?,
                key: r.key,
                counts: r.counts,
            })
        })
        .collect()
}

pub(crate) async fn replace_stats<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    rows: &[StatRow],
) -> ServiceResult<()> {
    // The rebuild hands its rows sorted and merged; anything else is merged
    // here first.
    let key = |r: &StatRow| (r.grain, r.bucket, r.key);
    let list: Vec<(Grain, Date, StatKey, Counts)> =
        if rows.windows(2).all(|w| key(&w[0]) < key(&w[1])) {
            rows.iter()
                .filter(|r| !r.counts.is_zero())
                .map(|r| (r.grain, r.bucket, r.key, r.counts))
                .collect()
        } else {
            let mut merged: BTreeMap<(Grain, Date, StatKey), Counts> = BTreeMap::new();
            for r in rows {
                merged.entry(key(r)).or_default().add_all(&r.counts);
            }
            merged
                .into_iter()
                .filter(|(_, c)| !c.is_zero())
                .map(|((g, b, k), c)| (g, b, k, c))
                .collect()
        };
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    for q in [
        BUMP_EPOCH,
        "DELETE FROM stat_snapshots",
        "DELETE FROM stat_counts",
    ] {
        c.execute(Sql::new(q)).await.map_err(db)?;
    }
    // One statement at a time: built all at once, 2.5 million rows' bound
    // values took gigabytes. The table is empty now and the rows distinct:
    // plain inserts, of as many rows as both databases bind at once, each
    // built while the database runs the one before.
    c.execute_pipelined(Inserts {
        chunks: list.chunks(INSERT_ROWS),
        dialect: <B::Conn as Conn>::DIALECT,
    })
    .await
    .map_err(db)?;
    Conn::append(
        c,
        ctx,
        "stats.rebuild",
        "stats",
        &serde_json::json!({ "rows": list.len() }),
    )
    .await?;
    commit(tx).await?;
    Ok(())
}

/// Implements `StatsStore` for `$store` (called from `store_ports!`).
macro_rules! stats_ports {
    ($store:ty) => {
        const _: () = {
            use async_trait::async_trait;
            use jiff::civil::Date;
            use motcua_service::error::ServiceResult;
            use motcua_service::store::{AuditContext, StatLevels, StatRow, StatsStore};

            #[async_trait]
            impl StatsStore for $store {
                async fn stat_levels(
                    &self,
                    units: &[(i64, i64)],
                    day: Date,
                ) -> ServiceResult<Vec<StatLevels>> {
                    $crate::ports::stats::stat_levels(self, units, day).await
                }
                async fn stat_flows_by_channel(
                    &self,
                    unit_ids: &[i64],
                    from: Date,
                    to: Date,
                ) -> ServiceResult<Vec<StatLevels>> {
                    $crate::ports::stats::stat_sums_by_channel(
                        self,
                        unit_ids,
                        &motcua_domain::stats::cover_ranges(from, to),
                    )
                    .await
                }
                async fn dossiers_after(
                    &self,
                    after: i64,
                    limit: u32,
                ) -> ServiceResult<Vec<motcua_service::store::Dossier>> {
                    $crate::ports::dossiers::dossiers_after(self, after, limit).await
                }
                async fn histories_between(
                    &self,
                    after: i64,
                    upto: i64,
                ) -> ServiceResult<Vec<motcua_service::store::KeyedHistory>> {
                    $crate::ports::replay::histories_between(self, after, upto).await
                }
                async fn last_dossier_id(&self) -> ServiceResult<i64> {
                    $crate::ports::replay::last_dossier_id(self).await
                }
                async fn histories_of(
                    &self,
                    ids: &[i64],
                ) -> ServiceResult<Vec<motcua_service::store::KeyedHistory>> {
                    $crate::ports::replay::histories_of(self, ids).await
                }
                async fn stat_rows(&self) -> ServiceResult<Vec<StatRow>> {
                    $crate::ports::stats::stat_rows(self).await
                }
                async fn replace_stats(
                    &self,
                    ctx: &AuditContext,
                    rows: &[StatRow],
                ) -> ServiceResult<()> {
                    $crate::ports::stats::replace_stats(self, ctx, rows).await
                }
            }
        };
    };
}
pub(crate) use stats_ports;
