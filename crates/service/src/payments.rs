//! The payment-gateway port (domain.md §8): a fee paid online through a
//! gateway in the VNPay style (the browser goes to the gateway's page and
//! comes back with a signed answer). `motcua-notify` holds the adapter
//! (`payment::SignedGateway`) and a simulated gateway for the demo and the
//! tests. A dossier paid this way counts as paid online in the statistics.

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

/// A payment gateway.
pub trait PaymentGateway: Send + Sync {
    /// The gateway's page for this payment (signed).
    fn pay_url(&self, r: &PaymentRequest) -> String;
    /// Reads what the gateway sent back, refusing anything whose signature
    /// does not hold (`Invalid` on `signature`).
    fn verify(&self, params: &[(String, String)]) -> ServiceResult<GatewayAnswer>;
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
        let paid = self
            .store()
            .dossier_payments(d.id)
            .await?
            .iter()
            .any(|p| p.status == "paid");
        Ok(FeeState {
            fee_dong: d.fee_dong,
            paid,
            payable: self.services().payments().is_some()
                && d.fee_dong > 0
                && !paid
                && payable_status(d.state.status),
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
        let Some(gateway) = self.services().payments() else {
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
        let reference = crate::auth::new_secret()?
            .get(..20)
            .unwrap_or_default()
            .to_owned();
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
            .payments()
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
