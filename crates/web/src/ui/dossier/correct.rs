//! The dossier page's "Sửa thông tin" form (issue 18, point 2): the
//! applicant's details and the components as the desk typed them,
//! prefilled, posted to `/ho-so/{code}/sua` with the version the page
//! showed. The service decides who may correct and when a reason is
//! required; the page offers the form only to those it would let, and
//! shows every field at fault at once.
//!
//! The components are listed as the reception form lists them: those
//! received, in their order, then the procedure version's other
//! components unticked, each with its copy form, copies and whether it is
//! digitised. A component received keeps its file and reuse marks.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_service::ServiceError;
use motcua_service::dossiers::DossierView;
use motcua_service::dossiers::corrections::Correct;
use motcua_service::store::{Applicant, ApplicantType, ComponentCopy, ReceivedItem};

use super::view::Opt;
use super::{Message, PATH, respond, respond_with};
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::ui::StaffState;
use crate::ui::{Staff, is_htmx};

/// Where the form posts, after the dossier's path.
pub const SUFFIX: &str = "sua";

/// The most checklist rows a post is read for (the service's bound on
/// components).
const MAX_ROWS: usize = motcua_domain::bounds::LIST_ITEMS;

/// What the form holds, typed or as stored.
#[derive(Default)]
pub struct Values {
    pub name: String,
    pub identity: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub reason: String,
}

/// Field messages, by form control.
#[derive(Default)]
pub struct Errors {
    pub name: Option<String>,
    pub identity: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub reason: Option<String>,
    pub components: Option<String>,
}

impl Errors {
    fn any(&self) -> bool {
        [
            &self.name,
            &self.identity,
            &self.phone,
            &self.email,
            &self.address,
            &self.reason,
            &self.components,
        ]
        .iter()
        .any(|e| e.is_some())
    }
}

/// A row of the component checklist.
pub struct Row {
    pub index: usize,
    pub name: String,
    pub received: bool,
    pub copy: Vec<Opt>,
    pub copies: String,
    pub digitised: bool,
}

/// The form as the page shows it.
pub struct CorrectionForm {
    /// The dossier left the desk: the reason is required.
    pub reason_required: bool,
    pub kinds: Vec<Opt>,
    pub v: Values,
    pub errors: Errors,
    pub rows: Vec<Row>,
    /// Shown open (after a refused post).
    pub open: bool,
    /// A message about the whole form.
    pub general: Option<String>,
}

/// A checklist row's origin: a component received (kept whole but for
/// what the form changes) or one of the procedure's not received.
struct Source {
    name: String,
    received: Option<ReceivedItem>,
    copy: ComponentCopy,
    copies: u32,
}

/// The checklist's rows: the components received, in their order, then
/// the procedure version's components not among them.
async fn sources(st: &StaffState, v: &DossierView) -> Result<Vec<Source>, WebError> {
    let mut out: Vec<Source> = v
        .components
        .iter()
        .map(|c| Source {
            name: c.name.clone(),
            received: Some(c.clone()),
            copy: c.form,
            copies: c.copies,
        })
        .collect();
    let version = st
        .services
        .procedures()
        .version_by_id(v.dossier.procedure_version_id)
        .await?;
    for c in &version.draft.components {
        if !v.components.iter().any(|r| r.name == c.name) {
            out.push(Source {
                name: c.name.clone(),
                received: None,
                copy: crate::ui::desk::default_copy(c.form),
                copies: u32::from(c.copies),
            });
        }
    }
    out.truncate(MAX_ROWS);
    Ok(out)
}

fn copy_options(t: &Texts, selected: ComponentCopy) -> Vec<Opt> {
    [
        ComponentCopy::Original,
        ComponentCopy::Copy,
        ComponentCopy::CertifiedCopy,
        ComponentCopy::Electronic,
    ]
    .into_iter()
    .map(|c| Opt {
        value: c.as_str().to_owned(),
        label: copy_label(t, c),
        selected: c == selected,
    })
    .collect()
}

/// How a copy form reads.
pub fn copy_label(t: &Texts, c: ComponentCopy) -> String {
    t.get(match c {
        ComponentCopy::Original => "desk.copy_original",
        ComponentCopy::Copy => "desk.copy_copy",
        ComponentCopy::CertifiedCopy => "desk.copy_certified",
        ComponentCopy::Electronic => "desk.copy_electronic",
    })
    .to_owned()
}

fn kinds(t: &Texts, selected: ApplicantType) -> Vec<Opt> {
    [
        (ApplicantType::Citizen, "desk.kind_citizen"),
        (ApplicantType::Organisation, "desk.kind_organisation"),
    ]
    .into_iter()
    .map(|(k, key)| Opt {
        value: k.as_str().to_owned(),
        label: t.get(key).to_owned(),
        selected: k == selected,
    })
    .collect()
}

/// The form prefilled with the dossier as it stands, for a reader the
/// service lets correct it; `None` for anyone else.
pub async fn prefill(
    st: &StaffState,
    lang: Lang,
    v: &DossierView,
) -> Result<Option<CorrectionForm>, WebError> {
    let Some(right) = v.correction else {
        return Ok(None);
    };
    let t = lang.texts();
    let a = &v.dossier.applicant;
    let rows = sources(st, v)
        .await?
        .into_iter()
        .enumerate()
        .map(|(index, s)| Row {
            index,
            received: s.received.is_some(),
            digitised: s.received.as_ref().is_some_and(|r| r.digitised),
            copy: copy_options(&t, s.copy),
            copies: s.copies.to_string(),
            name: s.name,
        })
        .collect();
    Ok(Some(CorrectionForm {
        reason_required: right.reason_required,
        kinds: kinds(&t, a.kind),
        v: Values {
            name: a.name.clone(),
            identity: a.identity.clone(),
            phone: a.phone.clone(),
            email: a.email.clone(),
            address: a.address.clone(),
            reason: String::new(),
        },
        errors: Errors::default(),
        rows,
        open: false,
        general: None,
    }))
}

/// Which control a service field belongs to, and its message; a message
/// about the whole form otherwise.
fn place_error(t: &Texts, errors: &mut Errors, field: &str) -> Option<String> {
    let msg = |k: &str| Some(t.get(k).to_owned());
    match field {
        "applicant.name" => errors.name = msg("desk.error.name"),
        "applicant.identity" => errors.identity = msg("desk.error.identity"),
        "applicant.phone" => errors.phone = msg("desk.error.phone"),
        "applicant.email" => errors.email = msg("desk.error.email"),
        "applicant.address" => errors.address = msg("desk.error.text"),
        "reason" => errors.reason = msg("dossier.correction.reason_error"),
        f if f.starts_with("components") => {
            errors.components = msg("dossier.correction.components_error");
        }
        "body" => return msg("dossier.correction.nothing"),
        _ => return msg("dossier.error.invalid"),
    }
    None
}

/// Reads a posted form against the dossier as it stands: the form to show
/// again (with every field at fault marked) and the command.
async fn read(
    st: &StaffState,
    lang: Lang,
    v: &DossierView,
    fields: &[(String, String)],
) -> Result<(CorrectionForm, Correct), WebError> {
    let t = lang.texts();
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut errors = Errors::default();
    let mut general = None;
    let version = get("version").trim().parse::<i64>().unwrap_or(0);
    let kind = ApplicantType::parse(get("kind").trim()).unwrap_or(v.dossier.applicant.kind);
    let values = Values {
        name: get("name"),
        identity: get("identity"),
        phone: get("phone"),
        email: get("email"),
        address: get("address"),
        reason: get("reason"),
    };
    let applicant = Applicant {
        kind,
        name: values.name.clone(),
        identity: values.identity.clone(),
        phone: values.phone.clone(),
        email: values.email.clone(),
        address: values.address.clone(),
    };
    for e in motcua_service::dossiers::applicant_errors(&applicant) {
        if let ServiceError::Invalid { field, .. } = e
            && let Some(g) = place_error(&t, &mut errors, &field)
        {
            general = Some(g);
        }
    }
    let reason_required = v.correction.is_some_and(|r| r.reason_required);
    if reason_required && values.reason.trim().is_empty() {
        errors.reason = Some(t.get("dossier.correction.reason_error").to_owned());
    }
    let mut rows = Vec::new();
    let mut items = Vec::new();
    for (index, s) in sources(st, v).await?.into_iter().enumerate() {
        let field = |what: &str| get(&format!("c{index}_{what}"));
        let received = field("received") == "on";
        let digitised = field("digitised") == "on";
        let copy = ComponentCopy::parse(field("copy").trim()).unwrap_or(s.copy);
        let copies_text = field("copies");
        let copies = match copies_text.trim().parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ if !received => s.copies,
            _ => {
                errors.components = Some(t.get("dossier.correction.components_error").to_owned());
                0
            }
        };
        if received {
            items.push(match &s.received {
                Some(r) => ReceivedItem {
                    form: copy,
                    copies,
                    digitised,
                    ..r.clone()
                },
                None => ReceivedItem {
                    name: s.name.clone(),
                    form: copy,
                    copies,
                    digitised,
                    reused: false,
                    file_id: None,
                },
            });
        }
        rows.push(Row {
            index,
            name: s.name,
            received,
            copy: copy_options(&t, copy),
            copies: copies_text,
            digitised,
        });
    }
    let form = CorrectionForm {
        reason_required,
        kinds: kinds(&t, kind),
        v: values,
        errors,
        rows,
        open: true,
        general,
    };
    let cmd = Correct {
        version,
        applicant: Some(applicant),
        components: Some(items),
        reason: form.v.reason.clone(),
    };
    Ok((form, cmd))
}

/// `POST /ho-so/{code}/sua`: corrects the dossier and goes back to its
/// page, or shows the form again with what was refused.
pub async fn correct(
    State(st): State<StaffState>,
    staff: Staff,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let v = st.services.dossiers().view(&staff.actor, &code).await?;
    let (mut form, cmd) = read(&st, staff.lang, &v, &fields).await?;
    let sent_version = cmd.version;
    // Someone the service would not let correct is refused by it (and the
    // refusal recorded), whatever the form holds.
    if v.correction.is_some() && (form.errors.any() || form.general.is_some()) {
        form.general = form
            .general
            .or_else(|| Some(t.get("dossier.correction.summary").to_owned()));
        return show_form(&st, &staff, &headers, v, form).await;
    }
    match st
        .services
        .dossiers()
        .correct(&staff.actor, &code, cmd)
        .await
    {
        Ok(after) => {
            if is_htmx(&headers) {
                let msg = Message {
                    notice: Some(t.get("dossier.correction.done").to_owned()),
                    ..Message::default()
                };
                return respond_with(&st, &staff, &headers, after, msg, StatusCode::OK).await;
            }
            let to = format!("{PATH}/{}?{SUFFIX}=1", after.dossier.code);
            Ok(Redirect::to(&to).into_response())
        }
        Err(ServiceError::Invalid { field, .. }) => {
            let placed = place_error(&t, &mut form.errors, &field);
            form.general = placed.or_else(|| Some(t.get("dossier.correction.summary").to_owned()));
            show_form(&st, &staff, &headers, v, form).await
        }
        Err(ServiceError::Conflict(_)) => {
            let now = st.services.dossiers().view(&staff.actor, &code).await?;
            let key = if now.correction.is_none() {
                "dossier.correction.finished"
            } else if now.dossier.version != sent_version {
                "dossier.error.stale"
            } else {
                "dossier.error.state"
            };
            let msg = Message {
                error: Some(t.get(key).to_owned()),
                ..Message::default()
            };
            respond(&st, &staff, &headers, &code, msg, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The page with the posted form again, open, marked.
async fn show_form(
    st: &StaffState,
    staff: &Staff,
    headers: &HeaderMap,
    v: DossierView,
    form: CorrectionForm,
) -> Result<Response, WebError> {
    let msg = Message {
        correction: Some(form),
        ..Message::default()
    };
    respond_with(st, staff, headers, v, msg, StatusCode::UNPROCESSABLE_ENTITY).await
}
