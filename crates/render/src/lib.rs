//! Documents motcua produces from values it is given: XLSX exports (and,
//! later, official forms as PDF and SVG charts). No database access: callers
//! load the data and pass it in.

mod procedures;

pub use procedures::procedures_xlsx;

/// Writing a document failed. The values given are already checked, so this
/// is an internal failure of the writer, not something the user can fix.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The XLSX writer refused.
    #[error("could not write the workbook: {0}")]
    Xlsx(String),
}

impl From<rust_xlsxwriter::XlsxError> for RenderError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        RenderError::Xlsx(e.to_string())
    }
}
