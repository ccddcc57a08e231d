//! A dossier's progress for the person holding its receipt: the code and
//! the check value printed beside the QR code.
//!
//! The check value is the only key, so the lookup answers an unknown code
//! and a wrong value alike, is limited per address (one limit with the
//! JSON API's), and never shows the applicant's personal data. Logs carry
//! `t=REDACTED` (see `telemetry::redacted`), the page is not cached and
//! the language switch drops the value.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use motcua_domain::dossier::Status;
use motcua_service::ServiceError;
use motcua_service::store::PublicStatus;
use serde::Deserialize;

use super::account::Head;
use super::{PortalLayout, PortalState, Visitor, here};
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::ui::dashboard::status_label;
use crate::ui::{format, render};
use axum::response::IntoResponse;

/// The lookup form, and the page the QR code opens (`/tra-cuu/{code}`).
pub const PATH: &str = "/tra-cuu";

/// Routes of this module.
pub fn routes() -> Router<PortalState> {
    Router::new()
        .route(PATH, get(form))
        .route("/tra-cuu/{code}", get(by_code))
        .route("/tra-cuu/{code}/danh-gia", axum::routing::post(rate))
}

#[derive(Deserialize)]
struct LookupQuery {
    code: Option<String>,
    t: Option<String>,
}

#[derive(Template)]
#[template(path = "portal_lookup.html")]
struct FormPage {
    t: Texts,
    layout: PortalLayout,
    code: String,
    error: Option<String>,
}

/// One line of the dossier's progress.
struct Fact {
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "portal_status.html")]
struct StatusPage {
    t: Texts,
    layout: PortalLayout,
    status: String,
    explain: String,
    facts: Vec<Fact>,
    overdue: bool,
    rating: Option<super::rating::RatingView>,
}

/// `GET /tra-cuu?code=&t=`: the form (filled with `code` when a link
/// gives one), or the status once the form sends both.
async fn form(
    State(st): State<PortalState>,
    lang: Lang,
    visitor: Visitor,
    Head(head): Head,
    Query(q): Query<LookupQuery>,
) -> Result<Response, WebError> {
    let code = q.code.unwrap_or_default();
    let Some(check) = q.t else {
        return Ok(form_page(lang, StatusCode::OK, &code, None));
    };
    if code.trim().is_empty() || check.trim().is_empty() {
        let error = lang.texts().get("portal.lookup.both").to_owned();
        return Ok(form_page(
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &code,
            Some(error),
        ));
    }
    show(&st, lang, &visitor, &head, &code, &check, None).await
}

/// `GET /tra-cuu/{code}?t=`: the page the receipt's QR code opens.
async fn by_code(
    State(st): State<PortalState>,
    lang: Lang,
    visitor: Visitor,
    Head(head): Head,
    Path(code): Path<String>,
    Query(q): Query<LookupQuery>,
) -> Result<Response, WebError> {
    let check = q.t.unwrap_or_default();
    if check.trim().is_empty() {
        return Ok(form_page(lang, StatusCode::OK, &code, None));
    }
    show(&st, lang, &visitor, &head, &code, &check, None).await
}

/// `POST /tra-cuu/{code}/danh-gia`: a rating through the receipt (the
/// check value in the form), once the result is returned.
async fn rate(
    State(st): State<PortalState>,
    lang: Lang,
    visitor: Visitor,
    Head(head): Head,
    Path(code): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let check = field("t");
    if !super::account::form_ok(&head, &field("csrf_token")) {
        return Ok(super::error_page(lang, StatusCode::FORBIDDEN));
    }
    if let Err(secs) = st.lookups.check(&visitor.0) {
        let mut res = super::error_page(lang, StatusCode::TOO_MANY_REQUESTS);
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(res);
    }
    let input = super::rating::input(&fields);
    match st
        .services
        .portal()
        .rate_by_receipt(&code, &check, &input)
        .await
    {
        Ok(()) => {
            let q = serde_urlencoded::to_string([("t", check.as_str())]).unwrap_or_default();
            Ok(
                axum::response::Redirect::to(&format!("{PATH}/{}?{q}", code.trim()))
                    .into_response(),
            )
        }
        Err(ServiceError::NotFound { .. }) => {
            let error = lang.texts().get("portal.lookup.not_found").to_owned();
            Ok(form_page(lang, StatusCode::NOT_FOUND, &code, Some(error)))
        }
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
            let status = crate::error::status_of(&e);
            let mut res = show(&st, lang, &visitor, &head, &code, &check, Some(e)).await?;
            *res.status_mut() = status;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

fn form_page(lang: Lang, status: StatusCode, code: &str, error: Option<String>) -> Response {
    let t = lang.texts();
    let page = FormPage {
        layout: PortalLayout::new(lang, t.get("portal.lookup.title"), PATH),
        code: code.trim().chars().take(100).collect(),
        error,
        t,
    };
    render(status, &page)
}

async fn show(
    st: &PortalState,
    lang: Lang,
    visitor: &Visitor,
    head: &axum::http::request::Parts,
    code: &str,
    check: &str,
    rating_error: Option<ServiceError>,
) -> Result<Response, WebError> {
    if let Err(secs) = st.lookups.check(&visitor.0) {
        let mut res = super::error_page(lang, StatusCode::TOO_MANY_REQUESTS);
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(res);
    }
    let s = match st.services.portal().status(code, check).await {
        Ok(s) => s,
        Err(ServiceError::NotFound { .. } | ServiceError::Invalid { .. }) => {
            let t = lang.texts();
            let error = t.get("portal.lookup.not_found").to_owned();
            return Ok(form_page(lang, StatusCode::NOT_FOUND, code, Some(error)));
        }
        Err(e) => return Err(e.into()),
    };
    let now = st.services.now();
    if !motcua_service::ratings::rateable(s.status) {
        return Ok(status_page(lang, &s, now, None));
    }
    let (token, set) = super::account::form_token(head, st)?;
    let t = lang.texts();
    let mut view = super::rating::RatingView::new(
        &t,
        format!("{PATH}/{}/danh-gia", s.code),
        token,
        vec![("t".to_owned(), check.trim().to_owned())],
        s.rating,
    );
    if let Some(e) = &rating_error {
        view.fail(&t, e);
    }
    Ok(super::account::with_cookies(
        status_page(lang, &s, now, Some(view)),
        set,
    ))
}

pub(crate) fn explain_key(s: Status) -> &'static str {
    match s {
        Status::Draft => "portal.explain.draft",
        Status::AwaitingOnlineReception => "portal.explain.awaiting_online_reception",
        Status::Received => "portal.explain.received",
        Status::Processing => "portal.explain.processing",
        Status::AwaitingSupplement => "portal.explain.awaiting_supplement",
        Status::AwaitingFinancialObligation => "portal.explain.awaiting_financial_obligation",
        Status::Done => "portal.explain.done",
        Status::Returned => "portal.explain.returned",
        Status::Refused => "portal.explain.refused",
        Status::Stopped => "portal.explain.stopped",
        Status::Withdrawn => "portal.explain.withdrawn",
        Status::Voided => "portal.explain.voided",
    }
}

/// Whether the appointment has passed while the dossier is still being
/// worked on (the office owes an apology and a new date, Decision
/// 61/2018, so the applicant is told so).
pub fn is_overdue(s: &PublicStatus, now: jiff::Timestamp) -> bool {
    let working = matches!(
        s.status,
        Status::Received | Status::Processing | Status::AwaitingFinancialObligation
    );
    working && s.ended_at.is_none() && s.current_due.is_some_and(|d| d < now)
}

fn status_page(
    lang: Lang,
    s: &PublicStatus,
    now: jiff::Timestamp,
    rating: Option<super::rating::RatingView>,
) -> Response {
    let t = lang.texts();
    let mut facts = vec![
        Fact {
            label: t.get("portal.status.procedure").to_owned(),
            value: s.procedure_name.clone(),
        },
        Fact {
            label: t.get("portal.status.unit").to_owned(),
            value: s.unit_name.clone(),
        },
    ];
    let moments = [
        ("portal.status.received", s.received_at),
        ("portal.status.due", s.current_due),
        ("portal.status.ended", s.ended_at),
        ("portal.status.returned", s.returned_at),
    ];
    for (key, at) in moments {
        if let Some(at) = at {
            facts.push(Fact {
                label: t.get(key).to_owned(),
                value: format::moment(lang, at),
            });
        }
    }
    let title = t.fill("portal.status.title", &[("code", &s.code)]);
    let page = StatusPage {
        layout: PortalLayout::new(lang, &title, &here(PATH, &[("code", s.code.as_str())])),
        status: status_label(&t, s.status),
        explain: t.get(explain_key(s.status)).to_owned(),
        facts,
        overdue: is_overdue(s, now),
        rating,
        t,
    };
    render(StatusCode::OK, &page)
}
