//! Refunds of fees paid online (migration 0018): a refund holds its amount
//! on the paid payment in one guarded statement, so refunds asked at once
//! never give back more than was paid; a refused refund releases it; a
//! refund's answer is recorded once; the day's reads find what was settled
//! and asked in their interval.

use anyhow::ensure;
use jiff::Timestamp;
use motcua_service::store::{NewRefund, RefundFinish, RefundOpened, Store};

use super::dossier_import::{dossier, fixture};
use super::{TestDb, audit_count, ctx, date};

fn refund(reference: &str, amount: i64) -> NewRefund {
    NewRefund {
        reference: reference.to_owned(),
        payment_reference: "PAY1".to_owned(),
        amount_dong: amount,
        reason: "Hồ sơ bị từ chối".to_owned(),
    }
}

/// A dossier with a payment of 50.000 đồng paid under `PAY1`.
async fn paid(store: &dyn Store) -> anyhow::Result<i64> {
    let f = fixture(store).await?;
    let d = store
        .insert_dossier(&ctx()?, &dossier(&f, date(2024, 3, 4)?, None)?)
        .await?;
    store.insert_payment(&ctx()?, d.id, "PAY1", 50_000).await?;
    store
        .settle_payment(&ctx()?, "PAY1", "TXN1", 50_000, true)
        .await?;
    Ok(d.id)
}

/// Ten refunds of 20.000 asked at once on 50.000 paid: two are held, the
/// others told what remains (10.000); the payment holds 40.000. A refused
/// one gives its amount back; an answer is recorded once; a payment not
/// paid refunds nothing.
pub async fn refunds_at_once_never_exceed_what_was_paid(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let dossier_id = paid(store.as_ref()).await?;
    let before = audit_count(store.as_ref()).await?;
    let mut asks = Vec::new();
    for i in 0..10 {
        let store = store.clone();
        asks.push(tokio::spawn(async move {
            store
                .open_refund(&ctx()?, &refund(&format!("R{i}"), 20_000))
                .await
                .map_err(anyhow::Error::from)
        }));
    }
    let mut opened = 0;
    for a in asks {
        match a.await?? {
            RefundOpened::Opened => opened += 1,
            RefundOpened::Exceeds { remaining_dong } => {
                ensure!(remaining_dong == 10_000, "remaining {remaining_dong}")
            }
            RefundOpened::NotPaid => anyhow::bail!("the payment is paid"),
        }
    }
    ensure!(opened == 2, "{opened} refunds held");
    let payments = store.dossier_payments(dossier_id).await?;
    ensure!(payments[0].refunded_dong == 40_000, "{payments:?}");
    ensure!(audit_count(store.as_ref()).await? == before + 2);

    let refunds = store.dossier_refunds(dossier_id).await?;
    ensure!(refunds.len() == 2 && refunds.iter().all(|r| r.status == "pending"));
    let (first, second) = (&refunds[0].reference, &refunds[1].reference);
    store
        .finish_refund(
            &ctx()?,
            first,
            &RefundFinish::Done {
                transaction: "RT1".into(),
            },
        )
        .await?;
    store
        .finish_refund(
            &ctx()?,
            second,
            &RefundFinish::Refused {
                why: "02: vượt quá".into(),
            },
        )
        .await?;
    // Answered again: nothing changes.
    store
        .finish_refund(
            &ctx()?,
            second,
            &RefundFinish::Done {
                transaction: "RT2".into(),
            },
        )
        .await?;
    let payments = store.dossier_payments(dossier_id).await?;
    ensure!(payments[0].refunded_dong == 20_000, "{payments:?}");
    ensure!(payments[0].counts_as_paid());
    let refunds = store.dossier_refunds(dossier_id).await?;
    let done = refunds.iter().find(|r| &r.reference == first);
    let refused = refunds.iter().find(|r| &r.reference == second);
    ensure!(done.is_some_and(|r| r.status == "done" && r.transaction_no.as_deref() == Some("RT1")));
    ensure!(refused.is_some_and(|r| r.status == "refused"
        && r.outcome.as_deref() == Some("02: vượt quá")
        && r.transaction_no.is_none()));
    ensure!(audit_count(store.as_ref()).await? == before + 4);

    // The rest, 30.000, in full: no longer paid online.
    ensure!(
        store
            .open_refund(&ctx()?, &refund("R-rest", 30_000))
            .await?
            == RefundOpened::Opened
    );
    ensure!(!store.dossier_payments(dossier_id).await?[0].counts_as_paid());
    ensure!(
        store.open_refund(&ctx()?, &refund("R-more", 1)).await?
            == RefundOpened::Exceeds { remaining_dong: 0 }
    );
    let mut unpaid = refund("R-unpaid", 1);
    unpaid.payment_reference = "NOPE".into();
    ensure!(store.open_refund(&ctx()?, &unpaid).await? == RefundOpened::NotPaid);

    // The day's reads: settled and asked at the contract's moment.
    let at = ctx()?.at;
    let (from, to) = (
        Timestamp::from_millisecond(at.as_millisecond() - 1)?,
        Timestamp::from_millisecond(at.as_millisecond() + 1)?,
    );
    let settled = store.payments_settled_between(from, to, 100).await?;
    ensure!(
        settled.len() == 1
            && settled[0].payment.reference == "PAY1"
            && settled[0].dossier_id == dossier_id,
        "{settled:?}"
    );
    ensure!(store.refunds_between(from, to, 100).await?.len() == 3);
    ensure!(store.refunds_between(to, to, 100).await?.is_empty());
    let found = store.payment_by_reference("PAY1").await?;
    ensure!(found.is_some_and(|p| p.payment.transaction_no.as_deref() == Some("TXN1")));
    ensure!(store.payment_by_reference("NOPE").await?.is_none());
    Ok(())
}
