//! The search box in every staff page's header (issue 18, point 1).
//!
//! - `GET /tim-kiem?q=…` (the box's form, Enter): an exact dossier code the
//!   person may see opens that dossier straight away; a barcode reader
//!   scanning the receipt's QR code types the status page's address and
//!   Enter, which opens the dossier the same way. Anything else goes to the
//!   dossier list filtered by the same text, with every other filter.
//! - `GET /tim-kiem/goi-y?q=…` (htmx, as the person types): the first hits
//!   under the box, each a link to its dossier.
//!
//! Both read through the list use case ([`motcua_service::dossiers`]), so
//! a search shows exactly the dossiers the person's grants let them see.
//! The text is personal data (names, identity numbers) and is kept out of
//! logs (`telemetry::redacted`).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use motcua_domain::search::dossier::DossierQuery;
use motcua_service::ServiceError;
use motcua_service::dossiers::ListQuery;
use serde::Deserialize;

use super::list::{PATH as LIST, Row, rows};
use super::{Staff, render};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::StaffState;

/// The search page (redirects only).
pub const PATH: &str = "/tim-kiem";
/// The hits under the box.
pub const HITS: &str = "/tim-kiem/goi-y";
/// Hits shown under the box.
const SHOWN: u32 = 8;

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new().route(PATH, get(go)).route(HITS, get(hits))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

/// `GET /tim-kiem?q=`.
async fn go(
    State(st): State<StaffState>,
    staff: Staff,
    Query(p): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let text = p.q.unwrap_or_default();
    if let Ok(DossierQuery::Code(code)) = DossierQuery::parse(&text) {
        let page = st
            .services
            .dossiers()
            .list(&staff.actor, &query(&code, 2))
            .await;
        if let Ok(page) = page
            && let Some(hit) = page.items.iter().find(|d| d.code == code)
        {
            return Ok(Redirect::to(&format!("{LIST}/{}", hit.code)).into_response());
        }
        // The code's beginning, or a code not seen: the list says which.
        return Ok(to_list(&code));
    }
    // A scanned address's check value is never carried on.
    let text = match text.split_once("/tra-cuu/") {
        Some((_, rest)) => rest.split(['?', '#']).next().unwrap_or_default(),
        None => text.trim(),
    };
    Ok(to_list(text))
}

fn to_list(text: &str) -> Response {
    let q = serde_urlencoded::to_string([("q", text)]).unwrap_or_default();
    Redirect::to(&format!("{LIST}?{q}")).into_response()
}

fn query(text: &str, limit: u32) -> ListQuery {
    ListQuery {
        text: Some(text.to_owned()),
        limit: Some(limit),
        ..ListQuery::default()
    }
}

#[derive(Template)]
#[template(path = "search_hits.html")]
struct Hits {
    t: Texts,
    rows: Vec<Row>,
    /// A hint instead of hits (too short, not searchable).
    hint: Option<String>,
    /// "Every result" in the list, when there may be more.
    more_href: Option<String>,
    /// Nothing found.
    none: bool,
    /// The text these hits answer: typing sends a request per pause, so
    /// a reader (or a test) can tell the last answer from an earlier one.
    answers: String,
}

/// `GET /tim-kiem/goi-y?q=`: the first hits, or why there are none.
async fn hits(
    State(st): State<StaffState>,
    staff: Staff,
    Query(p): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let text = p.q.unwrap_or_default();
    let answers = text.trim().to_owned();
    let empty = |t: Texts, hint: Option<String>| Hits {
        t,
        rows: Vec::new(),
        hint,
        more_href: None,
        none: false,
        answers: answers.clone(),
    };
    if text.trim().is_empty() {
        return Ok(render(StatusCode::OK, &empty(t, None)));
    }
    let page = match st
        .services
        .dossiers()
        .list(&staff.actor, &query(&text, SHOWN))
        .await
    {
        Ok(p) => p,
        Err(ServiceError::Invalid { .. }) => {
            let hint = t.get("search.hint").to_owned();
            return Ok(render(StatusCode::OK, &empty(t, Some(hint))));
        }
        // Someone who sees no dossier at all gets no hits, not an error
        // under the box.
        Err(ServiceError::Forbidden(_)) => {
            return Ok(render(StatusCode::OK, &empty(t, None)));
        }
        Err(e) => return Err(e.into()),
    };
    let rows = rows(&st, staff.lang, &page.items).await?;
    let more_href = page.next.is_some().then(|| {
        let q = serde_urlencoded::to_string([("q", text.trim())]).unwrap_or_default();
        format!("{LIST}?{q}")
    });
    Ok(render(
        StatusCode::OK,
        &Hits {
            none: rows.is_empty(),
            t,
            rows,
            hint: None,
            more_href,
            answers,
        },
    ))
}
