//! Integration tests of the channel adapters against their simulators, and of
//! the dispatcher over a real database (SQLite and PostgreSQL: the server in
//! `MOTCUA_TEST_DATABASE_URL` or the run's throwaway cluster).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod config;
mod dispatcher;
mod log_file;
mod payment;
mod sms;
mod smtp;
mod vneid;
mod webhook;

use jiff::Timestamp;
use motcua_service::store::{MessageChannel, MessageStatus, NewMessage, OutboxMessage};

/// A pending message as the dispatcher would hand it to an adapter.
pub fn message(
    id: i64,
    channel: MessageChannel,
    recipient: &str,
    subject: &str,
    body: &str,
) -> OutboxMessage {
    let t = Timestamp::from_millisecond(1_756_713_600_000).unwrap();
    OutboxMessage {
        id,
        dossier_id: None,
        message: NewMessage {
            channel,
            recipient: recipient.to_owned(),
            subject: subject.to_owned(),
            body: body.to_owned(),
        },
        status: MessageStatus::Pending,
        attempts: 0,
        next_attempt_at: t,
        last_error: None,
        sent_at: None,
        created_at: t,
    }
}
