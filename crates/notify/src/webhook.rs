//! Webhooks: the message body (JSON) posted to a named endpoint, signed so the
//! receiver can tell it comes from motcua and was not altered or replayed.
//!
//! The signature is `sha256=` followed by the lower-case hex HMAC-SHA256,
//! keyed with the endpoint's secret, of the timestamp header, a full stop and
//! the raw body: binding the timestamp lets receivers refuse old requests.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use hmac::{Hmac, KeyInit, Mac};
use motcua_service::clock::Clock;
use motcua_service::error::ServiceResult;
use motcua_service::notify::{Channel, DeliveryError};
use motcua_service::store::OutboxMessage;
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use sha2::Sha256;

use crate::{Secret, WebhookConfig, http};

/// The event type, from the message subject (`dossier.received`).
pub const EVENT_HEADER: &str = "X-Motcua-Event";
/// Unix seconds when the request was signed.
pub const TIMESTAMP_HEADER: &str = "X-Motcua-Timestamp";
/// `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`.
pub const SIGNATURE_HEADER: &str = "X-Motcua-Signature";
/// The outbox message id, the same on every attempt, for deduplication.
pub const DELIVERY_HEADER: &str = "X-Motcua-Delivery";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; the error case cannot happen.
    let mut mac = match HmacSha256::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => HmacSha256::new(&Default::default()),
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature header value for a body sent at `timestamp`.
pub fn signature(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// Whether `header` is the signature of `body` at `timestamp`, compared in
/// constant time. Receivers should also refuse timestamps far from now.
pub fn verify_signature(secret: &[u8], timestamp: &str, body: &[u8], header: &str) -> bool {
    let Some(given) = header
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
    else {
        return false;
    };
    mac(secret, timestamp, body).verify_slice(&given).is_ok()
}

#[derive(Debug)]
struct Endpoint {
    url: Url,
    secret: Secret,
    client: reqwest::Client,
}

/// Posts messages to the endpoint their recipient names.
pub struct WebhookChannel {
    endpoints: HashMap<String, Endpoint>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for WebhookChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.endpoints.keys().collect();
        names.sort_unstable();
        f.debug_struct("WebhookChannel")
            .field("endpoints", &names)
            .finish_non_exhaustive()
    }
}

impl WebhookChannel {
    /// An adapter for `endpoints`; timestamps come from `clock`.
    pub fn new(endpoints: &[WebhookConfig], clock: Arc<dyn Clock>) -> ServiceResult<Self> {
        let mut map = HashMap::new();
        for (i, w) in endpoints.iter().enumerate() {
            let field = format!("notifications.webhooks[{i}]");
            let endpoint = Endpoint {
                url: http::url(&format!("{field}.url"), &w.url)?,
                secret: w.secret.clone(),
                client: http::client(&format!("{field}.timeout_secs"), w.timeout_secs)?,
            };
            map.insert(w.name.clone(), endpoint);
        }
        Ok(Self {
            endpoints: map,
            clock,
        })
    }
}

#[async_trait]
impl Channel for WebhookChannel {
    async fn deliver(&self, m: &OutboxMessage) -> Result<(), DeliveryError> {
        let name = &m.message.recipient;
        let Some(endpoint) = self.endpoints.get(name) else {
            return Err(DeliveryError::Permanent(format!(
                "no webhook is configured under the name {name:?}"
            )));
        };
        let body = m.message.body.as_bytes();
        if serde_json::from_slice::<serde_json::Value>(body).is_err() {
            return Err(DeliveryError::Permanent(
                "the webhook body is not JSON".to_owned(),
            ));
        }
        let event = HeaderValue::from_str(&m.message.subject).map_err(|_| {
            DeliveryError::Permanent(format!(
                "the event type {:?} cannot be a header",
                m.message.subject
            ))
        })?;
        let timestamp = self.clock.now().as_second().to_string();
        let sig = signature(endpoint.secret.expose().as_bytes(), &timestamp, body);
        let response = endpoint
            .client
            .post(endpoint.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(EVENT_HEADER, event)
            .header(TIMESTAMP_HEADER, &timestamp)
            .header(SIGNATURE_HEADER, sig)
            .header(DELIVERY_HEADER, m.id.to_string())
            .body(m.message.body.clone())
            .send()
            .await
            .map_err(|e| http::send_error(&format!("webhook {name}"), e))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        http::outcome(&format!("webhook {name}"), status, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values computed with Python's `hmac` module:
    /// `hmac.new(b"s3cr3t", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()`.
    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        let sig = signature(b"s3cr3t", "1700000000", br#"{"a":1}"#);
        assert_eq!(
            sig,
            "sha256=8dbbbbf4523b10bbb793e74d854144c45acccc2d233667b1c06b805b6ded8a84"
        );
        assert!(verify_signature(
            b"s3cr3t",
            "1700000000",
            br#"{"a":1}"#,
            &sig
        ));
    }

    #[test]
    fn a_changed_body_timestamp_or_secret_does_not_verify() {
        let sig = "sha256=8dbbbbf4523b10bbb793e74d854144c45acccc2d233667b1c06b805b6ded8a84";
        assert!(!verify_signature(
            b"s3cr3t",
            "1700000000",
            br#"{"a":2}"#,
            sig
        ));
        assert!(!verify_signature(
            b"s3cr3t",
            "1700000001",
            br#"{"a":1}"#,
            sig
        ));
        assert!(!verify_signature(
            b"other",
            "1700000000",
            br#"{"a":1}"#,
            sig
        ));
        assert!(!verify_signature(
            b"s3cr3t",
            "1700000000",
            br#"{"a":1}"#,
            "8dbbbbf4523b10bbb793e74d854144c45acccc2d233667b1c06b805b6ded8a84"
        ));
        assert!(!verify_signature(
            b"s3cr3t",
            "1700000000",
            br#"{"a":1}"#,
            "sha256=zz"
        ));
    }
}
