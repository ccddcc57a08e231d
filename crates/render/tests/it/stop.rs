//! Form 05 (Circular 03/2025), the stop-processing notice, read back with
//! poppler.

use jiff::civil::date;
use motcua_render::{StopNotice, stop_notice_pdf};

use crate::MARKUP;
use crate::poppler::{A5_PORTRAIT, page_size, pages, save_sample, text_of};

fn notice() -> StopNotice {
    StopNotice {
        form_number: "05".into(),
        parent_unit_name: "UBND TỈNH BẮC NINH".into(),
        unit_name: "SỞ XÂY DỰNG".into(),
        place: "Bắc Ninh".into(),
        issued_at: date(2025, 6, 2).at(9, 45, 0, 0),
        applicant_name: "Nguyễn Thị Hằng".into(),
        dossier_code: "000.21.30.H99-250425-0007".into(),
        procedure_name: "Cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
        received_at: date(2025, 4, 25).at(9, 0, 0, 0),
        reason: "Người nộp không bổ sung hồ sơ trong thời hạn yêu cầu".into(),
        stage_reached: "Đang thẩm định tại Phòng Quản lý xây dựng".into(),
        fee_settlement: "Hoàn trả 50.000 đồng lệ phí chưa sử dụng".into(),
        signer_title: "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC".into(),
        signer_name: "Đỗ Quang Vinh".into(),
    }
}

#[test]
fn the_notice_carries_the_reason_the_stage_and_the_fees() {
    let pdf = stop_notice_pdf(&notice()).unwrap();
    save_sample("form05-stop.pdf", &pdf);
    let text = text_of(&pdf);
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Mẫu số 05",
        "Bắc Ninh, ngày 02 tháng 6 năm 2025",
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "Kính gửi: Ông/Bà Nguyễn Thị Hằng",
        "Mã hồ sơ: 000.21.30.H99-250425-0007",
        "Nội dung yêu cầu giải quyết: Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Ngày, giờ tiếp nhận: 09 giờ 00 phút, ngày 25 tháng 4 năm 2025",
        "Lý do dừng giải quyết: Người nộp không bổ sung hồ sơ trong thời hạn yêu cầu",
        "Giai đoạn giải quyết đã thực hiện: Đang thẩm định tại Phòng Quản lý xây dựng",
        "Phí, lệ phí đã nộp: Hoàn trả 50.000 đồng lệ phí chưa sử dụng",
        "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC",
        "Đỗ Quang Vinh",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    assert_eq!(page_size(&pdf), A5_PORTRAIT);
    assert_eq!(pages(&pdf), 1);
}

#[test]
fn markup_characters_in_values_print_literally() {
    let mut n = notice();
    n.reason = MARKUP.into();
    n.stage_reached = "Bước #2 ] \\".into();
    n.fee_settlement = "*Không* hoàn $0$".into();
    let text = text_of(&stop_notice_pdf(&n).unwrap());
    for expected in [
        format!("Lý do dừng giải quyết: {MARKUP}"),
        "Giai đoạn giải quyết đã thực hiện: Bước #2 ] \\".into(),
        "Phí, lệ phí đã nộp: *Không* hoàn $0$".into(),
    ] {
        assert!(text.contains(&expected), "missing {expected:?} in {text}");
    }
}
