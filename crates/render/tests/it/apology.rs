//! Form 04, the apology and new appointment, read back with poppler.

use jiff::civil::date;
use motcua_render::{ApologyLetter, apology_letter_pdf};

use crate::MARKUP;
use crate::poppler::{A5_PORTRAIT, page_size, pages, save_sample, text_of};

fn letter() -> ApologyLetter {
    ApologyLetter {
        form_number: "04".into(),
        parent_unit_name: "UBND TỈNH BẮC NINH".into(),
        unit_name: "SỞ XÂY DỰNG".into(),
        place: "Bắc Ninh".into(),
        issued_at: date(2025, 5, 16).at(15, 0, 0, 0),
        applicant_name: "Nguyễn Thị Hằng".into(),
        dossier_code: "000.21.30.H99-250425-0007".into(),
        procedure_name: "Cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
        received_at: date(2025, 4, 25).at(9, 0, 0, 0),
        original_appointment_at: date(2025, 5, 19).at(14, 30, 0, 0),
        reason: "Cần lấy ý kiến của cơ quan quản lý đê điều".into(),
        new_appointment_at: date(2025, 5, 26).at(8, 0, 0, 0),
        signer_title: "GIÁM ĐỐC".into(),
        signer_name: "Hoàng Minh Tuấn".into(),
    }
}

#[test]
fn the_letter_carries_both_appointments_the_reason_and_the_signer() {
    let pdf = apology_letter_pdf(&letter()).unwrap();
    save_sample("form04.pdf", &pdf);
    let text = text_of(&pdf);
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH BẮC NINH",
        "Mẫu số 04",
        "Bắc Ninh, ngày 16 tháng 5 năm 2025",
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Kính gửi: Ông/Bà Nguyễn Thị Hằng",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Mã hồ sơ: 000.21.30.H99-250425-0007",
        "Ngày, giờ tiếp nhận: 09 giờ 00 phút, ngày 25 tháng 4 năm 2025",
        "Hẹn trả kết quả: 14 giờ 30 phút, ngày 19 tháng 5 năm 2025",
        "với lý do: Cần lấy ý kiến của cơ quan quản lý đê điều",
        "08 giờ 00 phút, ngày 26 tháng 5 năm 2025",
        "GIÁM ĐỐC",
        "Hoàng Minh Tuấn",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    assert_eq!(page_size(&pdf), A5_PORTRAIT);
    assert_eq!(pages(&pdf), 1);
}

#[test]
fn markup_characters_in_values_print_literally() {
    let mut l = letter();
    l.applicant_name = MARKUP.into();
    l.reason = MARKUP.into();
    l.signer_title = "#GIÁM ĐỐC ]".into();
    l.signer_name = "\\ $Tuấn$".into();
    let text = text_of(&apology_letter_pdf(&l).unwrap());
    for expected in [
        format!("Kính gửi: Ông/Bà {MARKUP}"),
        format!("với lý do: {MARKUP}"),
        "#GIÁM ĐỐC ]".into(),
        "\\ $Tuấn$".into(),
    ] {
        assert!(text.contains(&expected), "missing {expected:?} in {text}");
    }
}

#[test]
fn a_procedure_named_thu_tuc_is_not_called_thu_tuc_twice() {
    let mut l = letter();
    l.procedure_name = "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ".into();
    let text = text_of(&apology_letter_pdf(&l).unwrap());
    // Text extraction may break the line anywhere: compare without spaces.
    let flat: String = text.split_whitespace().collect();
    assert!(flat.contains("giảiquyếtthủtụcCấpgiấyphépxâydựng"), "{text}");
    assert!(!flat.to_lowercase().contains("thủtụcthủtục"), "{text}");
}

#[test]
fn the_shared_heading_breaks_a_long_name_before_its_place() {
    let mut l = letter();
    l.parent_unit_name = "ỦY BAN NHÂN DÂN XÃ ĐÔ LƯƠNG".into();
    l.unit_name = "VĂN PHÒNG HĐND VÀ UBND XÃ ĐÔ LƯƠNG".into();
    let pdf = apology_letter_pdf(&l).unwrap();
    save_sample("form04-long.pdf", &pdf);
    let lines = crate::poppler::lines_of(&pdf);
    let head = &lines[..6.min(lines.len())];
    for start in [
        "ỦY BAN NHÂN DÂN XÃ ĐÔ LƯƠNG",
        "VĂN PHÒNG HĐND VÀ UBND",
        "XÃ ĐÔ LƯƠNG",
    ] {
        assert!(
            head.iter().any(|x| x.starts_with(start)),
            "{start}: {head:#?}"
        );
    }
    // The body names the unit on one line of prose, not broken.
    let flat = crate::poppler::text_of(&pdf);
    assert!(
        flat.contains("VĂN PHÒNG HĐND VÀ UBND XÃ ĐÔ LƯƠNG đã tiếp nhận"),
        "{flat}"
    );
}
