//! Form 03 of Circular 01/2018/TT-VPCP (kept as form 03 by Circular
//! 03/2025): the refusal (Phiếu từ chối tiếp nhận, giải quyết hồ sơ), A5
//! portrait. A refusal must give its reasons in writing, so the form lists
//! every reason given.
//!
//! The template (`templates/form03-refusal.typ`) reads the values from
//! `/data.json` as strings, so they print literally.

use jiff::civil::DateTime;
use serde::Serialize;

use crate::RenderError;
use crate::pdf::{Template, compile_form};
use crate::vietnamese::{date_line, heading_break};

const TEMPLATE: Template = Template {
    path: "/templates/form03-refusal.typ",
    text: include_str!("../templates/form03-refusal.typ"),
};

/// Everything printed on a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The form's number under the regime in force on the dossier's date
    /// (`Regime::form_number`), e.g. "02"; empty leaves "Mẫu số" out.
    pub form_number: String,
    /// The governing body, first heading line, e.g. "UBND TỈNH BẮC NINH".
    pub parent_unit_name: String,
    /// The refusing unit, e.g. "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG".
    pub unit_name: String,
    /// Where the refusal is issued, for the date line.
    pub place: String,
    /// When the refusal is issued; prints the date line.
    pub issued_at: DateTime,
    /// `None` for a refusal before receipt, which has no dossier code
    /// (domain.md §5): the line is left out.
    pub dossier_code: Option<String>,
    pub applicant_name: String,
    /// Empty leaves the line out.
    pub applicant_address: String,
    /// Empty leaves it out.
    pub applicant_phone: String,
    /// Empty leaves it out.
    pub applicant_email: String,
    /// The request refused: the procedure's name.
    pub procedure_name: String,
    /// Why, one reason per entry, in order.
    pub reasons: Vec<String>,
    /// Who signs: the officer at the desk for a refusal to receive, the
    /// head of the deciding unit for a refusal to resolve.
    pub officer_name: String,
    /// The signer's title as it should read ("KT. CHỦ TỊCH …"); empty for
    /// the desk officer ("NGƯỜI TIẾP NHẬN HỒ SƠ", who signs without seal).
    pub signer_title: String,
}

#[derive(Serialize)]
struct RefusalData<'a> {
    parent_unit_name: String,
    unit_name: String,
    form_number: &'a str,
    date_line: String,
    dossier_code: &'a str,
    applicant_name: &'a str,
    applicant_address: &'a str,
    applicant_phone: &'a str,
    applicant_email: &'a str,
    procedure_name: &'a str,
    reasons: Vec<ReasonData<'a>>,
    officer_name: &'a str,
    signer_title: &'a str,
}

#[derive(Serialize)]
struct ReasonData<'a> {
    number: String,
    text: &'a str,
}

/// Renders form 03 as an A5 PDF.
pub fn refusal_pdf(refusal: &Refusal) -> Result<Vec<u8>, RenderError> {
    let data = RefusalData {
        parent_unit_name: heading_break(&refusal.parent_unit_name),
        unit_name: heading_break(&refusal.unit_name),
        form_number: &refusal.form_number,
        date_line: date_line(&refusal.place, refusal.issued_at),
        dossier_code: refusal.dossier_code.as_deref().unwrap_or(""),
        applicant_name: &refusal.applicant_name,
        applicant_address: &refusal.applicant_address,
        applicant_phone: &refusal.applicant_phone,
        applicant_email: &refusal.applicant_email,
        procedure_name: &refusal.procedure_name,
        reasons: refusal
            .reasons
            .iter()
            .enumerate()
            .map(|(i, text)| ReasonData {
                number: (i + 1).to_string(),
                text,
            })
            .collect(),
        officer_name: &refusal.officer_name,
        signer_title: &refusal.signer_title,
    };
    compile_form(&TEMPLATE, &data)
}
