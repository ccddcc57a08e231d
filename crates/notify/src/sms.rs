//! SMS through an HTTP gateway: `POST {url}` with `{"to", "text"}` as JSON and
//! the API key in a header.

use async_trait::async_trait;
use motcua_service::error::{ServiceError, ServiceResult};
use motcua_service::notify::{Channel, DeliveryError};
use motcua_service::store::OutboxMessage;
use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};
use serde::Serialize;

use crate::SmsConfig;
use crate::http;

/// Sends the message body as an SMS to the recipient's phone number.
#[derive(Debug)]
pub struct SmsHttpChannel {
    client: reqwest::Client,
    url: Url,
    key_header: HeaderName,
    /// Marked sensitive, so it is left out of `Debug` and HTTP traces.
    key: HeaderValue,
}

#[derive(Serialize)]
struct SmsRequest<'a> {
    to: &'a str,
    text: &'a str,
}

impl SmsHttpChannel {
    /// An adapter for the gateway in `config`.
    pub fn new(config: &SmsConfig) -> ServiceResult<Self> {
        let url = http::url("notifications.sms.url", &config.url)?;
        let key_header = HeaderName::try_from(config.api_key_header.as_str()).map_err(|e| {
            ServiceError::invalid(
                "notifications.sms.api_key_header",
                format!("{:?}: {e}", config.api_key_header),
            )
        })?;
        let mut key = HeaderValue::from_str(config.api_key.expose()).map_err(|_| {
            ServiceError::invalid(
                "notifications.sms.api_key",
                "must be visible ASCII (the value is not shown)",
            )
        })?;
        key.set_sensitive(true);
        Ok(Self {
            client: http::client("notifications.sms.timeout_secs", config.timeout_secs)?,
            url,
            key_header,
            key,
        })
    }
}

#[async_trait]
impl Channel for SmsHttpChannel {
    async fn deliver(&self, m: &OutboxMessage) -> Result<(), DeliveryError> {
        let to = m.message.recipient.trim();
        if to.is_empty() {
            return Err(DeliveryError::Permanent("no phone number".to_owned()));
        }
        let response = self
            .client
            .post(self.url.clone())
            .header(self.key_header.clone(), self.key.clone())
            .json(&SmsRequest {
                to,
                text: &m.message.body,
            })
            .send()
            .await
            .map_err(|e| http::send_error("SMS gateway", e))?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        http::outcome("SMS gateway", status, &body)
    }
}
