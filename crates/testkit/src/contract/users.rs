//! Users, passwords and role grants.

use jiff::Timestamp;
use motcua_domain::role::Role;
use motcua_service::ServiceError;
use motcua_service::store::{RoleGrant, User};

use super::units::three_units;
use super::{
    T0_MS, TestDb, audit_count, ctx, ctx_at, entry_summary, expect_err, new_user, summary,
};

/// A user reads back exactly as inserted, active, created at the change's moment.
pub async fn users_read_back_by_username(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let lan = store
        .insert_user(
            &ctx_at("admin", 5)?,
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
        created_at: Timestamp::from_millisecond(T0_MS + 5)?,
    };
    assert_eq!(lan, expected);
    assert_eq!(store.user_by_username("lan.nguyen").await?, expected);

    let mut no_mail = new_user("binh.tran", "Trần Văn Bình");
    no_mail.email = None;
    let binh = store.insert_user(&ctx()?, &no_mail).await?;
    assert_eq!(store.user_by_username("binh.tran").await?.email, None);
    assert_ne!(binh.id, lan.id);
    Ok(())
}

/// A taken user name is `Conflict` naming it; an upper-case or empty name is
/// `Invalid`; an unknown one is `NotFound`. Nothing is written by a refusal.
pub async fn duplicate_or_malformed_usernames_are_refused(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let lan = store
        .insert_user(&ctx()?, &new_user("lan.nguyen", "Nguyễn Thị Lan"))
        .await?;
    let err = expect_err(
        store
            .insert_user(&ctx()?, &new_user("lan.nguyen", "Người khác"))
            .await,
        "duplicate",
    )?;
    assert!(
        matches!(&err, ServiceError::Conflict(m) if m.contains("lan.nguyen")),
        "{err:?}"
    );
    for bad in ["Lan.Nguyen", ""] {
        let err = expect_err(
            store.insert_user(&ctx()?, &new_user(bad, "X")).await,
            "malformed",
        )?;
        assert!(
            matches!(&err, ServiceError::Invalid { field, .. } if field == "username"),
            "{bad:?}: {err:?}"
        );
    }
    assert_eq!(store.user_by_username("lan.nguyen").await?, lan);
    let err = expect_err(store.user_by_username("Lan.Nguyen").await, "case")?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "user", key } if key == "Lan.Nguyen"),
        "{err:?}"
    );
    assert_eq!(audit_count(&*store).await?, 1);
    Ok(())
}

/// A password hash is replaced, the audit entry does not hold it, and an
/// unknown user is `NotFound`.
pub async fn password_hash_is_replaced_and_not_audited(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let lan = store
        .insert_user(&ctx()?, &new_user("lan.nguyen", "Nguyễn Thị Lan"))
        .await?;
    store
        .set_password_hash(&ctx_at("lan.nguyen", 1)?, lan.id, "$argon2id$new")
        .await?;
    assert_eq!(
        store.user_by_username("lan.nguyen").await?.password_hash,
        "$argon2id$new"
    );
    let err = expect_err(
        store
            .set_password_hash(&ctx()?, 424_242, "$argon2id$x")
            .await,
        "unknown user",
    )?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "user", .. }),
        "{err:?}"
    );
    let entries = super::all_entries(&*store).await?;
    assert_eq!(
        entry_summary(&*store).await?,
        summary(&[
            (1, "admin", "user.create", "user:lan.nguyen"),
            (2, "lan.nguyen", "user.password_set", "user:lan.nguyen"),
        ])
    );
    assert!(entries.iter().all(|e| !e.detail.contains("argon2")));
    Ok(())
}

/// Grants are listed in the order given; the same grant twice is `Conflict`;
/// an unknown user or unit is `NotFound`; a revoked grant disappears and
/// revoking it again is `NotFound`.
pub async fn role_grants_are_added_listed_and_revoked(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let [p, d, x] = three_units(&*store).await?;
    let lan = store
        .insert_user(&ctx()?, &new_user("lan.nguyen", "Nguyễn Thị Lan"))
        .await?;
    let idle = store
        .insert_user(&ctx()?, &new_user("binh.tran", "Trần Văn Bình"))
        .await?;
    let at = |ms: i64| Timestamp::from_millisecond(T0_MS + ms);

    let g1 = store
        .grant_role(&ctx_at("admin", 10)?, lan.id, Role::Specialist, d.id)
        .await?;
    let g2 = store
        .grant_role(&ctx_at("admin", 11)?, lan.id, Role::Leader, p.id)
        .await?;
    let g3 = store
        .grant_role(&ctx_at("admin", 12)?, lan.id, Role::Specialist, p.id)
        .await?;
    let expected = vec![
        RoleGrant {
            id: g1.id,
            user_id: lan.id,
            role: Role::Specialist,
            unit_id: d.id,
            granted_at: at(10)?,
        },
        RoleGrant {
            id: g2.id,
            user_id: lan.id,
            role: Role::Leader,
            unit_id: p.id,
            granted_at: at(11)?,
        },
        RoleGrant {
            id: g3.id,
            user_id: lan.id,
            role: Role::Specialist,
            unit_id: p.id,
            granted_at: at(12)?,
        },
    ];
    assert_eq!(vec![g1.clone(), g2.clone(), g3.clone()], expected);
    assert_eq!(store.roles_of(lan.id).await?, expected);
    assert_eq!(store.roles_of(idle.id).await?, vec![]);
    // With the units each covers: the district and its commune; the
    // province, the district and the commune (top down).
    assert_eq!(
        store.grant_scopes(lan.id).await?,
        vec![
            (expected[0].clone(), vec![d.id, x.id]),
            (expected[1].clone(), vec![p.id, d.id, x.id]),
            (expected[2].clone(), vec![p.id, d.id, x.id]),
        ]
    );
    assert_eq!(store.grant_scopes(idle.id).await?, vec![]);

    let before = audit_count(&*store).await?;
    let err = expect_err(
        store.grant_role(&ctx()?, lan.id, Role::Leader, p.id).await,
        "duplicate grant",
    )?;
    assert!(
        matches!(&err, ServiceError::Conflict(m) if m.contains("lan.nguyen") && m.contains("leader")),
        "{err:?}"
    );
    let err = expect_err(
        store.grant_role(&ctx()?, 424_242, Role::Leader, p.id).await,
        "unknown user",
    )?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "user", .. }),
        "{err:?}"
    );
    let err = expect_err(
        store
            .grant_role(&ctx()?, lan.id, Role::Leader, 424_242)
            .await,
        "unknown unit",
    )?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "unit", .. }),
        "{err:?}"
    );
    let err = expect_err(store.roles_of(424_242).await, "roles of unknown user")?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "user", .. }),
        "{err:?}"
    );
    let err = expect_err(store.grant_scopes(424_242).await, "scopes of unknown user")?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "user", .. }),
        "{err:?}"
    );
    assert_eq!(audit_count(&*store).await?, before);

    store
        .revoke_role(&ctx()?, lan.id, Role::Leader, p.id)
        .await?;
    assert_eq!(store.roles_of(lan.id).await?, vec![g1.clone(), g3.clone()]);
    assert_eq!(
        store.grant_scopes(lan.id).await?,
        vec![(g1, vec![d.id, x.id]), (g3, vec![p.id, d.id, x.id])]
    );
    let err = expect_err(
        store.revoke_role(&ctx()?, lan.id, Role::Leader, p.id).await,
        "revoke twice",
    )?;
    assert!(matches!(&err, ServiceError::NotFound { .. }), "{err:?}");
    assert_eq!(audit_count(&*store).await?, before + 1);
    Ok(())
}
