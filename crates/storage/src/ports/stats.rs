//! The statistics layer on both databases: each dossier change adds its
//! per-day changes to `stat_counts` at four grains (migrations 0009 and 0010), and a
//! report reads the levels at a day's end as a prefix sum over few buckets
//! per group (`motcua_domain::stats::prefix_ranges`).

use std::collections::BTreeMap;

use jiff::civil::Date;
use motcua_domain::dossier::Channel;
use motcua_domain::stats::{Counts, DayChange, Grain, MEASURES, Measure, buckets, prefix_ranges};
use motcua_service::error::ServiceResult;
use motcua_service::store::{AuditContext, StatKey, StatLevels, StatRow};
use sqlx::{ColumnIndex, Decode, FromRow, Row, Type};

use crate::catalog::sql::Assemble;
use crate::conn::{Arg, Backend, Conn, Sql, commit};
use crate::error::{corrupt, db};

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
    let updates = Measure::ALL
        .iter()
        .map(|m| format!("{c} = stat_counts.{c} + excluded.{c}", c = m.column()))
        .collect::<Vec<_>>()
        .join(", ");
    let head = format!(
        "INSERT INTO stat_counts (grain, bucket, unit_id, procedure_id, channel, {}) VALUES ",
        columns()
    );
    let tail = format!(
        " ON CONFLICT (grain, bucket, unit_id, procedure_id, channel) DO UPDATE SET {updates}"
    );
    rows.chunks(ROWS_PER_STATEMENT)
        .map(|chunk| {
            let mut text = head.clone();
            let mut args = Vec::with_capacity(chunk.len() * (5 + MEASURES));
            for (i, (grain, bucket, key, counts)) in chunk.iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                text.push('(');
                let base = args.len();
                for j in 0..5 + MEASURES {
                    if j > 0 {
                        text.push_str(", ");
                    }
                    text.push_str(&format!("${}", base + j + 1));
                }
                text.push(')');
                args.push(Arg::Text(grain.as_str().to_owned()));
                args.push(Arg::Text(bucket.to_string()));
                args.push(Arg::Int(key.unit_id));
                args.push(Arg::Int(key.procedure_id));
                args.push(Arg::Text(key.channel.as_str().to_owned()));
                args.extend(counts.0.iter().map(|v| Arg::Int(*v)));
            }
            text.push_str(&tail);
            Sql::assembled(text, args)
        })
        .collect()
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

pub(crate) async fn stat_levels<B: Backend>(
    b: &B,
    unit_ids: &[i64],
    day: Date,
) -> ServiceResult<Vec<StatLevels>> {
    stat_sums(b, unit_ids, &prefix_ranges(day)).await
}

/// Each group's sum of the buckets in `ranges` (inclusive bucket days per
/// grain): a prefix (a level) or a period's cover (its change).
pub(crate) async fn stat_sums<B: Backend>(
    b: &B,
    unit_ids: &[i64],
    ranges: &[(Grain, Date, Date)],
) -> ServiceResult<Vec<StatLevels>> {
    grouped_sums(b, unit_ids, ranges, false).await
}

/// [`stat_sums`] summed over units and procedures in the database: one
/// row per channel (their keys name no unit or procedure, id 0), for
/// figures that need no breakdown (the home dashboard's month).
pub(crate) async fn stat_sums_by_channel<B: Backend>(
    b: &B,
    unit_ids: &[i64],
    ranges: &[(Grain, Date, Date)],
) -> ServiceResult<Vec<StatLevels>> {
    grouped_sums(b, unit_ids, ranges, true).await
}

async fn grouped_sums<B: Backend>(
    b: &B,
    unit_ids: &[i64],
    ranges: &[(Grain, Date, Date)],
    by_channel: bool,
) -> ServiceResult<Vec<StatLevels>> {
    if ranges.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = b.read().await?;
    let c: &mut B::Conn = &mut conn;
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
        &format!("SELECT {keys}, {} FROM stat_counts", sums::<B::Conn>()),
        false,
    );
    let mut terms = Vec::new();
    for (grain, lo, hi) in ranges {
        let g = q.arg(Arg::Text(grain.as_str().to_owned()));
        let lo = q.arg(Arg::Text(lo.to_string()));
        let hi = q.arg(Arg::Text(hi.to_string()));
        terms.push(format!(
            "(grain = {g} AND bucket >= {lo} AND bucket <= {hi})"
        ));
    }
    q.and(&format!("({})", terms.join(" OR ")));
    if !unit_ids.is_empty() {
        let set = q.id_set(B::Conn::DIALECT, unit_ids);
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
    let mut merged: BTreeMap<(Grain, Date, StatKey), Counts> = BTreeMap::new();
    for r in rows {
        merged
            .entry((r.grain, r.bucket, r.key))
            .or_default()
            .add_all(&r.counts);
    }
    let list: Vec<_> = merged
        .into_iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|((g, b, k), c)| (g, b, k, c))
        .collect();
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.execute(Sql::new("DELETE FROM stat_counts"))
        .await
        .map_err(db)?;
    for q in add_rows_sql(&list) {
        c.execute(q).await.map_err(db)?;
    }
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
                    unit_ids: &[i64],
                    day: Date,
                ) -> ServiceResult<Vec<StatLevels>> {
                    $crate::ports::stats::stat_levels(self, unit_ids, day).await
                }
                async fn stat_change(
                    &self,
                    unit_ids: &[i64],
                    from: Date,
                    to: Date,
                ) -> ServiceResult<Vec<StatLevels>> {
                    $crate::ports::stats::stat_sums(
                        self,
                        unit_ids,
                        &motcua_domain::stats::cover_ranges(from, to),
                    )
                    .await
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
                async fn histories(
                    &self,
                    ids: &[i64],
                ) -> ServiceResult<(
                    Vec<(i64, motcua_service::store::DossierEvent)>,
                    Vec<(i64, motcua_service::store::ReceivedItem)>,
                )> {
                    Ok((
                        $crate::ports::dossiers::events_of(self, ids).await?,
                        $crate::ports::dossiers::components_of(self, ids).await?,
                    ))
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
