use super::template::{Column, Need, TemplateValue, column_letter, template_rows};
use super::*;
use crate::catalog::{Component, ProcedureCode, ProcedureDraft};

fn limit(s: &str) -> ParsedLimit {
    parse_time_limit(s).unwrap()
}

fn plain(l: TimeLimit) -> ParsedLimit {
    ParsedLimit {
        limit: l,
        bare_days: false,
    }
}

#[test]
fn vietnamese_time_limits_parse_to_their_units() {
    assert_eq!(limit("5 ngày làm việc"), plain(TimeLimit::WorkingDays(5)));
    assert_eq!(limit("05 ngày làm việc"), plain(TimeLimit::WorkingDays(5)));
    assert_eq!(
        limit("  5 NGÀY LÀM VIỆC "),
        plain(TimeLimit::WorkingDays(5))
    );
    assert_eq!(limit("5 ngay lam viec"), plain(TimeLimit::WorkingDays(5)));
    assert_eq!(limit("8 giờ làm việc"), plain(TimeLimit::WorkingHours(8)));
    assert_eq!(limit("3 tháng"), plain(TimeLimit::Months(3)));
    assert_eq!(limit("Trong ngày"), plain(TimeLimit::SameDay));
    assert_eq!(limit("trong ngày làm việc"), plain(TimeLimit::SameDay));
    assert_eq!(limit("Không quy định"), plain(TimeLimit::NoLimit));
    assert_eq!(limit("30 ngày lịch"), plain(TimeLimit::CalendarDays(30)));
    assert_eq!(
        limit("30 ngày theo lịch"),
        plain(TimeLimit::CalendarDays(30))
    );
}

#[test]
fn a_bare_ngay_is_calendar_days_and_flagged() {
    assert_eq!(
        limit("15 ngày"),
        ParsedLimit {
            limit: TimeLimit::CalendarDays(15),
            bare_days: true
        }
    );
}

#[test]
fn machine_forms_of_time_limits_are_accepted() {
    assert_eq!(limit("5 working_days"), plain(TimeLimit::WorkingDays(5)));
    assert_eq!(limit("same_day"), plain(TimeLimit::SameDay));
    assert_eq!(limit("none"), plain(TimeLimit::NoLimit));
    assert_eq!(
        limit("30 calendar_days"),
        plain(TimeLimit::CalendarDays(30))
    );
}

#[test]
fn bad_time_limits_are_refused_with_the_value() {
    for bad in [
        "",
        "năm ngày làm việc",
        "5",
        "5 ngày lam",
        "-5 ngày làm việc",
        "5,5 ngày làm việc",
        "24 giờ",
        "0 ngày làm việc",
        "3651 ngày",
        "99999999999 tháng",
        "5 tuần",
    ] {
        let e = parse_time_limit(bad).unwrap_err().to_string();
        assert!(e.starts_with("time_limit:"), "{bad}: {e}");
    }
    let e = parse_time_limit("5 ngày lam").unwrap_err().to_string();
    assert!(e.contains("'5 ngày lam' is not a time limit"), "{e}");
    let e = parse_time_limit("24 giờ").unwrap_err().to_string();
    assert!(e.contains("giờ làm việc"), "{e}");
}

#[test]
fn time_limits_format_to_text_that_parses_back_unflagged() {
    for l in [
        TimeLimit::WorkingDays(5),
        TimeLimit::CalendarDays(15),
        TimeLimit::WorkingHours(8),
        TimeLimit::Months(3),
        TimeLimit::SameDay,
        TimeLimit::NoLimit,
    ] {
        assert_eq!(parse_time_limit(&format_time_limit(l)), Ok(plain(l)), "{l}");
    }
    assert_eq!(
        format_time_limit(TimeLimit::WorkingDays(5)),
        "5 ngày làm việc"
    );
    assert_eq!(
        format_time_limit(TimeLimit::CalendarDays(15)),
        "15 ngày lịch"
    );
}

#[test]
fn levels_parse_in_order_with_either_separator() {
    assert_eq!(
        parse_levels("Cấp huyện; Cấp xã").unwrap(),
        vec![Level::District, Level::Commune]
    );
    assert_eq!(
        parse_levels("cap xa, CẤP TỈNH;").unwrap(),
        vec![Level::Commune, Level::Province]
    );
    assert_eq!(parse_levels("Cấp Bộ").unwrap(), vec![Level::Central]);
    assert_eq!(parse_levels("province").unwrap(), vec![Level::Province]);
    assert!(parse_levels("").is_err());
    assert!(parse_levels(" ; ").is_err());
    let e = parse_levels("Cấp xã; Cấp thôn").unwrap_err().to_string();
    assert!(e.contains("'Cấp thôn' is not a level"), "{e}");
    let e = parse_levels("Cấp xã; cap xa").unwrap_err().to_string();
    assert!(e.contains("Cấp xã is listed twice"), "{e}");
    let all = Level::ALL.to_vec();
    assert_eq!(parse_levels(&format_levels(&all)).unwrap(), all);
    assert_eq!(
        format_levels(&[Level::District, Level::Commune]),
        "Cấp huyện; Cấp xã"
    );
}

#[test]
fn yes_no_accepts_the_usual_marks() {
    for yes in ["Có", "có", "CO", "x", "X", "1", "yes", "true"] {
        assert_eq!(parse_yes_no("must_digitise", yes), Ok(true), "{yes}");
    }
    for no in ["Không", "khong", "0", "no", "FALSE"] {
        assert_eq!(parse_yes_no("must_digitise", no), Ok(false), "{no}");
    }
    for bad in ["", "có thể", "2", "-"] {
        let e = parse_yes_no("must_digitise", bad).unwrap_err().to_string();
        assert!(e.starts_with("must_digitise:"), "{bad}: {e}");
    }
    assert_eq!(parse_yes_no("x", format_yes_no(true)), Ok(true));
    assert_eq!(parse_yes_no("x", format_yes_no(false)), Ok(false));
}

#[test]
fn money_accepts_whole_dong_with_or_without_grouping() {
    let dong = |s: &str| parse_money(s).map(Money::get);
    assert_eq!(dong("50000"), Ok(50_000));
    assert_eq!(dong("50.000"), Ok(50_000));
    assert_eq!(dong("1.234.567"), Ok(1_234_567));
    assert_eq!(dong("50 000"), Ok(50_000));
    assert_eq!(dong("0"), Ok(0));
    assert_eq!(dong(" 100.000 đ"), Ok(100_000));
    assert_eq!(dong("100000 đồng"), Ok(100_000));
    assert_eq!(dong("100000VNĐ"), Ok(100_000));
    assert_eq!(
        dong(&format_money(Money::dong(1_500_000).unwrap())),
        Ok(1_500_000)
    );
    assert_eq!(format_money(Money::dong(1_500_000).unwrap()), "1500000");
}

#[test]
fn money_refuses_negatives_decimals_and_text() {
    for (bad, says) in [
        ("-5000", "negative"),
        ("50,5", "comma"),
        ("50,000", "comma"),
        ("50.5", "decimals"),
        ("5000.50", "decimals"),
        ("1.23.456", "decimals"),
        ("1234.567", "decimals"),
        ("miễn phí", "not an amount"),
        ("", "not an amount"),
        ("đ", "not an amount"),
        ("5e3", "not an amount"),
        ("99999999999999999999", "too large"),
        ("2000000000000", "outside"),
    ] {
        let e = parse_money(bad).unwrap_err().to_string();
        assert!(e.starts_with("fee:") && e.contains(says), "{bad}: {e}");
    }
}

#[test]
fn dates_in_both_forms_and_bad_days_refused() {
    let d = jiff::civil::date(2024, 7, 1);
    assert_eq!(parse_date("01/07/2024"), Ok(d));
    assert_eq!(parse_date("1/7/2024"), Ok(d));
    assert_eq!(parse_date(" 2024-07-01 "), Ok(d));
    assert_eq!(parse_date(&format_date(d)), Ok(d));
    assert_eq!(format_date(d), "01/07/2024");
    for bad in [
        "",
        "31/02/2024",
        "2024/07/01",
        "01-07-2024",
        "01/07/24",
        "2024-7-1",
        "1/7/2024/1",
        "hôm nay",
        "001/07/2024",
    ] {
        assert!(parse_date(bad).is_err(), "{bad}");
    }
    let e = parse_date("31/02/2024").unwrap_err().to_string();
    assert!(e.contains("not a day of the calendar"), "{e}");
}

#[test]
fn copies_are_one_to_twenty() {
    assert_eq!(parse_copies("1"), Ok(1));
    assert_eq!(parse_copies("02"), Ok(2));
    assert_eq!(parse_copies("20"), Ok(20));
    for bad in ["0", "21", "-1", "1.5", "hai", "", "256"] {
        assert!(parse_copies(bad).is_err(), "{bad}");
    }
}

#[test]
fn labels_match_loosely_and_errors_list_the_choices() {
    assert_eq!(
        parse_component_form("ban sao co chung thuc"),
        Ok(ComponentForm::CertifiedCopy)
    );
    assert_eq!(parse_component_form("Bản sao"), Ok(ComponentForm::Copy));
    assert_eq!(
        parse_requirement("KHÔNG BẮT BUỘC"),
        Ok(Requirement::Optional)
    );
    assert_eq!(
        parse_result_type("Bản sao trích lục"),
        Ok(ResultType::CertifiedCopy)
    );
    assert_eq!(parse_result_type("licence"), Ok(ResultType::Licence));
    assert_eq!(
        parse_applicant("Công dân, tổ chức"),
        Ok(ApplicantKind::Both)
    );
    assert_eq!(parse_applicant("cong dan"), Ok(ApplicantKind::Citizen));
    let e = parse_requirement("Tùy").unwrap_err().to_string();
    assert!(
        e.starts_with("requirement:") && e.contains("'Bắt buộc', 'Không bắt buộc', 'Có điều kiện'"),
        "{e}"
    );
    assert!(parse_requirement("").is_err());
}

#[test]
fn online_levels_read_labels_and_legacy_numbers() {
    assert_eq!(
        parse_online_level("Toàn trình"),
        Ok(OnlineLevel::FullProcess)
    );
    assert_eq!(parse_online_level("mot phan"), Ok(OnlineLevel::Partial));
    assert_eq!(parse_online_level("Không"), Ok(OnlineLevel::None));
    assert_eq!(parse_online_level("4"), Ok(OnlineLevel::FullProcess));
    assert_eq!(parse_online_level("Mức độ 3"), Ok(OnlineLevel::Partial));
    assert_eq!(parse_online_level("2"), Ok(OnlineLevel::None));
    assert_eq!(parse_online_level("1"), Ok(OnlineLevel::None));
    assert!(parse_online_level("5").is_err());
    assert!(parse_online_level("Cao").is_err());
}

#[test]
fn normalize_trims_and_composes() {
    let decomposed = "Ho\u{0323}\u{0302} ti\u{0323}ch ";
    assert_eq!(normalize(decomposed), "Hộ tịch");
}

#[test]
fn headers_are_found_by_name_alias_or_both() {
    assert_eq!(Column::find("Thời hạn giải quyết"), Some(Column::TimeLimit));
    assert_eq!(Column::find("THOI HAN GIAI QUYET"), Some(Column::TimeLimit));
    assert_eq!(Column::find("time_limit"), Some(Column::TimeLimit));
    assert_eq!(Column::find("Phi le phi"), Some(Column::Fee));
    assert_eq!(Column::find("Mã thủ tục (code)"), Some(Column::Code));
    assert_eq!(Column::find("Mã thủ tục (name)"), None);
    assert_eq!(Column::find("Ghi chú"), None);
    assert_eq!(Column::ALL.len(), 21);
    for (i, c) in Column::ALL.into_iter().enumerate() {
        assert_eq!(c.index(), i);
        assert_eq!(Column::find(c.header()), Some(c));
        assert_eq!(Column::find(c.alias()), Some(c));
    }
    assert_eq!(Column::Units.index(), 20);
    assert_eq!(Column::Code.need(), Need::Required);
    assert_eq!(Column::Copies.need(), Need::WithComponent);
    assert_eq!(Column::Units.need(), Need::Optional);
}

#[test]
fn column_letters_count_like_a_spreadsheet() {
    assert_eq!(column_letter(0), "A");
    assert_eq!(column_letter(5), "F");
    assert_eq!(column_letter(20), "U");
    assert_eq!(column_letter(25), "Z");
    assert_eq!(column_letter(26), "AA");
    assert_eq!(column_letter(27), "AB");
    assert_eq!(column_letter(701), "ZZ");
    assert_eq!(column_letter(702), "AAA");
}

fn component(name: &str) -> Component {
    Component {
        name: name.into(),
        form: ComponentForm::Copy,
        copies: 2,
        requirement: Requirement::Conditional,
        must_digitise: false,
        form_template: Some("Mẫu số 01".into()),
    }
}

fn draft(components: Vec<Component>) -> ProcedureDraft {
    ProcedureDraft {
        code: ProcedureCode::parse("1.001193").unwrap(),
        name: "Đăng ký khai sinh".into(),
        field: "Hộ tịch".into(),
        levels: vec![Level::District, Level::Commune],
        agency: "UBND cấp xã".into(),
        time_limit: TimeLimit::WorkingDays(5),
        online_time_limit: None,
        online_level: OnlineLevel::FullProcess,
        fee: Money::dong(50_000).unwrap(),
        fee_note: String::new(),
        result_type: ResultType::Certificate,
        legal_basis: "Luật Hộ tịch 2014".into(),
        applicant: ApplicantKind::Citizen,
        effective_from: jiff::civil::date(2024, 7, 1),
        components,
    }
}

#[test]
fn a_procedure_takes_one_row_per_component_and_units_on_the_first() {
    let rows = template_rows(
        &draft(vec![component("Tờ khai"), component("Giấy chứng sinh")]),
        &["000.21.30.H99".into(), "000.22.30.H99".into()],
    );
    assert_eq!(rows.len(), 2);
    let t = |s: &str| TemplateValue::Text(s.into());
    assert_eq!(rows[0][0], t("1.001193"));
    assert_eq!(rows[0][3], t("Cấp huyện; Cấp xã"));
    assert_eq!(rows[0][5], t("5 ngày làm việc"));
    assert_eq!(rows[0][6], TemplateValue::Empty);
    assert_eq!(rows[0][8], TemplateValue::Amount(50_000));
    assert_eq!(rows[0][13], t("01/07/2024"));
    assert_eq!(rows[0][14], t("Tờ khai"));
    assert_eq!(rows[0][16], TemplateValue::Count(2));
    assert_eq!(rows[0][18], t("Không"));
    assert_eq!(rows[0][20], t("000.21.30.H99; 000.22.30.H99"));
    assert_eq!(rows[1][0], TemplateValue::Empty);
    assert_eq!(rows[1][14], t("Giấy chứng sinh"));
    assert_eq!(rows[1][20], TemplateValue::Empty);
    assert!(rows.iter().all(|r| r.len() == 21));
    let one = template_rows(&draft(vec![]), &[]);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0][14], TemplateValue::Empty);
    assert_eq!(one[0][16], TemplateValue::Empty);
    assert_eq!(one[0][8].to_text(), "50000");
}
