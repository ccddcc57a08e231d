//! Layers that make every answer follow two rules, whichever handler or
//! extractor produced it: personal data is not kept in caches, and errors
//! are problem+json.

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

/// API paths whose answers hold nothing personal and may be cached: the
/// public catalog search, the API description and its page's assets.
fn cacheable(path: &str) -> bool {
    path == "/api/openapi.json" || path == "/api/procedures/search" || path.starts_with("/api/docs")
}

/// Sets `Cache-Control: no-store` on `/api/` answers (they carry
/// applicants' names, phones, identities and lookup tokens), except the
/// public ones in [`cacheable`] and answers that chose their own policy.
pub async fn no_store(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if path.starts_with("/api/")
        && !cacheable(&path)
        && !res.headers().contains_key(header::CACHE_CONTROL)
    {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// The longest plain-text error kept as the problem's detail.
const MAX_DETAIL: usize = 4096;

/// Turns the plain-text errors of axum's extractors (a body over the
/// route's limit, a path segment of the wrong type, a broken body) into
/// problem+json with the same status; a 413 names the body.
pub async fn problem_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = match to_bytes(body, MAX_DETAIL).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => String::new(),
    };
    let err = if status == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::too_large(text).with_field("body")
    } else {
        WebError::new(status, "bad-request", "Yêu cầu không hợp lệ", text)
    };
    let mut out = err.into_response();
    // Keep what the original answer said beyond its body (Allow, Retry-After).
    for (k, v) in &parts.headers {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().entry(k.clone()).or_insert(v.clone());
        }
    }
    out
}
