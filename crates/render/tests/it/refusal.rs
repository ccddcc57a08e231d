//! Form 03, the refusal, read back with poppler.

use jiff::civil::date;
use motcua_render::{Refusal, refusal_pdf};

use crate::MARKUP;
use crate::poppler::{A5_PORTRAIT, page_size, pages, save_sample, text_of};

fn refusal() -> Refusal {
    Refusal {
        form_number: "03".into(),
        parent_unit_name: "UBND HUYỆN GIA LÂM".into(),
        unit_name: "BỘ PHẬN MỘT CỬA UBND XÃ ĐA TỐN".into(),
        place: "Đa Tốn".into(),
        issued_at: date(2025, 2, 3).at(8, 30, 0, 0),
        dossier_code: Some("000.31.22.H26-250203-0002".into()),
        applicant_name: "Lê Văn Thắng".into(),
        applicant_address: "Thôn Đào Xuyên, xã Đa Tốn".into(),
        applicant_phone: "0987 654 321".into(),
        applicant_email: String::new(),
        procedure_name: "Đăng ký kết hôn".into(),
        reasons: vec![
            "Một bên chưa đủ tuổi kết hôn theo Luật Hôn nhân và gia đình".into(),
            "Không thuộc thẩm quyền giải quyết của xã".into(),
        ],
        signer_title: String::new(),
        officer_name: "Phạm Thị Mai".into(),
    }
}

#[test]
fn the_refusal_carries_the_request_the_reasons_and_the_officer() {
    let pdf = refusal_pdf(&refusal()).unwrap();
    save_sample("form03.pdf", &pdf);
    let text = text_of(&pdf);
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND HUYỆN GIA LÂM",
        "Mẫu số 03",
        "Đa Tốn, ngày 03 tháng 02 năm 2025",
        "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
        "Mã hồ sơ: 000.31.22.H26-250203-0002",
        "Ông/Bà: Lê Văn Thắng",
        "Địa chỉ: Thôn Đào Xuyên, xã Đa Tốn",
        "Số điện thoại: 0987 654 321",
        "Nội dung yêu cầu giải quyết: Đăng ký kết hôn",
        "1. Một bên chưa đủ tuổi kết hôn theo Luật Hôn nhân và gia đình",
        "2. Không thuộc thẩm quyền giải quyết của xã",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Phạm Thị Mai",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    assert!(
        !text.contains("Thư điện tử"),
        "empty e-mail printed: {text}"
    );
    assert_eq!(page_size(&pdf), A5_PORTRAIT);
    assert_eq!(pages(&pdf), 1);
}

#[test]
fn a_refusal_before_receipt_has_no_dossier_code_line() {
    let mut r = refusal();
    r.dossier_code = None;
    r.applicant_address = String::new();
    r.applicant_phone = String::new();
    let text = text_of(&refusal_pdf(&r).unwrap());
    for absent in ["Mã hồ sơ", "Địa chỉ", "Số điện thoại"] {
        assert!(!text.contains(absent), "{absent:?} printed in {text}");
    }
    assert!(text.contains("2. Không thuộc thẩm quyền giải quyết của xã"));
}

#[test]
fn markup_characters_in_values_print_literally() {
    let mut r = refusal();
    r.procedure_name = MARKUP.into();
    r.reasons = vec![MARKUP.into(), "\\ ] # * $".into()];
    r.officer_name = "*Mai*".into();
    let text = text_of(&refusal_pdf(&r).unwrap());
    for expected in [
        format!("Nội dung yêu cầu giải quyết: {MARKUP}"),
        format!("1. {MARKUP}"),
        "2. \\ ] # * $".into(),
        "*Mai*".into(),
    ] {
        assert!(text.contains(&expected), "missing {expected:?} in {text}");
    }
}
