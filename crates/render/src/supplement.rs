//! Form 02 of Circular 01/2018/TT-VPCP (kept as form 02 by Circular
//! 03/2025): the supplement request (Phiếu yêu cầu bổ sung, hoàn thiện hồ
//! sơ), A5 portrait. The officer lists everything missing at once, in
//! writing (Decree 61/2018/NĐ-CP), so the form carries the whole
//! list with a note for each item.
//!
//! As for form 01, the template (`templates/form02-supplement.typ`) reads the
//! values from `/data.json` as strings, so they print literally.

use jiff::civil::{Date, DateTime};
use serde::Serialize;

use crate::RenderError;
use crate::pdf::{Template, compile_form};
use crate::vietnamese::{date_line, date_long, heading_break};

const TEMPLATE: Template = Template {
    path: "/templates/form02-supplement.typ",
    text: include_str!("../templates/form02-supplement.typ"),
};

/// Everything printed on a supplement request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplementRequest {
    /// The form's number under the regime in force on the dossier's date
    /// (`Regime::form_number`), e.g. "02"; empty leaves "Mẫu số" out.
    pub form_number: String,
    /// The governing body, first heading line, e.g. "UBND TỈNH BẮC NINH".
    pub parent_unit_name: String,
    /// The issuing unit, e.g. "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG".
    pub unit_name: String,
    /// Where the request is issued, for the date line, e.g. "Bắc Ninh".
    pub place: String,
    /// When the request is issued; prints the date line.
    pub issued_at: DateTime,
    /// `None` for guidance given at the counter before receipt, when there
    /// is no dossier yet (domain.md §5): the line is left out.
    pub dossier_code: Option<String>,
    pub applicant_name: String,
    /// Empty leaves the line out.
    pub applicant_address: String,
    /// Empty leaves it out.
    pub applicant_phone: String,
    /// Empty leaves it out.
    pub applicant_email: String,
    /// The procedure's name (the request to be settled).
    pub procedure_name: String,
    /// What is missing or must be completed, in order.
    pub items: Vec<SupplementItem>,
    /// Empty leaves the line out.
    pub reason: String,
    /// How and where to supply, whom to ask; empty leaves the line out.
    pub guidance: String,
    /// The last day the applicant may supply (until its end), when the
    /// officer set one
    /// (domain.md §5, "Supplements"); `None` leaves the line out.
    pub supply_by: Option<Date>,
    /// The officer who issues the request ("người hướng dẫn").
    pub officer_name: String,
}

/// One document missing or to be completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplementItem {
    pub name: String,
    /// What to do about it, e.g. "Bổ sung bản sao chứng thực"; may be empty.
    pub note: String,
}

#[derive(Serialize)]
struct RequestData<'a> {
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
    items: Vec<ItemData<'a>>,
    reason: &'a str,
    guidance: &'a str,
    supply_by: String,
    officer_name: &'a str,
}

#[derive(Serialize)]
struct ItemData<'a> {
    number: String,
    name: &'a str,
    note: &'a str,
}

/// Renders form 02 as an A5 PDF (more pages if the list is long).
pub fn supplement_request_pdf(request: &SupplementRequest) -> Result<Vec<u8>, RenderError> {
    let data = RequestData {
        parent_unit_name: heading_break(&request.parent_unit_name),
        unit_name: heading_break(&request.unit_name),
        form_number: &request.form_number,
        date_line: date_line(&request.place, request.issued_at),
        dossier_code: request.dossier_code.as_deref().unwrap_or(""),
        applicant_name: &request.applicant_name,
        applicant_address: &request.applicant_address,
        applicant_phone: &request.applicant_phone,
        applicant_email: &request.applicant_email,
        procedure_name: &request.procedure_name,
        items: request
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| ItemData {
                number: (i + 1).to_string(),
                name: &item.name,
                note: &item.note,
            })
            .collect(),
        reason: &request.reason,
        guidance: &request.guidance,
        supply_by: request.supply_by.map(date_long).unwrap_or_default(),
        officer_name: &request.officer_name,
    };
    compile_form(&TEMPLATE, &data)
}
