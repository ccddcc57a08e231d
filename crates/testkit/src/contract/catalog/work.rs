//! The catalog at the units: assignments, internal processes, reviews and
//! the counts by level.

use jiff::civil::Date;
use motcua_domain::catalog::{Money, OnlineLevel};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::role::Role;
use motcua_domain::unit::{Level, UnitKind};
use motcua_service::ServiceError;
use motcua_service::store::{LevelCounts, NewProcess, NewReview, Process, ProcessStep, Store};

use super::{code, draft, is_invalid_on};
use crate::contract::units::three_units;
use crate::contract::{
    TestDb, audit_count, ctx, date, entry_summary, expect_err, new_unit, summary,
};

/// Assigning twice changes and records nothing; removing a missing
/// assignment, or assigning to an unknown unit or procedure, is `NotFound`.
pub async fn assignments_are_idempotent_and_audited_when_they_change(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let [_, district, commune] = three_units(&*store).await?;
    let birth = code("1.001193")?;
    store
        .insert_procedure(&ctx()?, &draft("1.001193", "Đăng ký khai sinh", "Hộ tịch")?)
        .await?;
    assert_eq!(store.procedure_units(&birth).await?, Vec::<i64>::new());
    store.assign_procedure(&ctx()?, &birth, commune.id).await?;
    store.assign_procedure(&ctx()?, &birth, commune.id).await?;
    store.assign_procedure(&ctx()?, &birth, district.id).await?;
    assert_eq!(
        store.procedure_units(&birth).await?,
        vec![district.id, commune.id]
    );
    store
        .unassign_procedure(&ctx()?, &birth, district.id)
        .await?;
    assert_eq!(store.procedure_units(&birth).await?, vec![commune.id]);

    let err = expect_err(
        store.unassign_procedure(&ctx()?, &birth, district.id).await,
        "removed twice",
    )?;
    assert!(
        matches!(
            &err,
            ServiceError::NotFound {
                what: "assignment",
                ..
            }
        ),
        "{err:?}"
    );
    let err = expect_err(
        store.assign_procedure(&ctx()?, &birth, 424_242).await,
        "unknown unit",
    )?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "unit", key } if key == "424242"),
        "{err:?}"
    );
    let unknown = code("1.000001")?;
    for err in [
        expect_err(
            store.assign_procedure(&ctx()?, &unknown, commune.id).await,
            "unknown procedure",
        )?,
        expect_err(
            store
                .unassign_procedure(&ctx()?, &unknown, commune.id)
                .await,
            "unknown procedure",
        )?,
        expect_err(store.procedure_units(&unknown).await, "unknown procedure")?,
    ] {
        assert!(
            matches!(
                &err,
                ServiceError::NotFound {
                    what: "procedure",
                    ..
                }
            ),
            "{err:?}"
        );
    }
    assert_eq!(store.procedure_units(&birth).await?, vec![commune.id]);
    let subject = "procedure:1.001193";
    assert_eq!(
        entry_summary(&*store).await?[3..],
        summary(&[
            (4, "admin", "procedure.create", subject),
            (5, "admin", "procedure.assign", subject),
            (6, "admin", "procedure.assign", subject),
            (7, "admin", "procedure.unassign", subject),
        ])
    );
    Ok(())
}

fn step(
    name: &str,
    unit_id: i64,
    role: Role,
    days: u32,
    external: bool,
) -> anyhow::Result<ProcessStep> {
    Ok(ProcessStep {
        name: name.to_owned(),
        unit_id,
        role,
        allotted: TimeLimit::working_days(days)?,
        external,
    })
}

fn new_process(
    c: &str,
    unit_id: i64,
    from: Date,
    steps: Vec<ProcessStep>,
) -> anyhow::Result<NewProcess> {
    Ok(NewProcess {
        procedure_code: code(c)?,
        unit_id,
        decision: format!("Quyết định số {}/QĐ-UBND", from.day()),
        effective_from: from,
        steps,
    })
}

/// What `insert_process` returns and `processes` reads back.
fn expected(id: i64, procedure_id: i64, version_no: u32, p: &NewProcess) -> Process {
    Process {
        id,
        procedure_id,
        procedure_code: p.procedure_code.clone(),
        unit_id: p.unit_id,
        version_no,
        decision: p.decision.clone(),
        effective_from: p.effective_from,
        steps: p.steps.clone(),
    }
}

/// Versions number 1, 2, … per (procedure, unit); a date sees the latest
/// version started by then, ordered by code then unit; refusals change nothing.
pub async fn processes_are_versioned_per_procedure_and_unit(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let [province, district, commune] = three_units(&*store).await?;
    let a = store
        .insert_procedure(&ctx()?, &draft("1.000894", "Đăng ký kết hôn", "Hộ tịch")?)
        .await?;
    let b = store
        .insert_procedure(
            &ctx()?,
            &draft("1.009972", "Cấp giấy phép xây dựng", "Xây dựng")?,
        )
        .await?;
    let steps_v1 = vec![
        step("Tiếp nhận hồ sơ", district.id, Role::DeskOfficer, 1, false)?,
        step("Thẩm định hồ sơ", province.id, Role::Specialist, 2, true)?,
    ];
    let mut steps_v2 = steps_v1.clone();
    steps_v2.push(ProcessStep {
        allotted: TimeLimit::working_hours(4)?,
        ..step("Ký duyệt", district.id, Role::Leader, 1, false)?
    });
    let a_d1 = new_process("1.000894", district.id, date(2025, 1, 1)?, steps_v1.clone())?;
    let a_d2 = new_process("1.000894", district.id, date(2025, 7, 1)?, steps_v2)?;
    let a_c1 = new_process("1.000894", commune.id, date(2025, 3, 1)?, steps_v1.clone())?;
    let b_d1 = new_process("1.009972", district.id, date(2025, 8, 1)?, steps_v1.clone())?;
    let mut got = Vec::new();
    for p in [&a_d1, &a_d2, &a_c1, &b_d1] {
        got.push(store.insert_process(&ctx()?, p).await?);
    }
    let want = [
        expected(got[0].id, a.procedure_id, 1, &a_d1),
        expected(got[1].id, a.procedure_id, 2, &a_d2),
        expected(got[2].id, a.procedure_id, 1, &a_c1),
        expected(got[3].id, b.procedure_id, 1, &b_d1),
    ];
    assert_eq!(got, want);
    let [v1, v2, c1, b1] = want;

    assert_eq!(store.processes(&[], date(2024, 12, 31)?).await?, vec![]);
    assert_eq!(
        store.processes(&[], date(2025, 6, 30)?).await?,
        vec![v1.clone(), c1.clone()]
    );
    assert_eq!(
        store.processes(&[], date(2025, 7, 1)?).await?,
        vec![v2.clone(), c1.clone()]
    );
    assert_eq!(
        store.processes(&[district.id], date(2025, 8, 1)?).await?,
        vec![v2.clone(), b1.clone()]
    );
    assert_eq!(
        store
            .processes(&[commune.id, province.id], date(2025, 8, 1)?)
            .await?,
        vec![c1.clone()]
    );

    let entries = audit_count(&*store).await?;
    let refusals: [(NewProcess, &str); 5] = [
        (
            new_process("1.000001", district.id, date(2025, 9, 1)?, steps_v1.clone())?,
            "procedure",
        ),
        (
            new_process("1.000894", 424_242, date(2025, 9, 1)?, steps_v1.clone())?,
            "unit",
        ),
        (
            new_process(
                "1.000894",
                district.id,
                date(2025, 9, 1)?,
                vec![
                    steps_v1[0].clone(),
                    step("Thẩm định", 424_242, Role::Specialist, 1, true)?,
                ],
            )?,
            "steps[1].unit_id",
        ),
        (
            new_process(
                "1.000894",
                district.id,
                date(2025, 6, 30)?,
                steps_v1.clone(),
            )?,
            "effective_from",
        ),
        (
            new_process("1.000894", district.id, date(2025, 9, 1)?, vec![])?,
            "steps",
        ),
    ];
    for (p, at) in refusals {
        let err = expect_err(store.insert_process(&ctx()?, &p).await, at)?;
        let fits = match at {
            "procedure" => matches!(
                &err,
                ServiceError::NotFound {
                    what: "procedure",
                    ..
                }
            ),
            "unit" => matches!(&err, ServiceError::NotFound { what: "unit", .. }),
            field => is_invalid_on(&err, field),
        };
        assert!(fits, "{at}: {err:?}");
    }
    let mut same_day = step("Trả kết quả", district.id, Role::DeskOfficer, 1, false)?;
    same_day.allotted = TimeLimit::SameDay;
    let err = expect_err(
        store
            .insert_process(
                &ctx()?,
                &new_process("1.000894", district.id, date(2025, 9, 1)?, vec![same_day])?,
            )
            .await,
        "same-day step",
    )?;
    assert!(is_invalid_on(&err, "steps[0].allotted"), "{err:?}");
    assert_eq!(audit_count(&*store).await?, entries);
    assert_eq!(
        store.processes(&[], date(2030, 1, 1)?).await?,
        vec![v2, c1, b1]
    );
    Ok(())
}

fn new_review(
    c: &str,
    unit_id: i64,
    year: i16,
    before: u32,
    after: u32,
) -> anyhow::Result<NewReview> {
    Ok(NewReview {
        unit_id,
        procedure_code: code(c)?,
        year,
        limit_before: TimeLimit::working_days(before)?,
        limit_after: TimeLimit::working_days(after)?,
        components_removed: before - after,
        decision: format!("Quyết định số {year}/QĐ-UBND phê duyệt phương án đơn giản hóa"),
        effective: date(year, 12, 1)?,
    })
}

/// Review items read back whole, by unit and year, ordered by year, code,
/// unit; an unknown procedure or unit is `NotFound` and writes nothing.
pub async fn reviews_filter_by_unit_and_year(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let [_, district, commune] = three_units(&*store).await?;
    for (c, name) in [
        ("1.009972", "Cấp giấy phép xây dựng"),
        ("1.001193", "Đăng ký khai sinh"),
    ] {
        store
            .insert_procedure(&ctx()?, &draft(c, name, "Lĩnh vực")?)
            .await?;
    }
    let items = [
        new_review("1.009972", district.id, 2025, 15, 12)?,
        new_review("1.009972", district.id, 2024, 20, 15)?,
        new_review("1.001193", commune.id, 2025, 5, 3)?,
        new_review("1.001193", district.id, 2025, 5, 4)?,
    ];
    let mut stored = Vec::new();
    for r in &items {
        let got = store.insert_review(&ctx()?, r).await?;
        assert_eq!(
            (
                got.unit_id,
                &got.procedure_code,
                got.year,
                got.limit_before,
                got.limit_after,
                got.components_removed,
                &got.decision,
                got.effective
            ),
            (
                r.unit_id,
                &r.procedure_code,
                r.year,
                r.limit_before,
                r.limit_after,
                r.components_removed,
                &r.decision,
                r.effective
            )
        );
        stored.push(got);
    }
    let [r0, r1, r2, r3] = <[_; 4]>::try_from(stored).map_err(|_| anyhow::anyhow!("four"))?;
    assert_eq!(
        store.reviews(&[], None).await?,
        vec![r1.clone(), r3.clone(), r2.clone(), r0.clone()]
    );
    assert_eq!(
        store.reviews(&[district.id], Some(2025)).await?,
        vec![r3.clone(), r0.clone()]
    );
    assert_eq!(store.reviews(&[commune.id], None).await?, vec![r2.clone()]);
    assert_eq!(store.reviews(&[], Some(2024)).await?, vec![r1]);
    assert_eq!(store.reviews(&[], Some(2023)).await?, vec![]);

    let entries = audit_count(&*store).await?;
    let err = expect_err(
        store
            .insert_review(&ctx()?, &new_review("1.000001", district.id, 2025, 5, 3)?)
            .await,
        "unknown procedure",
    )?;
    assert!(
        matches!(
            &err,
            ServiceError::NotFound {
                what: "procedure",
                ..
            }
        ),
        "{err:?}"
    );
    let err = expect_err(
        store
            .insert_review(&ctx()?, &new_review("1.001193", 424_242, 2025, 5, 3)?)
            .await,
        "unknown unit",
    )?;
    assert!(
        matches!(&err, ServiceError::NotFound { what: "unit", .. }),
        "{err:?}"
    );
    assert_eq!(audit_count(&*store).await?, entries);
    assert_eq!(store.reviews(&[], None).await?.len(), 4);
    Ok(())
}

/// Adds a procedure with its online level, fee and first day, assigned to units.
async fn counted(
    store: &dyn Store,
    c: &str,
    online: OnlineLevel,
    fee: i64,
    from: Date,
    units: &[i64],
) -> anyhow::Result<()> {
    let mut d = draft(c, &format!("Thủ tục {c}"), "Lĩnh vực")?;
    d.online_level = online;
    d.fee = Money::dong(fee)?;
    d.effective_from = from;
    store.insert_procedure(&ctx()?, &d).await?;
    for u in units {
        store.assign_procedure(&ctx()?, &d.code, *u).await?;
    }
    Ok(())
}

fn counts(level: Level, figures: [u32; 6]) -> LevelCounts {
    let [
        procedures,
        full_process,
        partial,
        not_online,
        with_fee,
        processes,
    ] = figures;
    LevelCounts {
        level,
        procedures,
        full_process,
        partial,
        not_online,
        with_fee,
        processes,
    }
}

/// Counts for a hand-built catalog equal the hand count (each figure's
/// procedures are listed next to it).
pub async fn catalog_counts_match_a_hand_count(db: &TestDb) -> anyhow::Result<()> {
    use OnlineLevel::{FullProcess as Full, None as Offline, Partial};
    let store = db.store();
    let s = &*store;
    let [province, d, x] = three_units(s).await?;
    let x2 = store
        .insert_unit(
            &ctx()?,
            &new_unit(
                "000.00.12.H99",
                "Ủy ban nhân dân xã Bắc",
                UnitKind::Commune,
                Level::Commune,
                Some(d.id),
            )?,
        )
        .await?;
    let jan = date(2024, 1, 1)?;
    // District: D1–D3 full (D1 50.000 đ), D4–D5 partial (D4 100.000 đ).
    counted(s, "1.000001", Full, 50_000, jan, &[d.id, x.id]).await?;
    counted(s, "1.000002", Full, 0, jan, &[d.id]).await?;
    counted(s, "1.000003", Full, 0, jan, &[d.id]).await?;
    counted(s, "1.000004", Partial, 100_000, jan, &[d.id]).await?;
    counted(s, "1.000005", Partial, 0, jan, &[d.id]).await?;
    // Not in force before 2026.
    counted(s, "1.000006", Offline, 0, date(2026, 1, 1)?, &[d.id]).await?;
    // Commune: C1 full at both communes (counted once), C2 partial, C3 and
    // C4 offline (C3 10.000 đ); D1 is also assigned to commune x.
    counted(s, "2.000001", Full, 0, jan, &[x.id, x2.id]).await?;
    counted(s, "2.000002", Partial, 0, jan, &[x.id]).await?;
    counted(s, "2.000003", Offline, 10_000, jan, &[x.id]).await?;
    counted(s, "2.000004", Offline, 0, jan, &[x.id]).await?;
    // V: offline and free until 30 September 2025, then full with a fee.
    counted(s, "2.000005", Offline, 0, jan, &[x.id]).await?;
    let mut v2 = store.procedure(&code("2.000005")?, None).await?.draft;
    v2.online_level = Full;
    v2.fee = Money::dong(20_000)?;
    v2.effective_from = date(2025, 10, 1)?;
    store.add_procedure_version(&ctx()?, &v2).await?;
    // A procedure assigned nowhere counts nowhere.
    counted(s, "2.000006", Full, 0, jan, &[]).await?;

    let steps = vec![ProcessStep {
        name: "Giải quyết".to_owned(),
        unit_id: d.id,
        role: Role::Specialist,
        allotted: TimeLimit::working_days(1)?,
        external: false,
    }];
    let process = |c: &str, unit_id: i64, from: Date| -> anyhow::Result<NewProcess> {
        Ok(NewProcess {
            procedure_code: code(c)?,
            unit_id,
            decision: "Quyết định số 1/QĐ-UBND".to_owned(),
            effective_from: from,
            steps: steps.clone(),
        })
    };
    // District: D1 (two versions, one in force), D2; D3 from December.
    for (c, unit, from) in [
        ("1.000001", d.id, date(2025, 1, 1)?),
        ("1.000001", d.id, date(2025, 6, 1)?),
        ("1.000002", d.id, date(2025, 1, 1)?),
        ("1.000003", d.id, date(2025, 12, 1)?),
        ("2.000001", x.id, date(2025, 1, 1)?),
        ("2.000001", x2.id, date(2025, 2, 1)?),
    ] {
        store
            .insert_process(&ctx()?, &process(c, unit, from)?)
            .await?;
    }

    let all = [province.id, d.id, x.id, x2.id];
    // procedures, full, partial, offline, with fee, processes
    assert_eq!(
        store.catalog_counts(&all, date(2025, 9, 1)?).await?,
        vec![
            // D1–D5; D1–D3; D4, D5; –; D1, D4; D1, D2.
            counts(Level::District, [5, 3, 2, 0, 2, 2]),
            // C1–C4, D1, V; C1, D1; C2; C3, C4, V; C3, D1; C1 at x and x2.
            counts(Level::Commune, [6, 2, 1, 3, 2, 2]),
        ]
    );
    assert_eq!(
        store.catalog_counts(&all, date(2025, 10, 1)?).await?,
        vec![
            counts(Level::District, [5, 3, 2, 0, 2, 2]),
            // V is now full and charged.
            counts(Level::Commune, [6, 3, 1, 2, 3, 2]),
        ]
    );
    assert_eq!(
        store.catalog_counts(&all, date(2026, 1, 1)?).await?,
        vec![
            // D6 in force, D3's process too.
            counts(Level::District, [6, 3, 2, 1, 2, 3]),
            counts(Level::Commune, [6, 3, 1, 2, 3, 2]),
        ]
    );
    assert_eq!(
        store.catalog_counts(&[x2.id], date(2025, 9, 1)?).await?,
        vec![counts(Level::Commune, [1, 1, 0, 0, 0, 1])]
    );
    assert_eq!(
        store.catalog_counts(&[d.id], date(2025, 9, 1)?).await?,
        vec![counts(Level::District, [5, 3, 2, 0, 2, 2])]
    );
    assert_eq!(
        store
            .catalog_counts(&[province.id], date(2025, 9, 1)?)
            .await?,
        vec![]
    );
    assert_eq!(
        store.catalog_counts(&all, date(2023, 12, 31)?).await?,
        vec![]
    );
    Ok(())
}

/// Ten process versions for one (procedure, unit) added at once through two
/// nodes number 1 to 10 without gaps or repeats: catalog writers queue
/// behind one another on every backend, and the audit chain holds.
pub async fn concurrent_process_versions_from_two_nodes_number_one_to_ten(
    db: &TestDb,
) -> anyhow::Result<()> {
    let a = db.store();
    let b = motcua_storage::open(db.url()).await?;
    let [_, district, _] = three_units(&*a).await?;
    a.insert_procedure(&ctx()?, &draft("1.000894", "Đăng ký kết hôn", "Hộ tịch")?)
        .await?;
    let p = new_process(
        "1.000894",
        district.id,
        date(2025, 1, 1)?,
        vec![step("Thẩm định", district.id, Role::Specialist, 2, false)?],
    )?;
    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        let p = p.clone();
        tasks.push(tokio::spawn(async move {
            store
                .insert_process(&ctx()?, &p)
                .await
                .map(|x| x.version_no)
                .map_err(anyhow::Error::from)
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await??);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=10).collect::<Vec<u32>>());
    let current = a.processes(&[district.id], date(2025, 1, 1)?).await?;
    assert_eq!(
        current.iter().map(|x| x.version_no).collect::<Vec<_>>(),
        [10]
    );
    let entries = crate::contract::all_entries(&*a).await?;
    assert_eq!(entries.len(), 3 + 1 + 10);
    assert_eq!(motcua_domain::audit::verify_chain(&entries), Ok(14));
    drop(b);
    Ok(())
}

/// An import's unit assignments belong to its transaction: an assignment to
/// a unit that does not exist refuses the whole import, naming the row, and
/// a good one lands with the procedures.
pub async fn import_assignments_are_all_or_nothing(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let [_, d, x] = three_units(&*store).await?;
    let a = draft("1.000894", "Đăng ký kết hôn", "Hộ tịch")?;
    let b = draft("1.000656", "Đăng ký khai tử", "Hộ tịch")?;
    let audit_before = audit_count(&*store).await?;
    let err = store
        .import_procedures(&ctx()?, &[a.clone(), b.clone()], &[(0, d.id), (1, 999_999)])
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("an assignment to an unknown unit was accepted"))?;
    match &err {
        ServiceError::Invalid { field, .. } => assert!(field.starts_with("rows[1]"), "{err:?}"),
        ServiceError::NotFound { what, .. } => assert_eq!(*what, "unit", "{err:?}"),
        other => anyhow::bail!("unexpected {other:?}"),
    }
    assert!(
        store.procedure_versions(&a.code).await.is_err(),
        "no procedure was created"
    );
    assert_eq!(audit_count(&*store).await?, audit_before);
    let outcome = store
        .import_procedures(
            &ctx()?,
            &[a.clone(), b.clone()],
            &[(0, d.id), (1, x.id), (1, d.id)],
        )
        .await?;
    assert_eq!(outcome.created, 2);
    assert_eq!(store.procedure_units(&a.code).await?, vec![d.id]);
    let mut units_b = store.procedure_units(&b.code).await?;
    units_b.sort_unstable();
    let mut want = vec![x.id, d.id];
    want.sort_unstable();
    assert_eq!(units_b, want);
    Ok(())
}
