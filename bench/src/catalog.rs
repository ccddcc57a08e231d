//! Catalog search over N generated procedures, on SQLite and PostgreSQL,
//! through the same service call the API uses.

use std::time::{Duration, Instant};

use jiff::civil::date;
use motcua_domain::catalog::{
    ApplicantKind, Component, ComponentForm, Money, OnlineLevel, ProcedureCode, ProcedureDraft,
    Requirement, ResultType,
};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::unit::Level;
use motcua_service::access::Actor;
use motcua_service::procedures;
use motcua_service::store::ProcedureFilter;
use motcua_testkit::{Backend, TestDb};

use crate::stats::percentiles;

/// Options.
#[derive(clap::Args)]
pub struct Args {
    /// Procedures to generate.
    #[arg(long, default_value_t = 10_000)]
    procedures: u32,
    /// Queries to time per backend (after a warm-up of 200).
    #[arg(long, default_value_t = 3_000)]
    queries: usize,
    /// Only this backend (`sqlite` or `postgres`).
    #[arg(long)]
    backend: Option<String>,
}

/// Heads and objects that make realistic, mostly distinct procedure names.
const HEADS: &[&str] = &[
    "Cấp giấy phép",
    "Cấp lại giấy phép",
    "Điều chỉnh giấy phép",
    "Gia hạn giấy phép",
    "Đăng ký",
    "Đăng ký lại",
    "Thay đổi, cải chính",
    "Xác nhận",
    "Chứng thực",
    "Thẩm định",
    "Phê duyệt",
    "Công nhận",
    "Thu hồi",
    "Cấp bản sao",
    "Giải quyết",
    "Hỗ trợ",
    "Trợ cấp",
    "Cho phép",
    "Chuyển nhượng",
    "Đính chính",
];
const OBJECTS: &[&str] = &[
    "xây dựng nhà ở riêng lẻ",
    "khai sinh",
    "kết hôn",
    "khai tử",
    "hộ kinh doanh",
    "quyền sử dụng đất",
    "sửa chữa nhà ở",
    "thành lập cơ sở giáo dục mầm non",
    "bán lẻ sản phẩm thuốc lá",
    "sản xuất rượu thủ công",
    "hoạt động karaoke",
    "nuôi con nuôi trong nước",
    "thay đổi họ tên",
    "bản sao từ bản chính",
    "chữ ký trong giấy tờ",
    "hợp đồng giao dịch",
    "trợ cấp xã hội hằng tháng",
    "người có công với cách mạng",
    "mai táng phí",
    "hộ nghèo, hộ cận nghèo",
    "biến động đất đai",
    "chuyển mục đích sử dụng đất",
    "tách thửa, hợp thửa",
    "công trình tín ngưỡng",
    "lễ hội truyền thống",
    "câu lạc bộ thể thao",
    "cơ sở lưu trú du lịch",
    "kế hoạch bảo vệ môi trường",
    "phòng chống thiên tai",
    "hòa giải ở cơ sở",
    "thi đua khen thưởng",
    "giấy khen của Chủ tịch UBND",
];
const QUALIFIERS: &[&str] = &[
    "",
    " có yếu tố nước ngoài",
    " cho tổ chức",
    " cho cá nhân",
    " tại cấp xã",
    " tại cấp huyện",
    " trường hợp bị mất",
    " trường hợp hết hạn",
    " đối với công trình cấp III",
    " đối với hộ gia đình",
];
const FIELDS: &[&str] = &[
    "Xây dựng",
    "Hộ tịch",
    "Đất đai",
    "Chứng thực",
    "Bảo trợ xã hội",
    "Văn hóa",
    "Công thương",
    "Giáo dục",
];

fn draft(i: u32) -> anyhow::Result<ProcedureDraft> {
    let i = i as usize;
    let head = HEADS[i % HEADS.len()];
    let object = OBJECTS[(i / HEADS.len()) % OBJECTS.len()];
    let qualifier = QUALIFIERS[(i / (HEADS.len() * OBJECTS.len())) % QUALIFIERS.len()];
    let round = i / (HEADS.len() * OBJECTS.len() * QUALIFIERS.len());
    let suffix = if round > 0 {
        format!(" (mẫu {round})")
    } else {
        String::new()
    };
    Ok(ProcedureDraft {
        code: ProcedureCode::parse(&format!("{}.{:06}", 1 + i % 2, i))?,
        name: format!("{head} {object}{qualifier}{suffix}"),
        field: FIELDS[i % FIELDS.len()].to_owned(),
        levels: vec![if i.is_multiple_of(3) {
            Level::District
        } else {
            Level::Commune
        }],
        agency: "UBND cấp xã".to_owned(),
        time_limit: TimeLimit::WorkingDays(1 + (i % 15) as u32),
        online_time_limit: None,
        online_level: [
            OnlineLevel::FullProcess,
            OnlineLevel::Partial,
            OnlineLevel::None,
        ][i % 3],
        fee: Money::dong(((i % 4) * 50_000) as i64)?,
        fee_note: String::new(),
        result_type: ResultType::Certificate,
        legal_basis: "Luật Hộ tịch 2014".to_owned(),
        applicant: ApplicantKind::Citizen,
        effective_from: date(2024, 1, 1),
        components: vec![Component {
            name: "Tờ khai".to_owned(),
            form: ComponentForm::Original,
            copies: 1,
            requirement: Requirement::Mandatory,
            must_digitise: true,
            form_template: None,
        }],
    })
}

/// What officers type: with and without diacritics, prefixes as they type,
/// small typos.
const QUERIES: &[&str] = &[
    "giay phep xay dung",
    "GIẤY PHÉP xây dựng",
    "xay dung",
    "khai sinh",
    "dang ky khai sinh",
    "đăng ký kết hôn",
    "ket hon co yeu to nuoc ngoai",
    "chung thuc ban sao",
    "chứng thực chữ ký",
    "ho kinh doanh",
    "dang ky ho kinh doanh",
    "quyen su dung dat",
    "chuyen muc dich su dung dat",
    "tach thua",
    "tro cap xa hoi",
    "mai tang phi",
    "karaoke",
    "thuoc la",
    "ruou thu cong",
    "giay phep xay dungg",
    "dnag ky khai sinh",
    "xay d",
    "cap lai giay",
    "nuoi con nuoi",
    "1.000123",
    "hoa giai",
    "thi dua khen thuong",
    "le hoi",
    "cong trinh tin nguong",
    "bao ve moi truong",
];

async fn one(backend: Backend, args: &Args) -> anyhow::Result<()> {
    // Figures only on a server named for it: the tests' throwaway cluster
    // runs without durability.
    if backend == Backend::Postgres && motcua_testkit::server_url().is_none() {
        println!(
            "{}: skipped (MOTCUA_TEST_DATABASE_URL not set)",
            backend.name()
        );
        return Ok(());
    }
    let db = TestDb::migrated(backend).await?;
    let store = db.store();
    let actor = Actor::system("bench");
    let start = Instant::now();
    let drafts: Vec<(ProcedureDraft, Vec<String>)> = (0..args.procedures)
        .map(|i| Ok((draft(i)?, Vec::new())))
        .collect::<anyhow::Result<_>>()?;
    for chunk in drafts.chunks(2_000) {
        procedures::import(
            store.as_ref(),
            &actor,
            jiff::Timestamp::now(),
            chunk.to_vec(),
        )
        .await?;
    }
    if backend == Backend::Postgres {
        db.execute("VACUUM ANALYZE").await?;
    }
    println!(
        "{}: loaded {} procedures in {:.1} s",
        backend.name(),
        args.procedures,
        start.elapsed().as_secs_f64()
    );
    let filter = ProcedureFilter::default();
    let mut hits_total = 0usize;
    for q in QUERIES.iter().cycle().take(200) {
        hits_total += procedures::search(store.as_ref(), q, &filter, 20)
            .await?
            .len();
    }
    let mut samples: Vec<Duration> = Vec::with_capacity(args.queries);
    for q in QUERIES.iter().cycle().take(args.queries) {
        let t = Instant::now();
        let hits = procedures::search(store.as_ref(), q, &filter, 20).await?;
        samples.push(t.elapsed());
        hits_total += hits.len();
    }
    let p = percentiles(&mut samples);
    println!(
        "{}: catalog search over {} procedures: {p} (avg hits {:.1})",
        backend.name(),
        args.procedures,
        hits_total as f64 / (args.queries + 200) as f64
    );
    db.close().await;
    Ok(())
}

/// Runs the benchmark on each configured backend.
pub async fn run(args: Args) -> anyhow::Result<()> {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if args.backend.as_deref().is_some_and(|b| b != backend.name()) {
            continue;
        }
        one(backend, &args).await?;
    }
    Ok(())
}
