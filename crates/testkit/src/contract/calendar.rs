//! Calendar overrides and office hours.

use jiff::civil::{Date, Time};
use motcua_service::ServiceError;
use motcua_service::store::{CalendarOverride, OfficeHoursRow};

use super::units::three_units;
use super::{TestDb, audit_count, ctx, date, entry_summary, expect_err, summary};

fn ov(unit_id: Option<i64>, d: Date, working: bool, reason: &str) -> CalendarOverride {
    CalendarOverride {
        unit_id,
        date: d,
        working,
        reason: reason.to_owned(),
    }
}

/// A query returns the global overrides and the given unit's own between two
/// dates inclusive, ordered by date with global before unit on the same date;
/// without a unit, only the global ones; never another unit's.
pub async fn overrides_are_ordered_by_date_and_scoped(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let [_, a, b] = three_units(&*store).await?;
    let (a, b) = (a.id, b.id);
    let c = ctx()?;
    let rows = [
        ov(Some(a), date(2025, 9, 5)?, false, "Ngày hội huyện"),
        ov(None, date(2025, 9, 2)?, false, "Quốc khánh"),
        ov(Some(a), date(2025, 9, 2)?, true, "Trực Quốc khánh"),
        ov(None, date(2025, 10, 11)?, true, "Làm bù"),
        ov(Some(b), date(2025, 9, 3)?, false, "Bầu cử"),
        ov(None, date(2025, 9, 1)?, false, "Nghỉ bù Quốc khánh"),
        ov(None, date(2025, 8, 31)?, false, "Ngoài khoảng"),
    ];
    for r in &rows {
        store.put_calendar_override(&c, r).await?;
    }
    let (from, to) = (date(2025, 9, 1)?, date(2025, 9, 30)?);

    assert_eq!(
        store.calendar_overrides(Some(a), from, to).await?,
        vec![
            ov(None, date(2025, 9, 1)?, false, "Nghỉ bù Quốc khánh"),
            ov(None, date(2025, 9, 2)?, false, "Quốc khánh"),
            ov(Some(a), date(2025, 9, 2)?, true, "Trực Quốc khánh"),
            ov(Some(a), date(2025, 9, 5)?, false, "Ngày hội huyện"),
        ]
    );
    assert_eq!(
        store.calendar_overrides(None, from, to).await?,
        vec![
            ov(None, date(2025, 9, 1)?, false, "Nghỉ bù Quốc khánh"),
            ov(None, date(2025, 9, 2)?, false, "Quốc khánh"),
        ]
    );
    assert_eq!(
        store.calendar_overrides(Some(b), from, to).await?,
        vec![
            ov(None, date(2025, 9, 1)?, false, "Nghỉ bù Quốc khánh"),
            ov(None, date(2025, 9, 2)?, false, "Quốc khánh"),
            ov(Some(b), date(2025, 9, 3)?, false, "Bầu cử"),
        ]
    );
    // Both ends are inclusive.
    assert_eq!(
        store
            .calendar_overrides(None, date(2025, 9, 2)?, date(2025, 10, 11)?)
            .await?,
        vec![
            ov(None, date(2025, 9, 2)?, false, "Quốc khánh"),
            ov(None, date(2025, 10, 11)?, true, "Làm bù"),
        ]
    );
    assert_eq!(
        store
            .calendar_overrides(None, date(2026, 1, 1)?, date(2026, 12, 31)?)
            .await?,
        vec![]
    );
    Ok(())
}

/// Putting an override for a date and scope that has one replaces it, for the
/// global scope (no unit) as well as a unit's.
pub async fn putting_an_override_again_replaces_it(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let [p, ..] = three_units(&*store).await?;
    let d = date(2025, 9, 2)?;
    let c = ctx()?;
    store
        .put_calendar_override(&c, &ov(None, d, false, "Quốc khánh"))
        .await?;
    store
        .put_calendar_override(&c, &ov(Some(p.id), d, false, "Nghỉ"))
        .await?;
    store
        .put_calendar_override(&c, &ov(None, d, true, "Làm việc"))
        .await?;
    store
        .put_calendar_override(&c, &ov(Some(p.id), d, true, "Trực"))
        .await?;
    assert_eq!(
        store.calendar_overrides(Some(p.id), d, d).await?,
        vec![
            ov(None, d, true, "Làm việc"),
            ov(Some(p.id), d, true, "Trực")
        ]
    );
    assert_eq!(
        db.query_i64("SELECT count(*) FROM calendar_overrides")
            .await?,
        2
    );
    Ok(())
}

/// Deleting removes only that scope's override; deleting it again, or one for
/// an unknown unit, is `NotFound` and writes no audit entry.
pub async fn deleting_an_override_removes_only_that_scope(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let [p, ..] = three_units(&*store).await?;
    let d = date(2025, 9, 2)?;
    let c = ctx()?;
    store
        .put_calendar_override(&c, &ov(None, d, false, "Quốc khánh"))
        .await?;
    store
        .put_calendar_override(&c, &ov(Some(p.id), d, true, "Trực"))
        .await?;
    store.delete_calendar_override(&c, None, d).await?;
    assert_eq!(
        store.calendar_overrides(Some(p.id), d, d).await?,
        vec![ov(Some(p.id), d, true, "Trực")]
    );
    let before = audit_count(&*store).await?;
    let err = expect_err(
        store.delete_calendar_override(&c, None, d).await,
        "delete twice",
    )?;
    assert!(matches!(err, ServiceError::NotFound { .. }), "{err:?}");
    let err = expect_err(
        store.delete_calendar_override(&c, Some(424_242), d).await,
        "unknown unit",
    )?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "unit", .. }),
        "{err:?}"
    );
    assert_eq!(audit_count(&*store).await?, before);
    Ok(())
}

/// An override or office hours for a unit that does not exist is `NotFound`
/// and leaves no row and no audit entry.
pub async fn calendar_rows_for_an_unknown_unit_are_not_found(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let c = ctx()?;
    let d = date(2025, 9, 2)?;
    let err = expect_err(
        store
            .put_calendar_override(&c, &ov(Some(424_242), d, false, "x"))
            .await,
        "override",
    )?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "unit", .. }),
        "{err:?}"
    );
    let row = OfficeHoursRow {
        unit_id: 424_242,
        valid_from: d,
        valid_to: None,
        sessions: vec![(Time::constant(7, 0, 0, 0), Time::constant(11, 30, 0, 0))],
    };
    let err = expect_err(store.put_office_hours(&c, &row).await, "office hours")?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "unit", .. }),
        "{err:?}"
    );
    let err = expect_err(store.office_hours(424_242).await, "read office hours")?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "unit", .. }),
        "{err:?}"
    );
    assert_eq!(store.calendar_overrides(None, d, d).await?, vec![]);
    assert_eq!(audit_count(&*store).await?, 0);
    Ok(())
}

/// Office hours come back ordered by start date with their sessions; putting
/// a row with the same start replaces it; a unit without rows has none.
pub async fn office_hours_are_ordered_and_replaced_by_start_date(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let [p, d, _] = three_units(&*store).await?;
    let t = |h, m| Time::constant(h, m, 0, 0);
    let summer = vec![(t(7, 0), t(11, 30)), (t(13, 30), t(17, 0))];
    let winter = vec![(t(7, 30), t(11, 30)), (t(13, 0), t(16, 30))];
    let row = |from: Date, to: Option<Date>, sessions: &Vec<(Time, Time)>| OfficeHoursRow {
        unit_id: p.id,
        valid_from: from,
        valid_to: to,
        sessions: sessions.clone(),
    };
    let c = ctx()?;
    let r2025 = row(date(2025, 1, 1)?, Some(date(2025, 6, 30)?), &summer);
    let r2024 = row(date(2024, 1, 1)?, Some(date(2024, 12, 31)?), &winter);
    let now = row(date(2025, 7, 1)?, None, &summer);
    for r in [&r2025, &r2024, &now] {
        store.put_office_hours(&c, r).await?;
    }
    assert_eq!(
        store.office_hours(p.id).await?,
        vec![r2024.clone(), r2025.clone(), now]
    );

    let saturday_too = vec![(t(7, 0), t(11, 0))];
    let replaced = row(date(2025, 7, 1)?, Some(date(2025, 12, 31)?), &saturday_too);
    store.put_office_hours(&c, &replaced).await?;
    assert_eq!(
        store.office_hours(p.id).await?,
        vec![r2024, r2025, replaced]
    );
    assert_eq!(store.office_hours(d.id).await?, vec![]);

    let backwards = row(date(2026, 1, 1)?, Some(date(2025, 1, 1)?), &summer);
    let err = expect_err(store.put_office_hours(&c, &backwards).await, "ends early")?;
    assert!(
        matches!(&err, ServiceError::Invalid { field, .. } if field == "valid_to"),
        "{err:?}"
    );
    Ok(())
}

/// Calendar changes are audited against the unit's code or `calendar:global`.
pub async fn calendar_changes_are_audited_by_scope(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let [p, ..] = three_units(&*store).await?;
    let d = date(2025, 9, 2)?;
    let c = ctx()?;
    store
        .put_calendar_override(&c, &ov(None, d, false, "Quốc khánh"))
        .await?;
    store
        .put_calendar_override(&c, &ov(Some(p.id), d, true, "Trực"))
        .await?;
    store.delete_calendar_override(&c, Some(p.id), d).await?;
    store
        .put_office_hours(
            &c,
            &OfficeHoursRow {
                unit_id: p.id,
                valid_from: d,
                valid_to: None,
                sessions: vec![(Time::constant(7, 0, 0, 0), Time::constant(17, 0, 0, 0))],
            },
        )
        .await?;
    let entries = entry_summary(&*store).await?;
    assert_eq!(
        entries[3..],
        summary(&[
            (4, "admin", "calendar.override_put", "calendar:global"),
            (5, "admin", "calendar.override_put", "unit:000.00.00.H99"),
            (6, "admin", "calendar.override_delete", "unit:000.00.00.H99"),
            (7, "admin", "office_hours.put", "unit:000.00.00.H99"),
        ])[..]
    );
    Ok(())
}

/// The calendar revision moves with every committed change to what a
/// calendar is built from (a correction put or deleted, office hours, a
/// setting) and stays while only reads happen: nodes compare it with the
/// revision their cached calendars were loaded at.
pub async fn the_calendar_revision_moves_with_every_calendar_change(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let [p, _, _] = three_units(&*store).await?;
    let c = ctx()?;
    let start = store.calendar_revision().await?;
    let day = date(2025, 9, 5)?;
    store
        .put_calendar_override(&c, &ov(Some(p.id), day, false, "Ngày hội"))
        .await?;
    let after_put = store.calendar_revision().await?;
    assert!(after_put > start, "{after_put} after {start}");
    store.calendar_overrides(Some(p.id), day, day).await?;
    store.office_hours(p.id).await?;
    assert_eq!(
        store.calendar_revision().await?,
        after_put,
        "reads move nothing"
    );
    store.delete_calendar_override(&c, Some(p.id), day).await?;
    let after_delete = store.calendar_revision().await?;
    assert!(after_delete > after_put);
    let hours = OfficeHoursRow {
        unit_id: p.id,
        valid_from: day,
        valid_to: None,
        sessions: vec![(Time::constant(7, 30, 0, 0), Time::constant(11, 30, 0, 0))],
    };
    store.put_office_hours(&c, &hours).await?;
    let after_hours = store.calendar_revision().await?;
    assert!(after_hours > after_delete);
    store
        .put_setting(
            &c,
            "global",
            "calendar.culture_day_from",
            &serde_json::json!(2026),
        )
        .await?;
    assert!(store.calendar_revision().await? > after_hours);
    Ok(())
}
