//! `/tiep-nhan`: reception at the one-stop desk (domain.md §5).
//!
//! The officer types a few words of the procedure (diacritics optional);
//! htmx swaps in the hits (`desk_hits_partial.html`) as they type, or the
//! search form reloads the page without JavaScript. Picking a hit shows the
//! reception form (`desk_form_partial.html`): the procedure's component
//! checklist, its fee and the appointment a dossier received now would get
//! (computed by the service, nothing created), the channel and the
//! applicant. Posting it receives the dossier and goes to its page, which
//! offers the receipt slip to print with the focus on its link; a refused
//! field re-shows the form with the message next to it.
//!
//! Only desk officers may open the page; the service refuses anyone else.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use motcua_domain::catalog::{ComponentForm, Requirement};
use motcua_domain::dossier::{Channel, ReturnMethod};
use motcua_service::ServiceError;
use motcua_service::dossiers::Receive;
use motcua_service::dossiers::particulars::{self, Representative, Scan};
use motcua_service::dossiers::preview::ReceptionPreview;
use motcua_service::store::{Applicant, ApplicantType, ComponentCopy, ReceivedItem, Unit};
use serde::Deserialize;

use super::dossier::upload;
use super::layout::{Area, Layout};
use super::{Staff, format, is_htmx, render};
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::ui::StaffState;

mod outcomes;

/// Where the desk lives.
pub const PATH: &str = "/tiep-nhan";

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route(
            PATH,
            get(show)
                .post(submit)
                .layer(DefaultBodyLimit::max(upload::BODY_LIMIT)),
        )
        .route("/tiep-nhan/thu-tuc", get(search))
        .route(outcomes::GUIDE_PATH, post(outcomes::guide))
        .route(outcomes::REFUSE_PATH, post(outcomes::refuse))
}

/// The most hits the search shows.
const HITS: u32 = 12;

#[derive(Deserialize, Default)]
struct DeskQuery {
    unit: Option<String>,
    q: Option<String>,
    procedure: Option<String>,
}

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    t: Texts,
    layout: Layout,
    desks: Vec<Choice>,
    unit_code: String,
    q: String,
    hits: Option<Vec<Hit>>,
    form: Option<FormView>,
    /// Why the picked procedure cannot be received here.
    refused: Option<String>,
}

#[derive(Template)]
#[template(path = "desk_hits_partial.html")]
struct HitsPartial {
    t: Texts,
    hits: Option<Vec<Hit>>,
}

#[derive(Template)]
#[template(path = "desk_form_partial.html")]
struct FormPartial {
    t: Texts,
    layout: Layout,
    unit_code: String,
    form: Option<FormView>,
    refused: Option<String>,
}

/// A desk to pick.
struct Choice {
    code: String,
    name: String,
    selected: bool,
}

/// A procedure found.
struct Hit {
    code: String,
    name: String,
    field: String,
    href: String,
}

/// An option of a select or a radio group.
struct Opt {
    value: &'static str,
    label: String,
    selected: bool,
}

/// A row of the component checklist.
struct ComponentRow {
    index: usize,
    name: String,
    form_label: String,
    copy: Vec<Opt>,
    copies: String,
    mandatory: bool,
    requirement: String,
    received: bool,
    digitised: bool,
    must_digitise: bool,
}

/// The reception form of one procedure at one desk.
struct FormView {
    procedure_code: String,
    procedure_name: String,
    field: String,
    fee: String,
    limit: String,
    appointment: Option<String>,
    /// Received outside office time: from which day the limit counts.
    counted_from: Option<String>,
    computed_at: String,
    components: Vec<ComponentRow>,
    channels: Vec<Opt>,
    return_methods: Vec<Opt>,
    kinds: Vec<Opt>,
    v: Values,
    errors: Errors,
    /// A message about the whole form (procedure, unit, other fields).
    general: Option<String>,
    /// Show the part that prints forms 02 and 03 open (after one of them
    /// was refused).
    outcome_open: bool,
    /// The catalog charges a fee (the form then offers an exemption or a
    /// reduction with its reason).
    has_fee: bool,
    /// Show the representative's part open (something was typed in it).
    representative_open: bool,
    /// What a scan may be.
    scan_hint: String,
}

/// What the officer typed, kept when the form comes back.
#[derive(Default)]
struct Values {
    name: String,
    identity: String,
    phone: String,
    email: String,
    address: String,
    sets: String,
    note: String,
    /// What is missing, one per line (guidance at the counter, form 02).
    missing: String,
    /// How to complete it (form 02).
    guidance: String,
    /// Why the dossier is refused, one per line (form 03).
    reasons: String,
    /// The fee charged, in đồng as typed (the catalog's when untouched).
    fee_dong: String,
    /// Why the fee is exempted or reduced.
    fee_reason: String,
    /// Who hands the dossier in for the applicant.
    rep_name: String,
    rep_identity: String,
    rep_phone: String,
    rep_basis: String,
}

/// Field messages, by form control.
#[derive(Default)]
struct Errors {
    name: Option<String>,
    identity: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    sets: Option<String>,
    note: Option<String>,
    components: Option<String>,
    /// The list of form 02.
    missing: Option<String>,
    /// The reasons of form 03.
    reasons: Option<String>,
    fee_dong: Option<String>,
    fee_reason: Option<String>,
    rep_name: Option<String>,
    rep_identity: Option<String>,
    rep_phone: Option<String>,
    rep_basis: Option<String>,
}

impl Errors {
    fn any(&self) -> bool {
        [
            &self.name,
            &self.identity,
            &self.phone,
            &self.email,
            &self.address,
            &self.sets,
            &self.note,
            &self.components,
            &self.missing,
            &self.reasons,
            &self.fee_dong,
            &self.fee_reason,
            &self.rep_name,
            &self.rep_identity,
            &self.rep_phone,
            &self.rep_basis,
        ]
        .iter()
        .any(|e| e.is_some())
    }
}

pub(crate) fn component_form_label(t: &Texts, f: ComponentForm) -> String {
    t.get(match f {
        ComponentForm::Original => "desk.form_original",
        ComponentForm::Copy => "desk.form_copy",
        ComponentForm::CertifiedCopy => "desk.form_certified_copy",
        ComponentForm::OriginalOrCopy => "desk.form_original_or_copy",
    })
    .to_owned()
}

fn copy_options(t: &Texts, selected: ComponentCopy) -> Vec<Opt> {
    [
        (ComponentCopy::Original, "desk.copy_original"),
        (ComponentCopy::Copy, "desk.copy_copy"),
        (ComponentCopy::CertifiedCopy, "desk.copy_certified"),
        (ComponentCopy::Electronic, "desk.copy_electronic"),
    ]
    .into_iter()
    .map(|(c, key)| Opt {
        value: c.as_str(),
        label: t.get(key).to_owned(),
        selected: c == selected,
    })
    .collect()
}

/// The copy form a catalog form is received as by default.
pub(crate) fn default_copy(f: ComponentForm) -> ComponentCopy {
    match f {
        ComponentForm::Copy => ComponentCopy::Copy,
        ComponentForm::CertifiedCopy => ComponentCopy::CertifiedCopy,
        ComponentForm::Original | ComponentForm::OriginalOrCopy => ComponentCopy::Original,
    }
}

/// The label of a channel.
pub fn channel_label(t: &Texts, c: Channel) -> String {
    t.get(match c {
        Channel::InPerson => "desk.channel_in_person",
        Channel::Postal => "desk.channel_postal",
        Channel::Online => "desk.channel_online",
    })
    .to_owned()
}

/// The label of a return method.
pub fn return_label(t: &Texts, m: ReturnMethod) -> String {
    t.get(match m {
        ReturnMethod::InPerson => "desk.return_in_person",
        ReturnMethod::Postal => "desk.return_postal",
        ReturnMethod::Online => "desk.return_online",
    })
    .to_owned()
}

/// The input of one reception, as posted (or the defaults of a new form).
struct Posted {
    channel: Channel,
    return_method: ReturnMethod,
    kind: ApplicantType,
    values: Values,
    /// By checklist row: received, digitised, copy form, copies.
    rows: BTreeMap<usize, (bool, bool, Option<ComponentCopy>, String)>,
}

impl Posted {
    fn fresh() -> Self {
        Self {
            channel: Channel::InPerson,
            return_method: ReturnMethod::InPerson,
            kind: ApplicantType::Citizen,
            values: Values {
                sets: "1".to_owned(),
                ..Values::default()
            },
            rows: BTreeMap::new(),
        }
    }
}

fn form_view(lang: Lang, p: &ReceptionPreview, posted: &Posted, errors: Errors) -> FormView {
    let t = lang.texts();
    let d = &p.procedure.draft;
    let components = d
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mandatory = c.requirement == Requirement::Mandatory;
            let (received, digitised, copy, copies) = match posted.rows.get(&i) {
                Some((r, dg, cp, n)) => (*r, *dg, cp.unwrap_or(default_copy(c.form)), n.clone()),
                // Unticked at first: the officer ticks what they checked
                // over the counter, not what the catalog expects.
                None if posted.rows.is_empty() => {
                    (false, false, default_copy(c.form), c.copies.to_string())
                }
                None => (false, false, default_copy(c.form), c.copies.to_string()),
            };
            ComponentRow {
                index: i,
                name: c.name.clone(),
                form_label: component_form_label(&t, c.form),
                copy: copy_options(&t, copy),
                copies,
                mandatory,
                requirement: t
                    .get(match c.requirement {
                        Requirement::Mandatory => "desk.mandatory",
                        Requirement::Optional => "desk.optional",
                        Requirement::Conditional => "desk.conditional",
                    })
                    .to_owned(),
                received,
                digitised,
                must_digitise: c.must_digitise,
            }
        })
        .collect();
    let channels = [Channel::InPerson, Channel::Postal, Channel::Online]
        .into_iter()
        .map(|c| Opt {
            value: c.as_str(),
            label: channel_label(&t, c),
            selected: c == posted.channel,
        })
        .collect();
    let return_methods = [
        ReturnMethod::InPerson,
        ReturnMethod::Postal,
        ReturnMethod::Online,
    ]
    .into_iter()
    .map(|m| Opt {
        value: m.as_str(),
        label: return_label(&t, m),
        selected: m == posted.return_method,
    })
    .collect();
    let kinds = [
        (ApplicantType::Citizen, "desk.kind_citizen"),
        (ApplicantType::Organisation, "desk.kind_organisation"),
    ]
    .into_iter()
    .map(|(k, key)| Opt {
        value: k.as_str(),
        label: t.get(key).to_owned(),
        selected: k == posted.kind,
    })
    .collect();
    FormView {
        procedure_code: d.code.to_string(),
        procedure_name: d.name.clone(),
        field: d.field.clone(),
        fee: if d.fee.get() == 0 {
            t.get("desk.no_fee").to_owned()
        } else {
            format::money(lang, d.fee.get())
        },
        limit: super::dossier::limit_label(&t, p.time_limit),
        appointment: p.due.map(|due| format::moment(lang, due)),
        counted_from: p.counted_from.map(|day| {
            let key = if p.day_off {
                "desk.day_off"
            } else {
                "desk.after_hours"
            };
            t.fill(key, &[("date", format::date(lang, day))])
        }),
        computed_at: t.fill("desk.computed_at", &[("at", &format::moment(lang, p.at))]),
        components,
        channels,
        return_methods,
        kinds,
        v: Values {
            name: posted.values.name.clone(),
            identity: posted.values.identity.clone(),
            phone: posted.values.phone.clone(),
            email: posted.values.email.clone(),
            address: posted.values.address.clone(),
            sets: posted.values.sets.clone(),
            note: posted.values.note.clone(),
            missing: posted.values.missing.clone(),
            guidance: posted.values.guidance.clone(),
            reasons: posted.values.reasons.clone(),
            fee_dong: if posted.values.fee_dong.trim().is_empty() {
                d.fee.get().to_string()
            } else {
                posted.values.fee_dong.clone()
            },
            fee_reason: posted.values.fee_reason.clone(),
            rep_name: posted.values.rep_name.clone(),
            rep_identity: posted.values.rep_identity.clone(),
            rep_phone: posted.values.rep_phone.clone(),
            rep_basis: posted.values.rep_basis.clone(),
        },
        representative_open: [
            &posted.values.rep_name,
            &posted.values.rep_identity,
            &posted.values.rep_phone,
            &posted.values.rep_basis,
        ]
        .iter()
        .any(|v| !v.trim().is_empty()),
        errors,
        general: None,
        outcome_open: false,
        has_fee: d.fee.get() > 0,
        scan_hint: t.fill(
            "desk.scan_hint",
            &[("mb", (motcua_service::dossiers::MAX_FILE >> 20).to_string())],
        ),
    }
}

fn desk_choices(desks: &[Unit], selected: &Unit) -> Vec<Choice> {
    desks
        .iter()
        .map(|u| Choice {
            code: u.code.as_str().to_owned(),
            name: u.name.clone(),
            selected: u.id == selected.id,
        })
        .collect()
}

/// The desk picked by code among the officer's, else their first.
fn pick<'a>(desks: &'a [Unit], code: Option<&str>) -> Option<&'a Unit> {
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    code.and_then(|c| desks.iter().find(|u| u.code.as_str() == c))
        .or_else(|| desks.first())
}

async fn hits(
    st: &StaffState,
    staff: &Staff,
    unit: &Unit,
    q: &str,
) -> Result<Option<Vec<Hit>>, WebError> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(None);
    }
    let found = st
        .services
        .dossiers()
        .desk_search(&staff.actor, unit.code.as_str(), q, HITS)
        .await?;
    Ok(Some(
        found
            .into_iter()
            .map(|h| {
                let href = format!(
                    "{PATH}?{}",
                    serde_urlencoded::to_string([
                        ("unit", unit.code.as_str()),
                        ("procedure", h.code.as_str())
                    ])
                    .unwrap_or_default()
                );
                Hit {
                    code: h.code,
                    name: h.name,
                    field: h.field,
                    href,
                }
            })
            .collect(),
    ))
}

/// `GET /tiep-nhan/thu-tuc?unit=…&q=…`: the hits as a fragment.
async fn search(
    State(st): State<StaffState>,
    staff: Staff,
    Query(q): Query<DeskQuery>,
) -> Result<Response, WebError> {
    let desks = st.services.dossiers().reception_desks(&staff.actor).await?;
    let Some(unit) = pick(&desks, q.unit.as_deref()) else {
        return Err(WebError::from(ServiceError::Forbidden("no desk".into())));
    };
    let hits = hits(&st, &staff, unit, q.q.as_deref().unwrap_or("")).await?;
    Ok(render(
        StatusCode::OK,
        &HitsPartial {
            t: staff.lang.texts(),
            hits,
        },
    ))
}

/// `GET /tiep-nhan?unit=…&q=…&procedure=…`: the page; with htmx and a
/// procedure, only the reception form.
async fn show(
    State(st): State<StaffState>,
    staff: Staff,
    headers: HeaderMap,
    Query(q): Query<DeskQuery>,
) -> Result<Response, WebError> {
    let desks = st.services.dossiers().reception_desks(&staff.actor).await?;
    let Some(unit) = pick(&desks, q.unit.as_deref()).cloned() else {
        return Err(WebError::from(ServiceError::Forbidden("no desk".into())));
    };
    let procedure = q.procedure.as_deref().map(str::trim).unwrap_or("");
    let mut form = None;
    let mut refused = None;
    if !procedure.is_empty() {
        let p = st
            .services
            .dossiers()
            .preview_reception(
                &staff.actor,
                unit.code.as_str(),
                procedure,
                Channel::InPerson,
            )
            .await;
        form = match p {
            Ok(p) => Some(form_view(
                staff.lang,
                &p,
                &Posted::fresh(),
                Errors::default(),
            )),
            Err(ServiceError::Invalid { .. }) => {
                refused = Some(staff.lang.texts().get("desk.error.procedure").to_owned());
                None
            }
            Err(e) => return Err(e.into()),
        };
    }
    let hits = hits(&st, &staff, &unit, q.q.as_deref().unwrap_or("")).await?;
    page(
        &st,
        &staff,
        &headers,
        &desks,
        &unit,
        q.q.unwrap_or_default(),
        hits,
        form,
        refused,
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn page(
    st: &StaffState,
    staff: &Staff,
    headers: &HeaderMap,
    desks: &[Unit],
    unit: &Unit,
    q: String,
    hits: Option<Vec<Hit>>,
    form: Option<FormView>,
    refused: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let here = match &form {
        Some(f) => format!(
            "{PATH}?{}",
            serde_urlencoded::to_string([
                ("unit", unit.code.as_str()),
                ("procedure", f.procedure_code.as_str())
            ])
            .unwrap_or_default()
        ),
        None => PATH.to_owned(),
    };
    let layout = Layout::staff(
        st,
        staff,
        Area::Desk,
        t.get("desk.title"),
        Some(unit),
        &here,
    )
    .await?;
    if is_htmx(headers) && (form.is_some() || refused.is_some()) {
        return Ok(render(
            status,
            &FormPartial {
                t,
                layout,
                unit_code: unit.code.as_str().to_owned(),
                form,
                refused,
            },
        ));
    }
    Ok(render(
        status,
        &DeskPage {
            t,
            layout,
            desks: desk_choices(desks, unit),
            unit_code: unit.code.as_str().to_owned(),
            q,
            hits,
            form,
            refused,
        },
    ))
}

/// Reads the posted reception form; `Err` names the control at fault.
fn read(fields: &[(String, String)]) -> (Posted, Option<(&'static str, &'static str)>) {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut p = Posted::fresh();
    let mut bad = None;
    match Channel::parse(get("channel").trim()) {
        Ok(c) => p.channel = c,
        Err(_) => bad = Some(("general", "desk.error.channel")),
    }
    match ReturnMethod::parse(get("return_method").trim()) {
        Ok(m) => p.return_method = m,
        Err(_) => bad = Some(("general", "desk.error.channel")),
    }
    match ApplicantType::parse(get("kind").trim()) {
        Some(k) => p.kind = k,
        None => bad = Some(("general", "desk.error.kind")),
    }
    p.values = Values {
        name: get("name"),
        identity: get("identity"),
        phone: get("phone"),
        email: get("email"),
        address: get("address"),
        sets: get("sets"),
        note: get("note"),
        missing: get("missing"),
        guidance: get("guidance"),
        reasons: get("reasons"),
        fee_dong: get("fee_dong"),
        fee_reason: get("fee_reason"),
        rep_name: get("rep_name"),
        rep_identity: get("rep_identity"),
        rep_phone: get("rep_phone"),
        rep_basis: get("rep_basis"),
    };
    // Rows are named c<i>_<what>; only rows the form listed count.
    for (k, v) in fields {
        let Some(rest) = k.strip_prefix('c') else {
            continue;
        };
        let Some((i, what)) = rest.split_once('_') else {
            continue;
        };
        let Ok(i) = i.parse::<usize>() else { continue };
        if i >= 200 {
            continue;
        }
        let row = p
            .rows
            .entry(i)
            .or_insert((false, false, None, String::new()));
        match what {
            "received" => row.0 = v == "on",
            "digitised" => row.1 = v == "on",
            "copy" => row.2 = ComponentCopy::parse(v.trim()),
            "copies" => row.3 = v.clone(),
            _ => {}
        }
    }
    (p, bad)
}

/// Which control a service field belongs to, and its message.
fn place_error(lang: Lang, errors: &mut Errors, field: &str) -> Option<String> {
    let t = lang.texts();
    let msg = |k: &str| Some(t.get(k).to_owned());
    match field {
        "applicant.name" => errors.name = msg("desk.error.name"),
        "applicant.identity" => errors.identity = msg("desk.error.identity"),
        "applicant.phone" => errors.phone = msg("desk.error.phone"),
        "applicant.email" => errors.email = msg("desk.error.email"),
        "applicant.address" => errors.address = msg("desk.error.text"),
        "sets" => errors.sets = msg("desk.error.sets"),
        "note" => errors.note = msg("desk.error.text"),
        f if f.starts_with("components") => errors.components = msg("desk.error.components"),
        "procedure" | "unit" => return msg("desk.error.procedure"),
        "fee_dong" => errors.fee_dong = msg("desk.error.fee_charged"),
        "fee_reason" => errors.fee_reason = msg("desk.error.fee_reason"),
        "representative.name" => errors.rep_name = msg("desk.error.rep_name"),
        "representative.identity" => errors.rep_identity = msg("desk.error.rep_identity"),
        "representative.phone" => errors.rep_phone = msg("desk.error.rep_phone"),
        "representative.basis" => errors.rep_basis = msg("desk.error.rep_basis"),
        _ => return msg("desk.error.invalid"),
    }
    None
}

/// A scan as read from the form: kept in the file store, or refused (the
/// file's name, for the message).
type ScanRead = Result<Scan, String>;

/// What [`read_form`] read: who posted, the text fields and the scans by
/// checklist row.
type DeskPost = (Staff, Vec<(String, String)>, BTreeMap<usize, ScanRead>);

/// Reads the reception form: url-encoded (no scan) or multipart, where each
/// file chosen as `c<i>_scan` goes to the file store as it arrives (the
/// hidden `unit` field comes before the checklist, so the service can check
/// the officer receives there). `Err` is the answer to give at once.
async fn read_form(st: &StaffState, req: Request) -> Result<DeskPost, Response> {
    let (staff, opened) = upload::open(st, req).await?;
    let refuse = |status: StatusCode| {
        let (kind, title) = if status == StatusCode::PAYLOAD_TOO_LARGE {
            ("too-large", "Form too large")
        } else {
            ("malformed", "Form not readable")
        };
        WebError::new(status, kind, title, "the reception form could not be read").into_response()
    };
    let mut m = match opened {
        Ok(upload::Opened::Form(f)) => return Ok((staff, f.fields, BTreeMap::new())),
        Ok(upload::Opened::Multipart(m)) => m,
        Err(upload::Unread::TooLarge) => return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE)),
        Err(upload::Unread::Malformed) => return Err(refuse(StatusCode::BAD_REQUEST)),
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut scans = BTreeMap::new();
    let mut budget = crate::auth::MAX_FORM_BYTES;
    loop {
        match upload::next_part(&mut m, &mut budget).await {
            Ok(upload::Part::Text(k, v)) => fields.push((k, v)),
            Ok(upload::Part::Unchosen) => {}
            Ok(upload::Part::End) => break,
            Ok(upload::Part::File(file_name, part)) => {
                let row = part
                    .name()
                    .and_then(|n| n.strip_prefix('c')?.strip_suffix("_scan")?.parse().ok())
                    .filter(|i: &usize| *i < 200);
                let Some(row) = row else { continue };
                let unit = fields
                    .iter()
                    .find(|(k, _)| k == "unit")
                    .map(|(_, v)| v.trim().to_owned())
                    .unwrap_or_default();
                let mut source = crate::stream::FieldSource::new(*part);
                let kept = st
                    .services
                    .dossiers()
                    .stage_scan(&staff.actor, &unit, row, &file_name, &mut source)
                    .await;
                match kept {
                    Ok(scan) => {
                        scans.insert(row, Ok(scan));
                    }
                    Err(ServiceError::Invalid { .. } | ServiceError::TooLarge { .. }) => {
                        scans.insert(row, Err(file_name));
                    }
                    Err(e) => {
                        upload::drain(&mut m).await;
                        return Err(WebError::from(e).into_response());
                    }
                }
            }
            Err(unread) => {
                upload::drain(&mut m).await;
                return Err(refuse(match unread {
                    upload::Unread::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                    upload::Unread::Malformed => StatusCode::BAD_REQUEST,
                }));
            }
        }
    }
    Ok((staff, fields, scans))
}

/// `POST /tiep-nhan`: receives the dossier and goes to its page, or shows
/// the form again with what was refused. The form is multipart (it carries
/// the scans); an url-encoded one (no scan) is read too.
async fn submit(State(st): State<StaffState>, req: Request) -> Result<Response, WebError> {
    let headers = req.headers().clone();
    let (staff, fields, scans) = match read_form(&st, req).await {
        Ok(read) => read,
        Err(answer) => return Ok(answer),
    };
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
    let (posted, bad) = read(&fields);
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
    if let Some((_, key)) = bad {
        general = Some(staff.lang.texts().get(key).to_owned());
    }
    let sets = match posted.values.sets.trim() {
        "" => None,
        s => match s.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.sets = Some(staff.lang.texts().get("desk.error.sets").to_owned());
                None
            }
        },
    };
    let mut components = Vec::new();
    let mut kept_scans = Vec::new();
    let t = staff.lang.texts();
    let mut scan_problems: Vec<String> = Vec::new();
    let (mut unscanned, mut unticked) = (Vec::new(), Vec::new());
    for (i, c) in preview.procedure.draft.components.iter().enumerate() {
        let ticked = posted.rows.get(&i).is_some_and(|r| r.0);
        match scans.get(&i) {
            Some(Ok(scan)) if ticked => kept_scans.push(Scan {
                component: components.len(),
                ..scan.clone()
            }),
            Some(Ok(_)) => unticked.push(c.name.as_str()),
            Some(Err(file_name)) => scan_problems.push(t.fill(
                "desk.error.scan_bad",
                &[
                    ("name", file_name.clone()),
                    ("mb", (motcua_service::dossiers::MAX_FILE >> 20).to_string()),
                ],
            )),
            None if ticked && c.must_digitise => unscanned.push(c.name.as_str()),
            None => {}
        }
        let Some((true, digitised, copy, copies)) = posted.rows.get(&i) else {
            continue;
        };
        let copies = match copies.trim().parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                errors.components =
                    Some(staff.lang.texts().get("desk.error.components").to_owned());
                0
            }
        };
        components.push(ReceivedItem {
            name: c.name.clone(),
            form: copy.unwrap_or(default_copy(c.form)),
            copies,
            digitised: *digitised,
            reused: false,
            file_id: None,
        });
    }
    // A mandatory component not ticked: the dossier is incomplete and is
    // not received (the applicant gets guidance to complete it instead).
    let missing: Vec<&str> = preview
        .procedure
        .draft
        .components
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            c.requirement == Requirement::Mandatory && !posted.rows.get(i).is_some_and(|r| r.0)
        })
        .map(|(_, c)| c.name.as_str())
        .collect();
    if !missing.is_empty() && errors.components.is_none() {
        errors.components = Some(staff.lang.texts().fill(
            "desk.error.components_missing",
            &[("names", missing.join("; "))],
        ));
    }
    // A component that must be digitised is scanned at the counter: its
    // file is tied to it and it counts as digitised.
    if !unscanned.is_empty() {
        scan_problems.push(t.fill(
            "desk.error.scan_missing",
            &[("names", unscanned.join("; "))],
        ));
    }
    if !unticked.is_empty() {
        scan_problems.push(t.fill(
            "desk.error.scan_unticked",
            &[("names", unticked.join("; "))],
        ));
    }
    if !scan_problems.is_empty() {
        let mut all: Vec<String> = errors.components.take().into_iter().collect();
        all.extend(scan_problems);
        errors.components = Some(all.join(" "));
    }
    let fee_dong = match posted.values.fee_dong.trim() {
        "" => None,
        s => match s.replace(['.', ' '], "").parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.fee_dong = Some(t.get("desk.error.fee_charged").to_owned());
                None
            }
        },
    };
    if errors.fee_dong.is_none()
        && let Err(ServiceError::Invalid { field, .. }) = particulars::fee_due(
            preview.procedure.draft.fee.get(),
            fee_dong,
            &posted.values.fee_reason,
        )
        && let Some(g) = place_error(staff.lang, &mut errors, &field)
    {
        general = Some(g);
    }
    let representative = Representative {
        name: posted.values.rep_name.clone(),
        identity: posted.values.rep_identity.clone(),
        phone: posted.values.rep_phone.clone(),
        basis: posted.values.rep_basis.clone(),
    };
    let representative = (!representative.is_blank()).then_some(representative);
    for e in representative
        .iter()
        .flat_map(particulars::representative_errors)
    {
        if let ServiceError::Invalid { field, .. } = e
            && let Some(g) = place_error(staff.lang, &mut errors, &field)
        {
            general = Some(g);
        }
    }
    let applicant = Applicant {
        kind: posted.kind,
        name: posted.values.name.clone(),
        identity: posted.values.identity.clone(),
        phone: posted.values.phone.clone(),
        email: posted.values.email.clone(),
        address: posted.values.address.clone(),
    };
    // Every applicant field at fault at once, not one per attempt.
    for e in motcua_service::dossiers::applicant_errors(&applicant) {
        if let ServiceError::Invalid { field, .. } = e
            && let Some(g) = place_error(staff.lang, &mut errors, &field)
        {
            general = Some(g);
        }
    }
    if general.is_none() && !errors.any() {
        let cmd = Receive {
            unit: unit.code.as_str().to_owned(),
            procedure: procedure.clone(),
            channel: posted.channel,
            return_method: Some(posted.return_method),
            applicant,
            sets,
            components,
            fee_dong,
            fee_reason: posted.values.fee_reason.clone(),
            representative,
            note: posted.values.note.clone(),
            scans: kept_scans,
        };
        match st.services.dossiers().receive(&staff.actor, cmd).await {
            Ok(v) => {
                let to = format!("{}/{}?moi=1", super::dossier::PATH, v.dossier.code);
                return Ok(Redirect::to(&to).into_response());
            }
            Err(ServiceError::Invalid { field, .. }) => {
                general = place_error(staff.lang, &mut errors, &field);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut form = form_view(staff.lang, &preview, &posted, errors);
    form.general =
        general.or_else(|| Some(staff.lang.texts().get("desk.error.summary").to_owned()));
    page(
        &st,
        &staff,
        &headers,
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
