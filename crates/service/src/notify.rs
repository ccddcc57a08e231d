//! Delivering the notification outbox (architecture.md §8).
//!
//! Changes write their messages into the outbox in the same transaction as
//! the change, so a message exists exactly when its change does. The
//! [`Dispatcher`] here claims due messages, hands each to the [`Channel`]
//! adapter for its [`MessageChannel`] (e-mail, SMS, webhook, log file; the
//! adapters live in `motcua-notify`), and records the outcome: sent, retry
//! later on the [`Backoff`] schedule, or failed for good. Failed messages stay
//! in the outbox, where administrators list them ([`list_messages`]) and put
//! them back in the queue ([`retry`]).
//!
//! Delivery is at least once: a node that stops between sending and
//! recording, or an attempt that outlives its lease, sends the message again.
//! Receivers of webhooks deduplicate on the message id.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use motcua_domain::role::Role;
use serde::Serialize;

use crate::access::{self, Actor, Permission};
use crate::clock::Clock;
use crate::error::{ServiceError, ServiceResult};
use crate::store::{Delivery, MessageChannel, MessageStatus, OutboxMessage, Store};

/// Why an attempt failed, as the adapter judges it: whether trying again
/// later can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The other side is down, busy or slow (a refused connection, a time-out,
    /// HTTP 429 or 5xx, SMTP 4xx): retry on the backoff schedule.
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// The message cannot be delivered as it is (a malformed address, HTTP
    /// 4xx, SMTP 5xx, an unknown webhook name): retrying would fail the same.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

/// An outside system that delivers messages of one channel. Adapters must not
/// put secrets (passwords, API keys, signing secrets) in their errors, which
/// are stored in the outbox and shown to administrators.
#[async_trait]
pub trait Channel: Send + Sync {
    /// Delivers one message; `Ok` once the other side has acknowledged it.
    async fn deliver(&self, m: &OutboxMessage) -> Result<(), DeliveryError>;
}

/// The channel adapters a node has, by channel.
pub type ChannelMap = HashMap<MessageChannel, Arc<dyn Channel>>;

/// When to try again after a temporary failure, and when to give up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    delays: Vec<SignedDuration>,
    max_attempts: u32,
}

impl Backoff {
    /// A schedule: after the n-th failed attempt wait `delays[n - 1]` (the
    /// last delay repeats), and after `max_attempts` attempts give up.
    pub fn new(delays: Vec<SignedDuration>, max_attempts: u32) -> ServiceResult<Self> {
        if max_attempts == 0 {
            return Err(ServiceError::invalid(
                "notifications.max_attempts",
                "must be at least 1",
            ));
        }
        if max_attempts > 1 && delays.is_empty() {
            return Err(ServiceError::invalid(
                "notifications.backoff",
                "needs at least one delay when more than one attempt is allowed",
            ));
        }
        if let Some(d) = delays.iter().find(|d| !d.is_positive()) {
            return Err(ServiceError::invalid(
                "notifications.backoff",
                format!("delays must be positive, got {d:#}"),
            ));
        }
        Ok(Self {
            delays,
            max_attempts,
        })
    }

    /// The delay before the next attempt when `made` attempts have failed,
    /// or `None` when that was the last one allowed.
    pub fn delay_after(&self, made: u32) -> Option<SignedDuration> {
        if made == 0 || made >= self.max_attempts {
            return None;
        }
        let i = usize::try_from(made - 1).unwrap_or(usize::MAX);
        self.delays.get(i).or(self.delays.last()).copied()
    }

    /// The attempts allowed in all.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }
}

impl Default for Backoff {
    /// 30 s, 2 min, 10 min, 1 h, 6 h, then failed after the sixth attempt:
    /// short outages of a gateway cost seconds, a night-long one is still
    /// bridged, and a dead address reaches administrators within a day.
    fn default() -> Self {
        Self {
            delays: vec![
                SignedDuration::from_secs(30),
                SignedDuration::from_mins(2),
                SignedDuration::from_mins(10),
                SignedDuration::from_hours(1),
                SignedDuration::from_hours(6),
            ],
            max_attempts: 6,
        }
    }
}

/// How a dispatcher works through the outbox.
#[derive(Debug, Clone)]
pub struct DispatchPolicy {
    /// Retry schedule.
    pub backoff: Backoff,
    /// How long a claimed message is hidden from other nodes.
    pub lease: SignedDuration,
    /// Messages claimed at once.
    pub batch: u32,
    /// Longest wait for one attempt; a slower channel counts as a temporary
    /// failure, so a hung gateway cannot hold a batch past its lease.
    pub attempt_timeout: Duration,
    /// Pause between polls when the outbox has nothing due.
    pub poll_interval: Duration,
}

impl Default for DispatchPolicy {
    /// 5-minute lease over batches of 10 with 20 s per attempt: the whole
    /// batch (at most 200 s) finishes inside its lease.
    fn default() -> Self {
        Self {
            backoff: Backoff::default(),
            lease: SignedDuration::from_mins(5),
            batch: 10,
            attempt_timeout: Duration::from_secs(20),
            poll_interval: Duration::from_secs(5),
        }
    }
}

impl DispatchPolicy {
    /// Refuses a policy whose batch could outlive its lease, which would let
    /// another node claim and send the same messages meanwhile.
    pub fn check(&self) -> ServiceResult<()> {
        if self.batch == 0 {
            return Err(ServiceError::invalid(
                "notifications.batch",
                "must be at least 1",
            ));
        }
        let worst = self.attempt_timeout.saturating_mul(self.batch);
        let lease = self.lease.unsigned_abs();
        if !self.lease.is_positive() || worst >= lease {
            return Err(ServiceError::invalid(
                "notifications.lease",
                format!(
                    "the lease ({lease:?}) must exceed batch × attempt_timeout ({} × {:?} = {worst:?})",
                    self.batch, self.attempt_timeout
                ),
            ));
        }
        Ok(())
    }
}

/// What one pass over the outbox did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DispatchReport {
    /// Messages claimed.
    pub claimed: u32,
    /// Delivered.
    pub sent: u32,
    /// Failed and scheduled again.
    pub retried: u32,
    /// Failed for good.
    pub failed: u32,
}

/// Delivers outbox messages through the configured channels. Several nodes
/// may each run one: claims never overlap (see `OutboxStore::claim_messages`).
///
/// A message whose channel has no adapter on this node is marked failed at
/// once with an error naming the channel, rather than left pending: nodes
/// share one configuration, so waiting would not help, and a failed message
/// is what administrators see. Once the channel is configured they retry it.
pub struct Dispatcher {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    channels: ChannelMap,
    policy: DispatchPolicy,
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.channels.keys().map(|c| c.as_str()).collect();
        names.sort_unstable();
        f.debug_struct("Dispatcher")
            .field("channels", &names)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// A dispatcher over `channels`, refusing an unsafe policy.
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        channels: ChannelMap,
        policy: DispatchPolicy,
    ) -> ServiceResult<Self> {
        policy.check()?;
        Ok(Self {
            store,
            clock,
            channels,
            policy,
        })
    }

    /// Claims one batch of due messages, attempts each and records the
    /// outcomes.
    pub async fn run_once(&self) -> ServiceResult<DispatchReport> {
        let now = self.clock.now();
        let lease_until = add(now, self.policy.lease)?;
        let batch = self
            .store
            .claim_messages(now, lease_until, self.policy.batch)
            .await?;
        let mut report = DispatchReport {
            claimed: u32::try_from(batch.len()).unwrap_or(u32::MAX),
            ..DispatchReport::default()
        };
        for m in &batch {
            let outcome = self.attempt(m).await?;
            match &outcome {
                Delivery::Sent(_) => report.sent += 1,
                Delivery::Retry { error, at } => {
                    report.retried += 1;
                    tracing::warn!(id = m.id, channel = m.message.channel.as_str(), %error, %at, "notification will be retried");
                }
                Delivery::Failed { error } => {
                    report.failed += 1;
                    tracing::error!(id = m.id, channel = m.message.channel.as_str(), %error, "notification failed");
                }
            }
            self.store.record_delivery(m.id, &outcome).await?;
        }
        Ok(report)
    }

    /// One attempt at `m`, turned into the outcome to record.
    async fn attempt(&self, m: &OutboxMessage) -> ServiceResult<Delivery> {
        let channel = m.message.channel;
        let result = match self.channels.get(&channel) {
            None => Err(DeliveryError::Permanent(format!(
                "no adapter is configured for the {} channel",
                channel.as_str()
            ))),
            Some(adapter) => {
                match tokio::time::timeout(self.policy.attempt_timeout, adapter.deliver(m)).await {
                    Ok(r) => r,
                    Err(_) => Err(DeliveryError::Temporary(format!(
                        "no answer within {:?}",
                        self.policy.attempt_timeout
                    ))),
                }
            }
        };
        let now = self.clock.now();
        Ok(match result {
            Ok(()) => Delivery::Sent(now),
            Err(DeliveryError::Permanent(error)) => Delivery::Failed { error },
            Err(DeliveryError::Temporary(error)) => {
                let made = m.attempts.saturating_add(1);
                match self.policy.backoff.delay_after(made) {
                    Some(delay) => Delivery::Retry {
                        error,
                        at: add(now, delay)?,
                    },
                    None => Delivery::Failed {
                        error: format!("{error} (gave up after {made} attempts)"),
                    },
                }
            }
        })
    }

    /// Works through the outbox until `shutdown` completes: a full batch is
    /// followed at once by the next, otherwise the dispatcher waits the poll
    /// interval. Errors (the database being away) are logged and the loop
    /// goes on; an attempt in progress finishes before the loop stops.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        tokio::pin!(shutdown);
        loop {
            let full = match self.run_once().await {
                Ok(r) => r.claimed >= self.policy.batch,
                Err(e) => {
                    tracing::error!(error = %e, "notification dispatch failed");
                    false
                }
            };
            let wait = if full {
                Duration::ZERO
            } else {
                self.policy.poll_interval
            };
            tokio::select! {
                biased;
                () = &mut shutdown => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}

fn add(t: Timestamp, d: SignedDuration) -> ServiceResult<Timestamp> {
    t.checked_add(d)
        .map_err(|e| ServiceError::Internal(format!("{t} + {d:#} is out of range: {e}")))
}

/// The units whose messages the actor administers: `None` for the system
/// and for a system administrator whose grants cover every unit (every
/// message, those without a dossier too), else the units where they hold
/// `ManageNotifications`. Messages carry applicants' names, addresses and
/// lookup tokens: an administrator of one district sees that district's
/// and no other's, like every other read of unit-scoped data.
async fn message_scope(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
) -> ServiceResult<Option<Vec<i64>>> {
    access::require_somewhere(store, actor, now, Permission::ManageNotifications).await?;
    let Some(units) = actor.units_for(Permission::ManageNotifications) else {
        return Ok(None);
    };
    if actor.holds(Role::SystemAdmin) && units.len() >= store.list_units().await?.len() {
        return Ok(None);
    }
    let mut ids: Vec<i64> = units.into_iter().collect();
    ids.sort_unstable();
    Ok(Some(ids))
}

/// Outbox messages for administrators, newest first, optionally by status
/// (failed ones are what needs attention), a page of at most 200 after id
/// `before`: those about dossiers of the units where the actor holds
/// `ManageNotifications` ([`message_scope`]).
pub async fn list_messages(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    status: Option<MessageStatus>,
    before: Option<i64>,
    limit: u32,
) -> ServiceResult<Vec<OutboxMessage>> {
    let scope = message_scope(store, actor, now).await?;
    store
        .outbox_messages(scope.as_deref(), status, before, limit.clamp(1, 200))
        .await
}

/// Puts a failed message back in the queue, due now; audited. It gets one
/// more attempt: the count of attempts is kept, so a temporary failure marks
/// it failed again rather than starting the schedule over. Needs
/// `ManageNotifications`; a message that is not failed, or is outside the
/// actor's units ([`message_scope`]), is `NotFound` alike.
pub async fn retry(store: &dyn Store, actor: &Actor, now: Timestamp, id: i64) -> ServiceResult<()> {
    let scope = message_scope(store, actor, now).await?;
    store
        .retry_message(&actor.context(now), scope.as_deref(), id, now)
        .await
}

impl crate::services::Outbox<'_> {
    /// Outbox messages for administrators, newest first, optionally by status
    /// (failed ones are what needs attention), a page of at most 200 after id
    /// `before`: those about dossiers of the units where the actor holds
    /// `ManageNotifications` ([`message_scope`]).
    pub async fn list_messages(
        &self,
        actor: &Actor,
        status: Option<MessageStatus>,
        before: Option<i64>,
        limit: u32,
    ) -> ServiceResult<Vec<OutboxMessage>> {
        self::list_messages(self.store(), actor, self.now(), status, before, limit).await
    }

    /// Puts a failed message back in the queue, due now; audited. It gets one
    /// more attempt: the count of attempts is kept, so a temporary failure marks
    /// it failed again rather than starting the schedule over. Needs
    /// `ManageNotifications`; a message that is not failed, or is outside the
    /// actor's units ([`message_scope`]), is `NotFound` alike.
    pub async fn retry(&self, actor: &Actor, id: i64) -> ServiceResult<()> {
        self::retry(self.store(), actor, self.now(), id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: i64) -> SignedDuration {
        SignedDuration::from_secs(s)
    }

    #[test]
    fn default_schedule_waits_30s_2m_10m_1h_6h_then_gives_up_after_six() {
        let b = Backoff::default();
        let waits: Vec<Option<SignedDuration>> = (1..=7).map(|n| b.delay_after(n)).collect();
        assert_eq!(
            waits,
            vec![
                Some(secs(30)),
                Some(secs(120)),
                Some(secs(600)),
                Some(secs(3_600)),
                Some(secs(21_600)),
                None,
                None,
            ]
        );
        assert_eq!(b.max_attempts(), 6);
    }

    #[test]
    fn last_delay_repeats_when_more_attempts_than_delays() {
        let b = Backoff::new(vec![secs(10), secs(60)], 5).unwrap();
        let waits: Vec<Option<SignedDuration>> = (1..=5).map(|n| b.delay_after(n)).collect();
        assert_eq!(
            waits,
            vec![
                Some(secs(10)),
                Some(secs(60)),
                Some(secs(60)),
                Some(secs(60)),
                None
            ]
        );
    }

    #[test]
    fn a_single_attempt_needs_no_delays() {
        let b = Backoff::new(Vec::new(), 1).unwrap();
        assert_eq!(b.delay_after(1), None);
    }

    #[test]
    fn bad_schedules_are_refused_with_their_field() {
        for (delays, max, field) in [
            (vec![secs(30)], 0, "notifications.max_attempts"),
            (vec![], 3, "notifications.backoff"),
            (vec![secs(30), secs(0)], 3, "notifications.backoff"),
            (vec![secs(-5)], 3, "notifications.backoff"),
        ] {
            let err = Backoff::new(delays, max).unwrap_err();
            assert!(
                matches!(&err, ServiceError::Invalid { field: f, .. } if f == field),
                "{err:?}"
            );
        }
    }

    #[test]
    fn a_batch_that_could_outlive_its_lease_is_refused() {
        let ok = DispatchPolicy::default();
        ok.check().unwrap();
        let long = DispatchPolicy {
            batch: 15,
            ..DispatchPolicy::default()
        };
        // 15 × 20 s = 300 s, not below the 5-minute lease.
        let err = long.check().unwrap_err();
        assert!(
            matches!(&err, ServiceError::Invalid { field, .. } if field == "notifications.lease"),
            "{err:?}"
        );
        let empty = DispatchPolicy {
            batch: 0,
            ..DispatchPolicy::default()
        };
        assert!(empty.check().is_err());
    }
}
