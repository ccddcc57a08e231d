//! The dossier register (form 06 of 2018, 07 of 2025), read back with
//! poppler, including a period of thousands of dossiers.

use std::time::Instant;

use jiff::civil::{DateTime, date};
use motcua_render::{DossierRegister, RegisterRow, dossier_register_pdf};

use crate::MARKUP;
use crate::poppler::{A4_LANDSCAPE, page_size, page_text, pages, save_sample, text_of};

fn row(i: u32) -> RegisterRow {
    let day = i8::try_from(1 + i % 28).unwrap();
    let at = |d: i8, h: i8| -> DateTime { date(2025, 4, d).at(h, 0, 0, 0) };
    RegisterRow {
        dossier_code: format!("000.21.30.H99-2504{day:02}-{:04}", i + 1),
        procedure_name: "Cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
        applicant_name: format!("Nguyễn Văn Bình {}", i + 1),
        applicant_contact: "Số 12 Lý Thái Tổ; 0912 345 678".into(),
        received_at: at(day, 8),
        appointment_at: at(day, 16),
        handed_to: "Phòng Quản lý xây dựng".into(),
        finished_at: Some(at(day, 15)),
        returned_at: Some(at(day, 16)),
        collector: "Người nộp".into(),
        status: "Đã trả kết quả – Đúng hạn".into(),
    }
}

fn register(rows: u32) -> DossierRegister {
    DossierRegister {
        parent_unit_name: "UBND TỈNH BẮC NINH".into(),
        unit_name: "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG".into(),
        form_number: "06".into(),
        from: date(2025, 4, 1),
        to: date(2025, 6, 30),
        rows: (0..rows).map(row).collect(),
    }
}

#[test]
fn the_register_carries_the_period_and_every_column() {
    let mut r = register(2);
    // Values short enough not to wrap: pdftotext reads a wrapped cell's lines
    // interleaved with its neighbours'.
    r.rows[0].handed_to = "Phòng QLXD".into();
    r.rows[1].finished_at = None;
    r.rows[1].returned_at = None;
    r.rows[1].collector = String::new();
    r.rows[1].status = "Đang xử lý".into();
    let pdf = dossier_register_pdf(&r).unwrap();
    save_sample("form07-register.pdf", &pdf);
    let text = text_of(&pdf);
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "Mẫu số 06",
        "SỔ THEO DÕI HỒ SƠ",
        "Từ ngày 01/04/2025 đến ngày 30/06/2025",
        "STT",
        "Mã hồ sơ",
        "Hẹn trả kết quả",
        "000.21.30.H99-250401-0001",
        "000.21.30.H99-250402-0002",
        "Nguyễn Văn Bình 1",
        "Nguyễn Văn Bình 2",
        "Phòng QLXD",
        // Moments print as the date over the time in their cells.
        "01/04/2025",
        "02/04/2025",
        "08:00",
        "16:00",
        "15:00",
        "Người nộp",
        "Đúng hạn",
        "Đang xử lý",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    // Only the first row has a return (01/04 15:00); the unfinished second
    // prints no end.
    assert_eq!(text.matches("15:00").count(), 1, "{text}");
    assert_eq!(page_size(&pdf), A4_LANDSCAPE);
    assert_eq!(pages(&pdf), 1);
}

#[test]
fn markup_characters_in_values_print_literally() {
    let mut r = register(1);
    r.rows[0].applicant_name = MARKUP.into();
    r.rows[0].status = "#x ] \\".into();
    let text = text_of(&dossier_register_pdf(&r).unwrap());
    for expected in ["#panic(\"x\")", "*đậm*", "$a^2$", "#x ] \\"] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
}

#[test]
fn two_thousand_dossiers_paginate_and_the_last_one_is_printed() {
    let r = register(2_000);
    let started = Instant::now();
    let pdf = dossier_register_pdf(&r).unwrap();
    eprintln!(
        "register of 2000 rows: {} pages, {} KiB, compiled in {:?}",
        pages(&pdf),
        pdf.len() / 1024,
        started.elapsed()
    );
    save_sample("form07-register-2000.pdf", &pdf);
    let n = pages(&pdf);
    assert!(n > 1, "2000 rows on one page");
    let last = page_text(&pdf, n);
    assert!(last.contains("000.21.30.H99-250412-2000"), "{last}");
    assert!(last.contains("Nguyễn Văn Bình 2000"), "{last}");
    assert!(last.contains("Mã hồ sơ"), "header not repeated: {last}");
    assert!(last.contains(&format!("Trang {n} / {n}")), "{last}");
}
