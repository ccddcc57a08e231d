//! The dossier page's card of fees paid online: each payment with its
//! refunds and its e-receipt, and the refund form for those the service
//! lets refund (`POST /ho-so/{code}/hoan-phi`, the same call as
//! `POST /api/dossiers/{code}/refunds`).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_service::ServiceError;
use motcua_service::payments::refunds::{RefundCommand, may_refund};

use super::{Message, PATH, respond};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::StaffState;
use crate::ui::{Staff, format, is_htmx};

/// One payment as the card shows it.
pub struct PaymentRow {
    pub reference: String,
    pub amount: String,
    pub refunded: String,
    pub status: String,
    pub transaction: String,
    pub paid_at: String,
    /// The e-receipt, once paid.
    pub receipt_href: Option<String>,
    /// Its refunds, as lines.
    pub refunds: Vec<String>,
    /// Something is left to give back.
    pub refundable: bool,
}

/// The card: the payments, and whether the reader may refund.
pub struct PaymentsCard {
    pub rows: Vec<PaymentRow>,
    pub may_refund: bool,
}

/// The card of a dossier the reader sees, or none when nothing was paid
/// online.
pub(super) async fn card(
    st: &StaffState,
    staff: &Staff,
    v: &motcua_service::dossiers::DossierView,
) -> Result<Option<PaymentsCard>, WebError> {
    let code = v.dossier.code.as_str();
    let payments = st
        .services
        .payments()
        .of_read_dossier(&staff.actor, &v.dossier)
        .await?;
    if payments.iter().all(|p| p.status != "paid") {
        return Ok(None);
    }
    let lang = staff.lang;
    let t = lang.texts();
    let rows = payments
        .into_iter()
        .filter(|p| p.status == "paid")
        .map(|p| PaymentRow {
            receipt_href: Some(format!(
                "/api/dossiers/{code}/payments/{}/receipt.pdf",
                p.reference
            )),
            refundable: p.refunded_dong < p.amount_dong,
            amount: format::money(lang, p.amount_dong),
            refunded: format::money(lang, p.refunded_dong),
            status: status_label(&t, &p.status, p.counts_as_paid),
            transaction: p.transaction_no.clone().unwrap_or_default(),
            paid_at: p
                .settled_at
                .map(|at| format::moment(lang, at))
                .unwrap_or_default(),
            refunds: p
                .refunds
                .iter()
                .map(|r| {
                    let status = t
                        .get(&format!("dossier.payments.refund_{}", r.status))
                        .to_owned();
                    t.fill(
                        "dossier.payments.refund_line",
                        &[
                            ("amount", &format::money(lang, r.amount_dong)),
                            ("at", &format::moment(lang, r.created_at)),
                            ("status", &status),
                            ("reason", &r.reason),
                            ("who", &r.requested_by),
                        ],
                    )
                })
                .collect(),
            reference: p.reference,
        })
        .collect();
    Ok(Some(PaymentsCard {
        rows,
        may_refund: may_refund(&staff.actor, &v.dossier),
    }))
}

fn status_label(t: &Texts, status: &str, counts: bool) -> String {
    match (status, counts) {
        ("paid", true) => t.get("dossier.payments.paid"),
        ("paid", false) => t.get("dossier.payments.refunded_whole"),
        _ => t.get("dossier.payments.pending"),
    }
    .to_owned()
}

/// The message for a refused refund.
fn refusal(t: &Texts, e: &ServiceError) -> Option<(String, StatusCode)> {
    let (key, status) = match e {
        ServiceError::Invalid { field, .. } if field == "reason" => (
            "dossier.payments.error_reason",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ServiceError::Invalid { field, .. } if field == "amount_dong" => (
            "dossier.payments.error_amount",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ServiceError::Invalid { .. } => ("dossier.error.invalid", StatusCode::UNPROCESSABLE_ENTITY),
        ServiceError::Conflict(_) => ("dossier.payments.error_refused", StatusCode::CONFLICT),
        ServiceError::Unavailable(_) => (
            "dossier.payments.error_waiting",
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        _ => return None,
    };
    Some((t.get(key).to_owned(), status))
}

/// `POST /ho-so/{code}/hoan-phi`: `payment`, `amount_dong` (empty: all
/// that is left) and `reason`.
pub(super) async fn refund(
    State(st): State<StaffState>,
    staff: Staff,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let t = staff.lang.texts();
    let amount = get("amount_dong").replace(['.', ',', ' '], "");
    let amount_dong = if amount.is_empty() {
        None
    } else {
        match amount.parse::<i64>() {
            Ok(a) => Some(a),
            Err(_) => {
                let msg = Message {
                    error: Some(t.get("dossier.payments.error_amount").to_owned()),
                    ..Message::default()
                };
                return respond(
                    &st,
                    &staff,
                    &headers,
                    &code,
                    msg,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        }
    };
    let cmd = RefundCommand {
        payment: Some(get("payment")).filter(|p| !p.is_empty()),
        amount_dong,
        reason: get("reason"),
    };
    match st
        .services
        .payments()
        .refund(&staff.actor, &code, &cmd)
        .await
    {
        Ok(r) if is_htmx(&headers) => {
            let msg = Message {
                notice: Some(t.fill(
                    "dossier.payments.done",
                    &[("amount", &format::money(staff.lang, r.amount_dong))],
                )),
                ..Message::default()
            };
            respond(&st, &staff, &headers, &code, msg, StatusCode::OK).await
        }
        Ok(_) => Ok(Redirect::to(&format!("{PATH}/{}?hoan=1", code.trim())).into_response()),
        Err(e) => match refusal(&t, &e) {
            Some((error, status)) => {
                let msg = Message {
                    error: Some(error),
                    ..Message::default()
                };
                respond(&st, &staff, &headers, &code, msg, status).await
            }
            None => Err(e.into()),
        },
    }
}
