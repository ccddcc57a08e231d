//! A dossier's payments as staff see them, and refunds (hoàn trả phí, lệ
//! phí): a desk officer or a leader of the dossier's unit (or a system
//! administrator) gives back a fee paid online, whole or in part, with a
//! reason, typically after the dossier was refused or withdrawn.
//!
//! The amount is held on the payment before the gateway is asked, so two
//! refunds at once never give back more than was paid. The gateway's
//! signed answer settles the refund: done (under its transaction) or
//! refused (the amount is released). When the gateway does not answer, or
//! its answer does not hold its signature, the refund stays pending; the
//! next refund of that payment asks again under the same reference first
//! (the gateway answers a repeated reference with its first answer).

use serde::{Deserialize, Serialize};

use super::{PaymentGateway, RefundAnswer, RefundRequest};
use crate::access::{Actor, Permission, deny};
use crate::error::{ServiceError, ServiceResult};
use crate::store::{
    Dossier, NewRefund, Payment, Refund, RefundFinish, RefundOpened, dossier_subject,
};

/// The longest reason kept.
pub const MAX_REASON: usize = 1000;

/// A refund as a member of staff asks for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundCommand {
    /// The payment's reference; by default the dossier's payment still
    /// paid.
    pub payment: Option<String>,
    /// The amount to give back, in đồng; by default all that remains.
    pub amount_dong: Option<i64>,
    /// Why (e.g. the dossier was refused), 1–1000 characters.
    pub reason: String,
}

/// A payment with its refunds, for staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentView {
    /// Our reference.
    pub reference: String,
    /// The amount, in đồng.
    pub amount_dong: i64,
    /// Refunded, or being refunded, in đồng.
    pub refunded_dong: i64,
    /// `pending`, `paid` or `failed`.
    pub status: String,
    /// Whether it counts as paid online (paid and not refunded whole).
    pub counts_as_paid: bool,
    /// The gateway's transaction.
    pub transaction_no: Option<String>,
    /// When it was opened (RFC 3339).
    pub created_at: jiff::Timestamp,
    /// When the gateway's answer settled it.
    pub settled_at: Option<jiff::Timestamp>,
    /// Its refunds, newest first.
    pub refunds: Vec<Refund>,
}

impl PaymentView {
    fn new(p: Payment, refunds: &[Refund]) -> Self {
        Self {
            counts_as_paid: p.counts_as_paid(),
            refunds: refunds
                .iter()
                .filter(|r| r.payment_reference == p.reference)
                .cloned()
                .collect(),
            reference: p.reference,
            amount_dong: p.amount_dong,
            refunded_dong: p.refunded_dong,
            status: p.status,
            transaction_no: p.transaction_no,
            created_at: p.created_at,
            settled_at: p.settled_at,
        }
    }
}

/// Whether `actor` may refund (and record payments) on the dossier: the
/// permission on one of its units (received there, or held there now).
/// Pages use it to offer the form; [`Payments::refund`] decides.
///
/// [`Payments::refund`]: crate::services::Payments::refund
pub fn may_refund(actor: &Actor, d: &Dossier) -> bool {
    crate::dossiers::dossier_units(d)
        .iter()
        .any(|&u| actor.may(Permission::ManagePayments, u))
}

fn checked_reason(reason: &str) -> ServiceResult<String> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(ServiceError::invalid(
            "reason",
            "say why the fee is refunded",
        ));
    }
    if r.chars().count() > MAX_REASON {
        return Err(ServiceError::invalid(
            "reason",
            format!("at most {MAX_REASON} characters"),
        ));
    }
    if r.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ServiceError::invalid("reason", "control characters"));
    }
    Ok(r.to_owned())
}

impl crate::services::Payments<'_> {
    /// A dossier's payments with their refunds, newest first, for those who
    /// may read the dossier (another unit's reads as missing).
    pub async fn of_dossier(&self, actor: &Actor, code: &str) -> ServiceResult<Vec<PaymentView>> {
        let d = self.services().dossiers().visible(actor, code).await?;
        let refunds = self.store().dossier_refunds(d.id).await?;
        Ok(self
            .store()
            .dossier_payments(d.id)
            .await?
            .into_iter()
            .map(|p| PaymentView::new(p, &refunds))
            .collect())
    }

    /// The payments of a dossier the caller has already read (its page),
    /// without recording a refusal: none when the caller no longer sees it
    /// (an action just moved it out of their units).
    pub async fn of_read_dossier(
        &self,
        actor: &Actor,
        d: &Dossier,
    ) -> ServiceResult<Vec<PaymentView>> {
        if !self.services().dossiers().sees(actor, d).await? {
            return Ok(Vec::new());
        }
        let payments = self.store().dossier_payments(d.id).await?;
        if payments.is_empty() {
            return Ok(Vec::new());
        }
        let refunds = self.store().dossier_refunds(d.id).await?;
        Ok(payments
            .into_iter()
            .map(|p| PaymentView::new(p, &refunds))
            .collect())
    }

    /// Gives back (part of) a dossier's fee paid online. Outside the
    /// actor's units the dossier reads as missing; without the role
    /// (desk officer, leader, system administrator) it is `Forbidden`,
    /// audited. A missing or overlong reason is `Invalid` on `reason`, an
    /// amount below 1 or above what remains `Invalid` on `amount_dong`;
    /// nothing paid left `Conflict`; the gateway's refusal `Conflict` with
    /// its reason (the refund is kept as refused).
    #[tracing::instrument(skip(self, actor, cmd), fields(dossier = %code))]
    pub async fn refund(
        &self,
        actor: &Actor,
        code: &str,
        cmd: &RefundCommand,
    ) -> ServiceResult<Refund> {
        let d = self.services().dossiers().visible(actor, code).await?;
        if !may_refund(actor, &d) {
            return deny(
                self.store(),
                actor,
                self.now(),
                Permission::ManagePayments,
                &dossier_subject(d.code.as_str()),
            )
            .await;
        }
        let reason = checked_reason(&cmd.reason)?;
        if cmd.amount_dong.is_some_and(|a| a < 1) {
            return Err(ServiceError::invalid("amount_dong", "at least 1 đồng"));
        }
        let gateway = self
            .services()
            .gateway()
            .ok_or_else(|| ServiceError::Conflict("no payment gateway is configured".into()))?;
        let payment = self.refundable(&d, cmd.payment.as_deref()).await?;
        self.ask_pending_again(gateway, &d, &payment).await?;
        // What the pending ones left.
        let payment = self.refundable(&d, Some(&payment.reference)).await?;
        let remaining = payment.amount_dong - payment.refunded_dong;
        let amount = cmd.amount_dong.unwrap_or(remaining);
        if remaining < 1 {
            return Err(ServiceError::Conflict(
                "this payment was refunded in full".into(),
            ));
        }
        if amount > remaining {
            return Err(ServiceError::invalid(
                "amount_dong",
                format!("more than the {remaining} đồng left to refund"),
            ));
        }
        let reference = super::new_reference()?;
        let ctx = actor.context(self.now());
        match self
            .store()
            .open_refund(
                &ctx,
                &NewRefund {
                    reference: reference.clone(),
                    payment_reference: payment.reference.clone(),
                    amount_dong: amount,
                    reason: reason.clone(),
                },
            )
            .await?
        {
            RefundOpened::Opened => {}
            RefundOpened::NotPaid => {
                return Err(ServiceError::Conflict("the payment is not paid".into()));
            }
            RefundOpened::Exceeds { remaining_dong } => {
                return Err(ServiceError::invalid(
                    "amount_dong",
                    format!("more than the {remaining_dong} đồng left to refund"),
                ));
            }
        }
        let request = RefundRequest {
            reference: reference.clone(),
            payment_reference: payment.reference.clone(),
            transaction: payment.transaction_no.clone().unwrap_or_default(),
            amount_dong: amount,
            full: amount == payment.amount_dong,
            reason,
            requested_by: actor.username.clone(),
            at: ctx.at,
        };
        self.settle(gateway, &d, &request).await
    }

    /// The payment of `d` to refund: the one named, else the one paid and
    /// not refunded whole.
    async fn refundable(&self, d: &Dossier, reference: Option<&str>) -> ServiceResult<Payment> {
        let payments = self.store().dossier_payments(d.id).await?;
        match reference.map(str::trim) {
            Some(r) => payments
                .into_iter()
                .find(|p| p.reference == r && p.status == "paid")
                .ok_or_else(|| {
                    ServiceError::invalid(
                        "payment",
                        "no payment of this dossier paid under this reference",
                    )
                }),
            None => payments
                .into_iter()
                .filter(|p| p.status == "paid")
                .max_by_key(|p| p.amount_dong > p.refunded_dong)
                .ok_or_else(|| {
                    ServiceError::Conflict("nothing of this dossier was paid online".into())
                }),
        }
    }

    /// Asks the gateway again for each refund of `p` still pending.
    async fn ask_pending_again(
        &self,
        gateway: &dyn PaymentGateway,
        d: &Dossier,
        p: &Payment,
    ) -> ServiceResult<()> {
        let pending: Vec<Refund> = self
            .store()
            .dossier_refunds(d.id)
            .await?
            .into_iter()
            .filter(|r| r.payment_reference == p.reference && r.status == "pending")
            .collect();
        for r in pending {
            let request = RefundRequest {
                reference: r.reference.clone(),
                payment_reference: p.reference.clone(),
                transaction: p.transaction_no.clone().unwrap_or_default(),
                amount_dong: r.amount_dong,
                full: r.amount_dong == p.amount_dong,
                reason: r.reason.clone(),
                requested_by: r.requested_by.clone(),
                at: r.created_at,
            };
            match self.settle(gateway, d, &request).await {
                Ok(_) | Err(ServiceError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Sends `request` and records the answer. An answer that cannot be
    /// trusted (or none) leaves the refund pending: `Unavailable`.
    async fn settle(
        &self,
        gateway: &dyn PaymentGateway,
        d: &Dossier,
        request: &RefundRequest,
    ) -> ServiceResult<Refund> {
        let ctx = crate::store::AuditContext {
            actor: "gateway".into(),
            at: self.now(),
        };
        let finish = match gateway.refund(request).await {
            Ok(RefundAnswer::Done { transaction }) => RefundFinish::Done { transaction },
            Ok(RefundAnswer::Refused { why }) => RefundFinish::Refused { why },
            Err(ServiceError::Invalid { reason, .. }) => {
                tracing::warn!(%reason, "a refund's answer was refused; the refund stays pending");
                return Err(ServiceError::Unavailable(format!(
                    "the gateway's answer was refused ({reason}); the refund waits and is asked again next time"
                )));
            }
            Err(e) => return Err(e),
        };
        self.store()
            .finish_refund(&ctx, &request.reference, &finish)
            .await?;
        if let RefundFinish::Refused { why } = finish {
            return Err(ServiceError::Conflict(format!(
                "the gateway refused the refund: {why}"
            )));
        }
        self.store()
            .dossier_refunds(d.id)
            .await?
            .into_iter()
            .find(|r| r.reference == request.reference)
            .ok_or_else(|| ServiceError::Internal("a refund just written is missing".into()))
    }
}
