//! The e-receipt of a fee paid online (biên lai thu phí, lệ phí điện tử):
//! what it states, gathered for its owner on the portal and for staff of
//! the dossier's units. Rendering is the render crate's.

use jiff::Timestamp;

use crate::access::Actor;
use crate::applicants::Applicant;
use crate::error::{ServiceError, ServiceResult};
use crate::store::{Dossier, Refund};

/// What a payment's receipt states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReceipt {
    /// The unit above the receiving one (the heading's first line).
    pub parent_unit_name: Option<String>,
    /// The receiving unit (the unit that collects the fee).
    pub unit_name: String,
    /// Who paid: the dossier's applicant.
    pub payer_name: String,
    /// Their address.
    pub payer_address: String,
    /// The dossier's code.
    pub dossier_code: String,
    /// The procedure's name in the version in force at receipt.
    pub procedure_name: String,
    /// The amount paid, in đồng.
    pub amount_dong: i64,
    /// Our reference of the payment.
    pub reference: String,
    /// The gateway's transaction number.
    pub transaction: String,
    /// When the gateway's answer settled it.
    pub paid_at: Timestamp,
    /// Its refunds given back (done), oldest first.
    pub refunds: Vec<Refund>,
}

async fn gather(
    store: &dyn crate::store::Store,
    d: &Dossier,
    reference: &str,
) -> ServiceResult<PaymentReceipt> {
    let missing = || ServiceError::not_found("payment", reference);
    let p = store
        .dossier_payments(d.id)
        .await?
        .into_iter()
        .find(|p| p.reference == reference.trim() && p.status == "paid")
        .ok_or_else(missing)?;
    let paid_at = p.settled_at.ok_or_else(missing)?;
    let unit = store.unit_by_id(d.unit_id).await?;
    let parent_unit_name = match unit.parent_id {
        Some(id) => Some(store.unit_by_id(id).await?.name),
        None => None,
    };
    let version = store
        .procedure_version_by_id(d.procedure_version_id)
        .await?;
    let mut refunds: Vec<Refund> = store
        .dossier_refunds(d.id)
        .await?
        .into_iter()
        .filter(|r| r.payment_reference == p.reference && r.status == "done")
        .collect();
    refunds.reverse();
    Ok(PaymentReceipt {
        parent_unit_name,
        unit_name: unit.name,
        payer_name: d.applicant.name.clone(),
        payer_address: d.applicant.address.clone(),
        dossier_code: d.code.to_string(),
        procedure_name: version.draft.name.clone(),
        amount_dong: p.amount_dong,
        reference: p.reference,
        transaction: p.transaction_no.unwrap_or_default(),
        paid_at,
        refunds,
    })
}

impl crate::services::Payments<'_> {
    /// The receipt of one of a dossier's payments, for those who may read
    /// the dossier; another unit's dossier, or a payment not paid, reads
    /// as missing.
    pub async fn receipt(
        &self,
        actor: &Actor,
        code: &str,
        reference: &str,
    ) -> ServiceResult<PaymentReceipt> {
        let d = self.services().dossiers().visible(actor, code).await?;
        gather(self.store(), &d, reference).await
    }
}

impl crate::services::Applicants<'_> {
    /// The receipt of a payment of `who`'s dossier; another's dossier or
    /// payment reads as missing.
    pub async fn my_receipt(
        &self,
        who: &Applicant,
        code: &str,
        reference: &str,
    ) -> ServiceResult<PaymentReceipt> {
        let d = self.services().dossiers().owned(who, code).await?;
        gather(self.store(), &d, reference).await
    }
}
