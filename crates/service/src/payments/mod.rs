//! The payment-gateway port (domain.md §8): a fee paid online through a
//! gateway in the VNPay style (the browser goes to the gateway's page and
//! comes back with a signed answer), given back by a signed
//! server-to-server refund, and checked against the gateway's signed list
//! of a day's transactions. `motcua-notify` holds the adapter
//! (`payment::SignedGateway`) and a simulated gateway for the demo and the
//! tests. A dossier paid this way counts as paid online in the statistics
//! unless its fee was refunded in full.
//!
//! Staff's use cases are in [`refunds`] (a dossier's payments, refunds),
//! [`receipts`] (the e-receipt) and [`reconcile`] (đối soát).

pub mod receipts;
pub mod reconcile;
pub mod refunds;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::error::ServiceResult;

/// What a payment asks the gateway for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    /// Our unique reference of the attempt.
    pub reference: String,
    /// The amount in đồng.
    pub amount_dong: i64,
    /// What is paid, shown by the gateway.
    pub description: String,
    /// Where the gateway sends the browser back.
    pub return_url: String,
    /// When the payment was opened.
    pub created_at: Timestamp,
}

/// What the gateway answered, once its signature is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayAnswer {
    /// Our reference.
    pub reference: String,
    /// The amount the gateway took, in đồng.
    pub amount_dong: i64,
    /// The gateway's transaction number.
    pub transaction: String,
    /// Whether the payment went through.
    pub paid: bool,
}

/// A refund asked of the gateway, server to server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// Our unique reference of the refund (the gateway answers a repeated
    /// one with its first answer).
    pub reference: String,
    /// The payment's reference.
    pub payment_reference: String,
    /// The gateway's transaction of the payment.
    pub transaction: String,
    /// The amount to give back, in đồng.
    pub amount_dong: i64,
    /// Whether it gives back the whole payment.
    pub full: bool,
    /// Why.
    pub reason: String,
    /// Who asks.
    pub requested_by: String,
    /// When.
    pub at: Timestamp,
}

/// The gateway's signed answer to a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundAnswer {
    /// Given back under the gateway's transaction.
    Done {
        /// The gateway's transaction of the refund.
        transaction: String,
    },
    /// Refused (more than remains, already refunded, unknown transaction).
    Refused {
        /// The gateway's code and message.
        why: String,
    },
}

/// What a gateway's transaction was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    /// A payment.
    Payment,
    /// A refund of one.
    Refund,
}

/// One transaction in the gateway's list of a day (checked signature).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GatewayTransaction {
    /// A payment or a refund.
    pub kind: TransactionKind,
    /// Our reference: the payment's, or the refund's.
    pub reference: String,
    /// For a refund, the payment's reference; for a payment, the same as
    /// `reference`.
    pub payment_reference: String,
    /// The gateway's transaction number.
    pub transaction: String,
    /// The amount in đồng.
    pub amount_dong: i64,
    /// When the gateway recorded it.
    pub at: Timestamp,
}

/// A payment gateway.
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// The gateway's page for this payment (signed).
    fn pay_url(&self, r: &PaymentRequest) -> String;
    /// Reads what the gateway sent back, refusing anything whose signature
    /// does not hold (`Invalid` on `signature`).
    fn verify(&self, params: &[(String, String)]) -> ServiceResult<GatewayAnswer>;
    /// Asks the gateway to give back (part of) a payment. An answer whose
    /// signature does not hold, or that answers another request, is
    /// `Invalid` on `signature`; no answer is `Unavailable`.
    async fn refund(&self, r: &RefundRequest) -> ServiceResult<RefundAnswer>;
    /// The gateway's transactions of `day` (Viet Nam time), payments and
    /// refunds, from its signed list (`Invalid` on `signature` when the
    /// signature does not hold).
    async fn transactions(&self, day: Date) -> ServiceResult<Vec<GatewayTransaction>>;
}

/// Where a dossier's fee stands, for its owner's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeState {
    /// The fee due, in đồng.
    pub fee_dong: i64,
    /// Whether it was paid online.
    pub paid: bool,
    /// Whether it can be paid online now (a gateway, a fee, not paid, the
    /// dossier received and not ended without a result).
    pub payable: bool,
    /// The references of the payments paid (refunded or not), oldest
    /// first: each has an e-receipt.
    pub receipts: Vec<String>,
}

/// What a gateway's answer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returned {
    /// The fee is paid now.
    Paid,
    /// The payment did not go through (cancelled, refused).
    NotPaid,
    /// The answer came before: nothing changed.
    Again,
}

/// A fresh unguessable reference for the gateway (20 hex digits; VNPay
/// takes up to 100 characters).
pub(crate) fn new_reference() -> ServiceResult<String> {
    Ok(crate::auth::new_secret()?
        .get(..20)
        .unwrap_or_default()
        .to_owned())
}

fn payable_status(s: motcua_domain::dossier::Status) -> bool {
    use motcua_domain::dossier::Status as S;
    matches!(
        s,
        S::Received
            | S::Processing
            | S::AwaitingSupplement
            | S::AwaitingFinancialObligation
            | S::Done
    )
}

impl crate::services::Applicants<'_> {
    /// Where `who`'s dossier's fee stands.
    pub async fn fee_state(
        &self,
        who: &crate::applicants::Applicant,
        code: &str,
    ) -> ServiceResult<FeeState> {
        let d = self.services().dossiers().owned(who, code).await?;
        let payments = self.store().dossier_payments(d.id).await?;
        let paid = payments.iter().any(crate::store::Payment::counts_as_paid);
        let receipts = payments
            .iter()
            .rev()
            .filter(|p| p.status == "paid")
            .map(|p| p.reference.clone())
            .collect();
        Ok(FeeState {
            fee_dong: d.fee_dong,
            paid,
            payable: self.services().gateway().is_some()
                && d.fee_dong > 0
                && !paid
                && payable_status(d.state.status),
            receipts,
        })
    }

    /// Opens a payment of `who`'s dossier's fee and answers the gateway's
    /// page to send the browser to; the gateway sends it back to
    /// `return_url`.
    pub async fn start_payment(
        &self,
        who: &crate::applicants::Applicant,
        code: &str,
        return_url: &str,
    ) -> ServiceResult<String> {
        let state = self.fee_state(who, code).await?;
        let Some(gateway) = self.services().gateway() else {
            return Err(crate::ServiceError::Conflict(
                "no payment gateway is configured".into(),
            ));
        };
        if !state.payable {
            return Err(crate::ServiceError::Conflict(
                "nothing to pay online for this dossier now".into(),
            ));
        }
        let d = self.services().dossiers().owned(who, code).await?;
        let reference = new_reference()?;
        let ctx = crate::store::AuditContext {
            actor: who.audit_name(),
            at: self.now(),
        };
        self.store()
            .insert_payment(&ctx, d.id, &reference, d.fee_dong)
            .await?;
        Ok(gateway.pay_url(&PaymentRequest {
            reference,
            amount_dong: d.fee_dong,
            description: format!("Phí, lệ phí hồ sơ {}", d.code),
            return_url: return_url.to_owned(),
            created_at: ctx.at,
        }))
    }
}

impl crate::services::Portal<'_> {
    /// Takes the gateway's signed answer: a forged or altered one is
    /// `Invalid` (nothing changes), an unknown reference `NotFound`, an
    /// amount other than the one asked `Invalid` on `amount`; a repeated
    /// one changes nothing. Answers the dossier's code and what happened.
    pub async fn payment_returned(
        &self,
        params: &[(String, String)],
    ) -> ServiceResult<(String, Returned)> {
        let gateway = self
            .services()
            .gateway()
            .ok_or_else(|| crate::ServiceError::not_found("payment gateway", "none"))?;
        let answer = gateway.verify(params)?;
        let ctx = crate::store::AuditContext {
            actor: "gateway".into(),
            at: self.now(),
        };
        match self
            .store()
            .settle_payment(
                &ctx,
                &answer.reference,
                &answer.transaction,
                answer.amount_dong,
                answer.paid,
            )
            .await?
        {
            crate::store::Settled::Now { code, paid: true } => Ok((code, Returned::Paid)),
            crate::store::Settled::Now { code, paid: false } => Ok((code, Returned::NotPaid)),
            crate::store::Settled::Already { code } => Ok((code, Returned::Again)),
            crate::store::Settled::Unknown => {
                Err(crate::ServiceError::not_found("payment", answer.reference))
            }
            crate::store::Settled::AmountMismatch => Err(crate::ServiceError::invalid(
                "amount",
                "the gateway took another amount than was asked",
            )),
        }
    }
}
