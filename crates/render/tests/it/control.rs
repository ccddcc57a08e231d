//! The process-control slip (form 05 of 2018, 06 of 2025), read back with
//! poppler.

use jiff::civil::date;
use motcua_render::{ControlSlip, HandOver, control_slip_pdf};

use crate::MARKUP;
use crate::poppler::{A5_LANDSCAPE, page_size, page_text, pages, save_sample, text_of};

fn slip() -> ControlSlip {
    ControlSlip {
        parent_unit_name: "UBND TỈNH BẮC NINH".into(),
        unit_name: "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG".into(),
        form_number: "05".into(),
        dossier_code: "000.21.30.H99-250425-0007".into(),
        applicant_name: "Nguyễn Thị Hằng".into(),
        procedure_name: "Cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
        received_at: date(2025, 4, 25).at(9, 0, 0, 0),
        appointment_at: date(2025, 5, 19).at(14, 30, 0, 0),
        hand_overs: vec![
            HandOver {
                from: "Một cửa: Trần Văn Đức".into(),
                to: "Phòng QLXD: Lê Thu".into(),
                handed_at: date(2025, 4, 25).at(9, 47, 0, 0),
                due_at: Some(date(2025, 4, 25).at(16, 0, 0, 0)),
                result: "Trước hạn".into(),
                note: String::new(),
            },
            HandOver {
                from: "Phòng QLXD: Lê Thu".into(),
                to: "Lãnh đạo Sở: Đỗ Vinh".into(),
                handed_at: date(2025, 5, 12).at(16, 0, 0, 0),
                due_at: Some(date(2025, 5, 12).at(16, 0, 0, 0)),
                result: "Đúng hạn".into(),
                note: "Đã thẩm định".into(),
            },
            HandOver {
                from: "Lãnh đạo Sở: Đỗ Vinh".into(),
                to: "Một cửa: Trần Văn Đức".into(),
                handed_at: date(2025, 5, 16).at(8, 5, 0, 0),
                due_at: Some(date(2025, 5, 14).at(17, 0, 0, 0)),
                result: "Quá hạn".into(),
                note: "Chờ ý kiến".into(),
            },
        ],
    }
}

#[test]
fn the_slip_carries_the_header_and_every_hand_over_to_the_minute() {
    let pdf = control_slip_pdf(&slip()).unwrap();
    save_sample("form06-control.pdf", &pdf);
    let text = text_of(&pdf);
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Mẫu số 05",
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "Mã hồ sơ: 000.21.30.H99-250425-0007",
        "Nguyễn Thị Hằng",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Ngày, giờ tiếp nhận: 09 giờ 00 phút, ngày 25 tháng 4 năm 2025",
        "Hẹn trả kết quả: 14 giờ 30 phút, ngày 19 tháng 5 năm 2025",
        "Bên giao",
        "Bên nhận",
        "Một cửa: Trần Văn Đức",
        "Phòng QLXD: Lê Thu",
        "Lãnh đạo Sở: Đỗ Vinh",
        "25/04/2025 09:47",
        "25/04/2025 16:00",
        "12/05/2025 16:00",
        "16/05/2025 08:05",
        "14/05/2025 17:00",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Đã thẩm định",
        "Chờ ý kiến",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    assert_eq!(page_size(&pdf), A5_LANDSCAPE);
    assert_eq!(pages(&pdf), 1);
    assert!(!text.contains("Trang 1"), "a one-page slip is not numbered");
}

#[test]
fn a_step_without_due_moment_and_no_form_number_print_nothing_for_them() {
    let mut s = slip();
    s.form_number = String::new();
    s.hand_overs.truncate(1);
    s.hand_overs[0].due_at = None;
    let text = text_of(&control_slip_pdf(&s).unwrap());
    assert!(!text.contains("Mẫu số"), "{text}");
    assert!(text.contains("25/04/2025 09:47"));
    assert!(!text.contains("25/04/2025 16:00"), "{text}");
}

#[test]
fn markup_characters_in_values_print_literally() {
    let mut s = slip();
    s.applicant_name = MARKUP.into();
    s.hand_overs[0].from = "#A *B*".into();
    s.hand_overs[0].to = "] \\ $C$".into();
    s.hand_overs[0].note = "#{1}".into();
    let text = text_of(&control_slip_pdf(&s).unwrap());
    for expected in [MARKUP, "#A *B*", "] \\ $C$", "#{1}"] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
}

#[test]
fn many_hand_overs_paginate_with_the_header_repeated() {
    let mut s = slip();
    s.hand_overs = (0..60u8)
        .map(|i| HandOver {
            from: format!("Bên giao số {i}"),
            to: format!("Bên nhận số {i}"),
            handed_at: date(2025, 5, 1).at(i8::try_from(i % 24).unwrap(), 1, 0, 0),
            due_at: None,
            result: "Đúng hạn".into(),
            note: String::new(),
        })
        .collect();
    let pdf = control_slip_pdf(&s).unwrap();
    save_sample("form06-control-many.pdf", &pdf);
    let n = pages(&pdf);
    assert!(n >= 2, "60 rows on {n} page(s)");
    let last = page_text(&pdf, n);
    assert!(last.contains("Bên giao số 59"), "{last}");
    assert!(
        last.contains("Thời điểm giao, nhận"),
        "header not repeated: {last}"
    );
    assert!(last.contains(&format!("Trang {n} / {n}")), "{last}");
    let all = text_of(&pdf);
    for i in 0..60 {
        assert!(all.contains(&format!("Bên nhận số {i} ")), "row {i} lost");
    }
}

#[test]
fn a_procedure_named_thu_tuc_is_not_called_thu_tuc_twice() {
    let mut s = slip();
    s.procedure_name = "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ".into();
    let text = text_of(&control_slip_pdf(&s).unwrap());
    let flat: String = text.split_whitespace().collect();
    assert!(flat.contains("Thủtục:Cấpgiấyphépxâydựng"), "{text}");
    assert!(!flat.to_lowercase().contains("thủtục:thủtục"), "{text}");
}
