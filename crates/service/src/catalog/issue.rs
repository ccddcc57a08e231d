//! What an import problem is, apart from how it is worded. An issue's
//! `reason` is English prose for logs, the CLI and the API; the staff pages
//! word the same issue in Vietnamese (or English) from its [`IssueCode`], its
//! arguments and the template column it concerns, so that a one-stop
//! administrator never reads an English sentence on a Vietnamese page.

use std::collections::BTreeMap;

use serde::Serialize;

/// The kind of a problem or warning found in an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueCode {
    /// Not classified (the dossier import's issues): only `reason` words it.
    #[default]
    Other,
    /// The file is over the size limit (`mb`).
    FileTooLarge,
    /// An .xlsx file that is not a ZIP archive.
    NotXlsx,
    /// A ZIP archive sent as CSV.
    NotCsv,
    /// CSV that is not UTF-8 (`line`).
    NotUtf8,
    /// CSV the reader cannot parse at a row.
    CsvUnreadable,
    /// A workbook that cannot be read, or unpacks too large.
    XlsxUnreadable,
    /// A workbook without a sheet.
    NoSheet,
    /// Nothing in the file.
    Empty,
    /// More rows than allowed (`max`).
    TooManyRows,
    /// The first row names no template column.
    NotHeader,
    /// A header the template does not have.
    UnknownColumn,
    /// A template column named twice (`first`: the earlier column letter).
    RepeatedColumn,
    /// A required template column is missing.
    MissingColumn,
    /// A component column is missing while the component name column is there.
    MissingWithComponent,
    /// A header and no rows.
    NoRows,
    /// A value under a column without a header.
    UnnamedColumn,
    /// A required cell is blank.
    Required,
    /// A cell required for a component is blank.
    RequiredWithComponent,
    /// The procedure code was used by an earlier row (`code`, `first`).
    RepeatedCode,
    /// A value that cannot be read for its column (`value`).
    BadValue,
    /// A spreadsheet error value in a cell (`value`).
    SpreadsheetError,
    /// Text longer than allowed (`n`, `max`).
    TooLong,
    /// A procedure that breaks a catalog rule in this column.
    RuleBroken,
    /// A continuation row with no procedure row before it.
    OrphanRow,
    /// A continuation row filling a procedure column.
    StrayCell,
    /// Component details without the component's name.
    ComponentUnnamed,
    /// The count of problems past the listing cap (`n`, `max`).
    MoreProblems,
    /// Warning: a code stored as a number (`number`, `code`).
    CodeAsNumber,
    /// Warning: a bare number of days read as calendar days (`said`, `n`).
    BareDays,
}

impl IssueCode {
    /// The code as the API and the message catalogs name it.
    pub fn as_str(self) -> &'static str {
        use IssueCode as C;
        match self {
            C::Other => "other",
            C::FileTooLarge => "file_too_large",
            C::NotXlsx => "not_xlsx",
            C::NotCsv => "not_csv",
            C::NotUtf8 => "not_utf8",
            C::CsvUnreadable => "csv_unreadable",
            C::XlsxUnreadable => "xlsx_unreadable",
            C::NoSheet => "no_sheet",
            C::Empty => "empty",
            C::TooManyRows => "too_many_rows",
            C::NotHeader => "not_header",
            C::UnknownColumn => "unknown_column",
            C::RepeatedColumn => "repeated_column",
            C::MissingColumn => "missing_column",
            C::MissingWithComponent => "missing_with_component",
            C::NoRows => "no_rows",
            C::UnnamedColumn => "unnamed_column",
            C::Required => "required",
            C::RequiredWithComponent => "required_with_component",
            C::RepeatedCode => "repeated_code",
            C::BadValue => "bad_value",
            C::SpreadsheetError => "spreadsheet_error",
            C::TooLong => "too_long",
            C::RuleBroken => "rule_broken",
            C::OrphanRow => "orphan_row",
            C::StrayCell => "stray_cell",
            C::ComponentUnnamed => "component_unnamed",
            C::MoreProblems => "more_problems",
            C::CodeAsNumber => "code_as_number",
            C::BareDays => "bare_days",
        }
    }

    /// Every code, for checking that each has a wording.
    pub const ALL: [IssueCode; 30] = [
        IssueCode::Other,
        IssueCode::FileTooLarge,
        IssueCode::NotXlsx,
        IssueCode::NotCsv,
        IssueCode::NotUtf8,
        IssueCode::CsvUnreadable,
        IssueCode::XlsxUnreadable,
        IssueCode::NoSheet,
        IssueCode::Empty,
        IssueCode::TooManyRows,
        IssueCode::NotHeader,
        IssueCode::UnknownColumn,
        IssueCode::RepeatedColumn,
        IssueCode::MissingColumn,
        IssueCode::MissingWithComponent,
        IssueCode::NoRows,
        IssueCode::UnnamedColumn,
        IssueCode::Required,
        IssueCode::RequiredWithComponent,
        IssueCode::RepeatedCode,
        IssueCode::BadValue,
        IssueCode::SpreadsheetError,
        IssueCode::TooLong,
        IssueCode::RuleBroken,
        IssueCode::OrphanRow,
        IssueCode::StrayCell,
        IssueCode::ComponentUnnamed,
        IssueCode::MoreProblems,
        IssueCode::CodeAsNumber,
        IssueCode::BareDays,
    ];
}

/// A problem's code, the values its wordings need, and its English reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// What kind of problem it is.
    pub code: IssueCode,
    /// Values the wordings fill in (`value`, `n`, `max`…).
    pub args: BTreeMap<&'static str, String>,
    /// The English reason.
    pub text: String,
}

impl Reason {
    /// A reason of a known kind.
    pub fn new(code: IssueCode, text: impl Into<String>) -> Self {
        Reason {
            code,
            args: BTreeMap::new(),
            text: text.into(),
        }
    }

    /// Adds a value the wordings fill in.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.insert(name, value.to_string());
        self
    }
}

impl From<String> for Reason {
    /// An unclassified reason (worded by its English text only).
    fn from(text: String) -> Self {
        Reason::new(IssueCode::Other, text)
    }
}

impl From<&str> for Reason {
    fn from(text: &str) -> Self {
        Reason::new(IssueCode::Other, text)
    }
}

/// At most 60 characters of a cell's text, for quoting it back.
pub fn quote(value: &str) -> String {
    let value = value.trim();
    if value.chars().count() <= 60 {
        value.to_owned()
    } else {
        let mut s: String = value.chars().take(59).collect();
        s.push('…');
        s
    }
}
