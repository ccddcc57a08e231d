//! Demo data: one province with two districts, each with a one-stop desk,
//! three district offices and three communes, and a user for every staff role.
//!
//! Names are real places (Nghệ An province, Đô Lương and Nam Đàn districts as
//! they stood before the 2025 reform); the agency codes follow the shape of
//! Circular 10/2016/TT-BTTTT but are illustrative, not the official ones.

use jiff::civil::date;
use motcua_domain::role::Role;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
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

/// (user name, full name, role, unit code)
const USERS: &[(&str, &str, Role, &str)] = &[
    ("admin", "Nguyễn Văn An", Role::SystemAdmin, PROVINCE),
    (
        "noivu",
        "Trần Thị Bích Ngọc",
        Role::ReformEvaluator,
        "000.00.05.H40",
    ),
    ("theodoi", "Lê Quang Minh", Role::Viewer, PROVINCE),
    ("lanhdao.dl", "Phạm Văn Hùng", Role::Leader, "000.00.21.H40"),
    (
        "quantri.dl",
        "Hoàng Thị Thu Hà",
        Role::UnitAdmin,
        "000.00.21.H40",
    ),
    (
        "motcua.dl",
        "Đặng Thị Mai",
        Role::DeskOfficer,
        "000.01.21.H40",
    ),
    (
        "chuyenvien.dl",
        "Vũ Quốc Bảo",
        Role::Specialist,
        "000.02.21.H40",
    ),
    (
        "motcua.nd",
        "Bùi Thị Hoa",
        Role::DeskOfficer,
        "000.01.22.H40",
    ),
    ("lanhdao.nd", "Ngô Đức Thắng", Role::Leader, "000.00.22.H40"),
];

/// Seeds the demo data once; a database that already has the demo province is
/// left as it is, so restarting the demo keeps what was done in it.
pub async fn seed(shared: std::sync::Arc<dyn Store>) -> ServiceResult<bool> {
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
    for spec in UNITS {
        let parent_id = match spec.parent {
            Some(p) => Some(store.unit_by_code(&UnitCode::parse(p)?).await?.id),
            None => None,
        };
        units::create_unit(
            store,
            &ctx,
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
    for (username, full_name, role, unit) in USERS {
        let email = format!("{username}@demo.motcua.invalid");
        let user = users::add_user(
            store,
            &ctx,
            username,
            full_name,
            Some(&email),
            DEMO_PASSWORD,
        )
        .await?;
        let unit_id = store.unit_by_code(&UnitCode::parse(unit)?).await?.id;
        users::grant(store, &ctx, user.id, *role, unit_id).await?;
    }
    let procedures = seed_catalog(store, &ctx).await?;
    let dossiers = crate::demo_dossiers::seed(shared.clone()).await?;
    tracing::info!(
        units = UNITS.len(),
        users = USERS.len(),
        procedures,
        dossiers,
        "demo data seeded"
    );
    Ok(true)
}

/// The demo catalog: real district and commune procedures (see
/// data/demo/README.md), in the import template.
const PROCEDURES_CSV: &[u8] = include_bytes!("../data/demo/procedures.csv");

/// Imports the demo catalog through the same path as `motcua import`, assigns
/// each procedure to every district or commune People's Committee of its
/// levels, and records a few internal processes and reviews at Đô Lương so
/// the catalog figures have something to count.
async fn seed_catalog(store: &dyn Store, ctx: &AuditContext) -> ServiceResult<usize> {
    use motcua_domain::deadline::TimeLimit;
    use motcua_service::access::Actor;
    use motcua_service::catalog::FileFormat;
    use motcua_service::store::{NewProcess, NewReview, ProcessStep};

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
    let district = store
        .unit_by_code(&UnitCode::parse("000.00.21.H40")?)
        .await?;
    let desk = store
        .unit_by_code(&UnitCode::parse("000.01.21.H40")?)
        .await?;
    let office = store
        .unit_by_code(&UnitCode::parse("000.02.21.H40")?)
        .await?;
    let with_days: Vec<_> = all
        .iter()
        .filter_map(|(d, _)| match d.time_limit {
            TimeLimit::WorkingDays(n) if n >= 3 && d.levels.contains(&Level::District) => {
                Some((d, n))
            }
            _ => None,
        })
        .take(6)
        .collect();
    for (d, n) in &with_days {
        // Desk half a day; the office the bulk; the leader one day: exactly
        // the legal limit in working hours (8 h a day).
        let steps = vec![
            ProcessStep {
                name: "Tiếp nhận, kiểm tra và chuyển hồ sơ".into(),
                unit_id: desk.id,
                role: Role::DeskOfficer,
                allotted: TimeLimit::WorkingHours(4),
                external: false,
            },
            ProcessStep {
                name: "Thẩm định hồ sơ, trình ký".into(),
                unit_id: office.id,
                role: Role::Specialist,
                allotted: TimeLimit::WorkingHours(8 * n - 12),
                external: false,
            },
            ProcessStep {
                name: "Phê duyệt, ký kết quả".into(),
                unit_id: district.id,
                role: Role::Leader,
                allotted: TimeLimit::WorkingHours(8),
                external: false,
            },
        ];
        motcua_service::processes::add_process(
            store,
            &actor,
            ctx.at,
            NewProcess {
                procedure_code: d.code.clone(),
                unit_id: district.id,
                decision: "Quyết định số 1234/QĐ-UBND ngày 15/3/2024 của UBND huyện Đô Lương"
                    .into(),
                effective_from: date(2024, 4, 1),
                steps,
            },
        )
        .await?;
        motcua_service::processes::add_review(
            store,
            &actor,
            ctx.at,
            NewReview {
                unit_id: district.id,
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
