use jiff::civil::date;
use motcua_domain::catalog::text::template::Column;
use motcua_domain::catalog::{
    ApplicantKind, Component, ComponentForm, Money, OnlineLevel, Requirement, ResultType,
};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::unit::Level;

use super::*;
use crate::error::ServiceError;

mod roundtrip;

const EXAMPLE: &[u8] = include_bytes!("../../../../../docs/import/procedures-example.csv");
const DEMO: &[u8] = include_bytes!("../../../../app/data/demo/procedures.csv");

const HEADER: [&str; 21] = [
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
    "Mẫu đơn",
    "Đơn vị áp dụng",
];

/// A valid procedure row with the given code.
fn good(code: &str) -> Vec<String> {
    [
        code,
        "Đăng ký khai sinh",
        "Hộ tịch",
        "Cấp xã",
        "UBND cấp xã",
        "5 ngày làm việc",
        "",
        "Toàn trình",
        "0",
        "",
        "Giấy chứng nhận",
        "Luật Hộ tịch 2014",
        "Công dân",
        "01/07/2024",
        "Tờ khai đăng ký khai sinh",
        "Bản chính",
        "1",
        "Bắt buộc",
        "Có",
        "",
        "000.21.30.H99",
    ]
    .map(String::from)
    .to_vec()
}

/// A continuation row naming a component.
fn part(name: &str) -> Vec<String> {
    let mut row = vec![String::new(); 21];
    row[14] = name.into();
    row[15] = "Bản sao".into();
    row[16] = "2".into();
    row[17] = "Có điều kiện".into();
    row[18] = "Không".into();
    row
}

fn csv_of(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn parse(rows: &[Vec<String>]) -> Result<ParsedImport, ImportErrors> {
    parse_procedures(&csv_of(&HEADER, rows), FileFormat::Csv)
}

fn errors(rows: &[Vec<String>]) -> Vec<ImportIssue> {
    parse(rows).unwrap_err().0
}

/// (row, column letter, reason fragment) of each issue.
fn cells(issues: &[ImportIssue]) -> Vec<(usize, String)> {
    issues
        .iter()
        .map(|i| (i.row, i.column.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn the_documented_example_parses_with_components_attached() {
    let parsed = parse_procedures(EXAMPLE, FileFormat::Csv).unwrap();
    let codes: Vec<&str> = parsed
        .procedures
        .iter()
        .map(|p| p.draft.code.as_str())
        .collect();
    assert_eq!(
        codes,
        ["1.001193", "2.000815", "1.004222", "1.001612", "1.013225"]
    );
    let rows: Vec<usize> = parsed.procedures.iter().map(|p| p.row).collect();
    assert_eq!(rows, [2, 5, 7, 9, 12]);
    let parts: Vec<usize> = parsed
        .procedures
        .iter()
        .map(|p| p.draft.components.len())
        .collect();
    assert_eq!(parts, [3, 2, 2, 3, 3]);
    let birth = &parsed.procedures[0].draft;
    assert_eq!(birth.time_limit, TimeLimit::SameDay);
    assert_eq!(birth.online_level, OnlineLevel::FullProcess);
    assert_eq!(birth.fee, Money::dong(0).unwrap());
    assert_eq!(birth.levels, [Level::Commune]);
    assert_eq!(birth.effective_from, date(2024, 1, 1));
    assert_eq!(
        birth.components[2],
        Component {
            name: "Văn bản ủy quyền đăng ký khai sinh".into(),
            form: ComponentForm::Original,
            copies: 1,
            requirement: Requirement::Conditional,
            must_digitise: false,
            form_template: None,
        }
    );
    let copy = &parsed.procedures[1].draft;
    assert_eq!(copy.levels, [Level::District, Level::Commune]);
    assert_eq!(copy.fee.get(), 2_000);
    assert_eq!(copy.result_type, ResultType::CertifiedCopy);
    assert_eq!(copy.applicant, ApplicantKind::Both);
    let permit = &parsed.procedures[4].draft;
    assert_eq!(permit.time_limit, TimeLimit::CalendarDays(15));
    assert_eq!(permit.components[2].copies, 2);
    assert!(parsed.procedures.iter().all(|p| p.units.is_empty()));
    // The bare "15 ngày" is the only thing to confirm.
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    let w = &parsed.warnings[0];
    assert_eq!((w.row, w.column.as_deref()), (12, Some("F")));
    assert!(w.reason.contains("15 calendar days"), "{w}");
}

#[test]
fn the_demo_catalog_parses_whole() {
    let parsed = parse_procedures(DEMO, FileFormat::Csv).unwrap();
    assert_eq!(parsed.procedures.len(), 75);
    assert!(
        parsed
            .procedures
            .iter()
            .all(|p| !p.draft.components.is_empty())
    );
}

#[test]
fn every_columns_bad_value_is_reported_at_its_row_and_column() {
    let long = |n: usize| "x".repeat(n);
    let cases: Vec<(usize, &str, String)> = vec![
        (0, "A", "1.00119".into()),
        (1, "B", String::new()),
        (2, "C", String::new()),
        (3, "D", "Cấp thôn".into()),
        (4, "E", String::new()),
        (5, "F", "năm ngày làm việc".into()),
        (6, "G", "5 tuần".into()),
        (7, "H", "Cao".into()),
        (8, "I", "-5000".into()),
        (9, "J", long(2001)),
        (10, "K", "Biên bản".into()),
        (11, "L", long(4001)),
        (12, "M", "Người nước ngoài".into()),
        (13, "N", "32/01/2024".into()),
        (14, "O", long(501)),
        (15, "P", "Bản photo".into()),
        (16, "Q", "0".into()),
        (17, "R", "Tùy".into()),
        (18, "S", "Chưa".into()),
        (20, "U", "H99".into()),
    ];
    let rows: Vec<Vec<String>> = cases
        .iter()
        .enumerate()
        .map(|(i, (col, _, value))| {
            let mut row = good(&format!("1.{:06}", i + 1));
            row[*col] = value.clone();
            row
        })
        .collect();
    let issues = errors(&rows);
    let expected: Vec<(usize, String)> = cases
        .iter()
        .enumerate()
        .map(|(i, (_, letter, _))| (i + 2, (*letter).to_owned()))
        .collect();
    assert_eq!(cells(&issues), expected, "{issues:#?}");
    for (issue, (col, _, _)) in issues.iter().zip(&cases) {
        assert_eq!(issue.header.as_deref(), Some(HEADER[*col]));
    }
    let text = issues[5].to_string();
    assert_eq!(
        text,
        "row 7, column F (Thời hạn giải quyết): 'năm ngày làm việc' is not a time limit; write \
         e.g. '5 ngày làm việc', '8 giờ làm việc', '15 ngày lịch', '3 tháng', 'Trong ngày' or \
         'Không quy định'"
    );
    assert!(issues[1].reason.contains("required"), "{}", issues[1]);
    assert!(issues[8].reason.contains("negative"), "{}", issues[8]);
    assert!(
        issues[19].reason.contains("not a unit code"),
        "{}",
        issues[19]
    );
    // Each issue is classified for the pages that word it in Vietnamese,
    // with the template column and the value quoted back.
    use crate::catalog::IssueCode as C;
    let long_ones = ["J", "L", "O"];
    let blank_ones = ["B", "C", "E"];
    for (issue, (col, letter, _)) in issues.iter().zip(&cases) {
        let code = if long_ones.contains(letter) {
            C::TooLong
        } else if blank_ones.contains(letter) {
            C::Required
        } else {
            C::BadValue
        };
        assert_eq!(issue.code, code, "{issue}");
        assert_eq!(issue.field, Some(Column::ALL[*col].alias()), "{issue}");
    }
    assert_eq!(issues[5].args["value"], "năm ngày làm việc");
    assert_eq!(issues[9].args["n"], "2001");
    assert_eq!(issues[9].args["max"], "2000");
}

#[test]
fn several_errors_in_one_row_and_across_rows_are_all_reported_in_order() {
    let mut a = good("1.000001");
    a[8] = "50,5".into();
    a[5] = "5 ngày lam".into();
    let mut b = good("1.000002");
    b[13] = "2024/07/01".into();
    let issues = errors(&[a, good("1.000003"), b]);
    assert_eq!(
        cells(&issues),
        [(2, "F".into()), (2, "I".into()), (4, "N".into())]
    );
    let one = ServiceError::from(ImportErrors(issues.clone()));
    assert!(
        matches!(&one, ServiceError::Invalid { field, reason }
            if field == "file" && reason.starts_with("row 2, column F") && reason.ends_with("(and 2 more problems)")),
        "{one}"
    );
    assert_eq!(ImportErrors(issues).lines().len(), 3);
}

#[test]
fn continuation_rows_attach_components_in_order() {
    let parsed = parse(&[
        good("1.000001"),
        part("Giấy chứng sinh"),
        part("Văn bản ủy quyền"),
        good("1.000002"),
        part("Bản sao CCCD"),
    ])
    .unwrap();
    let names: Vec<Vec<&str>> = parsed
        .procedures
        .iter()
        .map(|p| p.draft.components.iter().map(|c| c.name.as_str()).collect())
        .collect();
    assert_eq!(
        names,
        [
            vec![
                "Tờ khai đăng ký khai sinh",
                "Giấy chứng sinh",
                "Văn bản ủy quyền"
            ],
            vec!["Tờ khai đăng ký khai sinh", "Bản sao CCCD"],
        ]
    );
    let c = &parsed.procedures[0].draft.components[1];
    assert_eq!(
        (c.form, c.copies, c.requirement, c.must_digitise),
        (ComponentForm::Copy, 2, Requirement::Conditional, false)
    );
    assert_eq!(parsed.procedures[0].units, ["000.21.30.H99"]);
}

#[test]
fn a_procedure_without_components_and_blank_rows_between() {
    let mut bare = good("1.000001");
    for cell in &mut bare[14..=19] {
        cell.clear();
    }
    let parsed = parse(&[bare, vec![String::new(); 21], good("1.000002")]).unwrap();
    assert!(parsed.procedures[0].draft.components.is_empty());
    assert_eq!(parsed.procedures[1].row, 4);
}

#[test]
fn a_continuation_row_before_any_procedure_is_an_error() {
    let issues = errors(&[part("Giấy chứng sinh"), good("1.000001")]);
    assert_eq!(cells(&issues), [(2, "A".into())]);
    assert!(
        issues[0]
            .reason
            .contains("no procedure row comes before it")
    );
}

#[test]
fn a_continuation_row_may_fill_only_component_columns() {
    let mut stray = part("Giấy chứng sinh");
    stray[1] = "Đăng ký kết hôn".into();
    let mut nameless = part("");
    nameless[15] = "Bản chính".into();
    let issues = errors(&[good("1.000001"), stray, nameless]);
    assert_eq!(cells(&issues), [(3, "B".into()), (4, "O".into())]);
}

#[test]
fn a_component_needs_its_details() {
    let mut row = good("1.000001");
    row[16] = String::new();
    row[18] = String::new();
    let issues = errors(&[row]);
    assert_eq!(cells(&issues), [(2, "Q".into()), (2, "S".into())]);
    assert!(issues[0].reason.contains("required for a component"));
}

#[test]
fn a_duplicate_code_is_an_error_at_its_second_row() {
    let issues = errors(&[
        good("1.001193"),
        good("1.000002"),
        part("x"),
        good(" 1.001193 "),
    ]);
    assert_eq!(cells(&issues), [(5, "A".into())]);
    assert_eq!(issues[0].reason, "code 1.001193 is already in row 2");
    assert_eq!(issues[0].code, crate::catalog::IssueCode::RepeatedCode);
    assert_eq!(issues[0].args["code"], "1.001193");
    assert_eq!(issues[0].args["first"], "2");
}

#[test]
fn rules_of_the_whole_procedure_are_reported_at_its_row() {
    let mut row = good("1.000001");
    row[6] = "10 ngày làm việc".into();
    let issues = errors(&[row]);
    assert_eq!(cells(&issues), [(2, "G".into())]);
    assert!(issues[0].reason.contains("shorter"), "{}", issues[0]);
    assert_eq!(issues[0].code, crate::catalog::IssueCode::RuleBroken);
    assert_eq!(issues[0].field, Some("online_time_limit"));
}

#[test]
fn headers_match_loosely_in_any_order_and_unknown_or_repeated_ones_are_errors() {
    let mut header: Vec<&str> = HEADER.to_vec();
    header.reverse();
    header[0] = "units";
    header[20] = "MA THU TUC";
    let mut row = good("1.000001");
    row.reverse();
    let parsed = parse_procedures(&csv_of(&header, &[row]), FileFormat::Csv).unwrap();
    assert_eq!(parsed.procedures[0].draft.name, "Đăng ký khai sinh");

    let mut header: Vec<&str> = HEADER.to_vec();
    header.push("Ghi chu");
    header.push("code");
    header[5] = "Thoi han";
    let mut row = good("1.000001");
    row.push("x".into());
    row.push("1.000002".into());
    let issues = parse_procedures(&csv_of(&header, &[row]), FileFormat::Csv)
        .unwrap_err()
        .0;
    let summary: Vec<(usize, Option<&str>, Option<&str>)> = issues
        .iter()
        .map(|i| (i.row, i.column.as_deref(), i.header.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (1, None, Some("Thời hạn giải quyết")),
            (1, Some("F"), Some("Thoi han")),
            (1, Some("V"), Some("Ghi chu")),
            (1, Some("W"), Some("code")),
        ],
        "{issues:#?}"
    );
    assert_eq!(issues[0].reason, "required column is missing");
    assert!(issues[2].reason.starts_with("unknown column"));
    assert_eq!(issues[3].reason, "Mã thủ tục is already column A");
    assert_eq!(
        issues[0].to_string(),
        "row 1 (Thời hạn giải quyết): required column is missing"
    );
}

#[test]
fn component_detail_columns_are_required_with_the_component_column() {
    let header: Vec<&str> = HEADER.iter().copied().filter(|h| *h != "Số bản").collect();
    let mut row = good("1.000001");
    row.remove(16);
    let issues = parse_procedures(&csv_of(&header, &[row]), FileFormat::Csv)
        .unwrap_err()
        .0;
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0].header.as_deref(), Some("Số bản"));
}

#[test]
fn optional_columns_may_be_left_out() {
    let header = &HEADER[..14];
    let row = good("1.000001")[..14].to_vec();
    let parsed = parse_procedures(&csv_of(header, &[row]), FileFormat::Csv).unwrap();
    assert!(parsed.procedures[0].draft.components.is_empty());
}

#[test]
fn a_value_under_a_column_without_header_is_an_error() {
    let mut header: Vec<&str> = HEADER.to_vec();
    header.push("");
    let mut row = good("1.000001");
    row.push("lost".into());
    let issues = parse_procedures(&csv_of(&header, &[row]), FileFormat::Csv)
        .unwrap_err()
        .0;
    assert_eq!(cells(&issues), [(2, "V".into())]);
}

#[test]
fn empty_header_only_and_foreign_files_are_refused() {
    let reason =
        |bytes: &[u8], format| parse_procedures(bytes, format).unwrap_err().0[0].to_string();
    assert!(reason(b"", FileFormat::Csv).starts_with("file: the file is empty"));
    assert!(reason(b"\xEF\xBB\xBF\r\n\r\n", FileFormat::Csv).contains("empty"));
    let header_only = csv_of(&HEADER, &[]);
    assert!(reason(&header_only, FileFormat::Csv).starts_with("row 1: no procedures"));
    assert!(reason(b"PK\x03\x04rest", FileFormat::Csv).contains("not CSV"));
    assert!(reason(b"a,b\n", FileFormat::Xlsx).contains("not an XLSX workbook"));
    assert!(reason(b"PK\x03\x04garbage", FileFormat::Xlsx).contains("not a readable XLSX"));
    assert!(reason(b"hello,world\n1,2\n", FileFormat::Csv).contains("not the template's header"));
}

#[test]
fn files_over_the_limits_are_refused() {
    let big = vec![b'a'; import::MAX_FILE_BYTES + 1];
    let e = parse_procedures(&big, FileFormat::Csv).unwrap_err().0;
    assert_eq!(e.len(), 1);
    assert!(e[0].reason.contains("at most 20 MB"), "{}", e[0]);

    let mut many = String::from("Mã thủ tục\n");
    for _ in 0..100_001 {
        many.push_str("x\n");
    }
    let e = parse_procedures(many.as_bytes(), FileFormat::Csv)
        .unwrap_err()
        .0;
    assert_eq!(e.len(), 1);
    assert!(e[0].reason.contains("more than 100000 rows"), "{}", e[0]);
}

#[test]
fn problems_past_the_cap_are_counted_not_listed() {
    let rows: Vec<Vec<String>> = (0..1200)
        .map(|i| {
            let mut r = good(&format!("1.{:06}", i + 1));
            r[7] = "Cao".into();
            r
        })
        .collect();
    let issues = errors(&rows);
    assert_eq!(issues.len(), import::MAX_ISSUES + 1);
    assert!(
        issues[import::MAX_ISSUES]
            .reason
            .starts_with("200 more problems")
    );
}

#[test]
fn a_bom_and_semicolons_are_understood() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(csv_of(&HEADER, &[good("1.000001")]));
    let parsed = parse_procedures(&bytes, FileFormat::Csv).unwrap();
    assert_eq!(parsed.procedures[0].draft.code.as_str(), "1.000001");

    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    w.write_record(HEADER).unwrap();
    w.write_record(good("1.000001")).unwrap();
    let parsed = parse_procedures(&w.into_inner().unwrap(), FileFormat::Csv).unwrap();
    assert_eq!(parsed.procedures[0].draft.field, "Hộ tịch");
}

#[test]
fn text_is_trimmed_and_stored_in_nfc() {
    let mut row = good("1.000001");
    row[1] = "  Đăng ky\u{301} khai sinh ".into();
    row[2] = "Ho\u{0323}\u{0302} ti\u{0323}ch".into();
    let parsed = parse(&[row]).unwrap();
    assert_eq!(parsed.procedures[0].draft.name, "Đăng ký khai sinh");
    assert_eq!(parsed.procedures[0].draft.field, "Hộ tịch");
}

#[test]
fn the_format_is_told_from_content_then_name() {
    assert_eq!(FileFormat::detect(None, b"PK\x03\x04"), FileFormat::Xlsx);
    assert_eq!(
        FileFormat::detect(Some("a.csv"), b"PK\x03\x04"),
        FileFormat::Xlsx
    );
    assert_eq!(FileFormat::detect(Some("a.XLSX"), b""), FileFormat::Xlsx);
    assert_eq!(FileFormat::detect(Some("a.xlsx"), b"Ma,"), FileFormat::Csv);
    assert_eq!(FileFormat::detect(None, b"Ma thu tuc,"), FileFormat::Csv);
}
