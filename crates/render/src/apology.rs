//! Form 04 of Circular 01/2018/TT-VPCP: the apology and new appointment
//! (Phiếu xin lỗi và hẹn lại ngày trả kết quả), A5 portrait. Circular
//! 03/2025 turns form 04 into an apology and request to extend; its layout is
//! not confirmed, so the same values fill a replaceable template.
//!
//! The unit that is late signs through its head, so the signer's title and
//! name are part of the form. The template (`templates/form04-apology.typ`)
//! reads the values from `/data.json` as strings, so they print literally.

use jiff::civil::DateTime;
use serde::Serialize;

use crate::RenderError;
use crate::pdf::{Template, compile_form};
use crate::vietnamese::{date_line, heading_break, moment_long, procedure_title};

const TEMPLATE: Template = Template {
    path: "/templates/form04-apology.typ",
    text: include_str!("../templates/form04-apology.typ"),
};

/// Everything printed on an apology and new appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApologyLetter {
    /// The form's number under the regime in force on the dossier's date
    /// (`Regime::form_number`), e.g. "02"; empty leaves "Mẫu số" out.
    pub form_number: String,
    /// The governing body, first heading line, e.g. "UBND TỈNH BẮC NINH".
    pub parent_unit_name: String,
    /// The unit that is late, e.g. "SỞ XÂY DỰNG".
    pub unit_name: String,
    /// Where the letter is issued, for the date line.
    pub place: String,
    /// When the letter is issued; prints the date line.
    pub issued_at: DateTime,
    /// Whom it is addressed to ("Kính gửi: Ông/Bà …").
    pub applicant_name: String,
    pub dossier_code: String,
    pub procedure_name: String,
    /// Moment of receipt, local civil time.
    pub received_at: DateTime,
    /// The appointment that was missed.
    pub original_appointment_at: DateTime,
    /// Why the result is late.
    pub reason: String,
    /// The new appointment to return the result.
    pub new_appointment_at: DateTime,
    /// The head of unit's title as it should read, e.g. "GIÁM ĐỐC".
    pub signer_title: String,
    pub signer_name: String,
}

#[derive(Serialize)]
struct ApologyData<'a> {
    parent_unit_name: String,
    unit_name: String,
    form_number: &'a str,
    date_line: String,
    applicant_name: &'a str,
    dossier_code: &'a str,
    procedure_name: String,
    received_at: String,
    original_appointment_at: String,
    reason: &'a str,
    new_appointment_at: String,
    signer_title: &'a str,
    signer_name: &'a str,
}

/// Renders form 04 as an A5 PDF.
pub fn apology_letter_pdf(letter: &ApologyLetter) -> Result<Vec<u8>, RenderError> {
    let data = ApologyData {
        parent_unit_name: heading_break(&letter.parent_unit_name),
        unit_name: heading_break(&letter.unit_name),
        form_number: &letter.form_number,
        date_line: date_line(&letter.place, letter.issued_at),
        applicant_name: &letter.applicant_name,
        dossier_code: &letter.dossier_code,
        procedure_name: procedure_title(&letter.procedure_name),
        received_at: moment_long(letter.received_at),
        original_appointment_at: moment_long(letter.original_appointment_at),
        reason: &letter.reason,
        new_appointment_at: moment_long(letter.new_appointment_at),
        signer_title: &letter.signer_title,
        signer_name: &letter.signer_name,
    };
    compile_form(&TEMPLATE, &data)
}
