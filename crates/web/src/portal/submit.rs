//! Online submission (issue 19, point 3): a signed-in citizen or business
//! fills in the application, attaches a file for each document and sends
//! it to the one-stop unit they choose; the dossier then waits there for
//! the desk to accept it (the clock starts) or refuse it. The applicant
//! follows it under `/cong-dan/ho-so/{code}` (`mine.rs`), which only they
//! can open.
//!
//! The form is `multipart/form-data`; its first part is the session's CSRF
//! token, checked before any other part is read. Each file goes to the
//! file store as it arrives, its type told from its content (PDF, JPEG,
//! PNG); nothing refers to it until the submission is written.

use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use motcua_domain::catalog::{ComponentForm, OnlineLevel, Requirement};
use motcua_domain::dossier::{Channel, ReturnMethod};
use motcua_service::ServiceError;
use motcua_service::applicants::Draft;
use motcua_service::dossiers::Receive;
use motcua_service::dossiers::particulars::Scan;
use motcua_service::store::{AccountKind, Applicant, ApplicantType, ComponentCopy, ReceivedItem};

use super::account::SignedApplicant;
use super::mine::MINE;
use super::{PortalLayout, PortalState};
use crate::auth::constant_time_eq;
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::stream::FieldSource;
use crate::ui::render;

/// Where a submission's form lives (`/cong-dan/nop/{procedure}`).
pub const SUBMIT: &str = "/cong-dan/nop";
/// The most files one submission carries.
pub(super) const MAX_FILES: usize = 30;
/// Text a submission's form may hold in memory.
pub(super) const TEXT_BUDGET: usize = 32 << 10;
/// The largest submission read: files of up to 20 MiB each, a few of them.
pub const BODY_LIMIT: usize = 100 << 20;

/// Routes of this module.
pub fn routes() -> Router<PortalState> {
    Router::new().route(
        "/cong-dan/nop/{procedure}",
        get(show)
            .post(submit)
            .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT)),
    )
}

/// One document of the form.
struct Doc {
    index: usize,
    name: String,
    form: String,
    mandatory: bool,
    error: Option<String>,
    /// The file kept with the draft for it, if any.
    saved: Option<String>,
}

/// A choice of the unit to submit to.
struct Place {
    code: String,
    name: String,
    selected: bool,
}

/// What the applicant typed, kept when the form comes back.
#[derive(Default, Clone)]
struct Typed {
    place: String,
    name: String,
    identity: String,
    phone: String,
    email: String,
    address: String,
    postal: bool,
    note: String,
    /// "Save as draft" was pressed rather than "Submit".
    save: bool,
}

impl Typed {
    fn of(d: &Draft) -> Self {
        Self {
            place: d.unit.clone(),
            name: d.name.clone(),
            identity: d.identity.clone(),
            phone: d.phone.clone(),
            email: d.email.clone(),
            address: d.address.clone(),
            postal: d.postal,
            note: d.note.clone(),
            save: false,
        }
    }

    fn draft(&self, scans: Vec<Scan>) -> Draft {
        Draft {
            unit: self.place.clone(),
            name: self.name.clone(),
            identity: self.identity.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            address: self.address.clone(),
            postal: self.postal,
            note: self.note.clone(),
            scans,
        }
    }
}

/// Marks the documents whose file the draft keeps.
fn show_saved(p: &mut SubmitPage, scans: &[Scan]) {
    for s in scans {
        if let Some(d) = p.docs.get_mut(s.component) {
            d.saved = Some(s.name.clone());
        }
    }
}

#[derive(Template)]
#[template(path = "portal_submit.html")]
struct SubmitPage {
    t: Texts,
    layout: PortalLayout,
    code: String,
    procedure: String,
    places: Vec<Place>,
    docs: Vec<Doc>,
    typed: Typed,
    /// Errors by field name (`applicant.name`, `unit`, …).
    errors: Vec<(String, String)>,
    /// An error above the form.
    error: Option<String>,
    csrf: String,
    /// Documents handed in before, offered for reuse: (hash, label).
    reuse: Vec<(String, String)>,
    /// A notice above the form (the draft was kept).
    notice: Option<String>,
}

impl SubmitPage {
    fn on(&self, field: &str) -> String {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, e)| e.clone())
            .unwrap_or_default()
    }
}

fn form_label(t: &Texts, f: ComponentForm) -> String {
    crate::ui::desk::component_form_label(t, f)
}

async fn page(
    st: &PortalState,
    lang: Lang,
    who: &SignedApplicant,
    procedure: &str,
    typed: Typed,
) -> Result<SubmitPage, Response> {
    let t = lang.texts();
    let p = match st.services.portal().procedure(procedure).await {
        Ok(p) if p.version.draft.online_level != OnlineLevel::None => p,
        Ok(_) | Err(ServiceError::NotFound { .. } | ServiceError::Invalid { .. }) => {
            return Err(super::error_page(lang, StatusCode::NOT_FOUND));
        }
        Err(e) => return Err(WebError::from(e).into_response()),
    };
    let places = st
        .services
        .portal()
        .online_places(procedure)
        .await
        .map_err(|e| WebError::from(e).into_response())?;
    let d = &p.version.draft;
    let docs = d
        .components
        .iter()
        .enumerate()
        .map(|(index, c)| Doc {
            index,
            name: c.name.clone(),
            form: form_label(&t, c.form),
            mandatory: c.requirement == Requirement::Mandatory,
            error: None,
            saved: None,
        })
        .collect();
    let mut typed = typed;
    if typed.name.is_empty() {
        typed.name = who.applicant.full_name.clone();
    }
    let single = places.len() == 1;
    let code = d.code.to_string();
    let reuse = st
        .services
        .applicants()
        .my_documents(&who.applicant)
        .await
        .map_err(|e| WebError::from(e).into_response())?
        .into_iter()
        .map(|doc| {
            let label = format!("{} · {}", doc.name, doc.dossier_code);
            (doc.sha256, label)
        })
        .collect();
    Ok(SubmitPage {
        layout: PortalLayout::new(lang, &d.name, &format!("{SUBMIT}/{code}")),
        procedure: d.name.clone(),
        code,
        places: places
            .into_iter()
            .map(|u| Place {
                selected: single || typed.place == u.code.as_str(),
                code: u.code.to_string(),
                name: u.name,
            })
            .collect(),
        docs,
        typed,
        errors: Vec::new(),
        error: None,
        csrf: who.csrf.clone(),
        reuse,
        notice: None,
        t,
    })
}

/// `GET /cong-dan/nop/{procedure}`: the application form.
async fn show(
    State(st): State<PortalState>,
    lang: Lang,
    who: SignedApplicant,
    Path(procedure): Path<String>,
) -> Response {
    // An unfinished application comes back as it was left.
    let draft = st
        .services
        .applicants()
        .draft(&who.applicant, &procedure)
        .await
        .ok()
        .flatten();
    let typed = draft.as_ref().map(Typed::of).unwrap_or_default();
    match page(&st, lang, &who, &procedure, typed).await {
        Ok(mut p) => {
            if let Some(d) = &draft {
                show_saved(&mut p, &d.scans);
                p.notice = Some(p.t.get("portal.submit.draft_back").to_owned());
            }
            render(StatusCode::OK, &p)
        }
        Err(r) => r,
    }
}

/// What the form sent.
struct Sent {
    typed: Typed,
    scans: Vec<Scan>,
    /// Documents to take again: (component, content hash).
    reuse: Vec<(usize, String)>,
}

/// Why a form could not be read as a whole.
pub(super) enum Broken {
    /// The token is missing or wrong: nothing else was read.
    Token,
    /// A file or the text was refused (its field and the error).
    Service(ServiceError),
    /// Not a multipart form, or a broken one.
    Malformed,
}

/// Reads a form's first part, which must be the session's CSRF token: no
/// other part (no file) is read before it is checked.
pub(super) async fn token_first(m: &mut Multipart, csrf: &str) -> Result<(), Broken> {
    let first = m.next_field().await.map_err(|_| Broken::Malformed)?;
    let ok = match first {
        Some(f) if f.name() == Some("csrf_token") => {
            let text = f.text().await.map_err(|_| Broken::Malformed)?;
            constant_time_eq(text.as_bytes(), csrf.as_bytes())
        }
        _ => false,
    };
    if ok { Ok(()) } else { Err(Broken::Token) }
}

/// Reads the submission form into `typed` (kept by the caller even when a
/// later part is refused, so the form comes back filled in) and the files.
async fn read_form(
    st: &PortalState,
    who: &SignedApplicant,
    m: &mut Multipart,
    typed: &mut Typed,
) -> Result<Sent, Broken> {
    token_first(m, &who.csrf).await?;
    let mut scans = Vec::new();
    let mut reuse = Vec::new();
    let mut budget = TEXT_BUDGET;
    while let Some(field) = m.next_field().await.map_err(|_| Broken::Malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(file_name) = field.file_name().map(str::to_owned) {
            let file_name = file_name
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or("")
                .trim()
                .to_owned();
            let index = name
                .strip_prefix("file-")
                .and_then(|i| i.parse::<usize>().ok());
            let mut source = FieldSource::new(field);
            if file_name.is_empty() {
                // An input left empty: read and drop.
                while motcua_service::files::ByteSource::next_chunk(&mut source)
                    .await
                    .map_err(Broken::Service)?
                    .is_some()
                {}
                continue;
            }
            let Some(index) = index else {
                return Err(Broken::Malformed);
            };
            if scans.len() >= MAX_FILES {
                return Err(Broken::Service(ServiceError::invalid(
                    "files",
                    format!("at most {MAX_FILES} files"),
                )));
            }
            let scan = st
                .services
                .applicants()
                .stage_file(&who.applicant, index, &file_name, &mut source)
                .await
                .map_err(|e| match e {
                    ServiceError::Invalid { reason, .. } => {
                        Broken::Service(ServiceError::Invalid {
                            field: format!("components[{index}]"),
                            reason,
                        })
                    }
                    ServiceError::TooLarge { limit_bytes, .. } => {
                        Broken::Service(ServiceError::TooLarge {
                            field: format!("components[{index}]"),
                            limit_bytes,
                        })
                    }
                    other => Broken::Service(other),
                })?;
            scans.push(scan);
            continue;
        }
        let text = field.text().await.map_err(|_| Broken::Malformed)?;
        if text.len() > budget {
            return Err(Broken::Malformed);
        }
        budget -= text.len();
        if let Some(i) = name
            .strip_prefix("reuse-")
            .and_then(|i| i.parse::<usize>().ok())
        {
            if !text.trim().is_empty() {
                reuse.push((i, text.trim().to_owned()));
            }
            continue;
        }
        let slot = match name.as_str() {
            "unit" => &mut typed.place,
            "name" => &mut typed.name,
            "identity" => &mut typed.identity,
            "phone" => &mut typed.phone,
            "email" => &mut typed.email,
            "address" => &mut typed.address,
            "note" => &mut typed.note,
            "save" => {
                typed.save = text == "1";
                continue;
            }
            "postal" => {
                typed.postal = text == "1";
                continue;
            }
            _ => continue,
        };
        *slot = text;
    }
    Ok(Sent {
        typed: typed.clone(),
        scans,
        reuse,
    })
}

/// `POST /cong-dan/nop/{procedure}`: reads the form, keeps its files and
/// submits; the form comes back with every error on its field.
async fn submit(
    State(st): State<PortalState>,
    lang: Lang,
    who: SignedApplicant,
    Path(procedure): Path<String>,
    req: Request,
) -> Response {
    let t = lang.texts();
    let mut m = match Multipart::from_request(req, &st).await {
        Ok(m) => m,
        Err(_) => return super::error_page(lang, StatusCode::BAD_REQUEST),
    };
    let mut partial = Typed::default();
    let sent = read_form(&st, &who, &mut m, &mut partial).await;
    // The browser is told even when it is still sending.
    while let Ok(Some(mut f)) = m.next_field().await {
        while let Ok(Some(_)) = f.chunk().await {}
    }
    let (typed, mut scans, reuse) = match sent {
        Ok(s) => (s.typed, s.scans, s.reuse),
        Err(Broken::Token) => return super::error_page(lang, StatusCode::FORBIDDEN),
        Err(Broken::Malformed) => return super::error_page(lang, StatusCode::BAD_REQUEST),
        Err(Broken::Service(e)) => {
            let mut p = match page(&st, lang, &who, &procedure, partial).await {
                Ok(p) => p,
                Err(r) => return r,
            };
            let status = fail(&mut p, &t, &e);
            p.error = Some(t.get("portal.submit.err_again").to_owned());
            return render(status, &p);
        }
    };
    let mut p = match page(&st, lang, &who, &procedure, typed.clone()).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    // Files kept with a draft stand for a document unless a new one came.
    if let Ok(Some(d)) = st
        .services
        .applicants()
        .draft(&who.applicant, &procedure)
        .await
    {
        for kept in d.scans {
            if !scans.iter().any(|s| s.component == kept.component) {
                scans.push(kept);
            }
        }
    }
    if typed.save {
        let kept: Vec<Scan> = scans
            .into_iter()
            .filter(|s| s.component < p.docs.len())
            .collect();
        return match st
            .services
            .applicants()
            .save_draft(&who.applicant, &procedure, &typed.draft(kept.clone()))
            .await
        {
            Ok(()) => {
                show_saved(&mut p, &kept);
                p.notice = Some(t.get("portal.submit.draft_saved").to_owned());
                render(StatusCode::OK, &p)
            }
            Err(e) => {
                let status = fail(&mut p, &t, &e);
                render(status, &p)
            }
        };
    }
    let applicant = Applicant {
        kind: match who.applicant.kind {
            AccountKind::Citizen => ApplicantType::Citizen,
            AccountKind::Organisation => ApplicantType::Organisation,
        },
        name: typed.name.clone(),
        identity: typed.identity.clone(),
        phone: typed.phone.clone(),
        email: typed.email.clone(),
        address: typed.address.clone(),
    };
    let errors = motcua_service::dossiers::applicant_errors(&applicant);
    if !errors.is_empty() || typed.place.trim().is_empty() {
        for e in &errors {
            fail(&mut p, &t, e);
        }
        if typed.place.trim().is_empty() {
            p.errors
                .push(("unit".into(), t.get("portal.submit.err_place").to_owned()));
        }
        p.error = Some(t.get("portal.submit.err_again").to_owned());
        return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    // A document taken again where no new file was chosen: the owner's own,
    // checked by the service; the component counts as reused.
    let mut reused = Vec::new();
    for (i, sha) in reuse {
        if scans.iter().any(|s| s.component == i) || i >= p.docs.len() {
            continue;
        }
        match st
            .services
            .applicants()
            .reuse_document(&who.applicant, i, &sha)
            .await
        {
            Ok(scan) => {
                scans.push(scan);
                reused.push(i);
            }
            Err(e) => {
                let status = fail(&mut p, &t, &e);
                p.error = Some(t.get("portal.submit.err_again").to_owned());
                return render(status, &p);
            }
        }
    }
    let components = p
        .docs
        .iter()
        .map(|d| ReceivedItem {
            name: d.name.clone(),
            form: ComponentCopy::Electronic,
            copies: 1,
            digitised: false,
            reused: reused.contains(&d.index),
            file_id: None,
        })
        .collect();
    let cmd = Receive {
        unit: typed.place.clone(),
        procedure: p.code.clone(),
        channel: Channel::Online,
        return_method: Some(if typed.postal {
            ReturnMethod::Postal
        } else {
            ReturnMethod::InPerson
        }),
        applicant,
        sets: Some(1),
        components,
        fee_dong: None,
        fee_reason: String::new(),
        representative: None,
        note: typed.note.clone(),
        scans,
    };
    match st.services.applicants().submit(&who.applicant, cmd).await {
        Ok(d) => {
            // Submitted: the draft is done with (a failure here leaves a
            // draft the applicant can discard by submitting again).
            let _ = st
                .services
                .applicants()
                .discard_draft(&who.applicant, &procedure)
                .await;
            Redirect::to(&format!("{MINE}/{}?moi=1", d.code)).into_response()
        }
        Err(e) => {
            let status = fail(&mut p, &t, &e);
            p.error = Some(t.get("portal.submit.err_again").to_owned());
            render(status, &p)
        }
    }
}

/// Puts an error on its field (a document, the unit, an applicant field)
/// or above the form; answers the status to send.
fn fail(p: &mut SubmitPage, t: &Texts, e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::Invalid { field, reason } => {
            if let Some(i) = field
                .strip_prefix("components[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|i| i.parse::<usize>().ok())
                && let Some(d) = p.docs.get_mut(i)
            {
                d.error = Some(if reason.starts_with("attach") {
                    t.get("portal.submit.err_missing").to_owned()
                } else {
                    t.get("portal.submit.err_file").to_owned()
                });
            } else if field.starts_with("applicant.") || field == "unit" {
                let key = match field.as_str() {
                    "applicant.name" => "portal.submit.err_name",
                    "applicant.identity" => "portal.submit.err_identity",
                    "applicant.phone" => "portal.submit.err_phone",
                    "applicant.email" => "portal.submit.err_email",
                    "applicant.address" => "portal.submit.err_address",
                    _ => "portal.submit.err_place",
                };
                p.errors.push((field.clone(), t.get(key).to_owned()));
            } else {
                p.error = Some(t.get("portal.error.bad_request").to_owned());
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ServiceError::TooLarge { field, .. } => {
            let msg = t.get("portal.submit.err_too_large").to_owned();
            match field
                .strip_prefix("components[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| p.docs.get_mut(i))
            {
                Some(d) => d.error = Some(msg),
                None => p.error = Some(msg),
            }
            StatusCode::PAYLOAD_TOO_LARGE
        }
        _ => {
            p.error = Some(t.get("error.internal").to_owned());
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}
