//! The hash-chained audit log: one entry per change, in the change's
//! transaction, a chain that holds under concurrent writers, and tampering
//! that `verify_chain` finds.

use std::collections::BTreeSet;
use std::sync::Arc;

use anyhow::Context;
use jiff::civil::Time;
use motcua_domain::audit::{ChainBreak, GENESIS_HASH, verify_chain};
use motcua_domain::role::Role;
use motcua_domain::unit::{Level, UnitKind};
use motcua_service::ServiceError;
use motcua_service::store::{CalendarOverride, OfficeHoursRow, Store};
use serde_json::json;

use super::{
    T0_MS, TestDb, all_entries, ctx, ctx_at, date, entry_summary, expect_err, new_unit, new_user,
    summary,
};

/// Each kind of change appends exactly one entry with its actor, moment,
/// action and subject, and the whole log verifies.
pub async fn every_change_appends_one_entry_and_the_chain_verifies(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let s = &*store;
    let mut step = 0;
    // Runs one change as actor `a<n>` at T0 + n ms and checks that it added
    // exactly the entry expected.
    macro_rules! change {
        ($action:expr, $subject:expr, |$c:ident| $call:expr) => {{
            step += 1;
            let $c = ctx_at(&format!("a{step}"), step)?;
            let before = all_entries(s).await?.len();
            let out = $call.await.with_context(|| $action)?;
            let entries = all_entries(s).await?;
            assert_eq!(entries.len(), before + 1, "{}", $action);
            let last = entries.last().context("no entry")?;
            assert_eq!(
                (
                    last.seq,
                    last.at_ms,
                    last.actor.as_str(),
                    last.action.as_str(),
                    last.subject.as_str()
                ),
                (step, T0_MS + step, $c.actor.as_str(), $action, $subject),
            );
            out
        }};
    }

    let unit = change!("unit.create", "unit:000.00.00.H99", |c| s.insert_unit(
        &c,
        &new_unit(
            "000.00.00.H99",
            "Ủy ban nhân dân tỉnh Mẫu",
            UnitKind::Province,
            Level::Province,
            None
        )?
    ));
    let user = change!("user.create", "user:lan.nguyen", |c| s
        .insert_user(&c, &new_user("lan.nguyen", "Nguyễn Thị Lan")));
    change!("user.password_set", "user:lan.nguyen", |c| s
        .set_password_hash(&c, user.id, "$argon2id$new"));
    change!("role.grant", "user:lan.nguyen", |c| s.grant_role(
        &c,
        user.id,
        Role::DeskOfficer,
        unit.id
    ));
    change!("role.revoke", "user:lan.nguyen", |c| s.revoke_role(
        &c,
        user.id,
        Role::DeskOfficer,
        unit.id
    ));
    let holiday = CalendarOverride {
        unit_id: None,
        date: date(2025, 9, 2)?,
        working: false,
        reason: "Quốc khánh".to_owned(),
    };
    change!("calendar.override_put", "calendar:global", |c| s
        .put_calendar_override(&c, &holiday));
    let local = CalendarOverride {
        unit_id: Some(unit.id),
        ..holiday.clone()
    };
    change!("calendar.override_put", "unit:000.00.00.H99", |c| s
        .put_calendar_override(&c, &local));
    change!("calendar.override_delete", "calendar:global", |c| s
        .delete_calendar_override(&c, None, holiday.date));
    let hours = OfficeHoursRow {
        unit_id: unit.id,
        valid_from: date(2025, 7, 1)?,
        valid_to: None,
        sessions: vec![(Time::constant(7, 0, 0, 0), Time::constant(11, 30, 0, 0))],
    };
    change!("office_hours.put", "unit:000.00.00.H99", |c| s
        .put_office_hours(&c, &hours));
    change!("setting.put", "setting:global:theme", |c| s.put_setting(
        &c,
        "global",
        "theme",
        &json!("sáng")
    ));
    let appended = change!("login.refused", "user:lan.nguyen", |c| s.append_audit(
        &c,
        "login.refused",
        "user:lan.nguyen",
        &json!({"ip": "203.0.113.7"})
    ));

    let entries = all_entries(s).await?;
    assert_eq!(verify_chain(&entries), Ok(11));
    assert_eq!(entries[0].prev_hash, GENESIS_HASH);
    assert_eq!(entries.last(), Some(&appended));
    let unit_detail: serde_json::Value = serde_json::from_str(&entries[0].detail)?;
    assert_eq!(unit_detail["code"], json!("000.00.00.H99"));
    assert_eq!(unit_detail["id"], json!(unit.id));
    assert_eq!(unit_detail["kind"], json!("province"));
    Ok(())
}

/// `append_audit` stores the detail as canonical JSON text and returns the
/// entry exactly as stored; entries page by `after` and `limit`.
pub async fn appended_entries_read_back_and_page(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let detail = json!({"z": 1, "a": [true, null], "m": {"y": "ý", "b": 2}});
    let first = store
        .append_audit(&ctx()?, "export.run", "report:2025-q3", &detail)
        .await?;
    assert_eq!(first.detail, serde_json::to_string(&detail)?);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&first.detail)?,
        detail
    );
    for i in 2..=5 {
        store
            .append_audit(&ctx_at("admin", i)?, "export.run", "report:x", &json!(i))
            .await?;
    }
    assert_eq!(store.audit_entries(0, 1).await?, vec![first]);
    let page: Vec<i64> = store
        .audit_entries(2, 2)
        .await?
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(page, [3, 4]);
    assert_eq!(store.audit_entries(5, 10).await?, vec![]);
    assert_eq!(store.audit_entries(0, 0).await?, vec![]);
    assert_eq!(store.audit_entries(0, 100).await?.len(), 5);
    Ok(())
}

/// Fifty appends at once, from tasks sharing the store, give seq 1..=50 and
/// one valid chain holding every one of them.
pub async fn fifty_concurrent_appends_form_one_chain(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50_i64 {
        let store = Arc::clone(&store);
        tasks.spawn(async move {
            let c = ctx_at(&format!("worker-{i:02}"), i)?;
            anyhow::Ok(
                store
                    .append_audit(&c, "test.append", &format!("n:{i}"), &json!({ "i": i }))
                    .await?,
            )
        });
    }
    let mut returned = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        returned.push(joined.context("append task")??);
    }
    let entries = all_entries(&*store).await?;
    assert_eq!(verify_chain(&entries), Ok(50));
    let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=50).collect::<Vec<i64>>());
    let actors: BTreeSet<String> = entries.iter().map(|e| e.actor.clone()).collect();
    let expected: BTreeSet<String> = (0..50).map(|i| format!("worker-{i:02}")).collect();
    assert_eq!(actors, expected);
    returned.sort_by_key(|e| e.seq);
    assert_eq!(returned, entries);
    Ok(())
}

/// Changes of different kinds racing each other (units, users, settings)
/// still form one gap-free chain with one entry each.
pub async fn concurrent_changes_of_different_kinds_keep_the_chain(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..12_i64 {
        let units = Arc::clone(&store);
        tasks.spawn(async move {
            let c = ctx_at("admin", i)?;
            let code = format!("000.00.{i:02}.H99");
            units
                .insert_unit(
                    &c,
                    &new_unit(&code, &code, UnitKind::Commune, Level::Commune, None)?,
                )
                .await?;
            anyhow::Ok(())
        });
        let users = Arc::clone(&store);
        tasks.spawn(async move {
            let c = ctx_at("admin", i)?;
            users
                .insert_user(&c, &new_user(&format!("user{i}"), "Người dùng"))
                .await?;
            users
                .put_setting(&c, "global", &format!("k{i}"), &json!(i))
                .await?;
            anyhow::Ok(())
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.context("change task")??;
    }
    let entries = all_entries(&*store).await?;
    assert_eq!(verify_chain(&entries), Ok(36));
    let count = |action: &str| entries.iter().filter(|e| e.action == action).count();
    assert_eq!(
        (
            count("unit.create"),
            count("user.create"),
            count("setting.put")
        ),
        (12, 12, 12)
    );
    assert_eq!(store.list_units().await?.len(), 12);
    Ok(())
}

/// A refused change leaves neither its row nor an audit entry, and an entry
/// needs an actor.
pub async fn refused_changes_leave_no_entry(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let s: &dyn Store = &*store;
    let c = ctx()?;
    let unit = new_unit(
        "000.00.00.H99",
        "Ủy ban nhân dân tỉnh Mẫu",
        UnitKind::Province,
        Level::Province,
        None,
    )?;
    let kept = s.insert_unit(&c, &unit).await?;
    let user = s
        .insert_user(&c, &new_user("lan.nguyen", "Nguyễn Thị Lan"))
        .await?;
    expect_err(s.insert_unit(&c, &unit).await, "duplicate code")?;
    expect_err(
        s.insert_user(&c, &new_user("lan.nguyen", "X")).await,
        "duplicate user",
    )?;
    expect_err(
        s.grant_role(&c, user.id, Role::Leader, 424_242).await,
        "unknown unit",
    )?;
    expect_err(
        s.revoke_role(&c, user.id, Role::Leader, kept.id).await,
        "no such grant",
    )?;
    expect_err(
        s.set_password_hash(&c, 424_242, "$argon2id$x").await,
        "unknown user",
    )?;
    let nobody = ctx_at(" ", 0)?;
    let err = expect_err(
        s.put_setting(&nobody, "global", "k", &json!(1)).await,
        "no actor",
    )?;
    assert!(
        matches!(&err, ServiceError::Invalid { field, .. } if field == "actor"),
        "{err:?}"
    );
    assert_eq!(s.get_setting("global", "k").await?, None);
    assert_eq!(s.list_units().await?, vec![kept]);
    assert_eq!(s.roles_of(user.id).await?, vec![]);
    assert_eq!(
        entry_summary(s).await?,
        summary(&[
            (1, "admin", "unit.create", "unit:000.00.00.H99"),
            (2, "admin", "user.create", "user:lan.nguyen"),
        ])
    );
    Ok(())
}

async fn three_entries(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    for (i, actor) in ["lan", "binh", "chi", "dung"].into_iter().enumerate() {
        store
            .append_audit(
                &ctx_at(actor, i64::try_from(i)?)?,
                "test.append",
                "x",
                &json!(i),
            )
            .await?;
    }
    Ok(())
}

/// An intruder who rewrites an entry's actor in the database is found at
/// that entry.
pub async fn an_edited_entry_is_detected_at_its_seq(db: &TestDb) -> anyhow::Result<()> {
    three_entries(db).await?;
    let store = db.store();
    assert_eq!(verify_chain(&all_entries(&*store).await?), Ok(4));
    db.drop_audit_guards().await?;
    let changed = db
        .execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
        .await?;
    assert_eq!(changed, 1);
    let entries = all_entries(&*store).await?;
    assert_eq!(entries[1].actor, "mallory");
    assert_eq!(verify_chain(&entries), Err(ChainBreak::Edited { seq: 2 }));
    Ok(())
}

/// An intruder who deletes an entry leaves a gap at its position.
pub async fn a_deleted_entry_is_detected_as_a_gap(db: &TestDb) -> anyhow::Result<()> {
    three_entries(db).await?;
    let store = db.store();
    db.drop_audit_guards().await?;
    assert_eq!(db.execute("DELETE FROM audit_log WHERE seq = 3").await?, 1);
    assert_eq!(
        verify_chain(&all_entries(&*store).await?),
        Err(ChainBreak::Gap {
            expected_seq: 3,
            found_seq: 4
        })
    );
    Ok(())
}

/// The database itself refuses to update or delete audit entries, whoever
/// connects with the application's account; nothing changes.
pub async fn the_database_refuses_to_change_the_log(db: &TestDb) -> anyhow::Result<()> {
    three_entries(db).await?;
    let before = all_entries(&*db.store()).await?;
    for sql in [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_log",
    ] {
        let err = db.execute(sql).await.err().map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains("append-only")),
            "{sql} was not refused: {err:?}"
        );
    }
    assert_eq!(all_entries(&*db.store()).await?, before);
    Ok(())
}
