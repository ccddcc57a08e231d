//! The dossier register (Sổ theo dõi hồ sơ): form 06 of Circular
//! 01/2018/TT-VPCP, form 07 of Circular 03/2025. One row per dossier received
//! in a period, from receipt to return, so an inspector can follow every
//! dossier on paper.
//!
//! A4 landscape. A period can hold thousands of dossiers: the table runs over
//! as many pages as needed with its header repeated. The template
//! (`templates/form07-register.typ`) reads the values from `/data.json` as
//! strings, so they print literally.

use jiff::civil::{Date, DateTime};
use serde::Serialize;

use crate::RenderError;
use crate::pdf::{Template, compile_form};
use crate::vietnamese::{date_short, heading_break, moment_short};

const TEMPLATE: Template = Template {
    path: "/templates/form07-register.typ",
    text: include_str!("../templates/form07-register.typ"),
};

/// Everything printed in a dossier register for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierRegister {
    /// The governing body, first heading line, e.g. "UBND TỈNH BẮC NINH".
    pub parent_unit_name: String,
    /// The unit whose register it is.
    pub unit_name: String,
    /// The form's number under the regime in force: "06" (Circular 01/2018)
    /// or "07" (Circular 03/2025); empty leaves "Mẫu số" out.
    pub form_number: String,
    /// First day of the period, inclusive.
    pub from: Date,
    /// Last day of the period, inclusive.
    pub to: Date,
    /// The dossiers, in the order to print; numbered from 1.
    pub rows: Vec<RegisterRow>,
}

/// One dossier in the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRow {
    pub dossier_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    /// Address and phone as they should read, e.g. "Số 12 Lý Thái Tổ;
    /// 0912 345 678".
    pub applicant_contact: String,
    pub received_at: DateTime,
    pub appointment_at: DateTime,
    /// The unit or person the dossier was handed to; may be empty.
    pub handed_to: String,
    /// When processing ended; `None` while it runs.
    pub finished_at: Option<DateTime>,
    /// When the result was returned; `None` before that.
    pub returned_at: Option<DateTime>,
    /// Who collected the result; may be empty.
    pub collector: String,
    /// Status and classification as they should read, e.g. "Đã trả kết quả
    /// – Đúng hạn".
    pub status: String,
}

#[derive(Serialize)]
struct RegisterData<'a> {
    parent_unit_name: String,
    unit_name: String,
    form_number: &'a str,
    from: String,
    to: String,
    rows: Vec<RowData<'a>>,
}

#[derive(Serialize)]
struct RowData<'a> {
    number: String,
    dossier_code: &'a str,
    procedure_name: &'a str,
    applicant_name: &'a str,
    applicant_contact: &'a str,
    received_at: String,
    appointment_at: String,
    handed_to: &'a str,
    finished_at: String,
    returned_at: String,
    collector: &'a str,
    status: &'a str,
}

/// Renders the register as an A4 landscape PDF of as many pages as needed.
pub fn dossier_register_pdf(register: &DossierRegister) -> Result<Vec<u8>, RenderError> {
    let data = RegisterData {
        parent_unit_name: heading_break(&register.parent_unit_name),
        unit_name: heading_break(&register.unit_name),
        form_number: &register.form_number,
        from: date_short(register.from),
        to: date_short(register.to),
        rows: register
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| RowData {
                number: (i + 1).to_string(),
                dossier_code: &r.dossier_code,
                procedure_name: &r.procedure_name,
                applicant_name: &r.applicant_name,
                applicant_contact: &r.applicant_contact,
                received_at: moment_short(r.received_at),
                appointment_at: moment_short(r.appointment_at),
                handed_to: &r.handed_to,
                finished_at: r.finished_at.map(moment_short).unwrap_or_default(),
                returned_at: r.returned_at.map(moment_short).unwrap_or_default(),
                collector: &r.collector,
                status: &r.status,
            })
            .collect(),
    };
    compile_form(&TEMPLATE, &data)
}
