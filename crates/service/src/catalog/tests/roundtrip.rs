//! Export → import gives back the drafts exported.

use jiff::civil::date;
use motcua_domain::catalog::{
    ApplicantKind, Component, ComponentForm, Money, OnlineLevel, ProcedureCode, ProcedureDraft,
    Requirement, ResultType,
};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::unit::Level;

use super::HEADER;
use crate::catalog::{FileFormat, parse_procedures, procedures_csv};

fn component(name: &str, form_template: Option<&str>) -> Component {
    Component {
        name: name.into(),
        form: ComponentForm::CertifiedCopy,
        copies: 3,
        requirement: Requirement::Optional,
        must_digitise: true,
        form_template: form_template.map(String::from),
    }
}

/// Drafts with values that test quoting, formulas, line breaks and every
/// kind of limit.
fn tricky_drafts() -> Vec<(ProcedureDraft, Vec<String>)> {
    let base = ProcedureDraft {
        code: ProcedureCode::parse("2.000884.000.00.00.H40").unwrap(),
        name: "Cấp giấy phép xây dựng \"nhà ở\", công trình cấp III, IV".into(),
        field: "Xây dựng".into(),
        levels: vec![Level::Province, Level::District, Level::Commune],
        agency: "UBND cấp huyện; Sở Xây dựng".into(),
        time_limit: TimeLimit::CalendarDays(15),
        online_time_limit: Some(TimeLimit::CalendarDays(10)),
        online_level: OnlineLevel::Partial,
        fee: Money::dong(1_234_567).unwrap(),
        fee_note: "=SUM(A1:A2) không phải công thức, mà là ghi chú".into(),
        result_type: ResultType::Licence,
        legal_basis:
            "- Luật Xây dựng 2014;\n- Nghị định 175/2024/NĐ-CP, Điều 5;\r\n@ghi chú 'trích'".into(),
        applicant: ApplicantKind::Both,
        effective_from: date(2024, 12, 30),
        components: vec![
            component("Đơn đề nghị, \"mẫu 01\"", Some("Mẫu số 01/TK-KS")),
            component("Bản vẽ\nthiết kế", None),
            component("'=không là công thức", None),
        ],
    };
    vec![
        (
            base.clone(),
            vec!["000.21.30.H40".into(), "000.22.30.H40".into()],
        ),
        (
            ProcedureDraft {
                code: ProcedureCode::parse("1.001193").unwrap(),
                name: "Đăng ký khai sinh".into(),
                levels: vec![Level::Commune],
                time_limit: TimeLimit::SameDay,
                online_time_limit: None,
                online_level: OnlineLevel::FullProcess,
                fee: Money::dong(0).unwrap(),
                fee_note: String::new(),
                result_type: ResultType::Certificate,
                legal_basis: String::new(),
                applicant: ApplicantKind::Citizen,
                effective_from: date(2024, 1, 1),
                components: vec![],
                ..base.clone()
            },
            vec![],
        ),
        (
            ProcedureDraft {
                code: ProcedureCode::parse("1.000001").unwrap(),
                levels: vec![Level::Central],
                time_limit: TimeLimit::WorkingHours(8),
                online_time_limit: Some(TimeLimit::WorkingHours(4)),
                online_level: OnlineLevel::None,
                result_type: ResultType::Other,
                components: vec![component("Tờ khai", None)],
                ..base.clone()
            },
            vec!["000.00.00.H40".into()],
        ),
        (
            ProcedureDraft {
                code: ProcedureCode::parse("1.000002").unwrap(),
                time_limit: TimeLimit::Months(3),
                online_time_limit: None,
                result_type: ResultType::Reply,
                ..base.clone()
            },
            vec![],
        ),
        (
            ProcedureDraft {
                code: ProcedureCode::parse("1.000003").unwrap(),
                time_limit: TimeLimit::NoLimit,
                online_time_limit: Some(TimeLimit::WorkingDays(2)),
                result_type: ResultType::Decision,
                ..base.clone()
            },
            vec![],
        ),
        (
            ProcedureDraft {
                code: ProcedureCode::parse("1.000004").unwrap(),
                time_limit: TimeLimit::WorkingDays(20),
                online_time_limit: Some(TimeLimit::WorkingDays(20)),
                ..base
            },
            vec![],
        ),
    ]
}

#[test]
fn csv_export_imports_back_to_the_same_drafts() {
    let drafts = tricky_drafts();
    for (d, _) in &drafts {
        d.validate().unwrap();
    }
    let bytes = procedures_csv(&drafts);
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let parsed = parse_procedures(&bytes, FileFormat::detect(Some("x.csv"), &bytes)).unwrap();
    assert_eq!(parsed.warnings, []);
    assert_eq!(parsed.into_drafts(), drafts);
}

#[test]
fn csv_export_guards_formulas_and_quotes_what_needs_it() {
    let text = String::from_utf8(procedures_csv(&tricky_drafts())).unwrap();
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "\u{feff}{}",
            HEADER
                .map(|h| if h.contains(',') {
                    format!("\"{h}\"")
                } else {
                    h.into()
                })
                .join(",")
        )
    );
    assert!(
        text.contains(",\"'=SUM(A1:A2) không phải công thức, mà"),
        "{text}"
    );
    assert!(text.contains(",\"'- Luật Xây dựng 2014;\n"), "{text}");
    assert!(text.contains(",''=không là công thức,"), "{text}");
    assert!(text.contains("\"Cấp giấy phép xây dựng \"\"nhà ở\"\", công trình cấp III, IV\""));
    assert!(text.contains(",1234567,"));
    assert!(text.contains(",15 ngày lịch,10 ngày lịch,"));
}

#[test]
fn an_empty_export_is_the_header_alone() {
    let bytes = procedures_csv(&[]);
    let e = parse_procedures(&bytes, FileFormat::Csv).unwrap_err().0;
    assert!(e[0].reason.starts_with("no procedures"));
}
