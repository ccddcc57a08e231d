//! A webhook receiver that checks signatures as a careful integrator would:
//! the HMAC over timestamp and body, and a timestamp within five minutes.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use tokio::task::JoinHandle;

use super::{Behaviour, lock};
use crate::webhook::{
    DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature,
};

/// Requests signed further than this from the receiver's clock are refused.
const MAX_SKEW_SECS: i64 = 300;

/// A request the receiver accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedWebhook {
    /// `X-Motcua-Event`.
    pub event: String,
    /// `X-Motcua-Delivery`.
    pub delivery: String,
    /// The raw body.
    pub body: String,
}

struct Shared {
    secret: Vec<u8>,
    behaviour: Behaviour,
    requests: AtomicU32,
    rejected: AtomicU32,
    received: Mutex<Vec<ReceivedWebhook>>,
}

/// A running webhook receiver.
pub struct WebhookReceiver {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl WebhookReceiver {
    /// Starts a receiver sharing `secret` with the sender.
    pub async fn start(secret: &str, behaviour: Behaviour) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            secret: secret.as_bytes().to_vec(),
            behaviour,
            requests: AtomicU32::new(0),
            rejected: AtomicU32::new(0),
            received: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .route("/hook", post(receive))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, shared, task })
    }

    /// The endpoint URL.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Requests accepted so far, in order.
    pub fn received(&self) -> Vec<ReceivedWebhook> {
        lock(&self.shared.received).clone()
    }

    /// Requests answered so far.
    pub fn requests(&self) -> u32 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Requests refused for a missing, stale or wrong signature.
    pub fn rejected(&self) -> u32 {
        self.shared.rejected.load(Ordering::SeqCst)
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

async fn receive(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let n = s.requests.fetch_add(1, Ordering::SeqCst) + 1;
    tokio::time::sleep(s.behaviour.delay).await;
    if n <= s.behaviour.fail_first {
        let status = StatusCode::from_u16(s.behaviour.fail_status)
            .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return (status, "simulated failure");
    }
    let ts = header(&headers, TIMESTAMP_HEADER);
    let fresh = ts
        .parse::<i64>()
        .is_ok_and(|t| (jiff::Timestamp::now().as_second() - t).abs() <= MAX_SKEW_SECS);
    let signed = verify_signature(&s.secret, ts, &body, header(&headers, SIGNATURE_HEADER));
    if !fresh || !signed {
        s.rejected.fetch_add(1, Ordering::SeqCst);
        return (StatusCode::UNAUTHORIZED, "bad or stale signature");
    }
    lock(&s.received).push(ReceivedWebhook {
        event: header(&headers, EVENT_HEADER).to_owned(),
        delivery: header(&headers, DELIVERY_HEADER).to_owned(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    (StatusCode::OK, "ok")
}
