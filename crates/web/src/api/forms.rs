//! The official forms of a dossier as PDF (domain.md §5 "Forms"): the values
//! come from the dossier the caller may see (its events hold what each form
//! prints) and `motcua-render` lays them out.

use crate::query::ApiQuery;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use axum::{Router, body::Body};
use jiff::Timestamp;
use jiff::civil::DateTime;
use motcua_domain::dossier::{OfficialForm, Regime, Status};
use motcua_domain::time::to_local;
use motcua_render as render;
use motcua_service::ServiceError;
use motcua_service::Services;
use motcua_service::dossiers::{DossierView, ListQuery};
use motcua_service::store::{DossierEvent, DossierSort};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::params::date;
use crate::api::ApiState;
use crate::auth::Authed;
use crate::error::WebError;

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/dossiers/{code}/forms/{form}", get(form))
        .route("/api/registers/dossiers", get(register))
}

/// The forms a dossier has, by the name in the path.
pub const FORMS: &[&str] = &[
    "receipt.pdf",
    "supplement-request.pdf",
    "refusal.pdf",
    "apology.pdf",
    "stop-notice.pdf",
    "control-slip.pdf",
];

pub(super) fn pdf(bytes: Vec<u8>, name: &str) -> Response {
    let mut r = Response::new(Body::from(bytes));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

fn local(t: Timestamp) -> DateTime {
    to_local(t)
}

/// The place in a form's date line: the name of the administrative area
/// the unit (or its parent) is named after ("UBND huyện Đô Lương" → "Đô
/// Lương"), or the unit's name.
fn place(v: &DossierView) -> String {
    place_of(v.parent_unit_name.as_deref().unwrap_or(&v.unit_name))
}

/// [`place`] of a unit named `name` (or of the unit above it).
pub(super) fn place_of(name: &str) -> String {
    for key in [
        "thành phố ",
        "thị xã ",
        "huyện ",
        "quận ",
        "tỉnh ",
        "phường ",
        "xã ",
        "thị trấn ",
    ] {
        if let Some(i) = name.to_lowercase().find(key) {
            let tail: String = name
                .chars()
                .skip(name[..i].chars().count() + key.chars().count())
                .collect();
            if !tail.trim().is_empty() {
                return tail.trim().to_owned();
            }
        }
    }
    name.to_owned()
}

pub(super) fn upper(s: &str) -> String {
    s.to_uppercase()
}

fn last<'a>(v: &'a DossierView, actions: &[&str]) -> Result<&'a DossierEvent, WebError> {
    v.events
        .iter()
        .rev()
        .find(|e| actions.contains(&e.event.action.as_str()))
        .ok_or_else(|| {
            WebError::from(ServiceError::not_found(
                "form",
                format!("{}: no {} recorded", v.dossier.code, actions.join(" or ")),
            ))
        })
}

fn text(detail: &Value, key: &str) -> String {
    detail[key].as_str().unwrap_or("").to_owned()
}

fn moment(detail: &Value, key: &str) -> Option<DateTime> {
    let s = detail[key].as_str()?;
    s.parse::<Timestamp>()
        .map(local)
        .ok()
        .or_else(|| s.parse::<DateTime>().ok())
}

async fn full_name(services: &Services, username: &str) -> String {
    match services.full_name(username).await {
        Ok(Some(name)) => name,
        _ => username.to_owned(),
    }
}

/// One form of a dossier as PDF: `receipt.pdf`, `supplement-request.pdf`,
/// `refusal.pdf`, `apology.pdf`, `stop-notice.pdf`, `control-slip.pdf`.
#[utoipa::path(get, path = "/api/dossiers/{code}/forms/{form}", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code"), ("form" = String, Path, description = "receipt.pdf, supplement-request.pdf, refusal.pdf, apology.pdf, stop-notice.pdf, control-slip.pdf")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = crate::error::Problem), (status = 503, body = crate::error::Problem)))]
pub async fn form(
    State(s): State<ApiState>,
    auth: Authed,
    Path((code, form)): Path<(String, String)>,
) -> Result<Response, WebError> {
    if !FORMS.contains(&form.as_str()) {
        return Err(WebError::from(ServiceError::not_found("form", form)));
    }
    let v = s.services.dossiers().view(&auth.actor, &code).await?;
    let services = &s.services;
    let d = &v.dossier;
    let a = &d.applicant;
    let parent = upper(v.parent_unit_name.as_deref().unwrap_or(""));
    let unit = upper(&v.unit_name);
    let received = d.state.received_at.map(local);
    // Every form of a dossier follows the regime of its receipt date.
    let regime = Regime::in_force_on(d.code.receipt_date());
    let number = |f: OfficialForm| regime.form_number(f).unwrap_or("").to_owned();
    let bytes = match form.as_str() {
        "receipt.pdf" => {
            let (Some(received), Some(first)) = (received, v.events.first()) else {
                return Err(WebError::from(ServiceError::not_found(
                    "form",
                    format!("{}: not received yet", d.code),
                )));
            };
            let appointment = moment(&first.event.detail, "due")
                .or(d.state.original_due.map(local))
                .unwrap_or(received);
            let doc = render::ReceiptSlip {
                form_number: number(OfficialForm::Receipt),
                parent_unit_name: parent,
                unit_name: unit,
                place: place(&v),
                dossier_code: d.code.to_string(),
                applicant_name: a.name.clone(),
                applicant_identity: a.identity.clone(),
                applicant_address: a.address.clone(),
                applicant_phone: a.phone.clone(),
                applicant_email: a.email.clone(),
                procedure_name: v.procedure_name.clone(),
                components: v
                    .components
                    .iter()
                    .map(|c| render::ReceivedComponent {
                        name: c.name.clone(),
                        form: c.form.label_vi().to_owned(),
                        copies: c.copies,
                    })
                    .collect(),
                sets: d.sets,
                time_limit: v.time_limit.clone().unwrap_or_default(),
                fee_dong: u64::try_from(d.fee_dong).unwrap_or(0),
                fee_note: v
                    .particulars
                    .fee_reduction
                    .as_ref()
                    .map(|f| {
                        format!(
                            "miễn, giảm: {}; mức quy định {}",
                            f.reason,
                            crate::ui::format::money(crate::i18n::Lang::Vi, f.catalog)
                        )
                    })
                    .unwrap_or_default(),
                representative: v
                    .particulars
                    .representative
                    .as_ref()
                    .map(|r| r.line_vi())
                    .unwrap_or_default(),
                representative_name: v
                    .particulars
                    .representative
                    .as_ref()
                    .map(|r| r.name.clone())
                    .unwrap_or_default(),
                received_at: received,
                appointment_at: appointment,
                return_method: return_method_vi(d.state.return_method).to_owned(),
                officer_name: full_name(services, &d.received_by).await,
                status_url: Some(v.status_url.clone()),
            };
            s.renders
                .run(move || render::receipt_slip_pdf(&doc))
                .await?
        }
        "supplement-request.pdf" => {
            let e = last(&v, &["request_supplement", "return_for_correction"])?;
            let det = &e.event.detail;
            let list = det
                .get("items")
                .or_else(|| det.get("missing"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let doc = render::SupplementRequest {
                form_number: number(OfficialForm::Supplement),
                parent_unit_name: parent,
                unit_name: unit,
                place: place(&v),
                issued_at: local(e.event.at),
                dossier_code: Some(d.code.to_string()),
                applicant_name: a.name.clone(),
                applicant_address: a.address.clone(),
                applicant_phone: a.phone.clone(),
                applicant_email: a.email.clone(),
                procedure_name: v.procedure_name.clone(),
                items: list
                    .iter()
                    .map(|i| render::SupplementItem {
                        name: text(i, "name"),
                        note: text(i, "note"),
                    })
                    .collect(),
                reason: text(det, "reason"),
                guidance: text(det, "guidance"),
                supply_by: det["deadline"]
                    .as_str()
                    .and_then(|s| s.parse::<jiff::civil::Date>().ok()),
                officer_name: full_name(services, &e.event.actor).await,
            };
            s.renders
                .run(move || render::supplement_request_pdf(&doc))
                .await?
        }
        "refusal.pdf" => {
            let e = last(&v, &["refuse", "refuse_online"])?;
            // Refused at reception, the desk officer signs; refused after
            // consideration, the deciding leader signs for the unit.
            let signer_title = if e.event.action == "refuse" {
                motcua_service::dossiers::DEFAULT_SIGNER_TITLE.to_owned()
            } else {
                String::new()
            };
            let doc = render::Refusal {
                form_number: number(OfficialForm::Refusal),
                signer_title,
                parent_unit_name: parent,
                unit_name: unit,
                place: place(&v),
                issued_at: local(e.event.at),
                dossier_code: Some(d.code.to_string()),
                applicant_name: a.name.clone(),
                applicant_address: a.address.clone(),
                applicant_phone: a.phone.clone(),
                applicant_email: a.email.clone(),
                procedure_name: v.procedure_name.clone(),
                reasons: text(&e.event.detail, "reason")
                    .lines()
                    .map(str::to_owned)
                    .filter(|l| !l.trim().is_empty())
                    .collect(),
                officer_name: full_name(services, &e.event.actor).await,
            };
            s.renders.run(move || render::refusal_pdf(&doc)).await?
        }
        "apology.pdf" => {
            let e = last(&v, &["extend"])?;
            let det = &e.event.detail;
            let signer = text(det, "signer_name");
            // Issued in the name of the unit that caused the delay.
            let (parent, unit) = match det["unit_at_fault"]
                .as_str()
                .and_then(|c| motcua_domain::unit::UnitCode::parse(c).ok())
            {
                Some(code) => match services.unit_by_code(&code).await {
                    Ok(u) => {
                        let above = match u.parent_id {
                            Some(p) => upper(&services.unit(p).await?.name),
                            None => String::new(),
                        };
                        (above, upper(&u.name))
                    }
                    Err(_) => (parent, unit),
                },
                None => (parent, unit),
            };
            let doc = render::ApologyLetter {
                form_number: number(OfficialForm::Apology),
                parent_unit_name: parent,
                unit_name: unit,
                place: place(&v),
                issued_at: local(e.event.at),
                applicant_name: a.name.clone(),
                dossier_code: d.code.to_string(),
                procedure_name: v.procedure_name.clone(),
                received_at: received.unwrap_or(local(e.event.at)),
                original_appointment_at: moment(det, "previous_due")
                    .or(moment(det, "original_due"))
                    .unwrap_or(local(e.event.at)),
                reason: text(det, "reason"),
                new_appointment_at: moment(det, "new_due").unwrap_or(local(e.event.at)),
                signer_title: text(det, "signer_title"),
                signer_name: if signer.is_empty() {
                    full_name(services, &e.event.actor).await
                } else {
                    signer
                },
            };
            s.renders
                .run(move || render::apology_letter_pdf(&doc))
                .await?
        }
        "stop-notice.pdf" => {
            let e = last(&v, &["stop"])?;
            let det = &e.event.detail;
            let doc = render::StopNotice {
                form_number: number(OfficialForm::StopNotice),
                parent_unit_name: parent,
                unit_name: unit,
                place: place(&v),
                issued_at: local(e.event.at),
                applicant_name: a.name.clone(),
                dossier_code: d.code.to_string(),
                procedure_name: v.procedure_name.clone(),
                received_at: received.unwrap_or(local(e.event.at)),
                reason: text(det, "reason"),
                stage_reached: text(det, "stage"),
                fee_settlement: text(det, "fee_settlement"),
                signer_title: motcua_service::dossiers::DEFAULT_SIGNER_TITLE.to_owned(),
                signer_name: full_name(services, &e.event.actor).await,
            };
            s.renders.run(move || render::stop_notice_pdf(&doc)).await?
        }
        _ => {
            let Some(received) = received else {
                return Err(WebError::from(ServiceError::not_found(
                    "form",
                    format!("{}: not received yet", d.code),
                )));
            };
            let mut hand_overs = Vec::new();
            for st in &v.steps {
                let to = match &st.holder {
                    Some(h) => format!("{} ({})", st.unit_name, full_name(services, h).await),
                    None => st.unit_name.clone(),
                };
                hand_overs.push(render::HandOver {
                    from: format!(
                        "{} ({})",
                        st.sender_unit_name,
                        full_name(services, &st.step.step.sender).await
                    ),
                    to,
                    handed_at: local(st.step.step.started_at),
                    due_at: st.step.step.due.map(local),
                    result: st
                        .step
                        .step
                        .classification
                        .map(|c| c.label_vi().to_owned())
                        .unwrap_or_default(),
                    note: st.step.step.name.clone(),
                });
            }
            let doc = render::ControlSlip {
                parent_unit_name: parent,
                unit_name: unit,
                form_number: number(OfficialForm::ControlSlip),
                dossier_code: d.code.to_string(),
                applicant_name: a.name.clone(),
                procedure_name: v.procedure_name.clone(),
                received_at: received,
                appointment_at: d.state.current_due.map(local).unwrap_or(received),
                hand_overs,
            };
            s.renders
                .run(move || render::control_slip_pdf(&doc))
                .await?
        }
    };
    Ok(pdf(bytes, &download_name(&form, d.code.as_str())))
}

/// A form's file name as a person keeps it: the form's name in Vietnamese
/// (without diacritics, as file names travel badly with them) and the
/// dossier's code, e.g. `giay-tiep-nhan-000.01.21.H40-251124-0001.pdf`.
fn download_name(form: &str, code: &str) -> String {
    let name = match form {
        "receipt.pdf" => "giay-tiep-nhan-va-hen-tra-ket-qua",
        "supplement-request.pdf" => "phieu-yeu-cau-bo-sung-ho-so",
        "refusal.pdf" => "phieu-tu-choi-tiep-nhan",
        "apology.pdf" => "phieu-xin-loi-va-hen-lai",
        "stop-notice.pdf" => "thong-bao-dung-giai-quyet",
        "control-slip.pdf" => "phieu-kiem-soat-qua-trinh",
        other => other.trim_end_matches(".pdf"),
    };
    format!("{name}-{code}.pdf")
}

fn return_method_vi(m: motcua_domain::dossier::ReturnMethod) -> &'static str {
    use motcua_domain::dossier::ReturnMethod as R;
    match m {
        R::InPerson => "Trực tiếp tại Bộ phận Một cửa",
        R::Postal => "Qua dịch vụ bưu chính công ích",
        R::Online => "Trực tuyến",
    }
}

/// The period of a register.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterParams {
    /// The unit (its subtree).
    pub unit: String,
    /// First receipt date.
    pub from: String,
    /// Last receipt date.
    pub to: String,
}

/// The most dossiers a register prints; a longer period is split.
const MAX_REGISTER_ROWS: usize = 20_000;

/// The dossier register (form 06/07) of a unit for a period, as PDF.
#[utoipa::path(get, path = "/api/registers/dossiers", tag = "dossiers", params(RegisterParams),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 503, body = crate::error::Problem)))]
pub async fn register(
    State(s): State<ApiState>,
    auth: Authed,
    ApiQuery(p): ApiQuery<RegisterParams>,
) -> Result<Response, WebError> {
    let from = date("from", &p.from)?;
    let to = date("to", &p.to)?;
    if to < from {
        return Err(WebError::invalid("to", "before from"));
    }
    let mut q = ListQuery {
        unit: Some(p.unit.clone()),
        received_from: Some(from),
        received_to: Some(to),
        sort: DossierSort::Newest,
        limit: Some(200),
        ..ListQuery::default()
    };
    let mut rows = Vec::new();
    loop {
        let page = s.services.dossiers().list(&auth.actor, &q).await?;
        rows.extend(page.items);
        if rows.len() > MAX_REGISTER_ROWS {
            return Err(WebError::invalid(
                "to",
                format!("more than {MAX_REGISTER_ROWS} dossiers: choose a shorter period"),
            ));
        }
        match page.next {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    rows.reverse();
    let units = s.services.all_units().await?;
    let name_of = |id: Option<i64>| {
        id.and_then(|id| units.iter().find(|u| u.id == id))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let unit = units
        .iter()
        .find(|u| u.code.as_str() == p.unit.trim())
        .ok_or_else(|| WebError::invalid("unit", "no such unit"))?;
    let parent = name_of(unit.parent_id);
    let register = render::DossierRegister {
        parent_unit_name: upper(&parent),
        unit_name: upper(&unit.name),
        // The register follows the regime in force at the period's start.
        form_number: Regime::in_force_on(from)
            .form_number(OfficialForm::Register)
            .unwrap_or("")
            .to_owned(),
        from,
        to,
        rows: rows
            .iter()
            .map(|r| render::RegisterRow {
                dossier_code: r.code.clone(),
                procedure_name: r.procedure_name.clone(),
                applicant_name: r.applicant_name.clone(),
                applicant_contact: String::new(),
                received_at: r
                    .received_at
                    .map(local)
                    .unwrap_or_else(|| local(Timestamp::UNIX_EPOCH)),
                appointment_at: r
                    .current_due
                    .or(r.received_at)
                    .map(local)
                    .unwrap_or_else(|| local(Timestamp::UNIX_EPOCH)),
                handed_to: name_of(r.holder_unit_id),
                finished_at: r.ended_at.map(local),
                returned_at: None,
                collector: String::new(),
                status: status_text(r.status, r.classification),
            })
            .collect(),
    };
    let bytes = s
        .renders
        .run(move || render::dossier_register_pdf(&register))
        .await?;
    let unit: String = p
        .unit
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    Ok(pdf(
        bytes,
        &format!("so-theo-doi-ho-so-{unit}-{from}-{to}.pdf"),
    ))
}

fn status_text(s: Status, c: Option<motcua_domain::deadline::Classification>) -> String {
    match c {
        Some(c) => format!("{} ({})", s.label_vi(), c.label_vi().to_lowercase()),
        None => s.label_vi().to_owned(),
    }
}
