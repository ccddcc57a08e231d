//! Reading a CSV file or the first sheet of an XLSX workbook into rows of
//! cells numbered as a spreadsheet shows them, whatever the format.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Seek};

use calamine::{DataRef, Reader, Xlsx};
use jiff::civil::Date;
use motcua_domain::catalog::text::template::Column;
use motcua_domain::catalog::text::{format_date, normalize};

use super::import::Issues;
use super::issue::{IssueCode, Reason};

/// The most data rows a file may hold (the header aside).
pub const MAX_ROWS: usize = 100_000;

/// The most bytes an XLSX workbook may unpack to: a 20 MB workbook of text
/// unpacks to a few hundred MB at most, so more is a compression bomb.
const MAX_UNPACKED: u64 = 400 * 1024 * 1024;

/// One cell's value as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (every CSV cell), not yet trimmed.
    Text(String),
    /// A number (XLSX).
    Number(f64),
    /// A date cell (XLSX), time of day dropped.
    Date(Date),
    /// A true/false cell (XLSX).
    Bool(bool),
    /// A spreadsheet error such as `#N/A`, or a date outside the calendar.
    Error(String),
}

impl Cell {
    fn is_blank(&self) -> bool {
        matches!(self, Cell::Text(s) if s.trim().is_empty())
    }

    /// The cell as text, trimmed and in NFC: a whole number without a
    /// decimal point (`50000`, not `50000.0`), a date as `dd/mm/yyyy`. A
    /// spreadsheet error is refused with its reason.
    pub fn text(&self) -> Result<String, String> {
        match self {
            Cell::Text(s) => Ok(unguard(&normalize(s)).to_owned()),
            Cell::Number(f) => Ok(number_text(*f)),
            Cell::Date(d) => Ok(format_date(*d)),
            Cell::Bool(b) => Ok(if *b { "TRUE" } else { "FALSE" }.to_owned()),
            Cell::Error(e) => Err(e.clone()),
        }
    }
}

/// A number as a person would type it: `50000`, `1.5`.
pub fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Removes the apostrophe CSV exports put before text starting with `=`,
/// `+`, `-` or `@`, so that spreadsheets do not run it as a formula.
pub fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => s,
    }
}

/// Whether CSV export must put an apostrophe before this text: it starts
/// like a formula, or with an apostrophe before such a start (which the
/// importer would otherwise take for the guard).
pub fn needs_guard(s: &str) -> bool {
    s.starts_with(FORMULA_STARTS)
        || s.strip_prefix('\'')
            .is_some_and(|r| r.starts_with(FORMULA_STARTS))
}

/// First characters that make a spreadsheet read a CSV cell as a formula.
pub const FORMULA_STARTS: [char; 4] = ['=', '+', '-', '@'];

/// A row that has at least one non-blank cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based row number as a spreadsheet shows it.
    pub number: usize,
    /// Non-blank cells by 0-based column index, in column order.
    pub cells: Vec<(usize, Cell)>,
}

impl Row {
    /// The cell in a column, if not blank.
    pub fn get(&self, column: usize) -> Option<&Cell> {
        self.cells
            .binary_search_by_key(&column, |(c, _)| *c)
            .ok()
            .map(|i| &self.cells[i].1)
    }
}

/// Reads CSV: UTF-8 with or without a BOM; comma-separated, or semicolon- or
/// tab-separated when that delimiter is the one that splits the header into
/// template columns (spreadsheets in locales whose decimal mark is a comma
/// save CSV with semicolons). Blank lines count as rows, as a spreadsheet
/// shows them.
pub fn read_csv(bytes: &[u8], issues: &mut Issues) -> Vec<Row> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        issues.file(
            Reason::new(
                IssueCode::NotUtf8,
                format!(
                    "the file is not UTF-8 text (first bad byte on line {line}); save it as \
                     'CSV UTF-8' or as an XLSX workbook"
                ),
            )
            .arg("line", line),
        );
        return Vec::new();
    }
    let delimiter = sniff_delimiter(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut number = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                issues.row(
                    number + 1,
                    Reason::new(
                        IssueCode::CsvUnreadable,
                        format!("the CSV cannot be read here: {e}"),
                    ),
                );
                break;
            }
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        number += 1 + skipped_lines(bytes, start);
        if number > MAX_ROWS + 1 {
            issues.too_many_rows();
            break;
        }
        let cells: Vec<(usize, Cell)> = record
            .iter()
            .enumerate()
            .map(|(i, s)| (i, Cell::Text(s.to_owned())))
            .filter(|(_, c)| !c.is_blank())
            .collect();
        if !cells.is_empty() {
            rows.push(Row { number, cells });
        }
    }
    rows
}

/// Blank lines the CSV reader skipped before the record it says starts at
/// `start`: the line breaks before its first other byte, less the `\n` of a
/// previous record's `\r\n`, which the reader leaves unread.
fn skipped_lines(bytes: &[u8], start: usize) -> usize {
    let Some(rest) = bytes.get(start..) else {
        return 0;
    };
    let breaks = rest
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .filter(|b| **b == b'\n')
        .count();
    let split_crlf =
        start > 0 && bytes.get(start - 1) == Some(&b'\r') && rest.first() == Some(&b'\n');
    breaks - usize::from(split_crlf)
}

/// Picks the delimiter that splits the first record into the most template
/// headers; a comma when none does better.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let known = |d: u8| {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(bytes);
        let mut rec = csv::StringRecord::new();
        match r.read_record(&mut rec) {
            Ok(true) => rec.iter().filter(|h| Column::find(h).is_some()).count(),
            _ => 0,
        }
    };
    let comma = known(b',');
    [b';', b'\t']
        .into_iter()
        .map(|d| (known(d), d))
        .filter(|(n, _)| *n > comma)
        .max_by_key(|(n, _)| *n)
        .map_or(b',', |(_, d)| d)
}

/// Reads the first sheet of an XLSX workbook. Cells keep their type, so a
/// number or date stored as such is read as one.
pub fn read_xlsx(bytes: &[u8], issues: &mut Issues) -> Vec<Row> {
    match unpacked_size(Cursor::new(bytes)) {
        Ok(n) if n <= MAX_UNPACKED => {}
        Ok(_) => {
            issues.file(Reason::new(
                IssueCode::XlsxUnreadable,
                "the workbook unpacks to more than 400 MB; split it into smaller files",
            ));
            return Vec::new();
        }
        Err(e) => {
            issues.file(Reason::new(
                IssueCode::XlsxUnreadable,
                format!("the file is not a readable XLSX workbook: {e}"),
            ));
            return Vec::new();
        }
    }
    match read_first_sheet(bytes, issues) {
        Ok(rows) => rows,
        Err(e) => {
            issues.file(Reason::new(
                IssueCode::XlsxUnreadable,
                format!("the file is not a readable XLSX workbook: {e}"),
            ));
            Vec::new()
        }
    }
}

fn unpacked_size<R: Read + Seek>(reader: R) -> Result<u64, zip::result::ZipError> {
    let mut archive = zip::ZipArchive::new(reader)?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        total = total.saturating_add(archive.by_index_raw(i)?.size());
    }
    Ok(total)
}

fn read_first_sheet(bytes: &[u8], issues: &mut Issues) -> Result<Vec<Row>, calamine::XlsxError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))?;
    let Some(sheet) = workbook.sheet_names().into_iter().next() else {
        issues.file(Reason::new(IssueCode::NoSheet, "the workbook has no sheet"));
        return Ok(Vec::new());
    };
    let mut cells = workbook.worksheet_cells_reader(&sheet)?;
    let mut rows: BTreeMap<usize, Vec<(usize, Cell)>> = BTreeMap::new();
    while let Some(cell) = cells.next_cell()? {
        let (r, c) = cell.get_position();
        let Some(value) = xlsx_cell(cell.get_value()) else {
            continue;
        };
        if value.is_blank() {
            continue;
        }
        let number = r as usize + 1;
        if number > MAX_ROWS + 1 {
            issues.too_many_rows();
            break;
        }
        rows.entry(number).or_default().push((c as usize, value));
    }
    Ok(rows
        .into_iter()
        .map(|(number, mut cells)| {
            cells.sort_by_key(|(c, _)| *c);
            cells.dedup_by_key(|(c, _)| *c);
            Row { number, cells }
        })
        .collect())
}

/// Converts a workbook cell; `None` when empty.
fn xlsx_cell(value: &DataRef<'_>) -> Option<Cell> {
    Some(match value {
        DataRef::Empty => return None,
        DataRef::Int(n) => Cell::Number(*n as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            match (i16::try_from(y), i8::try_from(m), i8::try_from(d)) {
                (Ok(y), Ok(m), Ok(d)) => Date::new(y, m, d).map_or_else(
                    |_| Cell::Error(format!("the date serial {} is not a day", dt.as_f64())),
                    Cell::Date,
                ),
                _ => Cell::Error(format!("the date serial {} is not a day", dt.as_f64())),
            }
        }
        DataRef::DateTime(dt) => Cell::Number(dt.as_f64()),
        DataRef::DateTimeIso(s) => {
            // `2024-07-01T00:00:00`: keep the date, which the date parser reads.
            let date = s.split('T').next().unwrap_or(s);
            Cell::Text(date.to_owned())
        }
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Error(format!("the cell holds the spreadsheet error {e}")),
    })
}

/// The date an Excel serial number stands for (1900 date system), for date
/// cells that lost their date format and arrive as plain numbers.
pub fn excel_serial_date(serial: f64) -> Option<Date> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    // Excel counts 1900-02-29, which did not exist: serials from 61 on are
    // one day ahead of a count from 1899-12-31.
    let (base, offset) = if days >= 61 {
        (jiff::civil::date(1899, 12, 30), days)
    } else {
        (jiff::civil::date(1899, 12, 31), days)
    };
    base.checked_add(jiff::Span::new().days(offset)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(text: &str) -> Vec<usize> {
        let mut issues = Issues::default();
        let rows = read_csv(text.as_bytes(), &mut issues);
        assert!(issues.is_empty(), "{issues:?}");
        rows.iter().map(|r| r.number).collect()
    }

    #[test]
    fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
        assert_eq!(numbers("a,b\nc,d\n"), vec![1, 2]);
        assert_eq!(numbers("a,b\r\n\r\n\r\nc,d\r\n"), vec![1, 4]);
        assert_eq!(numbers("a,b\n\"x\ny\nz\",d\ne,f\n"), vec![1, 2, 3]);
        assert_eq!(numbers("a,b\n\"x\ny\",d\n\ne,f"), vec![1, 2, 4]);
        assert_eq!(numbers("a,b\r\n\"x\r\ny\",d\r\n\r\ne,f\r\n"), vec![1, 2, 4]);
        assert_eq!(numbers("\r\n\na,b\r\nc,d"), vec![3, 4]);
        assert_eq!(numbers("a,b\n,\n , \ne,f"), vec![1, 4]);
        assert_eq!(numbers("\u{feff}a,b\nc,d"), vec![1, 2]);
    }

    #[test]
    fn semicolon_csv_is_recognised_by_its_header() {
        let mut issues = Issues::default();
        let rows = read_csv(
            "Mã thủ tục;Phí, lệ phí;Tên thủ tục\n1.001193;50000;Khai sinh\n".as_bytes(),
            &mut issues,
        );
        assert_eq!(rows[0].cells.len(), 3);
        assert_eq!(rows[1].get(1), Some(&Cell::Text("50000".into())));
    }

    #[test]
    fn non_utf8_csv_is_one_file_error() {
        let mut issues = Issues::default();
        let rows = read_csv(b"a,b\nc,\xE0\n", &mut issues);
        assert!(rows.is_empty());
        let text = issues.into_list()[0].to_string();
        assert!(
            text.contains("not UTF-8") && text.contains("line 2"),
            "{text}"
        );
    }

    #[test]
    fn excel_serials_count_from_1900() {
        assert_eq!(
            excel_serial_date(45474.0),
            Some(jiff::civil::date(2024, 7, 1))
        );
        assert_eq!(
            excel_serial_date(45474.75),
            Some(jiff::civil::date(2024, 7, 1))
        );
        assert_eq!(excel_serial_date(1.0), Some(jiff::civil::date(1900, 1, 1)));
        assert_eq!(excel_serial_date(61.0), Some(jiff::civil::date(1900, 3, 1)));
        assert_eq!(excel_serial_date(0.0), None);
        assert_eq!(excel_serial_date(-3.0), None);
    }
}
