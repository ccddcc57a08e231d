//! Documents motcua produces from values it is given: XLSX exports and the
//! official forms as PDF (typst templates in `templates/`, compiled in-process
//! with the fonts in `assets/fonts/`; later SVG charts). No database access:
//! callers load the data and pass it in.

mod apology;
mod blank_forms;
mod control;
mod form06;
mod payment_receipt;
mod pdf;
mod procedures;
mod receipt;
mod refusal;
mod register;
mod stop;
mod supplement;
mod table;
mod vietnamese;

pub use apology::{ApologyLetter, apology_letter_pdf};
pub use blank_forms::birth_declaration;
pub use control::{ControlSlip, HandOver, control_slip_pdf};
pub use form06::{Form06, Form06Group, form06_pdf, form06_xlsx};
pub use payment_receipt::{PaymentReceiptDoc, ReceiptRefund, payment_receipt_pdf};
pub use procedures::procedures_xlsx;
pub use receipt::{ReceiptSlip, ReceivedComponent, receipt_slip_pdf};
pub use refusal::{Refusal, refusal_pdf};
pub use register::{DossierRegister, RegisterRow, dossier_register_pdf};
pub use stop::{StopNotice, stop_notice_pdf};
pub use supplement::{SupplementItem, SupplementRequest, supplement_request_pdf};
pub use table::table_xlsx;

/// Writing a document failed. The values given are already checked, so this
/// is an internal failure of the writer, not something the user can fix.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The XLSX writer refused.
    #[error("could not write the workbook: {0}")]
    Xlsx(String),
    /// Typst refused to compile a form: its diagnostics, one per line
    /// (`path:line: error: message`). A template bug, not bad input: values
    /// are passed as data and printed literally.
    #[error("could not compile the form: {0}")]
    Pdf(String),
    /// The text is too long for a QR code.
    #[error("could not draw the QR code: {0}")]
    Qr(String),
}

impl From<rust_xlsxwriter::XlsxError> for RenderError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        RenderError::Xlsx(e.to_string())
    }
}
