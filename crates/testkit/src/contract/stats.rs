//! The statistics layer's whole replacement (`stats rebuild`): what is
//! stored is read back row for row, whatever the number of statements the
//! store splits it into, and rows handed unsorted or twice are merged.

use anyhow::ensure;
use jiff::ToSpan;
use motcua_domain::dossier::Channel;
use motcua_domain::stats::{Counts, Grain, Measure};
use motcua_service::store::{StatKey, StatRow};

use super::{TestDb, ctx, date};

/// Rows of the day grain, one per day from 1 January 2024, channels in
/// turn, with `received` = n + 1 and `open` = n mod 7 for the n-th.
fn rows(unit_id: i64, procedure_id: i64, n: usize) -> anyhow::Result<Vec<StatRow>> {
    let first = date(2024, 1, 1)?;
    let channels = [Channel::InPerson, Channel::Online, Channel::Postal];
    (0..n)
        .map(|i| {
            let mut counts = Counts::default();
            counts.add(Measure::Received, i as i64 + 1);
            counts.add(Measure::Open, (i % 7) as i64);
            Ok(StatRow {
                grain: Grain::Day,
                bucket: first.checked_add((i as i64).days())?,
                key: StatKey {
                    unit_id,
                    procedure_id,
                    channel: channels[i % 3],
                },
                counts,
            })
        })
        .collect()
}

pub async fn a_replaced_layer_reads_back_row_for_row(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let f = super::dossier_import::fixture(store.as_ref()).await?;
    let (unit, procedure) = f.ids();
    // 2,345 rows: more than two full statements of any size the stores use
    // (200 to 1,000 rows), and a partial one.
    let want = rows(unit, procedure, 2_345)?;
    store.replace_stats(&ctx()?, &want).await?;
    let got = store.stat_rows().await?;
    ensure!(got.len() == 2_345, "{} rows read back", got.len());
    ensure!(got == want, "the rows read back differ");
    let received: i64 = got.iter().map(|r| r.counts.get(Measure::Received)).sum();
    ensure!(received == 2_345 * 2_346 / 2, "received {received}");

    // Replaced again by rows out of order with one key twice: merged.
    let mut again = rows(unit, procedure, 3)?;
    again.reverse();
    again.push(again[2].clone());
    store.replace_stats(&ctx()?, &again).await?;
    let got = store.stat_rows().await?;
    let received: Vec<i64> = got
        .iter()
        .map(|r| r.counts.get(Measure::Received))
        .collect();
    ensure!(received == [2, 2, 3], "received {received:?}");
    ensure!(
        got[0].bucket == date(2024, 1, 1)?,
        "first {:?}",
        got[0].bucket
    );
    Ok(())
}
