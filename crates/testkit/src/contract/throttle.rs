//! Sign-in throttling: attempts reserved under keys with a guarded counter,
//! all or none, hard limits per window and a doubling backoff, released on
//! success, pruned when old; concurrent attempts never pass a full key.

use jiff::{SignedDuration, Timestamp};
use motcua_service::ServiceError;
use motcua_service::store::{AttemptRule, Backoff, Reservation, Store};

use super::{T0_MS, TestDb, audit_count, expect_err};

/// [`T0_MS`] plus `offset_ms`.
fn at(offset_ms: i64) -> anyhow::Result<Timestamp> {
    Ok(Timestamp::from_millisecond(T0_MS + offset_ms)?)
}

/// A hard limit of `free` attempts per 15 minutes.
fn hard(key: &str, free: u32) -> AttemptRule {
    AttemptRule {
        key: key.to_owned(),
        window: SignedDuration::from_mins(15),
        free,
        backoff: None,
    }
}

/// `free` attempts per 15 minutes, then waits from `base_ms` doubling to `cap_ms`.
fn backoff(key: &str, free: u32, base_ms: i64, cap_ms: i64) -> AttemptRule {
    AttemptRule {
        backoff: Some(Backoff {
            base: SignedDuration::from_millis(base_ms),
            cap: SignedDuration::from_millis(cap_ms),
        }),
        ..hard(key, free)
    }
}

fn refused(ms: i64) -> Reservation {
    Reservation::Refused {
        retry_after: SignedDuration::from_millis(ms),
    }
}

async fn attempts(db: &TestDb, key: &str) -> anyhow::Result<i64> {
    db.query_i64(&format!(
        "SELECT coalesce(max(attempts), 0) FROM login_attempts WHERE key = '{key}'"
    ))
    .await
}

/// A hard limit grants `free` attempts in a window, then refuses until the
/// window (from its first attempt) has ended, saying how long that is; then
/// the count starts again. Nothing is audited.
pub async fn a_hard_limit_grants_its_attempts_per_window(db: &TestDb) -> anyhow::Result<()> {
    let s = db.store();
    let r = [hard("ip:203.0.113.7", 3)];
    for ms in [0, 1, 2] {
        assert_eq!(
            s.reserve_login_attempt(&r, at(ms)?).await?,
            Reservation::Granted
        );
    }
    // The window ends at 900,000 ms; 3 ms have passed.
    assert_eq!(s.reserve_login_attempt(&r, at(3)?).await?, refused(899_997));
    assert_eq!(
        s.reserve_login_attempt(&r, at(600_000)?).await?,
        refused(300_000)
    );
    // At its very end a window still holds (at least a second is asked for).
    assert_eq!(
        s.reserve_login_attempt(&r, at(900_000)?).await?,
        refused(1_000)
    );
    assert_eq!(
        attempts(db, "ip:203.0.113.7").await?,
        3,
        "refusals count nothing"
    );
    for ms in [900_001, 900_002, 900_003] {
        assert_eq!(
            s.reserve_login_attempt(&r, at(ms)?).await?,
            Reservation::Granted
        );
    }
    assert_eq!(
        s.reserve_login_attempt(&r, at(900_004)?).await?,
        refused(899_997)
    );
    assert_eq!(audit_count(&*s).await?, 0);
    Ok(())
}

/// An attempt is counted under all its keys or none: when the second rule
/// refuses, the first key's count is as it was.
pub async fn an_attempt_is_counted_under_all_keys_or_none(db: &TestDb) -> anyhow::Result<()> {
    let s = db.store();
    let r = [hard("pair:lan@192.0.2.1", 5), hard("ip:192.0.2.1", 1)];
    assert_eq!(
        s.reserve_login_attempt(&r, at(0)?).await?,
        Reservation::Granted
    );
    assert_eq!(
        s.reserve_login_attempt(&r, at(10)?).await?,
        refused(899_990)
    );
    assert_eq!(attempts(db, "pair:lan@192.0.2.1").await?, 1);
    assert_eq!(attempts(db, "ip:192.0.2.1").await?, 1);
    Ok(())
}

/// After its free attempts a backoff key lets one attempt through each time
/// its delay has passed since the previous one: 10 s, 20 s, then 40 s, capped.
pub async fn a_backoff_doubles_after_the_free_attempts(db: &TestDb) -> anyhow::Result<()> {
    let s = db.store();
    let r = [backoff("user:lan", 2, 10_000, 40_000)];
    assert_eq!(
        s.reserve_login_attempt(&r, at(0)?).await?,
        Reservation::Granted
    );
    // The second (last free) attempt starts the backoff: next at 10,010.
    assert_eq!(
        s.reserve_login_attempt(&r, at(10)?).await?,
        Reservation::Granted
    );
    assert_eq!(
        s.reserve_login_attempt(&r, at(5_000)?).await?,
        refused(5_010)
    );
    assert_eq!(
        s.reserve_login_attempt(&r, at(10_010)?).await?,
        Reservation::Granted
    );
    // Then 20 s: next at 30,010.
    assert_eq!(
        s.reserve_login_attempt(&r, at(30_009)?).await?,
        refused(1_000)
    );
    assert_eq!(
        s.reserve_login_attempt(&r, at(30_010)?).await?,
        Reservation::Granted
    );
    // Then 40 s: next at 70,010; then still 40 s (the cap): next at 110,010.
    assert_eq!(
        s.reserve_login_attempt(&r, at(30_010)?).await?,
        refused(40_000)
    );
    assert_eq!(
        s.reserve_login_attempt(&r, at(70_010)?).await?,
        Reservation::Granted
    );
    assert_eq!(
        s.reserve_login_attempt(&r, at(100_010)?).await?,
        refused(10_000)
    );
    assert_eq!(
        s.reserve_login_attempt(&r, at(110_010)?).await?,
        Reservation::Granted
    );
    assert_eq!(attempts(db, "user:lan").await?, 6);
    // A new window starts without a wait.
    assert_eq!(
        s.reserve_login_attempt(&r, at(900_001)?).await?,
        Reservation::Granted
    );
    assert_eq!(
        s.reserve_login_attempt(&r, at(900_002)?).await?,
        Reservation::Granted
    );
    assert_eq!(
        s.reserve_login_attempt(&r, at(900_003)?).await?,
        refused(9_999)
    );
    Ok(())
}

/// A released attempt no longer counts, a cleared key is forgotten, and
/// releasing or clearing a key never seen is fine.
pub async fn released_attempts_no_longer_count(db: &TestDb) -> anyhow::Result<()> {
    let s = db.store();
    let r = [hard("pair:lan@192.0.2.1", 2), hard("ip:192.0.2.1", 2)];
    for ms in [0, 1] {
        assert_eq!(
            s.reserve_login_attempt(&r, at(ms)?).await?,
            Reservation::Granted
        );
    }
    assert_eq!(s.reserve_login_attempt(&r, at(2)?).await?, refused(899_998));
    s.release_login_attempt(
        &["ip:192.0.2.1".to_owned()],
        &["pair:lan@192.0.2.1".to_owned()],
    )
    .await?;
    assert_eq!(attempts(db, "ip:192.0.2.1").await?, 1);
    assert_eq!(
        db.query_i64("SELECT count(*) FROM login_attempts WHERE key = 'pair:lan@192.0.2.1'")
            .await?,
        0
    );
    assert_eq!(
        s.reserve_login_attempt(&r, at(3)?).await?,
        Reservation::Granted
    );
    s.release_login_attempt(&["ip:never".to_owned()], &["pair:never".to_owned()])
        .await?;
    Ok(())
}

/// Forty attempts at once under a limit of five: exactly five are granted
/// and counted, whatever the interleaving (on PostgreSQL each is its own
/// connection and transaction).
pub async fn concurrent_attempts_never_pass_a_full_key(db: &TestDb) -> anyhow::Result<()> {
    let s = db.store();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let s: std::sync::Arc<dyn Store> = s.clone();
        set.spawn(async move {
            let r = [
                hard("pair:lan@192.0.2.1", 5),
                hard("ip:192.0.2.1", 20),
                backoff("user:lan", 10, 60_000, 300_000),
            ];
            s.reserve_login_attempt(&r, at(0)?)
                .await
                .map_err(anyhow::Error::from)
        });
    }
    let mut granted = 0;
    while let Some(r) = set.join_next().await {
        if r?? == Reservation::Granted {
            granted += 1;
        }
    }
    assert_eq!(granted, 5);
    assert_eq!(attempts(db, "pair:lan@192.0.2.1").await?, 5);
    assert_eq!(attempts(db, "ip:192.0.2.1").await?, 5);
    assert_eq!(attempts(db, "user:lan").await?, 5);
    Ok(())
}

/// Counters whose window started over a day before an attempt are pruned
/// with it; a key longer than 200 bytes is refused before anything is
/// written.
pub async fn old_counters_are_pruned_and_long_keys_refused(db: &TestDb) -> anyhow::Result<()> {
    let s = db.store();
    let day = 86_400_000;
    s.reserve_login_attempt(&[hard("ip:198.51.100.1", 5)], at(0)?)
        .await?;
    s.reserve_login_attempt(&[hard("ip:198.51.100.2", 5)], at(day)?)
        .await?;
    assert_eq!(
        db.query_i64("SELECT count(*) FROM login_attempts").await?,
        2
    );
    s.reserve_login_attempt(&[hard("ip:198.51.100.3", 5)], at(day + 1)?)
        .await?;
    assert_eq!(
        db.query_i64("SELECT count(*) FROM login_attempts").await?,
        2
    );
    assert_eq!(attempts(db, "ip:198.51.100.1").await?, 0);

    let long = format!("user:{}", "a".repeat(900_000));
    let err = expect_err(
        s.reserve_login_attempt(&[hard(&long, 5)], at(day + 2)?)
            .await,
        "a 900 KB key",
    )?;
    assert!(
        matches!(&err, ServiceError::Invalid { field, .. } if field == "key"),
        "{err:?}"
    );
    assert_eq!(
        db.query_i64("SELECT count(*) FROM login_attempts").await?,
        2
    );
    Ok(())
}
