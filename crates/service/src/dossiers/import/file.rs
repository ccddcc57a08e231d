//! Reading a dossier history file (docs/import/dossiers.md) from CSV or
//! the first sheet of an XLSX workbook into numbered rows of cells, and
//! matching its header to the template's columns.
//!
//! The catalog reader drops the time of day from date cells (procedures
//! only have dates) and sniffs the delimiter with the procedure template's
//! headers; dossier moments need the time, so this module reads the cells
//! itself with the same crates and limits.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};
use jiff::civil::DateTime;
use motcua_domain::catalog::text::normalize;
use motcua_domain::catalog::text::template::column_letter;
use motcua_domain::search::fold_vi;

use crate::catalog::ImportIssue;
use crate::catalog::import::Issues;

/// The most data rows a file may hold (the header aside): a unit moving
/// from another system brings years of dossiers at once.
pub const MAX_ROWS: usize = 200_000;

/// The largest file accepted, in bytes (100 MB: 200,000 rows of about
/// 400 bytes each, with room to spare).
pub const MAX_FILE_BYTES: usize = 100 * 1024 * 1024;

/// The most bytes an XLSX workbook may unpack to; more is a compression bomb.
const MAX_UNPACKED: u64 = 1024 * 1024 * 1024;

/// The template's columns, in the order of the documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Col {
    Code,
    Procedure,
    Channel,
    ReturnMethod,
    ApplicantKind,
    ApplicantName,
    Identity,
    Phone,
    Email,
    Address,
    Sets,
    Fee,
    Received,
    RecordedDue,
    Supplements,
    Extensions,
    Finished,
    Outcome,
    Returned,
    Status,
    ResultDigitised,
    Components,
    ComponentsDigitised,
    Note,
}

impl Col {
    /// Every column.
    pub const ALL: [Col; 24] = [
        Col::Code,
        Col::Procedure,
        Col::Channel,
        Col::ReturnMethod,
        Col::ApplicantKind,
        Col::ApplicantName,
        Col::Identity,
        Col::Phone,
        Col::Email,
        Col::Address,
        Col::Sets,
        Col::Fee,
        Col::Received,
        Col::RecordedDue,
        Col::Supplements,
        Col::Extensions,
        Col::Finished,
        Col::Outcome,
        Col::Returned,
        Col::Status,
        Col::ResultDigitised,
        Col::Components,
        Col::ComponentsDigitised,
        Col::Note,
    ];

    /// The Vietnamese header the template writes.
    pub fn header(self) -> &'static str {
        self.names().0
    }

    /// Header and English alias.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Col::Code => ("Mã hồ sơ", "code"),
            Col::Procedure => ("Mã thủ tục", "procedure"),
            Col::Channel => ("Kênh tiếp nhận", "channel"),
            Col::ReturnMethod => ("Hình thức trả kết quả", "return_method"),
            Col::ApplicantKind => ("Đối tượng", "applicant_kind"),
            Col::ApplicantName => ("Người nộp", "applicant_name"),
            Col::Identity => ("Số giấy tờ", "applicant_identity"),
            Col::Phone => ("Điện thoại", "applicant_phone"),
            Col::Email => ("Email", "applicant_email"),
            Col::Address => ("Địa chỉ", "applicant_address"),
            Col::Sets => ("Số bộ", "sets"),
            Col::Fee => ("Phí, lệ phí", "fee"),
            Col::Received => ("Ngày tiếp nhận", "received_at"),
            Col::RecordedDue => ("Hạn giải quyết", "due_at"),
            Col::Supplements => ("Bổ sung", "supplements"),
            Col::Extensions => ("Gia hạn", "extensions"),
            Col::Finished => ("Ngày kết thúc xử lý", "finished_at"),
            Col::Outcome => ("Kết quả xử lý", "outcome"),
            Col::Returned => ("Ngày trả kết quả", "returned_at"),
            Col::Status => ("Trạng thái", "status"),
            Col::ResultDigitised => ("Kết quả số hóa", "result_digitised"),
            Col::Components => ("Số thành phần", "components"),
            Col::ComponentsDigitised => ("Thành phần số hóa", "components_digitised"),
            Col::Note => ("Ghi chú", "note"),
        }
    }

    /// Whether a file must have the column.
    pub fn required(self) -> bool {
        matches!(
            self,
            Col::Code | Col::Procedure | Col::ApplicantName | Col::Received
        )
    }

    /// The column a header names: the Vietnamese header or the English
    /// alias, ignoring case, diacritics and punctuation, or both as
    /// `Mã hồ sơ (code)`.
    pub fn find(header: &str) -> Option<Col> {
        let matches = |text: &str| {
            let folded = fold_vi(text);
            Col::ALL.into_iter().find(|c| {
                let (vi, en) = c.names();
                fold_vi(vi) == folded || fold_vi(en) == folded
            })
        };
        if let Some(c) = matches(header) {
            return Some(c);
        }
        let (name, rest) = header.split_once('(')?;
        let alias = rest.trim_end().strip_suffix(')')?;
        match (matches(name), matches(alias)) {
            (Some(a), Some(b)) if a == b => Some(a),
            _ => None,
        }
    }
}

/// One cell's value as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (every CSV cell), not yet trimmed.
    Text(String),
    /// A number (XLSX).
    Number(f64),
    /// A date or date-time cell (XLSX).
    Moment(DateTime),
    /// A true/false cell (XLSX).
    Bool(bool),
    /// A spreadsheet error such as `#N/A`.
    Error(String),
}

impl Cell {
    fn is_blank(&self) -> bool {
        matches!(self, Cell::Text(s) if s.trim().is_empty())
    }
}

/// A row with at least one non-blank cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based row number as a spreadsheet shows it.
    pub number: usize,
    /// Non-blank cells by 0-based column index, in column order.
    pub cells: Vec<(usize, Cell)>,
}

impl Row {
    fn get(&self, column: usize) -> Option<&Cell> {
        self.cells
            .binary_search_by_key(&column, |(c, _)| *c)
            .ok()
            .and_then(|i| self.cells.get(i))
            .map(|(_, cell)| cell)
    }
}

/// Which file column holds which template column.
#[derive(Debug, Default)]
pub struct Layout {
    columns: HashMap<Col, usize>,
    headers: HashMap<usize, String>,
}

impl Layout {
    /// Matches the header row, reporting unknown, repeated and missing
    /// columns.
    pub fn read(header: &Row, issues: &mut Issues) -> Layout {
        let mut layout = Layout::default();
        for (index, cell) in &header.cells {
            let Cell::Text(text) = cell else { continue };
            let text = normalize(text);
            layout.headers.insert(*index, text.clone());
            let at = |reason: String| {
                ImportIssue::new(
                    header.number,
                    Some(column_letter(*index)),
                    Some(text.clone()),
                    reason,
                )
            };
            match Col::find(&text) {
                None => issues.push(at(format!(
                    "unknown column; the template's columns are {}",
                    Col::ALL.map(Col::header).join(", ")
                ))),
                Some(c) => match layout.columns.get(&c) {
                    Some(first) => issues.push(at(format!(
                        "{} is already column {}",
                        c.header(),
                        column_letter(*first)
                    ))),
                    None => {
                        layout.columns.insert(c, *index);
                    }
                },
            }
        }
        if layout.columns.is_empty() {
            issues.row(
                header.number,
                "the first row is not the template's header: no column is named as in the template",
            );
            return layout;
        }
        for c in Col::ALL {
            if c.required() && !layout.columns.contains_key(&c) {
                issues.push(ImportIssue::new(
                    header.number,
                    None,
                    Some(c.header().to_owned()),
                    "required column is missing",
                ));
            }
        }
        layout
    }

    /// The non-blank cell of a column in a row.
    pub fn cell<'r>(&self, row: &'r Row, c: Col) -> Option<&'r Cell> {
        row.get(*self.columns.get(&c)?)
    }

    /// An issue in a column of a row, named by its letter and the header as
    /// the file writes it.
    pub fn issue(&self, row: usize, c: Col, reason: impl Into<String>) -> ImportIssue {
        let index = self.columns.get(&c).copied();
        ImportIssue::new(
            row,
            index.map(column_letter),
            Some(
                index
                    .and_then(|i| self.headers.get(&i).cloned())
                    .unwrap_or_else(|| c.header().to_owned()),
            ),
            reason.into(),
        )
    }
}

/// Reads the file's rows (CSV or XLSX by content), or reports why it cannot.
pub fn read(bytes: &[u8], xlsx: bool, issues: &mut Issues) -> Vec<Row> {
    if bytes.len() > MAX_FILE_BYTES {
        issues.file(format!(
            "the file has {} MB; at most {} MB is accepted, so split it",
            bytes.len().div_ceil(1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
        return Vec::new();
    }
    let zip = bytes.starts_with(b"PK");
    match (xlsx, zip) {
        (true, false) => {
            issues.file("the file is not an XLSX workbook (an .xlsx file is a ZIP archive)");
            Vec::new()
        }
        (true, true) => read_xlsx(bytes, issues),
        (false, true) => {
            issues.file("the file is a ZIP archive (an XLSX workbook?), not CSV text");
            Vec::new()
        }
        (false, false) => read_csv(bytes, issues),
    }
}

fn too_many_rows(issues: &mut Issues) {
    issues.file(format!(
        "the file has more than {MAX_ROWS} rows under the header; split it"
    ));
}

/// Reads CSV: UTF-8 with or without a BOM; comma-, semicolon- or
/// tab-separated (whichever splits the header into the most template
/// columns). Rows are numbered by line as a spreadsheet shows them.
fn read_csv(bytes: &[u8], issues: &mut Issues) -> Vec<Row> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = 1 + bytes
            .get(..e.valid_up_to())
            .unwrap_or_default()
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        issues.file(format!(
            "the file is not UTF-8 text (first bad byte on line {line}); save it as \
             'CSV UTF-8' or as an XLSX workbook"
        ));
        return Vec::new();
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(bytes))
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    // The reader's own line numbers skip blank lines; count them from the
    // bytes instead, as a spreadsheet numbers rows.
    let (mut counted, mut line) = (0usize, 1usize);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                issues.row(line, format!("the CSV cannot be read here: {e}"));
                break;
            }
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let content = start
            + bytes.get(start..).map_or(0, |rest| {
                rest.iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .count()
            });
        line += bytes
            .get(counted..content)
            .map_or(0, |s| s.iter().filter(|b| **b == b'\n').count());
        counted = content.max(counted);
        let number = line;
        if rows.len() > MAX_ROWS {
            too_many_rows(issues);
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

fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let known = |d: u8| {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(bytes);
        let mut rec = csv::StringRecord::new();
        match r.read_record(&mut rec) {
            Ok(true) => rec.iter().filter(|h| Col::find(h).is_some()).count(),
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

fn read_xlsx(bytes: &[u8], issues: &mut Issues) -> Vec<Row> {
    let unpacked = zip::ZipArchive::new(Cursor::new(bytes)).and_then(|mut a| {
        let mut total: u64 = 0;
        for i in 0..a.len() {
            total = total.saturating_add(a.by_index_raw(i)?.size());
        }
        Ok(total)
    });
    match unpacked {
        Ok(n) if n <= MAX_UNPACKED => {}
        Ok(_) => {
            issues.file("the workbook unpacks to more than 1 GB; split it into smaller files");
            return Vec::new();
        }
        Err(e) => {
            issues.file(format!("the file is not a readable XLSX workbook: {e}"));
            return Vec::new();
        }
    }
    match first_sheet(bytes, issues) {
        Ok(rows) => rows,
        Err(e) => {
            issues.file(format!("the file is not a readable XLSX workbook: {e}"));
            Vec::new()
        }
    }
}

fn first_sheet(bytes: &[u8], issues: &mut Issues) -> Result<Vec<Row>, calamine::XlsxError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))?;
    let Some(sheet) = workbook.sheet_names().into_iter().next() else {
        issues.file("the workbook has no sheet");
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
            too_many_rows(issues);
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

/// Converts a workbook cell, keeping a date cell's time of day; `None` when
/// empty.
fn xlsx_cell(value: &DataRef<'_>) -> Option<Cell> {
    Some(match value {
        DataRef::Empty => return None,
        DataRef::Int(n) => Cell::Number(*n as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) if dt.is_datetime() => excel_moment(dt.as_f64()).map_or_else(
            || Cell::Error(format!("the date serial {} is not a moment", dt.as_f64())),
            Cell::Moment,
        ),
        DataRef::DateTime(dt) => Cell::Number(dt.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Error(format!("the cell holds the spreadsheet error {e}")),
    })
}

/// The moment an Excel serial stands for (1900 date system; the fraction
/// is the time of day), rounded to the minute.
pub fn excel_moment(serial: f64) -> Option<DateTime> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let minutes = (serial * 1440.0).round() as i64;
    let (days, minute) = (minutes.div_euclid(1440), minutes.rem_euclid(1440));
    // Excel counts 1900-02-29, which did not exist: serials from 61 on are
    // one day ahead of a count from 1899-12-31.
    let base = if days >= 61 {
        jiff::civil::date(1899, 12, 30)
    } else {
        jiff::civil::date(1899, 12, 31)
    };
    let day = base.checked_add(jiff::Span::new().days(days)).ok()?;
    let time = jiff::civil::Time::new(
        i8::try_from(minute / 60).ok()?,
        i8::try_from(minute % 60).ok()?,
        0,
        0,
    )
    .ok()?;
    Some(day.to_datetime(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_with_or_without_diacritics_and_by_alias() {
        assert_eq!(Col::find("Mã hồ sơ"), Some(Col::Code));
        assert_eq!(Col::find("MA HO SO"), Some(Col::Code));
        assert_eq!(Col::find("received_at"), Some(Col::Received));
        assert_eq!(
            Col::find("Ngày tiếp nhận (received_at)"),
            Some(Col::Received)
        );
        assert_eq!(Col::find("Mã hồ sơ (procedure)"), None);
    }

    #[test]
    fn excel_serials_keep_the_time_of_day() {
        // 45474 is 2024-07-01; .375 of a day is 09:00.
        assert_eq!(
            excel_moment(45474.375),
            Some(jiff::civil::date(2024, 7, 1).at(9, 0, 0, 0))
        );
        assert_eq!(excel_moment(0.5), None);
    }

    #[test]
    fn semicolon_csv_is_recognised_by_its_header_and_rows_keep_line_numbers() {
        let mut issues = Issues::default();
        let rows = read_csv(
            "Mã hồ sơ;Mã thủ tục;Phí, lệ phí\r\n\r\nA;1.001;2\r\n\"x\ny\";;\r\nB;;\n".as_bytes(),
            &mut issues,
        );
        assert!(issues.is_empty());
        let numbers: Vec<usize> = rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 3, 4, 6]);
        assert_eq!(rows[0].cells.len(), 3);
        assert_eq!(rows[1].get(2), Some(&Cell::Text("2".into())));
    }
}
