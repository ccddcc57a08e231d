//! Errors on staff pages as HTML in the reader's language.
//!
//! Handlers and extractors answer errors the one way the crate knows
//! ([`crate::WebError`], problem+json) or as axum's plain-text rejections;
//! this layer turns any error answer of a page route that is not already
//! HTML into a short page with the status kept, so no page shows JSON and
//! no handler needs an error type of its own. A signed-in reader keeps the
//! header and navigation on the error page (so a refused page is not a dead
//! end); the session is read again only when an error is answered.

use askama::Template;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;

use super::layout::{Area, Layout};
use super::{Staff, render};
use crate::i18n::{Lang, Texts};
use crate::ui::StaffState;

/// The largest error body read to learn the problem's kind.
const MAX_PROBLEM_BYTES: usize = 64 << 10;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Texts,
    layout: Layout,
    message: String,
    code: String,
}

/// Replaces a non-HTML error answer with an error page.
pub async fn html_errors(State(st): State<StaffState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let lang = Lang::of(&parts);
    let (uri, headers) = (parts.uri.clone(), parts.headers.clone());
    let res = next.run(Request::from_parts(parts, body)).await;
    let status = res.status();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_html {
        return res;
    }
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let body = axum::body::to_bytes(res.into_body(), MAX_PROBLEM_BYTES)
        .await
        .unwrap_or_default();
    let kind = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["type"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let layout = staff_layout(&st, &uri, headers, lang).await;
    let mut page = error_response(lang, status, kind.ends_with("/csrf"), layout);
    if let Some(v) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, v);
    }
    page
}

/// The answer to an address nothing serves: an error page in the reader's
/// language for a browser (it asks for HTML), outside `/api/`; the API's
/// problem+json otherwise, so a client of the API never has to read HTML.
pub async fn unknown_address(
    State(st): State<StaffState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let api = uri.path() == "/api" || uri.path().starts_with("/api/");
    if !browser || api {
        return axum::response::IntoResponse::into_response(crate::error::not_found(uri).await);
    }
    let lang = {
        let mut req = Request::new(());
        *req.headers_mut() = headers.clone();
        let (parts, ()) = req.into_parts();
        Lang::of(&parts)
    };
    let layout = staff_layout(&st, &uri, headers, lang).await;
    error_response(lang, StatusCode::NOT_FOUND, false, layout)
}

/// The frame of a signed-in reader's error page: the area the path belongs
/// to, with the person's navigation; `None` without a valid session.
async fn staff_layout(
    st: &StaffState,
    uri: &Uri,
    headers: HeaderMap,
    lang: Lang,
) -> Option<Layout> {
    let mut req = Request::new(());
    *req.uri_mut() = uri.clone();
    *req.headers_mut() = headers;
    let (mut parts, ()) = req.into_parts();
    let staff = Staff::from_request_parts(&mut parts, st).await.ok()?;
    let path = uri.path();
    let area = Area::ALL
        .into_iter()
        .rev()
        .find(|a| a.href() != "/" && path.starts_with(a.href()))
        .unwrap_or(Area::Dashboard);
    let title = lang.texts().get("error.title").to_owned();
    let here = uri.path_and_query().map_or("/", |p| p.as_str());
    Layout::staff(st, &staff, area, &title, None, here)
        .await
        .ok()
}

/// An error page for `status`; `csrf` picks the expired-form message for
/// 403; `layout` is the signed-in frame when there is one.
pub fn error_response(
    lang: Lang,
    status: StatusCode,
    csrf: bool,
    layout: Option<Layout>,
) -> Response {
    let t = lang.texts();
    let message = match status {
        StatusCode::FORBIDDEN if csrf => t.get("error.csrf"),
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => t.get("error.forbidden"),
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => t.get("error.not_found"),
        StatusCode::PAYLOAD_TOO_LARGE => t.get("error.too_large"),
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT => t.get("error.invalid"),
        StatusCode::TOO_MANY_REQUESTS => t.get("error.rate_limited"),
        StatusCode::SERVICE_UNAVAILABLE => t.get("error.unavailable"),
        s if s.is_server_error() => t.get("error.internal"),
        _ => t.get("error.bad_request"),
    }
    .to_owned();
    let code = t.fill("error.code", &[("status", status.as_str())]);
    let page = ErrorPage {
        layout: layout.unwrap_or_else(|| Layout::public(lang, t.get("error.title"), "/")),
        t,
        message,
        code,
    };
    render(status, &page)
}
