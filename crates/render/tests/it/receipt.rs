//! Form 01 as a person would read it: the PDF's text, extracted with
//! `pdftotext` (Debian's poppler-utils), holds the values given, literally.

use jiff::civil::date;
use motcua_render::{ReceiptSlip, ReceivedComponent, receipt_slip_pdf};

use crate::poppler::{pages, text_of};

fn slip() -> ReceiptSlip {
    ReceiptSlip {
        form_number: "01".into(),
        parent_unit_name: "UBND TỈNH BẮC NINH".into(),
        unit_name: "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG".into(),
        place: "Bắc Ninh".into(),
        dossier_code: "000.21.30.H99-250425-0007".into(),
        applicant_name: "Nguyễn Thị Hằng".into(),
        applicant_identity: "027190001234".into(),
        applicant_address: "Số 12 đường Lý Thái Tổ, phường Suối Hoa, tỉnh Bắc Ninh".into(),
        applicant_phone: "0912 345 678".into(),
        applicant_email: "hang.nguyen@example.vn".into(),
        procedure_name: "Cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
        components: vec![
            ReceivedComponent {
                name: "Đơn đề nghị cấp giấy phép xây dựng".into(),
                form: "Bản chính".into(),
                copies: 1,
            },
            ReceivedComponent {
                name: "Giấy chứng nhận quyền sử dụng đất".into(),
                form: "Bản sao chứng thực".into(),
                copies: 2,
            },
        ],
        sets: 1,
        time_limit: "15 ngày làm việc".into(),
        fee_dong: 75_000,
        fee_note: String::new(),
        representative: String::new(),
        representative_name: String::new(),
        received_at: date(2025, 4, 25).at(9, 0, 0, 0),
        appointment_at: date(2025, 5, 19).at(14, 30, 0, 0),
        return_method: "Trực tiếp tại Trung tâm Phục vụ hành chính công".into(),
        officer_name: "Trần Văn Đức".into(),
        status_url: Some(
            "https://dichvucong.bacninh.gov.vn/tra-cuu/000.21.30.H99-250425-0007".into(),
        ),
    }
}

#[test]
fn the_slip_carries_the_heading_and_every_value() {
    let pdf = receipt_slip_pdf(&slip()).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = text_of(&pdf);
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Mẫu số 01",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "UBND TỈNH BẮC NINH",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "Bắc Ninh, ngày 25 tháng 4 năm 2025",
        "Mã hồ sơ: 000.21.30.H99-250425-0007",
        "Nguyễn Thị Hằng",
        "027190001234",
        "Số 12 đường Lý Thái Tổ, phường Suối Hoa, tỉnh Bắc Ninh",
        "0912 345 678",
        "hang.nguyen@example.vn",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Đơn đề nghị cấp giấy phép xây dựng",
        "Giấy chứng nhận quyền sử dụng đất",
        "Bản sao chứng thực",
        "15 ngày làm việc",
        "75.000 đồng",
        "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 25 tháng 4 năm 2025",
        "14 giờ 30 phút, ngày 19 tháng 5 năm 2025",
        "25/04/2025 09:00",
        "19/05/2025 14:30",
        "Trực tiếp tại Trung tâm Phục vụ hành chính công",
        "Trần Văn Đức",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    assert_eq!(pages(&pdf), 1);
}

#[test]
fn a_representative_signs_and_a_reduced_fee_says_why() {
    let plain = text_of(&receipt_slip_pdf(&slip()).unwrap());
    assert!(!plain.contains("Người nộp thay"), "{plain}");
    let mut s = slip();
    s.representative =
        "Trần Văn Bình (số định danh cá nhân 040090001234); căn cứ: Giấy ủy quyền số 12/UQ".into();
    s.representative_name = "Trần Văn Bình".into();
    s.fee_dong = 0;
    s.fee_note = "miễn, giảm: hộ nghèo; mức quy định 75.000 đ".into();
    let text = text_of(&receipt_slip_pdf(&s).unwrap());
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Người nộp thay: Trần Văn Bình (số định danh cá nhân 040090001234); căn cứ: Giấy ủy quyền số 12/UQ",
        "miễn, giảm: hộ nghèo; mức quy định 75.000 đ",
    ] {
        assert!(flat.contains(expected), "missing {expected:?} in {flat}");
    }
    // The person who handed it in signs: the representative's name is
    // printed twice (the line above and the signature), the applicant's
    // once.
    assert_eq!(flat.matches("Trần Văn Bình").count(), 2, "{flat}");
    assert_eq!(flat.matches("Nguyễn Thị Hằng").count(), 1, "{flat}");
}

#[test]
fn markup_characters_in_values_print_literally() {
    let mut s = slip();
    s.applicant_name = "Nguyễn *Văn* #A".into();
    s.applicant_address =
        r#"$x^2$ [thôn] \ _Đông_ `code` <label> @ref // không phải chú thích"#.into();
    s.procedure_name = "#panic(\"boom\") = Tiêu đề".into();
    s.components[0].name = "#{1 + 1} ]) }".into();
    s.officer_name = "\")#".into();
    let pdf = receipt_slip_pdf(&s).unwrap();
    let text = text_of(&pdf);
    for expected in [
        "Nguyễn *Văn* #A",
        r#"$x^2$ [thôn] \ _Đông_ `code` <label> @ref // không phải chú thích"#,
        "#panic(\"boom\") = Tiêu đề",
        "#{1 + 1} ]) }",
        "\")#",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
}

#[test]
fn twenty_components_still_render() {
    let mut s = slip();
    s.components = (1..=20u32)
        .map(|i| ReceivedComponent {
            name: format!("Giấy tờ thứ {i}: bản vẽ thiết kế, thuyết minh và phụ lục kèm theo"),
            form: if i.is_multiple_of(2) {
                "Bản sao"
            } else {
                "Bản chính"
            }
            .into(),
            copies: i,
        })
        .collect();
    let pdf = receipt_slip_pdf(&s).unwrap();
    let text = text_of(&pdf);
    assert!(text.contains("Giấy tờ thứ 1:"));
    assert!(text.contains("Giấy tờ thứ 20:"));
    assert!(text.contains("NGƯỜI TIẾP NHẬN HỒ SƠ"));
    assert!(pages(&pdf) >= 2, "20 components do not fit on one A5 page");
}

#[test]
fn empty_values_and_no_status_page_render() {
    let mut s = slip();
    s.applicant_email = String::new();
    s.applicant_phone = String::new();
    s.components.clear();
    s.status_url = None;
    s.fee_dong = 0;
    let pdf = receipt_slip_pdf(&s).unwrap();
    let text = text_of(&pdf);
    assert!(text.contains("Không thu phí, lệ phí"));
    assert!(!text.contains("Tra cứu tình trạng hồ sơ"));
}

/// Writes the example slip for a person to look at:
/// `RENDER_SAMPLES=/tmp cargo test -p motcua-render receipt`.
#[test]
fn sample_for_review() {
    if let Some(dir) = std::env::var_os("RENDER_SAMPLES") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::write(dir.join("form01.pdf"), receipt_slip_pdf(&slip()).unwrap()).unwrap();
        let mut long = slip();
        long.parent_unit_name = "ỦY BAN NHÂN DÂN XÃ ĐÔ LƯƠNG".into();
        long.unit_name = "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ ĐÔ LƯƠNG".into();
        long.representative = "Trần Văn Bình; căn cứ: Giấy ủy quyền số 12/UQ".into();
        long.representative_name = "Trần Văn Bình".into();
        std::fs::write(
            dir.join("form01-long.pdf"),
            receipt_slip_pdf(&long).unwrap(),
        )
        .unwrap();
        let mut many = slip();
        many.components = (1..=20)
            .map(|i| ReceivedComponent {
                name: format!("Giấy tờ thứ {i}: bản vẽ thiết kế, thuyết minh và phụ lục kèm theo"),
                form: "Bản sao".into(),
                copies: i,
            })
            .collect();
        std::fs::write(
            dir.join("form01-many.pdf"),
            receipt_slip_pdf(&many).unwrap(),
        )
        .unwrap();
    }
}

#[test]
fn a_long_agency_name_breaks_before_its_place_and_never_inside() {
    let mut s = slip();
    s.parent_unit_name = "ỦY BAN NHÂN DÂN XÃ ĐÔ LƯƠNG".into();
    s.unit_name = "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ ĐÔ LƯƠNG".into();
    let pdf = receipt_slip_pdf(&s).unwrap();
    let lines = crate::poppler::lines_of(&pdf);
    let head = &lines[..6.min(lines.len())];
    // The left column's lines: the governing body whole, then the unit in
    // two lines, agency then place ("HÀNH CHÍNH CÔNG" not cut).
    assert!(
        head.iter()
            .any(|l| l.starts_with("ỦY BAN NHÂN DÂN XÃ ĐÔ LƯƠNG")),
        "{head:#?}"
    );
    assert!(
        head.iter()
            .any(|l| l.starts_with("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG")),
        "{head:#?}"
    );
    assert!(
        head.iter().any(|l| l.starts_with("XÃ ĐÔ LƯƠNG")),
        "{head:#?}"
    );
    assert!(text_of(&pdf).contains("Mẫu số 01"));
    // A form the regime does not number prints no "Mẫu số".
    s.form_number = String::new();
    assert!(!text_of(&receipt_slip_pdf(&s).unwrap()).contains("Mẫu số"));
}
