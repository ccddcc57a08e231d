//! Reading the procedure import template (docs/import/procedures.md) from a
//! CSV file or an XLSX workbook into drafts, all or nothing: every problem in
//! the file is reported with its row, column and reason, and a file with any
//! problem yields no drafts at all.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use motcua_domain::catalog::ProcedureDraft;
use motcua_domain::catalog::text::template::{Column, Need, column_letter};
use serde::Serialize;

use super::issue::{IssueCode, Reason};
use super::rows::read_rows;
use super::sheet::{MAX_ROWS, Row, read_csv, read_xlsx};
use crate::error::ServiceError;

/// The largest file accepted, in bytes (20 MB).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// The most problems listed; past it, one last issue counts the rest.
pub const MAX_ISSUES: usize = 1000;

/// How the file is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FileFormat {
    /// Comma-separated text, UTF-8.
    Csv,
    /// An Excel workbook; its first sheet is read.
    Xlsx,
}

impl FileFormat {
    /// Tells the format from the content (an XLSX workbook is a ZIP archive,
    /// which starts with `PK`) or, failing that, from the file name's
    /// extension; anything else is read as CSV.
    pub fn detect(file_name: Option<&str>, bytes: &[u8]) -> FileFormat {
        let xlsx_name = file_name.is_some_and(|n| n.to_ascii_lowercase().ends_with(".xlsx"));
        if bytes.starts_with(b"PK") || (bytes.is_empty() && xlsx_name) {
            FileFormat::Xlsx
        } else {
            FileFormat::Csv
        }
    }
}

/// One problem (or warning) in an import file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportIssue {
    /// Row as a spreadsheet numbers it (the header is row 1); 0 for a
    /// problem with the whole file (too large, not UTF-8, empty).
    pub row: usize,
    /// Column letter, e.g. `F`, when the problem is in one cell or header.
    pub column: Option<String>,
    /// The column's header as the file writes it (or the template's, for a
    /// missing column).
    pub header: Option<String>,
    /// What is wrong, in English, with the offending value shortened.
    pub reason: String,
    /// What kind of problem it is, for wording it in the reader's language.
    pub code: IssueCode,
    /// The values that wording fills in (`value`, `n`, `max`…).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<&'static str, String>,
    /// The template column concerned, by its English alias (`time_limit`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

impl ImportIssue {
    /// An issue at a row (0: the whole file) and, when known, a column.
    pub fn new(
        row: usize,
        column: Option<String>,
        header: Option<String>,
        reason: impl Into<Reason>,
    ) -> Self {
        let reason = reason.into();
        ImportIssue {
            row,
            column,
            header,
            reason: reason.text,
            code: reason.code,
            args: reason.args,
            field: None,
        }
    }

    /// The same issue, concerning a template column.
    pub fn of(mut self, field: Option<Column>) -> Self {
        self.field = field.map(Column::alias);
        self
    }
}

impl fmt::Display for ImportIssue {
    /// `row 7, column F (Thời hạn giải quyết): reason`, or `file: reason`
    /// for the whole file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.row == 0 {
            f.write_str("file")?;
        } else {
            write!(f, "row {}", self.row)?;
        }
        match (&self.column, &self.header) {
            (Some(c), Some(h)) => write!(f, ", column {c} ({h})")?,
            (Some(c), None) => write!(f, ", column {c}")?,
            (None, Some(h)) => write!(f, " ({h})")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.reason)
    }
}

/// Every problem found in a file, in row and column order. Nothing was
/// imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportErrors(pub Vec<ImportIssue>);

impl ImportErrors {
    /// The problems, in row and column order.
    pub fn issues(&self) -> &[ImportIssue] {
        &self.0
    }

    /// One line per problem, for a CLI or an API `errors` list.
    pub fn lines(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }
}

impl fmt::Display for ImportErrors {
    /// The first problem and how many more there are.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [] => f.write_str("the file could not be imported"),
            [one] => write!(f, "{one}"),
            [first, rest @ ..] => write!(f, "{first} (and {} more problems)", rest.len()),
        }
    }
}

impl std::error::Error for ImportErrors {}

impl From<ImportErrors> for ServiceError {
    /// One line for callers that show one: `file: <first problem> (and N
    /// more problems)`. Callers that can show a list keep [`ImportErrors`].
    fn from(e: ImportErrors) -> Self {
        ServiceError::invalid("file", e.to_string())
    }
}

/// A procedure read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedProcedure {
    /// The row its code is on, for reporting later problems (an unknown unit
    /// code) against the file.
    pub row: usize,
    /// The procedure with its components.
    pub draft: ProcedureDraft,
    /// Unit codes from column U (normalised, upper case), in file order.
    pub units: Vec<String>,
}

/// A file read without errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedImport {
    /// Procedures in file order.
    pub procedures: Vec<ImportedProcedure>,
    /// Things a person should confirm (a bare "ngày" read as calendar days,
    /// a code stored as a number); they do not stop the import.
    pub warnings: Vec<ImportIssue>,
}

impl ParsedImport {
    /// The drafts with their unit codes, as
    /// [`procedures::import`](crate::procedures::import) takes them.
    pub fn into_drafts(self) -> Vec<(ProcedureDraft, Vec<String>)> {
        self.procedures
            .into_iter()
            .map(|p| (p.draft, p.units))
            .collect()
    }
}

/// Reads a procedure file laid out as the import template. Every problem in
/// the file is collected (up to [`MAX_ISSUES`]); any problem means no drafts.
/// Refused outright: an empty file, a file over 20 MB or over 100,000 rows,
/// a CSV that is not UTF-8, a workbook that cannot be read.
pub fn parse_procedures(bytes: &[u8], format: FileFormat) -> Result<ParsedImport, ImportErrors> {
    let mut issues = Issues::default();
    let rows = read_file(bytes, format, &mut issues);
    if !issues.is_empty() {
        return Err(ImportErrors(issues.into_list()));
    }
    let Some((header, data)) = rows.split_first() else {
        issues.file(Reason::new(
            IssueCode::Empty,
            "the file is empty; the first row must be the template's header",
        ));
        return Err(ImportErrors(issues.into_list()));
    };
    let layout = Layout::read(header, &mut issues);
    if layout.columns.is_empty() {
        return Err(ImportErrors(issues.into_list()));
    }
    if data.is_empty() {
        issues.row(
            header.number,
            Reason::new(
                IssueCode::NoRows,
                "no procedures: the file has a header and no rows under it",
            ),
        );
    }
    let mut warnings = Issues::default();
    let procedures = read_rows(data, &layout, &mut issues, &mut warnings);
    if issues.is_empty() {
        Ok(ParsedImport {
            procedures,
            warnings: warnings.into_list(),
        })
    } else {
        Err(ImportErrors(issues.into_list()))
    }
}

fn read_file(bytes: &[u8], format: FileFormat, issues: &mut Issues) -> Vec<Row> {
    if bytes.len() > MAX_FILE_BYTES {
        let mb = bytes.len().div_ceil(1024 * 1024);
        issues.file(
            Reason::new(
                IssueCode::FileTooLarge,
                format!("the file has {mb} MB; at most 20 MB is accepted, so split it"),
            )
            .arg("mb", mb),
        );
        return Vec::new();
    }
    let zip = bytes.starts_with(b"PK");
    match format {
        FileFormat::Xlsx if !zip => {
            issues.file(Reason::new(
                IssueCode::NotXlsx,
                "the file is not an XLSX workbook (an .xlsx file is a ZIP archive)",
            ));
            Vec::new()
        }
        FileFormat::Xlsx => read_xlsx(bytes, issues),
        FileFormat::Csv if zip => {
            issues.file(Reason::new(
                IssueCode::NotCsv,
                "the file is a ZIP archive (an XLSX workbook?), not CSV text",
            ));
            Vec::new()
        }
        FileFormat::Csv => read_csv(bytes, issues),
    }
}

/// Which file column holds which template column.
#[derive(Debug)]
pub(super) struct Layout {
    /// File column of each template column present.
    pub columns: HashMap<Column, usize>,
    /// Headers as the file writes them, by file column.
    pub headers: HashMap<usize, String>,
    /// File columns whose header is empty.
    pub unnamed: Vec<usize>,
}

impl Layout {
    /// Matches the header row to the template, reporting unknown, repeated
    /// and missing columns.
    fn read(header: &Row, issues: &mut Issues) -> Layout {
        let mut layout = Layout {
            columns: HashMap::new(),
            headers: HashMap::new(),
            unnamed: Vec::new(),
        };
        let last = header.cells.last().map_or(0, |(c, _)| *c);
        for index in 0..=last {
            let text = header
                .get(index)
                .and_then(|c| c.text().ok())
                .unwrap_or_default();
            if text.is_empty() {
                layout.unnamed.push(index);
                continue;
            }
            layout.headers.insert(index, text.clone());
            let at = |reason: Reason| {
                ImportIssue::new(
                    header.number,
                    Some(column_letter(index)),
                    Some(text.clone()),
                    reason,
                )
            };
            match Column::find(&text) {
                None => issues.push(at(Reason::new(
                    IssueCode::UnknownColumn,
                    format!(
                        "unknown column; the template's columns are {}",
                        Column::ALL.map(Column::header).join(", ")
                    ),
                ))),
                Some(c) => match layout.columns.get(&c) {
                    Some(first) => issues.push(
                        at(Reason::new(
                            IssueCode::RepeatedColumn,
                            format!("{} is already column {}", c.header(), column_letter(*first)),
                        )
                        .arg("first", column_letter(*first)))
                        .of(Some(c)),
                    ),
                    None => {
                        layout.columns.insert(c, index);
                    }
                },
            }
        }
        if layout.columns.is_empty() {
            issues.row(
                header.number,
                Reason::new(
                    IssueCode::NotHeader,
                    "the first row is not the template's header: no column is named as in the \
                     template",
                ),
            );
            return layout;
        }
        let has_component = layout.columns.contains_key(&Column::Component);
        for c in Column::ALL {
            if layout.columns.contains_key(&c) {
                continue;
            }
            let reason = match c.need() {
                Need::Required => {
                    Reason::new(IssueCode::MissingColumn, "required column is missing")
                }
                Need::WithComponent if has_component => Reason::new(
                    IssueCode::MissingWithComponent,
                    format!(
                        "column is missing; it is required with {}",
                        Column::Component.header()
                    ),
                ),
                _ => continue,
            };
            issues.push(
                ImportIssue::new(header.number, None, Some(c.header().to_owned()), reason)
                    .of(Some(c)),
            );
        }
        layout
    }

    /// The header the file gives a column.
    pub fn header(&self, index: usize) -> Option<String> {
        self.headers.get(&index).cloned()
    }
}

/// A list of problems being collected, capped at [`MAX_ISSUES`].
#[derive(Debug, Default)]
pub struct Issues {
    list: Vec<ImportIssue>,
    dropped: usize,
    too_many_rows: bool,
}

impl Issues {
    /// Adds a problem.
    pub fn push(&mut self, issue: ImportIssue) {
        if self.list.len() < MAX_ISSUES {
            self.list.push(issue);
        } else {
            self.dropped += 1;
        }
    }

    /// Adds a problem with the whole file.
    pub fn file(&mut self, reason: impl Into<Reason>) {
        self.row(0, reason);
    }

    /// Adds a problem with a whole row.
    pub fn row(&mut self, row: usize, reason: impl Into<Reason>) {
        self.push(ImportIssue::new(row, None, None, reason));
    }

    /// Reports that the file has more rows than allowed, once.
    pub fn too_many_rows(&mut self) {
        if !self.too_many_rows {
            self.too_many_rows = true;
            self.file(
                Reason::new(
                    IssueCode::TooManyRows,
                    format!("the file has more than {MAX_ROWS} rows under the header; split it"),
                )
                .arg("max", MAX_ROWS),
            );
        }
    }

    /// How many problems were reported, for telling whether a step added one.
    pub fn len(&self) -> usize {
        self.list.len() + self.dropped
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The problems in row and column order, with a last line counting those
    /// past the cap.
    pub fn into_list(mut self) -> Vec<ImportIssue> {
        self.list.sort_by(|a, b| {
            let col = |i: &ImportIssue| {
                i.column
                    .as_ref()
                    .map(|c| (c.len(), c.clone()))
                    .unwrap_or_default()
            };
            (a.row, col(a)).cmp(&(b.row, col(b)))
        });
        if self.dropped > 0 {
            let last_row = self.list.last().map_or(0, |i| i.row);
            self.list.push(ImportIssue::new(
                last_row,
                None,
                None,
                Reason::new(
                    IssueCode::MoreProblems,
                    format!(
                        "{} more problems after these {MAX_ISSUES} are not listed",
                        self.dropped
                    ),
                )
                .arg("n", self.dropped)
                .arg("max", MAX_ISSUES),
            ));
        }
        self.list
    }
}
