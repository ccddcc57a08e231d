//! Ranked search over the catalog: the domain's ranking on every backend,
//! filters, and an index that follows changes made through any node.
//!
//! The expected orders are worked out from the ranking rules in
//! `motcua_domain::search::rank`: coverage (2 per query token in the name, 1
//! per token only in the field), then match quality (exact 4, prefix 3, one
//! edit 2), then phrase order (2 per adjacent pair), then the shorter folded
//! name, then the code. For "giay phep xay dung" the four names holding the
//! whole phrase score coverage 8, quality 16, order 6 and differ only in
//! length: "gia han giay phep xay dung" and "cap lai giay phep xay dung" (26
//! characters, by code), then "cap giay phep xay dung moi …" (49), then "cap
//! dieu chinh giay phep xay dung …" (56). Names with "giay phep" whose field
//! holds "xay dung" follow with coverage 6 ("… di doi cong trinh", 31, before
//! "… sua chua, cai tao …", 53), then the practising certificate, which has
//! "xay dung" but not "giay phep" in its name (coverage 4).

use motcua_domain::catalog::OnlineLevel;
use motcua_domain::unit::Level;
use motcua_service::store::{ProcedureFilter, Store};

use super::{code, draft, latest};
use crate::contract::{TestDb, ctx, date};

/// Fifteen procedures: code, name, field, level, online level.
const CATALOG: [(&str, &str, &str, Level, OnlineLevel); 15] = [
    (
        "1.009972",
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "Hoạt động xây dựng",
        Level::District,
        OnlineLevel::Partial,
    ),
    (
        "1.009974",
        "Cấp giấy phép sửa chữa, cải tạo đối với nhà ở riêng lẻ",
        "Hoạt động xây dựng",
        Level::District,
        OnlineLevel::Partial,
    ),
    (
        "1.009975",
        "Cấp điều chỉnh giấy phép xây dựng đối với nhà ở riêng lẻ",
        "Hoạt động xây dựng",
        Level::District,
        OnlineLevel::FullProcess,
    ),
    (
        "1.009976",
        "Gia hạn giấy phép xây dựng",
        "Hoạt động xây dựng",
        Level::District,
        OnlineLevel::FullProcess,
    ),
    (
        "1.009977",
        "Cấp lại giấy phép xây dựng",
        "Hoạt động xây dựng",
        Level::District,
        OnlineLevel::FullProcess,
    ),
    (
        "1.009978",
        "Cấp giấy phép di dời công trình",
        "Hoạt động xây dựng",
        Level::District,
        OnlineLevel::None,
    ),
    (
        "1.001193",
        "Đăng ký khai sinh",
        "Hộ tịch",
        Level::Commune,
        OnlineLevel::FullProcess,
    ),
    (
        "1.000894",
        "Đăng ký kết hôn",
        "Hộ tịch",
        Level::Commune,
        OnlineLevel::Partial,
    ),
    (
        "1.000656",
        "Đăng ký khai tử",
        "Hộ tịch",
        Level::Commune,
        OnlineLevel::FullProcess,
    ),
    (
        "2.000815",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan tổ chức có thẩm quyền của Việt Nam cấp",
        "Chứng thực",
        Level::Commune,
        OnlineLevel::FullProcess,
    ),
    (
        "2.000884",
        "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "Chứng thực",
        Level::Commune,
        OnlineLevel::None,
    ),
    (
        "1.001612",
        "Đăng ký thành lập hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        Level::District,
        OnlineLevel::FullProcess,
    ),
    (
        "1.004493",
        "Đăng ký thường trú",
        "Cư trú",
        Level::Commune,
        OnlineLevel::FullProcess,
    ),
    (
        "1.001977",
        "Cấp phiếu lý lịch tư pháp",
        "Lý lịch tư pháp",
        Level::Province,
        OnlineLevel::FullProcess,
    ),
    (
        "1.003005",
        "Cấp chứng chỉ hành nghề hoạt động xây dựng",
        "Hoạt động xây dựng",
        Level::Province,
        OnlineLevel::Partial,
    ),
];

/// Imports [`CATALOG`]; "Gia hạn giấy phép xây dựng" (1.009976) applies
/// from 1 July 2025, the rest from 1 January 2024.
async fn search_fixture(store: &dyn Store) -> anyhow::Result<()> {
    let mut drafts = Vec::new();
    for (c, name, field, level, online) in CATALOG {
        let mut d = draft(c, name, field)?;
        d.levels = vec![level];
        d.online_level = online;
        if c == "1.009976" {
            d.effective_from = date(2025, 7, 1)?;
        }
        drafts.push(d);
    }
    store.import_procedures(&ctx()?, &drafts, &[]).await?;
    Ok(())
}

async fn ranked(
    store: &dyn Store,
    query: &str,
    filter: &ProcedureFilter,
    limit: u32,
) -> anyhow::Result<Vec<String>> {
    Ok(store
        .search_procedures(query, filter, limit)
        .await?
        .into_iter()
        .map(|h| h.code)
        .collect())
}

/// The same ranked codes for the same query with and without diacritics and
/// capitals, and the orders the ranking rules give.
pub async fn search_ranks_vietnamese_queries_by_the_domain_rules(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    search_fixture(&*store).await?;
    let s = &*store;
    let permits = [
        "1.009976", "1.009977", "1.009972", "1.009975", "1.009978", "1.009974", "1.003005",
    ];
    assert_eq!(
        ranked(s, "giay phep xay dung", &latest(), 7).await?,
        permits
    );
    assert_eq!(
        ranked(s, "GIẤY PHÉP xây dựng", &latest(), 7).await?,
        permits
    );
    // Every name holding "xay dung" has coverage 4, quality 8, order 2: the
    // shortest names first, equal lengths by code.
    assert_eq!(
        ranked(s, "xay dung", &latest(), 5).await?,
        ["1.009976", "1.009977", "1.003005", "1.009972", "1.009975"]
    );
    // "ban sao" only in 2.000815; 2.000884 has "chung thuc" adjacent; the
    // practising certificate only "chung" (chứng chỉ).
    assert_eq!(
        ranked(s, "chứng thực bản sao", &latest(), 20).await?,
        ["2.000815", "2.000884", "1.003005"]
    );
    let top = store
        .search_procedures("giay phep xay dung", &latest(), 1)
        .await?;
    let gia_han = store.procedure(&code("1.009976")?, None).await?;
    assert_eq!(top.len(), 1);
    assert_eq!(
        (
            top[0].procedure_id,
            top[0].name.as_str(),
            top[0].field.as_str()
        ),
        (
            gia_han.procedure_id,
            "Gia hạn giấy phép xây dựng",
            "Hoạt động xây dựng"
        )
    );
    assert_eq!(ranked(s, "   ", &latest(), 10).await?, Vec::<String>::new());
    Ok(())
}

/// Filters keep the ranked order and drop what they exclude: level, field,
/// online level, a date before a procedure applied, and assigned units.
pub async fn search_filters_keep_the_ranked_order(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let [_, district, commune] = crate::contract::units::three_units(&*store).await?;
    search_fixture(&*store).await?;
    let s = &*store;
    let field = ProcedureFilter {
        field: Some("Hoạt động xây dựng".to_owned()),
        ..latest()
    };
    assert_eq!(
        ranked(s, "xay dung", &field, 20).await?,
        [
            "1.009976", "1.009977", "1.003005", "1.009972", "1.009975", "1.009978", "1.009974"
        ]
    );
    let province = ProcedureFilter {
        level: Some(Level::Province),
        ..latest()
    };
    assert_eq!(
        ranked(s, "giay phep xay dung", &province, 20).await?,
        ["1.003005", "1.001977"]
    );
    let full = ProcedureFilter {
        online_level: Some(OnlineLevel::FullProcess),
        field: Some("Hoạt động xây dựng".to_owned()),
        ..latest()
    };
    assert_eq!(
        ranked(s, "giay phep xay dung", &full, 20).await?,
        ["1.009976", "1.009977", "1.009975"]
    );
    // 1.009976 applies from 1 July 2025.
    let june = ProcedureFilter {
        on: Some(date(2025, 6, 30)?),
        ..latest()
    };
    assert_eq!(
        ranked(s, "xay dung", &june, 3).await?,
        ["1.009977", "1.003005", "1.009972"]
    );
    for c in ["1.009972", "1.009977"] {
        store
            .assign_procedure(&ctx()?, &code(c)?, district.id)
            .await?;
    }
    store
        .assign_procedure(&ctx()?, &code("1.001193")?, commune.id)
        .await?;
    let at_district = ProcedureFilter {
        unit_ids: vec![district.id],
        ..latest()
    };
    assert_eq!(
        ranked(s, "giay phep xay dung", &at_district, 20).await?,
        ["1.009977", "1.009972"]
    );
    let at_either = ProcedureFilter {
        unit_ids: vec![commune.id, district.id],
        ..latest()
    };
    assert_eq!(ranked(s, "khai sinh", &at_either, 20).await?, ["1.001193"]);
    Ok(())
}

/// A second node's index follows changes made through the first (and the
/// other way round): new procedures, new versions and assignments show in
/// the next search.
pub async fn search_follows_changes_made_through_any_node(db: &TestDb) -> anyhow::Result<()> {
    let a = db.store();
    let [_, district, _] = crate::contract::units::three_units(&*a).await?;
    search_fixture(&*a).await?;
    let b = motcua_storage::open(db.url()).await?;
    let q = "giay phep xay dung";
    let before = [
        "1.009976", "1.009977", "1.009972", "1.009975", "1.009978", "1.009974",
    ];
    assert_eq!(ranked(&*a, q, &latest(), 6).await?, before);
    assert_eq!(ranked(&*b, q, &latest(), 6).await?, before);

    // Added through A: coverage 8, order 6, 34 characters.
    let mut d = draft(
        "1.009979",
        "Cấp giấy phép xây dựng có thời hạn",
        "Hoạt động xây dựng",
    )?;
    d.levels = vec![Level::District];
    a.insert_procedure(&ctx()?, &d).await?;
    let added = [
        "1.009976", "1.009977", "1.009979", "1.009972", "1.009975", "1.009978",
    ];
    assert_eq!(ranked(&*b, q, &latest(), 6).await?, added);
    assert_eq!(ranked(&*a, q, &latest(), 6).await?, added);

    // Renamed through B: now the whole phrase, but "phep" and "xay" apart
    // (order 5), so after the four with order 6.
    let mut renamed = store_draft(&*b, "1.009978").await?;
    renamed.name = "Cấp giấy phép di dời công trình xây dựng".to_owned();
    renamed.effective_from = date(2025, 9, 1)?;
    b.add_procedure_version(&ctx()?, &renamed).await?;
    assert_eq!(
        ranked(&*a, q, &latest(), 7).await?,
        [
            "1.009976", "1.009977", "1.009979", "1.009972", "1.009975", "1.009978", "1.009974"
        ]
    );

    // Assigned through B, filtered through A.
    let at_district = ProcedureFilter {
        unit_ids: vec![district.id],
        ..latest()
    };
    assert_eq!(
        ranked(&*a, q, &at_district, 10).await?,
        Vec::<String>::new()
    );
    b.assign_procedure(&ctx()?, &code("1.009979")?, district.id)
        .await?;
    assert_eq!(ranked(&*a, q, &at_district, 10).await?, ["1.009979"]);
    drop(b);
    Ok(())
}

async fn store_draft(
    store: &dyn Store,
    c: &str,
) -> anyhow::Result<motcua_domain::catalog::ProcedureDraft> {
    Ok(store.procedure(&code(c)?, None).await?.draft)
}
