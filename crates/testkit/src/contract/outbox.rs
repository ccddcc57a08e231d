//! The notification outbox: claiming with a lease, recording outcomes,
//! listing for administrators, retrying failed messages, and claims by
//! several nodes at once.

use std::collections::HashSet;

use jiff::Timestamp;
use motcua_service::ServiceError;
use motcua_service::store::{Delivery, MessageChannel, MessageStatus};

use super::{T0_MS, TestDb, ctx_at, entry_summary, expect_err, summary};

/// The instant [`T0_MS`] plus `offset_ms`.
pub fn at(offset_ms: i64) -> anyhow::Result<Timestamp> {
    Ok(Timestamp::from_millisecond(T0_MS + offset_ms)?)
}

/// Writes a pending message due at [`T0_MS`] plus `due_offset_ms` straight
/// into the outbox, as a dossier change would, and returns its id.
pub async fn insert_message(
    db: &TestDb,
    channel: MessageChannel,
    recipient: &str,
    subject: &str,
    body: &str,
    due_offset_ms: i64,
) -> anyhow::Result<i64> {
    let q = |s: &str| s.replace('\'', "''");
    db.execute(&format!(
        "INSERT INTO outbox (dossier_id, channel, recipient, subject, body, status, attempts, \
         next_attempt_ms, created_at_ms) VALUES (NULL, '{}', '{}', '{}', '{}', 'pending', 0, {}, {})",
        channel.as_str(),
        q(recipient),
        q(subject),
        q(body),
        T0_MS + due_offset_ms,
        T0_MS,
    ))
    .await?;
    db.query_i64("SELECT max(id) FROM outbox").await
}

/// Only pending messages that are due are claimed, oldest due first; a
/// claimed message is hidden until its lease ends, then claimed again.
pub async fn claims_take_due_messages_and_hide_them_for_the_lease(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let later = insert_message(db, MessageChannel::Sms, "0912345678", "", "sau", 60_000).await?;
    let due2 = insert_message(db, MessageChannel::Email, "a@example.vn", "Hồ sơ", "b", -1).await?;
    let due1 = insert_message(db, MessageChannel::Log, "log", "s", "trước", -5_000).await?;
    let sent = insert_message(db, MessageChannel::Log, "log", "s", "đã gửi", -9_000).await?;
    db.execute(&format!(
        "UPDATE outbox SET status = 'sent' WHERE id = {sent}"
    ))
    .await?;

    let claimed = store.claim_messages(at(0)?, at(300_000)?, 10).await?;
    let ids: Vec<i64> = claimed.iter().map(|m| m.id).collect();
    assert_eq!(ids, vec![due1, due2]);
    let first = &claimed[0];
    assert_eq!(first.message.channel, MessageChannel::Log);
    assert_eq!(first.message.body, "trước");
    assert_eq!(first.status, MessageStatus::Pending);
    assert_eq!(first.attempts, 0);
    assert_eq!(claimed[1].message.subject, "Hồ sơ");

    assert!(
        store
            .claim_messages(at(1_000)?, at(301_000)?, 10)
            .await?
            .is_empty()
    );
    let next: Vec<i64> = store
        .claim_messages(at(60_000)?, at(360_000)?, 10)
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(next, vec![later]);
    let again: Vec<i64> = store
        .claim_messages(at(300_000)?, at(600_000)?, 1)
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    // Both leases end together: the lower id goes first.
    assert_eq!(again, vec![due2], "lease over, limit 1");
    Ok(())
}

/// Each outcome counts an attempt; a retry moves the due time and keeps the
/// error, sent clears it, failed keeps it and leaves the queue.
pub async fn outcomes_are_recorded_and_listed_by_status(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let a = insert_message(db, MessageChannel::Sms, "0912345678", "", "a", 0).await?;
    let b = insert_message(
        db,
        MessageChannel::Webhook,
        "erp",
        "dossier.received",
        "{}",
        0,
    )
    .await?;
    let c = insert_message(db, MessageChannel::Email, "c@example.vn", "s", "c", 0).await?;

    let retry = Delivery::Retry {
        error: "gateway answered 503".to_owned(),
        at: at(30_000)?,
    };
    store.record_delivery(a, &retry).await?;
    store.record_delivery(b, &retry).await?;
    store
        .record_delivery(a, &Delivery::Sent(at(31_000)?))
        .await?;
    store
        .record_delivery(
            b,
            &Delivery::Failed {
                error: "no webhook named erp".to_owned(),
            },
        )
        .await?;

    let all = store.outbox_messages(None, None, None, 10).await?;
    assert_eq!(all.iter().map(|m| m.id).collect::<Vec<_>>(), vec![c, b, a]);
    let (mc, mb, ma) = (&all[0], &all[1], &all[2]);
    assert_eq!((ma.status, ma.attempts), (MessageStatus::Sent, 2));
    assert_eq!(ma.sent_at, Some(at(31_000)?));
    assert_eq!(ma.last_error, None);
    assert_eq!((mb.status, mb.attempts), (MessageStatus::Failed, 2));
    assert_eq!(mb.last_error.as_deref(), Some("no webhook named erp"));
    assert_eq!((mc.status, mc.attempts), (MessageStatus::Pending, 0));

    let failed = store
        .outbox_messages(None, Some(MessageStatus::Failed), None, 10)
        .await?;
    assert_eq!(failed.iter().map(|m| m.id).collect::<Vec<_>>(), vec![b]);
    let page = store.outbox_messages(None, None, Some(c), 1).await?;
    assert_eq!(page.iter().map(|m| m.id).collect::<Vec<_>>(), vec![b]);
    assert!(
        store
            .claim_messages(at(3_600_000)?, at(3_900_000)?, 10)
            .await?
            .iter()
            .all(|m| m.id == c),
        "sent and failed messages are never claimed"
    );

    let err = expect_err(
        store
            .record_delivery(a + 100, &Delivery::Sent(at(0)?))
            .await,
        "unknown id",
    )?;
    assert!(matches!(err, ServiceError::NotFound { .. }), "{err:?}");
    Ok(())
}

/// Retrying a failed message queues it at the given moment with one audit
/// entry; a message that has not failed is `NotFound` and nothing is written.
pub async fn failed_messages_are_retried_with_an_audit_entry(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let m = insert_message(db, MessageChannel::Email, "x@example.vn", "s", "b", 0).await?;
    let err = expect_err(
        store
            .retry_message(&ctx_at("admin", 0)?, None, m, at(0)?)
            .await,
        "pending message",
    )?;
    assert!(matches!(err, ServiceError::NotFound { .. }), "{err:?}");

    store
        .record_delivery(
            m,
            &Delivery::Failed {
                error: "550".to_owned(),
            },
        )
        .await?;
    store
        .retry_message(&ctx_at("admin", 60_000)?, None, m, at(60_000)?)
        .await?;
    let claimed = store.claim_messages(at(60_000)?, at(360_000)?, 10).await?;
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, m);
    assert_eq!(claimed[0].attempts, 1, "the count of attempts is kept");
    assert_eq!(claimed[0].last_error.as_deref(), Some("550"));
    assert_eq!(
        entry_summary(&*store).await?,
        summary(&[(1, "admin", "outbox.retry", &format!("outbox:{m}"))])
    );
    Ok(())
}

/// Eight claimers working the same outbox at once (as eight nodes would)
/// share out 40 messages: each message is handed out exactly once.
pub async fn concurrent_claims_never_return_the_same_message(db: &TestDb) -> anyhow::Result<()> {
    let mut expected = HashSet::new();
    for i in 0..40 {
        expected.insert(
            insert_message(db, MessageChannel::Log, "log", "s", &format!("m{i}"), -i).await?,
        );
    }
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = db.store();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_messages(at(0)?, at(300_000)?, 3).await?;
                if batch.is_empty() {
                    return anyhow::Ok(mine);
                }
                mine.extend(batch.into_iter().map(|m| m.id));
                tokio::task::yield_now().await;
            }
        }));
    }
    let mut seen = Vec::new();
    for t in tasks {
        seen.extend(t.await??);
    }
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(seen.len(), 40, "every message handed out once: {seen:?}");
    assert_eq!(unique, expected);
    Ok(())
}
