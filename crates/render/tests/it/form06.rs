//! Form 06/VPCP/KSTT, the dossier statistics report: the XLSX read back
//! with calamine cell by cell, the PDF read back with poppler, including a
//! breakdown long enough to run over several pages.

use calamine::{Data, Reader, Xlsx};
use jiff::civil::date;
use motcua_domain::stats::Figures;
use motcua_render::{Form06, Form06Group, form06_pdf, form06_xlsx};

use crate::MARKUP;
use crate::poppler::{A4_LANDSCAPE, page_size, page_text, pages, save_sample, text_of};

/// Figures whose eleven columns are all different and derived from `seed`,
/// so that a value in the wrong column shows. Identities hold: (3) = (4) +
/// (5) + (6) = (7) + (11), (7) = (8) + (9) + (10), (11) = (12) + (13).
fn figures(seed: i64) -> Figures {
    let (early, on_time, late) = (seed * 7, seed * 5 + 1, seed + 2);
    let (within_limit, overdue) = (seed * 3 + 3, seed + 4);
    let resolved = early + on_time + late;
    let in_progress = within_limit + overdue;
    let total = resolved + in_progress;
    let carried_over = seed + 5;
    let online = (total - carried_over) / 3;
    Figures {
        received_total: total,
        received_online: online,
        received_in_person_or_postal: total - carried_over - online,
        carried_over,
        resolved,
        early,
        on_time,
        late,
        in_progress,
        within_limit,
        overdue,
        ..Figures::default()
    }
}

/// The eleven values of columns (3)–(13) in the form's order.
fn eleven(f: &Figures) -> [i64; 11] {
    let v = f.values();
    std::array::from_fn(|i| v[i])
}

fn sum(rows: &[(String, Figures)]) -> Figures {
    let mut s = Figures::default();
    for (_, f) in rows {
        s.add(f);
    }
    s
}

/// Two levels: the province with `province_rows` sectors, the commune with
/// two.
fn report(province_rows: i64) -> Form06 {
    let province: Vec<(String, Figures)> = (0..province_rows)
        .map(|i| (format!("Lĩnh vực thứ {}", i + 1), figures(10 + i)))
        .collect();
    let commune = vec![
        ("Hộ tịch".to_owned(), figures(500_000)),
        ("Chứng thực".to_owned(), figures(3)),
    ];
    let mut total = sum(&province);
    total.add(&sum(&commune));
    Form06 {
        parent_unit_name: "UBND TỈNH NGHỆ AN".into(),
        unit_name: "Trung tâm Phục vụ hành chính công tỉnh".into(),
        from: date(2025, 10, 1),
        to: date(2025, 12, 31),
        group_heading: "Lĩnh vực, công việc giải quyết theo cấp".into(),
        groups: vec![
            Form06Group {
                label: "Cấp tỉnh".into(),
                subtotal: Some(sum(&province)),
                rows: province,
            },
            Form06Group {
                label: "Cấp xã".into(),
                subtotal: Some(sum(&commune)),
                rows: commune,
            },
        ],
        total,
        place: "Nghệ An".into(),
        signed_on: date(2026, 1, 5),
        signer_title: "GIÁM ĐỐC".into(),
        signer_name: "Nguyễn Thị Minh Hương".into(),
    }
}

fn read_back(bytes: Vec<u8>) -> (calamine::Range<Data>, Vec<calamine::Dimensions>) {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["Biểu 06"]);
    let range = book.worksheet_range("Biểu 06").unwrap();
    let merged = book.merge_cells_by_sheet_name("Biểu 06").unwrap();
    (range, merged)
}

fn text(s: &str) -> Data {
    Data::String(s.into())
}

/// Columns (3)–(13) of `row` as numbers; a text or blank cell fails.
fn figures_at(range: &calamine::Range<Data>, row: u32) -> [i64; 11] {
    std::array::from_fn(|i| match range.get_value((row, 2 + i as u32)) {
        Some(Data::Float(v)) => *v as i64,
        other => panic!("row {row}, column {}: not a number: {other:?}", i + 3),
    })
}

// Rows of the sheet (zero-based): heading 0–6, table header 7–9, column
// numbers 10, then the data.
const HEADER: u32 = 7;
const NUMBERS: u32 = 10;
const DATA: u32 = 11;

#[test]
fn the_workbook_puts_every_figure_in_its_cell() {
    let r = report(3);
    let (range, merged) = read_back(form06_xlsx(&r).unwrap());
    let cell = |row: u32, col: u32| range.get_value((row, col)).cloned().unwrap_or(Data::Empty);

    // Heading.
    assert_eq!(cell(0, 0), text("UBND TỈNH NGHỆ AN"));
    assert_eq!(cell(1, 0), text("Trung tâm Phục vụ hành chính công tỉnh"));
    assert_eq!(cell(2, 0), text("Biểu số 06/VPCP/KSTT"));
    assert_eq!(cell(0, 7), text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert_eq!(cell(1, 7), text("Độc lập - Tự do - Hạnh phúc"));
    assert_eq!(
        cell(4, 0),
        text(
            "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, \
             ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
        )
    );
    assert_eq!(
        cell(5, 0),
        text("Kỳ báo cáo: từ ngày 01/10/2025 đến ngày 31/12/2025")
    );
    assert_eq!(cell(6, 0), text("Đơn vị tính: Số hồ sơ TTHC"));

    // Table header, merged as on paper.
    for (row, col, expected) in [
        (HEADER, 0, "STT"),
        (HEADER, 1, "Lĩnh vực, công việc giải quyết theo cấp"),
        (HEADER, 2, "Số hồ sơ nhận giải quyết"),
        (HEADER, 6, "Kết quả giải quyết"),
        (HEADER + 1, 2, "Tổng số"),
        (HEADER + 1, 3, "Trong đó"),
        (HEADER + 1, 6, "Số hồ sơ đã giải quyết"),
        (HEADER + 1, 10, "Số hồ sơ đang giải quyết"),
        (HEADER + 2, 3, "Số mới tiếp nhận trực tuyến"),
        (
            HEADER + 2,
            4,
            "Số mới tiếp nhận trực tiếp và dịch vụ bưu chính",
        ),
        (HEADER + 2, 5, "Số kỳ trước chuyển qua"),
        (HEADER + 2, 6, "Tổng số"),
        (HEADER + 2, 7, "Trả trước hạn"),
        (HEADER + 2, 8, "Đúng hạn"),
        (HEADER + 2, 9, "Quá hạn"),
        (HEADER + 2, 10, "Tổng số"),
        (HEADER + 2, 11, "Trong hạn"),
        (HEADER + 2, 12, "Quá hạn"),
    ] {
        assert_eq!(cell(row, col), text(expected), "row {row}, column {col}");
    }
    let span = |start: (u32, u32), end: (u32, u32)| {
        assert!(
            merged.contains(&calamine::Dimensions { start, end }),
            "{start:?}–{end:?} not merged: {merged:?}"
        );
    };
    span((HEADER, 0), (HEADER + 2, 0));
    span((HEADER, 1), (HEADER + 2, 1));
    span((HEADER, 2), (HEADER, 5));
    span((HEADER, 6), (HEADER, 12));
    span((HEADER + 1, 2), (HEADER + 2, 2));
    span((HEADER + 1, 3), (HEADER + 1, 5));
    span((HEADER + 1, 6), (HEADER + 1, 9));
    span((HEADER + 1, 10), (HEADER + 1, 12));

    // Column numbers (1)…(13).
    for c in 0..13 {
        assert_eq!(cell(NUMBERS, c), text(&format!("({})", c + 1)));
    }

    // Group I: its row with the subtotal, then its three sectors 1, 2, 3.
    let province = &r.groups[0];
    assert_eq!(cell(DATA, 0), text("I"));
    assert_eq!(cell(DATA, 1), text("Cấp tỉnh"));
    assert_eq!(
        figures_at(&range, DATA),
        eleven(province.subtotal.as_ref().unwrap())
    );
    for (i, (label, f)) in province.rows.iter().enumerate() {
        let row = DATA + 1 + i as u32;
        assert_eq!(cell(row, 0), text(&(i + 1).to_string()));
        assert_eq!(cell(row, 1), text(label));
        assert_eq!(figures_at(&range, row), eleven(f), "row {row}");
    }
    // Group II, renumbered from 1; its first sector has 7-digit figures.
    let ii = DATA + 4;
    assert_eq!(cell(ii, 0), text("II"));
    assert_eq!(cell(ii, 1), text("Cấp xã"));
    assert_eq!(
        figures_at(&range, ii),
        eleven(r.groups[1].subtotal.as_ref().unwrap())
    );
    assert_eq!(cell(ii + 1, 0), text("1"));
    assert_eq!(cell(ii + 1, 1), text("Hộ tịch"));
    let hộ_tịch = eleven(&figures(500_000));
    assert_eq!(hộ_tịch[0], 8_500_010);
    assert_eq!(figures_at(&range, ii + 1), hộ_tịch);
    assert_eq!(cell(ii + 2, 0), text("2"));

    // The total row, last in the table.
    let total = ii + 3;
    assert_eq!(cell(total, 0), Data::Empty);
    assert_eq!(cell(total, 1), text("Tổng cộng"));
    assert_eq!(figures_at(&range, total), eleven(&r.total));

    // Signatures below.
    assert_eq!(
        cell(total + 2, 7),
        text("Nghệ An, ngày 05 tháng 01 năm 2026")
    );
    assert_eq!(cell(total + 3, 0), text("NGƯỜI LẬP BIỂU"));
    assert_eq!(cell(total + 3, 7), text("GIÁM ĐỐC"));
    assert_eq!(cell(total + 9, 7), text("Nguyễn Thị Minh Hương"));
}

#[test]
fn a_breakdown_without_levels_has_no_group_row() {
    let rows: Vec<(String, Figures)> = (1..=3)
        .map(|m| (format!("Tháng {m}"), figures(m)))
        .collect();
    let r = Form06 {
        group_heading: "Tháng".into(),
        groups: vec![Form06Group {
            label: String::new(),
            subtotal: None,
            rows: rows.clone(),
        }],
        total: sum(&rows),
        ..report(1)
    };
    let (range, _) = read_back(form06_xlsx(&r).unwrap());
    let cell = |row: u32, col: u32| range.get_value((row, col)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(HEADER, 1), text("Tháng"));
    assert_eq!(cell(DATA, 0), text("1"));
    assert_eq!(cell(DATA, 1), text("Tháng 1"));
    assert_eq!(figures_at(&range, DATA + 2), eleven(&figures(3)));
    assert_eq!(cell(DATA + 3, 1), text("Tổng cộng"));
    assert_eq!(figures_at(&range, DATA + 3), eleven(&r.total));

    let text = text_of(&form06_pdf(&r).unwrap());
    assert!(!text.contains(" I "), "a group row was printed: {text}");
    assert!(text.contains("Tháng 3"), "{text}");
}

#[test]
fn a_group_without_subtotal_leaves_its_figures_blank() {
    let mut r = report(1);
    r.groups[1].subtotal = None;
    let (range, _) = read_back(form06_xlsx(&r).unwrap());
    let ii = DATA + 2;
    assert_eq!(range.get_value((ii, 0)), Some(&text("II")));
    for c in 2..13 {
        assert!(
            matches!(range.get_value((ii, c)), None | Some(Data::Empty)),
            "column {}: {:?}",
            c + 1,
            range.get_value((ii, c))
        );
    }
}

#[test]
fn the_pdf_prints_the_heading_the_figures_and_the_signatures() {
    let r = report(1);
    let pdf = form06_pdf(&r).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    save_sample("form06-report.pdf", &pdf);
    assert_eq!(page_size(&pdf), A4_LANDSCAPE);
    assert_eq!(pages(&pdf), 1);
    let text = text_of(&pdf);
    for expected in [
        "UBND TỈNH NGHỆ AN",
        "Trung tâm Phục vụ hành chính công tỉnh",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Biểu số 06/VPCP/KSTT",
        "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "Kỳ báo cáo: từ ngày 01/10/2025 đến ngày 31/12/2025",
        "Đơn vị tính: Số hồ sơ TTHC",
        "STT",
        "Số hồ sơ nhận giải quyết",
        "Kết quả giải quyết",
        "Số hồ sơ đang giải quyết",
        "Đúng hạn",
        "(1)",
        "(13)",
        "Cấp tỉnh",
        "Cấp xã",
        "Lĩnh vực thứ 1",
        "Hộ tịch",
        "Tổng cộng",
        "Nghệ An, ngày 05 tháng 01 năm 2026",
        "NGƯỜI LẬP BIỂU",
        "GIÁM ĐỐC",
        "Nguyễn Thị Minh Hương",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    // The 7-digit figures of "Hộ tịch", grouped the Vietnamese way, each
    // whole in its cell: (3) and (8) (early = 7 × seed).
    for expected in ["8.500.010", "3.500.000"] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    // One page only: no page number.
    assert!(!text.contains("Trang 1"), "{text}");
}

#[test]
fn values_print_literally() {
    let mut r = report(1);
    r.groups[0].rows[0].0 = MARKUP.into();
    r.unit_name = "#x ] \\".into();
    let text = text_of(&form06_pdf(&r).unwrap());
    for expected in ["#panic(\"x\")", "*đậm*", "$a^2$", "#x ] \\"] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
}

#[test]
fn a_long_breakdown_runs_over_pages_with_the_header_repeated() {
    let r = report(120);
    let pdf = form06_pdf(&r).unwrap();
    save_sample("form06-report-120.pdf", &pdf);
    assert!(pdf.starts_with(b"%PDF"));
    // Typst writes the page objects inside compressed object streams, so
    // "/Type /Page" cannot be counted in the bytes: poppler counts them.
    let n = pages(&pdf);
    assert!(n > 1, "120 rows on one page");
    // Every page holding part of the table starts with its header and the
    // row of column numbers.
    let second = page_text(&pdf, 2);
    for expected in [
        "Số hồ sơ nhận giải quyết",
        "Số hồ sơ đang giải quyết",
        "(13)",
    ] {
        assert!(second.contains(expected), "header not repeated: {second}");
    }
    assert!(second.contains(&format!("Trang 2 / {n}")), "{second}");
    let last = page_text(&pdf, n);
    assert!(last.contains("Nguyễn Thị Minh Hương"), "{last}");
    let all = text_of(&pdf);
    assert!(all.contains("Lĩnh vực thứ 120"), "{all}");

    let (range, _) = read_back(form06_xlsx(&r).unwrap());
    // I, 120 sectors, II, 2 sectors, then the total.
    let total = DATA + 1 + 120 + 1 + 2;
    assert_eq!(range.get_value((total, 1)), Some(&text("Tổng cộng")));
    assert_eq!(figures_at(&range, total), eleven(&r.total));
}

#[test]
fn the_signatures_never_stand_alone_on_the_last_page() {
    // Around the row counts where the table fills a page: the last page
    // always carries the total row with the signatures.
    for rows in 112..=124 {
        let pdf = form06_pdf(&report(rows)).unwrap();
        save_sample(&format!("form06-report-{rows}.pdf"), &pdf);
        let n = pages(&pdf);
        let last = page_text(&pdf, n);
        assert!(
            last.contains("Tổng cộng") && last.contains("Nguyễn Thị Minh Hương"),
            "{rows} rows, page {n}: {last}"
        );
    }
}
