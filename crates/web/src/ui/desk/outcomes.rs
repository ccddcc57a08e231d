//! What the reception form offers besides receiving (issue 18, point 2):
//! guidance to complete an incomplete dossier (form 02) and a refusal to
//! receive (form 03), printed for the procedure and the applicant on the
//! form without creating a dossier. The form's buttons post the whole
//! reception form here (`formaction`); the answer is the PDF as a download,
//! so the desk page stays as it was, or the form again with every field at
//! fault marked.

use axum::Form;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use motcua_domain::catalog::Requirement;
use motcua_service::ServiceError;
use motcua_service::dossiers::MissingItem;
use motcua_service::dossiers::outcomes::{Guide, RefuseAtDesk, check_items, check_reasons};
use motcua_service::store::Applicant;

use super::{Errors, Posted, form_view, page, place_error, read};
use crate::api::counter_forms::{
    GUIDANCE_NAME, REFUSAL_NAME, download_name, guidance_pdf, refusal_pdf,
};
use crate::error::WebError;
use crate::ui::Staff;
use crate::ui::StaffState;

/// Where form 02 is printed from the desk.
pub(super) const GUIDE_PATH: &str = "/tiep-nhan/huong-dan";
/// Where form 03 is printed from the desk.
pub(super) const REFUSE_PATH: &str = "/tiep-nhan/tu-choi";

/// Which form a post asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Guidance,
    Refusal,
}

/// `POST /tiep-nhan/huong-dan`: form 02 for the applicant and the
/// procedure of the reception form, listing what the officer wrote, or
/// else the mandatory components not ticked as received.
pub(super) async fn guide(
    State(st): State<StaffState>,
    staff: Staff,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    print(&st, &staff, &headers, &fields, Outcome::Guidance).await
}

/// `POST /tiep-nhan/tu-choi`: form 03 with the reasons the officer wrote.
pub(super) async fn refuse(
    State(st): State<StaffState>,
    staff: Staff,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    print(&st, &staff, &headers, &fields, Outcome::Refusal).await
}

/// The lines of a text area, blank ones left out.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// What form 02 lists: one item a line ("name" or "name: note").
fn items(text: &str) -> Vec<MissingItem> {
    lines(text)
        .map(|l| match l.split_once(':') {
            Some((name, note)) => MissingItem {
                name: name.trim().to_owned(),
                note: note.trim().to_owned(),
            },
            None => MissingItem {
                name: l.to_owned(),
                note: String::new(),
            },
        })
        .collect()
}

async fn print(
    st: &StaffState,
    staff: &Staff,
    headers: &HeaderMap,
    fields: &[(String, String)],
    outcome: Outcome,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let desks = st.services.dossiers().reception_desks(&staff.actor).await?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let (unit_code, procedure) = (get("unit"), get("procedure"));
    let Some(unit) = desks.iter().find(|u| u.code.as_str() == unit_code).cloned() else {
        return Err(WebError::from(ServiceError::Forbidden(format!(
            "{} does not receive at {unit_code}",
            staff.actor.username
        ))));
    };
    let (posted, _) = read(fields);
    let preview = match st
        .services
        .dossiers()
        .preview_reception(&staff.actor, unit.code.as_str(), &procedure, posted.channel)
        .await
    {
        Ok(p) => p,
        Err(ServiceError::Invalid { field, reason }) => {
            return Err(WebError::invalid(field, reason));
        }
        Err(e) => return Err(e.into()),
    };
    let mut errors = Errors::default();
    let mut general = None;
    let applicant = applicant_of(&posted);
    for e in motcua_service::dossiers::applicant_errors(&applicant) {
        if let ServiceError::Invalid { field, .. } = e
            && let Some(g) = place_error(staff.lang, &mut errors, &field)
        {
            general = Some(g);
        }
    }
    let mut listed = items(&posted.values.missing);
    if listed.is_empty() {
        // Nothing written: the mandatory documents not ticked as received.
        let note = t.get("desk.outcome.missing_note");
        listed = preview
            .procedure
            .draft
            .components
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                c.requirement == Requirement::Mandatory && !posted.rows.get(i).is_some_and(|r| r.0)
            })
            .map(|(_, c)| MissingItem {
                name: c.name.clone(),
                note: note.to_owned(),
            })
            .collect();
    }
    let reasons: Vec<String> = lines(&posted.values.reasons).map(str::to_owned).collect();
    match outcome {
        Outcome::Guidance if check_items(&listed).is_err() => {
            errors.missing = Some(t.get("desk.outcome.error_items").to_owned());
        }
        Outcome::Refusal if check_reasons(&reasons).is_err() => {
            errors.reasons = Some(t.get("desk.outcome.error_reasons").to_owned());
        }
        _ => {}
    }
    if general.is_none() && !errors.any() {
        let recorded = match outcome {
            Outcome::Guidance => {
                let cmd = Guide {
                    unit: unit.code.as_str().to_owned(),
                    procedure: procedure.clone(),
                    applicant,
                    items: listed,
                    reason: String::new(),
                    guidance: posted.values.guidance.clone(),
                };
                match st.services.dossiers().guide(&staff.actor, cmd).await {
                    Ok(g) => {
                        let name = download_name(GUIDANCE_NAME, &g.sheet);
                        Ok((guidance_pdf(&st.renders, g).await?, name))
                    }
                    Err(e) => Err(e),
                }
            }
            Outcome::Refusal => {
                let cmd = RefuseAtDesk {
                    unit: unit.code.as_str().to_owned(),
                    procedure: procedure.clone(),
                    applicant,
                    reasons,
                };
                match st
                    .services
                    .dossiers()
                    .refuse_at_desk(&staff.actor, cmd)
                    .await
                {
                    Ok(r) => {
                        let name = download_name(REFUSAL_NAME, &r.sheet);
                        Ok((refusal_pdf(&st.renders, r).await?, name))
                    }
                    Err(e) => Err(e),
                }
            }
        };
        match recorded {
            Ok((bytes, name)) => return Ok(download(bytes, &name)),
            Err(ServiceError::Invalid { field, .. }) => {
                general = match field.split(['[', '.']).next().unwrap_or("") {
                    "items" | "reason" | "guidance" => {
                        errors.missing = Some(t.get("desk.outcome.error_items").to_owned());
                        None
                    }
                    "reasons" => {
                        errors.reasons = Some(t.get("desk.outcome.error_reasons").to_owned());
                        None
                    }
                    _ => place_error(staff.lang, &mut errors, &field),
                };
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut form = form_view(staff.lang, &preview, &posted, errors);
    form.general = general.or_else(|| Some(t.get("desk.outcome.summary").to_owned()));
    form.outcome_open = true;
    page(
        st,
        staff,
        headers,
        &desks,
        &unit,
        String::new(),
        None,
        Some(form),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// The applicant as the reception form holds them.
fn applicant_of(posted: &Posted) -> Applicant {
    Applicant {
        kind: posted.kind,
        name: posted.values.name.clone(),
        identity: posted.values.identity.clone(),
        phone: posted.values.phone.clone(),
        email: posted.values.email.clone(),
        address: posted.values.address.clone(),
    }
}

/// A PDF to save: the desk page stays where it was.
fn download(bytes: Vec<u8>, name: &str) -> Response {
    let mut r = Response::new(Body::from(bytes));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_one_per_line_with_an_optional_note() {
        let got = items("Giấy chứng sinh: bản chính\r\n\r\n  Sổ hộ khẩu  \n");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "Giấy chứng sinh");
        assert_eq!(got[0].note, "bản chính");
        assert_eq!(got[1].name, "Sổ hộ khẩu");
        assert_eq!(got[1].note, "");
        assert!(items(" \n ").is_empty());
    }
}
