//! Fees paid online, for staff: a dossier's payments with their refunds,
//! refunds (`POST /api/dossiers/{code}/refunds`), the e-receipt as PDF and
//! reconciliation with the gateway (`/api/payments/reconciliation`). The
//! service checks who may (`payments::refunds`, `payments::reconcile`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use motcua_render as render;
use motcua_service::payments::receipts::PaymentReceipt;
use motcua_service::payments::refunds::{PaymentView, RefundCommand};
use motcua_service::store::Refund;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiState;
use crate::auth::Authed;
use crate::error::WebError;
use crate::idempotency;
use crate::json::{parse_json, require_json};
use crate::query::ApiQuery;
use crate::renders::Renders;

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/dossiers/{code}/payments", get(list))
        .route("/api/dossiers/{code}/refunds", post(refund))
        .route(
            "/api/dossiers/{code}/payments/{reference}/receipt.pdf",
            get(receipt),
        )
        .route(
            "/api/payments/reconciliation",
            get(reconciliation).post(reconcile),
        )
}

/// A refund asked for (what `POST /api/dossiers/{code}/refunds` takes).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RefundDoc {
    /// The payment's reference; by default the dossier's payment still paid.
    #[schema(max_length = 64, pattern = r"^[0-9a-f]{1,64}$")]
    pub payment: Option<String>,
    /// The amount to give back, in đồng; by default all that remains.
    #[schema(minimum = 1, maximum = 1_000_000_000_000i64)]
    pub amount_dong: Option<i64>,
    /// Why the fee is given back (e.g. the dossier was refused).
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// A refund as recorded.
#[derive(Serialize, ToSchema)]
pub struct RefundOutDoc {
    /// Our reference of the refund.
    pub reference: String,
    /// The payment refunded.
    pub payment_reference: String,
    /// In đồng.
    pub amount_dong: i64,
    /// Why.
    pub reason: String,
    /// `pending`, `done` or `refused`.
    pub status: String,
    /// The gateway's transaction of the refund.
    pub transaction_no: Option<String>,
    /// Who asked.
    pub requested_by: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// Reads a dossier's payments: each with its amount, what was refunded,
/// its status, the gateway's transaction and its refunds. A dossier outside
/// the caller's units reads as missing.
#[utoipa::path(get, path = "/api/dossiers/{code}/payments", tag = "payments",
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, body = Vec<Object>), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    State(s): State<ApiState>,
    auth: Authed,
    Path(code): Path<String>,
) -> Result<axum::Json<Vec<PaymentView>>, WebError> {
    Ok(axum::Json(
        s.services.payments().of_dossier(&auth.actor, &code).await?,
    ))
}

/// Gives back (part of) a dossier's fee paid online through the gateway,
/// with a reason. Desk officers and leaders of the dossier's unit and
/// system administrators may (403 otherwise, audited); a dossier outside
/// the caller's units reads as missing (404). 422 names `reason` or
/// `amount_dong` (at least 1, at most what remains); 409 when nothing is
/// left to refund or the gateway refuses; 503 when the gateway's answer
/// does not come or cannot be trusted (the refund waits and is asked again
/// with the next one). Accepts `Idempotency-Key`.
#[utoipa::path(post, path = "/api/dossiers/{code}/refunds", tag = "payments", request_body = RefundDoc,
    params(("code" = String, Path, description = "Dossier code"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request safe")),
    responses((status = 201, body = RefundOutDoc), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 503, body = crate::error::Problem)))]
pub async fn refund(
    State(s): State<ApiState>,
    auth: Authed,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    require_json(&headers)?;
    let cmd: RefundCommand = parse_json(&body)?;
    let services = s.services.clone();
    let actor = auth.actor;
    let username = actor.username.clone();
    let route = format!("POST /api/dossiers/{code}/refunds");
    idempotency::once(
        &s,
        &username,
        &headers,
        &route,
        &body,
        StatusCode::CREATED,
        async move {
            Ok::<Refund, WebError>(services.payments().refund(&actor, &code, &cmd).await?)
        },
    )
    .await
}

/// The e-receipt of a payment of the dossier ("Biên lai thu phí, lệ phí")
/// as PDF, with its refunds. A payment not paid, or a dossier outside the
/// caller's units, reads as missing.
#[utoipa::path(get, path = "/api/dossiers/{code}/payments/{reference}/receipt.pdf", tag = "payments",
    params(("code" = String, Path, description = "Dossier code"), ("reference" = String, Path, description = "The payment's reference")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn receipt(
    State(s): State<ApiState>,
    auth: Authed,
    Path((code, reference)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let r = s
        .services
        .payments()
        .receipt(&auth.actor, &code, &reference)
        .await?;
    receipt_pdf(&s.renders, r).await
}

/// Renders a receipt as PDF.
pub(crate) async fn receipt_pdf(
    renders: &Renders,
    r: PaymentReceipt,
) -> Result<Response, WebError> {
    let name = format!("bien-lai-{}-{}.pdf", r.dossier_code, r.reference);
    let doc = receipt_doc(r);
    let bytes = renders
        .run(move || render::payment_receipt_pdf(&doc))
        .await?;
    Ok(super::forms::pdf(bytes, &name))
}

fn receipt_doc(r: PaymentReceipt) -> render::PaymentReceiptDoc {
    let local = motcua_domain::time::to_local;
    let dong = |d: i64| u64::try_from(d).unwrap_or(0);
    render::PaymentReceiptDoc {
        parent_unit_name: r.parent_unit_name.unwrap_or_default(),
        unit_name: r.unit_name,
        payer_name: r.payer_name,
        payer_address: r.payer_address,
        dossier_code: r.dossier_code,
        procedure_name: r.procedure_name,
        amount_dong: dong(r.amount_dong),
        method: "Trực tuyến qua cổng thanh toán".into(),
        transaction: r.transaction,
        reference: r.reference,
        paid_at: local(r.paid_at),
        refunds: r
            .refunds
            .into_iter()
            .map(|f| render::ReceiptRefund {
                at: local(f.settled_at.unwrap_or(f.created_at)),
                amount_dong: dong(f.amount_dong),
                reason: f.reason,
                transaction: f.transaction_no.unwrap_or_default(),
            })
            .collect(),
    }
}

/// The day to reconcile.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayParams {
    /// The day (YYYY-MM-DD, Viet Nam time).
    #[param(value_type = String, format = Date)]
    pub date: String,
}

/// Reconciling and recording what only the gateway has.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReconcileDoc {
    /// The day (YYYY-MM-DD, Viet Nam time).
    #[schema(value_type = String, format = Date)]
    pub date: String,
    /// Record as paid the pending payments the gateway's signed list shows
    /// paid (same reference and amount).
    #[serde(default)]
    pub record: bool,
}

fn day(s: &str) -> Result<jiff::civil::Date, WebError> {
    s.trim()
        .parse()
        .map_err(|_| WebError::invalid("date", "a date YYYY-MM-DD"))
}

/// Reconciliation (đối soát) of a day: the gateway's signed list of
/// transactions against our payments and refunds, as `matched`,
/// `only_at_gateway` (an answer that never came), `only_with_us` and
/// `amount_mismatches`. For those who read statistics; each sees the lines
/// of dossiers received in their units.
#[utoipa::path(get, path = "/api/payments/reconciliation", tag = "payments", params(DayParams),
    responses((status = 200, body = Object), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem),
        (status = 503, body = crate::error::Problem)))]
pub async fn reconciliation(
    State(s): State<ApiState>,
    auth: Authed,
    ApiQuery(p): ApiQuery<DayParams>,
) -> Result<Response, WebError> {
    let date = day(&p.date)?;
    let r = s
        .services
        .payments()
        .reconcile(&auth.actor, date, false)
        .await?;
    Ok(axum::Json(r).into_response())
}

/// As the `GET`, and with `record` the pending payments the gateway shows
/// paid are recorded as paid (where the caller may manage payments:
/// desk officers, leaders, system administrators).
#[utoipa::path(post, path = "/api/payments/reconciliation", tag = "payments", request_body = ReconcileDoc,
    responses((status = 200, body = Object), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem),
        (status = 503, body = crate::error::Problem)))]
pub async fn reconcile(
    State(s): State<ApiState>,
    auth: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    require_json(&headers)?;
    let doc: ReconcileDoc = parse_json(&body)?;
    let date = day(&doc.date)?;
    let r = s
        .services
        .payments()
        .reconcile(&auth.actor, date, doc.record)
        .await?;
    Ok(axum::Json(r).into_response())
}
