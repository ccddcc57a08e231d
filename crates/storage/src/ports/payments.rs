//! Refunds of fees paid online and the day's records reconciliation reads,
//! the same on both databases (migration 0018).
//!
//! A refund holds its amount on the payment (`refunded_dong`) in one guarded
//! `UPDATE` before anything is asked of the gateway, so refunds asked at
//! once can never give back more than was paid; a refused refund releases
//! it. Audit entries name the dossier (`dossier_id:N`).

use jiff::Timestamp;
use motcua_service::error::ServiceResult;
use motcua_service::store::{
    AuditContext, DossierPayment, NewRefund, Payment, Refund, RefundFinish, RefundOpened,
};
use serde_json::json;

use crate::conn::{Backend, Conn, Sql, commit};
use crate::convert::{instant, millis};
use crate::error::{Broken, db, map_db};

/// A refund was asked of the gateway.
pub const REFUND_OPEN: &str = "payment.refund";
/// The gateway answered a refund.
pub const REFUND_FINISH: &str = "payment.refund_settle";

/// The columns of a payment with its dossier, in [`PaymentRow`]'s order.
const PAYMENT_COLUMNS: &str = "p.reference, p.amount_dong, p.refunded_dong, p.status, \
     p.transaction_no, p.created_at_ms, p.settled_at_ms, p.dossier_id, d.code, d.unit_id";

/// `reference, amount_dong, refunded_dong, status, transaction_no,
/// created_at_ms, settled_at_ms, dossier_id, code, unit_id`.
pub(crate) type PaymentRow = (
    String,
    i64,
    i64,
    String,
    Option<String>,
    i64,
    Option<i64>,
    i64,
    String,
    i64,
);

pub(crate) fn decode_payment(r: PaymentRow) -> ServiceResult<DossierPayment> {
    let (
        reference,
        amount_dong,
        refunded_dong,
        status,
        transaction_no,
        created,
        settled,
        id,
        code,
        unit,
    ) = r;
    Ok(DossierPayment {
        payment: Payment {
            reference,
            amount_dong,
            refunded_dong,
            status,
            transaction_no,
            created_at: instant(created, "payments.created_at_ms")?,
            settled_at: settled
                .map(|ms| instant(ms, "payments.settled_at_ms"))
                .transpose()?,
        },
        dossier_id: id,
        dossier_code: code,
        unit_id: unit,
    })
}

const REFUND_COLUMNS: &str = "r.reference, p.reference, r.amount_dong, r.reason, r.status, \
     r.transaction_no, r.outcome, r.requested_by, r.created_at_ms, r.settled_at_ms";

type RefundRow = (
    String,
    String,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    i64,
    Option<i64>,
);

fn decode_refund(r: RefundRow) -> ServiceResult<Refund> {
    let (reference, payment_reference, amount_dong, reason, status, txn, outcome, by, at, settled) =
        r;
    Ok(Refund {
        reference,
        payment_reference,
        amount_dong,
        reason,
        status,
        transaction_no: txn,
        outcome,
        requested_by: by,
        created_at: instant(at, "payment_refunds.created_at_ms")?,
        settled_at: settled
            .map(|ms| instant(ms, "payment_refunds.settled_at_ms"))
            .transpose()?,
    })
}

pub(crate) async fn payment_by_reference<B: Backend>(
    b: &B,
    reference: &str,
) -> ServiceResult<Option<DossierPayment>> {
    let row: Option<PaymentRow> = b
        .read()
        .await?
        .optional(
            Sql::assembled(
                format!(
                    "SELECT {PAYMENT_COLUMNS} FROM payments p JOIN dossiers d ON d.id = p.dossier_id \
                     WHERE p.reference = $1"
                ),
                Vec::new(),
            )
            .text(reference),
        )
        .await
        .map_err(db)?;
    row.map(decode_payment).transpose()
}

pub(crate) async fn open_refund<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    r: &NewRefund,
) -> ServiceResult<RefundOpened> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let held = c
        .execute(
            Sql::new(
                "UPDATE payments SET refunded_dong = refunded_dong + $1 \
                 WHERE reference = $2 AND status = 'paid' AND refunded_dong + $3 <= amount_dong",
            )
            .int(r.amount_dong)
            .text(r.payment_reference.as_str())
            .int(r.amount_dong),
        )
        .await
        .map_err(db)?;
    if held == 0 {
        let row: Option<(String, i64, i64)> = c
            .optional(
                Sql::new(
                    "SELECT status, amount_dong, refunded_dong FROM payments WHERE reference = $1",
                )
                .text(r.payment_reference.as_str()),
            )
            .await
            .map_err(db)?;
        return Ok(match row {
            Some((status, paid, refunded)) if status == "paid" => RefundOpened::Exceeds {
                remaining_dong: paid - refunded,
            },
            _ => RefundOpened::NotPaid,
        });
    }
    let (payment_id, dossier_id): (i64, i64) = c
        .one(
            Sql::new("SELECT id, dossier_id FROM payments WHERE reference = $1")
                .text(r.payment_reference.as_str()),
        )
        .await
        .map_err(db)?;
    c.execute(
        Sql::new(
            "INSERT INTO payment_refunds (payment_id, reference, amount_dong, reason, status, \
             requested_by, created_at_ms) VALUES ($1, $2, $3, $4, 'pending', $5, $6)",
        )
        .int(payment_id)
        .text(r.reference.as_str())
        .int(r.amount_dong)
        .text(r.reason.as_str())
        .text(ctx.actor.as_str())
        .int(millis(ctx.at)),
    )
    .await
    .map_err(|e| {
        map_db(e, |b| {
            matches!(b, Broken::Unique(_)).then(|| {
                motcua_service::ServiceError::Conflict("a refund with this reference exists".into())
            })
        })
    })?;
    c.append(
        ctx,
        REFUND_OPEN,
        &format!("dossier_id:{dossier_id}"),
        &json!({ "reference": r.reference, "payment": r.payment_reference,
                 "amount_dong": r.amount_dong, "reason": r.reason }),
    )
    .await?;
    commit(tx).await?;
    Ok(RefundOpened::Opened)
}

pub(crate) async fn finish_refund<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    reference: &str,
    finish: &RefundFinish,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let row: Option<(i64, i64, i64)> = c
        .optional(
            Sql::new(
                "SELECT r.payment_id, r.amount_dong, p.dossier_id FROM payment_refunds r \
                 JOIN payments p ON p.id = r.payment_id \
                 WHERE r.reference = $1 AND r.status = 'pending'",
            )
            .text(reference),
        )
        .await
        .map_err(db)?;
    let Some((payment_id, amount, dossier_id)) = row else {
        return Ok(());
    };
    let (status, txn, outcome) = match finish {
        RefundFinish::Done { transaction } => ("done", Some(transaction.clone()), None),
        RefundFinish::Refused { why } => ("refused", None, Some(why.clone())),
    };
    let n = c
        .execute(
            Sql::new(
                "UPDATE payment_refunds SET status = $1, transaction_no = $2, outcome = $3, \
                 settled_at_ms = $4 WHERE reference = $5 AND status = 'pending'",
            )
            .text(status)
            .opt_text(txn.clone())
            .opt_text(outcome.clone())
            .int(millis(ctx.at))
            .text(reference),
        )
        .await
        .map_err(db)?;
    if n == 0 {
        return Ok(());
    }
    if status == "refused" {
        c.execute(
            Sql::new("UPDATE payments SET refunded_dong = refunded_dong - $1 WHERE id = $2")
                .int(amount)
                .int(payment_id),
        )
        .await
        .map_err(db)?;
    }
    c.append(
        ctx,
        REFUND_FINISH,
        &format!("dossier_id:{dossier_id}"),
        &json!({ "reference": reference, "status": status,
                 "transaction": txn, "outcome": outcome }),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn dossier_refunds<B: Backend>(
    b: &B,
    dossier_id: i64,
) -> ServiceResult<Vec<Refund>> {
    let rows: Vec<RefundRow> = b
        .read()
        .await?
        .all(
            Sql::assembled(
                format!(
                    "SELECT {REFUND_COLUMNS} FROM payment_refunds r \
                     JOIN payments p ON p.id = r.payment_id \
                     WHERE p.dossier_id = $1 ORDER BY r.id DESC"
                ),
                Vec::new(),
            )
            .int(dossier_id),
        )
        .await
        .map_err(db)?;
    rows.into_iter().map(decode_refund).collect()
}

pub(crate) async fn payments_settled_between<B: Backend>(
    b: &B,
    from: Timestamp,
    to: Timestamp,
    limit: u32,
) -> ServiceResult<Vec<DossierPayment>> {
    let rows: Vec<PaymentRow> = b
        .read()
        .await?
        .all(
            Sql::assembled(
                format!(
                    "SELECT {PAYMENT_COLUMNS} FROM payments p JOIN dossiers d ON d.id = p.dossier_id \
                     WHERE p.status = 'paid' AND p.settled_at_ms >= $1 AND p.settled_at_ms < $2 \
                     ORDER BY p.settled_at_ms, p.id LIMIT $3"
                ),
                Vec::new(),
            )
            .int(millis(from))
            .int(millis(to))
            .int(i64::from(limit)),
        )
        .await
        .map_err(db)?;
    rows.into_iter().map(decode_payment).collect()
}

pub(crate) async fn refunds_between<B: Backend>(
    b: &B,
    from: Timestamp,
    to: Timestamp,
    limit: u32,
) -> ServiceResult<Vec<Refund>> {
    let rows: Vec<RefundRow> = b
        .read()
        .await?
        .all(
            Sql::assembled(
                format!(
                    "SELECT {REFUND_COLUMNS} FROM payment_refunds r \
                     JOIN payments p ON p.id = r.payment_id \
                     WHERE r.created_at_ms >= $1 AND r.created_at_ms < $2 \
                     ORDER BY r.created_at_ms, r.id LIMIT $3"
                ),
                Vec::new(),
            )
            .int(millis(from))
            .int(millis(to))
            .int(i64::from(limit)),
        )
        .await
        .map_err(db)?;
    rows.into_iter().map(decode_refund).collect()
}

/// Implements `PaymentStore` for `$store` (called from `store_ports!`).
macro_rules! payment_ports {
    ($store:ty) => {
        const _: () = {
            use async_trait::async_trait;
            use jiff::Timestamp;
            use motcua_service::error::ServiceResult;
            use motcua_service::store::{
                AuditContext, DossierPayment, NewRefund, PaymentStore, Refund, RefundFinish,
                RefundOpened,
            };

            use $crate::ports::payments as pay;

            #[async_trait]
            impl PaymentStore for $store {
                async fn payment_by_reference(
                    &self,
                    reference: &str,
                ) -> ServiceResult<Option<DossierPayment>> {
                    pay::payment_by_reference(self, reference).await
                }

                async fn open_refund(
                    &self,
                    ctx: &AuditContext,
                    r: &NewRefund,
                ) -> ServiceResult<RefundOpened> {
                    pay::open_refund(self, ctx, r).await
                }

                async fn finish_refund(
                    &self,
                    ctx: &AuditContext,
                    reference: &str,
                    finish: &RefundFinish,
                ) -> ServiceResult<()> {
                    pay::finish_refund(self, ctx, reference, finish).await
                }

                async fn dossier_refunds(&self, dossier_id: i64) -> ServiceResult<Vec<Refund>> {
                    pay::dossier_refunds(self, dossier_id).await
                }

                async fn payments_settled_between(
                    &self,
                    from: Timestamp,
                    to: Timestamp,
                    limit: u32,
                ) -> ServiceResult<Vec<DossierPayment>> {
                    pay::payments_settled_between(self, from, to, limit).await
                }

                async fn refunds_between(
                    &self,
                    from: Timestamp,
                    to: Timestamp,
                    limit: u32,
                ) -> ServiceResult<Vec<Refund>> {
                    pay::refunds_between(self, from, to, limit).await
                }
            }
        };
    };
}
pub(crate) use payment_ports;
