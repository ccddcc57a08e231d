//! The home dashboard's operational counts, the same on both databases
//! (the month's figures come from the statistics layer instead).
//!
//! Three small statements, each answered from one covering index of
//! migration 0005, so that its cost follows the dossiers it counts (two
//! weeks of receptions, the open dossiers), never the table size:
//! - receptions by day over the series: `dossiers_received_idx`;
//! - running clocks by due moment: `dossiers_running_idx`;
//! - dossiers in progress by status: `dossiers_in_progress_idx`.
//!
//! The unit condition is the dossier list's (received by or held by a unit
//! of the scope), so a figure and the list it links to agree. Its columns
//! are written `+d.unit_id`: the unary plus keeps SQLite's planner (which
//! has no statistics) from walking every dossier of the units through their
//! indexes instead of the moment's range, and costs PostgreSQL nothing.

use motcua_domain::dossier::Status;
use motcua_service::error::ServiceResult;
use motcua_service::store::{DashboardCounts, DashboardScope, IN_PROGRESS};

use crate::catalog::sql::Assemble;
use crate::conn::{Arg, Backend, Conn};
use crate::convert::millis;
use crate::error::{corrupt, db};

/// Milliseconds in a day; Vietnam keeps no daylight saving, so local days
/// are this long.
const DAY_MS: i64 = 86_400_000;

/// The statuses of [`IN_PROGRESS`] written out: a partial index is used
/// only when the query names its condition's values, not parameters.
const IN_PROGRESS_SQL: &str = "d.status IN ('awaiting_online_reception', 'received', \
     'processing', 'awaiting_supplement', 'awaiting_financial_obligation')";

/// Adds the scope's unit condition to a statement.
fn in_scope<C: Conn>(q: &mut Assemble, s: &DashboardScope) {
    if s.unit_ids.is_empty() {
        return;
    }
    let set = q.id_set(C::DIALECT, &s.unit_ids);
    let set2 = q.id_set(C::DIALECT, &s.unit_ids);
    let departed = crate::ports::dossiers::departed_condition(&s.departed, false);
    q.and(&format!(
        "(+d.unit_id IN {set} OR +d.holder_unit_id IN {set2}{departed})"
    ));
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(crate) async fn dashboard_counts<B: Backend>(
    b: &B,
    s: &DashboardScope,
) -> ServiceResult<DashboardCounts> {
    let mut conn = b.read().await?;
    let c: &mut B::Conn = &mut conn;
    let mut out = DashboardCounts {
        received_per_day: vec![0; usize::try_from(s.series_days).unwrap_or(0)],
        ..DashboardCounts::default()
    };

    // Receptions per local day of the series (the month's figures come
    // from the statistics layer, `motcua_service::dashboard`).
    let from = millis(s.series_from);
    let mut q = Assemble::new(
        "SELECT (d.received_at_ms - $1) / 86400000 AS day, count(*) \
         FROM dossiers d WHERE d.received_at_ms >= $1",
        true,
    );
    q.arg(Arg::Int(from));
    let to = q.arg(Arg::Int(millis(s.tomorrow)));
    q.and(&format!("d.received_at_ms < {to} AND d.status <> 'voided'"));
    in_scope::<B::Conn>(&mut q, s);
    q.push("GROUP BY 1");
    let rows: Vec<(i64, i64)> = c.all(q.finish()).await.map_err(db)?;
    let today_day = (millis(s.today) - from) / DAY_MS;
    for (day, n) in rows {
        if day == today_day {
            out.received_today = count(n);
        }
        if let Some(slot) = usize::try_from(day)
            .ok()
            .and_then(|i| out.received_per_day.get_mut(i))
        {
            *slot = count(n);
        }
    }

    // Running clocks: overdue, near due, and due today while received or
    // processing (the statuses the list link names).
    let mut q = Assemble::new(
        "SELECT \
         coalesce(sum(CASE WHEN d.current_due_ms < $1 THEN 1 ELSE 0 END), 0), \
         coalesce(sum(CASE WHEN d.current_due_ms >= $1 AND d.near_due_ms <= $1 THEN 1 ELSE 0 END), 0), \
         coalesce(sum(CASE WHEN d.current_due_ms >= $2 AND d.current_due_ms < $3 \
             AND d.status IN ('received', 'processing') THEN 1 ELSE 0 END), 0) \
         FROM dossiers d WHERE d.clock_running AND d.current_due_ms IS NOT NULL",
        true,
    );
    q.arg(Arg::Int(millis(s.now)));
    q.arg(Arg::Int(millis(s.today)));
    q.arg(Arg::Int(millis(s.tomorrow)));
    in_scope::<B::Conn>(&mut q, s);
    let (overdue, near_due, due_today): (i64, i64, i64) = c.one(q.finish()).await.map_err(db)?;
    out.overdue = count(overdue);
    out.near_due = count(near_due);
    out.due_today = count(due_today);

    // Dossiers in progress by status.
    let mut q = Assemble::new("SELECT d.status, count(*) FROM dossiers d", false);
    q.and(IN_PROGRESS_SQL);
    in_scope::<B::Conn>(&mut q, s);
    q.push("GROUP BY d.status");
    let rows: Vec<(String, i64)> = c.all(q.finish()).await.map_err(db)?;
    let mut by_status = Vec::with_capacity(IN_PROGRESS.len());
    for st in IN_PROGRESS {
        by_status.push((st, 0));
    }
    for (text, n) in rows {
        let st = Status::parse(&text).map_err(|e| corrupt("dossiers.status", &text, e))?;
        if let Some(slot) = by_status.iter_mut().find(|(s, _)| *s == st) {
            slot.1 = count(n);
        }
    }
    out.in_progress = by_status;
    Ok(out)
}

/// Implements `DashboardStore` for `$store` (called from `store_ports!`).
macro_rules! dashboard_ports {
    ($store:ty) => {
        const _: () = {
            use async_trait::async_trait;
            use motcua_service::error::ServiceResult;
            use motcua_service::store::{DashboardCounts, DashboardScope, DashboardStore};

            #[async_trait]
            impl DashboardStore for $store {
                async fn dashboard_counts(
                    &self,
                    scope: &DashboardScope,
                ) -> ServiceResult<DashboardCounts> {
                    $crate::ports::dashboard::dashboard_counts(self, scope).await
                }
            }
        };
    };
}
pub(crate) use dashboard_ports;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_out_statuses_are_those_in_progress() {
        let listed: Vec<&str> = IN_PROGRESS_SQL.split('\'').skip(1).step_by(2).collect();
        let expected: Vec<&str> = IN_PROGRESS.iter().map(|s| s.as_str()).collect();
        assert_eq!(listed, expected);
    }
}
