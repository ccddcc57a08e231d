//! The outside systems notifications go through (architecture.md §8): the
//! [`Channel`](motcua_service::notify::Channel) adapters the outbox
//! dispatcher in `motcua-service` delivers with, and simulators that behave
//! like the real services for the tests and the demo.
//!
//! | channel | adapter | simulator |
//! |---|---|---|
//! | e-mail | [`SmtpChannel`] (SMTP, STARTTLS with rustls) | [`simulators::SmtpSink`] |
//! | SMS | [`SmsHttpChannel`] (JSON over HTTP to a gateway) | [`simulators::SmsGateway`] |
//! | webhook | [`WebhookChannel`] (JSON signed with HMAC-SHA256) | [`simulators::WebhookReceiver`] |
//! | log | [`LogChannel`] (one JSON line per message) | the file itself |
//!
//! [`channel_map`] builds the adapters from the [`Channels`] section of the
//! configuration file.

mod config;
mod http;
mod log_file;
pub mod payment;
pub mod simulators;
mod sms;
mod smtp;
pub mod vneid;
mod webhook;

pub use config::{Channels, Secret, SmsConfig, SmtpConfig, SmtpTls, WebhookConfig, channel_map};
pub use log_file::LogChannel;
pub use sms::SmsHttpChannel;
pub use smtp::SmtpChannel;
pub use webhook::{
    DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookChannel, signature,
    verify_signature,
};
