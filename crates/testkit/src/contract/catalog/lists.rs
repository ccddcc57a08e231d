//! Lists of procedures: filters and keyset pages.

use jiff::civil::Date;
use motcua_domain::catalog::OnlineLevel;
use motcua_domain::unit::Level;
use motcua_service::store::{ProcedureFilter, Store};

use super::{code, codes, draft, latest, page};
use crate::contract::{TestDb, ctx, date};

/// A fixture row: code, name, field, levels, online level, first day.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static [Level],
    OnlineLevel,
    (i16, i8, i8),
);

/// A small catalog for list filters.
pub(crate) async fn list_fixture(store: &dyn Store) -> anyhow::Result<()> {
    let rows: [Row; 8] = [
        (
            "1.001193",
            "Đăng ký khai sinh",
            "Hộ tịch",
            &[Level::Commune],
            OnlineLevel::FullProcess,
            (2024, 1, 1),
        ),
        (
            "1.000894",
            "Đăng ký kết hôn",
            "Hộ tịch",
            &[Level::Commune],
            OnlineLevel::Partial,
            (2024, 1, 1),
        ),
        (
            "1.000656",
            "Đăng ký khai tử",
            "Hộ tịch",
            &[Level::Commune],
            OnlineLevel::FullProcess,
            (2025, 3, 1),
        ),
        (
            "1.009972",
            "Cấp giấy phép xây dựng",
            "Xây dựng",
            &[Level::District, Level::Commune],
            OnlineLevel::Partial,
            (2024, 1, 1),
        ),
        (
            "1.009974",
            "Cấp giấy phép sửa chữa, cải tạo",
            "Xây dựng",
            &[Level::District],
            OnlineLevel::None,
            (2024, 1, 1),
        ),
        (
            "2.000815",
            "Chứng thực bản sao từ bản chính",
            "Chứng thực",
            &[Level::District, Level::Commune],
            OnlineLevel::FullProcess,
            (2024, 1, 1),
        ),
        (
            "2.000884",
            "Chứng thực chữ ký",
            "Chứng thực",
            &[Level::Commune],
            OnlineLevel::None,
            (2024, 1, 1),
        ),
        (
            "1.004493",
            "Đăng ký thường trú",
            "Cư trú",
            &[Level::Commune],
            OnlineLevel::FullProcess,
            (2024, 1, 1),
        ),
    ];
    let mut drafts = Vec::new();
    for (c, name, field, levels, online, (y, m, d)) in rows {
        let mut x = draft(c, name, field)?;
        x.levels = levels.to_vec();
        x.online_level = online;
        x.effective_from = date(y, m, d)?;
        drafts.push(x);
    }
    store.import_procedures(&ctx()?, &drafts, &[]).await?;
    Ok(())
}

async fn list_codes(store: &dyn Store, filter: &ProcedureFilter) -> anyhow::Result<Vec<String>> {
    Ok(codes(
        &store.list_procedures(filter, &page(None, 500)).await?,
    ))
}

/// Each filter keeps exactly the procedures it names, in code order.
pub async fn lists_filter_by_date_level_field_online_level_and_unit(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let [_, district, commune] = crate::contract::units::three_units(&*store).await?;
    list_fixture(&*store).await?;
    for c in ["1.009972", "1.009974"] {
        store
            .assign_procedure(&ctx()?, &code(c)?, district.id)
            .await?;
    }
    for c in ["1.001193", "1.009972", "2.000884"] {
        store
            .assign_procedure(&ctx()?, &code(c)?, commune.id)
            .await?;
    }
    let s = &*store;
    assert_eq!(
        list_codes(s, &latest()).await?,
        [
            "1.000656", "1.000894", "1.001193", "1.004493", "1.009972", "1.009974", "2.000815",
            "2.000884"
        ]
    );
    let on = |d: Date| ProcedureFilter {
        on: Some(d),
        ..latest()
    };
    // 1.000656 starts on 1 March 2025.
    assert_eq!(list_codes(s, &on(date(2025, 2, 28)?)).await?.len(), 7);
    assert!(
        !list_codes(s, &on(date(2025, 2, 28)?))
            .await?
            .contains(&"1.000656".to_owned())
    );
    assert_eq!(list_codes(s, &on(date(2025, 3, 1)?)).await?.len(), 8);
    assert_eq!(
        list_codes(s, &on(date(2023, 12, 31)?)).await?,
        Vec::<String>::new()
    );
    assert_eq!(
        list_codes(
            s,
            &ProcedureFilter {
                level: Some(Level::District),
                ..latest()
            }
        )
        .await?,
        ["1.009972", "1.009974", "2.000815"]
    );
    assert_eq!(
        list_codes(
            s,
            &ProcedureFilter {
                level: Some(Level::Province),
                ..latest()
            }
        )
        .await?,
        Vec::<String>::new()
    );
    assert_eq!(
        list_codes(
            s,
            &ProcedureFilter {
                field: Some("Chứng thực".to_owned()),
                ..latest()
            }
        )
        .await?,
        ["2.000815", "2.000884"]
    );
    assert_eq!(
        list_codes(
            s,
            &ProcedureFilter {
                online_level: Some(OnlineLevel::FullProcess),
                ..latest()
            }
        )
        .await?,
        ["1.000656", "1.001193", "1.004493", "2.000815"]
    );
    assert_eq!(
        list_codes(
            s,
            &ProcedureFilter {
                unit_ids: vec![district.id],
                ..latest()
            }
        )
        .await?,
        ["1.009972", "1.009974"]
    );
    assert_eq!(
        list_codes(
            s,
            &ProcedureFilter {
                unit_ids: vec![district.id, commune.id],
                ..latest()
            }
        )
        .await?,
        ["1.001193", "1.009972", "1.009974", "2.000884"]
    );
    // Filters combine with AND.
    assert_eq!(
        list_codes(
            s,
            &ProcedureFilter {
                on: Some(date(2025, 1, 1)?),
                level: Some(Level::Commune),
                online_level: Some(OnlineLevel::FullProcess),
                unit_ids: vec![commune.id],
                field: Some("Hộ tịch".to_owned()),
            }
        )
        .await?,
        ["1.001193"]
    );
    Ok(())
}

/// Pages of three follow each other by code without gaps or repeats, also
/// under a filter, and limits are kept within 1 to 500.
pub async fn lists_page_by_code_without_gaps_or_repeats(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    list_fixture(&*store).await?;
    let mut seen: Vec<String> = Vec::new();
    let mut pages = 0;
    loop {
        let p = store
            .list_procedures(&latest(), &page(seen.last().map(String::as_str), 3))
            .await?;
        if p.is_empty() {
            break;
        }
        assert!(p.len() <= 3);
        pages += 1;
        seen.extend(codes(&p));
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        [
            "1.000656", "1.000894", "1.001193", "1.004493", "1.009972", "1.009974", "2.000815",
            "2.000884"
        ]
    );
    let communal = ProcedureFilter {
        level: Some(Level::Commune),
        ..latest()
    };
    let p1 = codes(&store.list_procedures(&communal, &page(None, 2)).await?);
    let p2 = codes(
        &store
            .list_procedures(&communal, &page(Some("1.000894"), 2))
            .await?,
    );
    let p3 = codes(
        &store
            .list_procedures(&communal, &page(Some("1.004493"), 2))
            .await?,
    );
    assert_eq!(
        (p1, p2, p3),
        (
            vec!["1.000656".to_owned(), "1.000894".to_owned()],
            vec!["1.001193".to_owned(), "1.004493".to_owned()],
            vec!["1.009972".to_owned(), "2.000815".to_owned()],
        )
    );
    // A limit of 0 is read as 1; a page after the last code is empty.
    assert_eq!(
        store
            .list_procedures(&latest(), &page(None, 0))
            .await?
            .len(),
        1
    );
    assert_eq!(
        store
            .list_procedures(&latest(), &page(Some("2.000884"), 10))
            .await?,
        vec![]
    );
    Ok(())
}
