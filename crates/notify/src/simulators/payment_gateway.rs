//! A payment gateway stand-in speaking the signed-parameter protocol of
//! `crate::payment`: `GET /pay?…` checks the merchant's signature and shows
//! the amount with "Pay" and "Cancel"; each sends the browser back to the
//! return address with a signed answer (response code `00` paid, `24`
//! cancelled) and a transaction number. A page whose signature does not
//! hold is refused, as the real gateway refuses it.
//!
//! It keeps a book of what it took and gave back, and serves the merchant
//! API (`POST /merchant_webapi/api/transaction`, see `crate::payment`):
//! refunds (refusing more than remains, a second full refund, an unknown
//! transaction; a repeated refund reference gets the first answer again)
//! and the signed list of a day's transactions. A payment is booked on the
//! day the merchant opened it (`vnp_CreateDate`), so tests that set the
//! merchant's clock find it on that day. [`PaymentGatewaySimulator::forge`]
//! makes it sign its API answers with another secret, as an impostor
//! would.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tokio::task::JoinHandle;

use crate::payment::{ListedTransaction, TransactionList, sign, sign_bytes, signed};

struct Shared {
    merchant: String,
    secret: String,
    book: Mutex<Book>,
    forge: AtomicBool,
}

/// What the gateway took and gave back.
#[derive(Default)]
struct Book {
    /// Every transaction, in order.
    listed: Vec<ListedTransaction>,
    /// Payments by `vnp_TxnRef`: transaction number, amount and refunded
    /// (hundredths).
    paid: HashMap<String, Paid>,
    /// Refund answers by `vnp_RequestId`, with what was asked.
    refunds: HashMap<String, Answered>,
}

/// Signed-form parameters.
type Params = Vec<(String, String)>;

/// A refund request as asked (without its signature), and the answer.
struct Answered {
    asked: Params,
    answer: Params,
}

struct Paid {
    transaction_no: String,
    amount: i64,
    refunded: i64,
}

/// A running gateway simulator.
pub struct PaymentGatewaySimulator {
    addr: SocketAddr,
    task: JoinHandle<()>,
    shared: Arc<Shared>,
}

impl PaymentGatewaySimulator {
    /// Starts a gateway that knows one merchant and its secret.
    pub async fn start(merchant: &str, secret: &str) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            merchant: merchant.to_owned(),
            secret: secret.to_owned(),
            book: Mutex::new(Book::default()),
            forge: AtomicBool::new(false),
        });
        let app = axum::Router::new()
            .route("/pay", get(pay))
            .route("/done", get(done))
            .route(crate::payment::API_PATH, post(api))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, task, shared })
    }

    /// Settings for the adapter pointing here.
    pub fn settings(&self, merchant: &str, secret: &str) -> crate::payment::GatewaySettings {
        crate::payment::GatewaySettings {
            pay_url: format!("http://{}/pay", self.addr),
            api_url: None,
            merchant: merchant.to_owned(),
            secret: crate::config::Secret::new(secret),
            timeout_secs: 5,
        }
    }

    /// Signs the merchant API's answers with another secret from now on
    /// (`true`), as an impostor in the middle would, or rightly again.
    pub fn forge(&self, on: bool) {
        self.shared.forge.store(on, Ordering::SeqCst);
    }

    /// Takes `amount_dong` off the booked amount of the payment `reference`,
    /// as a gateway that recorded another amount (for reconciliation's
    /// tests).
    pub fn misbook(&self, reference: &str, amount_dong: i64) {
        if let Ok(mut book) = self.shared.book.lock() {
            for t in &mut book.listed {
                if t.kind == "payment" && t.txn_ref == reference {
                    t.amount = amount_dong * 100;
                }
            }
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
    let Some(fresh) = transaction_no() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no randomness").into_response();
    };
    let reference = param(&params, "vnp_TxnRef");
    let amount = param(&params, "vnp_Amount");
    let day = param(&params, "vnp_CreateDate");
    let txn = if code == "00" {
        book_payment(&s, &reference, &amount, &day, fresh)
    } else {
        fresh
    };
    let mut answer: Vec<(String, String)> = vec![
        ("vnp_TmnCode".into(), s.merchant.clone()),
        ("vnp_Amount".into(), amount),
        ("vnp_TxnRef".into(), reference),
        ("vnp_TransactionNo".into(), txn),
        ("vnp_ResponseCode".into(), code.clone()),
        ("vnp_TransactionStatus".into(), code),
        ("vnp_OrderInfo".into(), param(&params, "vnp_OrderInfo")),
        ("vnp_PayDate".into(), day),
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

fn transaction_no() -> Option<String> {
    let t = motcua_service::auth::new_secret().ok()?;
    t.get(..12).map(str::to_owned)
}

/// Books a payment once per reference; its transaction number.
fn book_payment(s: &Shared, reference: &str, amount: &str, day: &str, fresh: String) -> String {
    let Ok(mut book) = s.book.lock() else {
        return fresh;
    };
    if let Some(p) = book.paid.get(reference) {
        return p.transaction_no.clone();
    }
    let hundredths = amount.parse().unwrap_or(0);
    book.paid.insert(
        reference.to_owned(),
        Paid {
            transaction_no: fresh.clone(),
            amount: hundredths,
            refunded: 0,
        },
    );
    book.listed.push(ListedTransaction {
        kind: "payment".into(),
        txn_ref: reference.to_owned(),
        request_id: None,
        transaction_no: fresh.clone(),
        amount: hundredths,
        date: day.to_owned(),
    });
    fresh
}

/// The merchant API: `vnp_Command` is `refund` or `transactions`.
async fn api(State(s): State<Arc<Shared>>, body: String) -> Response {
    let Ok(params) = serde_urlencoded::from_str::<Vec<(String, String)>>(&body) else {
        return (StatusCode::BAD_REQUEST, "not a form").into_response();
    };
    if !signed(s.secret.as_bytes(), &params) || param(&params, "vnp_TmnCode") != s.merchant {
        return (StatusCode::BAD_REQUEST, "invalid signature").into_response();
    }
    let key = if s.forge.load(Ordering::SeqCst) {
        "khong-phai-bi-mat".to_owned()
    } else {
        s.secret.clone()
    };
    match param(&params, "vnp_Command").as_str() {
        "refund" => {
            let mut answer = refund(&s, &params);
            let hash = sign(key.as_bytes(), &answer);
            answer.push(("vnp_SecureHash".into(), hash));
            serde_urlencoded::to_string(&answer)
                .unwrap_or_default()
                .into_response()
        }
        "transactions" => {
            let date = param(&params, "vnp_Date");
            let list = TransactionList {
                merchant: s.merchant.clone(),
                transactions: s
                    .book
                    .lock()
                    .map(|b| {
                        b.listed
                            .iter()
                            .filter(|t| t.date.get(..8) == Some(date.as_str()))
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default(),
                date,
            };
            let body = serde_json::to_vec(&list).unwrap_or_default();
            let hash = sign_bytes(key.as_bytes(), &body);
            ([("vnp_SecureHash", hash)], body).into_response()
        }
        _ => (StatusCode::BAD_REQUEST, "unknown command").into_response(),
    }
}

/// A refund's answer (unsigned): `00` done, `91` no such transaction, `02`
/// more than remains, `95` refunded in full already, `94` a reference used
/// for another refund.
fn refund(s: &Shared, params: &[(String, String)]) -> Vec<(String, String)> {
    let request_id = param(params, "vnp_RequestId");
    let reference = param(params, "vnp_TxnRef");
    let amount_text = param(params, "vnp_Amount");
    let answer = |code: &str, message: &str, txn: &str| -> Vec<(String, String)> {
        vec![
            ("vnp_TmnCode".into(), s.merchant.clone()),
            ("vnp_RequestId".into(), request_id.clone()),
            ("vnp_TxnRef".into(), reference.clone()),
            ("vnp_Amount".into(), amount_text.clone()),
            ("vnp_ResponseCode".into(), code.into()),
            ("vnp_Message".into(), message.into()),
            ("vnp_TransactionNo".into(), txn.into()),
        ]
    };
    let Ok(mut guard) = s.book.lock() else {
        return answer("99", "Lỗi hệ thống", "");
    };
    let book = &mut *guard;
    let asked: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "vnp_SecureHash")
        .cloned()
        .collect();
    if let Some(first) = book.refunds.get(&request_id) {
        return if first.asked == asked {
            first.answer.clone()
        } else {
            answer("94", "Mã yêu cầu đã dùng cho yêu cầu khác", "")
        };
    }
    let amount: i64 = amount_text.parse().unwrap_or(0);
    let out = match book.paid.get_mut(&reference) {
        Some(p) if p.transaction_no == param(params, "vnp_TransactionNo") => {
            if p.refunded >= p.amount {
                answer("95", "Giao dịch đã được hoàn toàn bộ", "")
            } else if amount < 1 || p.refunded + amount > p.amount {
                answer("02", "Số tiền hoàn vượt quá số tiền còn lại", "")
            } else {
                p.refunded += amount;
                let txn = transaction_no().unwrap_or_default();
                book.listed.push(ListedTransaction {
                    kind: "refund".into(),
                    txn_ref: reference.clone(),
                    request_id: Some(request_id.clone()),
                    transaction_no: txn.clone(),
                    amount,
                    date: param(params, "vnp_CreateDate"),
                });
                answer("00", "Thành công", &txn)
            }
        }
        _ => answer("91", "Không tìm thấy giao dịch", ""),
    };
    book.refunds.insert(
        request_id.clone(),
        Answered {
            asked,
            answer: out.clone(),
        },
    );
    out
}
