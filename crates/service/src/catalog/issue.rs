//! What an import problem is, apart from how it is worded. An issue's
//! `reason` is English prose for logs, the CLI and the API; the staff pages
//! word the same issue in Vietnamese (or English) from its [`IssueCode`], its
//! arguments and the template column it concerns, so that a one-stop
//! administrator never reads an English sentence on a Vietnamese page.

use std::collections::BTreeMap;

use serde::Serialize;

/// Declares [`IssueCode`] from one list, so that its variants, their text
/// (`as_str`, also what the API serializes) and [`IssueCode::ALL`] cannot
/// drift apart.
macro_rules! issue_codes {
    ($($(#[$m:meta])* $v:ident => $s:literal,)+) => {
        /// The kind of a problem or warning found in an import file.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum IssueCode {
            $($(#[$m])* $v,)+
        }

        impl IssueCode {
            /// Every code, for checking that each has a wording.
            pub const ALL: &'static [IssueCode] = &[$(IssueCode::$v),+];

            /// The code as the API and the message catalogs name it.
            pub fn as_str(self) -> &'static str {
                match self { $(IssueCode::$v => $s),+ }
            }
        }
    };
}

issue_codes! {
    /// Not classified (the dossier import's issues): only `reason` words it.
    #[default]
    Other => "other",
    /// The file is over the size limit (`mb`).
    FileTooLarge => "file_too_large",
    /// An .xlsx file that is not a ZIP archive.
    NotXlsx => "not_xlsx",
    /// A ZIP archive sent as CSV.
    NotCsv => "not_csv",
    /// CSV that is not UTF-8 (`line`).
    NotUtf8 => "not_utf8",
    /// CSV the reader cannot parse at a row.
    CsvUnreadable => "csv_unreadable",
    /// A workbook that cannot be read, or unpacks too large.
    XlsxUnreadable => "xlsx_unreadable",
    /// A workbook without a sheet.
    NoSheet => "no_sheet",
    /// Nothing in the file.
    Empty => "empty",
    /// More rows than allowed (`max`).
    TooManyRows => "too_many_rows",
    /// The first row names no template column.
    NotHeader => "not_header",
    /// A header the template does not have.
    UnknownColumn => "unknown_column",
    /// A template column named twice (`first`: the earlier column letter).
    RepeatedColumn => "repeated_column",
    /// A required template column is missing.
    MissingColumn => "missing_column",
    /// A component column is missing while the component name column is there.
    MissingWithComponent => "missing_with_component",
    /// A header and no rows.
    NoRows => "no_rows",
    /// A value under a column without a header.
    UnnamedColumn => "unnamed_column",
    /// A required cell is blank.
    Required => "required",
    /// A cell required for a component is blank.
    RequiredWithComponent => "required_with_component",
    /// The procedure code was used by an earlier row (`code`, `first`).
    RepeatedCode => "repeated_code",
    /// A value that cannot be read for its column (`value`).
    BadValue => "bad_value",
    /// A spreadsheet error value in a cell (`value`).
    SpreadsheetError => "spreadsheet_error",
    /// Text longer than allowed (`n`, `max`).
    TooLong => "too_long",
    /// A procedure that breaks a catalog rule in this column.
    RuleBroken => "rule_broken",
    /// A continuation row with no procedure row before it.
    OrphanRow => "orphan_row",
    /// A continuation row filling a procedure column.
    StrayCell => "stray_cell",
    /// Component details without the component's name.
    ComponentUnnamed => "component_unnamed",
    /// The count of problems past the listing cap (`n`, `max`).
    MoreProblems => "more_problems",
    /// Warning: a code stored as a number (`number`, `code`).
    CodeAsNumber => "code_as_number",
    /// Warning: a bare number of days read as calendar days (`said`, `n`).
    BareDays => "bare_days",
}

impl Serialize for IssueCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
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
