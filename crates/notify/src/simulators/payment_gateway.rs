//! A payment gateway stand-in speaking the signed-parameter protocol of
//! `crate::payment`: `GET /pay?…` checks the merchant's signature and shows
//! the amount with "Pay" and "Cancel"; each sends the browser back to the
//! return address with a signed answer (response code `00` paid, `24`
//! cancelled) and a transaction number. A page whose signature does not
//! hold is refused, as the real gateway refuses it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use tokio::task::JoinHandle;

use crate::payment::{sign, signed};

struct Shared {
    merchant: String,
    secret: String,
}

/// A running gateway simulator.
pub struct PaymentGatewaySimulator {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl PaymentGatewaySimulator {
    /// Starts a gateway that knows one merchant and its secret.
    pub async fn start(merchant: &str, secret: &str) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            merchant: merchant.to_owned(),
            secret: secret.to_owned(),
        });
        let app = axum::Router::new()
            .route("/pay", get(pay))
            .route("/done", get(done))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, task })
    }

    /// Settings for the adapter pointing here.
    pub fn settings(&self, merchant: &str, secret: &str) -> crate::payment::GatewaySettings {
        crate::payment::GatewaySettings {
            pay_url: format!("http://{}/pay", self.addr),
            merchant: merchant.to_owned(),
            secret: crate::config::Secret::new(secret),
        }
    }
}

impl Drop for PaymentGatewaySimulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn param(params: &[(String, String)], k: &str) -> String {
    params
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn pay(
    State(s): State<Arc<Shared>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    if !signed(s.secret.as_bytes(), &params) || param(&params, "vnp_TmnCode") != s.merchant {
        return (StatusCode::BAD_REQUEST, "invalid signature").into_response();
    }
    let amount: i64 = param(&params, "vnp_Amount").parse().unwrap_or(0) / 100;
    let link = |code: &str| {
        let mut p = params.clone();
        p.push(("result".into(), code.into()));
        format!(
            "/done?{}",
            escape(&serde_urlencoded::to_string(&p).unwrap_or_default())
        )
    };
    Html(format!(
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Cổng thanh toán (giả lập)</title></head><body><h1>Cổng thanh toán (giả lập)</h1>\
         <p>{}</p><p>Số tiền: <strong>{amount} đồng</strong></p>\
         <p><a href=\"{}\">Thanh toán</a> · <a href=\"{}\">Hủy</a></p></body></html>",
        escape(&param(&params, "vnp_OrderInfo")),
        link("00"),
        link("24"),
    ))
    .into_response()
}

async fn done(
    State(s): State<Arc<Shared>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let code = param(&params, "result");
    let request: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "result")
        .cloned()
        .collect();
    if !signed(s.secret.as_bytes(), &request) {
        return (StatusCode::BAD_REQUEST, "invalid signature").into_response();
    }
    let Ok(txn) = motcua_service::auth::new_secret() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no randomness").into_response();
    };
    let mut answer: Vec<(String, String)> = vec![
        ("vnp_TmnCode".into(), s.merchant.clone()),
        ("vnp_Amount".into(), param(&params, "vnp_Amount")),
        ("vnp_TxnRef".into(), param(&params, "vnp_TxnRef")),
        ("vnp_TransactionNo".into(), txn[..12].to_owned()),
        ("vnp_ResponseCode".into(), code.clone()),
        ("vnp_TransactionStatus".into(), code),
        ("vnp_OrderInfo".into(), param(&params, "vnp_OrderInfo")),
    ];
    let hash = sign(s.secret.as_bytes(), &answer);
    answer.push(("vnp_SecureHash".into(), hash));
    let back = param(&params, "vnp_ReturnUrl");
    let sep = if back.contains('?') { '&' } else { '?' };
    Redirect::to(&format!(
        "{back}{sep}{}",
        serde_urlencoded::to_string(&answer).unwrap_or_default()
    ))
    .into_response()
}
