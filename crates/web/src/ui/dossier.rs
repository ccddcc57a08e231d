//! `/ho-so/{code}`: one dossier's page: details, components and files, the
//! timeline of transitions and steps with their on-time marks, where its
//! deadline stands, the forms to print, and a small form for each action
//! the service allows the reader now.
//!
//! Every action posts to `/ho-so/{code}/hanh-dong` with the version the
//! page showed. With htmx the answer replaces the page's main part
//! (`dossier_partial.html`); without JavaScript the post redirects back to
//! the page (POST-redirect-GET). A stale version, an action the state no
//! longer allows or a refused field shows the dossier as it now is with a
//! message saying what to do.
//!
//! A digitised component or the result is attached with the form posted to
//! `/ho-so/{code}/tep` as `multipart/form-data` (see [`upload`] for how its
//! CSRF token is checked before the file is read), through the same
//! service call as `POST /api/dossiers/{code}/files`; a refused file shows
//! the page with what was wrong and nothing attached.

pub(crate) mod actions;
mod correct;
mod payments;
pub(crate) mod upload;
mod view;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use motcua_domain::deadline::TimeLimit;
use motcua_service::ServiceError;
use serde::Deserialize;

use super::layout::{Area, Layout};
use super::{Staff, is_htmx, render};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::StaffState;
use view::Body;

/// Where dossier pages live (`/ho-so/{code}`).
pub const PATH: &str = "/ho-so";

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route("/ho-so/{code}", get(show))
        .route("/ho-so/{code}/hanh-dong", post(act))
        .route("/ho-so/{code}/sua", post(correct::correct))
        .route("/ho-so/{code}/hoan-phi", post(payments::refund))
        .route(
            "/ho-so/{code}/tep",
            post(attach).layer(DefaultBodyLimit::max(upload::BODY_LIMIT)),
        )
}

/// The largest file attached from the page: the API's and the service's
/// limit (a scanned dossier of many pages).
const MAX_FILE: usize = 20 << 20;

/// A time limit as staff read it: "5 ngày làm việc" / "5 working days".
pub fn limit_label(t: &Texts, l: TimeLimit) -> String {
    let n = |key: &str, n: u32| t.fill(key, &[("n", &n.to_string())]);
    match l {
        TimeLimit::WorkingDays(d) => n("dossier.limit.working_days", d),
        TimeLimit::WorkingHours(h) => n("dossier.limit.working_hours", h),
        TimeLimit::CalendarDays(d) => n("dossier.limit.calendar_days", d),
        TimeLimit::Months(m) => n("dossier.limit.months", m),
        TimeLimit::SameDay => t.get("dossier.limit.same_day").to_owned(),
        TimeLimit::NoLimit => t.get("dossier.limit.none").to_owned(),
    }
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierPage {
    t: Texts,
    layout: Layout,
    b: Body,
}

#[derive(Template)]
#[template(path = "dossier_partial.html")]
struct DossierPartial {
    t: Texts,
    b: Body,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    /// Set after a reception: offer the receipt to print first.
    moi: Option<String>,
    /// The action just taken (after a redirect).
    xong: Option<String>,
    /// Whether the action came with a warning.
    warn: Option<String>,
    /// Set after a file was attached (after a redirect).
    tep: Option<String>,
    /// Set after a correction (after a redirect).
    sua: Option<String>,
    /// Set after a refund (after a redirect).
    hoan: Option<String>,
}

/// What the page says at its top.
#[derive(Default)]
pub(crate) struct Message {
    /// Just received: focus the receipt's print link.
    pub fresh: bool,
    /// What was done.
    pub notice: Option<String>,
    /// What the reader should know about it.
    pub warning: Option<String>,
    /// Why nothing was done.
    pub error: Option<String>,
    /// The correction form as posted, with what was refused (else the
    /// page shows it prefilled to those who may correct).
    pub correction: Option<correct::CorrectionForm>,
}

async fn respond(
    st: &StaffState,
    staff: &Staff,
    headers: &HeaderMap,
    code: &str,
    msg: Message,
    status: StatusCode,
) -> Result<Response, WebError> {
    let v = st.services.dossiers().view(&staff.actor, code).await?;
    respond_with(st, staff, headers, v, msg, status).await
}

/// The page (or, for htmx, its main part) of a dossier already read.
async fn respond_with(
    st: &StaffState,
    staff: &Staff,
    headers: &HeaderMap,
    v: motcua_service::dossiers::DossierView,
    mut msg: Message,
    status: StatusCode,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let correction = match msg.correction.take() {
        Some(form) => Some(form),
        None => correct::prefill(st, staff.lang, &v).await?,
    };
    let (target, moves) = if v.actions.contains(&"hand_over") {
        st.services
            .dossiers()
            .hand_over_options(&staff.actor, v.dossier.code.as_str())
            .await?
    } else {
        (None, Default::default())
    };
    let messages = st
        .services
        .dossiers()
        .messages(&staff.actor, v.dossier.code.as_str())
        .await?;
    let names = people_names(st, &v).await?;
    let mut b = view::body(
        staff,
        &v,
        target,
        moves,
        msg,
        &names,
        view::message_rows(staff.lang, &messages),
    );
    b.correction = correction;
    b.payments = payments::card(st, staff, &v).await?;
    if is_htmx(headers) {
        return Ok(render(StatusCode::OK, &DossierPartial { t, b }));
    }
    let here = format!("{PATH}/{}", v.dossier.code);
    let title = t.fill("dossier.title", &[("code", v.dossier.code.as_str())]);
    let layout = Layout::staff(st, staff, Area::Dossiers, &title, None, &here).await?;
    Ok(render(status, &DossierPage { t, layout, b }))
}

/// The full names of the people a dossier's page names by login (who
/// acted, attached, handed over), each read once; logins with no user
/// behind them (the system, an import) are left out and shown as written.
async fn people_names(
    st: &StaffState,
    v: &motcua_service::dossiers::DossierView,
) -> Result<std::collections::HashMap<String, String>, WebError> {
    let logins: std::collections::BTreeSet<&str> = v
        .events
        .iter()
        .map(|e| e.event.actor.as_str())
        .chain(std::iter::once(v.dossier.received_by.as_str()))
        .chain(v.files.iter().map(|f| f.created_by.as_str()))
        .chain(v.steps.iter().map(|s| s.step.step.sender.as_str()))
        .chain(v.steps.iter().filter_map(|s| s.holder.as_deref()))
        .collect();
    let mut names = std::collections::HashMap::new();
    for login in logins {
        if let Some(name) = st.services.full_name(login).await? {
            names.insert(login.to_owned(), name);
        }
    }
    Ok(names)
}

/// `GET /ho-so/{code}`.
async fn show(
    State(st): State<StaffState>,
    staff: Staff,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let mut msg = Message {
        fresh: q.moi.is_some(),
        ..Message::default()
    };
    if msg.fresh {
        msg.notice = Some(t.get("dossier.received_notice").to_owned());
    } else if q.tep.is_some() {
        msg.notice = Some(t.get("dossier.upload.done").to_owned());
    } else if q.sua.is_some() {
        msg.notice = Some(t.get("dossier.correction.done").to_owned());
    } else if q.hoan.is_some() {
        msg.notice = Some(t.get("dossier.payments.done_plain").to_owned());
    } else if let Some(a) = q.xong.as_deref().and_then(actions::known) {
        msg.notice = Some(t.fill("dossier.done_notice", &[("action", &actions::label(&t, a))]));
        if q.warn.is_some() {
            msg.warning = Some(actions::warning(&t, a));
        }
    }
    respond(&st, &staff, &headers, &code, msg, StatusCode::OK).await
}

/// `POST /ho-so/{code}/hanh-dong`: one action with the version read.
async fn act(
    State(st): State<StaffState>,
    staff: Staff,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let (name, cmd) = match actions::parse(&fields) {
        Ok(c) => c,
        Err(key) => {
            let msg = Message {
                error: Some(t.get(key).to_owned()),
                ..Message::default()
            };
            return respond(
                &st,
                &staff,
                &headers,
                &code,
                msg,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let sent_version = cmd.version;
    match st.services.dossiers().act(&staff.actor, &code, cmd).await {
        Ok(acted) => {
            // Without JavaScript a redirect would read the dossier again;
            // when the action moved it out of the actor's sight that read
            // is refused (and audited as a refusal), so the page is
            // answered here instead. A reload re-posts the old version
            // and is refused as stale, changing nothing.
            if is_htmx(&headers) || !acted.still_visible {
                let msg = Message {
                    notice: Some(t.fill(
                        "dossier.done_notice",
                        &[("action", &actions::label(&t, name))],
                    )),
                    warning: acted.warning.as_ref().map(|_| actions::warning(&t, name)),
                    ..Message::default()
                };
                // The dossier as the action left it: read again, it may be
                // out of the actor's sight (a specialist's hand-over to the
                // leader moves it out of the office), which is no refusal.
                return respond_with(&st, &staff, &headers, acted.dossier, msg, StatusCode::OK)
                    .await;
            }
            let mut to = format!("{PATH}/{}?xong={name}", acted.dossier.dossier.code);
            if acted.warning.is_some() {
                to.push_str("&warn=1");
            }
            Ok(Redirect::to(&to).into_response())
        }
        Err(ServiceError::Conflict(_)) => {
            let now = st.services.dossiers().view(&staff.actor, &code).await?;
            let key = if now.dossier.version != sent_version {
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
        Err(ServiceError::Invalid { field, .. }) => {
            let msg = Message {
                error: Some(actions::field_error(&t, &field)),
                ..Message::default()
            };
            respond(
                &st,
                &staff,
                &headers,
                &code,
                msg,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /ho-so/{code}/tep` (`multipart/form-data`): `csrf_token` first,
/// then `kind` (`component` or `result`) and the `file`. The service checks
/// who may attach and what; the file's type is told from its content.
async fn attach(
    State(st): State<StaffState>,
    Path(code): Path<String>,
    req: Request,
) -> Result<Response, WebError> {
    let headers = req.headers().clone();
    let (staff, opened) = match upload::open(&st, req).await {
        Ok(read) => read,
        Err(refused) => return Ok(refused),
    };
    let t = staff.lang.texts();
    let refuse = |key: &str, status: StatusCode| {
        let msg = Message {
            error: Some(t.fill(key, &[("mb", &(MAX_FILE >> 20).to_string())])),
            ..Message::default()
        };
        respond(&st, &staff, &headers, &code, msg, status)
    };
    let mut m = match opened {
        Ok(upload::Opened::Multipart(m)) => m,
        Ok(upload::Opened::Form(_)) => {
            return refuse("dossier.upload.no_file", StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(upload::Unread::TooLarge) => {
            return refuse("dossier.upload.too_large", StatusCode::PAYLOAD_TOO_LARGE).await;
        }
        Err(upload::Unread::Malformed) => {
            return refuse("dossier.upload.unreadable", StatusCode::BAD_REQUEST).await;
        }
    };
    // Text fields first (forms put the file last); the chosen file goes to
    // the file store piece by piece, and the service tells its type from
    // its first bytes and refuses content of no accepted type.
    let mut kind = String::new();
    let mut budget = crate::auth::MAX_FORM_BYTES;
    let (result, file_name, empty) = loop {
        match upload::next_part(&mut m, &mut budget).await {
            Ok(upload::Part::Text(k, v)) => {
                if k == "kind" {
                    kind = v;
                }
            }
            Ok(upload::Part::Unchosen) => {}
            Ok(upload::Part::End) => {
                return refuse("dossier.upload.no_file", StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            Ok(upload::Part::File(file_name, part)) => {
                let mut source = crate::stream::FieldSource::new(*part);
                let result = st
                    .services
                    .dossiers()
                    .attach_stream(&staff.actor, &code, &kind, &file_name, None, &mut source)
                    .await;
                break (result, file_name, source.seen == 0);
            }
            Err(unread) => {
                upload::drain(&mut m).await;
                let (key, status) = match unread {
                    upload::Unread::TooLarge => {
                        ("dossier.upload.too_large", StatusCode::PAYLOAD_TOO_LARGE)
                    }
                    upload::Unread::Malformed => {
                        ("dossier.upload.unreadable", StatusCode::BAD_REQUEST)
                    }
                };
                return refuse(key, status).await;
            }
        }
    };
    if result.is_err() {
        upload::drain(&mut m).await;
    }
    match result {
        Ok(_) if is_htmx(&headers) => {
            let msg = Message {
                notice: Some(t.get("dossier.upload.done").to_owned()),
                ..Message::default()
            };
            respond(&st, &staff, &headers, &code, msg, StatusCode::OK).await
        }
        // The code was found, so trimmed it is the stored one (no character
        // a Location header refuses).
        Ok(_) => Ok(Redirect::to(&format!("{PATH}/{}?tep=1", code.trim())).into_response()),
        Err(ServiceError::Invalid { field, .. }) => {
            let key = match field.as_str() {
                "kind" => "dossier.upload.kind",
                "name" => "dossier.upload.name",
                _ if empty => "dossier.upload.empty",
                "content-type" => "dossier.upload.type",
                "body" => "dossier.upload.unreadable",
                _ => "dossier.error.invalid",
            };
            let msg = Message {
                error: Some(t.fill(
                    key,
                    &[
                        ("name", file_name.as_str()),
                        ("mb", &(MAX_FILE >> 20).to_string()),
                    ],
                )),
                ..Message::default()
            };
            respond(
                &st,
                &staff,
                &headers,
                &code,
                msg,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ServiceError::TooLarge { .. }) => {
            refuse("dossier.upload.too_large", StatusCode::PAYLOAD_TOO_LARGE).await
        }
        Err(e) => Err(e.into()),
    }
}
