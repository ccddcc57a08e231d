//! Portal accounts (migration 0016): one account per contact whatever its
//! kind, sessions that end with their time or a new password, and one-time
//! codes that are used once, die after their tries or their time, and are
//! replaced by the next one, even when tried at once from many nodes.

use jiff::Timestamp;
use motcua_domain::contact::Contact;
use motcua_service::ServiceError;
use motcua_service::store::{
    AccountKind, AccountSession, AuditContext, CodeCheck, CodePurpose, MessageChannel, NewAccount,
    NewCode, NewMessage, Store,
};

use super::{T0_MS, TestDb, expect_err};

fn at(offset_ms: i64) -> anyhow::Result<Timestamp> {
    Ok(Timestamp::from_millisecond(T0_MS + offset_ms)?)
}

fn ctx(offset_ms: i64) -> anyhow::Result<AuditContext> {
    Ok(AuditContext {
        actor: "portal".into(),
        at: at(offset_ms)?,
    })
}

fn account(contact: Contact) -> NewAccount {
    NewAccount {
        kind: AccountKind::Citizen,
        full_name: "Võ Thị Sáu".into(),
        contact,
        password_hash: "$argon2id$not-checked-here".into(),
    }
}

fn message(to: &str) -> NewMessage {
    NewMessage {
        channel: MessageChannel::Sms,
        recipient: to.into(),
        subject: "Mã xác nhận".into(),
        body: "Mã: 123456".into(),
    }
}

fn code(contact: &Contact, hash: &str, expires_ms: i64) -> anyhow::Result<NewCode> {
    Ok(NewCode {
        contact: contact.clone(),
        purpose: CodePurpose::Verify,
        code_hash: hash.into(),
        expires_at: at(expires_ms)?,
    })
}

/// An account reads back by contact and id; a second one on the same
/// contact is `Conflict` and adds nothing; verification is kept once.
pub async fn accounts_are_one_per_contact(db: &TestDb) -> anyhow::Result<()> {
    let s = db.store();
    let phone = Contact::Phone("0912345678".into());
    let a = s.insert_account(&ctx(0)?, &account(phone.clone())).await?;
    let back = s
        .account_by_contact(&phone)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the account is not found by its phone"))?;
    assert_eq!(back, a);
    assert_eq!(s.account_by_id(a.id).await?, a);
    assert_eq!(back.phone.as_deref(), Some("0912345678"));
    assert!(back.verified_at.is_none() && back.active);
    let e = expect_err(
        s.insert_account(&ctx(1)?, &account(phone.clone())).await,
        "a second account on one phone",
    )?;
    assert!(matches!(e, ServiceError::Conflict(_)), "{e:?}");
    assert_eq!(
        db.query_i64("SELECT count(*) FROM applicant_accounts")
            .await?,
        1
    );
    assert!(
        s.account_by_contact(&Contact::Email("vo.sau@example.org".into()))
            .await?
            .is_none()
    );
    s.mark_account_verified(&ctx(2)?, a.id).await?;
    s.mark_account_verified(&ctx(3)?, a.id).await?;
    assert_eq!(s.account_by_id(a.id).await?.verified_at, Some(at(2)?));
    assert_eq!(
        db.query_i64("SELECT count(*) FROM audit_log WHERE action = 'applicant.verify'")
            .await?,
        1
    );
    Ok(())
}

/// A session is found until its end; a new password ends every session.
pub async fn sessions_end_with_their_time_or_a_new_password(db: &TestDb) -> anyhow::Result<()> {
    let s = db.store();
    let a = s
        .insert_account(&ctx(0)?, &account(Contact::Email("an@example.org".into())))
        .await?;
    for (hash, ends) in [("h1", 60_000), ("h2", 120_000)] {
        s.create_account_session(&AccountSession {
            id_hash: hash.into(),
            account_id: a.id,
            csrf_token: "c".into(),
            created_at: at(0)?,
            expires_at: at(ends)?,
        })
        .await?;
    }
    assert!(s.account_session("h1", at(59_999)?).await?.is_some());
    assert!(s.account_session("h1", at(60_000)?).await?.is_none());
    assert!(s.account_session("nope", at(0)?).await?.is_none());
    let (session, who) = s
        .account_session("h2", at(1)?)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a live session is not found"))?;
    assert_eq!((session.account_id, who.id), (a.id, a.id));
    s.set_account_password(&ctx(5)?, a.id, "$argon2id$new")
        .await?;
    assert!(s.account_session("h2", at(6)?).await?.is_none());
    assert_eq!(s.account_by_id(a.id).await?.password_hash, "$argon2id$new");
    let e = expect_err(
        s.set_account_password(&ctx(7)?, a.id + 99, "x").await,
        "a password for no account",
    )?;
    assert!(matches!(e, ServiceError::NotFound { .. }), "{e:?}");
    Ok(())
}

/// A code is accepted once; wrong tries count up to the limit, after which
/// even the right code is dead; an expired code is dead; a new code
/// replaces the old and its message is queued with it.
pub async fn codes_are_used_once_and_die(db: &TestDb) -> anyhow::Result<()> {
    let s = db.store();
    let c = Contact::Phone("0987000111".into());
    s.put_code(&code(&c, "right", 600_000)?, &message("0987000111"), at(0)?)
        .await?;
    assert_eq!(
        db.query_i64(
            "SELECT count(*) FROM outbox WHERE recipient = '0987000111' AND dossier_id IS NULL"
        )
        .await?,
        1
    );
    let check = |hash: &'static str, t: i64| {
        let s = s.clone();
        let c = c.clone();
        async move {
            s.check_code(&c, CodePurpose::Verify, hash, at(t)?, 3)
                .await
                .map_err(anyhow::Error::from)
        }
    };
    // Another purpose knows nothing of it.
    assert_eq!(
        s.check_code(&c, CodePurpose::Reset, "right", at(1)?, 3)
            .await?,
        CodeCheck::Dead
    );
    assert_eq!(check("wrong", 1).await?, CodeCheck::Wrong);
    assert_eq!(check("right", 2).await?, CodeCheck::Accepted);
    assert_eq!(check("right", 3).await?, CodeCheck::Dead, "used once");

    // A new code resets the tries; three wrong ones kill it.
    s.put_code(
        &code(&c, "second", 600_000)?,
        &message("0987000111"),
        at(10)?,
    )
    .await?;
    for t in 11..14 {
        assert_eq!(check("wrong", t).await?, CodeCheck::Wrong);
    }
    assert_eq!(
        check("second", 14).await?,
        CodeCheck::Dead,
        "past the tries"
    );

    // Expired at its end.
    s.put_code(&code(&c, "third", 100)?, &message("0987000111"), at(20)?)
        .await?;
    assert_eq!(check("third", 100).await?, CodeCheck::Dead);
    // Replaced: the old code is gone once a new one is sent.
    s.put_code(
        &code(&c, "fourth", 600_000)?,
        &message("0987000111"),
        at(200)?,
    )
    .await?;
    s.put_code(
        &code(&c, "fifth", 600_000)?,
        &message("0987000111"),
        at(201)?,
    )
    .await?;
    assert_eq!(check("fourth", 202).await?, CodeCheck::Wrong);
    assert_eq!(check("fifth", 203).await?, CodeCheck::Accepted);
    assert_eq!(
        db.query_i64("SELECT count(*) FROM one_time_codes").await?,
        1,
        "one row per contact and purpose"
    );
    Ok(())
}

/// Twenty tries of the right code at once: exactly one is accepted.
pub async fn a_code_tried_at_once_is_accepted_once(db: &TestDb) -> anyhow::Result<()> {
    let s = db.store();
    let c = Contact::Email("cung.luc@example.org".into());
    s.put_code(
        &code(&c, "right", 600_000)?,
        &message("cung.luc@example.org"),
        at(0)?,
    )
    .await?;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..20 {
        let s: std::sync::Arc<dyn Store> = s.clone();
        let c = c.clone();
        set.spawn(async move {
            s.check_code(&c, CodePurpose::Verify, "right", at(1 + i)?, 5)
                .await
                .map_err(anyhow::Error::from)
        });
    }
    let mut accepted = 0;
    while let Some(r) = set.join_next().await {
        match r?? {
            CodeCheck::Accepted => accepted += 1,
            CodeCheck::Dead => {}
            CodeCheck::Wrong => anyhow::bail!("the right code was counted wrong"),
        }
    }
    assert_eq!(accepted, 1);
    Ok(())
}
