//! An SMS gateway: `POST /sms` with `{"to", "text"}` and the API key in
//! `X-Api-Key`; answers `{"id", "status": "queued"}`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use super::{Behaviour, lock};

/// A message the gateway accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedSms {
    /// The id the gateway answered with.
    pub id: String,
    /// Phone number.
    pub to: String,
    /// Text.
    pub text: String,
}

struct Shared {
    api_key: String,
    behaviour: Behaviour,
    requests: AtomicU32,
    received: Mutex<Vec<ReceivedSms>>,
}

/// A running SMS gateway simulator.
pub struct SmsGateway {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

#[derive(Deserialize)]
struct SmsRequest {
    to: String,
    text: String,
}

impl SmsGateway {
    /// Starts a gateway that accepts `api_key`.
    pub async fn start(api_key: &str, behaviour: Behaviour) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            api_key: api_key.to_owned(),
            behaviour,
            requests: AtomicU32::new(0),
            received: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .route("/sms", post(receive))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, shared, task })
    }

    /// The URL to post messages to.
    pub fn url(&self) -> String {
        format!("http://{}/sms", self.addr)
    }

    /// Messages accepted so far, in order.
    pub fn received(&self) -> Vec<ReceivedSms> {
        lock(&self.shared.received).clone()
    }

    /// Requests answered so far, refused ones included.
    pub fn requests(&self) -> u32 {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

impl Drop for SmsGateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Json<SmsRequest>, JsonRejection>,
) -> (StatusCode, Json<Value>) {
    let n = s.requests.fetch_add(1, Ordering::SeqCst) + 1;
    tokio::time::sleep(s.behaviour.delay).await;
    if n <= s.behaviour.fail_first {
        let status = StatusCode::from_u16(s.behaviour.fail_status)
            .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return (status, Json(json!({ "error": "simulated failure" })));
    }
    let key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    if key != Some(s.api_key.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid API key" })),
        );
    }
    let Ok(Json(req)) = body else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "expected JSON {to, text}" })),
        );
    };
    let digits = req.to.strip_prefix('+').unwrap_or(&req.to);
    if digits.len() < 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": "invalid phone number" })),
        );
    }
    let id = format!("sms-{n}");
    lock(&s.received).push(ReceivedSms {
        id: id.clone(),
        to: req.to,
        text: req.text,
    });
    (
        StatusCode::OK,
        Json(json!({ "id": id, "status": "queued" })),
    )
}
