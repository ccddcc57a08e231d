//! Units of the organisation tree.

use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::ServiceError;
use motcua_service::store::{Store, Unit};

use super::{TestDb, audit_count, ctx, date, expect_err, new_unit};

/// A unit reads back the same by id, by code and in the list, which is in
/// code order whatever the insertion order.
pub async fn units_read_back_by_id_code_and_in_code_order(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let c = ctx()?;
    let province = store
        .insert_unit(
            &c,
            &new_unit(
                "000.00.00.H99",
                "Ủy ban nhân dân tỉnh Mẫu",
                UnitKind::Province,
                Level::Province,
                None,
            )?,
        )
        .await?;
    let mut justice = new_unit(
        "000.12.00.H99",
        "Sở Tư pháp",
        UnitKind::Department,
        Level::Province,
        Some(province.id),
    )?;
    justice.valid_to = Some(date(2030, 12, 31)?);
    let justice = store.insert_unit(&c, &justice).await?;
    let centre = store
        .insert_unit(
            &c,
            &new_unit(
                "000.01.00.H99",
                "Trung tâm Phục vụ hành chính công tỉnh",
                UnitKind::ServiceCentre,
                Level::Province,
                Some(province.id),
            )?,
        )
        .await?;

    let expected_justice = Unit {
        id: justice.id,
        code: UnitCode::parse("000.12.00.H99")?,
        name: "Sở Tư pháp".to_owned(),
        kind: UnitKind::Department,
        level: Level::Province,
        parent_id: Some(province.id),
        valid_from: date(2025, 7, 1)?,
        valid_to: Some(date(2030, 12, 31)?),
    };
    assert_eq!(justice, expected_justice);
    assert_eq!(store.unit_by_id(justice.id).await?, expected_justice);
    assert_eq!(
        store
            .unit_by_code(&UnitCode::parse("000.12.00.H99")?)
            .await?,
        expected_justice
    );
    assert_eq!(store.unit_by_id(province.id).await?.parent_id, None);
    assert_ne!(province.id, justice.id);

    let codes: Vec<String> = store
        .list_units()
        .await?
        .into_iter()
        .map(|u| u.code.to_string())
        .collect();
    assert_eq!(codes, ["000.00.00.H99", "000.01.00.H99", "000.12.00.H99"]);
    assert_eq!(store.list_units().await?[1], centre);
    assert_eq!(store.unit_count().await?, 3);
    Ok(())
}

/// A second unit with a taken code is `Conflict` naming the code, and leaves
/// neither a row nor an audit entry.
pub async fn duplicate_unit_code_is_conflict_and_changes_nothing(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let first = new_unit(
        "000.00.00.H99",
        "Ủy ban nhân dân tỉnh Mẫu",
        UnitKind::Province,
        Level::Province,
        None,
    )?;
    let kept = store.insert_unit(&ctx()?, &first).await?;
    let mut again = first.clone();
    again.name = "Bản sao".to_owned();
    let err = expect_err(store.insert_unit(&ctx()?, &again).await, "duplicate code")?;
    assert!(
        matches!(&err, ServiceError::Conflict(m) if m.contains("000.00.00.H99")),
        "{err:?}"
    );
    assert_eq!(store.list_units().await?, vec![kept]);
    assert_eq!(
        store.unit_count().await?,
        1,
        "the refused unit is not counted"
    );
    assert_eq!(audit_count(&*store).await?, 1);
    Ok(())
}

/// A parent that does not exist is `Invalid` on `parent_id`, and a unit that
/// ends before it starts is `Invalid` on `valid_to`; neither writes anything.
pub async fn bad_parent_or_validity_is_invalid_and_changes_nothing(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let orphan = new_unit(
        "000.12.00.H99",
        "Sở Tư pháp",
        UnitKind::Department,
        Level::Province,
        Some(424_242),
    )?;
    let err = expect_err(store.insert_unit(&ctx()?, &orphan).await, "unknown parent")?;
    assert!(
        matches!(&err, ServiceError::Invalid { field, .. } if field == "parent_id"),
        "{err:?}"
    );

    let mut backwards = new_unit(
        "000.00.00.H99",
        "Ủy ban nhân dân tỉnh Mẫu",
        UnitKind::Province,
        Level::Province,
        None,
    )?;
    backwards.valid_to = Some(date(2025, 6, 30)?);
    let err = expect_err(store.insert_unit(&ctx()?, &backwards).await, "ends early")?;
    assert!(
        matches!(&err, ServiceError::Invalid { field, .. } if field == "valid_to"),
        "{err:?}"
    );
    assert_eq!(store.list_units().await?, vec![]);
    assert_eq!(audit_count(&*store).await?, 0);
    Ok(())
}

/// Unknown ids and codes are `NotFound` with the key asked for.
pub async fn unknown_units_are_not_found(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let err = expect_err(store.unit_by_id(424_242).await, "unknown id")?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "unit", key } if key == "424242"),
        "{err:?}"
    );
    let err = expect_err(
        store.unit_by_code(&UnitCode::parse("000.00.00.H98")?).await,
        "unknown code",
    )?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "unit", key } if key == "000.00.00.H98"),
        "{err:?}"
    );
    let err = expect_err(store.subtree_ids(424_242).await, "unknown root")?;
    assert!(matches!(err, ServiceError::NotFound { .. }), "{err:?}");
    Ok(())
}

/// The subtree of a three-level tree: the root first, then level by level,
/// ids ascending within a level (not insertion order across levels).
pub async fn subtree_ids_cover_a_three_level_tree(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let add = |code: &'static str, kind: UnitKind, level: Level, parent: Option<i64>| {
        let store = store.clone();
        async move {
            let u = new_unit(code, code, kind, level, parent)?;
            anyhow::Ok(store.insert_unit(&ctx()?, &u).await?.id)
        }
    };
    let p = add("000.00.00.H99", UnitKind::Province, Level::Province, None).await?;
    let a = add(
        "000.00.01.H99",
        UnitKind::District,
        Level::District,
        Some(p),
    )
    .await?;
    let a1 = add("000.00.11.H99", UnitKind::Commune, Level::Commune, Some(a)).await?;
    let b = add(
        "000.00.02.H99",
        UnitKind::District,
        Level::District,
        Some(p),
    )
    .await?;
    let a2 = add("000.00.12.H99", UnitKind::Commune, Level::Commune, Some(a)).await?;
    let b1 = add("000.00.21.H99", UnitKind::Commune, Level::Commune, Some(b)).await?;
    let other = add("000.00.00.H98", UnitKind::Province, Level::Province, None).await?;

    assert_eq!(store.subtree_ids(p).await?, vec![p, a, b, a1, a2, b1]);
    assert_eq!(store.subtree_ids(a).await?, vec![a, a1, a2]);
    assert_eq!(store.subtree_ids(b).await?, vec![b, b1]);
    assert_eq!(store.subtree_ids(b1).await?, vec![b1]);
    assert_eq!(store.subtree_ids(other).await?, vec![other]);
    Ok(())
}

/// Inserts the province, a district below it and a commune below that, for
/// cases in other areas that need units.
pub(crate) async fn three_units(store: &dyn Store) -> anyhow::Result<[Unit; 3]> {
    let c = ctx()?;
    let p = store
        .insert_unit(
            &c,
            &new_unit(
                "000.00.00.H99",
                "Ủy ban nhân dân tỉnh Mẫu",
                UnitKind::Province,
                Level::Province,
                None,
            )?,
        )
        .await?;
    let d = store
        .insert_unit(
            &c,
            &new_unit(
                "000.00.01.H99",
                "Ủy ban nhân dân huyện Đông",
                UnitKind::District,
                Level::District,
                Some(p.id),
            )?,
        )
        .await?;
    let x = store
        .insert_unit(
            &c,
            &new_unit(
                "000.00.11.H99",
                "Ủy ban nhân dân xã Tây",
                UnitKind::Commune,
                Level::Commune,
                Some(d.id),
            )?,
        )
        .await?;
    Ok([p, d, x])
}

/// Each node remembers the tree and the grants it has read, and must still
/// see every change made through another node (or by hand in SQL) at its
/// next read: grants, new units, renames and moves, successions.
pub async fn every_node_sees_tree_and_grant_changes_at_once(db: &TestDb) -> anyhow::Result<()> {
    use motcua_domain::role::Role;
    use motcua_service::store::UnitChange;
    let a = db.store();
    let b = motcua_storage::open(db.url()).await?;
    let c = ctx()?;
    let [province, district, commune] = three_units(&*a).await?;
    let lan = a
        .insert_user(&c, &super::new_user("lan.tran", "Trần Thị Lan"))
        .await?;
    a.grant_role(&c, lan.id, Role::Leader, district.id).await?;
    let covers = |s: Vec<(motcua_service::store::RoleGrant, Vec<i64>)>| -> Vec<(Role, Vec<i64>)> {
        s.into_iter().map(|(g, ids)| (g.role, ids)).collect()
    };
    // Read through B (twice: the second answer is the remembered one).
    for _ in 0..2 {
        assert_eq!(
            covers(b.grant_scopes(lan.id).await?),
            [(Role::Leader, vec![district.id, commune.id])]
        );
        assert_eq!(
            b.subtree_ids(province.id).await?,
            [province.id, district.id, commune.id]
        );
        assert_eq!(b.unit_count().await?, 3);
        assert_eq!(b.all_unit_versions().await?.len(), 3);
        assert_eq!(b.unit_by_code(&commune.code).await?.name, commune.name);
    }

    // A unit added under the district through A.
    let hamlet = a
        .insert_unit(
            &c,
            &new_unit(
                "000.00.02.H99",
                "Ủy ban nhân dân xã Tây",
                UnitKind::Commune,
                Level::Commune,
                Some(district.id),
            )?,
        )
        .await?;
    assert_eq!(
        covers(b.grant_scopes(lan.id).await?),
        [(Role::Leader, vec![district.id, commune.id, hamlet.id])]
    );
    assert_eq!(
        b.subtree_ids(province.id).await?,
        [province.id, district.id, commune.id, hamlet.id]
    );
    assert_eq!(b.unit_count().await?, 4);
    assert_eq!(b.all_unit_versions().await?.len(), 4);

    // A grant added and one revoked through A.
    a.grant_role(&c, lan.id, Role::Viewer, province.id).await?;
    a.revoke_role(&c, lan.id, Role::Leader, district.id).await?;
    assert_eq!(
        covers(b.grant_scopes(lan.id).await?),
        [(
            Role::Viewer,
            vec![province.id, district.id, commune.id, hamlet.id]
        )]
    );

    // The commune renamed and moved out from under the district, through A.
    a.apply_unit_change(
        &c,
        &UnitChange::Rename {
            unit_id: commune.id,
            name: Some("Ủy ban nhân dân xã Đông Mới".to_owned()),
            code: None,
            effective: date(2025, 9, 1)?,
        },
    )
    .await?;
    a.apply_unit_change(
        &c,
        &UnitChange::Move {
            unit_id: commune.id,
            parent_id: Some(province.id),
            level: None,
            effective: date(2025, 10, 1)?,
        },
    )
    .await?;
    assert_eq!(
        b.unit_by_code(&commune.code).await?.name,
        "Ủy ban nhân dân xã Đông Mới"
    );
    assert_eq!(b.subtree_ids(district.id).await?, [district.id, hamlet.id]);
    assert_eq!(b.all_unit_versions().await?.len(), 6);

    // A change made by hand in SQL is seen too (the triggers move the
    // revision, not the code paths).
    a.grant_role(&c, lan.id, Role::Leader, district.id).await?;
    assert_eq!(covers(b.grant_scopes(lan.id).await?).len(), 2);
    db.execute("DELETE FROM role_grants WHERE role = 'leader'")
        .await?;
    assert_eq!(
        covers(b.grant_scopes(lan.id).await?),
        [(
            Role::Viewer,
            vec![province.id, district.id, commune.id, hamlet.id]
        )]
    );
    drop(b);
    Ok(())
}
