//! `reports`: the issue 17 report targets over the dossier dataset, in
//! process: the province's quarterly report by unit and yearly report by
//! sector from the statistics layer (p95), the same figures computed by a
//! plain GROUP BY over the dossiers table in the same run (the ratio), and
//! `stats rebuild` of the whole layer from the dossiers' histories.

use std::time::{Duration, Instant};

use jiff::ToSpan;
use jiff::civil::Date;
use motcua_domain::stats::{Breakdown, Figures, Period};
use motcua_domain::time::{from_local, to_local};
use motcua_service::access::Actor;
use motcua_service::stats::rebuild::{first_difference, recompute_as};
use motcua_service::stats::report::{ReportQuery, dossier_report};

use super::{DataArgs, Dataset, data};
use crate::stats::percentiles;

/// Options.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Timed reports of each kind (after 3 warm-ups).
    #[arg(long, default_value_t = 30)]
    runs: usize,
    /// Timed GROUP BY runs of each kind.
    #[arg(long, default_value_t = 3)]
    baseline_runs: usize,
    /// Also rebuild the layer from history and time it.
    #[arg(long)]
    rebuild: bool,
    /// Delete the closed months' snapshots before every run, so that each
    /// report builds the ones it needs (the cost of a first report).
    #[arg(long)]
    cold: bool,
}

fn ms_of(d: Date) -> anyhow::Result<i64> {
    Ok(from_local(d.to_datetime(jiff::civil::Time::midnight()))?.as_millisecond())
}

/// The plain GROUP BY: form 06's countable columns per `group` column,
/// straight from the dossiers (judging an open dossier by its due moment
/// now, which a report of a past period may not do).
fn baseline_sql(group: &str, p: &Period) -> anyhow::Result<String> {
    let f = ms_of(p.from)?;
    let t = ms_of(p.to.tomorrow()?)?;
    Ok(format!(
        "SELECT {group}, \
         sum(CASE WHEN received_at_ms >= {f} AND received_at_ms < {t} AND channel = 'online' THEN 1 ELSE 0 END), \
         sum(CASE WHEN received_at_ms >= {f} AND received_at_ms < {t} AND channel <> 'online' THEN 1 ELSE 0 END), \
         sum(CASE WHEN received_at_ms < {f} AND (ended_at_ms IS NULL OR ended_at_ms >= {f}) THEN 1 ELSE 0 END), \
         sum(CASE WHEN ended_at_ms >= {f} AND ended_at_ms < {t} THEN 1 ELSE 0 END), \
         sum(CASE WHEN ended_at_ms >= {f} AND ended_at_ms < {t} AND classification = 'early' THEN 1 ELSE 0 END), \
         sum(CASE WHEN ended_at_ms >= {f} AND ended_at_ms < {t} AND classification = 'on_time' THEN 1 ELSE 0 END), \
         sum(CASE WHEN ended_at_ms >= {f} AND ended_at_ms < {t} AND classification = 'late' THEN 1 ELSE 0 END), \
         sum(CASE WHEN received_at_ms < {t} AND (ended_at_ms IS NULL OR ended_at_ms >= {t}) THEN 1 ELSE 0 END) \
         FROM dossiers WHERE status <> 'voided' AND received_at_ms IS NOT NULL GROUP BY {group}"
    ))
}

fn report_columns(f: &Figures) -> [i64; 8] {
    [
        f.received_online,
        f.received_in_person_or_postal,
        f.carried_over,
        f.resolved,
        f.early,
        f.on_time,
        f.late,
        f.in_progress,
    ]
}

async fn one(ds: &Dataset, args: &Args) -> anyhow::Result<()> {
    let name = ds.backend.name();
    let store = ds.store.as_ref();
    let actor = Actor::system("bench");
    let now = jiff::Timestamp::now();
    let today = to_local(now).date();
    // The last full quarter, and the last full year.
    let q_start = Date::new(today.year(), ((today.month() - 1) / 3) * 3 + 1, 1)?;
    let quarter = Period::new(q_start.checked_sub(3.months())?, q_start.yesterday()?)?;
    let year = Period::new(
        Date::new(today.year() - 1, 1, 1)?,
        Date::new(today.year() - 1, 12, 31)?,
    )?;
    let dossiers = ds.scalar("SELECT count(*) FROM dossiers").await?;
    let rows = ds.scalar("SELECT count(*) FROM stat_counts").await?;
    println!("{name}: {dossiers} dossiers, {rows} rows in stat_counts");
    if args.rebuild {
        // `stats rebuild` is these two steps (and the access check): timed
        // apart, and the replayed layer compared with the stored one first.
        let t = Instant::now();
        let (rows, replayed) = recompute_as(
            store,
            &motcua_service::access::Actor::system("bench"),
            jiff::Timestamp::now(),
        )
        .await?;
        let read_replay = t.elapsed();
        let stored = store.stat_rows().await?;
        let difference = first_difference(&stored, &rows);
        drop(stored);
        let t_write = Instant::now();
        store.replace_stats(&actor.context(now), &rows).await?;
        let write = t_write.elapsed();
        println!(
            "{name}: stats rebuild: {replayed} dossiers replayed, {} rows stored in {:.1} s \
             (read and replay {:.1} s, write {:.1} s); the stored layer before it: {}",
            rows.len(),
            (read_replay + write).as_secs_f64(),
            read_replay.as_secs_f64(),
            write.as_secs_f64(),
            difference.as_deref().unwrap_or("the same")
        );
        if ds.backend == motcua_testkit::Backend::Postgres {
            ds.execute("VACUUM ANALYZE stat_counts").await?;
        }
    }
    println!(
        "| report | rows | layer p50 | p95 | p99 | GROUP BY p50 | ratio (p50) | same countable figures |"
    );
    for (label, by, period, group) in [
        (
            "province, quarter, by unit",
            Breakdown::Unit,
            quarter,
            "unit_id",
        ),
        (
            "province, year, by sector",
            Breakdown::Sector,
            year,
            "procedure_id",
        ),
    ] {
        let q = ReportQuery {
            unit: data::PROVINCE.to_owned(),
            from: period.from,
            to: period.to,
            by,
        };
        let mut times: Vec<Duration> = Vec::with_capacity(args.runs);
        let mut last = None;
        for i in 0..args.runs + 3 {
            if args.cold {
                ds.execute("DELETE FROM stat_snapshots").await?;
            }
            let t = Instant::now();
            let r = dossier_report(store, &actor, now, &q).await?;
            if i == 0 {
                // The first run builds the closed months' snapshots it
                // needs when they are missing (after a load or a rebuild).
                println!(
                    "{name}: {label}: first run {:.1} ms ({} snapshot rows after it)",
                    t.elapsed().as_secs_f64() * 1000.0,
                    ds.scalar("SELECT count(*) FROM stat_snapshots").await?
                );
            }
            if i >= 3 {
                times.push(t.elapsed());
            }
            last = Some(r);
        }
        let report = last.ok_or_else(|| anyhow::anyhow!("no report"))?;
        let sql = baseline_sql(group, &period)?;
        let mut base: Vec<Duration> = Vec::new();
        let mut sums = [0i64; 8];
        for _ in 0..args.baseline_runs.max(1) {
            let t = Instant::now();
            let rows = ds.int_rows(&sql).await?;
            base.push(t.elapsed());
            sums = [0; 8];
            for r in rows {
                for (s, v) in sums.iter_mut().zip(r.iter().skip(1)) {
                    *s += v;
                }
            }
        }
        let l = percentiles(&mut times);
        let b = percentiles(&mut base);
        let same = report_columns(&report.total) == sums;
        println!(
            "| {label} ({} – {}) | {} | {:.2} | {:.2} | {:.2} | {:.1} | {:.0}x | {} |",
            period.from,
            period.to,
            report.rows.len(),
            l.p50,
            l.p95,
            l.p99,
            b.p50,
            b.p50 / l.p50.max(0.001),
            if same {
                "yes".to_owned()
            } else {
                format!(
                    "no: layer {:?} vs GROUP BY {sums:?}",
                    report_columns(&report.total)
                )
            }
        );
    }
    Ok(())
}

/// Runs on each backend.
pub async fn run(args: Args) -> anyhow::Result<()> {
    for backend in args.data.backends() {
        if let Some(ds) = Dataset::open(backend, &args.data).await? {
            one(&ds, &args).await?;
        }
    }
    Ok(())
}
