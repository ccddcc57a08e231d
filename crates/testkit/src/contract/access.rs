//! Sign-in state: sessions, failed logins, API tokens, and the user queries
//! the sign-in pages use (by id, paged lists, enabling and disabling).

use jiff::Timestamp;
use motcua_service::ServiceError;
use motcua_service::store::{ApiToken, SessionRecord, User};

use super::{
    T0_MS, TestDb, audit_count, ctx, ctx_at, entry_summary, expect_err, new_user, summary,
};

/// [`T0_MS`] plus `offset_ms`.
fn at(offset_ms: i64) -> anyhow::Result<Timestamp> {
    Ok(Timestamp::from_millisecond(T0_MS + offset_ms)?)
}

/// A session of `user_id` created at `T0 + created` ending at `T0 + expires`.
fn session(hash: &str, user_id: i64, created: i64, expires: i64) -> anyhow::Result<SessionRecord> {
    Ok(SessionRecord {
        id_hash: hash.to_owned(),
        user_id,
        csrf_token: format!("csrf-{hash}"),
        created_at: at(created)?,
        expires_at: at(expires)?,
    })
}

/// A session reads back exactly until the moment it ends, and not from that
/// moment on; deleting it (twice) and an unknown hash are fine; a session of
/// an unknown user is `NotFound` and a reused hash `Conflict`. Sessions are
/// not audited.
pub async fn sessions_round_trip_until_they_expire(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let lan = store
        .insert_user(&ctx()?, &new_user("lan.nguyen", "Nguyễn Thị Lan"))
        .await?;
    let s = session("a1b2", lan.id, 0, 43_200_000)?;
    store.create_session(&s).await?;

    assert_eq!(store.session("a1b2", at(0)?).await?, Some(s.clone()));
    assert_eq!(
        store.session("a1b2", at(43_199_999)?).await?,
        Some(s.clone())
    );
    assert_eq!(store.session("a1b2", at(43_200_000)?).await?, None);
    // The same with the user, as sign-in reads them together.
    assert_eq!(
        store.session_user("a1b2", at(43_199_999)?).await?,
        Some((s.clone(), lan.clone()))
    );
    assert_eq!(store.session_user("a1b2", at(43_200_000)?).await?, None);
    assert_eq!(store.session_user("c3d4", at(0)?).await?, None);
    assert_eq!(store.session("a1b2", at(50_000_000)?).await?, None);
    assert_eq!(store.session("c3d4", at(0)?).await?, None);

    let err = expect_err(
        store
            .create_session(&session("e5f6", 424_242, 0, 1000)?)
            .await,
        "unknown user",
    )?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "user", .. }),
        "{err:?}"
    );
    let err = expect_err(
        store.create_session(&session("a1b2", lan.id, 5, 99)?).await,
        "reused hash",
    )?;
    assert!(matches!(&err, ServiceError::Conflict(_)), "{err:?}");
    assert_eq!(store.session("a1b2", at(10)?).await?, Some(s));

    store.delete_session("a1b2").await?;
    assert_eq!(store.session("a1b2", at(0)?).await?, None);
    store.delete_session("a1b2").await?;
    store.delete_session("never-was").await?;
    assert_eq!(audit_count(&*store).await?, 1);
    Ok(())
}

/// Purging removes exactly the sessions that have ended by `now`, and says
/// how many; deleting a user's sessions leaves other users' alone.
pub async fn expired_sessions_are_purged_and_users_signed_out(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let lan = store
        .insert_user(&ctx()?, &new_user("lan.nguyen", "Nguyễn Thị Lan"))
        .await?;
    let binh = store
        .insert_user(&ctx()?, &new_user("binh.tran", "Trần Văn Bình"))
        .await?;
    let old = session("01", lan.id, 0, 1_000)?;
    let ending = session("02", binh.id, 0, 2_000)?;
    let lan_live = session("03", lan.id, 0, 5_000)?;
    let lan_live2 = session("04", lan.id, 100, 6_000)?;
    let binh_live = session("05", binh.id, 0, 9_000)?;
    for s in [&old, &ending, &lan_live, &lan_live2, &binh_live] {
        store.create_session(s).await?;
    }

    assert_eq!(store.purge_expired_sessions(at(2_000)?).await?, 2);
    assert_eq!(store.purge_expired_sessions(at(2_000)?).await?, 0);
    assert_eq!(
        db.query_i64("SELECT count(*) FROM sessions").await?,
        3,
        "three live sessions remain"
    );
    assert_eq!(store.session("03", at(0)?).await?, Some(lan_live));

    assert_eq!(store.delete_user_sessions(lan.id).await?, 2);
    assert_eq!(store.delete_user_sessions(lan.id).await?, 0);
    assert_eq!(store.delete_user_sessions(424_242).await?, 0);
    assert_eq!(store.session("03", at(0)?).await?, None);
    assert_eq!(store.session("04", at(200)?).await?, None);
    assert_eq!(store.session("05", at(8_999)?).await?, Some(binh_live));
    Ok(())
}

/// A token reads back by hash and in its owner's list (newest first); it is
/// revoked once, with an audit entry each time, never holding the hash;
/// revoking again is `Conflict`, an unknown id `NotFound`, a reused hash
/// `Conflict`, an unknown owner `NotFound`, a blank name `Invalid`.
pub async fn api_tokens_are_created_listed_and_revoked_once(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let lan = store
        .insert_user(&ctx()?, &new_user("lan.nguyen", "Nguyễn Thị Lan"))
        .await?;
    let binh = store
        .insert_user(&ctx()?, &new_user("binh.tran", "Trần Văn Bình"))
        .await?;
    let sync = store
        .create_api_token(
            &ctx_at("lan.nguyen", 10)?,
            lan.id,
            "đồng bộ Cổng DVCQG",
            "hash-sync",
            at(1_000_010)?,
        )
        .await?;
    let expected_sync = ApiToken {
        id: sync.id,
        user_id: lan.id,
        name: "đồng bộ Cổng DVCQG".to_owned(),
        token_hash: "hash-sync".to_owned(),
        created_at: at(10)?,
        expires_at: at(1_000_010)?,
        last_used_at: None,
        revoked_at: None,
    };
    assert_eq!(sync, expected_sync);
    let report = store
        .create_api_token(
            &ctx_at("lan.nguyen", 20)?,
            lan.id,
            "báo cáo",
            "hash-report",
            at(1_000_020)?,
        )
        .await?;
    let other = store
        .create_api_token(
            &ctx_at("binh.tran", 30)?,
            binh.id,
            "x",
            "hash-binh",
            at(99)?,
        )
        .await?;

    assert_eq!(
        store.api_token_by_hash("hash-sync").await?,
        Some(expected_sync.clone())
    );
    assert_eq!(store.api_token_by_hash("hash-none").await?, None);
    assert_eq!(
        store.api_tokens_of(lan.id).await?,
        vec![report.clone(), expected_sync.clone()]
    );
    assert_eq!(store.api_tokens_of(binh.id).await?, vec![other]);
    assert_eq!(store.api_tokens_of(424_242).await?, vec![]);

    let before = audit_count(&*store).await?;
    let err = expect_err(
        store
            .create_api_token(&ctx()?, binh.id, "copy", "hash-sync", at(99)?)
            .await,
        "reused hash",
    )?;
    assert!(matches!(&err, ServiceError::Conflict(_)), "{err:?}");
    let err = expect_err(
        store
            .create_api_token(&ctx()?, 424_242, "ghost", "hash-ghost", at(99)?)
            .await,
        "unknown owner",
    )?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "user", .. }),
        "{err:?}"
    );
    let err = expect_err(
        store
            .create_api_token(&ctx()?, lan.id, "  ", "hash-blank", at(99)?)
            .await,
        "blank name",
    )?;
    assert!(
        matches!(&err, ServiceError::Invalid { field, .. } if field == "name"),
        "{err:?}"
    );
    assert_eq!(audit_count(&*store).await?, before);
    assert_eq!(store.api_token_by_hash("hash-blank").await?, None);

    let revoked = store
        .revoke_api_token(&ctx_at("admin", 40)?, sync.id)
        .await?;
    let expected_revoked = ApiToken {
        revoked_at: Some(at(40)?),
        ..expected_sync
    };
    assert_eq!(revoked, expected_revoked);
    assert_eq!(
        store.api_token_by_hash("hash-sync").await?,
        Some(expected_revoked.clone())
    );
    assert_eq!(
        store.api_tokens_of(lan.id).await?,
        vec![report, expected_revoked.clone()]
    );

    let err = expect_err(
        store.revoke_api_token(&ctx_at("admin", 50)?, sync.id).await,
        "revoke twice",
    )?;
    assert!(matches!(&err, ServiceError::Conflict(_)), "{err:?}");
    let err = expect_err(
        store.revoke_api_token(&ctx()?, 424_242).await,
        "unknown token",
    )?;
    assert!(matches!(&err, ServiceError::NotFound { .. }), "{err:?}");
    assert_eq!(
        store.api_token_by_hash("hash-sync").await?,
        Some(expected_revoked),
        "the first revocation's moment stays"
    );

    assert_eq!(
        entry_summary(&*store).await?,
        summary(&[
            (1, "admin", "user.create", "user:lan.nguyen"),
            (2, "admin", "user.create", "user:binh.tran"),
            (3, "lan.nguyen", "token.create", "user:lan.nguyen"),
            (4, "lan.nguyen", "token.create", "user:lan.nguyen"),
            (5, "binh.tran", "token.create", "user:binh.tran"),
            (6, "admin", "token.revoke", "user:lan.nguyen"),
        ])
    );
    let entries = super::all_entries(&*store).await?;
    assert!(entries.iter().all(|e| !e.detail.contains("hash-")));
    assert!(
        entries[2].detail.contains("đồng bộ Cổng DVCQG"),
        "{}",
        entries[2].detail
    );
    Ok(())
}

/// A user reads back by id; an unknown id is `NotFound` naming it.
pub async fn users_read_back_by_id(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let lan = store
        .insert_user(
            &ctx_at("admin", 7)?,
            &new_user("lan.nguyen", "Nguyễn Thị Lan"),
        )
        .await?;
    let expected = User {
        id: lan.id,
        username: "lan.nguyen".to_owned(),
        full_name: "Nguyễn Thị Lan".to_owned(),
        email: Some("lan.nguyen@example.vn".to_owned()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$lan.nguyen".to_owned(),
        active: true,
        created_at: at(7)?,
    };
    assert_eq!(store.user_by_id(lan.id).await?, expected);
    let err = expect_err(store.user_by_id(424_242).await, "unknown id")?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "user", key } if key == "424242"),
        "{err:?}"
    );
    Ok(())
}

/// Users page in byte order of their names (punctuation included), each page
/// starting after the last name of the previous one, whatever the insertion
/// order; a zero limit is an empty page.
pub async fn users_page_by_username(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    for name in [
        "lan_b",
        "lan.nguyen",
        "an",
        "binh.tran",
        "lanb",
        "lan",
        "chi",
        "b",
    ] {
        store.insert_user(&ctx()?, &new_user(name, name)).await?;
    }
    let names =
        |users: Vec<User>| -> Vec<String> { users.into_iter().map(|u| u.username).collect() };
    assert_eq!(
        names(store.list_users(None, 100).await?),
        [
            "an",
            "b",
            "binh.tran",
            "chi",
            "lan",
            "lan.nguyen",
            "lan_b",
            "lanb"
        ]
    );
    assert_eq!(
        names(store.list_users(None, 3).await?),
        ["an", "b", "binh.tran"]
    );
    assert_eq!(
        names(store.list_users(Some("binh.tran"), 3).await?),
        ["chi", "lan", "lan.nguyen"]
    );
    assert_eq!(
        names(store.list_users(Some("lan.nguyen"), 3).await?),
        ["lan_b", "lanb"]
    );
    assert_eq!(
        names(store.list_users(Some("lanb"), 3).await?),
        Vec::<String>::new()
    );
    assert_eq!(
        names(store.list_users(Some("bz"), 2).await?),
        ["chi", "lan"],
        "a cursor need not be a user"
    );
    assert_eq!(
        names(store.list_users(None, 0).await?),
        Vec::<String>::new()
    );
    let first = store.list_users(None, 1).await?;
    assert_eq!(first, vec![store.user_by_username("an").await?]);
    Ok(())
}

/// Disabling and enabling a user is stored and audited once per call, with
/// the new state in the detail; an unknown user is `NotFound` and writes
/// nothing.
pub async fn users_are_disabled_and_enabled_with_an_audit_entry(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let lan = store
        .insert_user(&ctx()?, &new_user("lan.nguyen", "Nguyễn Thị Lan"))
        .await?;
    let binh = store
        .insert_user(&ctx()?, &new_user("binh.tran", "Trần Văn Bình"))
        .await?;
    store
        .set_user_active(&ctx_at("root", 1)?, lan.id, false)
        .await?;
    assert!(!store.user_by_id(lan.id).await?.active);
    assert!(!store.user_by_username("lan.nguyen").await?.active);
    assert!(store.user_by_id(binh.id).await?.active);
    store
        .set_user_active(&ctx_at("root", 2)?, lan.id, true)
        .await?;
    assert!(store.user_by_id(lan.id).await?.active);

    let err = expect_err(
        store.set_user_active(&ctx()?, 424_242, false).await,
        "unknown user",
    )?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "user", .. }),
        "{err:?}"
    );
    assert_eq!(
        entry_summary(&*store).await?,
        summary(&[
            (1, "admin", "user.create", "user:lan.nguyen"),
            (2, "admin", "user.create", "user:binh.tran"),
            (3, "root", "user.active_set", "user:lan.nguyen"),
            (4, "root", "user.active_set", "user:lan.nguyen"),
        ])
    );
    let entries = super::all_entries(&*store).await?;
    assert_eq!(entries[2].detail, r#"{"active":false}"#);
    assert_eq!(entries[3].detail, r#"{"active":true}"#);
    Ok(())
}

/// A token is found live (with its owner) until the moment it expires and
/// not from then on, nor once revoked; its use is recorded when none was
/// within the minute asked about; setting the owner's password revokes
/// every live token of theirs (others' stay) and ends their sessions, in
/// the password's one audit entry.
pub async fn api_tokens_expire_record_their_use_and_end_with_the_password(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let lan = store
        .insert_user(&ctx()?, &new_user("lan.nguyen", "Nguyễn Thị Lan"))
        .await?;
    let binh = store
        .insert_user(&ctx()?, &new_user("binh.tran", "Trần Văn Bình"))
        .await?;
    let t = store
        .create_api_token(&ctx()?, lan.id, "đồng bộ", "hash-a", at(500_000)?)
        .await?;
    let t2 = store
        .create_api_token(&ctx()?, lan.id, "báo cáo", "hash-b", at(9_000_000)?)
        .await?;
    let other = store
        .create_api_token(&ctx()?, binh.id, "x", "hash-c", at(9_000_000)?)
        .await?;
    assert_eq!(
        store.api_token_user("hash-a", at(499_999)?).await?,
        Some((t.clone(), lan.clone()))
    );
    assert_eq!(store.api_token_user("hash-a", at(500_000)?).await?, None);
    assert_eq!(store.api_token_user("hash-none", at(0)?).await?, None);

    let minute = jiff::SignedDuration::from_mins(1);
    assert!(store.touch_api_token(t2.id, at(1_000)?, minute).await?);
    assert!(
        !store.touch_api_token(t2.id, at(61_000)?, minute).await?,
        "a minute later exactly"
    );
    assert!(store.touch_api_token(t2.id, at(61_001)?, minute).await?);
    let (seen, _) = store
        .api_token_user("hash-b", at(61_002)?)
        .await?
        .ok_or_else(|| anyhow::anyhow!("live token not found"))?;
    assert_eq!(seen.last_used_at, Some(at(61_001)?));
    assert_eq!(
        store.api_tokens_of(lan.id).await?[0].last_used_at,
        Some(at(61_001)?)
    );

    store
        .create_session(&session("s1", lan.id, 0, 43_200_000)?)
        .await?;
    store
        .set_password_hash(&ctx_at("quantri", 70_000)?, lan.id, "$argon2id$new")
        .await?;
    assert_eq!(store.api_token_user("hash-b", at(70_001)?).await?, None);
    let listed = store.api_tokens_of(lan.id).await?;
    assert_eq!(
        listed[0].revoked_at,
        Some(at(70_000)?),
        "the live one is revoked"
    );
    assert_eq!(
        listed[1].revoked_at,
        Some(at(70_000)?),
        "so is the expired one"
    );
    assert_eq!(store.session("s1", at(70_001)?).await?, None);
    assert_eq!(
        store.api_token_user("hash-c", at(70_001)?).await?,
        Some((other, binh))
    );
    let entries = super::all_entries(&*store).await?;
    let last = entries
        .last()
        .ok_or_else(|| anyhow::anyhow!("no entries"))?;
    assert_eq!(last.action, "user.password_set");
    assert!(
        last.detail.contains("\"tokens_revoked\":2"),
        "{}",
        last.detail
    );
    Ok(())
}
