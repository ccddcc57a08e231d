//! The process-control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ):
//! form 05 of Circular 01/2018/TT-VPCP, form 06 of Circular 03/2025. It
//! travels with the dossier and records every hand-over to the minute with
//! its outcome (early, on time, late), which is what makes a step's lateness
//! visible to the next holder.
//!
//! A5 landscape: seven columns do not fit the portrait width at a readable
//! size. The template (`templates/form06-control.typ`) reads the values from
//! `/data.json` as strings, so they print literally; the table header repeats
//! on every page.

use jiff::civil::DateTime;
use serde::Serialize;

use crate::RenderError;
use crate::pdf::{Template, compile_form};
use crate::vietnamese::{heading_break, moment_long, moment_short, procedure_title};

const TEMPLATE: Template = Template {
    path: "/templates/form06-control.typ",
    text: include_str!("../templates/form06-control.typ"),
};

/// Everything printed on a process-control slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlSlip {
    /// The governing body, first heading line, e.g. "UBND TỈNH BẮC NINH".
    pub parent_unit_name: String,
    /// The receiving unit, e.g. "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG".
    pub unit_name: String,
    /// The form's number under the regime in force: "05" (Circular 01/2018)
    /// or "06" (Circular 03/2025); empty leaves "Mẫu số" out.
    pub form_number: String,
    pub dossier_code: String,
    pub applicant_name: String,
    pub procedure_name: String,
    /// Moment of receipt, local civil time.
    pub received_at: DateTime,
    /// Appointment to return the result, local civil time.
    pub appointment_at: DateTime,
    /// The hand-overs in the order they happened.
    pub hand_overs: Vec<HandOver>,
}

/// One hand-over of the dossier, one row of the slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandOver {
    /// Who handed over, as it should read: unit and person.
    pub from: String,
    /// Who received it, as it should read: unit and person.
    pub to: String,
    /// When, to the minute.
    pub handed_at: DateTime,
    /// When the step that ends with this hand-over was due; `None` prints
    /// nothing (a step without a due moment).
    pub due_at: Option<DateTime>,
    /// The classification as it should read: "Trước hạn", "Đúng hạn",
    /// "Quá hạn"; may be empty while the step runs.
    pub result: String,
    pub note: String,
}

#[derive(Serialize)]
struct SlipData<'a> {
    parent_unit_name: String,
    unit_name: String,
    form_number: &'a str,
    dossier_code: &'a str,
    applicant_name: &'a str,
    procedure_name: String,
    received_at: String,
    appointment_at: String,
    rows: Vec<RowData<'a>>,
}

#[derive(Serialize)]
struct RowData<'a> {
    number: String,
    from: &'a str,
    to: &'a str,
    handed_at: String,
    due_at: String,
    result: &'a str,
    note: &'a str,
}

/// Renders the process-control slip as an A5 landscape PDF; long histories
/// run over several pages.
pub fn control_slip_pdf(slip: &ControlSlip) -> Result<Vec<u8>, RenderError> {
    let data = SlipData {
        parent_unit_name: heading_break(&slip.parent_unit_name),
        unit_name: heading_break(&slip.unit_name),
        form_number: &slip.form_number,
        dossier_code: &slip.dossier_code,
        applicant_name: &slip.applicant_name,
        procedure_name: procedure_title(&slip.procedure_name),
        received_at: moment_long(slip.received_at),
        appointment_at: moment_long(slip.appointment_at),
        rows: slip
            .hand_overs
            .iter()
            .enumerate()
            .map(|(i, h)| RowData {
                number: (i + 1).to_string(),
                from: &h.from,
                to: &h.to,
                handed_at: moment_short(h.handed_at),
                due_at: h.due_at.map(moment_short).unwrap_or_default(),
                result: &h.result,
                note: &h.note,
            })
            .collect(),
    };
    compile_form(&TEMPLATE, &data)
}
