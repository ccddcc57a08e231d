//! The unit tree through time: versions, renames, moves, abolitions, merges
//! and splits, and the tree as it stood on a day (domain.md §3).

use jiff::civil::Date;
use motcua_domain::audit::StoredEntry;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::ServiceError;
use motcua_service::store::{
    MergeTarget, NewUnit, Store, Succession, SuccessionKind, Unit, UnitChange, UnitVersion,
};

use super::{
    TestDb, all_entries, audit_count, ctx, ctx_at, date, entry_summary, expect_err, summary,
};

/// A unit to insert, in force from `from`.
fn unit_from(
    code: &str,
    name: &str,
    kind: UnitKind,
    level: Level,
    parent_id: Option<i64>,
    from: Date,
) -> anyhow::Result<NewUnit> {
    Ok(NewUnit {
        code: UnitCode::parse(code)?,
        name: name.to_owned(),
        kind,
        level,
        parent_id,
        valid_from: from,
        valid_to: None,
    })
}

/// Inserts a unit in force from 1 January 2020.
async fn add(
    store: &dyn Store,
    code: &str,
    name: &str,
    kind: UnitKind,
    level: Level,
    parent_id: Option<i64>,
) -> anyhow::Result<Unit> {
    let u = unit_from(code, name, kind, level, parent_id, date(2020, 1, 1)?)?;
    Ok(store.insert_unit(&ctx()?, &u).await?)
}

/// A version row, written out.
#[allow(clippy::too_many_arguments)]
fn version(
    unit_id: i64,
    from: Date,
    to: Option<Date>,
    code: &str,
    name: &str,
    parent_id: Option<i64>,
    kind: UnitKind,
    level: Level,
) -> anyhow::Result<UnitVersion> {
    Ok(UnitVersion {
        unit_id,
        valid_from: from,
        valid_to: to,
        code: UnitCode::parse(code)?,
        name: name.to_owned(),
        parent_id,
        kind,
        level,
    })
}

/// Everything the tree changes write: units, every unit's versions and
/// successions, and the audit log.
type Snapshot = (
    Vec<Unit>,
    Vec<Vec<UnitVersion>>,
    Vec<Vec<Succession>>,
    Vec<StoredEntry>,
);

async fn snapshot(store: &dyn Store) -> anyhow::Result<Snapshot> {
    let units = store.list_units().await?;
    let mut versions = Vec::new();
    let mut successions = Vec::new();
    for u in &units {
        versions.push(store.unit_versions(u.id).await?);
        successions.push(store.successions_of(u.id).await?);
    }
    Ok((units, versions, successions, all_entries(store).await?))
}

/// What a refusal must be.
type Expected = fn(&ServiceError) -> bool;

/// Codes of the units in force on a day, in the order `units_on` gives.
async fn codes_on(store: &dyn Store, on: Date) -> anyhow::Result<Vec<String>> {
    Ok(store
        .units_on(on)
        .await?
        .into_iter()
        .map(|v| v.code.to_string())
        .collect())
}

/// Asserts the error is `Invalid` on `field`.
fn assert_invalid(err: &ServiceError, field: &str) {
    assert!(
        matches!(err, ServiceError::Invalid { field: f, .. } if f == field),
        "expected Invalid on {field}: {err:?}"
    );
}

/// Inserting a unit writes its first version: everything it was given, with
/// its validity; an unknown unit has no versions (`NotFound`).
pub async fn a_new_unit_has_its_first_version(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let p = add(
        &*store,
        "000.00.00.H99",
        "Ủy ban nhân dân tỉnh Mẫu",
        UnitKind::Province,
        Level::Province,
        None,
    )
    .await?;
    let mut justice = unit_from(
        "000.12.00.H99",
        "Sở Tư pháp",
        UnitKind::Department,
        Level::Province,
        Some(p.id),
        date(2021, 3, 15)?,
    )?;
    justice.valid_to = Some(date(2030, 12, 31)?);
    let justice = store.insert_unit(&ctx()?, &justice).await?;

    assert_eq!(
        store.unit_versions(p.id).await?,
        vec![version(
            p.id,
            date(2020, 1, 1)?,
            None,
            "000.00.00.H99",
            "Ủy ban nhân dân tỉnh Mẫu",
            None,
            UnitKind::Province,
            Level::Province,
        )?]
    );
    assert_eq!(
        store.unit_versions(justice.id).await?,
        vec![version(
            justice.id,
            date(2021, 3, 15)?,
            Some(date(2030, 12, 31)?),
            "000.12.00.H99",
            "Sở Tư pháp",
            Some(p.id),
            UnitKind::Department,
            Level::Province,
        )?]
    );
    assert_eq!(
        codes_on(&*store, date(2021, 3, 14)?).await?,
        ["000.00.00.H99"]
    );
    assert_eq!(
        codes_on(&*store, date(2030, 12, 31)?).await?,
        ["000.00.00.H99", "000.12.00.H99"]
    );
    assert_eq!(
        codes_on(&*store, date(2031, 1, 1)?).await?,
        ["000.00.00.H99"]
    );
    assert_eq!(
        codes_on(&*store, date(2019, 12, 31)?).await?,
        Vec::<String>::new()
    );
    assert_eq!(store.successions_of(p.id).await?, Vec::<Succession>::new());

    let err = expect_err(store.unit_versions(424_242).await, "unknown unit")?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "unit", .. }),
        "{err:?}"
    );
    let err = expect_err(store.successions_of(424_242).await, "unknown unit")?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "unit", .. }),
        "{err:?}"
    );
    Ok(())
}

/// A rename closes the old version the day before and opens a new one: the
/// tree shows the old name and code before the date and the new ones from
/// it; the `units` row shows the latest. The old code stays with the unit's
/// old version, so another unit may take it only from the rename on.
pub async fn a_rename_keeps_the_old_name_before_its_date(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let p = add(
        &*store,
        "000.00.00.H99",
        "Ủy ban nhân dân tỉnh Mẫu",
        UnitKind::Province,
        Level::Province,
        None,
    )
    .await?;
    let d = add(
        &*store,
        "000.00.01.H99",
        "Ủy ban nhân dân huyện Đông",
        UnitKind::District,
        Level::District,
        Some(p.id),
    )
    .await?;

    let changed = store
        .apply_unit_change(
            &ctx_at("admin", 1)?,
            &UnitChange::Rename {
                unit_id: d.id,
                name: Some("Ủy ban nhân dân thị xã Đông".to_owned()),
                code: Some(UnitCode::parse("000.00.02.H99")?),
                effective: date(2025, 3, 1)?,
            },
        )
        .await?;
    let expected = Unit {
        id: d.id,
        code: UnitCode::parse("000.00.02.H99")?,
        name: "Ủy ban nhân dân thị xã Đông".to_owned(),
        kind: UnitKind::District,
        level: Level::District,
        parent_id: Some(p.id),
        valid_from: date(2020, 1, 1)?,
        valid_to: None,
    };
    assert_eq!(changed, vec![expected.clone()]);
    assert_eq!(store.unit_by_id(d.id).await?, expected);
    assert_eq!(
        store
            .unit_by_code(&UnitCode::parse("000.00.02.H99")?)
            .await?,
        expected
    );
    assert!(
        store
            .unit_by_code(&UnitCode::parse("000.00.01.H99")?)
            .await
            .is_err()
    );
    assert_eq!(
        store.unit_versions(d.id).await?,
        vec![
            version(
                d.id,
                date(2020, 1, 1)?,
                Some(date(2025, 2, 28)?),
                "000.00.01.H99",
                "Ủy ban nhân dân huyện Đông",
                Some(p.id),
                UnitKind::District,
                Level::District,
            )?,
            version(
                d.id,
                date(2025, 3, 1)?,
                None,
                "000.00.02.H99",
                "Ủy ban nhân dân thị xã Đông",
                Some(p.id),
                UnitKind::District,
                Level::District,
            )?,
        ]
    );
    let before = store.units_on(date(2025, 2, 28)?).await?;
    assert_eq!(before.len(), 2);
    assert_eq!(before[1].name, "Ủy ban nhân dân huyện Đông");
    assert_eq!(before[1].code.as_str(), "000.00.01.H99");
    let after = store.units_on(date(2025, 3, 1)?).await?;
    assert_eq!(after[1].name, "Ủy ban nhân dân thị xã Đông");
    assert_eq!(after[1].code.as_str(), "000.00.02.H99");

    // A name alone keeps the code.
    store
        .apply_unit_change(
            &ctx_at("admin", 2)?,
            &UnitChange::Rename {
                unit_id: d.id,
                name: Some("Ủy ban nhân dân thành phố Đông".to_owned()),
                code: None,
                effective: date(2025, 9, 2)?,
            },
        )
        .await?;
    assert_eq!(store.unit_versions(d.id).await?.len(), 3);
    assert_eq!(store.unit_by_id(d.id).await?.code.as_str(), "000.00.02.H99");

    let state = snapshot(&*store).await?;
    for (effective, field) in [
        (date(2025, 9, 2)?, "effective"),
        (date(2025, 1, 1)?, "effective"),
    ] {
        let err = expect_err(
            store
                .apply_unit_change(
                    &ctx()?,
                    &UnitChange::Rename {
                        unit_id: d.id,
                        name: Some("Sớm".to_owned()),
                        code: None,
                        effective,
                    },
                )
                .await,
            "not after the current version",
        )?;
        assert_invalid(&err, field);
    }
    let err = expect_err(
        store
            .apply_unit_change(
                &ctx()?,
                &UnitChange::Rename {
                    unit_id: d.id,
                    name: None,
                    code: Some(UnitCode::parse("000.00.00.H99")?),
                    effective: date(2026, 1, 1)?,
                },
            )
            .await,
        "the province's code",
    )?;
    assert!(
        matches!(&err, ServiceError::Conflict(m) if m.contains("000.00.00.H99")),
        "{err:?}"
    );
    let err = expect_err(
        store
            .apply_unit_change(
                &ctx()?,
                &UnitChange::Rename {
                    unit_id: 424_242,
                    name: Some("Ma".to_owned()),
                    code: None,
                    effective: date(2026, 1, 1)?,
                },
            )
            .await,
        "unknown unit",
    )?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "unit", .. }),
        "{err:?}"
    );
    // The old code was D's until 28 February 2025: not free before.
    let err = expect_err(
        store
            .insert_unit(
                &ctx()?,
                &unit_from(
                    "000.00.01.H99",
                    "Huyện mới",
                    UnitKind::District,
                    Level::District,
                    Some(p.id),
                    date(2025, 2, 28)?,
                )?,
            )
            .await,
        "old code while D held it",
    )?;
    assert!(
        matches!(&err, ServiceError::Conflict(m) if m.contains("000.00.01.H99")),
        "{err:?}"
    );
    assert_eq!(snapshot(&*store).await?, state);

    let reused = store
        .insert_unit(
            &ctx()?,
            &unit_from(
                "000.00.01.H99",
                "Huyện mới",
                UnitKind::District,
                Level::District,
                Some(p.id),
                date(2025, 3, 1)?,
            )?,
        )
        .await?;
    let on_feb = store.units_on(date(2025, 2, 28)?).await?;
    assert_eq!(
        on_feb.iter().map(|v| v.unit_id).collect::<Vec<_>>(),
        vec![p.id, d.id]
    );
    let on_mar = store.units_on(date(2025, 3, 1)?).await?;
    assert_eq!(
        on_mar.iter().map(|v| v.unit_id).collect::<Vec<_>>(),
        vec![p.id, reused.id, d.id]
    );
    assert_eq!(
        entry_summary(&*store).await?,
        summary(&[
            (1, "admin", "unit.create", "unit:000.00.00.H99"),
            (2, "admin", "unit.create", "unit:000.00.01.H99"),
            (3, "admin", "unit.rename", "unit:000.00.02.H99"),
            (4, "admin", "unit.rename", "unit:000.00.02.H99"),
            (5, "admin", "unit.create", "unit:000.00.01.H99"),
        ])
    );
    Ok(())
}

/// A move changes the subtree from its date: before it the unit rolls up to
/// its old parent, from it to the new one. A unit cannot move under itself or
/// its descendants, nor under an unknown unit, nor to where it is.
pub async fn a_move_changes_the_subtree_from_its_date(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let p = add(
        &*store,
        "000.00.00.H99",
        "Tỉnh",
        UnitKind::Province,
        Level::Province,
        None,
    )
    .await?;
    let a = add(
        &*store,
        "000.00.01.H99",
        "Huyện A",
        UnitKind::District,
        Level::District,
        Some(p.id),
    )
    .await?;
    let b = add(
        &*store,
        "000.00.02.H99",
        "Huyện B",
        UnitKind::District,
        Level::District,
        Some(p.id),
    )
    .await?;
    let x = add(
        &*store,
        "000.00.11.H99",
        "Xã X",
        UnitKind::Commune,
        Level::Commune,
        Some(a.id),
    )
    .await?;
    let y = add(
        &*store,
        "000.00.12.H99",
        "Xã Y",
        UnitKind::Commune,
        Level::Commune,
        Some(x.id),
    )
    .await?;

    let moved = store
        .apply_unit_change(
            &ctx()?,
            &UnitChange::Move {
                unit_id: x.id,
                parent_id: Some(b.id),
                level: None,
                effective: date(2025, 3, 1)?,
            },
        )
        .await?;
    assert_eq!(
        moved,
        vec![Unit {
            parent_id: Some(b.id),
            ..x.clone()
        }]
    );
    let feb = date(2025, 2, 28)?;
    let mar = date(2025, 3, 1)?;
    assert_eq!(
        store.subtree_ids_on(a.id, feb).await?,
        vec![a.id, x.id, y.id]
    );
    assert_eq!(store.subtree_ids_on(a.id, mar).await?, vec![a.id]);
    assert_eq!(store.subtree_ids_on(b.id, feb).await?, vec![b.id]);
    assert_eq!(
        store.subtree_ids_on(b.id, mar).await?,
        vec![b.id, x.id, y.id]
    );
    assert_eq!(
        store.subtree_ids_on(p.id, mar).await?,
        vec![p.id, a.id, b.id, x.id, y.id]
    );
    assert_eq!(
        store.subtree_ids_on(p.id, date(2019, 12, 31)?).await?,
        Vec::<i64>::new()
    );
    assert_eq!(store.subtree_ids_on(424_242, mar).await?, Vec::<i64>::new());
    assert_eq!(store.subtree_ids(b.id).await?, vec![b.id, x.id, y.id]);
    assert_eq!(
        store.unit_versions(x.id).await?,
        vec![
            version(
                x.id,
                date(2020, 1, 1)?,
                Some(feb),
                "000.00.11.H99",
                "Xã X",
                Some(a.id),
                UnitKind::Commune,
                Level::Commune,
            )?,
            version(
                x.id,
                mar,
                None,
                "000.00.11.H99",
                "Xã X",
                Some(b.id),
                UnitKind::Commune,
                Level::Commune,
            )?,
        ]
    );

    // A district office that becomes a provincial one: parent and level.
    let moved = store
        .apply_unit_change(
            &ctx()?,
            &UnitChange::Move {
                unit_id: y.id,
                parent_id: Some(p.id),
                level: Some(Level::Province),
                effective: date(2025, 7, 1)?,
            },
        )
        .await?;
    assert_eq!(moved[0].level, Level::Province);
    assert_eq!(moved[0].parent_id, Some(p.id));
    assert_eq!(
        store.units_on(date(2025, 6, 30)?).await?[4].level,
        Level::Commune
    );

    let state = snapshot(&*store).await?;
    let later = date(2026, 1, 1)?;
    for (unit_id, parent_id, what) in [
        (a.id, Some(a.id), "under itself"),
        (b.id, Some(x.id), "under its child"),
        (p.id, Some(x.id), "under its grandchild"),
        (x.id, Some(b.id), "where it is"),
    ] {
        let err = expect_err(
            store
                .apply_unit_change(
                    &ctx()?,
                    &UnitChange::Move {
                        unit_id,
                        parent_id,
                        level: None,
                        effective: later,
                    },
                )
                .await,
            what,
        )?;
        assert_invalid(&err, "parent_id");
    }
    let err = expect_err(
        store
            .apply_unit_change(
                &ctx()?,
                &UnitChange::Move {
                    unit_id: x.id,
                    parent_id: Some(424_242),
                    level: None,
                    effective: later,
                },
            )
            .await,
        "unknown parent",
    )?;
    assert!(matches!(&err, ServiceError::NotFound { .. }), "{err:?}");
    let err = expect_err(
        store
            .apply_unit_change(
                &ctx()?,
                &UnitChange::Move {
                    unit_id: x.id,
                    parent_id: Some(a.id),
                    level: None,
                    effective: mar,
                },
            )
            .await,
        "on the current version's first day",
    )?;
    assert_invalid(&err, "effective");
    assert_eq!(snapshot(&*store).await?, state);
    assert_eq!(audit_count(&*store).await?, 7);
    Ok(())
}

/// A unit with children in force after the date cannot be abolished
/// (`Conflict` naming a child); once they have moved it can, ending the day
/// before; an ended unit cannot be changed again.
pub async fn abolishing_waits_until_the_children_have_moved(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let p = add(
        &*store,
        "000.00.00.H99",
        "Tỉnh",
        UnitKind::Province,
        Level::Province,
        None,
    )
    .await?;
    let d = add(
        &*store,
        "000.00.01.H99",
        "Huyện",
        UnitKind::District,
        Level::District,
        Some(p.id),
    )
    .await?;
    let c = add(
        &*store,
        "000.00.11.H99",
        "Xã",
        UnitKind::Commune,
        Level::Commune,
        Some(d.id),
    )
    .await?;
    let july = date(2025, 7, 1)?;
    let abolish = UnitChange::Abolish {
        unit_id: d.id,
        effective: july,
    };

    let state = snapshot(&*store).await?;
    let err = expect_err(store.apply_unit_change(&ctx()?, &abolish).await, "child")?;
    assert!(
        matches!(&err, ServiceError::Conflict(m) if m.contains("000.00.11.H99")),
        "{err:?}"
    );
    assert_eq!(snapshot(&*store).await?, state);

    store
        .apply_unit_change(
            &ctx()?,
            &UnitChange::Move {
                unit_id: c.id,
                parent_id: Some(p.id),
                level: None,
                effective: july,
            },
        )
        .await?;
    let ended = store.apply_unit_change(&ctx()?, &abolish).await?;
    let expected = Unit {
        valid_to: Some(date(2025, 6, 30)?),
        ..d.clone()
    };
    assert_eq!(ended, vec![expected.clone()]);
    assert_eq!(store.unit_by_id(d.id).await?, expected);
    assert_eq!(
        store.unit_versions(d.id).await?,
        vec![version(
            d.id,
            date(2020, 1, 1)?,
            Some(date(2025, 6, 30)?),
            "000.00.01.H99",
            "Huyện",
            Some(p.id),
            UnitKind::District,
            Level::District,
        )?]
    );
    assert_eq!(
        codes_on(&*store, date(2025, 6, 30)?).await?,
        ["000.00.00.H99", "000.00.01.H99", "000.00.11.H99"]
    );
    assert_eq!(
        codes_on(&*store, july).await?,
        ["000.00.00.H99", "000.00.11.H99"]
    );
    assert_eq!(store.subtree_ids_on(d.id, july).await?, Vec::<i64>::new());
    assert_eq!(store.subtree_ids_on(p.id, july).await?, vec![p.id, c.id]);

    let state = snapshot(&*store).await?;
    let err = expect_err(
        store
            .apply_unit_change(
                &ctx()?,
                &UnitChange::Abolish {
                    unit_id: d.id,
                    effective: date(2025, 8, 1)?,
                },
            )
            .await,
        "abolish twice",
    )?;
    assert!(matches!(&err, ServiceError::Conflict(_)), "{err:?}");
    let err = expect_err(
        store
            .apply_unit_change(
                &ctx()?,
                &UnitChange::Rename {
                    unit_id: d.id,
                    name: Some("Hồi sinh".to_owned()),
                    code: None,
                    effective: date(2025, 8, 1)?,
                },
            )
            .await,
        "rename an ended unit",
    )?;
    assert!(matches!(&err, ServiceError::Conflict(_)), "{err:?}");
    let err = expect_err(
        store
            .apply_unit_change(
                &ctx()?,
                &UnitChange::Move {
                    unit_id: c.id,
                    parent_id: Some(d.id),
                    level: None,
                    effective: date(2025, 8, 1)?,
                },
            )
            .await,
        "move under an ended unit",
    )?;
    assert_invalid(&err, "parent_id");
    assert_eq!(snapshot(&*store).await?, state);
    assert_eq!(
        entry_summary(&*store).await?,
        summary(&[
            (1, "admin", "unit.create", "unit:000.00.00.H99"),
            (2, "admin", "unit.create", "unit:000.00.01.H99"),
            (3, "admin", "unit.create", "unit:000.00.11.H99"),
            (4, "admin", "unit.move", "unit:000.00.11.H99"),
            (5, "admin", "unit.abolish", "unit:000.00.01.H99"),
        ])
    );
    Ok(())
}

/// The 2025 reform: district D with communes C1, C2, C3 under province P. On
/// 1 July 2025 C1 and C2 merge into a new commune N under P, C3 moves under
/// P and D is abolished. A report for June rolls up along June's tree and one
/// for July along July's; the successions say where C1 and C2 went.
pub async fn the_2025_reform_rolls_up_along_each_days_tree(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let p = add(
        &*store,
        "000.00.00.H99",
        "Ủy ban nhân dân tỉnh Mẫu",
        UnitKind::Province,
        Level::Province,
        None,
    )
    .await?;
    let d = add(
        &*store,
        "000.00.01.H99",
        "Ủy ban nhân dân huyện Đông",
        UnitKind::District,
        Level::District,
        Some(p.id),
    )
    .await?;
    let c1 = add(
        &*store,
        "000.00.11.H99",
        "Ủy ban nhân dân xã Một",
        UnitKind::Commune,
        Level::Commune,
        Some(d.id),
    )
    .await?;
    let c2 = add(
        &*store,
        "000.00.12.H99",
        "Ủy ban nhân dân xã Hai",
        UnitKind::Commune,
        Level::Commune,
        Some(d.id),
    )
    .await?;
    let c3 = add(
        &*store,
        "000.00.13.H99",
        "Ủy ban nhân dân xã Ba",
        UnitKind::Commune,
        Level::Commune,
        Some(d.id),
    )
    .await?;
    let june = date(2025, 6, 30)?;
    let july = date(2025, 7, 1)?;

    // D cannot go first: its communes are still under it.
    let err = expect_err(
        store
            .apply_unit_change(
                &ctx()?,
                &UnitChange::Abolish {
                    unit_id: d.id,
                    effective: july,
                },
            )
            .await,
        "abolish D first",
    )?;
    assert!(matches!(&err, ServiceError::Conflict(_)), "{err:?}");

    let n_new = unit_from(
        "000.00.21.H99",
        "Ủy ban nhân dân xã Đông Mới",
        UnitKind::Commune,
        Level::Commune,
        Some(p.id),
        date(2000, 1, 1)?, // the merge starts it on its own date
    )?;
    let merged = store
        .apply_unit_change(
            &ctx_at("admin", 1)?,
            &UnitChange::Merge {
                sources: vec![c1.id, c2.id],
                target: MergeTarget::New(n_new),
                effective: july,
            },
        )
        .await?;
    assert_eq!(merged.len(), 3);
    let n = merged[2].clone();
    assert_eq!(
        merged,
        vec![
            Unit {
                valid_to: Some(june),
                ..c1.clone()
            },
            Unit {
                valid_to: Some(june),
                ..c2.clone()
            },
            Unit {
                id: n.id,
                code: UnitCode::parse("000.00.21.H99")?,
                name: "Ủy ban nhân dân xã Đông Mới".to_owned(),
                kind: UnitKind::Commune,
                level: Level::Commune,
                parent_id: Some(p.id),
                valid_from: july,
                valid_to: None,
            },
        ]
    );
    assert_eq!(store.unit_by_id(n.id).await?, n);
    store
        .apply_unit_change(
            &ctx_at("admin", 2)?,
            &UnitChange::Move {
                unit_id: c3.id,
                parent_id: Some(p.id),
                level: None,
                effective: july,
            },
        )
        .await?;
    store
        .apply_unit_change(
            &ctx_at("admin", 3)?,
            &UnitChange::Abolish {
                unit_id: d.id,
                effective: july,
            },
        )
        .await?;

    assert_eq!(
        store.subtree_ids_on(d.id, june).await?,
        vec![d.id, c1.id, c2.id, c3.id]
    );
    assert_eq!(
        store.subtree_ids_on(p.id, june).await?,
        vec![p.id, d.id, c1.id, c2.id, c3.id]
    );
    assert_eq!(
        store.subtree_ids_on(p.id, july).await?,
        vec![p.id, c3.id, n.id]
    );
    assert_eq!(store.subtree_ids_on(d.id, july).await?, Vec::<i64>::new());
    assert_eq!(store.subtree_ids_on(n.id, june).await?, Vec::<i64>::new());
    assert_eq!(
        codes_on(&*store, june).await?,
        [
            "000.00.00.H99",
            "000.00.01.H99",
            "000.00.11.H99",
            "000.00.12.H99",
            "000.00.13.H99"
        ]
    );
    assert_eq!(
        codes_on(&*store, july).await?,
        ["000.00.00.H99", "000.00.13.H99", "000.00.21.H99"]
    );

    let from_c1 = Succession {
        predecessor_id: c1.id,
        successor_id: n.id,
        kind: SuccessionKind::Merge,
        effective: july,
    };
    let from_c2 = Succession {
        predecessor_id: c2.id,
        ..from_c1.clone()
    };
    assert_eq!(
        store.successions_of(n.id).await?,
        vec![from_c1.clone(), from_c2.clone()]
    );
    assert_eq!(store.successions_of(c1.id).await?, vec![from_c1]);
    assert_eq!(store.successions_of(c2.id).await?, vec![from_c2]);
    assert_eq!(store.successions_of(d.id).await?, Vec::<Succession>::new());
    assert_eq!(store.successions_of(c3.id).await?, Vec::<Succession>::new());
    assert_eq!(
        store.unit_versions(n.id).await?,
        vec![version(
            n.id,
            july,
            None,
            "000.00.21.H99",
            "Ủy ban nhân dân xã Đông Mới",
            Some(p.id),
            UnitKind::Commune,
            Level::Commune,
        )?]
    );

    assert_eq!(
        entry_summary(&*store).await?,
        summary(&[
            (1, "admin", "unit.create", "unit:000.00.00.H99"),
            (2, "admin", "unit.create", "unit:000.00.01.H99"),
            (3, "admin", "unit.create", "unit:000.00.11.H99"),
            (4, "admin", "unit.create", "unit:000.00.12.H99"),
            (5, "admin", "unit.create", "unit:000.00.13.H99"),
            (6, "admin", "unit.merge", "unit:000.00.21.H99"),
            (7, "admin", "unit.move", "unit:000.00.13.H99"),
            (8, "admin", "unit.abolish", "unit:000.00.01.H99"),
        ])
    );
    let entries = all_entries(&*store).await?;
    assert!(
        entries[5].detail.contains("000.00.11.H99"),
        "{}",
        entries[5].detail
    );
    assert!(
        entries[5].detail.contains("000.00.12.H99"),
        "{}",
        entries[5].detail
    );
    Ok(())
}

/// A split ends the source and starts each new unit on the date, with a
/// split succession to each; a merge into an existing unit ends only the
/// sources.
pub async fn splits_and_merges_into_existing_units_link_successors(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let p = add(
        &*store,
        "000.00.00.H99",
        "Tỉnh",
        UnitKind::Province,
        Level::Province,
        None,
    )
    .await?;
    let d = add(
        &*store,
        "000.00.01.H99",
        "Huyện",
        UnitKind::District,
        Level::District,
        Some(p.id),
    )
    .await?;
    let july = date(2025, 7, 1)?;
    let east = unit_from(
        "000.00.31.H99",
        "Phường Đông",
        UnitKind::Commune,
        Level::Commune,
        Some(p.id),
        july,
    )?;
    let west = unit_from(
        "000.00.32.H99",
        "Phường Tây",
        UnitKind::Commune,
        Level::Commune,
        Some(p.id),
        date(2010, 1, 1)?,
    )?;
    let out = store
        .apply_unit_change(
            &ctx()?,
            &UnitChange::Split {
                source: d.id,
                into: vec![east, west],
                effective: july,
            },
        )
        .await?;
    assert_eq!(out.len(), 3);
    assert_eq!(
        out[0],
        Unit {
            valid_to: Some(date(2025, 6, 30)?),
            ..d.clone()
        }
    );
    assert_eq!(
        (out[1].code.as_str(), out[1].valid_from, out[1].parent_id),
        ("000.00.31.H99", july, Some(p.id))
    );
    assert_eq!(
        (
            out[2].code.as_str(),
            out[2].valid_from,
            out[2].name.as_str()
        ),
        ("000.00.32.H99", july, "Phường Tây")
    );
    let split = |to: &Unit| Succession {
        predecessor_id: d.id,
        successor_id: to.id,
        kind: SuccessionKind::Split,
        effective: july,
    };
    assert_eq!(
        store.successions_of(d.id).await?,
        vec![split(&out[1]), split(&out[2])]
    );
    assert_eq!(store.successions_of(out[2].id).await?, vec![split(&out[2])]);
    assert_eq!(
        store.subtree_ids_on(p.id, july).await?,
        vec![p.id, out[1].id, out[2].id]
    );

    let sept = date(2025, 9, 1)?;
    let merged = store
        .apply_unit_change(
            &ctx()?,
            &UnitChange::Merge {
                sources: vec![out[2].id],
                target: MergeTarget::Existing(out[1].id),
                effective: sept,
            },
        )
        .await?;
    assert_eq!(
        merged,
        vec![
            Unit {
                valid_to: Some(date(2025, 8, 31)?),
                ..out[2].clone()
            },
            out[1].clone(),
        ]
    );
    assert_eq!(store.unit_versions(out[1].id).await?.len(), 1);
    assert_eq!(
        store.successions_of(out[2].id).await?,
        vec![
            split(&out[2]),
            Succession {
                predecessor_id: out[2].id,
                successor_id: out[1].id,
                kind: SuccessionKind::Merge,
                effective: sept,
            },
        ]
    );
    assert_eq!(
        codes_on(&*store, sept).await?,
        ["000.00.00.H99", "000.00.31.H99"]
    );
    assert_eq!(
        entry_summary(&*store).await?[2..],
        summary(&[
            (3, "admin", "unit.split", "unit:000.00.01.H99"),
            (4, "admin", "unit.merge", "unit:000.00.31.H99"),
        ])[..]
    );
    Ok(())
}

/// Refused merges and splits change nothing: not the units, not a version,
/// not a succession, not the audit log, even when the refusal comes after
/// part of the change has been checked.
pub async fn a_refused_change_leaves_everything_as_it_was(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let p = add(
        &*store,
        "000.00.00.H99",
        "Tỉnh",
        UnitKind::Province,
        Level::Province,
        None,
    )
    .await?;
    let d = add(
        &*store,
        "000.00.01.H99",
        "Huyện",
        UnitKind::District,
        Level::District,
        Some(p.id),
    )
    .await?;
    let c1 = add(
        &*store,
        "000.00.11.H99",
        "Xã Một",
        UnitKind::Commune,
        Level::Commune,
        Some(d.id),
    )
    .await?;
    let c2 = add(
        &*store,
        "000.00.12.H99",
        "Xã Hai",
        UnitKind::Commune,
        Level::Commune,
        Some(d.id),
    )
    .await?;
    let late = store
        .insert_unit(
            &ctx()?,
            &unit_from(
                "000.00.13.H99",
                "Xã Ba",
                UnitKind::Commune,
                Level::Commune,
                Some(p.id),
                date(2025, 8, 1)?,
            )?,
        )
        .await?;
    let july = date(2025, 7, 1)?;
    let commune = |code: &str, parent: i64| {
        unit_from(
            code,
            "Xã mới",
            UnitKind::Commune,
            Level::Commune,
            Some(parent),
            july,
        )
    };
    let state = snapshot(&*store).await?;

    let refusals: Vec<(&str, UnitChange, Expected)> = vec![
        (
            "a source with children",
            UnitChange::Merge {
                sources: vec![d.id, c1.id],
                target: MergeTarget::New(commune("000.00.21.H99", p.id)?),
                effective: july,
            },
            |e| matches!(e, ServiceError::Conflict(m) if m.contains("000.00.12.H99")),
        ),
        (
            "a new unit with a taken code",
            UnitChange::Merge {
                sources: vec![c1.id, c2.id],
                target: MergeTarget::New(commune("000.00.01.H99", p.id)?),
                effective: july,
            },
            |e| matches!(e, ServiceError::Conflict(m) if m.contains("000.00.01.H99")),
        ),
        (
            "a new unit under a source",
            UnitChange::Merge {
                sources: vec![c1.id, c2.id],
                target: MergeTarget::New(commune("000.00.21.H99", c1.id)?),
                effective: july,
            },
            |e| matches!(e, ServiceError::Invalid { field, .. } if field == "parent_id"),
        ),
        (
            "an unknown source",
            UnitChange::Merge {
                sources: vec![c1.id, 424_242],
                target: MergeTarget::Existing(c2.id),
                effective: july,
            },
            |e| matches!(e, ServiceError::NotFound { what: "unit", .. }),
        ),
        (
            "a source named twice",
            UnitChange::Merge {
                sources: vec![c1.id, c1.id],
                target: MergeTarget::Existing(c2.id),
                effective: july,
            },
            |e| matches!(e, ServiceError::Invalid { field, .. } if field.starts_with("sources")),
        ),
        (
            "a unit into itself",
            UnitChange::Merge {
                sources: vec![c1.id, c2.id],
                target: MergeTarget::Existing(c2.id),
                effective: july,
            },
            |e| matches!(e, ServiceError::Invalid { field, .. } if field == "target"),
        ),
        (
            "a target that does not exist yet",
            UnitChange::Merge {
                sources: vec![c1.id],
                target: MergeTarget::Existing(late.id),
                effective: july,
            },
            |e| matches!(e, ServiceError::Invalid { field, .. } if field == "target"),
        ),
        (
            "a date not after a source's start",
            UnitChange::Merge {
                sources: vec![c1.id, c2.id],
                target: MergeTarget::New(commune("000.00.21.H99", p.id)?),
                effective: date(2020, 1, 1)?,
            },
            |e| matches!(e, ServiceError::Invalid { field, .. } if field == "effective"),
        ),
        (
            "a split of a unit with children",
            UnitChange::Split {
                source: d.id,
                into: vec![
                    commune("000.00.31.H99", p.id)?,
                    commune("000.00.32.H99", p.id)?,
                ],
                effective: july,
            },
            |e| matches!(e, ServiceError::Conflict(m) if m.contains("000.00.11.H99")),
        ),
        (
            "a split whose second unit has a taken code",
            UnitChange::Split {
                source: c1.id,
                into: vec![
                    commune("000.00.31.H99", p.id)?,
                    commune("000.00.12.H99", p.id)?,
                ],
                effective: july,
            },
            |e| matches!(e, ServiceError::Conflict(m) if m.contains("000.00.12.H99")),
        ),
        (
            "a split into two units with one code",
            UnitChange::Split {
                source: c1.id,
                into: vec![
                    commune("000.00.31.H99", p.id)?,
                    commune("000.00.31.H99", p.id)?,
                ],
                effective: july,
            },
            |e| matches!(e, ServiceError::Conflict(m) if m.contains("000.00.31.H99")),
        ),
        (
            "a split into a unit under the source",
            UnitChange::Split {
                source: c1.id,
                into: vec![
                    commune("000.00.31.H99", p.id)?,
                    commune("000.00.32.H99", c1.id)?,
                ],
                effective: july,
            },
            |e| matches!(e, ServiceError::Invalid { field, .. } if field == "parent_id"),
        ),
        (
            "an abolition of an unknown unit",
            UnitChange::Abolish {
                unit_id: 424_242,
                effective: july,
            },
            |e| matches!(e, ServiceError::NotFound { what: "unit", .. }),
        ),
    ];
    for (what, change, expected) in refusals {
        let err = expect_err(store.apply_unit_change(&ctx()?, &change).await, what)?;
        assert!(expected(&err), "{what}: {err:?}");
        assert_eq!(snapshot(&*store).await?, state, "{what} changed something");
    }
    let err = expect_err(
        store
            .apply_unit_change(
                &ctx_at(" ", 0)?,
                &UnitChange::Abolish {
                    unit_id: c1.id,
                    effective: july,
                },
            )
            .await,
        "no actor",
    )?;
    assert_invalid(&err, "actor");
    assert_eq!(snapshot(&*store).await?, state);
    Ok(())
}
