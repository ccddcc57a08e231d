//! The dispatcher over a real database: claims, backoff, giving up, the
//! administrators' retry, and the polling loop.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use motcua_notify::simulators::{Behaviour, SmsGateway};
use motcua_notify::{LogChannel, Secret, SmsConfig, SmsHttpChannel};
use motcua_service::ServiceError;
use motcua_service::access::Actor;
use motcua_service::clock::{Clock, SystemClock};
use motcua_service::notify::{
    self, Backoff, Channel, ChannelMap, DeliveryError, DispatchPolicy, DispatchReport, Dispatcher,
};
use motcua_service::store::{MessageChannel, MessageStatus, OutboxMessage};
use motcua_testkit::contract::outbox::insert_message;
use motcua_testkit::contract::{T0_MS, ctx, new_user};
use motcua_testkit::{Backend, TestDb};

/// A clock the test moves by hand.
#[derive(Default)]
struct StepClock(Mutex<i64>);

impl StepClock {
    /// Sets the time to [`T0_MS`] plus `offset_ms`.
    fn set(&self, offset_ms: i64) {
        *self.0.lock().unwrap() = offset_ms;
    }
}

impl Clock for StepClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millisecond(T0_MS + *self.0.lock().unwrap()).unwrap()
    }
}

fn t(offset_ms: i64) -> Timestamp {
    Timestamp::from_millisecond(T0_MS + offset_ms).unwrap()
}

/// A channel that answers from a script, then succeeds.
#[derive(Default)]
struct Scripted(Mutex<VecDeque<Result<(), DeliveryError>>>);

impl Scripted {
    fn failing(n: usize) -> Self {
        Self(Mutex::new(
            (0..n)
                .map(|i| Err(DeliveryError::Temporary(format!("outage {}", i + 1))))
                .collect(),
        ))
    }
}

#[async_trait]
impl Channel for Scripted {
    async fn deliver(&self, _m: &OutboxMessage) -> Result<(), DeliveryError> {
        self.0.lock().unwrap().pop_front().unwrap_or(Ok(()))
    }
}

fn policy(backoff: Backoff) -> DispatchPolicy {
    DispatchPolicy {
        backoff,
        attempt_timeout: Duration::from_secs(5),
        poll_interval: Duration::from_millis(20),
        ..DispatchPolicy::default()
    }
}

async fn on_both(case: impl AsyncFn(&TestDb) -> anyhow::Result<()>) -> anyhow::Result<()> {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::migrated(backend).await?;
        let outcome = case(&db).await;
        db.close().await;
        outcome.map_err(|e| e.context(backend.name()))?;
    }
    Ok(())
}

async fn one(db: &TestDb, id: i64) -> OutboxMessage {
    db.store()
        .outbox_messages(None, None, Some(id + 1), 1)
        .await
        .unwrap()
        .into_iter()
        .next()
        .filter(|m| m.id == id)
        .unwrap()
}

fn report(claimed: u32, sent: u32, retried: u32, failed: u32) -> DispatchReport {
    DispatchReport {
        claimed,
        sent,
        retried,
        failed,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_outage_is_retried_on_the_schedule_then_sent() -> anyhow::Result<()> {
    on_both(async |db: &TestDb| {
        let gw = SmsGateway::start("k-1", Behaviour::failing_first(2, 503)).await?;
        let sms = SmsHttpChannel::new(&SmsConfig {
            url: gw.url(),
            api_key: Secret::new("k-1"),
            api_key_header: "X-Api-Key".to_owned(),
            timeout_secs: 5,
        })?;
        let clock = Arc::new(StepClock::default());
        let mut channels = ChannelMap::new();
        channels.insert(MessageChannel::Sms, Arc::new(sms) as Arc<dyn Channel>);
        let d = Dispatcher::new(
            db.store(),
            clock.clone(),
            channels,
            policy(Backoff::default()),
        )?;
        let id = insert_message(
            db,
            MessageChannel::Sms,
            "0912345678",
            "",
            "Hồ sơ đã có kết quả",
            0,
        )
        .await?;

        assert_eq!(d.run_once().await?, report(1, 0, 1, 0));
        let m = one(db, id).await;
        assert_eq!((m.status, m.attempts), (MessageStatus::Pending, 1));
        assert_eq!(m.next_attempt_at, t(30_000), "first retry after 30 s");
        assert!(
            m.last_error.as_deref().unwrap().contains("503"),
            "{:?}",
            m.last_error
        );

        clock.set(29_999);
        assert_eq!(d.run_once().await?, report(0, 0, 0, 0));
        clock.set(30_000);
        assert_eq!(d.run_once().await?, report(1, 0, 1, 0));
        let m = one(db, id).await;
        assert_eq!(m.attempts, 2);
        assert_eq!(
            m.next_attempt_at,
            t(30_000 + 120_000),
            "second retry 2 min later"
        );

        clock.set(150_000);
        assert_eq!(d.run_once().await?, report(1, 1, 0, 0));
        let m = one(db, id).await;
        assert_eq!((m.status, m.attempts), (MessageStatus::Sent, 3));
        assert_eq!(m.sent_at, Some(t(150_000)));
        assert_eq!(m.last_error, None);
        assert_eq!(gw.requests(), 3);
        assert_eq!(gw.received().len(), 1);
        assert_eq!(gw.received()[0].text, "Hồ sơ đã có kết quả");
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_last_attempt_the_message_fails_visibly_and_can_be_retried() -> anyhow::Result<()>
{
    on_both(async |db: &TestDb| {
        let store = db.store();
        let clock = Arc::new(StepClock::default());
        let mut channels = ChannelMap::new();
        channels.insert(
            MessageChannel::Webhook,
            Arc::new(Scripted::failing(4)) as Arc<dyn Channel>,
        );
        let backoff = Backoff::new(vec![SignedDuration::from_secs(10)], 3)?;
        let d = Dispatcher::new(store.clone(), clock.clone(), channels, policy(backoff))?;
        let id = insert_message(
            db,
            MessageChannel::Webhook,
            "erp",
            "dossier.received",
            "{}",
            0,
        )
        .await?;

        assert_eq!(d.run_once().await?, report(1, 0, 1, 0));
        clock.set(10_000);
        assert_eq!(d.run_once().await?, report(1, 0, 1, 0));
        assert_eq!(one(db, id).await.next_attempt_at, t(20_000));
        clock.set(20_000);
        assert_eq!(d.run_once().await?, report(1, 0, 0, 1));

        let failed = store
            .outbox_messages(None, Some(MessageStatus::Failed), None, 10)
            .await?;
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].id, id);
        assert_eq!(failed[0].attempts, 3);
        assert_eq!(
            failed[0].last_error.as_deref(),
            Some("outage 3 (gave up after 3 attempts)")
        );
        clock.set(3_600_000);
        assert_eq!(
            d.run_once().await?,
            report(0, 0, 0, 0),
            "failed messages stay put"
        );

        // An administrator sees it and puts it back; one more attempt is made,
        // and a temporary failure marks it failed again at once.
        let admin = Actor::system("admin");
        let listed = notify::list_messages(
            &*store,
            &admin,
            t(3_600_000),
            Some(MessageStatus::Failed),
            None,
            50,
        )
        .await?;
        assert_eq!(listed.iter().map(|m| m.id).collect::<Vec<_>>(), vec![id]);
        notify::retry(&*store, &admin, t(3_600_000), id).await?;
        assert_eq!(d.run_once().await?, report(1, 0, 0, 1));
        notify::retry(&*store, &admin, t(3_600_000), id).await?;
        assert_eq!(d.run_once().await?, report(1, 1, 0, 0));
        let m = one(db, id).await;
        assert_eq!((m.status, m.attempts), (MessageStatus::Sent, 5));

        // Retrying a message that is not failed is NotFound.
        let err = notify::retry(&*store, &admin, t(3_600_000), id)
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::NotFound { .. }), "{err:?}");
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_without_the_permission_can_neither_list_nor_retry() -> anyhow::Result<()> {
    on_both(async |db: &TestDb| {
        let store = db.store();
        let user = store
            .insert_user(&ctx()?, &new_user("nobody", "Người không có quyền"))
            .await?;
        let nobody = Actor::load(&*store, user.id, "nobody").await?;
        let err = notify::list_messages(&*store, &nobody, t(0), None, None, 10)
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
        let err = notify::retry(&*store, &nobody, t(0), 1).await.unwrap_err();
        assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
        let denied = db
            .query_i64("SELECT count(*) FROM audit_log WHERE action = 'access.denied'")
            .await?;
        assert_eq!(denied, 2);
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_without_an_adapter_fails_at_once_with_its_name() -> anyhow::Result<()> {
    on_both(async |db: &TestDb| {
        let clock = Arc::new(StepClock::default());
        let d = Dispatcher::new(
            db.store(),
            clock,
            ChannelMap::new(),
            policy(Backoff::default()),
        )?;
        let id = insert_message(db, MessageChannel::Email, "a@example.vn", "s", "b", 0).await?;
        assert_eq!(d.run_once().await?, report(1, 0, 0, 1));
        let m = one(db, id).await;
        assert_eq!((m.status, m.attempts), (MessageStatus::Failed, 1));
        assert_eq!(
            m.last_error.as_deref(),
            Some("no adapter is configured for the email channel")
        );
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_delivers_until_shut_down() -> anyhow::Result<()> {
    on_both(async |db: &TestDb| {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("n.log");
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let mut channels = ChannelMap::new();
        channels.insert(
            MessageChannel::Log,
            Arc::new(LogChannel::new(&path, clock.clone())) as Arc<dyn Channel>,
        );
        let p = DispatchPolicy {
            batch: 2,
            ..policy(Backoff::default())
        };
        let d = Dispatcher::new(db.store(), clock, channels, p)?;
        for i in 0..5 {
            insert_message(db, MessageChannel::Log, "log", "s", &format!("thư {i}"), 0).await?;
        }
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(d.run(async move {
            let _ = stopped.await;
        }));
        let mut sent = 0;
        for _ in 0..200 {
            sent = db
                .query_i64("SELECT count(*) FROM outbox WHERE status = 'sent'")
                .await?;
            if sent == 5 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(sent, 5);
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), task).await??;
        assert_eq!(std::fs::read_to_string(&path)?.lines().count(), 5);
        Ok(())
    })
    .await
}
