//! Errors on staff pages as HTML in the reader's language.
//!
//! Handlers and extractors answer errors the one way the crate knows
//! ([`crate::WebError`], problem+json) or as axum's plain-text rejections;
//! this layer turns any error answer of a page route that is not already
//! HTML into a short page with the status kept, so no page shows JSON and
//! no handler needs an error type of its own.

use askama::Template;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::layout::Layout;
use super::render;
use crate::i18n::{Lang, Texts};

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
pub async fn html_errors(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let lang = Lang::of(&parts);
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
    let mut page = error_response(lang, status, kind.ends_with("/csrf"));
    if let Some(v) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, v);
    }
    page
}

/// An error page for `status`; `csrf` picks the expired-form message for 403.
pub fn error_response(lang: Lang, status: StatusCode, csrf: bool) -> Response {
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
        layout: Layout::public(lang, t.get("error.title"), "/"),
        t,
        message,
        code,
    };
    render(status, &page)
}
