//! Demo data: Nghệ An province as it stands today, with two years of history
//! that crosses the 2025 reform.
//!
//! Until 30 June 2025 two districts (Đô Lương and Nam Đàn) each had a
//! one-stop desk, three district offices and three communes. On 1 July 2025
//! the districts were abolished and communes merged (Resolution
//! 1678/NQ-UBTVQH15; the mergers shown are a simplified selection of it): the
//! new communes Đô Lương, Kim Liên and Nam Đàn sit directly under the
//! province, each with a public administrative service centre, and the
//! province has its own centre. The changes go through the same unit-history
//! use cases an administrator runs, so the old units keep their history and
//! their successors hold it. Agency codes follow the shape of Circular
//! 10/2016/TT-BTTTT but are illustrative, not the official ones.

use jiff::civil::date;
use motcua_domain::deadline::TimeLimit;
use motcua_domain::role::Role;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::access::Actor;
use motcua_service::clock::{Clock, SystemClock};
use motcua_service::store::{AuditContext, NewUnit, Store};
use motcua_service::{ServiceError, ServiceResult, procedures, units, users};

/// The password of every demo account. Demo only: `motcua serve` creates no
/// accounts, and production accounts are made with `motcua user add`.
pub const DEMO_PASSWORD: &str = "motcua-demo";

/// Printed when the demo starts.
pub const LOGIN_HINT: &str = "demo accounts (password motcua-demo): admin, noivu, theodoi, lanhdao.dl, quantri.dl, motcua.dl, chuyenvien.dl, motcua.nd, lanhdao.nd";

const PROVINCE: &str = "000.00.00.H40";

struct U {
    code: &'static str,
    name: &'static str,
    kind: UnitKind,
    level: Level,
    parent: Option<&'static str>,
}

const fn u(
    code: &'static str,
    name: &'static str,
    kind: UnitKind,
    level: Level,
    parent: Option<&'static str>,
) -> U {
    U {
        code,
        name,
        kind,
        level,
        parent,
    }
}

/// Parents come before children.
const UNITS: &[U] = &[
    u(
        PROVINCE,
        "UBND tỉnh Nghệ An",
        UnitKind::Province,
        Level::Province,
        None,
    ),
    u(
        "000.00.05.H40",
        "Sở Nội vụ tỉnh Nghệ An",
        UnitKind::Department,
        Level::Province,
        Some(PROVINCE),
    ),
    u(
        "000.00.21.H40",
        "UBND huyện Đô Lương",
        UnitKind::District,
        Level::District,
        Some(PROVINCE),
    ),
    u(
        "000.01.21.H40",
        "Bộ phận Một cửa huyện Đô Lương",
        UnitKind::Desk,
        Level::District,
        Some("000.00.21.H40"),
    ),
    u(
        "000.02.21.H40",
        "Phòng Tư pháp huyện Đô Lương",
        UnitKind::DistrictOffice,
        Level::District,
        Some("000.00.21.H40"),
    ),
    u(
        "000.03.21.H40",
        "Phòng Tài nguyên và Môi trường huyện Đô Lương",
        UnitKind::DistrictOffice,
        Level::District,
        Some("000.00.21.H40"),
    ),
    u(
        "000.04.21.H40",
        "Phòng Kinh tế và Hạ tầng huyện Đô Lương",
        UnitKind::DistrictOffice,
        Level::District,
        Some("000.00.21.H40"),
    ),
    u(
        "000.11.21.H40",
        "UBND thị trấn Đô Lương",
        UnitKind::Commune,
        Level::Commune,
        Some("000.00.21.H40"),
    ),
    u(
        "000.12.21.H40",
        "UBND xã Đà Sơn",
        UnitKind::Commune,
        Level::Commune,
        Some("000.00.21.H40"),
    ),
    u(
        "000.13.21.H40",
        "UBND xã Lạc Sơn",
        UnitKind::Commune,
        Level::Commune,
        Some("000.00.21.H40"),
    ),
    u(
        "000.00.22.H40",
        "UBND huyện Nam Đàn",
        UnitKind::District,
        Level::District,
        Some(PROVINCE),
    ),
    u(
        "000.01.22.H40",
        "Bộ phận Một cửa huyện Nam Đàn",
        UnitKind::Desk,
        Level::District,
        Some("000.00.22.H40"),
    ),
    u(
        "000.02.22.H40",
        "Phòng Tư pháp huyện Nam Đàn",
        UnitKind::DistrictOffice,
        Level::District,
        Some("000.00.22.H40"),
    ),
    u(
        "000.03.22.H40",
        "Phòng Tài nguyên và Môi trường huyện Nam Đàn",
        UnitKind::DistrictOffice,
        Level::District,
        Some("000.00.22.H40"),
    ),
    u(
        "000.04.22.H40",
        "Phòng Kinh tế và Hạ tầng huyện Nam Đàn",
        UnitKind::DistrictOffice,
        Level::District,
        Some("000.00.22.H40"),
    ),
    u(
        "000.11.22.H40",
        "UBND thị trấn Nam Đàn",
        UnitKind::Commune,
        Level::Commune,
        Some("000.00.22.H40"),
    ),
    u(
        "000.12.22.H40",
        "UBND xã Kim Liên",
        UnitKind::Commune,
        Level::Commune,
        Some("000.00.22.H40"),
    ),
    u(
        "000.13.22.H40",
        "UBND xã Nam Giang",
        UnitKind::Commune,
        Level::Commune,
        Some("000.00.22.H40"),
    ),
];

/// The first day of two-tier local government: districts abolished,
/// communes merged.
pub const REFORM: jiff::civil::Date = date(2025, 7, 1);

/// The commune of Đô Lương since the reform, its service centre and its
/// office.
pub const DO_LUONG: &str = "000.00.41.H40";
/// See [`DO_LUONG`].
pub const DO_LUONG_CENTRE: &str = "000.01.41.H40";
/// See [`DO_LUONG`].
pub const DO_LUONG_OFFICE: &str = "000.02.41.H40";
/// Đô Lương's economic office and its cultural and social office (the two
/// specialised offices every commune has since the reform, beside the
/// People's Council and Committee's office).
pub const DO_LUONG_ECONOMY: &str = "000.03.41.H40";
/// See [`DO_LUONG_ECONOMY`].
pub const DO_LUONG_SOCIAL: &str = "000.04.41.H40";
/// The commune of Kim Liên since the reform, and its service centre.
pub const KIM_LIEN: &str = "000.00.42.H40";
/// See [`KIM_LIEN`].
pub const KIM_LIEN_CENTRE: &str = "000.01.42.H40";
/// The commune of Nam Đàn since the reform, and its service centre.
pub const NAM_DAN: &str = "000.00.43.H40";
/// See [`NAM_DAN`].
pub const NAM_DAN_CENTRE: &str = "000.01.43.H40";
/// The province's public administrative service centre.
pub const PROVINCE_CENTRE: &str = "000.00.06.H40";

/// (user name, full name, role, unit code): the staff as they work today.
const USERS: &[(&str, &str, Role, &str)] = &[
    ("admin", "Nguyễn Văn An", Role::SystemAdmin, PROVINCE),
    (
        "noivu",
        "Trần Thị Bích Ngọc",
        Role::ReformEvaluator,
        "000.00.05.H40",
    ),
    ("theodoi", "Lê Quang Minh", Role::Viewer, PROVINCE),
    ("lanhdao.dl", "Phạm Văn Hùng", Role::Leader, DO_LUONG),
    ("quantri.dl", "Hoàng Thị Thu Hà", Role::UnitAdmin, DO_LUONG),
    (
        "motcua.dl",
        "Đặng Thị Mai",
        Role::DeskOfficer,
        DO_LUONG_CENTRE,
    ),
    (
        "chuyenvien.dl",
        "Vũ Quốc Bảo",
        Role::Specialist,
        DO_LUONG_OFFICE,
    ),
    (
        "motcua.nd",
        "Bùi Thị Hoa",
        Role::DeskOfficer,
        NAM_DAN_CENTRE,
    ),
    ("lanhdao.nd", "Ngô Đức Thắng", Role::Leader, NAM_DAN),
    (
        "chuyenvien.kt",
        "Lê Thị Thanh Tâm",
        Role::Specialist,
        DO_LUONG_ECONOMY,
    ),
    (
        "chuyenvien.vx",
        "Nguyễn Hữu Nghĩa",
        Role::Specialist,
        DO_LUONG_SOCIAL,
    ),
];

/// The fields each office of Đô Lương handles (issue 18, point 3): a
/// hand-over of a dossier without an internal process offers these offices.
const OFFICE_SECTORS: &[(&str, &[&str])] = &[
    (
        DO_LUONG_OFFICE,
        &[
            "Hộ tịch",
            "Chứng thực",
            "Nuôi con nuôi",
            "Hòa giải ở cơ sở",
            "Đăng ký, quản lý cư trú",
        ],
    ),
    (
        DO_LUONG_ECONOMY,
        &[
            "Đất đai",
            "Xây dựng",
            "Thành lập và hoạt động của hộ kinh doanh",
            "Lưu thông hàng hóa trong nước",
            "Trồng trọt",
            "Môi trường",
            "Phòng, chống thiên tai",
        ],
    ),
    (
        DO_LUONG_SOCIAL,
        &[
            "Bảo trợ xã hội",
            "Người có công",
            "Giảm nghèo",
            "Văn hóa",
            "Thể dục thể thao",
            "Tín ngưỡng, tôn giáo",
        ],
    ),
];

async fn unit_id(store: &dyn Store, code: &str) -> ServiceResult<i64> {
    Ok(store.unit_by_code(&UnitCode::parse(code)?).await?.id)
}

fn new_unit(
    code: &str,
    name: &str,
    kind: UnitKind,
    level: Level,
    parent: i64,
) -> ServiceResult<NewUnit> {
    Ok(NewUnit {
        code: UnitCode::parse(code)?,
        name: name.to_owned(),
        kind,
        level,
        parent_id: Some(parent),
        valid_from: REFORM,
        valid_to: None,
    })
}

/// The 2025 reform, through the unit-history use cases: old communes, desks
/// and offices merge into new units that carry on their work (and hold
/// their history); the other district offices and the districts end.
async fn reform(store: &dyn Store, ctx: &AuditContext) -> ServiceResult<()> {
    use motcua_service::store::{MergeTarget, UnitChange};
    let actor = Actor::system(ctx.actor.clone());
    let merge = |sources: Vec<i64>, target: NewUnit| UnitChange::Merge {
        sources,
        target: MergeTarget::New(target),
        effective: REFORM,
    };
    let province = unit_id(store, PROVINCE).await?;
    let mut ids = Vec::new();
    for code in ["000.11.21.H40", "000.12.21.H40", "000.13.21.H40"] {
        ids.push(unit_id(store, code).await?);
    }
    let c = merge(
        ids,
        new_unit(
            DO_LUONG,
            "UBND xã Đô Lương",
            UnitKind::Commune,
            Level::Commune,
            province,
        )?,
    );
    units::change(store, &actor, ctx.at, c).await?;
    let dl = unit_id(store, DO_LUONG).await?;
    for (old, code, name, kind) in [
        (
            "000.01.21.H40",
            DO_LUONG_CENTRE,
            "Trung tâm Phục vụ hành chính công xã Đô Lương",
            UnitKind::ServiceCentre,
        ),
        (
            "000.02.21.H40",
            DO_LUONG_OFFICE,
            "Văn phòng HĐND và UBND xã Đô Lương",
            UnitKind::DistrictOffice,
        ),
    ] {
        let c = merge(
            vec![unit_id(store, old).await?],
            new_unit(code, name, kind, Level::Commune, dl)?,
        );
        units::change(store, &actor, ctx.at, c).await?;
    }
    let c = merge(
        vec![
            unit_id(store, "000.12.22.H40").await?,
            unit_id(store, "000.13.22.H40").await?,
        ],
        new_unit(
            KIM_LIEN,
            "UBND xã Kim Liên",
            UnitKind::Commune,
            Level::Commune,
            province,
        )?,
    );
    units::change(store, &actor, ctx.at, c).await?;
    let c = merge(
        vec![unit_id(store, "000.11.22.H40").await?],
        new_unit(
            NAM_DAN,
            "UBND xã Nam Đàn",
            UnitKind::Commune,
            Level::Commune,
            province,
        )?,
    );
    units::change(store, &actor, ctx.at, c).await?;
    let nd = unit_id(store, NAM_DAN).await?;
    let c = merge(
        vec![unit_id(store, "000.01.22.H40").await?],
        new_unit(
            NAM_DAN_CENTRE,
            "Trung tâm Phục vụ hành chính công xã Nam Đàn",
            UnitKind::ServiceCentre,
            Level::Commune,
            nd,
        )?,
    );
    units::change(store, &actor, ctx.at, c).await?;
    for code in [
        "000.03.21.H40",
        "000.04.21.H40",
        "000.02.22.H40",
        "000.03.22.H40",
        "000.04.22.H40",
        "000.00.21.H40",
        "000.00.22.H40",
    ] {
        let c = UnitChange::Abolish {
            unit_id: unit_id(store, code).await?,
            effective: REFORM,
        };
        units::change(store, &actor, ctx.at, c).await?;
    }
    for (code, name) in [
        (DO_LUONG_ECONOMY, "Phòng Kinh tế xã Đô Lương"),
        (DO_LUONG_SOCIAL, "Phòng Văn hóa - Xã hội xã Đô Lương"),
    ] {
        units::add_unit(
            store,
            &actor,
            ctx.at,
            new_unit(code, name, UnitKind::DistrictOffice, Level::Commune, dl)?,
        )
        .await?;
    }
    for (code, sectors) in OFFICE_SECTORS {
        let list: Vec<String> = sectors.iter().map(|s| (*s).to_owned()).collect();
        motcua_service::routing::set_unit_sectors(
            store,
            &actor,
            ctx.at,
            unit_id(store, code).await?,
            &list,
        )
        .await?;
    }
    let kl = unit_id(store, KIM_LIEN).await?;
    units::add_unit(
        store,
        &actor,
        ctx.at,
        new_unit(
            KIM_LIEN_CENTRE,
            "Trung tâm Phục vụ hành chính công xã Kim Liên",
            UnitKind::ServiceCentre,
            Level::Commune,
            kl,
        )?,
    )
    .await?;
    units::add_unit(
        store,
        &actor,
        ctx.at,
        new_unit(
            PROVINCE_CENTRE,
            "Trung tâm Phục vụ hành chính công tỉnh Nghệ An",
            UnitKind::ServiceCentre,
            Level::Province,
            province,
        )?,
    )
    .await?;
    Ok(())
}

/// Seeds the demo data once; a database that already has the demo province is
/// left as it is, so restarting the demo keeps what was done in it.
pub async fn seed(
    shared: std::sync::Arc<dyn Store>,
    files: std::sync::Arc<dyn motcua_service::files::FileStore>,
) -> ServiceResult<bool> {
    let store = shared.as_ref();
    let province = UnitCode::parse(PROVINCE)?;
    match store.unit_by_code(&province).await {
        Ok(_) => return Ok(false),
        Err(ServiceError::NotFound { .. }) => {}
        Err(e) => return Err(e),
    }
    let ctx = AuditContext {
        actor: "demo".to_owned(),
        at: SystemClock.now(),
    };
    let actor = Actor::system(ctx.actor.clone());
    for spec in UNITS {
        let parent_id = match spec.parent {
            Some(p) => Some(store.unit_by_code(&UnitCode::parse(p)?).await?.id),
            None => None,
        };
        units::add_unit(
            store,
            &actor,
            ctx.at,
            NewUnit {
                code: UnitCode::parse(spec.code)?,
                name: spec.name.to_owned(),
                kind: spec.kind,
                level: spec.level,
                parent_id,
                valid_from: date(2020, 1, 1),
                valid_to: None,
            },
        )
        .await?;
    }
    let procedures = seed_catalog(store, &ctx).await?;
    reform(store, &ctx).await?;
    seed_reformed_catalog(store, &ctx).await?;
    for (username, full_name, role, unit) in USERS {
        let email = format!("{username}@demo.motcua.invalid");
        let unit_id = store.unit_by_code(&UnitCode::parse(unit)?).await?.id;
        users::add_user_as(
            store,
            &actor,
            ctx.at,
            username,
            full_name,
            Some(&email),
            DEMO_PASSWORD,
            *role,
            unit_id,
        )
        .await?;
    }
    seed_citizen(store, &ctx).await?;
    let history = crate::demo_history::seed(shared.clone(), &ctx).await?;
    seed_templates(shared.clone(), files.clone()).await?;
    let dossiers = crate::demo_dossiers::seed(shared.clone(), files).await?;
    let feedback = crate::demo_feedback::seed(shared.clone()).await?;
    tracing::info!(
        units = store.list_units().await?.len(),
        users = USERS.len(),
        procedures,
        history,
        dossiers,
        feedback,
        "demo data seeded"
    );
    Ok(true)
}

/// The blank birth registration declaration behind procedure 1.001193's
/// form template, so the portal's procedure page offers a download.
async fn seed_templates(
    store: std::sync::Arc<dyn Store>,
    files: std::sync::Arc<dyn motcua_service::files::FileStore>,
) -> ServiceResult<()> {
    let pdf = motcua_render::birth_declaration()
        .map_err(|e| ServiceError::Internal(format!("demo template: {e}")))?;
    motcua_service::Services::plain(store)
        .with_files(files)
        .procedures()
        .put_template(
            &Actor::system("demo"),
            "1.001193",
            "Tờ khai đăng ký khai sinh (Mẫu ban hành kèm Thông tư 04/2020/TT-BTP)",
            "to-khai-dang-ky-khai-sinh.pdf",
            &pdf,
        )
        .await?;
    Ok(())
}

/// The portal's demo account (phone [`DEMO_CITIZEN_PHONE`], the demo
/// password), confirmed, so the portal can be tried without reading a code.
pub const DEMO_CITIZEN_PHONE: &str = "0912000111";

async fn seed_citizen(store: &dyn Store, ctx: &AuditContext) -> ServiceResult<()> {
    use motcua_domain::contact::Contact;
    use motcua_service::store::{AccountKind, NewAccount};

    let account = store
        .insert_account(
            ctx,
            &NewAccount {
                kind: AccountKind::Citizen,
                full_name: "Nguyễn Văn Dân".to_owned(),
                contact: Contact::Phone(DEMO_CITIZEN_PHONE.to_owned()),
                password_hash: motcua_service::passwords::hash_password(DEMO_PASSWORD)?,
            },
        )
        .await?;
    store.mark_account_verified(ctx, account.id).await
}

/// The demo catalog: real district and commune procedures (see
/// data/demo/README.md), in the import template.
const PROCEDURES_CSV: &[u8] = include_bytes!("../data/demo/procedures.csv");

/// Imports the demo catalog through the same path as `motcua import`, assigns
/// each procedure to every district or commune People's Committee of its
/// levels, and records a few internal processes and reviews at Đô Lương so
/// the catalog figures have something to count.
async fn seed_catalog(store: &dyn Store, ctx: &AuditContext) -> ServiceResult<usize> {
    use motcua_service::catalog::FileFormat;
    use motcua_service::store::NewReview;

    let actor = Actor::system(ctx.actor.clone());
    let report = procedures::import_file(store, &actor, ctx.at, PROCEDURES_CSV, FileFormat::Csv)
        .await
        .map_err(|e| match e {
            procedures::ImportFailure::Rejected(errors) => {
                ServiceError::Internal(format!("demo catalog: {errors}"))
            }
            procedures::ImportFailure::Service(e) => e,
        })?;
    let all = procedures::export_rows(store).await?;
    let units = store.list_units().await?;
    for (draft, _) in &all {
        for u in &units {
            let wanted = match u.kind {
                UnitKind::District => draft.levels.contains(&Level::District),
                UnitKind::Commune => draft.levels.contains(&Level::Commune),
                _ => false,
            };
            if wanted {
                procedures::assign(store, &actor, ctx.at, draft.code.as_str(), u.id).await?;
            }
        }
    }
    let [district, desk, office] = [
        unit_id(store, "000.00.21.H40").await?,
        unit_id(store, "000.01.21.H40").await?,
        unit_id(store, "000.02.21.H40").await?,
    ];
    let with_process = procedures_with_process(&all);
    let decision = "Quyết định số 1234/QĐ-UBND ngày 15/3/2024 của UBND huyện Đô Lương";
    add_processes(
        store,
        &actor,
        ctx,
        &with_process,
        [desk, office, district],
        decision,
        date(2024, 4, 1),
    )
    .await?;
    for (d, n) in &with_process {
        motcua_service::processes::add_review(
            store,
            &actor,
            ctx.at,
            NewReview {
                unit_id: district,
                procedure_code: d.code.clone(),
                year: 2024,
                limit_before: TimeLimit::WorkingDays(*n),
                limit_after: TimeLimit::WorkingDays(n - 1),
                components_removed: 0,
                decision:
                    "Quyết định số 987/QĐ-UBND ngày 20/11/2024 phê duyệt phương án đơn giản hóa"
                        .into(),
                effective: date(2025, 1, 1),
            },
        )
        .await?;
    }
    Ok(report.procedures)
}

/// The district procedures counted in working days (3 or more) that the
/// demo gives an internal process: the first six.
fn procedures_with_process(
    all: &[(motcua_domain::catalog::ProcedureDraft, Vec<String>)],
) -> Vec<(&motcua_domain::catalog::ProcedureDraft, u32)> {
    all.iter()
        .filter_map(|(d, _)| match d.time_limit {
            TimeLimit::WorkingDays(n) if n >= 3 && d.levels.contains(&Level::District) => {
                Some((d, n))
            }
            _ => None,
        })
        .take(6)
        .collect()
}

/// An internal process for each procedure: desk half a day, the office the
/// bulk, the leader one day, exactly the legal limit in working hours
/// (8 h a day). `[desk, office, leader]` are unit ids.
async fn add_processes(
    store: &dyn Store,
    actor: &Actor,
    ctx: &AuditContext,
    list: &[(&motcua_domain::catalog::ProcedureDraft, u32)],
    [desk, office, leader]: [i64; 3],
    decision: &str,
    effective_from: jiff::civil::Date,
) -> ServiceResult<()> {
    use motcua_service::store::{NewProcess, ProcessStep};
    for (d, n) in list {
        let steps = vec![
            ProcessStep {
                name: "Tiếp nhận, kiểm tra và chuyển hồ sơ".into(),
                unit_id: desk,
                role: Role::DeskOfficer,
                allotted: TimeLimit::WorkingHours(4),
                external: false,
            },
            ProcessStep {
                name: "Thẩm định hồ sơ, trình ký".into(),
                unit_id: office,
                role: Role::Specialist,
                allotted: TimeLimit::WorkingHours(8 * n - 12),
                external: false,
            },
            ProcessStep {
                name: "Phê duyệt, ký kết quả".into(),
                unit_id: leader,
                role: Role::Leader,
                allotted: TimeLimit::WorkingHours(8),
                external: false,
            },
        ];
        motcua_service::processes::add_process(
            store,
            actor,
            ctx.at,
            NewProcess {
                procedure_code: d.code.clone(),
                unit_id: leader,
                decision: decision.into(),
                effective_from,
                steps,
            },
        )
        .await?;
    }
    Ok(())
}

/// After the reform: the new communes take over the district procedures
/// with their own (Decree 2025 devolved most of them to communes), and Đô
/// Lương gives the same procedures an internal process at its centre.
async fn seed_reformed_catalog(store: &dyn Store, ctx: &AuditContext) -> ServiceResult<()> {
    let actor = Actor::system(ctx.actor.clone());
    let all = procedures::export_rows(store).await?;
    for code in [DO_LUONG, KIM_LIEN, NAM_DAN] {
        let unit = unit_id(store, code).await?;
        for (draft, _) in &all {
            procedures::assign(store, &actor, ctx.at, draft.code.as_str(), unit).await?;
        }
    }
    let ids = [
        unit_id(store, DO_LUONG_CENTRE).await?,
        unit_id(store, DO_LUONG_OFFICE).await?,
        unit_id(store, DO_LUONG).await?,
    ];
    let list = procedures_with_process(&all);
    add_processes(
        store,
        &actor,
        ctx,
        &list,
        ids,
        "Quyết định số 215/QĐ-UBND ngày 01/7/2025 của UBND xã Đô Lương",
        REFORM,
    )
    .await?;
    // This year's review at the commune: three procedures cut by a day.
    let year = motcua_domain::time::to_local(ctx.at).date().year();
    for (d, n) in list.iter().take(3) {
        motcua_service::processes::add_review(
            store,
            &actor,
            ctx.at,
            motcua_service::store::NewReview {
                unit_id: ids[2],
                procedure_code: d.code.clone(),
                year,
                limit_before: TimeLimit::WorkingDays(*n),
                limit_after: TimeLimit::WorkingDays(n - 1),
                components_removed: 1,
                decision: format!(
                    "Quyết định số 56/QĐ-UBND năm {year} của UBND xã Đô Lương phê duyệt phương án đơn giản hóa"
                ),
                effective: date(year + 1, 1, 1),
            },
        )
        .await?;
    }
    Ok(())
}
