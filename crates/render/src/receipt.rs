//! Form 01 of Circular 01/2018/TT-VPCP: the receipt and appointment slip
//! (Giấy tiếp nhận hồ sơ và hẹn trả kết quả), A5 portrait.
//!
//! The values are printed as given; this module only formats numbers and
//! moments the Vietnamese administrative way and draws the QR code. The
//! template (`templates/form01-receipt.typ`) reads them from `/data.json` as
//! strings, so markup characters in a name are text, never typst code.

use jiff::civil::DateTime;
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Serialize;

use crate::RenderError;
use crate::pdf::{Template, compile_pdf};
use crate::vietnamese::{date_line, fee_text, heading_break, moment_long, moment_short};

const TEMPLATE: Template = Template {
    path: "/templates/form01-receipt.typ",
    text: include_str!("../templates/form01-receipt.typ"),
};

/// Everything printed on a receipt and appointment slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptSlip {
    /// The form's number under the regime in force on the dossier's date
    /// (`Regime::form_number`), e.g. "02"; empty leaves "Mẫu số" out.
    pub form_number: String,
    /// The governing body, first heading line, e.g. "UBND TỈNH BẮC NINH".
    pub parent_unit_name: String,
    /// The receiving unit, e.g. "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG".
    pub unit_name: String,
    /// Where the slip is issued, for the date line, e.g. "Bắc Ninh".
    pub place: String,
    /// The dossier code, e.g. "000.21.30.H99-250415-0007".
    pub dossier_code: String,
    pub applicant_name: String,
    /// Citizen identity or passport number.
    pub applicant_identity: String,
    pub applicant_address: String,
    pub applicant_phone: String,
    pub applicant_email: String,
    /// The procedure's name (the request to be settled).
    pub procedure_name: String,
    /// The documents received, in order.
    pub components: Vec<ReceivedComponent>,
    /// Number of dossier sets received ("Số lượng hồ sơ: … bộ").
    pub sets: u32,
    /// The legal time limit as it should read, e.g. "15 ngày làm việc".
    pub time_limit: String,
    /// Fees and charges in đồng; 0 prints "Không thu phí, lệ phí".
    pub fee_dong: u64,
    /// Why the fee is below the catalog's, as it should read after the
    /// amount (e.g. "miễn theo …; mức quy định 50.000 đồng"); empty when the
    /// full fee is charged.
    pub fee_note: String,
    /// Who handed the dossier in for the applicant, as it should read
    /// (name, identity, grounds); empty when the applicant came. They sign
    /// as the person who submitted.
    pub representative: String,
    /// The representative's name alone, for the signature.
    pub representative_name: String,
    /// Moment of receipt, local civil time.
    pub received_at: DateTime,
    /// Appointment to return the result, local civil time.
    pub appointment_at: DateTime,
    /// How the result is returned, as it should read, e.g. "Trực tiếp tại
    /// Bộ phận Một cửa".
    pub return_method: String,
    /// The receiving officer's full name.
    pub officer_name: String,
    /// The dossier's public status page; printed as a QR code and as text.
    pub status_url: Option<String>,
}

/// One document received with the dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedComponent {
    pub name: String,
    /// As it should read, e.g. "Bản chính", "Bản sao", "Bản sao chứng thực".
    pub form: String,
    pub copies: u32,
}

/// The values as the template reads them: strings only.
#[derive(Serialize)]
struct SlipData<'a> {
    parent_unit_name: String,
    unit_name: String,
    form_number: &'a str,
    date_line: String,
    dossier_code: &'a str,
    applicant_name: &'a str,
    applicant_identity: &'a str,
    applicant_address: &'a str,
    applicant_phone: &'a str,
    applicant_email: &'a str,
    procedure_name: &'a str,
    components: Vec<ComponentData<'a>>,
    sets: String,
    time_limit: &'a str,
    fee: String,
    representative: &'a str,
    submitter_name: &'a str,
    received_at: String,
    appointment_at: String,
    received_short: String,
    appointment_short: String,
    return_method: &'a str,
    officer_name: &'a str,
    status_url: &'a str,
    has_qr: bool,
}

#[derive(Serialize)]
struct ComponentData<'a> {
    number: String,
    name: &'a str,
    form: &'a str,
    copies: String,
}

/// Renders form 01 as a one-page (more if many components) A5 PDF.
pub fn receipt_slip_pdf(slip: &ReceiptSlip) -> Result<Vec<u8>, RenderError> {
    let status_url = slip.status_url.as_deref().unwrap_or("");
    let data = SlipData {
        parent_unit_name: heading_break(&slip.parent_unit_name),
        unit_name: heading_break(&slip.unit_name),
        form_number: &slip.form_number,
        date_line: date_line(&slip.place, slip.received_at),
        dossier_code: &slip.dossier_code,
        applicant_name: &slip.applicant_name,
        applicant_identity: &slip.applicant_identity,
        applicant_address: &slip.applicant_address,
        applicant_phone: &slip.applicant_phone,
        applicant_email: &slip.applicant_email,
        procedure_name: &slip.procedure_name,
        components: slip
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| ComponentData {
                number: (i + 1).to_string(),
                name: &c.name,
                form: &c.form,
                copies: c.copies.to_string(),
            })
            .collect(),
        sets: slip.sets.to_string(),
        time_limit: &slip.time_limit,
        fee: if slip.fee_note.is_empty() {
            fee_text(slip.fee_dong)
        } else {
            format!("{} ({})", fee_text(slip.fee_dong), slip.fee_note)
        },
        representative: &slip.representative,
        submitter_name: if slip.representative_name.is_empty() {
            &slip.applicant_name
        } else {
            &slip.representative_name
        },
        received_at: moment_long(slip.received_at),
        appointment_at: moment_long(slip.appointment_at),
        received_short: moment_short(slip.received_at),
        appointment_short: moment_short(slip.appointment_at),
        return_method: &slip.return_method,
        officer_name: &slip.officer_name,
        status_url,
        has_qr: !status_url.is_empty(),
    };
    let json = serde_json::to_vec(&data).map_err(|e| RenderError::Pdf(e.to_string()))?;
    let mut files = vec![
        ("/data.json", json),
        (
            "/templates/common.typ",
            crate::pdf::COMMON.as_bytes().to_vec(),
        ),
    ];
    if !status_url.is_empty() {
        files.push(("/qr.svg", qr_svg(status_url)?.into_bytes()));
    }
    compile_pdf(&TEMPLATE, files)
}

/// A QR code of `text` as SVG, black on white with its quiet zone.
pub(crate) fn qr_svg(text: &str) -> Result<String, RenderError> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| RenderError::Qr(e.to_string()))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}
