//! Procedure catalog files: reading the import template from CSV or XLSX,
//! and writing it as CSV (the XLSX writer is in `motcua-render`, which reads
//! the same layout from `motcua_domain::catalog::text::template`).

pub mod export;
pub mod import;
pub mod issue;
mod rows;
mod sheet;

pub use export::procedures_csv;
pub use import::{
    FileFormat, ImportErrors, ImportIssue, ImportedProcedure, ParsedImport, parse_procedures,
};
pub use issue::{IssueCode, Reason};

#[cfg(test)]
mod tests;
