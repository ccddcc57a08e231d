//! Form 05 of Circular 03/2025: the stop-processing notice (Thông báo dừng
//! giải quyết hồ sơ), A5 portrait. A stop ends processing before a result
//! (domain.md §5, "Ends"), so the applicant is told why, how far the dossier
//! got, and what happens to the fees already paid.
//!
//! The 2025 layout is not confirmed: the template
//! (`templates/form05-stop.typ`) is replaceable. It reads the values from
//! `/data.json` as strings, so they print literally.

use jiff::civil::DateTime;
use serde::Serialize;

use crate::RenderError;
use crate::pdf::{Template, compile_form};
use crate::vietnamese::{date_line, heading_break, moment_long};

const TEMPLATE: Template = Template {
    path: "/templates/form05-stop.typ",
    text: include_str!("../templates/form05-stop.typ"),
};

/// Everything printed on a stop-processing notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopNotice {
    /// The form's number under the regime in force on the dossier's date
    /// (`Regime::form_number`), e.g. "02"; empty leaves "Mẫu số" out.
    pub form_number: String,
    /// The governing body, first heading line, e.g. "UBND TỈNH BẮC NINH".
    pub parent_unit_name: String,
    /// The unit that stops processing, e.g. "SỞ XÂY DỰNG".
    pub unit_name: String,
    /// Where the notice is issued, for the date line.
    pub place: String,
    /// When the notice is issued; prints the date line.
    pub issued_at: DateTime,
    pub applicant_name: String,
    pub dossier_code: String,
    pub procedure_name: String,
    /// Moment of receipt, local civil time.
    pub received_at: DateTime,
    /// Why processing stops.
    pub reason: String,
    /// How far processing got, as it should read, e.g. "Đang thẩm định tại
    /// Phòng Quản lý xây dựng".
    pub stage_reached: String,
    /// What happens to fees and charges already paid, as it should read,
    /// e.g. "Hoàn trả 50.000 đồng lệ phí chưa sử dụng".
    pub fee_settlement: String,
    /// The signer's title as it should read, e.g. "GIÁM ĐỐC".
    pub signer_title: String,
    pub signer_name: String,
}

#[derive(Serialize)]
struct StopData<'a> {
    parent_unit_name: String,
    unit_name: String,
    form_number: &'a str,
    date_line: String,
    applicant_name: &'a str,
    dossier_code: &'a str,
    procedure_name: &'a str,
    received_at: String,
    reason: &'a str,
    stage_reached: &'a str,
    fee_settlement: &'a str,
    signer_title: &'a str,
    signer_name: &'a str,
}

/// Renders form 05 (Circular 03/2025) as an A5 PDF.
pub fn stop_notice_pdf(notice: &StopNotice) -> Result<Vec<u8>, RenderError> {
    let data = StopData {
        parent_unit_name: heading_break(&notice.parent_unit_name),
        unit_name: heading_break(&notice.unit_name),
        form_number: &notice.form_number,
        date_line: date_line(&notice.place, notice.issued_at),
        applicant_name: &notice.applicant_name,
        dossier_code: &notice.dossier_code,
        procedure_name: &notice.procedure_name,
        received_at: moment_long(notice.received_at),
        reason: &notice.reason,
        stage_reached: &notice.stage_reached,
        fee_settlement: &notice.fee_settlement,
        signer_title: &notice.signer_title,
        signer_name: &notice.signer_name,
    };
    compile_form(&TEMPLATE, &data)
}
