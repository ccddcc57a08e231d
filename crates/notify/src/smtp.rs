//! E-mail over SMTP with lettre: STARTTLS (rustls, certificate checked against
//! the bundled web PKI roots) or plain text for a local relay.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use motcua_service::error::{ServiceError, ServiceResult};
use motcua_service::notify::{Channel, DeliveryError};
use motcua_service::store::OutboxMessage;

use crate::{SmtpConfig, SmtpTls};

/// Sends the message as a plain-text UTF-8 e-mail (subject and body as
/// written, Vietnamese included) to the recipient's address.
pub struct SmtpChannel {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpChannel")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpChannel {
    /// An adapter for the server in `config`.
    pub fn new(config: &SmtpConfig) -> ServiceResult<Self> {
        let from: Mailbox = config.from.parse().map_err(|e| {
            ServiceError::invalid("notifications.smtp.from", format!("{:?}: {e}", config.from))
        })?;
        if config.timeout_secs == 0 {
            return Err(ServiceError::invalid(
                "notifications.smtp.timeout_secs",
                "must be at least 1",
            ));
        }
        let mut builder = match config.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
                .port(config.port.unwrap_or(25)),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .map_err(|e| {
                    ServiceError::invalid(
                        "notifications.smtp.host",
                        format!("{:?}: {e}", config.host),
                    )
                })?
                .port(config.port.unwrap_or(587)),
        };
        builder = builder.timeout(Some(Duration::from_secs(config.timeout_secs)));
        match (&config.username, &config.password) {
            (Some(user), Some(pass)) => {
                builder =
                    builder.credentials(Credentials::new(user.clone(), pass.expose().to_owned()));
            }
            (None, None) => {}
            _ => {
                return Err(ServiceError::invalid(
                    "notifications.smtp.username",
                    "username and password go together",
                ));
            }
        }
        if let Some(name) = &config.helo_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

#[async_trait]
impl Channel for SmtpChannel {
    async fn deliver(&self, m: &OutboxMessage) -> Result<(), DeliveryError> {
        let to: Mailbox = m.message.recipient.parse().map_err(|e| {
            DeliveryError::Permanent(format!(
                "{:?} is not an e-mail address: {e}",
                m.message.recipient
            ))
        })?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.message.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(m.message.body.clone())
            .map_err(|e| DeliveryError::Permanent(format!("building the e-mail: {e}")))?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(DeliveryError::Permanent(format!(
                "mail server refused: {e}"
            ))),
            Err(e) => Err(DeliveryError::Temporary(format!("mail server: {e}"))),
        }
    }
}
