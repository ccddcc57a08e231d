//! The edge bounds for page forms: a url-encoded form whose field count or
//! field length breaks `motcua_domain::bounds` is refused (422 naming the
//! field) before any handler parses it. JSON bodies get the same bounds in
//! [`crate::json`].

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use motcua_domain::bounds::check_edge_form;

use crate::auth::{MAX_FORM_BYTES, is_urlencoded};
use crate::error::WebError;

/// Holds url-encoded form posts to the edge bounds and hands the unchanged
/// body on. A form over [`MAX_FORM_BYTES`] is refused with 413.
pub async fn form_bounds(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || !is_urlencoded(&req)
    {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return WebError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "Dữ liệu quá lớn",
            format!("a form may have at most {MAX_FORM_BYTES} bytes"),
        )
        .into_response();
    };
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_bytes(&bytes) {
        Ok(pairs) => pairs,
        Err(e) => return WebError::invalid("body", e.to_string()).into_response(),
    };
    if let Err(v) = check_edge_form(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        return WebError::invalid(v.path, v.reason).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
