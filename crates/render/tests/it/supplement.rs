//! Form 02, the supplement request, read back with poppler.

use jiff::civil::date;
use motcua_render::{SupplementItem, SupplementRequest, supplement_request_pdf};

use crate::MARKUP;
use crate::poppler::{A5_PORTRAIT, page_size, pages, save_sample, text_of};

fn request() -> SupplementRequest {
    SupplementRequest {
        form_number: "02".into(),
        parent_unit_name: "UBND TỈNH BẮC NINH".into(),
        unit_name: "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG".into(),
        place: "Bắc Ninh".into(),
        issued_at: date(2025, 4, 28).at(10, 15, 0, 0),
        dossier_code: Some("000.21.30.H99-250425-0007".into()),
        applicant_name: "Nguyễn Thị Hằng".into(),
        applicant_address: "Số 12 đường Lý Thái Tổ, phường Suối Hoa".into(),
        applicant_phone: "0912 345 678".into(),
        applicant_email: "hang.nguyen@example.vn".into(),
        procedure_name: "Cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
        items: vec![
            SupplementItem {
                name: "Bản vẽ mặt bằng móng".into(),
                note: "Nộp bản chính".into(),
            },
            SupplementItem {
                name: "Giấy chứng nhận quyền sử dụng đất".into(),
                note: "Bản sao có chứng thực".into(),
            },
            SupplementItem {
                name: "Tờ khai lệ phí".into(),
                note: String::new(),
            },
        ],
        reason: "Hồ sơ thiếu bản vẽ và giấy tờ đất".into(),
        guidance: "Nộp bổ sung tại quầy số 3 hoặc trên Cổng dịch vụ công".into(),
        supply_by: Some(date(2025, 5, 5)),
        officer_name: "Trần Văn Đức".into(),
    }
}

#[test]
fn the_request_carries_the_heading_the_items_and_every_value() {
    let pdf = supplement_request_pdf(&request()).unwrap();
    save_sample("form02.pdf", &pdf);
    let text = text_of(&pdf);
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH BẮC NINH",
        "Mẫu số 02",
        "Bắc Ninh, ngày 28 tháng 4 năm 2025",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Mã hồ sơ: 000.21.30.H99-250425-0007",
        "Hồ sơ của: Nguyễn Thị Hằng",
        "Địa chỉ: Số 12 đường Lý Thái Tổ, phường Suối Hoa",
        "Số điện thoại: 0912 345 678",
        "Thư điện tử: hang.nguyen@example.vn",
        "Nội dung yêu cầu giải quyết: Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Bản vẽ mặt bằng móng",
        "Nộp bản chính",
        "Bản sao có chứng thực",
        "Tờ khai lệ phí",
        "Lý do: Hồ sơ thiếu bản vẽ và giấy tờ đất",
        // The applicant has the whole day (a date, not a moment at 00:00).
        "Thời hạn bổ sung hồ sơ: đến hết ngày 05 tháng 5 năm 2025",
        "Hướng dẫn: Nộp bổ sung tại quầy số 3 hoặc trên Cổng dịch vụ công",
        "NGƯỜI HƯỚNG DẪN",
        "Trần Văn Đức",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    assert_eq!(page_size(&pdf), A5_PORTRAIT);
    assert_eq!(pages(&pdf), 1);
}

#[test]
fn empty_optional_values_leave_their_lines_out() {
    let mut r = request();
    r.supply_by = None;
    r.guidance = String::new();
    r.applicant_address = String::new();
    r.applicant_phone = String::new();
    r.applicant_email = String::new();
    let text = text_of(&supplement_request_pdf(&r).unwrap());
    for absent in [
        "Thời hạn bổ sung",
        "Hướng dẫn:",
        "Địa chỉ",
        "Số điện thoại",
        "Thư điện tử",
    ] {
        assert!(!text.contains(absent), "{absent:?} printed in {text}");
    }
    assert!(text.contains("Lý do: Hồ sơ thiếu bản vẽ và giấy tờ đất"));
}

#[test]
fn guidance_at_the_counter_has_no_dossier_code_and_may_have_no_reason() {
    let mut r = request();
    r.dossier_code = None;
    r.reason = String::new();
    let text = text_of(&supplement_request_pdf(&r).unwrap());
    for absent in ["Mã hồ sơ", "Lý do"] {
        assert!(!text.contains(absent), "{absent:?} printed in {text}");
    }
    for expected in [
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Hồ sơ của: Nguyễn Thị Hằng",
        "Bản vẽ mặt bằng móng",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
}

#[test]
fn markup_characters_in_values_print_literally() {
    let mut r = request();
    r.applicant_name = MARKUP.into();
    r.items[0].name = "#{1 + 1} ]) }".into();
    r.items[0].note = r"a\b $c$".into();
    r.reason = MARKUP.into();
    r.guidance = "*không đậm* # ] \\".into();
    let text = text_of(&supplement_request_pdf(&r).unwrap());
    for expected in [
        format!("Hồ sơ của: {MARKUP}"),
        "#{1 + 1} ]) }".into(),
        r"a\b $c$".into(),
        format!("Lý do: {MARKUP}"),
        "Hướng dẫn: *không đậm* # ] \\".into(),
    ] {
        assert!(text.contains(&expected), "missing {expected:?} in {text}");
    }
}

#[test]
fn a_long_list_runs_over_to_a_second_page() {
    let mut r = request();
    r.items = (1..=30)
        .map(|i| SupplementItem {
            name: format!("Giấy tờ cần bổ sung số {i}"),
            note: "Bản sao có chứng thực".into(),
        })
        .collect();
    let pdf = supplement_request_pdf(&r).unwrap();
    let text = text_of(&pdf);
    assert!(pages(&pdf) >= 2);
    assert!(text.contains("Giấy tờ cần bổ sung số 30"));
    assert!(text.contains("Trang 2 /"), "{text}");
}
