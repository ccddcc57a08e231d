//! The store's side of fees paid online, beyond opening and settling a
//! payment ([`super::ApplicantStore`]): refunds and the day's records that
//! reconciliation compares with the gateway's (migration 0018).

use async_trait::async_trait;
use jiff::Timestamp;

use super::AuditContext;
use crate::error::ServiceResult;

/// A payment with the dossier it pays for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierPayment {
    /// The payment.
    pub payment: super::Payment,
    /// The dossier's id.
    pub dossier_id: i64,
    /// The dossier's code.
    pub dossier_code: String,
    /// The dossier's receiving unit.
    pub unit_id: i64,
}

/// A refund as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refund {
    /// Our reference of the refund.
    pub reference: String,
    /// The payment refunded (its reference).
    pub payment_reference: String,
    /// The amount given back, in đồng.
    pub amount_dong: i64,
    /// Why.
    pub reason: String,
    /// `pending`, `done` or `refused`.
    pub status: String,
    /// The gateway's transaction of the refund, once done.
    pub transaction_no: Option<String>,
    /// Why the gateway refused it.
    pub outcome: Option<String>,
    /// Who asked for it.
    pub requested_by: String,
    /// When it was asked.
    pub created_at: Timestamp,
    /// When the gateway answered.
    pub settled_at: Option<Timestamp>,
}

/// A refund to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    /// Our reference of the refund.
    pub reference: String,
    /// The payment's reference.
    pub payment_reference: String,
    /// The amount, in đồng (above zero).
    pub amount_dong: i64,
    /// Why (1–1000 characters).
    pub reason: String,
}

/// What opening a refund found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOpened {
    /// Opened; the amount is held on the payment until the gateway answers.
    Opened,
    /// The payment is not paid (nothing to give back).
    NotPaid,
    /// More than what remains: the amount still refundable.
    Exceeds {
        /// Paid less what was refunded or is being refunded.
        remaining_dong: i64,
    },
}

/// How the gateway answered a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundFinish {
    /// Given back, under the gateway's transaction.
    Done {
        /// The gateway's transaction of the refund.
        transaction: String,
    },
    /// Refused: the held amount is released.
    Refused {
        /// The gateway's reason.
        why: String,
    },
}

/// Refunds and reconciliation's reads. Every change is audited under the
/// dossier (`dossier_id:N`), in the same transaction.
#[async_trait]
pub trait PaymentStore: Send + Sync {
    /// A payment by our reference, with its dossier.
    async fn payment_by_reference(&self, reference: &str) -> ServiceResult<Option<DossierPayment>>;
    /// Opens a refund in one guarded statement: the amount is held on the
    /// paid payment only if it does not take refunds above what was paid.
    async fn open_refund(&self, ctx: &AuditContext, r: &NewRefund) -> ServiceResult<RefundOpened>;
    /// Records the gateway's answer to a pending refund (once; a refund no
    /// longer pending is left as it is).
    async fn finish_refund(
        &self,
        ctx: &AuditContext,
        reference: &str,
        finish: &RefundFinish,
    ) -> ServiceResult<()>;
    /// A dossier's refunds, newest first.
    async fn dossier_refunds(&self, dossier_id: i64) -> ServiceResult<Vec<Refund>>;
    /// Payments paid and settled in `[from, to)`, with their dossiers (at
    /// most `limit`, oldest first).
    async fn payments_settled_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> ServiceResult<Vec<DossierPayment>>;
    /// Refunds asked in `[from, to)`, oldest first (at most `limit`).
    async fn refunds_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> ServiceResult<Vec<Refund>>;
}
