//! `/api/forms/…`: what the desk decides at the counter without receiving
//! (the service's `dossiers::outcomes`), answered as the form to print:
//! guidance to complete the dossier (form 02) and a refusal to receive
//! (form 03). No dossier is created; the service records each outcome in
//! the audit log. The desk page prints the same forms through
//! [`guidance_pdf`] and [`refusal_pdf`].

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use motcua_domain::dossier::{OfficialForm, Regime};
use motcua_domain::time::to_local;
use motcua_render as render;
use motcua_service::dossiers::outcomes::{
    CounterSheet, GuidanceSheet, Guide, RefusalSheet, RefuseAtDesk,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dossiers::{ApplicantDoc, MissingItemDoc};
use super::forms::{pdf, place_of, upper};
use crate::api::ApiState;
use crate::auth::Authed;
use crate::error::WebError;
use crate::json::{parse_json, require_json};

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/forms/guidance", post(guidance))
        .route("/api/forms/refusal", post(refusal))
}

/// Guidance to complete a dossier at the counter (form 02), for an
/// applicant and a procedure the desk receives.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct GuidanceDoc {
    /// The desk's unit code.
    #[schema(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")]
    pub unit: String,
    /// The procedure's code.
    #[schema(pattern = r"^[12]\.[0-9]{6}(\.[0-9A-Z]{1,8})*$", max_length = 40)]
    pub procedure: String,
    /// Who asks.
    pub applicant: ApplicantDoc,
    /// Everything missing or to complete, each with a note.
    #[schema(min_items = 1, max_items = 200)]
    pub items: Vec<MissingItemDoc>,
    /// Why the dossier cannot be received as it is.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// How and where to complete it.
    #[schema(max_length = 2000)]
    pub guidance: Option<String>,
}

/// A refusal to receive at the counter (form 03).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RefusalDoc {
    /// The desk's unit code.
    #[schema(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")]
    pub unit: String,
    /// The procedure's code.
    #[schema(pattern = r"^[12]\.[0-9]{6}(\.[0-9A-Z]{1,8})*$", max_length = 40)]
    pub procedure: String,
    /// Who asks.
    pub applicant: ApplicantDoc,
    /// Why, one reason per entry.
    #[schema(min_items = 1, max_items = 200)]
    pub reasons: Vec<String>,
}

/// The file name of a counter form: the form's name, the procedure and the
/// moment, e.g. `phieu-tu-choi-tiep-nhan-1.000003-20251124-0900.pdf`.
pub(crate) fn download_name(form: &str, sheet: &CounterSheet) -> String {
    let at = to_local(sheet.at);
    let procedure: String = sheet
        .procedure_code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    format!(
        "{form}-{procedure}-{:04}{:02}{:02}-{:02}{:02}.pdf",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// The name form 02 is downloaded under.
pub(crate) const GUIDANCE_NAME: &str = "phieu-yeu-cau-bo-sung-ho-so";
/// The name form 03 is downloaded under.
pub(crate) const REFUSAL_NAME: &str = "phieu-tu-choi-tiep-nhan";

/// The heading lines both counter forms print: the governing body, the
/// issuing unit (upper case) and the place of the date line.
fn heading(sheet: &CounterSheet) -> (String, String, String) {
    let parent = sheet.parent_unit_name.as_deref();
    (
        upper(parent.unwrap_or("")),
        upper(&sheet.unit.name),
        place_of(parent.unwrap_or(&sheet.unit.name)),
    )
}

/// A counter form's number: the regime in force on the day it is printed
/// (there is no dossier date).
fn counter_number(sheet: &CounterSheet, f: OfficialForm) -> String {
    Regime::in_force_on(to_local(sheet.at).date())
        .form_number(f)
        .unwrap_or("")
        .to_owned()
}

/// Form 02 of guidance given at the counter.
pub(crate) async fn guidance_pdf(
    renders: &crate::renders::Renders,
    g: GuidanceSheet,
) -> Result<Vec<u8>, WebError> {
    let sheet = g.sheet;
    let (parent_unit_name, unit_name, place) = heading(&sheet);
    let form_number = counter_number(&sheet, OfficialForm::Supplement);
    let a = sheet.applicant;
    let doc = render::SupplementRequest {
        form_number,
        parent_unit_name,
        unit_name,
        place,
        issued_at: to_local(sheet.at),
        dossier_code: None,
        applicant_name: a.name,
        applicant_address: a.address,
        applicant_phone: a.phone,
        applicant_email: a.email,
        procedure_name: sheet.procedure_name,
        items: g
            .items
            .into_iter()
            .map(|i| render::SupplementItem {
                name: i.name,
                note: i.note,
            })
            .collect(),
        reason: g.reason,
        guidance: g.guidance,
        supply_by: None,
        officer_name: sheet.officer_name,
    };
    renders
        .run(move || render::supplement_request_pdf(&doc))
        .await
}

/// Form 03 of a refusal at the counter.
pub(crate) async fn refusal_pdf(
    renders: &crate::renders::Renders,
    r: RefusalSheet,
) -> Result<Vec<u8>, WebError> {
    let sheet = r.sheet;
    let (parent_unit_name, unit_name, place) = heading(&sheet);
    let form_number = counter_number(&sheet, OfficialForm::Refusal);
    let a = sheet.applicant;
    let doc = render::Refusal {
        form_number,
        signer_title: String::new(),
        parent_unit_name,
        unit_name,
        place,
        issued_at: to_local(sheet.at),
        dossier_code: None,
        applicant_name: a.name,
        applicant_address: a.address,
        applicant_phone: a.phone,
        applicant_email: a.email,
        procedure_name: sheet.procedure_name,
        reasons: r.reasons,
        officer_name: sheet.officer_name,
    };
    renders.run(move || render::refusal_pdf(&doc)).await
}

/// Records guidance to complete a dossier at the counter, for a procedure
/// and an applicant, without receiving it (no dossier, no code, no
/// counter), and answers form 02 to print. Only desk officers of the unit;
/// recorded in the audit log.
#[utoipa::path(post, path = "/api/forms/guidance", tag = "dossiers", request_body = GuidanceDoc,
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 422, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 503, body = crate::error::Problem)))]
pub async fn guidance(
    State(s): State<ApiState>,
    auth: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    require_json(&headers)?;
    let cmd: Guide = parse_json(&body)?;
    let g = s.services.dossiers().guide(&auth.actor, cmd).await?;
    let name = download_name(GUIDANCE_NAME, &g.sheet);
    Ok(pdf(guidance_pdf(&s.renders, g).await?, &name))
}

/// Records a refusal to receive a dossier at the counter, for a procedure
/// and an applicant (no dossier, no code, no counter), and answers form 03
/// to print. Only desk officers of the unit; recorded in the audit log.
#[utoipa::path(post, path = "/api/forms/refusal", tag = "dossiers", request_body = RefusalDoc,
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 422, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 503, body = crate::error::Problem)))]
pub async fn refusal(
    State(s): State<ApiState>,
    auth: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    require_json(&headers)?;
    let cmd: RefuseAtDesk = parse_json(&body)?;
    let r = s
        .services
        .dossiers()
        .refuse_at_desk(&auth.actor, cmd)
        .await?;
    let name = download_name(REFUSAL_NAME, &r.sheet);
    Ok(pdf(refusal_pdf(&s.renders, r).await?, &name))
}
