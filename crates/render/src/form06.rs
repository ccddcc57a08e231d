//! The dossier statistics report, form 06/VPCP/KSTT of the reporting regime
//! of Circular 01/2020/TT-VPCP ("Tình hình, kết quả giải quyết thủ tục hành
//! chính tại cơ quan, đơn vị trực tiếp giải quyết thủ tục hành chính"), as
//! the XLSX a unit fills in and as the PDF it signs and sends upward.
//!
//! Both follow the paper form: heading, form label, title, period, unit of
//! measure; a table whose columns (3)–(13) are the first eleven
//! [`Figures`]; one group of rows per level (Roman numerals, with the
//! level's subtotal) and a total row; then the signatures. The figures are
//! computed elsewhere (`motcua_domain::stats`): this module only lays them
//! out, and prints the groups, subtotals and total it is given without
//! summing anything itself, so the report always shows what the statistics
//! layer counted.

use jiff::civil::Date;
use motcua_domain::stats::Figures;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use serde::Serialize;

use crate::RenderError;
use crate::pdf::{Template, compile_form};
use crate::vietnamese::{date_long, date_short};

const TEMPLATE: Template = Template {
    path: "/templates/form06-report.typ",
    text: include_str!("../templates/form06-report.typ"),
};

/// The form's label, printed under the issuing unit.
const FORM_LABEL: &str = "Biểu số 06/VPCP/KSTT";

/// The form's title, as the circular words it, in the two lines the PDF
/// prints (left to the line breaker, it split "giải quyết / thủ tục").
const TITLE_LINES: [&str; 2] = [
    "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ",
    "TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
];

/// The unit of measure line.
const MEASURE_UNIT: &str = "Đơn vị tính: Số hồ sơ TTHC";

/// The label of the total row, in column (2).
const TOTAL_LABEL: &str = "Tổng cộng";

/// The role signing on the left, who drew up the table.
const PREPARER: &str = "NGƯỜI LẬP BIỂU";

/// A form 06/VPCP/KSTT report for one unit and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form06 {
    /// Governing body, first heading line, e.g. "UBND TỈNH NGHỆ AN".
    pub parent_unit_name: String,
    /// Reporting unit, e.g. "Trung tâm Phục vụ hành chính công tỉnh".
    pub unit_name: String,
    /// First day of the period, included.
    pub from: Date,
    /// Last day of the period, included.
    pub to: Date,
    /// Title of column (2): "Lĩnh vực, công việc giải quyết theo cấp" for
    /// sectors, or "Đơn vị", "Thủ tục hành chính", "Kênh tiếp nhận", "Tháng"
    /// for other breakdowns.
    pub group_heading: String,
    /// Row groups: by level (e.g. "Cấp tỉnh", "Cấp xã") each with sector
    /// rows and a subtotal; for a breakdown without levels, one group with
    /// an empty label and no subtotal.
    pub groups: Vec<Form06Group>,
    /// The total row.
    pub total: Figures,
    /// Place of the date line, e.g. "Nghệ An" for "Nghệ An, ngày 05 tháng
    /// 01 năm 2026"; empty prints the date alone.
    pub place: String,
    /// Day the report is signed.
    pub signed_on: Date,
    /// Signer's title, e.g. "GIÁM ĐỐC".
    pub signer_title: String,
    /// Signer's name; empty leaves the space for a hand-written one.
    pub signer_name: String,
}

/// One group of rows: a level and its sectors, or every row of a breakdown
/// without levels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form06Group {
    /// The level, e.g. "Cấp tỉnh"; empty when the breakdown has no levels.
    /// A group with an empty label and no subtotal prints no group row: its
    /// rows follow the header directly.
    pub label: String,
    /// The rows in the order to print: the label of column (2) and the
    /// figures. Numbered from 1 within the group.
    pub rows: Vec<(String, Figures)>,
    /// The level's subtotal, printed on the group row.
    pub subtotal: Option<Figures>,
}

impl Form06Group {
    /// Whether the group has a row of its own (numeral, label, subtotal).
    fn has_group_row(&self) -> bool {
        !self.label.is_empty() || self.subtotal.is_some()
    }
}

/// Columns (3)–(13): the first eleven figures, in the form's order.
fn columns(f: &Figures) -> [i64; 11] {
    [
        f.received_total,
        f.received_online,
        f.received_in_person_or_postal,
        f.carried_over,
        f.resolved,
        f.early,
        f.on_time,
        f.late,
        f.in_progress,
        f.within_limit,
        f.overdue,
    ]
}

/// "1.234.567": Vietnamese groups thousands with dots.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Group numbers as the form writes them: I, II, III, IV…
fn roman(mut n: usize) -> String {
    const VALUES: [(usize, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, letters) in VALUES {
        while n >= value {
            out.push_str(letters);
            n -= value;
        }
    }
    out
}

/// "Kỳ báo cáo: từ ngày 01/10/2025 đến ngày 31/12/2025".
fn period_line(f: &Form06) -> String {
    format!(
        "Kỳ báo cáo: từ ngày {} đến ngày {}",
        date_short(f.from),
        date_short(f.to)
    )
}

/// "Nghệ An, ngày 05 tháng 01 năm 2026", or "Ngày 05 tháng 01 năm 2026"
/// without a place.
fn signed_line(f: &Form06) -> String {
    let date = date_long(f.signed_on);
    if f.place.is_empty() {
        let mut chars = date.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    } else {
        format!("{}, {date}", f.place)
    }
}

/// The headings of columns (3)–(13) on the header's last row. Column (3)
/// spans that row and the one above, so its text is on the row above; the
/// PDF and the XLSX both take them from here.
const LEAF_HEADINGS: [&str; 11] = [
    "Tổng số",
    "Số mới tiếp nhận trực tuyến",
    "Số mới tiếp nhận trực tiếp và dịch vụ bưu chính",
    "Số kỳ trước chuyển qua",
    "Tổng số",
    "Trả trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Tổng số",
    "Trong hạn",
    "Quá hạn",
];

// ---------------------------------------------------------------------------
// PDF

#[derive(Serialize)]
struct ReportData<'a> {
    parent_unit_name: &'a str,
    unit_name: &'a str,
    form_label: &'static str,
    title_lines: [&'static str; 2],
    period: String,
    measure_unit: &'static str,
    group_heading: &'a str,
    leaf_headings: [&'static str; 11],
    groups: Vec<GroupData<'a>>,
    total_label: &'static str,
    total: [String; 11],
    signed_line: String,
    preparer: &'static str,
    signer_title: &'a str,
    signer_name: &'a str,
}

#[derive(Serialize)]
struct GroupData<'a> {
    /// False for the unlabelled group of a breakdown without levels.
    has_row: bool,
    numeral: String,
    label: &'a str,
    /// Eleven figures, or eleven empty strings without a subtotal.
    subtotal: [String; 11],
    rows: Vec<RowData<'a>>,
}

#[derive(Serialize)]
struct RowData<'a> {
    number: String,
    label: &'a str,
    figures: [String; 11],
}

fn printed(f: &Figures) -> [String; 11] {
    columns(f).map(grouped)
}

/// Renders the report as an A4 landscape PDF; the table runs over as many
/// pages as needed with its header repeated, and pages are numbered.
pub fn form06_pdf(f: &Form06) -> Result<Vec<u8>, RenderError> {
    let data = ReportData {
        parent_unit_name: &f.parent_unit_name,
        unit_name: &f.unit_name,
        form_label: FORM_LABEL,
        title_lines: TITLE_LINES,
        period: period_line(f),
        measure_unit: MEASURE_UNIT,
        group_heading: &f.group_heading,
        leaf_headings: LEAF_HEADINGS,
        groups: f
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| GroupData {
                has_row: g.has_group_row(),
                numeral: roman(i + 1),
                label: &g.label,
                subtotal: g.subtotal.as_ref().map(printed).unwrap_or_default(),
                rows: g
                    .rows
                    .iter()
                    .enumerate()
                    .map(|(j, (label, figures))| RowData {
                        number: (j + 1).to_string(),
                        label,
                        figures: printed(figures),
                    })
                    .collect(),
            })
            .collect(),
        total_label: TOTAL_LABEL,
        total: printed(&f.total),
        signed_line: signed_line(f),
        preparer: PREPARER,
        signer_title: &f.signer_title,
        signer_name: &f.signer_name,
    };
    compile_form(&TEMPLATE, &data)
}

// ---------------------------------------------------------------------------
// XLSX

/// The sheet's name.
const SHEET: &str = "Biểu 06";

/// Zero-based rows of the sheet's fixed part: the header's three rows, the
/// column-number row, and the first row of data. Tests read the sheet back
/// at these places.
const HEADER_FIRST_ROW: u32 = 7;
const NUMBERS_ROW: u32 = HEADER_FIRST_ROW + 3;
const FIRST_DATA_ROW: u32 = NUMBERS_ROW + 1;

/// Last column, (13).
const LAST_COL: u16 = 12;

/// The columns the heading's left block (governing body, unit, form label)
/// and right block (national name, motto, date line, signer) span.
const LEFT_BLOCK: (u16, u16) = (0, 3);
const RIGHT_BLOCK: (u16, u16) = (7, LAST_COL);

/// The formats of the sheet, built once.
struct Formats {
    plain_center: Format,
    bold_center: Format,
    italic_center: Format,
    title: Format,
    italic_right: Format,
    header: Format,
    column_number: Format,
    cell_center: Format,
    cell_text: Format,
    cell_number: Format,
    bold_cell_center: Format,
    bold_cell_text: Format,
    bold_cell_number: Format,
}

impl Formats {
    fn new() -> Self {
        let font = Format::new()
            .set_font_name("Times New Roman")
            .set_font_size(11);
        let bordered = font
            .clone()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            plain_center: font.clone().set_align(FormatAlign::Center),
            bold_center: font.clone().set_bold().set_align(FormatAlign::Center),
            italic_center: font.clone().set_italic().set_align(FormatAlign::Center),
            title: font
                .clone()
                .set_bold()
                .set_font_size(13)
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            italic_right: font.clone().set_italic().set_align(FormatAlign::Right),
            header: bordered
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center),
            column_number: bordered.clone().set_italic().set_align(FormatAlign::Center),
            cell_center: bordered.clone().set_align(FormatAlign::Center),
            cell_text: bordered.clone().set_text_wrap(),
            cell_number: bordered.clone().set_num_format("#,##0"),
            bold_cell_center: bordered.clone().set_bold().set_align(FormatAlign::Center),
            bold_cell_text: bordered.clone().set_bold().set_text_wrap(),
            bold_cell_number: bordered.set_bold().set_num_format("#,##0"),
        }
    }
}

/// Writes one table row: column (1), column (2), and the eleven figures
/// (blank bordered cells when there are none).
fn write_row(
    sheet: &mut Worksheet,
    row: u32,
    first: &str,
    label: &str,
    figures: Option<&Figures>,
    bold: bool,
    x: &Formats,
) -> Result<(), RenderError> {
    let (center, text, number) = if bold {
        (&x.bold_cell_center, &x.bold_cell_text, &x.bold_cell_number)
    } else {
        (&x.cell_center, &x.cell_text, &x.cell_number)
    };
    sheet.write_string_with_format(row, 0, first, center)?;
    sheet.write_string_with_format(row, 1, label, text)?;
    for c in 0..11u16 {
        let col = 2 + c;
        match figures {
            Some(f) => {
                sheet.write_number_with_format(
                    row,
                    col,
                    columns(f)[usize::from(c)] as f64,
                    number,
                )?;
            }
            None => {
                sheet.write_blank(row, col, number)?;
            }
        }
    }
    Ok(())
}

/// Writes the report as one sheet laid out like the paper form: numbers are
/// real numbers shown as "#,##0" so the receiving office can sum them; the
/// header cells are merged as on paper; the header stays in view when
/// scrolling and is repeated on every printed page (A4 landscape, one page
/// wide, numbered in the footer).
pub fn form06_xlsx(f: &Form06) -> Result<Vec<u8>, RenderError> {
    let x = Formats::new();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET)?;

    sheet.set_column_width(0, 6)?;
    sheet.set_column_width(1, 42)?;
    sheet.set_column_range_width(2, LAST_COL, 12.5)?;

    // Heading: who reports, on the left; the national name on the right.
    let (l0, l1) = LEFT_BLOCK;
    let (r0, r1) = RIGHT_BLOCK;
    sheet.merge_range(0, l0, 0, l1, &f.parent_unit_name, &x.plain_center)?;
    sheet.merge_range(1, l0, 1, l1, &f.unit_name, &x.bold_center)?;
    sheet.merge_range(2, l0, 2, l1, FORM_LABEL, &x.italic_center)?;
    sheet.merge_range(
        0,
        r0,
        0,
        r1,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        &x.bold_center,
    )?;
    sheet.merge_range(1, r0, 1, r1, "Độc lập - Tự do - Hạnh phúc", &x.bold_center)?;

    sheet.merge_range(4, 0, 4, LAST_COL, &TITLE_LINES.join(" "), &x.title)?;
    sheet.set_row_height(4, 36)?;
    sheet.merge_range(5, 0, 5, LAST_COL, &period_line(f), &x.italic_center)?;
    sheet.merge_range(6, 0, 6, LAST_COL, MEASURE_UNIT, &x.italic_right)?;

    write_table_header(sheet, &f.group_heading, &x)?;

    let mut row = FIRST_DATA_ROW;
    for (i, group) in f.groups.iter().enumerate() {
        if group.has_group_row() {
            write_row(
                sheet,
                row,
                &roman(i + 1),
                &group.label,
                group.subtotal.as_ref(),
                true,
                &x,
            )?;
            row += 1;
        }
        for (j, (label, figures)) in group.rows.iter().enumerate() {
            write_row(
                sheet,
                row,
                &(j + 1).to_string(),
                label,
                Some(figures),
                false,
                &x,
            )?;
            row += 1;
        }
    }
    write_row(sheet, row, "", TOTAL_LABEL, Some(&f.total), true, &x)?;
    let last_table_row = row;

    // Signatures: the date line over the signer on the right, the preparer
    // on the left, room to sign, then the names.
    let r = last_table_row + 2;
    sheet.merge_range(r, r0, r, r1, &signed_line(f), &x.italic_center)?;
    sheet.merge_range(r + 1, l0, r + 1, l1, PREPARER, &x.bold_center)?;
    sheet.merge_range(r + 1, r0, r + 1, r1, &f.signer_title, &x.bold_center)?;
    sheet.merge_range(
        r + 2,
        l0,
        r + 2,
        l1,
        "(Ký, ghi rõ họ tên)",
        &x.italic_center,
    )?;
    sheet.merge_range(
        r + 2,
        r0,
        r + 2,
        r1,
        "(Ký, ghi rõ họ tên, đóng dấu)",
        &x.italic_center,
    )?;
    sheet.merge_range(r + 7, r0, r + 7, r1, &f.signer_name, &x.bold_center)?;

    sheet.set_freeze_panes(FIRST_DATA_ROW, 2)?;
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_margins(0.5, 0.4, 0.6, 0.6, 0.3, 0.3);
    sheet.set_print_center_horizontally(true);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEADER_FIRST_ROW, NUMBERS_ROW)?;
    sheet.set_footer("&CTrang &P / &N");
    Ok(workbook.save_to_buffer()?)
}

/// The table's header: three rows of merged headings and the row of column
/// numbers (1)…(13).
fn write_table_header(
    sheet: &mut Worksheet,
    group_heading: &str,
    x: &Formats,
) -> Result<(), RenderError> {
    let top = HEADER_FIRST_ROW;
    let h = &x.header;
    sheet.merge_range(top, 0, top + 2, 0, "STT", h)?;
    sheet.merge_range(top, 1, top + 2, 1, group_heading, h)?;
    sheet.merge_range(top, 2, top, 5, "Số hồ sơ nhận giải quyết", h)?;
    sheet.merge_range(top, 6, top, LAST_COL, "Kết quả giải quyết", h)?;
    sheet.merge_range(top + 1, 2, top + 2, 2, LEAF_HEADINGS[0], h)?;
    sheet.merge_range(top + 1, 3, top + 1, 5, "Trong đó", h)?;
    sheet.merge_range(top + 1, 6, top + 1, 9, "Số hồ sơ đã giải quyết", h)?;
    sheet.merge_range(
        top + 1,
        10,
        top + 1,
        LAST_COL,
        "Số hồ sơ đang giải quyết",
        h,
    )?;
    for (i, heading) in LEAF_HEADINGS.iter().enumerate().skip(1) {
        // At most 11 columns: the index fits.
        sheet.write_string_with_format(top + 2, 2 + i as u16, *heading, h)?;
    }
    sheet.set_row_height(top + 2, 60)?;
    for c in 0..=LAST_COL {
        sheet.write_string_with_format(NUMBERS_ROW, c, format!("({})", c + 1), &x.column_number)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_group_thousands_with_dots() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1.000");
        assert_eq!(grouped(1_234_567), "1.234.567");
        assert_eq!(grouped(-12_345), "-12.345");
    }

    #[test]
    fn groups_are_numbered_in_roman_numerals() {
        let got: Vec<String> = [1, 2, 3, 4, 9, 14, 40].map(roman).into();
        assert_eq!(got, ["I", "II", "III", "IV", "IX", "XIV", "XL"]);
    }

    #[test]
    fn the_date_line_capitalises_without_a_place() {
        let mut f = Form06 {
            parent_unit_name: String::new(),
            unit_name: String::new(),
            from: jiff::civil::date(2025, 10, 1),
            to: jiff::civil::date(2025, 12, 31),
            group_heading: String::new(),
            groups: vec![],
            total: Figures::default(),
            place: "Nghệ An".into(),
            signed_on: jiff::civil::date(2026, 1, 5),
            signer_title: String::new(),
            signer_name: String::new(),
        };
        assert_eq!(signed_line(&f), "Nghệ An, ngày 05 tháng 01 năm 2026");
        f.place.clear();
        assert_eq!(signed_line(&f), "Ngày 05 tháng 01 năm 2026");
        assert_eq!(
            period_line(&f),
            "Kỳ báo cáo: từ ngày 01/10/2025 đến ngày 31/12/2025"
        );
    }
}
