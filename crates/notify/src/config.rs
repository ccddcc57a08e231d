//! The notifications section of the configuration file and the adapters it
//! asks for. Every part is optional: a node without `smtp` has no e-mail
//! adapter, and messages for e-mail fail visibly (see `Dispatcher`).

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use motcua_service::clock::Clock;
use motcua_service::error::{ServiceError, ServiceResult};
use motcua_service::notify::{Channel, ChannelMap};
use motcua_service::store::MessageChannel;
use serde::Deserialize;

use crate::{LogChannel, SmsHttpChannel, SmtpChannel, WebhookChannel};

/// Where notifications go, as read from the configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channels {
    /// E-mail.
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
    /// SMS.
    #[serde(default)]
    pub sms: Option<SmsConfig>,
    /// Webhook endpoints by name; a message's recipient names one.
    #[serde(default)]
    pub webhooks: Vec<WebhookConfig>,
    /// The file the log channel appends to (the demo's stand-in for all
    /// channels).
    #[serde(default)]
    pub log_file: Option<PathBuf>,
}

/// How to reach the mail server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// Host name of the server (also the name its certificate must carry).
    pub host: String,
    /// Port; 587 with STARTTLS and 25 without when not given.
    #[serde(default)]
    pub port: Option<u16>,
    /// Whether to upgrade the connection with STARTTLS.
    #[serde(default)]
    pub tls: SmtpTls,
    /// User name for AUTH, if the server asks for one.
    #[serde(default)]
    pub username: Option<String>,
    /// Password for AUTH.
    #[serde(default)]
    pub password: Option<Secret>,
    /// The sender, `Name <address>` or a bare address.
    pub from: String,
    /// The name this node gives in EHLO; its IP address literal when not given.
    #[serde(default)]
    pub helo_name: Option<String>,
    /// Seconds to wait for the server at each step.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

/// Transport security towards the mail server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same host or the simulator.
    None,
    /// STARTTLS required; the server certificate is checked.
    #[default]
    Starttls,
}

/// How to reach the SMS gateway.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    /// The URL messages are posted to.
    pub url: String,
    /// The gateway's API key.
    pub api_key: Secret,
    /// The header that carries the key.
    #[serde(default = "default_api_key_header")]
    pub api_key_header: String,
    /// Seconds to wait for the gateway.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

/// One webhook endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The name messages give as their recipient.
    pub name: String,
    /// Where to post.
    pub url: String,
    /// The key signatures are made with, shared with the receiver.
    pub secret: Secret,
    /// Seconds to wait for the receiver.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_timeout_secs() -> u64 {
    10
}

fn default_api_key_header() -> String {
    "X-Api-Key".to_owned()
}

/// A password, API key or signing key: readable only through
/// [`Secret::expose`], and printed as `***` so it never reaches a log.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The adapters `config` asks for, by channel; `clock` stamps webhook
/// signatures and log lines. A value that cannot work (a malformed URL or
/// sender, a duplicate webhook name) is `Invalid` with its key, under
/// `notifications.`.
pub fn channel_map(config: &Channels, clock: Arc<dyn Clock>) -> ServiceResult<ChannelMap> {
    let mut map = ChannelMap::new();
    if let Some(smtp) = &config.smtp {
        map.insert(
            MessageChannel::Email,
            Arc::new(SmtpChannel::new(smtp)?) as Arc<dyn Channel>,
        );
    }
    if let Some(sms) = &config.sms {
        map.insert(MessageChannel::Sms, Arc::new(SmsHttpChannel::new(sms)?));
    }
    if !config.webhooks.is_empty() {
        let mut seen = HashMap::new();
        for (i, w) in config.webhooks.iter().enumerate() {
            if let Some(first) = seen.insert(w.name.as_str(), i) {
                return Err(ServiceError::invalid(
                    format!("notifications.webhooks[{i}].name"),
                    format!("{:?} is already the name of webhooks[{first}]", w.name),
                ));
            }
        }
        map.insert(
            MessageChannel::Webhook,
            Arc::new(WebhookChannel::new(&config.webhooks, Arc::clone(&clock))?),
        );
    }
    if let Some(path) = &config.log_file {
        map.insert(MessageChannel::Log, Arc::new(LogChannel::new(path, clock)));
    }
    Ok(map)
}
