//! The e-receipt of a fee paid online as a person would read it: the PDF's
//! text holds the heading, the payer, the amount in figures and in words,
//! the gateway's transaction and the refunds.

use jiff::civil::date;
use motcua_render::{PaymentReceiptDoc, ReceiptRefund, payment_receipt_pdf};

use crate::poppler::{pages, text_of};

fn doc() -> PaymentReceiptDoc {
    PaymentReceiptDoc {
        parent_unit_name: "UBND TỈNH NGHỆ AN".into(),
        unit_name: "UBND HUYỆN ĐÔ LƯƠNG".into(),
        payer_name: "Vũ Thị Thu".into(),
        payer_address: "Xóm 3, xã Đông Sơn, huyện Đô Lương".into(),
        dossier_code: "000.01.21.H40-251124-0001".into(),
        procedure_name: "Cấp giấy phép kinh doanh karaoke".into(),
        amount_dong: 105_000,
        method: "Trực tuyến qua cổng thanh toán".into(),
        transaction: "4f1c2a9b7e30".into(),
        reference: "a1b2c3d4e5f6a7b8c9d0".into(),
        paid_at: date(2025, 11, 24).at(9, 5, 0, 0),
        refunds: Vec::new(),
    }
}

#[test]
fn the_receipt_states_the_payment_in_figures_and_in_words() {
    let pdf = payment_receipt_pdf(&doc()).unwrap();
    let text = text_of(&pdf);
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "UBND TỈNH NGHỆ AN",
        "UBND HUYỆN ĐÔ LƯƠNG",
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "(Biên lai điện tử)",
        "Số: a1b2c3d4e5f6a7b8c9d0",
        "Ngày 24 tháng 11 năm 2025",
        "Họ và tên người nộp: Vũ Thị Thu",
        "Mã hồ sơ: 000.01.21.H40-251124-0001",
        "Cấp giấy phép kinh doanh karaoke",
        "Số tiền: 105.000 đồng",
        "Số tiền bằng chữ: Một trăm linh năm nghìn đồng",
        "Hình thức thanh toán: Trực tuyến qua cổng thanh toán",
        "Mã giao dịch tại cổng thanh toán: 4f1c2a9b7e30",
        "Thời gian thanh toán: 09 giờ 05 phút, ngày 24 tháng 11 năm 2025",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    assert!(!text.contains("Đã hoàn trả"), "{text}");
    assert_eq!(pages(&pdf), 1);
}

#[test]
fn refunds_are_listed_with_what_was_kept() {
    let mut d = doc();
    d.refunds = vec![ReceiptRefund {
        at: date(2025, 11, 26).at(14, 30, 0, 0),
        amount_dong: 55_000,
        reason: "Hồ sơ bị từ chối *giải quyết* #x".into(),
        transaction: "77aa88bb99cc".into(),
    }];
    let text = text_of(&payment_receipt_pdf(&d).unwrap());
    for expected in [
        "Đã hoàn trả",
        "14 giờ 30 phút, ngày 26 tháng 11 năm 2025",
        "55.000 đồng",
        "Hồ sơ bị từ chối *giải quyết* #x",
        "77aa88bb99cc",
        "Tổng số tiền đã hoàn trả: 55.000 đồng",
        // 105.000 − 55.000 = 50.000.
        "Số tiền thực thu: 50.000 đồng (Năm mươi nghìn đồng)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
}
