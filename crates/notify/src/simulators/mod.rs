//! Stand-ins for the outside services, for the tests and the demo. Each runs
//! on 127.0.0.1 on a port of its own, answers like the real service
//! (acknowledgements with ids, refusals for bad credentials or signatures),
//! records what it received, and can be told to fail its first requests or to
//! answer slowly, so the retry path runs too. Each stops when dropped.

mod payment_gateway;
mod sms_gateway;
mod smtp_sink;
mod vneid;
mod webhook_receiver;

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

pub use payment_gateway::PaymentGatewaySimulator;
pub use sms_gateway::{ReceivedSms, SmsGateway};
pub use smtp_sink::{ReceivedMail, SmtpSink};
pub use vneid::{Person, VneidSimulator, demo_people};
pub use webhook_receiver::{ReceivedWebhook, WebhookReceiver};

/// How a simulator misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behaviour {
    /// Requests (SMTP transactions) refused before the service works; HTTP
    /// simulators answer them with `fail_status`, the SMTP sink with `451`.
    pub fail_first: u32,
    /// The HTTP status of a refused request.
    pub fail_status: u16,
    /// Wait before answering each request.
    pub delay: Duration,
}

impl Default for Behaviour {
    /// Works at once, every time.
    fn default() -> Self {
        Self {
            fail_first: 0,
            fail_status: 500,
            delay: Duration::ZERO,
        }
    }
}

impl Behaviour {
    /// Fails the first `n` requests with `status`.
    pub fn failing_first(n: u32, status: u16) -> Self {
        Self {
            fail_first: n,
            fail_status: status,
            ..Self::default()
        }
    }
}

/// A lock that survives a panicking holder: the recorded data stays readable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
