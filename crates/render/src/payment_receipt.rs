//! The e-receipt of a fee paid online: "BIÊN LAI THU PHÍ, LỆ PHÍ" (the
//! receipt of Decree 11/2020/NĐ-CP, Art. 3, issued electronically), A5
//! portrait. Payer, dossier, procedure, amount in figures and in words,
//! the gateway's transaction, the moment paid (Viet Nam time), the unit
//! that collects, and any refunds.
//!
//! As for the other forms, values reach the template
//! (`templates/payment-receipt.typ`) as strings in `/data.json`.

use jiff::civil::DateTime;
use serde::Serialize;

use crate::RenderError;
use crate::pdf::{Template, compile_form};
use crate::vietnamese::{date_line, dong_in_words, fee_text, heading_break, moment_long};

const TEMPLATE: Template = Template {
    path: "/templates/payment-receipt.typ",
    text: include_str!("../templates/payment-receipt.typ"),
};

/// Everything a payment receipt states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReceiptDoc {
    /// The governing body, first heading line; empty for none.
    pub parent_unit_name: String,
    /// The unit that collects the fee (the receiving unit).
    pub unit_name: String,
    /// Who paid.
    pub payer_name: String,
    /// Their address.
    pub payer_address: String,
    /// The dossier's code.
    pub dossier_code: String,
    /// The procedure's name.
    pub procedure_name: String,
    /// The amount paid, in đồng.
    pub amount_dong: u64,
    /// How it was paid, as it should read.
    pub method: String,
    /// The gateway's transaction number.
    pub transaction: String,
    /// Our reference of the payment (the receipt's number).
    pub reference: String,
    /// When it was paid, Viet Nam time.
    pub paid_at: DateTime,
    /// Refunds given back, oldest first.
    pub refunds: Vec<ReceiptRefund>,
}

/// A refund printed on the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRefund {
    /// When, Viet Nam time.
    pub at: DateTime,
    /// How much, in đồng.
    pub amount_dong: u64,
    /// Why.
    pub reason: String,
    /// The gateway's transaction of the refund.
    pub transaction: String,
}

#[derive(Serialize)]
struct Data<'a> {
    parent_unit_name: String,
    unit_name: String,
    date_line: String,
    payer_name: &'a str,
    payer_address: &'a str,
    dossier_code: &'a str,
    procedure_name: &'a str,
    amount: String,
    amount_words: String,
    method: &'a str,
    transaction: &'a str,
    reference: &'a str,
    paid_at: String,
    refunds: Vec<RefundData<'a>>,
    refunded: String,
    kept: String,
    kept_words: String,
}

#[derive(Serialize)]
struct RefundData<'a> {
    number: String,
    at: String,
    amount: String,
    reason: &'a str,
    transaction: &'a str,
}

/// An amount in figures; 0 too ("0 đồng", where a fee line would say no
/// fee is charged).
fn money(dong: u64) -> String {
    if dong == 0 {
        "0 đồng".to_owned()
    } else {
        fee_text(dong)
    }
}

/// Renders the receipt as an A5 PDF.
pub fn payment_receipt_pdf(doc: &PaymentReceiptDoc) -> Result<Vec<u8>, RenderError> {
    let refunded: u64 = doc.refunds.iter().map(|r| r.amount_dong).sum();
    let kept = doc.amount_dong.saturating_sub(refunded);
    let data = Data {
        parent_unit_name: heading_break(&doc.parent_unit_name),
        unit_name: heading_break(&doc.unit_name),
        date_line: date_line("", doc.paid_at),
        payer_name: &doc.payer_name,
        payer_address: &doc.payer_address,
        dossier_code: &doc.dossier_code,
        procedure_name: &doc.procedure_name,
        amount: fee_text(doc.amount_dong),
        amount_words: dong_in_words(doc.amount_dong),
        method: &doc.method,
        transaction: &doc.transaction,
        reference: &doc.reference,
        paid_at: moment_long(doc.paid_at),
        refunds: doc
            .refunds
            .iter()
            .enumerate()
            .map(|(i, r)| RefundData {
                number: (i + 1).to_string(),
                at: moment_long(r.at),
                amount: fee_text(r.amount_dong),
                reason: &r.reason,
                transaction: &r.transaction,
            })
            .collect(),
        refunded: money(refunded),
        kept: money(kept),
        kept_words: dong_in_words(kept),
    };
    compile_form(&TEMPLATE, &data)
}
