//! The generated province: units, procedures with processes, and dossier
//! history written as the import template (docs/import/dossiers.md), so
//! every due moment and classification comes from the real clock engine.

use std::collections::HashMap;
use std::fmt::Write as _;

use jiff::civil::{Date, DateTime, Weekday, date};
use jiff::{SignedDuration, ToSpan};
use motcua_domain::catalog::{
    ApplicantKind, Component, ComponentForm, Money, OnlineLevel, ProcedureCode, ProcedureDraft,
    Requirement, ResultType,
};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::role::Role;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::access::Actor;
use motcua_service::store::{NewProcess, NewUnit, ProcessStep, Store};
use motcua_service::{procedures, processes, units};

/// Districts of the province.
pub const DISTRICTS: u32 = 10;
/// Communes per district.
pub const COMMUNES: u32 = 20;
/// Procedures in the catalog.
pub const PROCEDURES: u32 = 50;
/// The province's code.
pub const PROVINCE: &str = "000.00.00.H40";

/// Code of district `d` (0-based).
pub fn district(d: u32) -> String {
    format!("000.00.{}.H40", 21 + d)
}
/// Code of district `d`'s one-stop desk.
pub fn desk(d: u32) -> String {
    format!("000.01.{}.H40", 21 + d)
}
/// Code of district `d`'s justice office.
pub fn office(d: u32) -> String {
    format!("000.02.{}.H40", 21 + d)
}
/// Code of commune `c` of district `d`.
pub fn commune(d: u32, c: u32) -> String {
    format!("000.{}.{}.H40", 11 + c, 21 + d)
}
/// Code of procedure `i`.
pub fn procedure(i: u32) -> String {
    format!("1.{:06}", 1000 + i)
}
/// District-level procedures are those with `i % 3 == 0`.
pub fn district_level(i: u32) -> bool {
    i.is_multiple_of(3)
}
/// The procedure's legal limit in working days.
pub fn limit_days(i: u32) -> u32 {
    [1, 3, 5, 5, 7, 10, 10, 15, 3, 5][i as usize % 10]
}

/// SplitMix64: small, fast, deterministic.
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const DISTRICT_NAMES: &[&str] = &[
    "Đô Lương",
    "Nam Đàn",
    "Thanh Chương",
    "Anh Sơn",
    "Yên Thành",
    "Diễn Châu",
    "Quỳnh Lưu",
    "Nghi Lộc",
    "Hưng Nguyên",
    "Tân Kỳ",
];

/// Creates the province, its districts (each with a desk and a justice
/// office) and communes; the catalog of [`PROCEDURES`] procedures assigned to
/// the units of their level; and a two-step process (justice office, then
/// the district's leader) for every district-level procedure in every
/// district.
pub async fn seed(store: &dyn Store) -> anyhow::Result<()> {
    let unit = |code: String, name: String, kind, level, parent_id| -> anyhow::Result<NewUnit> {
        Ok(NewUnit {
            code: UnitCode::parse(&code)?,
            name,
            kind,
            level,
            parent_id,
            valid_from: date(2020, 1, 1),
            valid_to: None,
        })
    };
    let actor = Actor::system("bench");
    let province = units::add_unit(
        store,
        &actor,
        jiff::Timestamp::now(),
        unit(
            PROVINCE.into(),
            "UBND tỉnh Nghệ An".into(),
            UnitKind::Province,
            Level::Province,
            None,
        )?,
    )
    .await?;
    let mut district_ids = Vec::new();
    for d in 0..DISTRICTS {
        let name = DISTRICT_NAMES[d as usize % DISTRICT_NAMES.len()];
        let dist = units::add_unit(
            store,
            &actor,
            jiff::Timestamp::now(),
            unit(
                district(d),
                format!("UBND huyện {name}"),
                UnitKind::District,
                Level::District,
                Some(province.id),
            )?,
        )
        .await?;
        district_ids.push(dist.id);
        units::add_unit(
            store,
            &actor,
            jiff::Timestamp::now(),
            unit(
                desk(d),
                format!("Bộ phận Một cửa huyện {name}"),
                UnitKind::Desk,
                Level::District,
                Some(dist.id),
            )?,
        )
        .await?;
        units::add_unit(
            store,
            &actor,
            jiff::Timestamp::now(),
            unit(
                office(d),
                format!("Phòng Tư pháp huyện {name}"),
                UnitKind::DistrictOffice,
                Level::District,
                Some(dist.id),
            )?,
        )
        .await?;
        for c in 0..COMMUNES {
            units::add_unit(
                store,
                &actor,
                jiff::Timestamp::now(),
                unit(
                    commune(d, c),
                    format!("UBND xã số {} huyện {name}", c + 1),
                    UnitKind::Commune,
                    Level::Commune,
                    Some(dist.id),
                )?,
            )
            .await?;
        }
    }
    let mut drafts = Vec::new();
    for i in 0..PROCEDURES {
        let d = draft(i)?;
        let assigned: Vec<String> = if district_level(i) {
            (0..DISTRICTS).map(district).collect()
        } else {
            (0..DISTRICTS)
                .flat_map(|d| (0..COMMUNES).map(move |c| commune(d, c)))
                .collect()
        };
        drafts.push((d, assigned));
    }
    procedures::import(store, &actor, jiff::Timestamp::now(), drafts).await?;
    for i in (0..PROCEDURES).filter(|i| district_level(*i)) {
        let days = limit_days(i);
        for (d, &dist_id) in district_ids.iter().enumerate() {
            let office_id = store
                .unit_by_code(&UnitCode::parse(&office(d as u32))?)
                .await?
                .id;
            processes::add_process(
                store,
                &actor,
                jiff::Timestamp::now(),
                NewProcess {
                    procedure_code: ProcedureCode::parse(&procedure(i))?,
                    unit_id: dist_id,
                    decision: format!("Quyết định số {}/QĐ-UBND", 100 + i),
                    effective_from: date(2024, 1, 1),
                    steps: vec![
                        ProcessStep {
                            name: "Thẩm định hồ sơ".into(),
                            unit_id: office_id,
                            role: Role::Specialist,
                            allotted: TimeLimit::WorkingHours(days * 5),
                            external: false,
                        },
                        ProcessStep {
                            name: "Phê duyệt".into(),
                            unit_id: dist_id,
                            role: Role::Leader,
                            allotted: TimeLimit::WorkingHours(days * 2),
                            external: false,
                        },
                    ],
                },
            )
            .await?;
        }
    }
    Ok(())
}

const OBJECTS: &[&str] = &[
    "xây dựng nhà ở riêng lẻ",
    "khai sinh",
    "kết hôn",
    "khai tử",
    "hộ kinh doanh",
    "quyền sử dụng đất",
    "thay đổi họ tên",
    "bản sao từ bản chính",
    "chữ ký trong giấy tờ",
    "trợ cấp xã hội hằng tháng",
    "mai táng phí",
    "biến động đất đai",
    "tách thửa, hợp thửa",
    "hòa giải ở cơ sở",
    "giấy khen của Chủ tịch UBND",
    "cư trú",
    "nuôi con nuôi trong nước",
];
const HEADS: &[&str] = &["Đăng ký", "Cấp giấy", "Xác nhận"];

fn draft(i: u32) -> anyhow::Result<ProcedureDraft> {
    let object = OBJECTS[i as usize % OBJECTS.len()];
    let head = HEADS[(i as usize / OBJECTS.len()) % HEADS.len()];
    Ok(ProcedureDraft {
        code: ProcedureCode::parse(&procedure(i))?,
        name: format!("{head} {object}"),
        field: "Hộ tịch".into(),
        levels: vec![if district_level(i) {
            Level::District
        } else {
            Level::Commune
        }],
        agency: if district_level(i) {
            "UBND cấp huyện".into()
        } else {
            "UBND cấp xã".into()
        },
        time_limit: TimeLimit::WorkingDays(limit_days(i)),
        online_time_limit: None,
        online_level: [OnlineLevel::FullProcess, OnlineLevel::Partial][i as usize % 2],
        fee: Money::dong(i64::from(i % 4) * 25_000)?,
        fee_note: String::new(),
        result_type: ResultType::Certificate,
        legal_basis: "Luật Hộ tịch 2014".into(),
        applicant: ApplicantKind::Citizen,
        effective_from: date(2024, 1, 1),
        components: vec![Component {
            name: "Tờ khai".into(),
            form: ComponentForm::Original,
            copies: 1,
            requirement: Requirement::Mandatory,
            must_digitise: true,
            form_template: None,
        }],
    })
}

/// The header of the generated files (English aliases of the template).
pub const HEADER: &str = "code,procedure,channel,applicant_name,applicant_identity,applicant_phone,\
    applicant_address,received_at,supplements,finished_at,outcome,returned_at,status,\
    result_digitised,components,components_digitised\n";

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương",
];
const MIDDLE: &[&str] = &["Văn", "Thị", "Đức", "Minh", "Ngọc", "Thanh", "Hữu", "Quang"];
const GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Linh", "Mai",
    "Nam", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trung", "Yến",
];

/// One generated dossier before its code is known.
struct Plan {
    unit: u32,
    received: DateTime,
}

/// Receiving units: the 10 district desks, then the 200 communes.
pub fn receiving_units() -> Vec<String> {
    let mut v: Vec<String> = (0..DISTRICTS).map(desk).collect();
    for d in 0..DISTRICTS {
        for c in 0..COMMUNES {
            v.push(commune(d, c));
        }
    }
    v
}

fn fmt(dt: DateTime) -> String {
    dt.strftime("%Y-%m-%dT%H:%M").to_string()
}

/// A moment in office hours on `day` (Saturday and Sunday move to Friday).
fn office_moment(rng: &mut Rng, day: Date) -> anyhow::Result<DateTime> {
    let day = match day.weekday() {
        Weekday::Saturday => day.checked_sub(1.day())?,
        Weekday::Sunday => day.checked_sub(2.days())?,
        _ => day,
    };
    let minute = rng.below(9 * 60) as i64; // 07:30–16:30
    Ok(day
        .at(7, 30, 0, 0)
        .checked_add(SignedDuration::from_mins(minute))?)
}

/// Writes `n` dossiers as CSV chunks of at most `chunk` rows, receipts over
/// the two years before `now` (Vietnam time), oldest first; calls `sink`
/// with each chunk.
pub async fn dossiers<F, Fut>(
    n: u64,
    chunk: usize,
    now: DateTime,
    mut sink: F,
) -> anyhow::Result<std::collections::BTreeMap<&'static str, u64>>
where
    F: FnMut(String, usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut rng = Rng::new(0x6d6f_7463_7561);
    let units = receiving_units();
    let desks = DISTRICTS as u64;
    let latest = now.checked_sub(2.hours())?;
    let today = now.date();
    let mut plans: Vec<Plan> = Vec::with_capacity(n as usize);
    for _ in 0..n {
        // 30% at the district desks, 70% at the communes.
        let unit = if rng.unit() < 0.3 {
            rng.below(desks) as u32
        } else {
            (desks + rng.below(units.len() as u64 - desks)) as u32
        };
        // Busier lately: the density grows by half over the two years.
        let back = loop {
            let x = rng.below(730);
            if rng.unit() < 1.0 - (x as f64 / 730.0) * 0.33 {
                break x;
            }
        };
        let mut received = office_moment(&mut rng, today.checked_sub((back as i64).days())?)?;
        if received > latest {
            received = office_moment(&mut rng, today.checked_sub(1.day())?)?;
        }
        plans.push(Plan { unit, received });
    }
    plans.sort_by_key(|p| p.received);
    let mut seq: HashMap<(u32, Date), u32> = HashMap::new();
    let mut counts: std::collections::BTreeMap<&'static str, u64> = Default::default();
    let mut buf = String::with_capacity(chunk * 220);
    buf.push_str(HEADER);
    let mut rows = 0usize;
    for p in &plans {
        let day = p.received.date();
        let no = seq.entry((p.unit, day)).or_insert(0);
        *no += 1;
        let unit_code = &units[p.unit as usize];
        let code = format!("{unit_code}-{}-{:04}", day.strftime("%y%m%d"), no);
        let at_desk = p.unit < DISTRICTS;
        let proc_i = loop {
            let i = rng.below(u64::from(PROCEDURES)) as u32;
            if district_level(i) == at_desk {
                break i;
            }
        };
        let limit = limit_days(proc_i);
        // Working days take about 1.4 calendar days; most finish within
        // their limit, some late.
        let factor = 0.25 + rng.unit() * 1.05;
        let planned_days = (f64::from(limit) * 1.4 * factor).max(0.1);
        let planned_end = p
            .received
            .checked_add(SignedDuration::from_secs_f64(planned_days * 86_400.0))?;
        let age_days = (now.duration_since(p.received).as_secs_f64()) / 86_400.0;
        // Old dossiers stuck open: overdue ones.
        let stuck = age_days > 45.0 && rng.unit() < 0.02;
        let mut supplements = String::new();
        let mut finished = String::new();
        let mut outcome = "";
        let mut returned = String::new();
        let mut status = "";
        let r = rng.unit();
        let with_supplement = r < 0.08;
        let supp_start = p.received.checked_add(SignedDuration::from_hours(20))?;
        let supp_end = supp_start.checked_add(SignedDuration::from_hours(48))?;
        let mut end = if with_supplement {
            planned_end.checked_add(SignedDuration::from_hours(48))?
        } else {
            planned_end
        };
        if with_supplement && end <= supp_end {
            end = supp_end.checked_add(SignedDuration::from_hours(3))?;
        }
        let key: &'static str;
        if !stuck && end <= latest {
            if with_supplement {
                supplements = format!("{}/{}", fmt(supp_start), fmt(supp_end));
            }
            finished = fmt(end);
            let o = rng.unit();
            outcome = if o < 0.94 {
                "done"
            } else if o < 0.97 {
                "refused"
            } else if o < 0.99 {
                "withdrawn"
            } else {
                "stopped"
            };
            key = outcome;
            if outcome == "done" && rng.unit() < 0.93 {
                let ret = end.checked_add(SignedDuration::from_secs_f64(
                    rng.unit() * 3.0 * 86_400.0 + 600.0,
                ))?;
                if ret <= latest {
                    returned = fmt(ret);
                }
            }
        } else if with_supplement && supp_start <= latest {
            // Still waiting for the applicant.
            supplements = format!("{}/", fmt(supp_start));
            key = "awaiting_supplement";
        } else if age_days < 1.5 && rng.unit() < 0.5 {
            status = "received";
            key = "received";
        } else {
            status = "processing";
            key = "processing";
        }
        let key = if !returned.is_empty() {
            "returned"
        } else if key == "done" {
            "done (not returned)"
        } else {
            key
        };
        *counts.entry(key).or_default() += 1;
        let name = format!(
            "{} {} {}",
            FAMILY[rng.below(FAMILY.len() as u64) as usize],
            MIDDLE[rng.below(MIDDLE.len() as u64) as usize],
            GIVEN[rng.below(GIVEN.len() as u64) as usize]
        );
        let components = 1 + rng.below(2);
        let digitised = rng.below(components + 1);
        let channel = if rng.unit() < 0.25 {
            "online"
        } else {
            "in_person"
        };
        let result_digitised = if outcome == "done" && rng.unit() < 0.6 {
            "Có"
        } else {
            ""
        };
        let _ = writeln!(
            buf,
            "{code},{},{channel},{name},0400{:08},09{:08},Xóm {} xã {},{},{supplements},{finished},{outcome},{returned},{status},{result_digitised},{components},{digitised}",
            procedure(proc_i),
            rng.below(100_000_000),
            rng.below(100_000_000),
            1 + rng.below(12),
            1 + p.unit,
            fmt(p.received),
        );
        rows += 1;
        if rows == chunk {
            sink(std::mem::replace(&mut buf, HEADER.to_owned()), rows).await?;
            rows = 0;
        }
    }
    if rows > 0 {
        sink(buf, rows).await?;
    }
    Ok(counts)
}
