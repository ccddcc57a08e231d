//! Procedures and their versions: round trips, conflicts, versioning and
//! imports.

use motcua_domain::catalog::{
    ApplicantKind, Component, ComponentForm, Money, OnlineLevel, ProcedureDraft, Requirement,
    ResultType,
};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::unit::Level;
use motcua_service::ServiceError;
use motcua_service::store::{ImportOutcome, ProcedureFilter, ProcedureVersion, Store};

use super::{code, codes, draft, is_invalid_on, latest, page};
use crate::contract::{TestDb, audit_count, ctx, ctx_at, date, entry_summary, expect_err, summary};

/// The construction-permit draft with every field set to something other
/// than its default, for round trips.
fn building_permit() -> anyhow::Result<ProcedureDraft> {
    Ok(ProcedureDraft {
        code: code("1.009972.000.00.00.H99")?,
        name: "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ".to_owned(),
        field: "Hoạt động xây dựng".to_owned(),
        levels: vec![Level::District, Level::Commune],
        agency: "Ủy ban nhân dân cấp xã; Phòng Kinh tế, Hạ tầng và Đô thị".to_owned(),
        time_limit: TimeLimit::working_days(15)?,
        online_time_limit: Some(TimeLimit::working_days(12)?),
        online_level: OnlineLevel::FullProcess,
        fee: Money::dong(75_000)?,
        fee_note: "Nhà ở riêng lẻ: 75.000 đồng/giấy phép; miễn cho hộ nghèo".to_owned(),
        result_type: ResultType::Licence,
        legal_basis: "Luật Xây dựng số 50/2014/QH13; Nghị định 175/2024/NĐ-CP".to_owned(),
        applicant: ApplicantKind::Both,
        effective_from: date(2024, 12, 30)?,
        components: vec![
            Component {
                name: "Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01)".to_owned(),
                form: ComponentForm::Original,
                copies: 1,
                requirement: Requirement::Mandatory,
                must_digitise: true,
                form_template: Some("mau-01-don-de-nghi.docx".to_owned()),
            },
            Component {
                name: "Bản sao giấy tờ chứng minh quyền sử dụng đất".to_owned(),
                form: ComponentForm::CertifiedCopy,
                copies: 2,
                requirement: Requirement::Mandatory,
                must_digitise: true,
                form_template: None,
            },
            Component {
                name: "Bản vẽ thiết kế xây dựng".to_owned(),
                form: ComponentForm::OriginalOrCopy,
                copies: 2,
                requirement: Requirement::Conditional,
                must_digitise: false,
                form_template: None,
            },
            Component {
                name: "Cam kết bảo đảm an toàn công trình liền kề".to_owned(),
                form: ComponentForm::Copy,
                copies: 1,
                requirement: Requirement::Optional,
                must_digitise: false,
                form_template: None,
            },
        ],
    })
}

/// Every field of a draft reads back exactly (components in order, Vietnamese
/// text intact) by code, by date, among the versions and in the list; the
/// change is audited under the procedure's code.
pub async fn procedures_read_back_every_field(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let d = building_permit()?;
    let v = store.insert_procedure(&ctx_at("lan", 5)?, &d).await?;
    let expected = ProcedureVersion {
        procedure_id: v.procedure_id,
        version_id: v.version_id,
        version_no: 1,
        draft: d.clone(),
        effective_to: None,
        created_at: jiff::Timestamp::from_millisecond(crate::contract::T0_MS + 5)?,
    };
    assert_eq!(v, expected);
    assert_eq!(store.procedure(&d.code, None).await?, expected);
    assert_eq!(
        store.procedure(&d.code, Some(date(2024, 12, 30)?)).await?,
        expected
    );
    assert_eq!(
        store.procedure(&d.code, Some(date(2031, 1, 1)?)).await?,
        expected
    );
    assert_eq!(
        store.procedure_versions(&d.code).await?,
        vec![expected.clone()]
    );
    assert_eq!(
        store.list_procedures(&latest(), &page(None, 10)).await?,
        vec![expected]
    );
    assert_eq!(
        entry_summary(&*store).await?,
        summary(&[(
            1,
            "lan",
            "procedure.create",
            "procedure:1.009972.000.00.00.H99"
        )])
    );

    // Nothing was in force before its first day; unknown codes are not found.
    let err = expect_err(
        store.procedure(&d.code, Some(date(2024, 12, 29)?)).await,
        "before the first version",
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
    let unknown = code("1.000001")?;
    for err in [
        expect_err(store.procedure(&unknown, None).await, "unknown")?,
        expect_err(store.procedure_versions(&unknown).await, "unknown")?,
    ] {
        assert!(
            matches!(&err, ServiceError::NotFound { what: "procedure", key } if key == "1.000001"),
            "{err:?}"
        );
    }
    Ok(())
}

/// A second procedure with a taken code is `Conflict` naming the code and
/// leaves the first, the list and the log as they were.
pub async fn duplicate_procedure_code_is_conflict_and_changes_nothing(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let first = store
        .insert_procedure(&ctx()?, &draft("1.001193", "Đăng ký khai sinh", "Hộ tịch")?)
        .await?;
    let again = draft("1.001193", "Đăng ký khai sinh lưu động", "Hộ tịch")?;
    let err = expect_err(store.insert_procedure(&ctx()?, &again).await, "taken code")?;
    assert!(
        matches!(&err, ServiceError::Conflict(m) if m.contains("1.001193")),
        "{err:?}"
    );
    assert_eq!(
        store.list_procedures(&latest(), &page(None, 10)).await?,
        vec![first]
    );
    assert_eq!(audit_count(&*store).await?, 1);

    // A draft that breaks the domain's rules is refused before anything is written.
    let mut blank = draft("1.000894", "Đăng ký kết hôn", "Hộ tịch")?;
    blank.name = "  ".to_owned();
    let err = expect_err(store.insert_procedure(&ctx()?, &blank).await, "blank name")?;
    assert!(is_invalid_on(&err, "name"), "{err:?}");
    assert_eq!(audit_count(&*store).await?, 1);
    Ok(())
}

/// A new version applies from its date, and the one before it ends the day
/// before; an effective date not after the latest is `Invalid` on
/// `effective_from` and changes nothing; an unknown code is `NotFound`.
pub async fn versions_follow_each_other_by_effective_date(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let v1 = store
        .insert_procedure(&ctx()?, &draft("1.001193", "Đăng ký khai sinh", "Hộ tịch")?)
        .await?;
    let mut d2 = draft("1.001193", "Đăng ký khai sinh", "Hộ tịch")?;
    d2.time_limit = TimeLimit::SameDay;
    d2.online_level = OnlineLevel::FullProcess;
    d2.effective_from = date(2025, 7, 1)?;
    let v2 = store.add_procedure_version(&ctx_at("an", 9)?, &d2).await?;
    assert_eq!(
        (v2.procedure_id, v2.version_no, v2.effective_to, &v2.draft),
        (v1.procedure_id, 2, None, &d2)
    );
    assert_ne!(v2.version_id, v1.version_id);

    let closed = ProcedureVersion {
        effective_to: Some(date(2025, 6, 30)?),
        ..v1.clone()
    };
    let key = code("1.001193")?;
    assert_eq!(
        store.procedure(&key, Some(date(2024, 1, 1)?)).await?,
        closed
    );
    assert_eq!(
        store.procedure(&key, Some(date(2025, 6, 30)?)).await?,
        closed
    );
    assert_eq!(store.procedure(&key, Some(date(2025, 7, 1)?)).await?, v2);
    assert_eq!(store.procedure(&key, None).await?, v2);
    assert_eq!(
        store.procedure_versions(&key).await?,
        vec![closed.clone(), v2.clone()]
    );
    let on_june = ProcedureFilter {
        on: Some(date(2025, 6, 1)?),
        ..latest()
    };
    assert_eq!(
        store.list_procedures(&on_june, &page(None, 10)).await?,
        vec![closed.clone()]
    );
    assert_eq!(
        store.list_procedures(&latest(), &page(None, 10)).await?,
        vec![v2.clone()]
    );

    let entries = audit_count(&*store).await?;
    for day in [date(2025, 7, 1)?, date(2025, 1, 1)?] {
        let mut d3 = d2.clone();
        d3.name = "Đăng ký khai sinh (sửa đổi)".to_owned();
        d3.effective_from = day;
        let err = expect_err(
            store.add_procedure_version(&ctx()?, &d3).await,
            "not after the latest",
        )?;
        assert!(is_invalid_on(&err, "effective_from"), "{err:?}");
    }
    assert_eq!(store.procedure_versions(&key).await?, vec![closed, v2]);
    assert_eq!(audit_count(&*store).await?, entries);

    let mut unknown = d2.clone();
    unknown.code = code("1.000001")?;
    let err = expect_err(
        store.add_procedure_version(&ctx()?, &unknown).await,
        "unknown code",
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
    assert_eq!(
        entry_summary(&*store).await?,
        summary(&[
            (1, "admin", "procedure.create", "procedure:1.001193"),
            (2, "an", "procedure.version", "procedure:1.001193"),
        ])
    );
    Ok(())
}

/// The state an import must leave alone when refused.
async fn catalog_state(
    store: &dyn Store,
) -> anyhow::Result<(Vec<ProcedureVersion>, Vec<ProcedureVersion>, usize)> {
    let on_2020 = ProcedureFilter {
        on: Some(date(2020, 1, 1)?),
        ..latest()
    };
    Ok((
        store.list_procedures(&latest(), &page(None, 500)).await?,
        store.list_procedures(&on_2020, &page(None, 500)).await?,
        audit_count(store).await?,
    ))
}

/// An import with one bad row (an earlier date for an existing code, a code
/// twice in the batch, a draft that breaks a rule) writes nothing at all and
/// names the row.
pub async fn a_refused_import_writes_nothing_and_names_the_row(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    store
        .insert_procedure(&ctx()?, &draft("1.001193", "Đăng ký khai sinh", "Hộ tịch")?)
        .await?;
    let before = catalog_state(&*store).await?;
    let new_a = draft("1.000894", "Đăng ký kết hôn", "Hộ tịch")?;
    let new_b = draft("1.000656", "Đăng ký khai tử", "Hộ tịch")?;

    let mut earlier = draft("1.001193", "Đăng ký khai sinh (mới)", "Hộ tịch")?;
    earlier.effective_from = date(2023, 1, 1)?;
    let err = expect_err(
        store
            .import_procedures(&ctx()?, &[new_a.clone(), new_b.clone(), earlier], &[])
            .await,
        "earlier date",
    )?;
    assert!(is_invalid_on(&err, "rows[2].effective_from"), "{err:?}");
    assert_eq!(catalog_state(&*store).await?, before);

    let mut twice = new_a.clone();
    twice.name = "Đăng ký kết hôn có yếu tố nước ngoài".to_owned();
    let err = expect_err(
        store
            .import_procedures(&ctx()?, &[new_a.clone(), new_b.clone(), twice], &[])
            .await,
        "code twice",
    )?;
    assert!(is_invalid_on(&err, "rows[2].code"), "{err:?}");
    assert_eq!(catalog_state(&*store).await?, before);

    let mut no_levels = new_b.clone();
    no_levels.levels.clear();
    let err = expect_err(
        store
            .import_procedures(&ctx()?, &[new_a.clone(), no_levels], &[])
            .await,
        "no levels",
    )?;
    assert!(is_invalid_on(&err, "rows[1].levels"), "{err:?}");
    assert_eq!(catalog_state(&*store).await?, before);
    assert_eq!(
        store.procedure(&new_a.code, None).await.ok(),
        None,
        "a row before the bad one was kept"
    );
    Ok(())
}

/// A second import counts new codes as created, changed ones as versioned
/// and ones identical to their latest version (whatever the date) as
/// unchanged; each change is audited under its code, then the run.
pub async fn imports_count_created_versioned_and_unchanged(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let a = draft("1.001193", "Đăng ký khai sinh", "Hộ tịch")?;
    let b = draft("1.000894", "Đăng ký kết hôn", "Hộ tịch")?;
    let c = draft("1.000656", "Đăng ký khai tử", "Hộ tịch")?;
    let first = store
        .import_procedures(&ctx_at("lan", 1)?, &[a.clone(), b.clone(), c.clone()], &[])
        .await?;
    assert_eq!(
        first,
        ImportOutcome {
            created: 3,
            versioned: 0,
            unchanged: 0
        }
    );

    let mut b2 = b.clone();
    b2.fee = Money::dong(10_000)?;
    b2.effective_from = date(2025, 7, 1)?;
    let mut c_later = c.clone();
    c_later.effective_from = date(2025, 7, 1)?;
    let d = draft("1.004493", "Đăng ký thường trú", "Cư trú")?;
    let second = store
        .import_procedures(
            &ctx_at("an", 2)?,
            &[a.clone(), b2.clone(), c_later, d.clone()],
            &[],
        )
        .await?;
    assert_eq!(
        second,
        ImportOutcome {
            created: 1,
            versioned: 1,
            unchanged: 2
        }
    );
    assert_eq!(store.procedure(&b.code, None).await?.draft, b2);
    assert_eq!(store.procedure(&b.code, None).await?.version_no, 2);
    assert_eq!(store.procedure(&c.code, None).await?.draft, c);
    assert_eq!(store.procedure_versions(&c.code).await?.len(), 1);
    assert_eq!(
        codes(&store.list_procedures(&latest(), &page(None, 10)).await?),
        ["1.000656", "1.000894", "1.001193", "1.004493"]
    );
    assert_eq!(
        entry_summary(&*store).await?,
        summary(&[
            (1, "lan", "procedure.create", "procedure:1.001193"),
            (2, "lan", "procedure.create", "procedure:1.000894"),
            (3, "lan", "procedure.create", "procedure:1.000656"),
            (4, "lan", "procedure.import", "catalog:procedures"),
            (5, "an", "procedure.version", "procedure:1.000894"),
            (6, "an", "procedure.create", "procedure:1.004493"),
            (7, "an", "procedure.import", "catalog:procedures"),
        ])
    );
    let last = crate::contract::all_entries(&*store).await?.pop();
    assert_eq!(
        last.map(|e| e.detail),
        Some(r#"{"created":1,"rows":4,"unchanged":2,"versioned":1}"#.to_owned())
    );

    // Importing the same rows again changes nothing and records nothing.
    let third = store
        .import_procedures(&ctx()?, &[a, b2, c, d], &[])
        .await?;
    assert_eq!(
        third,
        ImportOutcome {
            created: 0,
            versioned: 0,
            unchanged: 4
        }
    );
    assert_eq!(audit_count(&*store).await?, 7);
    Ok(())
}
