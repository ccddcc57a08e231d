//! The render crate's one test binary. Here: the XLSX export read back by
//! the importer: what is written is what is read, on made-up tricky values and
//! on the shipped catalogs. The forms as PDF are in the modules.

// A test binary: a failed unwrap is a failed test, with its cause shown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod apology;
mod control;
mod form06;
mod payment_receipt;
mod poppler;
mod receipt;
mod refusal;
mod register;
mod stop;
mod supplement;

/// A value made of typst markup (`#` code, `*` strong, `$` maths, `]` closing
/// content, `\` line break): a form must print it exactly as written.
const MARKUP: &str = r#"#panic("x") *đậm* $a^2$ ] \ _nghiêng_ <nhãn> @ref"#;

use calamine::{Data, Reader, Xlsx};
use jiff::civil::date;
use motcua_domain::catalog::{
    ApplicantKind, Component, ComponentForm, Money, OnlineLevel, ProcedureCode, ProcedureDraft,
    Requirement, ResultType,
};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::unit::Level;
use motcua_render::procedures_xlsx;
use motcua_service::catalog::{FileFormat, parse_procedures};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const EXAMPLE: &[u8] = include_bytes!("../../../../docs/import/procedures-example.csv");
const DEMO: &[u8] = include_bytes!("../../../app/data/demo/procedures.csv");

fn component(name: &str, form_template: Option<&str>) -> Component {
    Component {
        name: name.into(),
        form: ComponentForm::OriginalOrCopy,
        copies: 20,
        requirement: Requirement::Mandatory,
        must_digitise: false,
        form_template: form_template.map(String::from),
    }
}

fn tricky() -> Vec<(ProcedureDraft, Vec<String>)> {
    let base = ProcedureDraft {
        code: ProcedureCode::parse("2.000880").unwrap(),
        name: "Cấp giấy phép \"xây dựng\", cải tạo; sửa chữa".into(),
        field: "Xây dựng".into(),
        levels: vec![Level::District, Level::Commune],
        agency: "UBND cấp huyện".into(),
        time_limit: TimeLimit::CalendarDays(15),
        online_time_limit: Some(TimeLimit::CalendarDays(7)),
        online_level: OnlineLevel::Partial,
        fee: Money::dong(1_500_000).unwrap(),
        fee_note: "=1+1 là ghi chú".into(),
        result_type: ResultType::Licence,
        legal_basis: "- Luật Xây dựng 2014;\n- Nghị định 175/2024/NĐ-CP\r\n_x000D_ giữ nguyên"
            .into(),
        applicant: ApplicantKind::Organisation,
        effective_from: date(2025, 7, 1),
        components: vec![
            component("Đơn đề nghị, \"mẫu 01\"", Some("Mẫu số 01")),
            component("Bản vẽ\nthiết kế", None),
        ],
    };
    vec![
        (base.clone(), vec!["000.21.30.H40".into()]),
        (
            ProcedureDraft {
                code: ProcedureCode::parse("1.001193.000.00.00.H40").unwrap(),
                time_limit: TimeLimit::SameDay,
                online_time_limit: None,
                online_level: OnlineLevel::FullProcess,
                fee: Money::dong(0).unwrap(),
                fee_note: String::new(),
                legal_basis: String::new(),
                applicant: ApplicantKind::Both,
                components: vec![],
                ..base.clone()
            },
            vec![],
        ),
        (
            ProcedureDraft {
                code: ProcedureCode::parse("1.000100").unwrap(),
                time_limit: TimeLimit::WorkingHours(8),
                online_time_limit: Some(TimeLimit::WorkingHours(8)),
                levels: vec![Level::Central, Level::Province],
                result_type: ResultType::Reply,
                components: vec![component("Tờ khai", None)],
                ..base.clone()
            },
            vec!["000.00.00.H40".into(), "000.21.30.H40".into()],
        ),
        (
            ProcedureDraft {
                code: ProcedureCode::parse("1.000200").unwrap(),
                time_limit: TimeLimit::Months(3),
                online_time_limit: None,
                effective_from: date(1999, 12, 31),
                ..base.clone()
            },
            vec![],
        ),
        (
            ProcedureDraft {
                code: ProcedureCode::parse("1.000300").unwrap(),
                time_limit: TimeLimit::NoLimit,
                online_time_limit: Some(TimeLimit::WorkingDays(3)),
                ..base
            },
            vec![],
        ),
    ]
}

#[test]
fn xlsx_export_imports_back_to_the_same_drafts() {
    let drafts = tricky();
    for (d, _) in &drafts {
        d.validate().unwrap();
    }
    let bytes = procedures_xlsx(&drafts).unwrap();
    assert_eq!(
        FileFormat::detect(Some("catalog.xlsx"), &bytes),
        FileFormat::Xlsx
    );
    let parsed = parse_procedures(&bytes, FileFormat::Xlsx).unwrap();
    assert_eq!(parsed.warnings, []);
    let rows: Vec<usize> = parsed.procedures.iter().map(|p| p.row).collect();
    assert_eq!(rows, [2, 4, 5, 6, 8]);
    assert_eq!(parsed.into_drafts(), drafts);
}

#[test]
fn the_shipped_catalogs_survive_csv_to_xlsx_and_back() {
    for csv in [EXAMPLE, DEMO] {
        let from_csv = parse_procedures(csv, FileFormat::Csv)
            .unwrap()
            .into_drafts();
        let bytes = procedures_xlsx(&from_csv).unwrap();
        let back = parse_procedures(&bytes, FileFormat::Xlsx).unwrap();
        assert_eq!(back.warnings, []);
        assert_eq!(back.into_drafts(), from_csv);
    }
}

#[test]
fn the_sheet_keeps_codes_and_dates_as_text_and_the_fee_as_a_number() {
    let bytes = procedures_xlsx(&tricky()).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["Thủ tục hành chính"]);
    let range = book.worksheet_range("Thủ tục hành chính").unwrap();
    let cell = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(0, 0), Data::String("Mã thủ tục".into()));
    assert_eq!(cell(0, 20), Data::String("Đơn vị áp dụng".into()));
    assert_eq!(cell(1, 0), Data::String("2.000880".into()));
    assert_eq!(cell(1, 8), Data::Float(1_500_000.0));
    assert_eq!(cell(1, 13), Data::String("01/07/2025".into()));
    assert_eq!(cell(1, 16), Data::Float(20.0));
    assert_eq!(cell(1, 5), Data::String("15 ngày lịch".into()));
    assert_eq!(cell(2, 0), Data::Empty);
    assert_eq!(cell(2, 14), Data::String("Bản vẽ\nthiết kế".into()));
    assert_eq!(range.height(), 9);
}

#[test]
fn an_empty_export_is_the_header_alone() {
    let bytes = procedures_xlsx(&[]).unwrap();
    let e = parse_procedures(&bytes, FileFormat::Xlsx).unwrap_err();
    assert!(e.0[0].reason.starts_with("no procedures"), "{e}");
}

const HEADER: [&str; 19] = [
    "Mã thủ tục",
    "Tên thủ tục",
    "Lĩnh vực",
    "Cấp thực hiện",
    "Cơ quan thực hiện",
    "Thời hạn giải quyết",
    "Thời hạn trực tuyến",
    "Mức độ DVC trực tuyến",
    "Phí, lệ phí",
    "Ghi chú phí",
    "Kết quả",
    "Căn cứ pháp lý",
    "Đối tượng",
    "Ngày hiệu lực",
    "Thành phần hồ sơ",
    "Loại bản",
    "Số bản",
    "Yêu cầu",
    "Số hóa",
];

/// A workbook as a person would make it by hand in a spreadsheet: numbers,
/// dates and booleans typed into cells, not text.
fn hand_made(fee: f64, effective: Option<f64>) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let texts = [
        (1, "Đăng ký khai sinh"),
        (2, "Hộ tịch"),
        (3, "Cấp xã"),
        (4, "UBND cấp xã"),
        (5, "15 ngày"),
        (10, "Giấy chứng nhận"),
        (12, "Công dân"),
        (14, "Tờ khai"),
        (15, "Bản chính"),
        (17, "Bắt buộc"),
    ];
    for (c, t) in texts {
        sheet.write_string(1, c, t).unwrap();
    }
    sheet.write_number(1, 0, 2.00088).unwrap();
    sheet.write_number(1, 7, 4.0).unwrap();
    sheet.write_number(1, 8, fee).unwrap();
    match effective {
        Some(serial) => {
            sheet.write_number(1, 13, serial).unwrap();
        }
        None => {
            let day = ExcelDateTime::from_ymd(2024, 7, 1).unwrap();
            let format = Format::new().set_num_format("dd/mm/yyyy");
            sheet
                .write_datetime_with_format(1, 13, &day, &format)
                .unwrap();
        }
    }
    sheet.write_number(1, 16, 2.0).unwrap();
    sheet.write_boolean(1, 18, true).unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn numbers_dates_and_booleans_typed_into_cells_are_read() {
    for effective in [None, Some(45474.0)] {
        let parsed = parse_procedures(&hand_made(50_000.0, effective), FileFormat::Xlsx).unwrap();
        let d = &parsed.procedures[0].draft;
        assert_eq!(d.code.as_str(), "2.000880");
        assert_eq!(d.online_level, OnlineLevel::FullProcess);
        assert_eq!(d.fee.get(), 50_000);
        assert_eq!(d.effective_from, date(2024, 7, 1));
        assert_eq!(d.time_limit, TimeLimit::CalendarDays(15));
        assert_eq!(d.components[0].copies, 2);
        assert!(d.components[0].must_digitise);
        let warned: Vec<(usize, Option<&str>)> = parsed
            .warnings
            .iter()
            .map(|w| (w.row, w.column.as_deref()))
            .collect();
        assert_eq!(warned, [(2, Some("A")), (2, Some("F"))]);
        assert!(parsed.warnings[0].reason.contains("read as 2.000880"));
    }
}

#[test]
fn bad_number_cells_are_reported_at_their_cell() {
    let e = parse_procedures(&hand_made(50_000.5, Some(-1.0)), FileFormat::Xlsx).unwrap_err();
    let at: Vec<String> = e.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        at,
        [
            "row 2, column I (Phí, lệ phí): 50000.5 is not whole đồng: fees have no decimals",
            "row 2, column N (Ngày hiệu lực): -1 is not a date; write dd/mm/yyyy",
        ]
    );
}
